//! The commerce pages: vouchers (buyers claim and keep them, sellers publish them),
//! exclusive discounts (partners apply and share links, operators keep the plan and
//! review), and sellers' upgrade rules.

pub mod discounts;
pub mod plan;
pub mod rate;
pub mod texts;
pub mod upgrades;
pub mod vouchers;

use actix_web::web;

use super::texts::MarketTexts;
use crate::marketplace::vouchers::store::VoucherRecord;
use crate::marketplace::vouchers::terms::ScopeKind;
use texts::CommerceTexts;

pub fn routes(cfg: &mut web::ServiceConfig) {
    vouchers::routes(cfg);
    discounts::routes(cfg);
    plan::routes(cfg);
    upgrades::routes(cfg);
}

/// The commerce words in the language of `t`.
pub fn words(t: &MarketTexts) -> &'static CommerceTexts {
    let lang = if t.html_lang == "en" {
        crate::web::Lang::En
    } else {
        crate::web::Lang::Zh
    };
    texts::texts(lang)
}

/// "¥20.00 off, from ¥100.00" in the page's words.
pub fn coupon_label(ct: &CommerceTexts, v: &VoucherRecord) -> String {
    let t = &v.terms;
    let threshold = if t.minimum_spend == 0 {
        ct.no_minimum.to_owned()
    } else {
        texts::fill(ct.spend_from, &super::money(&t.minimum_spend))
    };
    format!(
        "{} · {} · {}",
        t.name,
        super::money(&t.face_value),
        threshold
    )
}

/// The words for a voucher's scope.
pub fn scope_label(ct: &CommerceTexts, v: &VoucherRecord) -> String {
    let kind = match v.terms.scope.kind {
        ScopeKind::All => return ct.scope_all.to_owned(),
        ScopeKind::Products => ct.scope_products,
        ScopeKind::Skus => ct.scope_skus,
    };
    let items: Vec<String> = v
        .terms
        .scope
        .items
        .iter()
        .map(|i| match &i.sku_code {
            Some(sku) => format!("{}/{sku}", i.product_id),
            None => i.product_id.clone(),
        })
        .collect();
    format!("{kind}: {}", items.join(", "))
}

/// `yyyy-MM-dd – yyyy-MM-dd` of a voucher's validity.
pub fn validity(v: &VoucherRecord) -> String {
    use crate::marketplace::vouchers::api::day;
    format!(
        "{} – {}",
        day(v.terms.valid_from),
        day(v.terms.valid_until - 1)
    )
}
