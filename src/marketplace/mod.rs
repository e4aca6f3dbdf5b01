//! The marketplace: a resource server that trusts only unilogin tokens (verified locally
//! through the shared `AccessVerifier`) and AK/SK signatures. It never reads passwords
//! or session cookies, and keeps its own tables (`mkt_*`).

pub mod access_keys;
mod api_document;
pub mod application_queries;
pub mod applications;
pub mod attachments;
pub mod caller;
pub mod catalogue;
pub mod discounts;
mod error;
pub mod fulfilment;
pub mod inbox;
pub mod kit;
pub mod listing;
pub mod openapi;
pub(crate) mod order_request;
pub(crate) mod order_store;
pub mod orders;
pub mod pricing;
pub mod product;
pub mod product_store;
pub mod quotes;
mod request;
pub mod review;
pub mod schema;
pub mod sealing;
pub mod signing;
pub mod store;
mod subscribing;
pub mod subscription;
pub mod subscription_clock;
pub(crate) mod subscription_store;
pub mod subscriptions_api;
pub mod supervision;
pub mod unsubscribe;
pub mod unsubscribe_api;
pub mod unsubscribe_rules;
mod unsubscribe_steps_api;
pub(crate) mod unsubscribe_store;
pub mod unsubscribing;
pub mod upgrades;
pub mod vouchers;
pub mod work_orders;

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

pub use caller::{Caller, Role};
pub use error::MarketError;
use sealing::Sealer;
use store::MarketStore;

use crate::route_table::{entry, RouteEntry};
use crate::store::ephemeral::FailureLock;
use crate::tokens::AccessVerifier;

pub const BASE_PATH: &str = "/api/marketplace/v1";

/// Everything the marketplace's handlers share.
pub struct Marketplace {
    pub store: MarketStore,
    /// Our identifier as a resource server: tokens must name it in `aud`.
    pub audience: String,
    pub clock: crate::clock::Clock,
    pub access: Arc<AccessVerifier>,
    pub sealer: Sealer,
    /// Five bad signatures in a row from one address lock that access key there for five
    /// minutes.
    pub signature_lock: FailureLock,
    /// Per-tenant registrations of joint-operation apps, through the admin service.
    pub admin: Arc<crate::admin::AdminService>,
    /// The one client for sellers' production URLs.
    pub outbound: Arc<crate::outbound::Outbound>,
    /// The calls to sellers' production URLs.
    pub outbox: kit::outbox::Outbox,
    /// Where in-site messages also go (e-mail, SMS), after their change commits.
    pub channels: inbox::Channels,
}

/// Every route the marketplace serves (full paths). The router is built from this table,
/// and a test holds the generated OpenAPI document against it in both directions.
pub fn routes() -> Vec<RouteEntry> {
    use Method as M;
    vec![
        entry(openapi::ORDER_QUERY_PATH, M::GET, openapi::order_query),
        entry(
            "/api/marketplace/v1/openapi.json",
            M::GET,
            api_document::document,
        ),
        entry("/api/marketplace/v1/me", M::GET, me),
        entry(
            "/api/marketplace/v1/seller/access-keys",
            M::GET,
            access_keys::list,
        ),
        entry(
            "/api/marketplace/v1/seller/access-keys",
            M::POST,
            access_keys::create,
        ),
        entry(
            "/api/marketplace/v1/seller/access-keys/{accessKey}",
            M::DELETE,
            access_keys::delete,
        ),
        entry(
            "/api/marketplace/v1/seller/products",
            M::POST,
            review::publish,
        ),
        entry(
            "/api/marketplace/v1/seller/products/{productId}",
            M::PUT,
            review::modify,
        ),
        entry(
            "/api/marketplace/v1/seller/products/{productId}/delist",
            M::POST,
            listing::delist,
        ),
        entry(
            "/api/marketplace/v1/seller/applications",
            M::GET,
            review::my_applications,
        ),
        entry(
            "/api/marketplace/v1/seller/applications/{applicationId}",
            M::GET,
            review::my_application,
        ),
        entry(
            "/api/marketplace/v1/seller/applications/{applicationId}",
            M::PUT,
            review::resubmit,
        ),
        entry(
            "/api/marketplace/v1/seller/applications/{applicationId}/withdraw",
            M::POST,
            review::withdraw,
        ),
        entry(
            "/api/marketplace/v1/operator/applications",
            M::GET,
            review::review_queue,
        ),
        entry(
            "/api/marketplace/v1/operator/applications/{applicationId}/approve",
            M::POST,
            review::approve,
        ),
        entry(
            "/api/marketplace/v1/operator/applications/{applicationId}/reject",
            M::POST,
            review::reject,
        ),
        entry(
            "/api/marketplace/v1/buyer/orders",
            M::GET,
            orders::buyer_orders,
        ),
        entry("/api/marketplace/v1/buyer/orders", M::POST, orders::place),
        entry(
            "/api/marketplace/v1/buyer/orders/{orderId}",
            M::GET,
            orders::buyer_order,
        ),
        entry(
            "/api/marketplace/v1/seller/orders",
            M::GET,
            orders::seller_orders,
        ),
        entry(
            "/api/marketplace/v1/seller/orders/{orderId}",
            M::GET,
            orders::seller_order,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps",
            M::GET,
            kit::apps::list,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps",
            M::POST,
            kit::apps::create,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}/debug-requests",
            M::POST,
            kit::debug_api::generate,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}/debug-cases",
            M::GET,
            kit::debug_api::list,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}/debug-cases",
            M::POST,
            kit::debug_api::debug_and_save,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/messages",
            M::GET,
            kit::messages::failed,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/messages/{messageId}/retry",
            M::POST,
            kit::messages::retry,
        ),
        entry(
            "/api/marketplace/v1/buyer/kit/instances",
            M::GET,
            kit::buyer::list,
        ),
        entry(
            "/api/marketplace/v1/buyer/kit/instances/{instanceId}/users/{userId}",
            M::PUT,
            kit::buyer::authorize,
        ),
        entry(
            "/api/marketplace/v1/buyer/kit/instances/{instanceId}/users/{userId}",
            M::DELETE,
            kit::buyer::remove,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}",
            M::GET,
            kit::apps::show,
        ),
        entry(
            "/api/marketplace/v1/seller/kit/apps/{appId}",
            M::PUT,
            kit::apps::update,
        ),
        entry(
            "/api/marketplace/v1/buyer/subscriptions",
            M::GET,
            subscriptions_api::buyer_list,
        ),
        entry(
            "/api/marketplace/v1/buyer/subscriptions/{subscriptionId}",
            M::GET,
            subscriptions_api::buyer_show,
        ),
        entry(
            "/api/marketplace/v1/seller/subscriptions",
            M::GET,
            subscriptions_api::seller_list,
        ),
        entry(
            "/api/marketplace/v1/seller/subscriptions/{subscriptionId}",
            M::GET,
            subscriptions_api::seller_show,
        ),
        entry(
            "/api/marketplace/v1/buyer/unsubscribe-requests",
            M::POST,
            unsubscribe_api::create,
        ),
        entry(
            "/api/marketplace/v1/buyer/unsubscribe-requests",
            M::GET,
            unsubscribe_api::buyer_list,
        ),
        entry(
            "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}",
            M::GET,
            unsubscribe_api::buyer_show,
        ),
        entry(
            "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}/withdraw",
            M::POST,
            unsubscribe_steps_api::withdraw,
        ),
        entry(
            "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}/appeal",
            M::POST,
            unsubscribe_steps_api::appeal,
        ),
        entry(
            "/api/marketplace/v1/buyer/unsubscribe-requests/{requestId}/return",
            M::POST,
            unsubscribe_steps_api::post_return,
        ),
        entry(
            "/api/marketplace/v1/seller/unsubscribe-requests",
            M::GET,
            unsubscribe_api::seller_list,
        ),
        entry(
            "/api/marketplace/v1/seller/unsubscribe-requests/{requestId}",
            M::GET,
            unsubscribe_api::seller_show,
        ),
        entry(
            "/api/marketplace/v1/seller/unsubscribe-requests/{requestId}/approve",
            M::POST,
            unsubscribe_steps_api::seller_approve,
        ),
        entry(
            "/api/marketplace/v1/seller/unsubscribe-requests/{requestId}/reject",
            M::POST,
            unsubscribe_steps_api::seller_reject,
        ),
        entry(
            "/api/marketplace/v1/operator/unsubscribe-requests",
            M::GET,
            unsubscribe_api::operator_list,
        ),
        entry(
            "/api/marketplace/v1/operator/unsubscribe-requests/{requestId}",
            M::GET,
            unsubscribe_api::operator_show,
        ),
        entry(
            "/api/marketplace/v1/operator/unsubscribe-requests/{requestId}/approve",
            M::POST,
            unsubscribe_steps_api::operator_approve,
        ),
        entry(
            "/api/marketplace/v1/operator/unsubscribe-requests/{requestId}/reject",
            M::POST,
            unsubscribe_steps_api::operator_reject,
        ),
        entry(
            "/api/marketplace/v1/buyer/orders/{orderId}/invoice",
            M::POST,
            fulfilment::request_invoice,
        ),
        entry(
            "/api/marketplace/v1/buyer/orders/{orderId}/receipt",
            M::POST,
            fulfilment::confirm_receipt,
        ),
        entry(
            "/api/marketplace/v1/seller/orders/{orderId}/shipment",
            M::POST,
            fulfilment::ship,
        ),
        entry(
            "/api/marketplace/v1/attachments",
            M::POST,
            attachments::upload,
        ),
        entry(
            "/api/marketplace/v1/attachments/{attachmentId}",
            M::GET,
            attachments::download,
        ),
        entry(
            "/api/marketplace/v1/buyer/supervisions",
            M::GET,
            supervision::api::buyer_list,
        ),
        entry(
            "/api/marketplace/v1/buyer/supervisions/{supervisionId}",
            M::GET,
            supervision::api::buyer_show,
        ),
        entry(
            "/api/marketplace/v1/buyer/supervisions/{supervisionId}/steps",
            M::POST,
            supervision::api::buyer_step,
        ),
        entry(
            "/api/marketplace/v1/seller/supervisions",
            M::GET,
            supervision::api::seller_list,
        ),
        entry(
            "/api/marketplace/v1/seller/supervisions/{supervisionId}",
            M::GET,
            supervision::api::seller_show,
        ),
        entry(
            "/api/marketplace/v1/seller/supervisions/{supervisionId}/steps",
            M::POST,
            supervision::api::seller_step,
        ),
        entry(
            "/api/marketplace/v1/operator/supervisions",
            M::GET,
            supervision::api::operator_list,
        ),
        entry(
            "/api/marketplace/v1/operator/supervisions/{supervisionId}",
            M::GET,
            supervision::api::operator_show,
        ),
        entry(
            "/api/marketplace/v1/operator/supervisions/{supervisionId}/steps",
            M::POST,
            supervision::api::operator_step,
        ),
        entry(
            "/api/marketplace/v1/buyer/work-orders",
            M::POST,
            work_orders::api::open,
        ),
        entry(
            "/api/marketplace/v1/buyer/work-orders",
            M::GET,
            work_orders::api::buyer_list,
        ),
        entry(
            "/api/marketplace/v1/buyer/work-orders/{workOrderId}",
            M::GET,
            work_orders::api::buyer_show,
        ),
        entry(
            "/api/marketplace/v1/buyer/work-orders/{workOrderId}/actions",
            M::POST,
            work_orders::api::buyer_act,
        ),
        entry(
            "/api/marketplace/v1/seller/work-orders",
            M::GET,
            work_orders::api::seller_list,
        ),
        entry(
            "/api/marketplace/v1/seller/work-orders/{workOrderId}",
            M::GET,
            work_orders::api::seller_show,
        ),
        entry(
            "/api/marketplace/v1/seller/work-orders/{workOrderId}/actions",
            M::POST,
            work_orders::api::seller_act,
        ),
        entry(
            "/api/marketplace/v1/operator/work-orders",
            M::GET,
            work_orders::api::operator_list,
        ),
        entry(
            "/api/marketplace/v1/operator/work-orders/{workOrderId}",
            M::GET,
            work_orders::api::operator_show,
        ),
        entry(
            "/api/marketplace/v1/operator/work-orders/{workOrderId}/actions",
            M::POST,
            work_orders::api::operator_act,
        ),
        entry("/api/marketplace/v1/inbox", M::GET, inbox::api::list),
        entry(
            "/api/marketplace/v1/inbox/unread-count",
            M::GET,
            inbox::api::unread_count,
        ),
        entry(
            "/api/marketplace/v1/inbox/read-all",
            M::POST,
            inbox::api::mark_all_read,
        ),
        entry(
            "/api/marketplace/v1/inbox/{messageId}/read",
            M::POST,
            inbox::api::mark_read,
        ),
        entry(
            "/api/marketplace/v1/seller/vouchers",
            M::POST,
            vouchers::api::publish,
        ),
        entry(
            "/api/marketplace/v1/seller/vouchers",
            M::GET,
            vouchers::api::seller_list,
        ),
        entry(
            "/api/marketplace/v1/seller/vouchers/{voucherId}",
            M::GET,
            vouchers::api::seller_show,
        ),
        entry(
            "/api/marketplace/v1/seller/vouchers/{voucherId}/withdraw",
            M::POST,
            vouchers::api::withdraw,
        ),
        entry(
            "/api/marketplace/v1/products/{productId}/vouchers",
            M::GET,
            vouchers::api::product_vouchers,
        ),
        entry(
            "/api/marketplace/v1/buyer/vouchers",
            M::POST,
            vouchers::api::claim,
        ),
        entry(
            "/api/marketplace/v1/buyer/vouchers",
            M::GET,
            vouchers::api::buyer_list,
        ),
        entry("/api/marketplace/v1/buyer/quotes", M::POST, quotes::quote),
        entry(
            "/api/marketplace/v1/seller/upgrade-rules",
            M::POST,
            upgrades::api::configure,
        ),
        entry(
            "/api/marketplace/v1/seller/upgrade-rules",
            M::GET,
            upgrades::api::list,
        ),
        entry(
            "/api/marketplace/v1/seller/upgrade-rules/{ruleId}",
            M::DELETE,
            upgrades::api::delete,
        ),
        entry(
            "/api/marketplace/v1/operator/partners",
            M::GET,
            discounts::api::partners,
        ),
        entry(
            "/api/marketplace/v1/operator/partners/{tenantId}",
            M::PUT,
            discounts::api::put_partner,
        ),
        entry(
            "/api/marketplace/v1/operator/partners/{tenantId}",
            M::DELETE,
            discounts::api::remove_partner,
        ),
        entry(
            "/api/marketplace/v1/partner/plan",
            M::GET,
            discounts::api::plan,
        ),
        entry(
            "/api/marketplace/v1/partner/discounts",
            M::POST,
            discounts::api::apply,
        ),
        entry(
            "/api/marketplace/v1/partner/discounts",
            M::GET,
            discounts::api::effective,
        ),
        entry(
            "/api/marketplace/v1/partner/discount-applications",
            M::GET,
            discounts::api::applications,
        ),
        entry(
            "/api/marketplace/v1/partner/discounts/{discountId}",
            M::GET,
            discounts::api::show,
        ),
        entry(
            "/api/marketplace/v1/partner/discounts/{discountId}/qr.svg",
            M::GET,
            discounts::api::qr_code,
        ),
        entry(
            "/api/marketplace/v1/partner/discounts/{discountId}/withdraw",
            M::POST,
            discounts::api::withdraw,
        ),
        entry(
            "/api/marketplace/v1/operator/discounts",
            M::GET,
            discounts::api::review_queue,
        ),
        entry(
            "/api/marketplace/v1/operator/discounts/{discountId}/approve",
            M::POST,
            discounts::api::approve,
        ),
        entry(
            "/api/marketplace/v1/operator/discounts/{discountId}/reject",
            M::POST,
            discounts::api::reject,
        ),
        entry(
            "/api/marketplace/v1/buyer/discounts/{token}",
            M::GET,
            discounts::api::offer,
        ),
        entry("/api/marketplace/v1/products", M::GET, catalogue::list),
        entry(
            "/api/marketplace/v1/products/{productId}",
            M::GET,
            catalogue::show,
        ),
    ]
}

/// Registers every marketplace route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for resource in crate::route_table::resources(routes(), endpoint) {
        cfg.service(resource);
    }
}

/// A route whose other methods answer 405 with a JSON error.
fn endpoint(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(serde_json::json!({
        "error": "method_not_allowed",
        "error_description": "HTTP method not allowed for this endpoint",
    }))
}

/// Who the token says the caller is, and their roles here.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Me)]
struct MeView<'a> {
    /// Absent for a client-credentials token.
    user_id: Option<&'a str>,
    client_id: &'a str,
    tenant: Option<&'a str>,
    merchant_name: Option<&'a str>,
    roles: Vec<Role>,
}

/// Who the token says the caller is, and their roles here
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/me",
    tag = "caller",
    responses((status = 200, description = "The caller", body = MeView), schema::Refusals),
    security(("bearer" = []))
)]
pub async fn me(
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let caller = caller::Caller::identify(&req, &market).await?;
    Ok(HttpResponse::Ok().json(MeView {
        user_id: caller.is_user().then_some(caller.claims.sub.as_str()),
        client_id: &caller.claims.client_id,
        tenant: caller.is_user().then_some(caller.claims.tenant.as_str()),
        merchant_name: caller.merchant.as_ref().map(|m| m.name.as_str()),
        roles: caller.roles(),
    }))
}
