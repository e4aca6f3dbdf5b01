//! The OpenAPI 3 document of the marketplace, generated from the handlers' annotations
//! and the wire types (utoipa), served at `/api/marketplace/v1/openapi.json`. A test
//! holds it against the route table in both directions.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, AuthorizationCode, Flow, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use crate::domain::resource::{MARKETPLACE_BUYER, MARKETPLACE_OPERATOR, MARKETPLACE_SELLER};

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
        super::me,
        super::access_keys::list,
        super::access_keys::create,
        super::access_keys::delete,
        super::review::publish,
        super::review::modify,
        super::listing::delist,
        super::review::my_applications,
        super::review::my_application,
        super::review::resubmit,
        super::review::withdraw,
        super::review::review_queue,
        super::review::approve,
        super::review::reject,
        super::catalogue::list,
        super::catalogue::show,
        super::orders::buyer_orders,
        super::orders::place,
        super::orders::buyer_order,
        super::orders::seller_orders,
        super::orders::seller_order,
        super::openapi::order_query,
        super::kit::apps::list,
        super::kit::apps::create,
        super::kit::apps::show,
        super::kit::apps::update,
        super::kit::debug_api::generate,
        super::kit::debug_api::list,
        super::kit::debug_api::debug_and_save,
        super::kit::messages::failed,
        super::kit::messages::retry,
        super::kit::buyer::list,
        super::kit::buyer::authorize,
        super::kit::buyer::remove,
        super::subscriptions_api::buyer_list,
        super::subscriptions_api::buyer_show,
        super::subscriptions_api::seller_list,
        super::subscriptions_api::seller_show,
        super::unsubscribe_api::create,
        super::unsubscribe_api::buyer_list,
        super::unsubscribe_api::buyer_show,
        super::unsubscribe_steps_api::withdraw,
        super::unsubscribe_steps_api::appeal,
        super::unsubscribe_steps_api::post_return,
        super::unsubscribe_api::seller_list,
        super::unsubscribe_api::seller_show,
        super::unsubscribe_steps_api::seller_approve,
        super::unsubscribe_steps_api::seller_reject,
        super::unsubscribe_api::operator_list,
        super::unsubscribe_api::operator_show,
        super::unsubscribe_steps_api::operator_approve,
        super::unsubscribe_steps_api::operator_reject,
        super::fulfilment::request_invoice,
        super::fulfilment::ship,
        super::fulfilment::confirm_receipt,
        super::attachments::upload,
        super::attachments::download,
        super::supervision::api::buyer_list,
        super::supervision::api::buyer_show,
        super::supervision::api::buyer_step,
        super::supervision::api::seller_list,
        super::supervision::api::seller_show,
        super::supervision::api::seller_step,
        super::supervision::api::operator_list,
        super::supervision::api::operator_show,
        super::supervision::api::operator_step,
        super::work_orders::api::open,
        super::work_orders::api::buyer_list,
        super::work_orders::api::buyer_show,
        super::work_orders::api::buyer_act,
        super::work_orders::api::seller_list,
        super::work_orders::api::seller_show,
        super::work_orders::api::seller_act,
        super::work_orders::api::operator_list,
        super::work_orders::api::operator_show,
        super::work_orders::api::operator_act,
        super::inbox::api::list,
        super::inbox::api::unread_count,
        super::inbox::api::mark_read,
        super::inbox::api::mark_all_read,
        super::vouchers::api::publish,
        super::vouchers::api::seller_list,
        super::vouchers::api::seller_show,
        super::vouchers::api::withdraw,
        super::vouchers::api::product_vouchers,
        super::vouchers::api::claim,
        super::vouchers::api::buyer_list,
        super::quotes::quote,
        super::upgrades::api::configure,
        super::upgrades::api::list,
        super::upgrades::api::delete,
        super::discounts::plan_api::partners,
        super::discounts::plan_api::put_partner,
        super::discounts::plan_api::remove_partner,
        super::discounts::plan_api::plan,
        super::discounts::api::apply,
        super::discounts::api::effective,
        super::discounts::api::applications,
        super::discounts::api::show,
        super::discounts::api::qr_code,
        super::discounts::api::withdraw,
        super::discounts::api::review_queue,
        super::discounts::api::approve,
        super::discounts::api::reject,
        super::discounts::api::offer,
    ),
    modifiers(&SecuritySchemes)
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
                crate::web::paths::AUTHORIZE_PATH,
                crate::web::paths::TOKEN_PATH,
                scopes,
                crate::web::paths::TOKEN_PATH,
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
        crate::web::route_table::assert_documented(&super::super::routes(), "", &document);
    }
}
