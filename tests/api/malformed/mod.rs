//! The malformed-input suite: every endpoint gets missing, duplicated, empty, oversized,
//! non-UTF-8, wrongly-typed and injection-shaped input, wrong content types and wrong
//! methods. Each case names the exact status and `error` code; after all of them nothing
//! is stored, and no HTML page reflects user input unescaped.

use reqwest::Method;

use crate::helpers::{location, TestApp};

mod cases;

const FORM: &str = "application/x-www-form-urlencoded";
const SQL: &str = "' OR '1'='1'; DROP TABLE users; --";
const CRLF: &str = "x\r\nSet-Cookie: pwned=1";
const HTML: &str = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

/// What a case expects back: JSON with this `error`, or an HTML page.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Json(u16, &'static str),
    Page(u16),
    Redirect(&'static str),
}

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    basic: bool,
    bearer: Option<String>,
    expect: Expect,
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish().into_bytes()
}

fn query(path: &str, pairs: &[(&str, &str)]) -> String {
    format!("{path}?{}", String::from_utf8(form(pairs)).unwrap())
}

fn post(name: &'static str, path: &str, body: Vec<u8>, expect: Expect) -> Case {
    Case {
        name,
        method: Method::POST,
        path: path.to_owned(),
        content_type: Some(FORM),
        body,
        basic: true,
        bearer: None,
        expect,
    }
}

fn get(name: &'static str, path: String, expect: Expect) -> Case {
    Case {
        name,
        method: Method::GET,
        path,
        content_type: None,
        body: Vec::new(),
        basic: false,
        bearer: None,
        expect,
    }
}

async fn stored(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "tenants",
        "users",
        "clients",
        "client_uris",
        "grant_families",
        "refresh_tokens",
        "revocations",
        "audit_events",
        "stored_keys",
    ] {
        counts.push(app.count(table).await);
    }
    counts
}

#[tokio::test]
async fn every_endpoint_answers_malformed_input_exactly_and_stores_nothing() {
    let app = TestApp::spawn().await;
    // A live session, so that authorize cases would issue codes if they got that far.
    let live = app.signed_in_tokens(&[]).await;
    let before = stored(&app).await;
    let cases = cases::all_cases(&app);
    assert!(cases.len() > 90, "{} cases", cases.len());
    let secret = app.client.secret.clone().unwrap();
    for case in &cases {
        let mut request = app
            .browser
            .request(case.method.clone(), app.url(&case.path));
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        if !case.body.is_empty() {
            request = request.body(case.body.clone());
        }
        if case.basic {
            request = request.basic_auth(&app.client.id, Some(&secret));
        }
        if let Some(value) = &case.bearer {
            request = request.header("authorization", value.as_str());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        for (name, value) in response.headers() {
            let value = value.as_bytes();
            assert!(
                !value.contains(&b'\r') && !value.contains(&b'\n'),
                "{}: header {name} carries a line break",
                case.name
            );
        }
        assert!(
            !response
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().contains("pwned")),
            "{}",
            case.name
        );
        match case.expect {
            Expect::Json(want_status, want_error) => {
                assert_eq!(status, want_status, "{}: {}", case.name, case.path);
                assert!(
                    content_type.starts_with("application/json"),
                    "{}: {content_type}",
                    case.name
                );
                let body: serde_json::Value = response.json().await.expect("JSON error");
                assert_eq!(body["error"], want_error, "{}: {body}", case.name);
                assert!(
                    body["error_description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{}",
                    case.name
                );
            }
            Expect::Page(want_status) => {
                assert_eq!(status, want_status, "{}: {}", case.name, case.path);
                assert!(
                    content_type.starts_with("text/html"),
                    "{}: {content_type}",
                    case.name
                );
                let html = response.text().await.unwrap();
                assert!(!html.contains("<script"), "{}: reflected script", case.name);
                assert!(!html.contains("<img"), "{}: reflected markup", case.name);
                assert!(!html.contains("evil.example\""), "{}", case.name);
            }
            Expect::Redirect(error) => {
                assert_eq!(status, 302, "{}: {}", case.name, case.path);
                let target = location(&response);
                if error.is_empty() {
                    assert_eq!(target, "/unified-login/portal-login", "{}", case.name);
                } else {
                    let url = url::Url::parse(&target).expect("absolute redirect");
                    assert!(
                        target.starts_with(&app.client.redirect_uri),
                        "{}: {target}",
                        case.name
                    );
                    let get = |k: &str| {
                        url.query_pairs()
                            .find(|(key, _)| key == k)
                            .map(|(_, v)| v.into_owned())
                    };
                    assert_eq!(get("error").as_deref(), Some(error), "{}", case.name);
                    assert_eq!(get("code"), None, "{}", case.name);
                }
            }
        }
        // Logout cases end the session: sign in again so later cases still have one.
        if case.name == "logout target" {
            app.signed_in_tokens(&[]).await;
        }
    }
    let after = stored(&app).await;
    // The only writes are the re-logins between logout cases (a family and a refresh
    // token each, a login audit event and the session revocation): count them out.
    let logouts = cases.iter().filter(|c| c.name == "logout target").count() as i64;
    let expected: Vec<i64> = before
        .iter()
        .zip([
            "",
            "",
            "",
            "",
            "family",
            "refresh",
            "revocation",
            "audit",
            "",
        ])
        .map(|(n, kind)| match kind {
            "family" | "refresh" | "revocation" => n + logouts,
            "audit" => n + 2 * logouts,
            _ => *n,
        })
        .collect();
    assert_eq!(after, expected, "nothing but the re-logins was stored");
    drop(live);
}
