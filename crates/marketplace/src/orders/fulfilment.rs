//! What happens to an order after it is placed, beyond its subscription: the buyer
//! requests an invoice (which ends the 5-day no-reason refund and fails a pending
//! unsubscribe request, §5.7), the seller ships hardware and the buyer confirms receipt
//! (in between, the item is in transit).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::parsed;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::orders::fulfilment_store::{self, Shipment};
use crate::orders::store::OrderRecord;
use crate::state::Marketplace;
use crate::unsubscribe::machine::{Action, Actor};
use crate::unsubscribe::service as unsubscribing;
use unilogin_core::store::StoreError;

pub use crate::http::request::{prose_field, text_field};

pub async fn buyers_order(
    caller: &Caller,
    market: &Marketplace,
    id: &str,
) -> Result<OrderRecord, MarketError> {
    let buyer = caller.buyer()?;
    market
        .store
        .order(id)
        .await?
        .filter(|o| o.buyer_user_id == buyer)
        .ok_or_else(|| MarketError::NotFound("No such order of yours".into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"title": "上海示例科技有限公司", "taxId": "91310000MA1FL8XX3X"}))]
pub struct InvoiceRequest {
    /// The invoice's title (the buyer's company or name), 1 to 100 characters.
    title: String,
    /// The buyer's taxpayer id, 1 to 30 characters.
    tax_id: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceView {
    order_id: String,
    /// The unsubscribe request this invoice made fail, if one was pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_unsubscribe_request: Option<String>,
}

/// Request an invoice for one of my orders. A pending unsubscribe request of it fails, and no 5-day no-reason refund is possible after
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/orders/{orderId}/invoice",
    tag = "orders",
    params(("orderId" = String, Path)),
    request_body = InvoiceRequest,
    responses((status = 201, description = "Requested", body = InvoiceView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: requested already, or nothing to invoice", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn request_invoice(
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let order_id = path.into_inner();
    buyers_order(&caller, &market, &order_id).await?;
    let raw: InvoiceRequest = parsed(&req, &body, "invoice")?;
    let failed = request_invoice_for(&market, &caller, &order_id, &raw.title, &raw.tax_id).await?;
    Ok(HttpResponse::Created().json(InvoiceView {
        order_id,
        failed_unsubscribe_request: failed,
    }))
}

/// The calling buyer requests an invoice for one of their orders; returns the pending
/// unsubscribe request it made fail, if any.
pub async fn request_invoice_for(
    market: &Marketplace,
    caller: &Caller,
    order_id: &str,
    title: &str,
    tax_id: &str,
) -> Result<Option<String>, MarketError> {
    let order = buyers_order(caller, market, order_id).await?;
    let title = text_field(title, "title", 100)?;
    let tax_id = text_field(tax_id, "taxId", 30)?;
    if order.amount == 0 {
        return Err(MarketError::Conflict(
            "this order cost nothing: there is nothing to invoice".into(),
        ));
    }
    invoice(market, &order, &title, &tax_id).await
}

/// The invoice request and the failure of a pending unsubscribe request, in one
/// transaction; returns the failed request's id.
async fn invoice(
    market: &Marketplace,
    order: &OrderRecord,
    title: &str,
    tax_id: &str,
) -> Result<Option<String>, MarketError> {
    let pending = match market.store.subscription_of_order(&order.id).await? {
        Some(subscription) => market
            .store
            .open_unsubscribe_request(&subscription.id)
            .await?
            .filter(|r| {
                r.order_id == order.id
                    && !matches!(
                        r.request.state,
                        crate::unsubscribe::machine::State::AwaitingReturn
                    )
            }),
        None => None,
    };
    let mut tx = market.store.begin().await?;
    let result = async {
        match fulfilment_store::insert_invoice_request_in(&mut tx, order, title, tax_id).await {
            Err(StoreError::Conflict) => {
                return Err(MarketError::Conflict(
                    "an invoice was requested for this order already".into(),
                ))
            }
            other => other?,
        }
        if let Some(request) = &pending {
            let step = crate::unsubscribe::store::Step {
                action: Action::InvoiceRequested,
                actor: Actor::System,
                actor_id: "",
                comment: "an invoice was requested for the order",
                attachments: &[],
            };
            let stepped = unsubscribing::apply_in(&mut tx, request, &step, None).await?;
            return Ok(stepped.notices);
        }
        Ok(Vec::new())
    }
    .await;
    match result {
        Ok(notices) => {
            tx.commit().await?;
            market.channels.forward(&notices).await;
            Ok(pending.map(|r| r.id))
        }
        Err(err) => {
            let _ = tx.rollback().await;
            Err(err)
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"carrier": "SF Express", "trackingNumber": "SF1234567890123"}))]
pub struct ShipmentRequest {
    carrier: String,
    tracking_number: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Shipment)]
pub struct ShipmentView {
    carrier: String,
    tracking_number: String,
    shipped_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    received_at: Option<i64>,
}

impl From<Shipment> for ShipmentView {
    fn from(s: Shipment) -> Self {
        Self {
            carrier: s.carrier,
            tracking_number: s.tracking_number,
            shipped_at: s.shipped_at,
            received_at: s.received_at,
        }
    }
}

/// Ship a hardware order of my products: it is in transit until the buyer confirms receipt
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/orders/{orderId}/shipment",
    tag = "orders",
    params(("orderId" = String, Path)),
    request_body = ShipmentRequest,
    responses((status = 201, description = "Shipped", body = ShipmentView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not hardware, or shipped already", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn ship(
    Seller { caller, .. }: Seller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let raw: ShipmentRequest = parsed(&req, &body, "shipment")?;
    let order_id = path.into_inner();
    let shipment = ship_order(
        &market,
        &caller,
        &order_id,
        &raw.carrier,
        &raw.tracking_number,
    )
    .await?;
    Ok(HttpResponse::Created().json(ShipmentView::from(shipment)))
}

/// The calling seller ships a new hardware order of its products.
pub async fn ship_order(
    market: &Marketplace,
    caller: &Caller,
    order_id: &str,
    carrier: &str,
    tracking_number: &str,
) -> Result<Shipment, MarketError> {
    let seller = caller.seller()?.tenant_id.clone();
    let order = market
        .store
        .order(order_id)
        .await?
        .filter(|o| o.seller_tenant_id == seller)
        .ok_or_else(|| MarketError::NotFound("No such order".into()))?;
    let shipment = Shipment {
        carrier: text_field(carrier, "carrier", 60)?,
        tracking_number: text_field(tracking_number, "trackingNumber", 60)?,
        shipped_at: market.clock.now_unix(),
        received_at: None,
    };
    if order.shipping.is_none() || order.order_type != "NEW" {
        return Err(MarketError::Conflict(
            "only a new hardware order is shipped".into(),
        ));
    }
    match market.store.insert_shipment(&order.id, &shipment).await {
        Err(StoreError::Conflict) => Err(MarketError::Conflict(
            "this order was shipped already".into(),
        )),
        Err(err) => Err(err.into()),
        Ok(()) => Ok(shipment),
    }
}

/// Confirm that a shipped order of mine arrived
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/buyer/orders/{orderId}/receipt",
    tag = "orders",
    params(("orderId" = String, Path)),
    responses((status = 200, description = "Received", body = ShipmentView), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody), (status = 409, description = "conflict: not in transit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.buyer"]))
)]
pub async fn confirm_receipt(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let shipment = confirm_receipt_for(&market, &caller, &path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ShipmentView::from(shipment)))
}

/// The calling buyer confirms that a shipped order arrived.
pub async fn confirm_receipt_for(
    market: &Marketplace,
    caller: &Caller,
    order_id: &str,
) -> Result<Shipment, MarketError> {
    let order = buyers_order(caller, market, order_id).await?;
    if !market.store.receive_shipment(&order.id).await? {
        return Err(MarketError::Conflict("this order is not in transit".into()));
    }
    market
        .store
        .shipment(&order.id)
        .await?
        .ok_or(MarketError::Internal)
}
