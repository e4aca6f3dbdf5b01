//! What sellers and buyers do with vouchers, for the API and the console alike.

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::selling::product::ProductContent;
use crate::state::Marketplace;
use crate::store::finish;
use crate::subscriptions::machine::Actor;
use crate::vouchers::claim_store;
use crate::vouchers::claim_store::{ClaimRecord, Claimed};
use crate::vouchers::machine::{offer_transition, Action, OfferState, Refused};
use crate::vouchers::store as vouchers_store;
use crate::vouchers::store::VoucherRecord;
use crate::vouchers::terms::{self, ScopeKind};
use unilogin_core::store::StoreError;

/// The seller publishes a voucher for its own products on sale.
pub async fn publish(
    market: &Marketplace,
    caller: &Caller,
    body: &[u8],
) -> Result<VoucherRecord, MarketError> {
    let merchant = caller.seller()?;
    let now = market.clock.now_unix();
    let terms = terms::parse(body, now)?;
    if terms.scope.kind != ScopeKind::All {
        for item in &terms.scope.items {
            let product = market
                .store
                .product_on_sale(&item.product_id)
                .await?
                .filter(|p| p.tenant_id == merchant.tenant_id)
                .ok_or_else(|| {
                    MarketError::Invalid(format!(
                        "{} is not a product of yours on sale",
                        item.product_id
                    ))
                })?;
            if let Some(sku) = &item.sku_code {
                let content: ProductContent =
                    serde_json::from_str(&product.content).map_err(|_| MarketError::Internal)?;
                if content.spec(sku).is_none() {
                    return Err(MarketError::Invalid(format!(
                        "{} has no SKU {sku}",
                        item.product_id
                    )));
                }
            }
        }
    }
    let record = VoucherRecord {
        id: crate::store::sequence_id("vch", market.clock.now_millis()),
        seller_tenant_id: merchant.tenant_id.clone(),
        terms,
        claimed: 0,
        state: OfferState::Active,
        version: 0,
        created_at: now,
    };
    let mut tx = market.store.begin().await?;
    let result = vouchers_store::insert_voucher_in(&mut tx, &record, &caller.claims.sub)
        .await
        .map_err(MarketError::from);
    finish(tx, result).await?;
    tracing::info!(voucher_id = %record.id, "voucher published");
    Ok(record)
}

/// One of the seller's vouchers, or 404 (another seller's too).
pub async fn own(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<VoucherRecord, MarketError> {
    let merchant = caller.seller()?;
    market
        .store
        .voucher(id)
        .await?
        .filter(|v| v.seller_tenant_id == merchant.tenant_id)
        .ok_or_else(|| MarketError::NotFound("No such voucher of yours".into()))
}

/// The seller stops handing the voucher out; what buyers claimed stays theirs.
pub async fn withdraw(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<VoucherRecord, MarketError> {
    let current = own(market, caller, id).await?;
    let now = market.clock.now_unix();
    let state = offer_transition(current.offer(), Action::Withdraw, Actor::Seller, 0, now)
        .map_err(|refused| MarketError::Conflict(refused.to_string()))?;
    let mut tx = market.store.begin().await?;
    let result = async {
        if vouchers_store::withdraw_voucher_in(&mut tx, &current, &caller.claims.sub, now).await? {
            Ok(())
        } else {
            Err(MarketError::Conflict(
                "the voucher changed meanwhile: look at it and try again".into(),
            ))
        }
    }
    .await;
    finish(tx, result).await?;
    Ok(VoucherRecord {
        state,
        version: current.version + 1,
        ..current
    })
}

/// The buyer claims one of a voucher. Refusals say why: sold out, over the buyer's
/// limit, withdrawn or over.
pub async fn claim(
    market: &Marketplace,
    caller: &Caller,
    voucher_id: &str,
) -> Result<ClaimRecord, MarketError> {
    let buyer = caller.buyer()?;
    if !caller.is_user() {
        return Err(MarketError::Forbidden(
            "vouchers are claimed by people".into(),
        ));
    }
    let offered = market
        .store
        .voucher(voucher_id)
        .await?
        .ok_or_else(|| MarketError::NotFound("No such voucher".into()))?;
    if offered.seller_tenant_id == caller.claims.tenant {
        return Err(MarketError::Conflict(
            "a voucher of your own tenant is for your buyers".into(),
        ));
    }
    let now = market.clock.now_unix();
    let mut tx = market.store.begin().await?;
    let result = match claim_store::claim_voucher_in(
        &mut tx,
        voucher_id,
        (buyer, &caller.claims.tenant),
        now,
    )
    .await
    {
        Ok(Claimed::Taken(claim)) => Ok(claim),
        Ok(Claimed::Held(held)) => Err(refused(Refused::BuyerLimit(held))),
        Ok(Claimed::NotOffered(now_offered)) => {
            // Why, from the voucher as it is now (a sellout since it was read included).
            let now_offered = now_offered.unwrap_or(offered);
            let why = offer_transition(now_offered.offer(), Action::Claim, Actor::Buyer, 0, now)
                .err()
                .unwrap_or(Refused::SoldOut);
            Err(refused(why))
        }
        Err(StoreError::Conflict) => Err(MarketError::Conflict(
            "another claim of yours for this voucher ran at the same time: look at your \
             vouchers"
                .into(),
        )),
        Err(other) => Err(other.into()),
    };
    let claim = finish(tx, result).await?;
    tracing::info!(coupon_id = %claim.id, voucher_id, "voucher claimed");
    Ok(claim)
}

fn refused(refused: Refused) -> MarketError {
    MarketError::Conflict(refused.to_string())
}

/// A voucher on a product page: whether the caller may claim one more.
pub struct OnOffer {
    pub voucher: VoucherRecord,
    pub held: i64,
    pub claimable: bool,
}

/// The seller's vouchers that apply to some SKU of the product and are still handed
/// out, with how many the caller holds.
pub async fn on_offer(
    market: &Marketplace,
    caller: &Caller,
    product_id: &str,
    seller_tenant_id: &str,
) -> Result<Vec<OnOffer>, MarketError> {
    let now = market.clock.now_unix();
    let held = market.store.held_by(&caller.claims.sub).await?;
    let own = seller_tenant_id == caller.claims.tenant;
    Ok(market
        .store
        .claimable_vouchers(seller_tenant_id, now)
        .await?
        .into_iter()
        .filter(|v| v.terms.scope.touches(product_id))
        .map(|voucher| {
            let held = held
                .iter()
                .find(|(id, _)| *id == voucher.id)
                .map_or(0, |(_, n)| *n);
            let claimable = !own
                && caller.is_user()
                && offer_transition(voucher.offer(), Action::Claim, Actor::Buyer, held, now)
                    .is_ok();
            OnOffer {
                voucher,
                held,
                claimable,
            }
        })
        .collect())
}
