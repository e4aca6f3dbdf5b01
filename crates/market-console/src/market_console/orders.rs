//! The buyer's orders (with invoice, receipt and the unsubscribe request) and
//! subscriptions; the order list and page serve the seller centre too.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::session::Member;
use super::submitted::Submitted;
use super::texts::MarketTexts;
use super::unsubscribes::evidence;
use super::{again, done, ok, refusal, with_query, Chrome, PageError, Pager, PAGE_SIZE};
use crate::console::form::Form;
use crate::marketplace::orders::fulfilment;
use crate::marketplace::orders::fulfilment_store::Shipment;
use crate::marketplace::orders::request::ORDER_TYPES;
use crate::marketplace::orders::store::{OrderFilter, OrderOwner, OrderRecord};
use crate::marketplace::subscriptions::machine::State as SubState;
use crate::marketplace::subscriptions::store::{SubscriptionOwner, SubscriptionRecord};
use crate::marketplace::unsubscribe::billing;
use crate::marketplace::unsubscribe::rules::{Channel, ReasonType, Terms};
use crate::marketplace::unsubscribe::service::{self as unsubscribing, Asked};
use crate::marketplace::{MarketError, Marketplace};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/orders", web::get().to(my_orders))
        .route("/orders.csv", web::get().to(my_orders_csv))
        .route("/orders/{id}", web::get().to(my_order))
        .route(
            "/orders/{id}/unsubscribe",
            web::post().to(request_unsubscribe),
        )
        .route(
            "/orders/{id}/unsubscribe-now",
            web::post().to(unsubscribe_now),
        )
        .route("/orders/{id}/invoice", web::post().to(invoice))
        .route("/orders/{id}/receipt", web::post().to(receipt))
        .route("/subscriptions", web::get().to(my_subscriptions));
}

#[derive(Template)]
#[template(path = "market/orders.html")]
struct OrdersPage<'a> {
    t: &'static MarketTexts,
    c: Chrome,
    m: &'a Member,
    heading: &'static str,
    base: &'static str,
    orders: Vec<(OrderRecord, String)>,
    pager: Pager,
    search: OrderSearch,
    kinds: &'static [&'static str],
    /// The export of what the filter shows.
    export: String,
}

/// An order list's filter as typed: type, order id, placed from and to (days in the
/// configured zone); what does not parse is left out.
#[derive(Default)]
pub struct OrderSearch {
    pub kind: String,
    pub id: String,
    pub from: String,
    pub to: String,
}

/// The most orders one export holds (newest first).
const EXPORT_LIMIT: i64 = 10_000;

impl OrderSearch {
    fn of(req: &HttpRequest) -> Self {
        let q = |name| crate::console::query(req, name).trim().to_owned();
        let kind = q("type");
        let id = q("id");
        Self {
            kind: if ORDER_TYPES.contains(&kind.as_str()) {
                kind
            } else {
                String::new()
            },
            id: if id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                id
            } else {
                String::new()
            },
            from: q("from"),
            to: q("to"),
        }
    }

    fn filter(&self) -> OrderFilter<'_> {
        let calendar = crate::calendar::local();
        OrderFilter {
            order_type: &self.kind,
            order_id: &self.id,
            from: calendar.parse_day(&self.from),
            to: calendar.parse_day_last(&self.to),
        }
    }

    fn query(&self) -> [(&'static str, &str); 4] {
        [
            ("type", &self.kind),
            ("id", &self.id),
            ("from", &self.from),
            ("to", &self.to),
        ]
    }
}

/// Each order with its status: the states of the subscriptions its lines opened, in
/// words ("—" for an order that opened none).
async fn with_status(
    member: &Member,
    market: &Marketplace,
    orders: Vec<OrderRecord>,
) -> Result<Vec<(OrderRecord, String)>, PageError> {
    let ids: Vec<&str> = orders
        .iter()
        .flat_map(|o| o.lines.iter().filter_map(|l| l.subscription_id.as_deref()))
        .collect();
    let states = market.store.subscription_states(&ids).await?;
    let mut shown = Vec::with_capacity(orders.len());
    for order in &orders {
        let mut words: Vec<String> = order
            .lines
            .iter()
            .filter_map(|l| states.get(l.subscription_id.as_deref()?))
            .map(|state| member.label(state))
            .collect();
        words.dedup();
        shown.push(if words.is_empty() {
            "—".to_owned()
        } else {
            words.join("、")
        });
    }
    Ok(orders.into_iter().zip(shown).collect())
}

pub async fn order_list(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    owner: OrderOwner<'_>,
    (section, heading, base): (&'static str, &'static str, &'static str),
) -> Result<HttpResponse, PageError> {
    let offset = super::offset_of(req);
    let search = OrderSearch::of(req);
    let (orders, total) = market
        .store
        .orders_of(owner, &search.filter(), offset, PAGE_SIZE)
        .await?;
    let page = OrdersPage {
        t: member.t,
        c: member.chrome(section),
        m: member,
        heading,
        base,
        orders: with_status(member, market, orders).await?,
        pager: Pager::new(&with_query(base, &search.query()), total, offset),
        export: with_query(&format!("{base}.csv"), &search.query()),
        search,
        kinds: &ORDER_TYPES,
    };
    Ok(ok(page.render()))
}

/// The orders `order_list` shows, every page of them, as a CSV download in the page's
/// language (amounts in yuan, times in the configured zone).
pub async fn order_export(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    owner: OrderOwner<'_>,
    file_name: &str,
) -> Result<HttpResponse, PageError> {
    let search = OrderSearch::of(req);
    let (orders, _) = market
        .store
        .orders_of(owner, &search.filter(), 0, EXPORT_LIMIT)
        .await?;
    let t = member.t;
    let rows = with_status(member, market, orders)
        .await?
        .into_iter()
        .map(|(o, status)| {
            let products: Vec<String> = o
                .lines
                .iter()
                .map(|l| format!("{} · {}", l.product_name, l.sku_code))
                .collect();
            [
                o.id.clone(),
                crate::calendar::local().readable(o.created_at),
                member.label(&o.order_type),
                products.join("; "),
                status,
                super::yuan::field(u64::try_from(o.amount).unwrap_or_default()),
            ]
        });
    let header = [
        t.order_id,
        t.created,
        t.order_type,
        t.product,
        t.status,
        t.amount_yuan,
    ];
    Ok(crate::web::csv::attachment(
        crate::web::csv::table(header, rows),
        file_name,
    ))
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

async fn my_orders_csv(
    req: HttpRequest,
    member: Member,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let buyer_id = member.caller.buyer()?.to_owned();
    let owner = OrderOwner::Buyer(&buyer_id);
    order_export(&req, &member, &market, owner, "orders.csv").await
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
    /// The service supervision of its lines, when supervised.
    pub supervisions: Vec<crate::marketplace::supervision::store::SupervisionRecord>,
    pub reasons: Vec<(&'static str, &'static str)>,
    /// A billing-centre product: the terms it is unsubscribed on now, or why it is not
    /// (`None`: a request in the buyer centre).
    pub billing: Option<Result<Terms, String>>,
    /// The buyer's live subscription of a joint-operation app: the app to open.
    pub open_app: Option<String>,
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
    let supervisions = market.store.supervisions_of_order(&o.id).await?;
    let billing = if as_seller {
        None
    } else {
        billing_terms(member, market, &o).await?
    };
    let live = subscription
        .as_ref()
        .is_some_and(|s| s.subscription.state == SubState::Live);
    let open_app = match o.lines.first() {
        Some(line) if live && !as_seller => super::portal_apps(market, [line.product_id.as_str()])
            .await?
            .remove(&line.product_id),
        _ => None,
    };
    Ok(OrderPage {
        billing,
        open_app,
        supervisions,
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

/// For an order of a billing-centre product: its terms now, or the rules' refusal.
async fn billing_terms(
    member: &Member,
    market: &Marketplace,
    o: &OrderRecord,
) -> Result<Option<Result<Terms, String>>, PageError> {
    if unsubscribing::channel_of(market, o).await? != Channel::BillingCentre {
        return Ok(None);
    }
    let buyer = member.caller.buyer()?;
    Ok(Some(
        match unsubscribing::prospect(market, buyer, &o.id, ReasonType::NoLongerNeeded).await {
            Ok(found) => Ok(found.terms),
            Err(err) => Err(refusal(err, member.t)?),
        },
    ))
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
            let message = refusal(err, member.t)?;
            let o = fulfilment::buyers_order(&member.caller, market, order_id).await?;
            let page = order_page(member, market, o, false, Some(message)).await?;
            Ok(again(page.render()))
        }
    }
}

async fn request_unsubscribe(
    member: Member,
    path: web::Path<String>,
    submitted: Submitted,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    let form = &submitted.form;
    member.check(form)?;
    let order_id = path.into_inner();
    let buyer_id = member.caller.buyer()?.to_owned();
    let outcome = async {
        let reason_type = ReasonType::parse(form.get("reason_type"))
            .ok_or_else(|| MarketError::Invalid("choose a reason".into()))?;
        let reason = fulfilment::text_field(form.get("reason"), "reason", 500)?;
        let attachments = evidence(&market, &member, &submitted).await?;
        let record = unsubscribing::request(
            &market,
            &Asked {
                buyer_user_id: &buyer_id,
                order_id: &order_id,
                reason_type,
                reason: &reason,
                attachments: &attachments,
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

async fn unsubscribe_now(
    member: Member,
    path: web::Path<String>,
    form: Form,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, PageError> {
    member.check(&form)?;
    let order_id = path.into_inner();
    let buyer_id = member.caller.buyer()?.to_owned();
    let outcome = async {
        if !form.checked("confirm") {
            return Err(MarketError::Invalid(member.t.must_confirm.into()));
        }
        let reason_type = ReasonType::parse(form.get("reason_type"))
            .ok_or_else(|| MarketError::Invalid("choose a reason".into()))?;
        let reason = fulfilment::text_field(form.get("reason"), "reason", 500)?;
        let record = billing::unsubscribe_now(
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
            "unsubscribed",
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
    heading: &'static str,
    base: &'static str,
    subscriptions: Vec<SubscriptionRecord>,
    /// The portal app of each product that has one (a joint-operation app), by product.
    apps: std::collections::HashMap<String, String>,
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
    let owner = SubscriptionOwner::Buyer(&buyer_id);
    let what = (
        "subscriptions",
        member.t.my_subscriptions,
        "/market/subscriptions",
    );
    subscription_list(&req, &member, &market, owner, what).await
}

/// A page of subscriptions, for the buyer or the seller.
pub async fn subscription_list(
    req: &HttpRequest,
    member: &Member,
    market: &Marketplace,
    owner: SubscriptionOwner<'_>,
    (section, heading, base): (&'static str, &'static str, &'static str),
) -> Result<HttpResponse, PageError> {
    let state = crate::console::query(req, "state");
    let filter = SubState::parse(&state);
    let offset = super::offset_of(req);
    let (subscriptions, total) = market
        .store
        .subscriptions_of(owner, filter, offset, PAGE_SIZE)
        .await?;
    let apps =
        super::portal_apps(market, subscriptions.iter().map(|s| s.product_id.as_str())).await?;
    let page = SubscriptionsPage {
        apps,
        t: member.t,
        c: member.chrome(section),
        m: member,
        heading,
        base,
        subscriptions,
        state: filter.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        states: SubState::ALL.iter().map(|s| s.as_str()).collect(),
        pager: Pager::new(&with_query(base, &[("state", &state)]), total, offset),
    };
    Ok(ok(page.render()))
}
