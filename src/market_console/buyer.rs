//! The buyer centre: the catalogue with search and filters, a product's specs and the
//! order form, my orders (invoice, receipt, unsubscribe request), my subscriptions and
//! my unsubscribe requests (withdraw, appeal, return).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::session::Member;
use super::texts::{MarketTexts, ACCESS_TYPES};
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::catalogue::{self, ProductView, Search};
use crate::marketplace::fulfilment::{self, Shipment};
use crate::marketplace::order_store::{OrderOwner, OrderRecord};
use crate::marketplace::product::AccessType;
use crate::marketplace::subscription::State as SubState;
use crate::marketplace::subscription_store::{SubscriptionOwner, SubscriptionRecord};
use crate::marketplace::unsubscribe::{Action, Actor, State};
use crate::marketplace::unsubscribe_api::{visible, Side};
use crate::marketplace::unsubscribe_rules::ReasonType;
use crate::marketplace::unsubscribe_store::{
    RequestOwner, Step, UnsubscribeEvent, UnsubscribeRecord,
};
use crate::marketplace::unsubscribing::{self, Asked, Extras};
use crate::marketplace::{orders, MarketError, Marketplace, Role};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/products/{id}", web::get().to(product))
        .route("/products/{id}/order", web::post().to(place))
        .route("/orders", web::get().to(my_orders))
        .route("/orders/{id}", web::get().to(my_order))
        .route(
            "/orders/{id}/unsubscribe",
            web::post().to(request_unsubscribe),
        )
        .route("/orders/{id}/invoice", web::post().to(invoice))
        .route("/orders/{id}/receipt", web::post().to(receipt))
        .route("/subscriptions", web::get().to(my_subscriptions))
        .route("/unsubscribes", web::get().to(my_unsubscribes))
        .route("/unsubscribes/{id}", web::get().to(my_unsubscribe))
        .route("/unsubscribes/{id}/{step}", web::post().to(buyer_step));
}

fn buyer(member: &Member) -> Result<(), PageError> {
    if member.has(Role::Buyer) {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "market/catalogue.html")]
struct CataloguePage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    products: Vec<ProductView>,
    q: String,
    access_type: String,
    category: String,
    categories: Vec<String>,
    access_types: &'static [&'static str],
    pager: Pager,
}

pub async fn catalogue(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    buyer(&member)?;
    let q = crate::console::query(&req, "q");
    let access_type = crate::console::query(&req, "type");
    let category = crate::console::query(&req, "category");
    let pairs = [
        ("q".to_owned(), q.clone()),
        ("accessType".to_owned(), access_type.clone()),
        ("category".to_owned(), category.clone()),
    ];
    let search = Search::from_pairs(&pairs).unwrap_or_default();
    let offset = super::offset_of(&req);
    let (products, total, categories) =
        catalogue::search(&market, &search, offset, PAGE_SIZE).await?;
    let base = with_query(
        "/market/",
        &[("q", &q), ("type", &access_type), ("category", &category)],
    );
    let page = CataloguePage {
        t: member.t,
        c: member.chrome("catalogue"),
        m: &member,
        products,
        q,
        access_type,
        category,
        categories,
        access_types: &ACCESS_TYPES,
        pager: Pager::new(&base, total, offset),
    };
    Ok(ok(page.render()))
}

/// What the order form had in it (shown again after a refusal).
#[derive(Default)]
struct OrderInput {
    sku: String,
    quantity: String,
    periods: String,
    kind: String,
    recipient: String,
    phone: String,
    address: String,
    key: String,
}

#[derive(Template)]
#[template(path = "market/product.html")]
struct ProductPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    p: ProductView,
    hardware: bool,
    input: OrderInput,
    error: Option<String>,
}

fn product_page(
    member: &Member,
    p: ProductView,
    input: OrderInput,
    error: Option<String>,
) -> ProductPage<'_> {
    ProductPage {
        t: member.t,
        c: member.chrome("catalogue"),
        m: member,
        hardware: p.access_type == AccessType::Hardware,
        p,
        input,
        error,
    }
}

async fn product(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    buyer(&member)?;
    let p = catalogue::product(&market, &path.into_inner()).await?;
    let input = OrderInput {
        sku: p
            .specs
            .first()
            .map(|s| s.sku_code.clone())
            .unwrap_or_default(),
        quantity: "1".into(),
        periods: "1".into(),
        kind: "NEW".into(),
        // A retried submission of this form places the order once.
        key: crate::secret::random_id(24),
        ..OrderInput::default()
    };
    Ok(ok(product_page(&member, p, input, None).render()))
}

/// The order form as the API's order body: the same checks then apply.
fn order_body(
    form: &Form,
    product_id: &str,
    hardware: bool,
    periodic: bool,
) -> Result<Vec<u8>, String> {
    let number = |name: &str| -> Result<i64, String> {
        form.get(name)
            .parse::<i64>()
            .map_err(|_| format!("{name}: a whole number, please"))
    };
    let mut body = json!({
        "productId": product_id,
        "skuCode": form.get("sku"),
        "quantity": number("quantity")?,
        "orderType": form.get("kind"),
    });
    if periodic {
        body["periodNumber"] = json!(number("periods")?);
    }
    if hardware {
        body["shipping"] = json!({
            "recipient": form.get("recipient"),
            "phone": form.get("phone"),
            "address": form.get("address"),
        });
    }
    Ok(body.to_string().into_bytes())
}

async fn place(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    buyer(&member)?;
    let p = catalogue::product(&market, &path.into_inner()).await?;
    let hardware = p.access_type == AccessType::Hardware;
    let periodic = p
        .specs
        .iter()
        .find(|s| s.sku_code == form.get("sku"))
        .is_some_and(|s| s.period_type.is_some());
    let key = form.get("key");
    let outcome = match order_body(&form, &p.id, hardware, periodic) {
        Err(message) => Err(message),
        Ok(body) => {
            let key = (!key.is_empty()).then(|| key.chars().take(64).collect());
            match orders::place_order(&market, &member.caller, &body, key).await {
                Ok((order, _)) => Ok(order),
                Err(err) => Err(refusal(err)?),
            }
        }
    };
    match outcome {
        Ok(order) => Ok(done(&format!("/market/orders/{}", order.id), "ordered")),
        Err(message) => {
            let input = OrderInput {
                sku: form.get("sku").into(),
                quantity: form.get("quantity").into(),
                periods: form.get("periods").into(),
                kind: form.get("kind").into(),
                recipient: form.get("recipient").into(),
                phone: form.get("phone").into(),
                address: form.get("address").into(),
                // A refused order stored nothing: the next try is a new one.
                key: crate::secret::random_id(24),
            };
            Ok(again(
                product_page(&member, p, input, Some(message)).render(),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "market/orders.html")]
struct OrdersPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    heading: &'static str,
    base: &'static str,
    orders: Vec<OrderRecord>,
    pager: Pager,
}

pub async fn order_list(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    owner: OrderOwner<'_>,
    (section, heading, base): (&'static str, &'static str, &'static str),
) -> Result<HttpResponse, PageError> {
    let offset = super::offset_of(req);
    let (orders, total) = market.store.orders_of(owner, offset, PAGE_SIZE).await?;
    let page = OrdersPage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        heading,
        base,
        orders,
        pager: Pager::new(base, total, offset),
    };
    Ok(ok(page.render()))
}

async fn my_orders(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let buyer_id = member.caller.buyer()?.to_owned();
    let what = ("orders", member.t.my_orders, "/market/orders");
    order_list(&req, &member, &market, OrderOwner::Buyer(&buyer_id), what).await
}

#[derive(Template)]
#[template(path = "market/order.html")]
pub struct OrderPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub o: OrderRecord,
    pub subscription: Option<SubscriptionRecord>,
    pub shipment: Option<Shipment>,
    /// Whose page: the buyer's (its actions) or the seller's (shipping).
    pub as_seller: bool,
    pub reasons: Vec<(&'static str, &'static str)>,
    pub error: Option<String>,
}

impl OrderPage<'_> {
    fn can_unsubscribe(&self) -> bool {
        !self.as_seller
            && matches!(
                self.o.order_type.as_str(),
                "NEW" | "RENEW" | "TRIAL_TO_FORMAL"
            )
            && self
                .subscription
                .as_ref()
                .is_some_and(|s| s.subscription.state == SubState::Live)
    }
}

fn reasons(t: &'static MarketTexts) -> Vec<(&'static str, &'static str)> {
    ReasonType::ALL
        .iter()
        .map(|r| {
            let words = match r {
                ReasonType::NoLongerNeeded => t.reason_no_longer_needed,
                ReasonType::NotAsDescribed => t.reason_not_as_described,
                ReasonType::QualityProblem => t.reason_quality_problem,
                ReasonType::NotReceived => t.reason_not_received,
                ReasonType::Other => t.reason_other,
            };
            (r.as_str(), words)
        })
        .collect()
}

pub async fn order_page<'a>(
    member: &'a Member,
    market: &Marketplace,
    o: OrderRecord,
    as_seller: bool,
    error: Option<String>,
) -> Result<OrderPage<'a>, PageError> {
    let subscription = market.store.subscription_of_order(&o.id).await?;
    let shipment = match &subscription {
        Some(s) => market.store.shipment(&s.order_id).await?,
        None => None,
    };
    Ok(OrderPage {
        t: member.t,
        c: member.chrome(if as_seller { "sold" } else { "orders" }),
        m: member,
        o,
        subscription,
        shipment,
        as_seller,
        reasons: reasons(member.t),
        error,
    })
}

async fn my_order(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let o = fulfilment::buyers_order(&member.caller, &market, &path.into_inner()).await?;
    let page = order_page(&member, &market, o, false, None).await?;
    Ok(ok(page.render()))
}

/// A buyer's action on an order page: done, or the page again with the refusal.
async fn order_action(
    member: &Member,
    market: &Marketplace,
    order_id: &str,
    outcome: Result<HttpResponse, MarketError>,
) -> Result<HttpResponse, PageError> {
    match outcome {
        Ok(response) => Ok(response),
        Err(err) => {
            let message = refusal(err)?;
            let o = fulfilment::buyers_order(&member.caller, market, order_id).await?;
            let page = order_page(member, market, o, false, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn request_unsubscribe(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let order_id = path.into_inner();
    let buyer_id = member.caller.buyer()?.to_owned();
    let outcome = async {
        let reason_type = ReasonType::parse(form.get("reason_type"))
            .ok_or_else(|| MarketError::Invalid("choose a reason".into()))?;
        let reason = fulfilment::text_field(form.get("reason"), "reason", 500)?;
        let record = unsubscribing::request(
            &market,
            &Asked {
                buyer_user_id: &buyer_id,
                order_id: &order_id,
                reason_type,
                reason: &reason,
                attachments: &[],
            },
        )
        .await?;
        Ok(done(
            &format!("/market/unsubscribes/{}", record.id),
            "requested",
        ))
    }
    .await;
    order_action(&member, &market, &order_id, outcome).await
}

async fn invoice(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let order_id = path.into_inner();
    let outcome = fulfilment::request_invoice_for(
        &market,
        &member.caller,
        &order_id,
        form.get("title"),
        form.get("tax_id"),
    )
    .await
    .map(|_| done(&format!("/market/orders/{order_id}"), "invoiced"));
    order_action(&member, &market, &order_id, outcome).await
}

async fn receipt(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let order_id = path.into_inner();
    let outcome = fulfilment::confirm_receipt_for(&market, &member.caller, &order_id)
        .await
        .map(|_| done(&format!("/market/orders/{order_id}"), "changed"));
    order_action(&member, &market, &order_id, outcome).await
}

#[derive(Template)]
#[template(path = "market/subscriptions.html")]
struct SubscriptionsPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    subscriptions: Vec<SubscriptionRecord>,
    state: String,
    states: Vec<&'static str>,
    pager: Pager,
}

async fn my_subscriptions(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let buyer_id = member.caller.buyer()?.to_owned();
    let state = crate::console::query(&req, "state");
    let filter = SubState::parse(&state);
    let offset = super::offset_of(&req);
    let (subscriptions, total) = market
        .store
        .subscriptions_of(
            SubscriptionOwner::Buyer(&buyer_id),
            filter,
            offset,
            PAGE_SIZE,
        )
        .await?;
    let page = SubscriptionsPage {
        t: member.t,
        c: member.chrome("subscriptions"),
        m: &member,
        subscriptions,
        state: filter.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        states: SubState::ALL.iter().map(|s| s.as_str()).collect(),
        pager: Pager::new(
            &with_query("/market/subscriptions", &[("state", &state)]),
            total,
            offset,
        ),
    };
    Ok(ok(page.render()))
}

#[derive(Template)]
#[template(path = "market/unsubscribes.html")]
pub struct UnsubscribesPage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub heading: &'static str,
    pub base: &'static str,
    pub requests: Vec<UnsubscribeRecord>,
    pub state: String,
    pub states: Vec<&'static str>,
    pub pager: Pager,
}

/// A list of unsubscribe requests, for any side.
pub async fn unsubscribe_list(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    owner: RequestOwner<'_>,
    (section, heading, base): (&'static str, &'static str, &'static str),
    default: &[State],
) -> Result<HttpResponse, PageError> {
    let state = crate::console::query(req, "state");
    let states = match State::parse(&state) {
        Some(s) => vec![s],
        None => default.to_vec(),
    };
    let offset = super::offset_of(req);
    let (requests, total) = market
        .store
        .unsubscribe_requests(owner, &states, offset, PAGE_SIZE)
        .await?;
    let page = UnsubscribesPage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        heading,
        base,
        requests,
        state: State::parse(&state)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        states: State::ALL.iter().map(|s| s.as_str()).collect(),
        pager: Pager::new(&with_query(base, &[("state", &state)]), total, offset),
    };
    Ok(ok(page.render()))
}

async fn my_unsubscribes(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let buyer_id = member.caller.buyer()?.to_owned();
    let what = (
        "unsubscribes",
        member.t.my_unsubscribes,
        "/market/unsubscribes",
    );
    unsubscribe_list(
        &req,
        &member,
        &market,
        RequestOwner::Buyer(&buyer_id),
        what,
        &[],
    )
    .await
}

#[derive(Template)]
#[template(path = "market/unsubscribe.html")]
pub struct UnsubscribePage<'a> {
    pub t: &'static MarketTexts,
    pub c: Chrome,
    pub m: &'a Member,
    pub r: UnsubscribeRecord,
    pub history: Vec<UnsubscribeEvent>,
    pub side: &'static str,
    /// Where its forms post: `{base}/{id}/{step}`.
    pub base: &'static str,
    pub error: Option<String>,
}

impl UnsubscribePage<'_> {
    fn open(&self) -> bool {
        self.r.request.state.is_open()
    }
    fn deciding(&self) -> bool {
        (self.side == "seller" && self.r.request.state == State::Pending)
            || (self.side == "operator" && self.r.request.state == State::Appealed)
    }
    fn negotiated(&self) -> bool {
        self.r.refund_amount.is_none()
    }
    fn awaiting_return(&self) -> bool {
        self.r.request.state == State::AwaitingReturn
    }
    fn appealable(&self) -> bool {
        self.r.request.hardware && self.r.request.state == State::Pending
    }
}

pub async fn unsubscribe_page<'a>(
    member: &'a Member,
    market: &Marketplace,
    r: UnsubscribeRecord,
    side: Side,
    error: Option<String>,
) -> Result<UnsubscribePage<'a>, PageError> {
    let history = market.store.unsubscribe_log(&r.id).await?;
    let (section, side, base) = match side {
        Side::Buyer => ("unsubscribes", "buyer", "/market/unsubscribes"),
        Side::Seller => (
            "seller-unsubscribes",
            "seller",
            "/market/seller/unsubscribes",
        ),
        Side::Operator => ("appeals", "operator", "/market/operator/appeals"),
    };
    Ok(UnsubscribePage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        r,
        history,
        side,
        base,
        error,
    })
}

async fn my_unsubscribe(
    member: Member,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let r = visible(&market, &member.caller, Side::Buyer, &path.into_inner()).await?;
    Ok(ok(unsubscribe_page(&member, &market, r, Side::Buyer, None)
        .await?
        .render()))
}

/// One step on an unsubscribe request from `side`'s page: on to the request, or its page
/// again with the refusal.
pub async fn take_step(
    member: &Member,
    market: &Marketplace,
    side: Side,
    id: &str,
    form: &Form,
    (action, actor): (Action, Actor),
    extras: Result<Extras, MarketError>,
) -> Result<HttpResponse, PageError> {
    let record = visible(market, &member.caller, side, id).await?;
    let comment = form.get("comment").to_owned();
    let outcome = async {
        let extras = extras?;
        let needs_comment = matches!(action, Action::Approve | Action::Reject | Action::Appeal);
        if needs_comment {
            fulfilment::text_field(&comment, "comment", 500)?;
        }
        let irreversible = matches!(action, Action::Approve | Action::Reject | Action::Withdraw);
        if irreversible && !form.checked("confirm") {
            return Err(MarketError::Invalid(member.t.must_confirm.into()));
        }
        let step = Step {
            action,
            actor,
            actor_id: &member.caller.claims.sub,
            comment: &comment,
            attachments: &[],
        };
        unsubscribing::step(market, &record, &step, extras).await
    }
    .await;
    match outcome {
        Ok(next) => {
            let base = match side {
                Side::Buyer => "/market/unsubscribes",
                Side::Seller => "/market/seller/unsubscribes",
                Side::Operator => "/market/operator/appeals",
            };
            Ok(done(&format!("{base}/{}", next.id), "changed"))
        }
        Err(err) => {
            let message = refusal(err)?;
            let page = unsubscribe_page(member, market, record, side, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn buyer_step(
    member: Member,
    path: web::Path<(String, String)>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let (id, step) = path.into_inner();
    let (action, extras) = match step.as_str() {
        "withdraw" => (Action::Withdraw, Ok(Extras::default())),
        "appeal" => (Action::Appeal, Ok(Extras::default())),
        "return" => {
            let shipment =
                fulfilment::text_field(form.get("carrier"), "carrier", 60).and_then(|carrier| {
                    let tracking =
                        fulfilment::text_field(form.get("tracking_number"), "trackingNumber", 60)?;
                    Ok(Extras {
                        return_shipment: Some((carrier, tracking)),
                        ..Extras::default()
                    })
                });
            (Action::ReturnShipped, shipment)
        }
        _ => return Err(PageError::NotFound),
    };
    take_step(
        &member,
        &market,
        Side::Buyer,
        &id,
        &form,
        (action, Actor::Buyer),
        extras,
    )
    .await
}
