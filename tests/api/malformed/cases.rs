//! The table: every endpoint with missing, duplicated, empty, oversized, non-UTF-8, wrongly typed and injection-shaped input, and the exact answer each must get.

use super::*;

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

pub(super) fn all_cases(app: &TestApp) -> Vec<Case> {
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
