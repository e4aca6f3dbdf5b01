//! NUL bytes in identifiers: PostgreSQL refuses a text parameter holding one, and every
//! identifier that reached a query that way answered 500 — three of them without any
//! credentials. Identifiers are parsed before any query: a NUL is malformed input like
//! any other, answered with a 4xx, on both backends.

use reqwest::Method;

use crate::admin_api::{administrator, Admin};
use crate::marketplace::token_for;

const NUL: &str = "a\u{0}b";
const NUL_IN_PATH: &str = "a%00b";

/// A request and what it must be answered with.
struct Probe {
    method: Method,
    path: String,
    form: Vec<(&'static str, String)>,
    bearer: Option<String>,
    basic: Option<(String, String)>,
}

fn get(path: String) -> Probe {
    Probe {
        method: Method::GET,
        path,
        form: Vec::new(),
        bearer: None,
        basic: None,
    }
}

fn post(path: &str, form: Vec<(&'static str, String)>) -> Probe {
    Probe {
        method: Method::POST,
        path: path.to_owned(),
        form,
        bearer: None,
        basic: None,
    }
}

#[tokio::test]
async fn a_nul_in_any_identifier_is_malformed_input_never_a_500() {
    let Admin { mut app, token, .. } = administrator().await;
    let buyer = token_for(&mut app, "alice").await;
    let token_path = "/api/v1/oauth2/token";
    let client = app.client.clone();
    let secret = client.secret.clone().unwrap();
    let mut probes = vec![
        // Without credentials.
        get(format!(
            "/unified-login/portal-login?ind=UNOP&appId={NUL_IN_PATH}"
        )),
        get(format!(
            "/api/v1/oauth2/end_session?client_id={NUL_IN_PATH}"
        )),
        get(format!(
            "/api/v1/oauth2/authorize?response_type=code&client_id={NUL_IN_PATH}\
             &redirect_uri=https%3A%2F%2Fx.example%2Fcb&scope=openid"
        )),
        post(
            token_path,
            vec![
                ("grant_type", "client_credentials".into()),
                ("client_id", NUL.into()),
                ("client_secret", "x".into()),
            ],
        ),
        post(
            "/unified-login/portal-login",
            vec![
                ("username", NUL.into()),
                ("password", "x".into()),
                ("req", NUL.into()),
            ],
        ),
    ];
    let with_basic = |mut probe: Probe| {
        probe.basic = Some((client.id.clone(), secret.clone()));
        probe
    };
    probes.extend([
        with_basic(post(
            token_path,
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", NUL.into()),
            ],
        )),
        with_basic(post(
            token_path,
            vec![
                ("grant_type", "authorization_code".into()),
                ("code", NUL.into()),
                ("redirect_uri", client.redirect_uri.clone()),
            ],
        )),
        with_basic(post(
            "/api/v1/oauth2/introspect",
            vec![("token", NUL.into())],
        )),
        with_basic(post("/api/v1/oauth2/revoke", vec![("token", NUL.into())])),
    ]);
    let mut basic_nul = post(
        token_path,
        vec![("grant_type", "client_credentials".into())],
    );
    basic_nul.basic = Some((NUL.into(), "x".into()));
    probes.push(basic_nul);
    for path in [
        "/api/admin/v1/clients/",
        "/api/admin/v1/tenants/",
        "/api/admin/v1/users/",
        "/api/admin/v1/users/u/sessions/",
    ] {
        let mut probe = get(format!("{path}{NUL_IN_PATH}"));
        probe.bearer = Some(token.clone());
        probes.push(probe);
    }
    for path in [
        "/api/marketplace/v1/products/",
        "/api/marketplace/v1/buyer/orders/",
        "/api/marketplace/v1/buyer/subscriptions/",
        "/api/marketplace/v1/buyer/supervisions/",
        "/api/marketplace/v1/buyer/unsubscribe-requests/",
        "/api/marketplace/v1/buyer/work-orders/",
        "/api/marketplace/v1/buyer/discounts/",
        "/api/marketplace/v1/attachments/",
    ] {
        let mut probe = get(format!("{path}{NUL_IN_PATH}"));
        probe.bearer = Some(buyer.clone());
        probes.push(probe);
    }

    let mut failures = Vec::new();
    for probe in &probes {
        let mut request = app
            .backchannel
            .request(probe.method.clone(), app.url(&probe.path));
        if !probe.form.is_empty() {
            request = request.form(&probe.form);
        }
        if let Some(bearer) = &probe.bearer {
            request = request.bearer_auth(bearer);
        }
        if let Some((user, password)) = &probe.basic {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        if !(200..500).contains(&status) {
            let head: String = body.chars().take(200).collect();
            failures.push(format!(
                "{} {} {:?}: {status} {head}",
                probe.method, probe.path, probe.form
            ));
        }
    }
    // The consoles' pages, signed in.
    let browser = crate::helpers::browser();
    for page in [
        "/console/clients/a%00b",
        "/console/tenants/a%00b",
        "/console/users/a%00b",
        "/market/orders/a%00b",
        "/market/subscriptions/a%00b",
        "/market/supervisions/a%00b",
        "/market/work-orders/a%00b",
        "/market/unsubscribes/a%00b",
        "/market/products/a%00b",
    ] {
        let visit = crate::console::visit(&app, &browser, page, "alice").await;
        if !(200..500).contains(&visit.status) {
            failures.push(format!("GET {page}: {}", visit.status));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
