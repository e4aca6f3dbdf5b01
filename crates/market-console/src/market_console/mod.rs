//! The marketplace console at `/market/`: the buyer centre, the seller centre and the
//! operators' review, as server-rendered pages in Simplified Chinese and English that
//! work without JavaScript under the strict CSP. It signs in through unilogin like any
//! client and acts through the marketplace's own operations, as the marketplace's
//! `Caller` for the signed-in user: what the API refuses, the console refuses, in the
//! same words.

mod buyer;
mod commerce;
mod error;
mod home;
mod inbox;
mod kit;
mod kit_apps;
mod operator;
mod orders;
mod publish;
mod seller;
mod seller_tools;
mod session;
mod submitted;
mod supervisions;
mod texts;
mod unsubscribes;
mod work_orders;
pub mod yuan;

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};

pub use error::PageError;
pub use session::{Member, COOKIE};

use crate::store::ephemeral::ConsoleSessions;

/// Rows per page of every list.
pub const PAGE_SIZE: i64 = 20;

pub struct MarketConsole {
    pub sessions: ConsoleSessions,
    /// Who administers the platform: their pages link to the admin console.
    pub admins: std::sync::Arc<crate::admin::AdminService>,
    pub issuer: String,
    pub secure_cookies: bool,
}

/// The frame of every page: the navigation the roles allow, who is signed in, the
/// language switch, and the notice left by the action that led here.
pub struct Chrome {
    pub section: &'static str,
    pub name: String,
    pub csrf: String,
    pub switch_href: String,
    pub notice: Option<&'static str>,
    pub buyer: bool,
    pub seller: bool,
    pub operator: bool,
    pub partner: bool,
    /// The user administers the platform: the header links to the admin console.
    pub admin: bool,
    pub unread: i64,
    /// Names this rendering of the page's forms: submitting one twice repeats nothing.
    pub form_id: String,
}

impl Member {
    pub fn chrome(&self, section: &'static str) -> Chrome {
        use crate::marketplace::Role;
        let t = self.t;
        let notice = self.done.as_deref().and_then(|done| {
            Some(match done {
                "ordered" => t.done_ordered,
                "requested" => t.done_requested,
                "unsubscribed" => t.done_unsubscribed,
                "changed" => t.done_changed,
                "delisted" => t.done_delisted,
                "published" => t.done_published,
                "invoiced" => t.done_invoiced,
                "opened" => t.done_opened,
                "read" => t.done_read,
                "claimed" => commerce::texts::texts(self.lang).done_claimed,
                "saved" => commerce::texts::texts(self.lang).done_saved,
                _ => return None,
            })
        });
        Chrome {
            section,
            name: self.name.clone(),
            csrf: self.csrf.clone(),
            switch_href: self.switch_href.clone(),
            notice,
            buyer: self.has(Role::Buyer),
            seller: self.has(Role::Seller),
            operator: self.has(Role::Operator),
            partner: self.partner,
            admin: self.platform_admin,
            unread: self.unread,
            form_id: crate::secret::random_token(),
        }
    }

    /// The caller's merchant tenant, or 403 when they are not a seller.
    pub fn seller_tenant(&self) -> Result<String, PageError> {
        Ok(self.caller.seller()?.tenant_id.clone())
    }

    /// A spec's price with its period, as people write it: "¥99.00 / 年".
    pub fn price(
        &self,
        fen: &i64,
        period: &Option<crate::marketplace::selling::product::PeriodType>,
    ) -> String {
        match period {
            Some(period) => format!("{} / {}", money(fen), self.label(code_of(period))),
            None => money(fen),
        }
    }

    /// The words for a code (a state, a rule, an access type) in this page's language.
    pub fn label(&self, code: impl AsRef<str>) -> String {
        texts::label(self.lang, code.as_ref())
    }
}

/// Previous and next links of a list shown `PAGE_SIZE` at a time.
pub struct Pager {
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the list's path with its filters (a query string, possibly empty).
    pub fn new(base: &str, total: i64, offset: i64) -> Self {
        let at = |offset: i64| {
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}offset={offset}")
        };
        Self {
            total,
            prev: (offset > 0).then(|| at((offset - PAGE_SIZE).max(0))),
            next: (offset + PAGE_SIZE < total).then(|| at(offset + PAGE_SIZE)),
        }
    }
}

/// The `offset` of a list's query: a multiple of nothing in particular, never negative.
pub fn offset_of(req: &actix_web::HttpRequest) -> i64 {
    crate::console::query(req, "offset")
        .parse::<i64>()
        .unwrap_or(0)
        .clamp(0, i64::MAX / 4)
}

/// A path with a query built from pairs whose value is not empty.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    crate::web::url_with_query(path, &kept)
}

/// A time for people (UTC); templates pass their values by reference.
pub fn when(unix: &i64) -> String {
    crate::calendar::local().readable(*unix)
}

pub fn when_opt(unix: &Option<i64>) -> String {
    unix.map(|at| crate::calendar::local().readable(at))
        .unwrap_or_else(|| "—".into())
}

/// An amount in fen, for people: 9900 reads ¥99.00.
pub fn money(fen: &i64) -> String {
    yuan::money(*fen)
}

pub fn ok(rendered: Result<String, askama::Error>) -> HttpResponse {
    crate::web::html(StatusCode::OK, rendered)
}

/// A form shown again with what was wrong with it.
pub fn again(rendered: Result<String, askama::Error>) -> HttpResponse {
    crate::web::html(StatusCode::BAD_REQUEST, rendered)
}

/// A page, or the form on it shown again after a refusal.
pub fn answer(refused: bool, rendered: Result<String, askama::Error>) -> HttpResponse {
    if refused {
        again(rendered)
    } else {
        ok(rendered)
    }
}

/// After a change: on to a page, with the notice of what was done.
pub fn done(path: &str, what: &str) -> HttpResponse {
    let separator = if path.contains('?') { '&' } else { '?' };
    crate::console::first_party::see_other(&format!("{path}{separator}done={what}"))
}

/// The portal app (`appId`) of each of these products that has one: a joint-operation
/// app a buyer opens at `/unified-login/portal-login?ind=UNOP&appId=…`.
pub async fn portal_apps<'a>(
    market: &crate::marketplace::Marketplace,
    products: impl IntoIterator<Item = &'a str>,
) -> Result<std::collections::HashMap<String, String>, PageError> {
    let mut apps = std::collections::HashMap::new();
    for product in products {
        if apps.contains_key(product) {
            continue;
        }
        if let Some(app) = market.store.kit_app_of_product(product).await? {
            apps.insert(product.to_owned(), app.id);
        }
    }
    Ok(apps)
}

/// The portal link that opens app `app_id` for the signed-in user's tenant.
pub fn portal_link(app_id: &str) -> String {
    format!("/unified-login/portal-login?ind=UNOP&appId={app_id}")
}

/// The message of a refusal a form shows above itself, in the page's language; other
/// errors go on.
pub fn refusal(
    err: crate::marketplace::MarketError,
    t: &texts::MarketTexts,
) -> Result<String, PageError> {
    match PageError::from(err) {
        PageError::Refused(message) => {
            Ok(crate::marketplace::words::in_language(t.lang(), &message))
        }
        other => Err(other),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/market", web::get().to(to_home)).service(
        web::scope("/market")
            .wrap(from_fn(|req, next| {
                crate::web::refuse_control_characters(req, next, || PageError::NotFound)
            }))
            .wrap(from_fn(crate::console::chrome::localize::<PageError>))
            .wrap(from_fn(crate::console::chrome::remember_language))
            .route("/", web::get().to(home::home))
            .route("/catalogue", web::get().to(buyer::catalogue))
            .route("/login", web::get().to(session::login))
            .route("/callback", web::get().to(session::callback))
            .route("/logout", web::post().to(session::logout))
            .configure(buyer::routes)
            .configure(orders::routes)
            .configure(unsubscribes::routes)
            .configure(seller::routes)
            .configure(publish::routes)
            .configure(seller_tools::routes)
            .configure(kit_apps::routes)
            .configure(kit::routes)
            .configure(operator::routes)
            .configure(supervisions::routes)
            .configure(work_orders::routes)
            .configure(inbox::routes)
            .configure(commerce::routes)
            .default_service(web::to(not_found)),
    );
}

async fn to_home() -> HttpResponse {
    crate::console::first_party::see_other("/market/")
}

async fn not_found() -> Result<HttpResponse, PageError> {
    Err(PageError::NotFound)
}

/// The wire code of one of the marketplace's enums (an access type, a charging mode).
pub fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The words for an application's status.
pub fn status_label(t: &texts::MarketTexts, status: &str) -> &'static str {
    match status {
        "pending" => t.status_pending,
        "approved" => t.status_approved,
        "rejected" => t.status_rejected,
        _ => t.status_withdrawn,
    }
}
