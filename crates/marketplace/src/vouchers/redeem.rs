//! Vouchers at ordering: the buyer's own claim, checked against the order line, used in
//! the order's transaction; and given back by a 5-day no-reason unsubscription.

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::orders::pricing::VoucherTerms;
use crate::orders::store::OrderRecord;
use crate::state::Marketplace;
use crate::subscriptions::machine::Actor;
use crate::vouchers::claim_store;
use crate::vouchers::claim_store::ClaimRecord;
use crate::vouchers::machine::{transition, Action, Status};
use crate::vouchers::store::Change;
use unilogin_core::store::durable::Tx;

/// What the order line is, as far as a voucher is concerned.
pub struct Line<'a> {
    pub seller_tenant_id: &'a str,
    pub product_id: &'a str,
    pub sku_code: &'a str,
}

/// Whether the claim can pay part of this line now: scope (400) and status (409); the
/// threshold is the pricing pipeline's to check.
pub fn check(claim: &ClaimRecord, line: &Line<'_>, now: i64) -> Result<(), MarketError> {
    let voucher = &claim.voucher;
    if voucher.seller_tenant_id != line.seller_tenant_id
        || !voucher.terms.scope.covers(line.product_id, line.sku_code)
    {
        return Err(MarketError::Invalid(
            "this voucher does not apply to this product or SKU".into(),
        ));
    }
    transition(claim.claim(), Action::Use, Actor::Buyer, now)
        .map(|_| ())
        .map_err(|refused| MarketError::Conflict(refused.to_string()))
}

/// The voucher's terms, for the pipeline.
pub fn terms_of(claim: &ClaimRecord) -> VoucherTerms {
    let t = &claim.voucher.terms;
    VoucherTerms {
        face_value: t.face_value,
        minimum_spend: t.minimum_spend,
        combinable: t.combinable,
    }
}

/// The buyer's claim `claim_id` for this line, and its terms for the pipeline. Another
/// buyer's claim is not found: vouchers are not transferable.
pub async fn for_order(
    market: &Marketplace,
    caller: &Caller,
    claim_id: &str,
    line: &Line<'_>,
) -> Result<(ClaimRecord, VoucherTerms), MarketError> {
    let claim = market
        .store
        .voucher_claim(claim_id)
        .await?
        .filter(|c| caller.is_user() && c.buyer_user_id == caller.claims.sub)
        .ok_or_else(|| MarketError::NotFound("No such voucher of yours".into()))?;
    check(&claim, line, market.clock.now_unix())?;
    let terms = terms_of(&claim);
    Ok((claim, terms))
}

/// Marks the vouchers of `order`'s lines used, inside the order's transaction: one
/// voucher pays part of one payment only, so a second order racing with the same one
/// finds it changed and is refused.
pub async fn use_in(tx: &mut Tx, order: &OrderRecord) -> Result<(), MarketError> {
    let now = tx.now();
    for line in &order.lines {
        let Some(claim_id) = &line.voucher_id else {
            continue;
        };
        let claim = claim_store::voucher_claim_in(tx, claim_id)
            .await?
            .filter(|c| c.buyer_user_id == order.buyer_user_id)
            .ok_or_else(|| MarketError::NotFound("No such voucher of yours".into()))?;
        let to = transition(claim.claim(), Action::Use, Actor::Buyer, now)
            .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
        let change = Change {
            action: Action::Use.as_str(),
            actor: Actor::Buyer.as_str(),
            actor_id: &order.buyer_user_id,
            from: claim.stored.as_str(),
            to: to.as_str(),
            order_id: &order.id,
            at: now,
        };
        if !claim_store::set_claim_status_in(tx, &claim, to, &change, line.voucher_amount).await? {
            return Err(MarketError::Conflict(
                "this voucher was used meanwhile: one voucher pays one order".into(),
            ));
        }
    }
    Ok(())
}

/// Gives back the voucher `order_id` used (a qualifying 5-day no-reason unsubscription;
/// no other refund does). Its validity stays what it was.
pub async fn recycle_in(tx: &mut Tx, order_id: &str) -> Result<Option<Status>, MarketError> {
    let Some(claim) = claim_store::claim_used_by_in(tx, order_id).await? else {
        return Ok(None);
    };
    let now = tx.now();
    let to = transition(claim.claim(), Action::Recycle, Actor::System, now)
        .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
    let change = Change {
        action: Action::Recycle.as_str(),
        actor: Actor::System.as_str(),
        actor_id: "",
        from: claim.stored.as_str(),
        to: to.as_str(),
        order_id,
        at: now,
    };
    if !claim_store::set_claim_status_in(tx, &claim, to, &change, claim.deducted).await? {
        return Err(MarketError::Conflict(
            "the order's voucher changed meanwhile: try again".into(),
        ));
    }
    Ok(Some(to))
}
