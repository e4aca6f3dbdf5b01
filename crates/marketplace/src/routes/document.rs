//! The OpenAPI 3 document of the marketplace, generated from the handlers' annotations
//! and the wire types (utoipa), served at `/api/marketplace/v1/openapi.json`. A test
//! holds it against the route table in both directions.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, AuthorizationCode, Flow, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use unilogin_core::web::openapi::UniqueOperationIds;

use unilogin_core::domain::resource::{
    MARKETPLACE_BUYER, MARKETPLACE_OPERATOR, MARKETPLACE_SELLER,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "unilogin marketplace",
        version = "1",
        description = "The marketplace resource server. Every route takes `Authorization: \
                       Bearer <unilogin access token>`, verified locally; roles: buyer (any \
                       signed-in user), seller (a user of a merchant tenant), operator \
                       (platform reviewer). The open API `order/query` is signed with \
                       SDK-HMAC-SHA256 instead."
    ),
    paths(
        document,
        crate::http::me::me,
        crate::home::api::todos,
        crate::open_api::access_keys::list,
        crate::open_api::access_keys::create,
        crate::open_api::access_keys::delete,
        crate::selling::api::publish,
        crate::selling::api::modify,
        crate::selling::listing::delist,
        crate::selling::api::my_applications,
        crate::selling::api::my_application,
        crate::selling::api::resubmit,
        crate::selling::api::withdraw,
        crate::selling::api::review_queue,
        crate::selling::api::approve,
        crate::selling::api::reject,
        crate::selling::catalogue::list,
        crate::selling::catalogue::show,
        crate::orders::api::buyer_orders,
        crate::orders::api::place,
        crate::orders::api::buyer_order,
        crate::orders::api::seller_orders,
        crate::orders::api::seller_order,
        crate::open_api::api::order_query,
        crate::kit::apps::list,
        crate::kit::apps::create,
        crate::kit::apps::show,
        crate::kit::apps::update,
        crate::kit::debug_api::generate,
        crate::kit::debug_api::list,
        crate::kit::debug_api::debug_and_save,
        crate::kit::messages::failed,
        crate::kit::messages::retry,
        crate::kit::buyer::list,
        crate::kit::buyer::authorize,
        crate::kit::buyer::remove,
        crate::subscriptions::api::buyer_list,
        crate::subscriptions::api::buyer_show,
        crate::subscriptions::api::seller_list,
        crate::subscriptions::api::seller_show,
        crate::unsubscribe::billing_api::create,
        crate::unsubscribe::billing_api::terms,
        crate::unsubscribe::api::create,
        crate::unsubscribe::api::buyer_list,
        crate::unsubscribe::api::buyer_show,
        crate::unsubscribe::steps_api::withdraw,
        crate::unsubscribe::steps_api::appeal,
        crate::unsubscribe::steps_api::post_return,
        crate::unsubscribe::api::seller_list,
        crate::unsubscribe::api::seller_show,
        crate::unsubscribe::steps_api::seller_approve,
        crate::unsubscribe::steps_api::seller_reject,
        crate::unsubscribe::api::operator_list,
        crate::unsubscribe::api::operator_show,
        crate::unsubscribe::steps_api::operator_approve,
        crate::unsubscribe::steps_api::operator_reject,
        crate::orders::fulfilment::request_invoice,
        crate::orders::fulfilment::ship,
        crate::orders::fulfilment::confirm_receipt,
        crate::workflow::attachments::upload,
        crate::workflow::attachments::download,
        crate::supervision::api::buyer_list,
        crate::supervision::api::buyer_show,
        crate::supervision::api::buyer_step,
        crate::supervision::api::seller_list,
        crate::supervision::api::seller_show,
        crate::supervision::api::seller_step,
        crate::supervision::api::operator_list,
        crate::supervision::api::operator_show,
        crate::supervision::api::operator_step,
        crate::work_orders::api::open,
        crate::work_orders::api::buyer_list,
        crate::work_orders::api::buyer_show,
        crate::work_orders::api::buyer_act,
        crate::work_orders::api::seller_list,
        crate::work_orders::api::seller_show,
        crate::work_orders::api::seller_act,
        crate::work_orders::api::operator_list,
        crate::work_orders::api::operator_show,
        crate::work_orders::api::operator_act,
        crate::inbox::api::list,
        crate::inbox::api::unread_count,
        crate::inbox::api::mark_read,
        crate::inbox::api::mark_all_read,
        crate::vouchers::api::publish,
        crate::vouchers::api::seller_list,
        crate::vouchers::api::seller_show,
        crate::vouchers::api::withdraw,
        crate::vouchers::api::product_vouchers,
        crate::vouchers::api::claim,
        crate::vouchers::api::buyer_list,
        crate::orders::quotes::quote,
        crate::upgrades::api::configure,
        crate::upgrades::api::list,
        crate::upgrades::api::delete,
        crate::discounts::plan_api::partners,
        crate::discounts::plan_api::put_partner,
        crate::discounts::plan_api::remove_partner,
        crate::discounts::plan_api::plan,
        crate::discounts::api::apply,
        crate::discounts::api::effective,
        crate::discounts::api::applications,
        crate::discounts::api::show,
        crate::discounts::api::qr_code,
        crate::discounts::api::withdraw,
        crate::discounts::api::review_queue,
        crate::discounts::api::approve,
        crate::discounts::api::reject,
        crate::discounts::api::offer,
    ),
    modifiers(&SecuritySchemes, &UniqueOperationIds)
)]
pub struct MarketplaceDocument;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scopes = Scopes::from_iter([
            (
                MARKETPLACE_BUYER,
                "buy: the catalogue, placing and reading one's orders",
            ),
            (
                MARKETPLACE_SELLER,
                "sell: products, applications, access keys, the orders of one's products",
            ),
            (
                MARKETPLACE_OPERATOR,
                "operate: the application queue, appealed unsubscribe requests and \
                 supervisions, escalated work orders",
            ),
        ]);
        let mut bearer = OAuth2::new([Flow::AuthorizationCode(
            AuthorizationCode::with_refresh_url(
                unilogin_core::web::paths::AUTHORIZE_PATH,
                unilogin_core::web::paths::TOKEN_PATH,
                scopes,
                unilogin_core::web::paths::TOKEN_PATH,
            ),
        )]);
        bearer.description = Some(
            "A unilogin access token (RFC 9068 JWT) whose aud names the marketplace \
             (UNILOGIN_ISSUER + /api/marketplace) and whose scope covers the route. A token \
             for other audiences, or without the scope, is 403 insufficient_scope; creating \
             an access key also needs a sign-in within 15 minutes (else 403 \
             insufficient_user_authentication)."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::OAuth2(bearer));
        components.add_security_scheme(
            "aksk",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=…, Signature=…; host and \
                 x-sdk-date signed; X-Sdk-Date within 15 minutes",
            ))),
        );
    }
}

/// The document, rendered once.
pub fn json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        MarketplaceDocument::openapi()
            .to_json()
            .expect("the marketplace document serialises")
    })
}

/// This document
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document of this API")),
    security(())
)]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(json())
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::MarketplaceDocument;

    #[test]
    fn the_document_and_the_router_name_the_same_routes() {
        let document = serde_json::to_value(MarketplaceDocument::openapi()).unwrap();
        unilogin_core::web::route_table::assert_documented(&crate::routes(), "", &document);
    }
}
