//! The scenarios: what each connection sends, how an answer is judged, and the
//! preparation (a login, codes minted through authorize, tokens) that happens before the
//! clock starts.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use hyper::StatusCode;

use crate::fixture::{Fixture, PASSWORD, REDIRECT_URI, SELLER_USERNAME, USERNAME};
use crate::load::{Body, Connection, Tally};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bare,
    ClientCredentials,
    Refresh,
    Userinfo,
    Introspection,
    AuthorizationCode,
    PasswordLogin,
    Catalogue,
    OrderQuery,
    Orders,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Bare,
        Kind::ClientCredentials,
        Kind::Refresh,
        Kind::Userinfo,
        Kind::Introspection,
        Kind::AuthorizationCode,
        Kind::PasswordLogin,
        Kind::Catalogue,
        Kind::OrderQuery,
        Kind::Orders,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Bare => "bare actix-web handler",
            Kind::ClientCredentials => "client_credentials grant",
            Kind::Refresh => "refresh_token grant (rotating chains)",
            Kind::Userinfo => "userinfo",
            Kind::Introspection => "introspection",
            Kind::AuthorizationCode => "authorization_code exchange",
            Kind::PasswordLogin => "password login (login page)",
            Kind::Catalogue => "marketplace catalogue read (buyer token)",
            Kind::OrderQuery => "open-API order query (AK/SK-signed)",
            Kind::Orders => "marketplace orders, all connections at once",
        }
    }

    /// Whether the targets measure this scenario as a share of the bare handler.
    pub fn is_share_of_bare(self) -> bool {
        matches!(
            self,
            Kind::ClientCredentials
                | Kind::Userinfo
                | Kind::Introspection
                | Kind::Catalogue
                | Kind::OrderQuery
        )
    }

    pub fn key(self) -> &'static str {
        match self {
            Kind::Bare => "bare",
            Kind::ClientCredentials => "client-credentials",
            Kind::Refresh => "refresh",
            Kind::Userinfo => "userinfo",
            Kind::Introspection => "introspection",
            Kind::AuthorizationCode => "authorization-code",
            Kind::PasswordLogin => "login",
            Kind::Catalogue => "catalogue",
            Kind::OrderQuery => "order-query",
            Kind::Orders => "orders",
        }
    }
}

/// Everything the connections of a run share.
pub struct Context {
    pub addr: SocketAddr,
    basic: String,
    client_id: String,
    /// One live access token and one refresh-token chain per connection; a chain's head
    /// moves on with every run of the refresh scenario.
    access_tokens: Vec<String>,
    refresh_tokens: Mutex<Vec<String>>,
    codes: Vec<String>,
    next_code: AtomicUsize,
    /// A buyer's marketplace token and the order it places again and again.
    market_token: String,
    order_body: String,
    /// The seller's access key and secret, and an order of theirs to query.
    open_api: OpenApiKeys,
}

#[derive(Default)]
struct OpenApiKeys {
    access_key: String,
    secret_key: String,
    order_id: String,
}

/// The open API's order query, as a seller's server calls it.
const ORDER_QUERY: &str = "/api/mkp-openapi-public/global/v1/order/query";

/// The per-connection state of a scenario.
#[derive(Default)]
struct State {
    refresh_token: String,
    login_cookie: String,
    login_form: String,
}

pub struct Outcome {
    pub tally: Tally,
    pub elapsed: Duration,
    /// Refresh chains whose last token no longer works (must be 0).
    pub lost_rotations: usize,
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

fn expect(status: StatusCode, want: StatusCode, body: &Bytes) -> Result<(), String> {
    if status == want {
        Ok(())
    } else {
        Err(format!(
            "status {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))
    }
}

pub fn json_field(body: &Bytes, field: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {field} in {value}"))
}

pub fn cookie_value(headers: &hyper::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(hyper::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(name)?
                .strip_prefix('=')?
                .split(';')
                .next()
                .map(str::to_owned)
        })
}

impl Context {
    /// Signs in once (one argon2 check), mints codes through authorize with that session
    /// (single sign-on, as a partner app's users do), and redeems some of them for the
    /// tokens the token-holding scenarios use.
    pub async fn prepare(
        addr: SocketAddr,
        fixture: &Fixture,
        connections: usize,
        codes_wanted: usize,
    ) -> Result<Self, String> {
        let basic = basic_auth(fixture);
        let mut conn = Connection::open(addr).await?;
        let session_cookie = sign_in(&mut conn, USERNAME).await?;

        let authorize = format!(
            "/api/v1/oauth2/authorize?{}",
            form(&[
                ("response_type", "code"),
                ("client_id", &fixture.client_id),
                ("redirect_uri", REDIRECT_URI),
            ])
        );
        let minted = (codes_wanted + connections).max(connections * 2);
        let per_conn = minted.div_ceil(connections.min(16));
        let mut tasks = Vec::new();
        for _ in 0..connections.min(16) {
            let (authorize, cookie) = (authorize.clone(), session_cookie.clone());
            tasks.push(tokio::spawn(async move {
                let mut conn = Connection::open(addr).await?;
                let mut codes = Vec::with_capacity(per_conn);
                for _ in 0..per_conn {
                    let request = conn
                        .request("GET", &authorize)
                        .header("cookie", &cookie)
                        .body(Body::default())
                        .map_err(|e| e.to_string())?;
                    let response = conn.send_full(request).await?;
                    codes.push(code_of(response.headers())?);
                }
                Ok::<_, String>(codes)
            }));
        }
        let mut codes = Vec::new();
        for task in tasks {
            codes.extend(task.await.map_err(|e| e.to_string())??);
        }
        let mut context = Self {
            addr,
            basic,
            client_id: fixture.client_id.clone(),
            access_tokens: Vec::new(),
            refresh_tokens: Mutex::new(Vec::new()),
            codes: Vec::new(),
            next_code: AtomicUsize::new(0),
            market_token: String::new(),
            order_body: serde_json::json!({
                "productId": fixture.product_id, "skuCode": "basic", "periodNumber": 1
            })
            .to_string(),
            open_api: OpenApiKeys::default(),
        };
        // Minting may outlast the server's keep-alive: a fresh connection for the rest.
        let mut conn = Connection::open(addr).await?;
        let (status, body) = token_for_scope(
            &mut conn,
            &session_cookie,
            &context.basic,
            &context.client_id,
            unilogin::domain::resource::MARKETPLACE_BUYER,
        )
        .await?;
        expect(status, StatusCode::OK, &body)?;
        context.market_token = json_field(&body, "access_token")?;
        context.open_api = open_api_keys(&mut conn, &context).await?;
        for code in codes.split_off(codes.len() - connections) {
            let request = context.exchange(&conn, &code).map_err(|e| e.to_string())?;
            let (status, body) = conn.send(request).await?;
            expect(status, StatusCode::OK, &body)?;
            context
                .access_tokens
                .push(json_field(&body, "access_token")?);
            context
                .refresh_tokens
                .get_mut()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(json_field(&body, "refresh_token")?);
        }
        context.codes = codes;
        Ok(context)
    }

    /// The seller's order query, signed now with the seller's AK/SK (SDK-HMAC-SHA256,
    /// the signed headers `content-type;host;x-sdk-date`, an empty body).
    fn signed_order_query(
        &self,
        conn: &Connection,
    ) -> Result<hyper::Request<Body>, hyper::http::Error> {
        use unilogin::marketplace::open_api::signing;
        let keys = &self.open_api;
        let stamp = unilogin::calendar::compact(unilogin::clock::Clock::system().now_unix());
        let date = format!("{}T{}Z", &stamp[..8], &stamp[8..]);
        let query = format!("orderId={}", keys.order_id);
        let headers = [
            ("content-type".to_owned(), "application/json".to_owned()),
            ("host".to_owned(), conn.host.clone()),
            ("x-sdk-date".to_owned(), date.clone()),
        ];
        let canonical = signing::canonical_request(&signing::CanonicalInput {
            method: "GET",
            raw_path: ORDER_QUERY,
            raw_query: &query,
            signed_headers: &headers,
            payload_hash: signing::EMPTY_BODY_SHA256,
        });
        let signature = signing::signature(
            keys.secret_key.as_bytes(),
            &signing::string_to_sign(&date, &canonical),
        );
        conn.request("GET", &format!("{ORDER_QUERY}?{query}"))
            .header("content-type", "application/json")
            .header("x-sdk-date", date)
            .header(
                "authorization",
                format!(
                    "{} Access={}, SignedHeaders=content-type;host;x-sdk-date, Signature={signature}",
                    signing::ALGORITHM,
                    keys.access_key
                ),
            )
            .body(Body::default())
    }

    /// The head of each connection's refresh-token chain.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.chains().clone()
    }

    fn chains(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.refresh_tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The bench client's `Authorization: Basic` header value.
    pub fn basic(&self) -> &str {
        &self.basic
    }

    fn exchange(
        &self,
        conn: &Connection,
        code: &str,
    ) -> Result<hyper::Request<Body>, hyper::http::Error> {
        exchange_request(conn, &self.basic, code)
    }

    /// Runs `kind` on `connections` connections (to `addr`) for `duration`.
    pub async fn run(
        self: &Arc<Self>,
        kind: Kind,
        addr: SocketAddr,
        connections: usize,
        duration: Duration,
    ) -> Result<Outcome, String> {
        let started = Instant::now();
        let deadline = started + duration;
        let mut tasks = Vec::new();
        for index in 0..connections {
            let context = self.clone();
            tasks.push(tokio::spawn(async move {
                context.connection(kind, addr, index, deadline).await
            }));
        }
        let mut tallies = Vec::new();
        let mut last_tokens = Vec::new();
        for task in tasks {
            let (tally, state) = task.await.map_err(|e| e.to_string())??;
            tallies.push(tally);
            last_tokens.push(state.refresh_token);
        }
        let elapsed = started.elapsed();
        let lost_rotations = if kind == Kind::Refresh {
            let lost = self.count_dead_refresh_tokens(&last_tokens).await?;
            *self.chains() = last_tokens;
            lost
        } else {
            0
        };
        Ok(Outcome {
            tally: Tally::merge(tallies),
            elapsed,
            lost_rotations,
        })
    }

    async fn connection(
        &self,
        kind: Kind,
        addr: SocketAddr,
        index: usize,
        deadline: Instant,
    ) -> Result<(Tally, State), String> {
        let mut conn = Connection::open(addr).await?;
        let mut state = State {
            refresh_token: self.chains().get(index).cloned().unwrap_or_default(),
            ..State::default()
        };
        if kind == Kind::PasswordLogin {
            (state.login_cookie, state.login_form) = login_form(&mut conn, USERNAME).await?;
        }
        let access_token = &self.access_tokens[index % self.access_tokens.len()];
        let mut tally = Tally {
            latencies: Vec::with_capacity(4096),
            ..Tally::default()
        };
        while Instant::now() < deadline {
            let request = match kind {
                Kind::Bare => conn.request("GET", "/bare").body(Body::default()),
                Kind::ClientCredentials => conn
                    .request("POST", "/api/v1/oauth2/token")
                    .header("authorization", &self.basic)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from("grant_type=client_credentials")),
                Kind::Refresh => conn.client_post(
                    "/api/v1/oauth2/token",
                    &self.basic,
                    form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", &state.refresh_token),
                    ]),
                ),
                Kind::Userinfo => conn.bearer_get("/api/v1/oauth2/userinfo", access_token),
                Kind::Introspection => conn.client_post(
                    "/api/v1/oauth2/introspect",
                    &self.basic,
                    form(&[("token", access_token)]),
                ),
                Kind::AuthorizationCode => {
                    let next = self.next_code.fetch_add(1, Ordering::Relaxed);
                    let Some(code) = self.codes.get(next) else {
                        break; // every minted code is spent
                    };
                    self.exchange(&conn, code)
                }
                Kind::PasswordLogin => conn
                    .request("POST", "/unified-login/portal-login")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", &state.login_cookie)
                    .body(Body::from(state.login_form.clone())),
                Kind::Catalogue => {
                    conn.bearer_get("/api/marketplace/v1/products", &self.market_token)
                }
                Kind::OrderQuery => self.signed_order_query(&conn),
                Kind::Orders => conn
                    .request("POST", "/api/marketplace/v1/buyer/orders")
                    .header("authorization", format!("Bearer {}", self.market_token))
                    .header("content-type", "application/json")
                    .body(Body::from(self.order_body.clone())),
            }
            .map_err(|e| e.to_string())?;
            let started = Instant::now();
            let outcome = match conn.send(request).await {
                Err(err) => Err(err),
                Ok((status, body)) => match kind {
                    Kind::PasswordLogin => expect(status, StatusCode::FOUND, &body),
                    Kind::Orders => expect(status, StatusCode::CREATED, &body),
                    Kind::OrderQuery => expect(status, StatusCode::OK, &body).and_then(|()| {
                        if body.starts_with(br#"{"resultCode":"MKT.0000""#)
                            || json_field(&body, "resultCode").as_deref() == Ok("MKT.0000")
                        {
                            Ok(())
                        } else {
                            Err(format!("not answered: {}", String::from_utf8_lossy(&body)))
                        }
                    }),
                    Kind::Refresh => expect(status, StatusCode::OK, &body).and_then(|()| {
                        state.refresh_token = json_field(&body, "refresh_token")?;
                        Ok(())
                    }),
                    Kind::Introspection => expect(status, StatusCode::OK, &body).and_then(|()| {
                        if body.starts_with(br#"{"active":true"#) {
                            Ok(())
                        } else {
                            Err("token reported inactive".into())
                        }
                    }),
                    _ => expect(status, StatusCode::OK, &body),
                },
            };
            tally.record(started, outcome);
        }
        Ok((tally, state))
    }

    /// Introspects the last token of every refresh chain: each must still be live.
    async fn count_dead_refresh_tokens(&self, tokens: &[String]) -> Result<usize, String> {
        dead_refresh_tokens(self.addr, &self.basic, &self.client_id, tokens).await
    }
}

/// How many of `tokens` (refresh tokens of the client `basic` authenticates) no longer
/// introspect as active for `client_id`.
pub async fn dead_refresh_tokens(
    addr: SocketAddr,
    basic: &str,
    client_id: &str,
    tokens: &[String],
) -> Result<usize, String> {
    let mut conn = Connection::open(addr).await?;
    let mut dead = 0;
    for token in tokens {
        let request = conn
            .client_post(
                "/api/v1/oauth2/introspect",
                basic,
                form(&[("token", token)]),
            )
            .map_err(|e| e.to_string())?;
        let (_, body) = conn.send(request).await?;
        let live: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if live["active"] != true || live["client_id"] != client_id {
            dead += 1;
        }
    }
    Ok(dead)
}

/// The token request that redeems `code` at the bench client's redirect URI.
pub fn exchange_request(
    conn: &Connection,
    basic: &str,
    code: &str,
) -> Result<hyper::Request<Body>, hyper::http::Error> {
    conn.client_post(
        "/api/v1/oauth2/token",
        basic,
        form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ]),
    )
}

/// Authorize with a signed-in session for `scope`, then the code exchange: the token
/// endpoint's answer.
pub async fn token_for_scope(
    conn: &mut Connection,
    session_cookie: &str,
    basic: &str,
    client_id: &str,
    scope: &str,
) -> Result<(StatusCode, Bytes), String> {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
    ];
    if !scope.is_empty() {
        pairs.push(("scope", scope));
    }
    let path = format!("/api/v1/oauth2/authorize?{}", form(&pairs));
    let request = conn
        .request("GET", &path)
        .header("cookie", session_cookie)
        .body(Body::default())
        .map_err(|e| e.to_string())?;
    let response = conn.send_full(request).await?;
    if response.status() != StatusCode::FOUND {
        return Ok((response.status(), response.into_body()));
    }
    let code = code_of(response.headers())?;
    let request = exchange_request(conn, basic, &code).map_err(|e| e.to_string())?;
    conn.send(request).await
}

/// What the order query needs: one order placed by the buyer, and an access key minted
/// by the seller of its product right after signing in (minting wants a fresh sign-in).
async fn open_api_keys(conn: &mut Connection, context: &Context) -> Result<OpenApiKeys, String> {
    let request = conn
        .request("POST", "/api/marketplace/v1/buyer/orders")
        .header("authorization", format!("Bearer {}", context.market_token))
        .header("content-type", "application/json")
        .body(Body::from(context.order_body.clone()))
        .map_err(|e| e.to_string())?;
    let (status, body) = conn.send(request).await?;
    expect(status, StatusCode::CREATED, &body)?;
    let order_id = json_field(&body, "orderId")?;
    let seller_session = sign_in(conn, SELLER_USERNAME).await?;
    let (status, body) = token_for_scope(
        conn,
        &seller_session,
        &context.basic,
        &context.client_id,
        unilogin::domain::resource::MARKETPLACE_SELLER,
    )
    .await?;
    expect(status, StatusCode::OK, &body)?;
    let seller_token = json_field(&body, "access_token")?;
    let request = conn
        .request("POST", "/api/marketplace/v1/seller/access-keys")
        .header("authorization", format!("Bearer {seller_token}"))
        .body(Body::default())
        .map_err(|e| e.to_string())?;
    let (status, body) = conn.send(request).await?;
    expect(status, StatusCode::CREATED, &body)?;
    Ok(OpenApiKeys {
        access_key: json_field(&body, "accessKey")?,
        secret_key: json_field(&body, "secretKey")?,
        order_id,
    })
}

/// The code in an authorize redirect to the app.
pub fn code_of(headers: &hyper::HeaderMap) -> Result<String, String> {
    let location = headers
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("authorize did not redirect")?;
    let url = url::Url::parse(location)
        .map_err(|_| format!("authorize sent the browser to {location}, not the app"))?;
    url.query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no code in {location}"))
}

/// The `Authorization` header of the bench client.
pub fn basic_auth(fixture: &Fixture) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", fixture.client_id, fixture.client_secret))
    )
}

/// Signs `username` (a bench user) in through the login page; the session cookie to send.
pub async fn sign_in(conn: &mut Connection, username: &str) -> Result<String, String> {
    let (cookie, form_body) = login_form(conn, username).await?;
    let request = conn
        .request("POST", "/unified-login/portal-login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body(Body::from(form_body))
        .map_err(|e| e.to_string())?;
    let response = conn.send_full(request).await?;
    let session = cookie_value(response.headers(), "unilogin_session")
        .ok_or("the bench login did not start a session")?;
    Ok(format!("unilogin_session={session}"))
}

/// The login page's CSRF cookie and a filled-in form body that carries its token.
async fn login_form(conn: &mut Connection, username: &str) -> Result<(String, String), String> {
    let request = conn
        .request("GET", "/unified-login/portal-login")
        .body(Body::default())
        .map_err(|e| e.to_string())?;
    let response = conn.send_full(request).await?;
    let csrf = cookie_value(response.headers(), "unilogin_csrf")
        .ok_or("the login page set no CSRF cookie")?;
    Ok((
        format!("unilogin_csrf={csrf}"),
        form(&[
            ("csrf_token", &csrf),
            ("username", username),
            ("password", PASSWORD),
        ]),
    ))
}
