//! The malformed-input suite: every endpoint gets missing, duplicated, empty, oversized,
//! non-UTF-8, wrongly-typed and injection-shaped input, wrong content types and wrong
//! methods. Each case names the exact status and `error` code; after all of them nothing
//! is stored, and no HTML page reflects user input unescaped.

use reqwest::Method;

use crate::helpers::{location, TestApp};

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

/// Cases for a client-authenticated form endpoint whose one required field is `field`.
fn back_channel_cases(path: &'static str, field: &'static str, base: &[(&str, &str)]) -> Vec<Case> {
    let with = |extra: &[(&str, &str)]| {
        let mut pairs = base.to_vec();
        pairs.extend_from_slice(extra);
        form(&pairs)
    };
    let bad = |code| Expect::Json(400, code);
    let mut cases = vec![
        post("missing", path, with(&[]), bad("invalid_request")),
        post("empty", path, with(&[(field, "")]), bad("invalid_request")),
        post(
            "duplicated",
            path,
            with(&[(field, "a"), (field, "b")]),
            bad("invalid_request"),
        ),
        post(
            "non-UTF-8 escape",
            path,
            [with(&[]), format!("&{field}=%FF%FE").into_bytes()].concat(),
            bad("invalid_request"),
        ),
        post(
            "non-UTF-8 raw bytes",
            path,
            [
                with(&[]),
                format!("&{field}=").into_bytes(),
                vec![0xC3, 0x28],
            ]
            .concat(),
            bad("invalid_request"),
        ),
    ];
    for (name, content_type) in [
        ("JSON body", Some("application/json")),
        ("text body", Some("text/plain")),
        ("multipart body", Some("multipart/form-data; boundary=x")),
        ("no content type", None),
    ] {
        let mut case = post(name, path, with(&[(field, "x")]), bad("invalid_request"));
        case.content_type = content_type;
        cases.push(case);
    }
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
        let mut case = post(
            "wrong method",
            path,
            with(&[(field, "x")]),
            Expect::Json(405, "invalid_request"),
        );
        case.method = method;
        cases.push(case);
    }
    let mut anonymous = post(
        "no client credentials",
        path,
        with(&[(field, "x")]),
        Expect::Json(401, "invalid_client"),
    );
    anonymous.basic = false;
    cases.push(anonymous);
    cases
}

fn all_cases(app: &TestApp) -> Vec<Case> {
    let token = "/api/v1/oauth2/token";
    let mut cases = back_channel_cases(token, "grant_type", &[]);
    let grant = |extra: &[(&str, &str)], expect| {
        let mut pairs = vec![("grant_type", "authorization_code")];
        pairs.extend_from_slice(extra);
        post("token grant", token, form(&pairs), expect)
    };
    let invalid_grant = Expect::Json(400, "invalid_grant");
    let long = "c".repeat(20_000);
    cases.extend([
        grant(&[], Expect::Json(400, "invalid_request")),
        grant(&[("code", SQL)], invalid_grant),
        grant(&[("code", CRLF)], invalid_grant),
        grant(&[("code", HTML)], invalid_grant),
        grant(&[("code", &long)], invalid_grant),
        grant(&[("code", "x"), ("redirect_uri", HTML)], invalid_grant),
        grant(&[("code", "x"), ("code_verifier", SQL)], invalid_grant),
        post(
            "unknown grant",
            token,
            form(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "x"),
            ]),
            Expect::Json(400, "unsupported_grant_type"),
        ),
        post(
            "grant injection",
            token,
            form(&[("grant_type", SQL)]),
            Expect::Json(400, "unsupported_grant_type"),
        ),
        post(
            "refresh injection",
            token,
            form(&[("grant_type", "refresh_token"), ("refresh_token", SQL)]),
            invalid_grant,
        ),
        post(
            "refresh oversized",
            token,
            form(&[("grant_type", "refresh_token"), ("refresh_token", &long)]),
            invalid_grant,
        ),
        post(
            "scope wrongly typed",
            token,
            form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "x"),
                ("scope", "openid,email"),
            ]),
            Expect::Json(400, "invalid_scope"),
        ),
        post(
            "scope CRLF",
            token,
            form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "x"),
                ("scope", CRLF),
            ]),
            Expect::Json(400, "invalid_scope"),
        ),
        post(
            "client_credentials scope",
            token,
            form(&[("grant_type", "client_credentials"), ("scope", HTML)]),
            Expect::Json(400, "invalid_scope"),
        ),
    ]);
    cases.extend(back_channel_cases(
        "/api/v1/oauth2/introspect",
        "token",
        &[],
    ));
    cases.extend(back_channel_cases("/api/v1/oauth2/revoke", "token", &[]));

    // Bearer-protected userinfo: anything but one good bearer token is the same 401.
    let unauthorized = Expect::Json(401, "unauthorized");
    for (name, header) in [
        ("no bearer", None),
        ("empty bearer", Some("Bearer ".to_owned())),
        ("basic scheme", Some("Basic YTpi".to_owned())),
        ("SQL bearer", Some(format!("Bearer {SQL}"))),
        ("HTML bearer", Some(format!("Bearer {HTML}"))),
        (
            "oversized bearer",
            Some(format!("Bearer {}", "a.b.".repeat(3000))),
        ),
        (
            "alg none",
            Some("Bearer eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.".to_owned()),
        ),
    ] {
        let mut case = get(name, "/api/v1/oauth2/userinfo".into(), unauthorized);
        case.bearer = header;
        cases.push(case);
    }
    let mut wrong = get(
        "userinfo wrong method",
        "/api/v1/oauth2/userinfo".into(),
        Expect::Json(405, "invalid_request"),
    );
    wrong.method = Method::DELETE;
    cases.push(wrong);

    // Authorize: errors about the client or its redirect URI are pages, never redirects.
    let authorize = "/api/v1/oauth2/authorize";
    let id = app.client.id.as_str();
    let registered = app.client.redirect_uri.as_str();
    cases.extend([
        get(
            "authorize no client",
            query(authorize, &[("response_type", "code")]),
            Expect::Page(400),
        ),
        get(
            "authorize empty client",
            query(authorize, &[("response_type", "code"), ("client_id", "")]),
            Expect::Page(400),
        ),
        get(
            "authorize duplicated client",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("client_id", id),
                ],
            ),
            Expect::Page(400),
        ),
        get(
            "authorize SQL client",
            query(authorize, &[("response_type", "code"), ("client_id", SQL)]),
            Expect::Page(400),
        ),
        get(
            "authorize HTML client",
            query(authorize, &[("response_type", "code"), ("client_id", HTML)]),
            Expect::Page(400),
        ),
        get(
            "authorize HTML redirect",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("redirect_uri", HTML),
                ],
            ),
            Expect::Page(400),
        ),
        get(
            "authorize javascript redirect",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("redirect_uri", "javascript:alert(1)"),
                ],
            ),
            Expect::Page(400),
        ),
        get(
            "authorize CRLF redirect",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("redirect_uri", &format!("{registered}{CRLF}")),
                ],
            ),
            Expect::Page(400),
        ),
        get(
            "authorize non-UTF-8",
            format!("{authorize}?response_type=code&client_id=%FF"),
            Expect::Page(400),
        ),
        get(
            "authorize oversized state",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("state", &"s".repeat(5000)),
                ],
            ),
            Expect::Redirect("invalid_request"),
        ),
        get(
            "authorize wrongly typed scope",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("scope", "openid,profile"),
                ],
            ),
            Expect::Redirect("invalid_scope"),
        ),
        get(
            "authorize CRLF scope",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("scope", CRLF),
                ],
            ),
            Expect::Redirect("invalid_scope"),
        ),
        get(
            "authorize bad response type",
            query(
                authorize,
                &[("response_type", HTML), ("client_id", id), ("state", HTML)],
            ),
            Expect::Redirect("unsupported_response_type"),
        ),
        get(
            "authorize bad challenge method",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("code_challenge", "x"),
                    ("code_challenge_method", SQL),
                ],
            ),
            Expect::Redirect("invalid_request"),
        ),
        get(
            "authorize bad prompt",
            query(
                authorize,
                &[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("prompt", CRLF),
                ],
            ),
            Expect::Redirect("invalid_request"),
        ),
    ]);
    let mut wrong = get(
        "authorize wrong method",
        authorize.into(),
        Expect::Json(405, "invalid_request"),
    );
    wrong.method = Method::POST;
    cases.push(wrong);

    // The login page and its form.
    let login = "/unified-login/portal-login";
    cases.extend([
        get(
            "portal bad ind",
            query(login, &[("ind", HTML), ("appId", &app.client.app_id)]),
            Expect::Page(400),
        ),
        get(
            "portal unknown app",
            query(login, &[("ind", "UNOP"), ("appId", HTML)]),
            Expect::Page(400),
        ),
        get(
            "portal duplicated app",
            query(login, &[("ind", "UNOP"), ("appId", "a"), ("appId", "b")]),
            Expect::Page(400),
        ),
        get(
            "portal non-UTF-8",
            format!("{login}?ind=UNOP&appId=%C3%28"),
            Expect::Page(400),
        ),
        get(
            "portal unknown request",
            query(login, &[("req", SQL)]),
            Expect::Page(400),
        ),
    ]);
    let mut json_login = post(
        "login JSON body",
        login,
        b"{\"username\":\"alice\"}".to_vec(),
        Expect::Page(400),
    );
    json_login.content_type = Some("application/json");
    cases.push(json_login);
    cases.push(post(
        "login without CSRF",
        login,
        form(&[("username", HTML), ("password", "x")]),
        Expect::Page(403),
    ));
    cases.push(post(
        "login non-UTF-8",
        login,
        b"username=%FF&password=x".to_vec(),
        Expect::Page(400),
    ));

    // Logout never redirects to what it was handed unless registered.
    for target in [HTML, CRLF, SQL, "javascript:alert(1)", "//evil.example/"] {
        cases.push(get(
            "logout target",
            query("/api/v1/logout", &[("redirect_url", target)]),
            Expect::Redirect(""),
        ));
    }
    cases.push(get(
        "end_session HTML state",
        query(
            "/api/v1/oauth2/end_session",
            &[("post_logout_redirect_uri", HTML), ("state", HTML)],
        ),
        Expect::Page(400),
    ));
    cases.push(get(
        "end_session SQL hint",
        query("/api/v1/oauth2/end_session", &[("id_token_hint", SQL)]),
        Expect::Page(400),
    ));
    cases.push(get(
        "end_session non-UTF-8",
        "/api/v1/oauth2/end_session?state=%FF".into(),
        Expect::Page(400),
    ));
    cases
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
    let cases = all_cases(&app);
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
