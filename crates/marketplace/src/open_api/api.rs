//! The signed open API for sellers' servers: `GET
//! /api/mkp-openapi-public/global/v1/order/query?orderId=…[&orderLineId=…]`, verified with
//! `SDK-HMAC-SHA256` and answered in the upstream shape (`resultCode`, `resultMsg`,
//! `orderInfo`). The nine `MOCK…` order ids answer every seller with a fixed sample of
//! their scenario, so an integration can be tested before the first sale.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{json, Value};

use crate::open_api::signed::{GatewayError, Signed};
use crate::orders::store::OrderRecord;
use crate::state::Marketplace;

pub const ORDER_QUERY_PATH: &str = "/api/mkp-openapi-public/global/v1/order/query";

/// The marketplace's answer in the upstream shape.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct OrderQueryResult<'a> {
    /// MKT.0000 success, MKT.0101 invalid parameter, MKT.0150 not this seller's order,
    /// MKT.0999 internal error.
    result_code: &'a str,
    result_msg: &'a str,
    /// orderId, orderType, createTime (yyyyMMddHHmmss), orderLine[], buyerInfo.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    order_info: Option<Value>,
}

fn result(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(OrderQueryResult {
        result_code: code,
        result_msg: message,
        order_info: None,
    })
}

/// Query an order (AK/SK signed, SDK-HMAC-SHA256). The MOCK… debug order ids answer every seller.
#[utoipa::path(
    get,
    path = "/api/mkp-openapi-public/global/v1/order/query",
    tag = "open API",
    params(
        ("orderId" = String, Query, max_length = 64),
        ("orderLineId" = Option<String>, Query, max_length = 64)
    ),
    responses(
        (status = 200, description = "MKT.0000", body = OrderQueryResult),
        (status = 400, description = "MKT.0101 invalid parameter", body = OrderQueryResult),
        (status = 401, description = "APIGW.0301 bad signature, or MKT.0150 not this seller's order", body = GatewayError),
        (status = 500, description = "MKT.0999", body = OrderQueryResult),
        (status = 503, description = "APIGW.0500", body = GatewayError)
    ),
    security(("aksk" = []))
)]
pub async fn order_query(
    Signed { tenant, .. }: Signed,
    req: HttpRequest,
    market: web::Data<Marketplace>,
) -> HttpResponse {
    let invalid = |message: &str| result(StatusCode::BAD_REQUEST, "MKT.0101", message);
    let mut order_id = None;
    let mut line_id = None;
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let slot = match key.as_ref() {
            "orderId" => &mut order_id,
            "orderLineId" => &mut line_id,
            other => return invalid(&format!("Invalid parameter: unknown {other}")),
        };
        if value.is_empty() || value.len() > 64 || slot.replace(value.into_owned()).is_some() {
            return invalid(&format!("Invalid parameter: {key}"));
        }
    }
    let Some(order_id) = order_id else {
        return invalid("Invalid parameter: orderId is required");
    };
    let info = match mock_order(&order_id) {
        Some(mock) => mock,
        None => match market.store.order(&order_id).await {
            Err(err) => {
                tracing::error!(error = %err, "order query failed");
                return result(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "MKT.0999",
                    "Internal error",
                );
            }
            Ok(None) => return invalid("Invalid parameter: no such orderId"),
            Ok(Some(order)) if order.seller_tenant_id != tenant => {
                return result(
                    StatusCode::UNAUTHORIZED,
                    "MKT.0150",
                    "Illegal operation: the order does not belong to this seller",
                )
            }
            Ok(Some(order)) => order_info(&order),
        },
    };
    let info = match line_id {
        None => info,
        Some(line_id) => match only_line(info, &line_id) {
            Some(info) => info,
            None => return invalid("Invalid parameter: no such orderLineId in the order"),
        },
    };
    HttpResponse::Ok().json(OrderQueryResult {
        result_code: "MKT.0000",
        result_msg: "Success",
        order_info: Some(info),
    })
}

fn only_line(mut info: Value, line_id: &str) -> Option<Value> {
    let lines = info.get_mut("orderLine")?.as_array_mut()?;
    lines.retain(|l| l["orderLineId"] == line_id);
    (!lines.is_empty()).then_some(info)
}

/// Our charging modes in the four upstream order-line values.
fn upstream_charging_mode(mode: &str) -> &str {
    match mode {
        "PER_CALL" => "ON_DEMAND",
        "PER_CALL_PKG" => "ON_DEMAND_PKG",
        "BY_QUANTITY" => "ONE_TIME",
        other => other,
    }
}

fn yuan(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn order_info(order: &OrderRecord) -> Value {
    json!({
        "orderId": order.id,
        "orderType": order.order_type,
        "createTime": unilogin_core::calendar::compact(order.created_at),
        "orderLine": order.lines.iter().map(|l| json!({
            "orderLineId": l.id,
            "chargingMode": upstream_charging_mode(&l.charging_mode),
            "expireTime": l.expire_time.map(unilogin_core::calendar::compact),
            "periodType": l.period_type,
            "periodNumber": l.period_number,
            "productInfo": [{
                "productId": l.product_id,
                "skuCode": l.sku_code,
                "linearValue": l.quantity,
                "productName": l.product_name,
            }],
            "currency": order.currency,
            "currencyAfterDiscount": yuan(l.amount),
        })).collect::<Vec<_>>(),
        "buyerInfo": {
            "customerId": order.buyer_tenant_id,
            "customerName": Value::Null,
            "customerRealName": Value::Null,
            "customerType": 0,
            "userId": order.buyer_user_id,
            "userName": Value::Null,
            "mobilePhone": Value::Null,
            "email": Value::Null,
        },
    })
}

/// A debug order: `(order id, order type, charging mode, period type, periods)`.
type MockOrder = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i64>,
);

const MOCK_ORDERS: [MockOrder; 9] = [
    ("MOCKPERIODYEARNEW", "NEW", "PERIOD", Some("year"), Some(1)),
    ("MOCKONETIMENEW", "NEW", "ONE_TIME", None, None),
    ("MOCKONDEMAND", "NEW", "ON_DEMAND", None, None),
    ("MOCKONDEMANDPKG", "NEW", "ON_DEMAND_PKG", None, None),
    (
        "MOCKPERIODDAYTRIAL",
        "TRIAL",
        "PERIOD",
        Some("day"),
        Some(7),
    ),
    (
        "MOCKMONTYTRIALTOFORMAL",
        "TRIAL_TO_FORMAL",
        "PERIOD",
        Some("month"),
        Some(1),
    ),
    (
        "MOCKMONTYUNSUBSCRIBE",
        "UNSUBSCRIBE",
        "PERIOD",
        Some("month"),
        Some(1),
    ),
    ("MOCKMONTYRENEW", "RENEW", "PERIOD", Some("month"), Some(1)),
    (
        "MOCKMONTYCHANGE",
        "CHANGE",
        "PERIOD",
        Some("month"),
        Some(1),
    ),
];

pub fn mock_order(order_id: &str) -> Option<Value> {
    let (id, order_type, mode, period_type, periods) =
        MOCK_ORDERS.iter().find(|(id, ..)| *id == order_id)?;
    Some(json!({
        "orderId": id,
        "orderType": order_type,
        "createTime": "20240101000000",
        "orderLine": [{
            "orderLineId": format!("{id}-000001"),
            "chargingMode": mode,
            "expireTime": periods.map(|_| "20250101000000"),
            "periodType": period_type,
            "periodNumber": periods,
            "productInfo": [{
                "productId": "MOCKPRODUCT",
                "skuCode": "MOCKSKU",
                "linearValue": 1,
                "productName": "Debug product",
            }],
            "currency": "CNY",
            "currencyAfterDiscount": if *order_type == "UNSUBSCRIBE" || *order_type == "TRIAL" { "0.00" } else { "100.00" },
        }],
        "buyerInfo": {
            "customerId": "MOCKCUSTOMER",
            "customerName": "debug-customer",
            "customerRealName": Value::Null,
            "customerType": 0,
            "userId": "MOCKUSER",
            "userName": "debug-user",
            "mobilePhone": Value::Null,
            "email": Value::Null,
        },
    }))
}
