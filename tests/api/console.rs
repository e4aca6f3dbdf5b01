//! The admin console over HTTP, as a browser without JavaScript drives it (reqwest with a
//! cookie jar, redirects followed by hand): signing in through authorize, the platform
//! administrator rule, CSRF, field errors that change nothing, stale edits, the recent
//! sign-in that destructive actions need, and the audit trail of console changes. The
//! same in real Chromium, with screenshots, is in `console_browser`.

use std::time::Duration;

use reqwest::{Client, Response};

use crate::helpers::{browser, hidden_fields, location, TestApp, PASSWORD, TENANT};

/// A page's answer after following redirects; signs in as `username` when the unified
/// login page asks.
pub struct Visit {
    pub status: u16,
    pub path: String,
    pub body: String,
}

pub async fn visit(app: &TestApp, browser: &Client, start: &str, username: &str) -> Visit {
    visit_as(app, browser, start, username, PASSWORD).await
}

pub async fn visit_as(
    app: &TestApp,
    browser: &Client,
    start: &str,
    username: &str,
    password: &str,
) -> Visit {
    let mut url = app.url(start);
    for _ in 0..12 {
        let response = browser.get(&url).send().await.expect("GET");
        if !matches!(response.status().as_u16(), 302 | 303) {
            let path = response.url().path().to_owned();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            return Visit { status, path, body };
        }
        let next = location(&response);
        url = if next.starts_with("/unified-login/portal-login?req=") {
            let login = signed_in(app, browser, &next, username, password).await;
            app.url(&location(&login))
        } else if next.starts_with('/') {
            app.url(&next)
        } else {
            next
        };
    }
    panic!("too many redirects from {start}");
}

pub async fn signed_in(
    app: &TestApp,
    browser: &Client,
    form: &str,
    username: &str,
    password: &str,
) -> Response {
    let html = browser
        .get(app.url(form))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut fields = hidden_fields(&html);
    fields.push(("username".into(), username.into()));
    fields.push(("password".into(), password.into()));
    let posted = browser
        .post(app.url("/unified-login/portal-login"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 302, "{username} signs in");
    posted
}

/// The CSRF token of a console page.
/// Submits a form; a redirect is answered with its target in `path`.
pub async fn submit(app: &TestApp, browser: &Client, path: &str, fields: &[(&str, &str)]) -> Visit {
    let response = browser
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if matches!(status, 302 | 303) {
        let next = location(&response);
        return Visit {
            status,
            path: next,
            body: String::new(),
        };
    }
    let path = response.url().path().to_owned();
    Visit {
        status,
        path,
        body: response.text().await.unwrap(),
    }
}

pub fn csrf(html: &str) -> String {
    hidden(html, "csrf_token")
}

/// The value of the first hidden field `name` on a page.
fn hidden(html: &str, name: &str) -> String {
    hidden_fields(html)
        .into_iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("no hidden {name} on the page"))
}

async fn post(app: &TestApp, browser: &Client, path: &str, form: &[(&str, &str)]) -> Response {
    browser
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .expect("POST")
}

#[tokio::test]
async fn signing_in_to_the_console_needs_a_platform_administrator() {
    let app = TestApp::spawn().await;
    let anonymous = browser();
    let response = anonymous.get(app.url("/console/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/login?return=%2Fconsole%2F");
    let response = anonymous
        .get(app.url("/console/login?return=%2Fconsole%2F"))
        .send()
        .await
        .unwrap();
    let authorize = location(&response);
    assert!(
        authorize.contains("client_id=unilogin-console"),
        "{authorize}"
    );
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );

    // alice signs in, but she does not administer the platform.
    let alice = browser();
    let page = visit(&app, &alice, "/console/", "alice").await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains("Only platform administrators") || page.body.contains("只有平台管理员")
    );
    assert!(page.body.contains("id=\"sign-in-other\""));

    // Made one, the same session reaches the overview.
    app.make_platform_admin("alice").await;
    let page = visit(&app, &alice, "/console/?lang=en", "alice").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Overview</h1>"), "{}", page.body);
    assert!(page.body.contains("id=\"signed-in-as\">alice<"));
    // Unknown console pages are the console's own 404 page.
    let missing = visit(&app, &alice, "/console/nothing-here", "alice").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("id=\"console-error\""));
}

#[tokio::test]
async fn console_changes_check_csrf_and_fields_and_are_audited() {
    let app = TestApp::spawn().await;
    let alice_id = app.make_platform_admin("alice").await;
    let alice = browser();
    let page = visit(&app, &alice, "/console/tenants?lang=en", "alice").await;
    assert_eq!(page.status, 200);
    let token = csrf(&page.body);

    // Without the CSRF token: refused, nothing created.
    let response = post(
        &app,
        &alice,
        "/console/tenants",
        &[("id", "t-new"), ("name", "New")],
    )
    .await;
    assert_eq!(response.status(), 403);
    assert!(app.durable.find_tenant("t-new").await.unwrap().is_none());

    // A bad id: the error beside the field, the typed values kept, nothing created.
    let response = post(
        &app,
        &alice,
        "/console/tenants",
        &[("csrf_token", &token), ("id", "bad id!"), ("name", "")],
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"id-error\""), "{body}");
    assert!(body.contains("id=\"name-error\">Required."), "{body}");
    assert!(body.contains("value=\"bad id!\""), "{body}");
    assert_eq!(app.count("tenants").await, 1);

    let response = post(
        &app,
        &alice,
        "/console/tenants",
        &[
            ("csrf_token", &token),
            ("id", "t-new"),
            ("name", "New tenant"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        "/console/tenants/t-new?done=tenant_created"
    );
    let tenant = app.durable.find_tenant("t-new").await.unwrap().unwrap();
    assert_eq!(tenant.name, "New tenant");
    let events = app.durable.admin_events("t-new").await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "tenant.created");
    assert_eq!(events[0].actor, format!("user:{alice_id}"));

    // Two administrators open the same tenant; the second write is stale.
    let first = visit(&app, &alice, "/console/tenants/t-new", "alice").await;
    let version = hidden_fields(&first.body)
        .into_iter()
        .find(|(n, _)| n == "version")
        .unwrap()
        .1;
    for (name, status) in [("Renamed once", 303), ("Renamed twice", 409)] {
        let response = post(
            &app,
            &alice,
            "/console/tenants/t-new",
            &[
                ("csrf_token", &token),
                ("version", &version),
                ("name", name),
            ],
        )
        .await;
        assert_eq!(response.status(), status, "{name}");
    }
    let tenant = app.durable.find_tenant("t-new").await.unwrap().unwrap();
    assert_eq!(tenant.name, "Renamed once");

    // The console's own registration is shown, not editable, and cannot be deleted.
    let own = visit(&app, &alice, "/console/clients/unilogin-console", "alice").await;
    assert!(own.body.contains("id=\"builtin-note\""), "{}", own.body);
    let response = post(
        &app,
        &alice,
        "/console/clients/unilogin-console/delete",
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(app
        .durable
        .find_client("unilogin-console")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn destructive_actions_need_a_recent_sign_in() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    let bob_id = app.create_user("bob", TENANT).await;
    let alice = browser();
    let disable = format!("/console/users/{bob_id}/disable");
    let page = visit(&app, &alice, &disable, "alice").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let token = csrf(&page.body);

    // Twenty minutes on, the console session still reads, but disabling asks for the
    // password again and changes nothing.
    app.clock().advance(Duration::from_secs(20 * 60));
    let overview = visit(&app, &alice, "/console/users", "alice").await;
    assert_eq!(overview.path, "/console/users");
    let response = post(&app, &alice, &disable, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), 303);
    let again = location(&response);
    assert!(again.starts_with("/console/login?"), "{again}");
    assert!(again.contains("fresh=1"), "{again}");
    let bob = app.durable.find_user(&bob_id).await.unwrap().unwrap();
    assert!(!bob.disabled);

    // Signing in again (prompt=login) comes back to the confirmation, which now works.
    let login = alice.get(app.url(&again)).send().await.unwrap();
    assert!(location(&login).contains("prompt=login"));
    let page = visit(&app, &alice, &again, "alice").await;
    assert_eq!(page.path, disable);
    let token = csrf(&page.body);
    let response = post(&app, &alice, &disable, &[("csrf_token", &token)]).await;
    assert_eq!(response.status(), 303);
    let bob = app.durable.find_user(&bob_id).await.unwrap().unwrap();
    assert!(bob.disabled);
}

#[tokio::test]
async fn the_console_session_ends_with_the_administrator() {
    let app = TestApp::spawn().await;
    let alice_id = app.make_platform_admin("alice").await;
    let alice = browser();
    assert_eq!(visit(&app, &alice, "/console/", "alice").await.status, 200);
    // No longer an administrator: refused at once, without signing out.
    app.durable
        .set_platform_admin(&alice_id, false)
        .await
        .unwrap();
    let response = alice.get(app.url("/console/")).send().await.unwrap();
    assert_eq!(response.status(), 403);
    // Administrator again, then her sessions are ended: the console sends her to sign in.
    app.make_platform_admin("alice").await;
    app.lifecycle().end_user(&alice_id).await.unwrap();
    let response = alice.get(app.url("/console/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/console/login"));
}

/// A hidden field's value on a page.
fn field(body: &str, name: &str) -> String {
    hidden_fields(body)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} on the page"))
}

/// The client secret a page shows, if it shows one.
fn shown_secret(body: &str) -> Option<String> {
    let at = body.find("id=\"client-secret\" value=\"")?;
    let rest = &body[at + "id=\"client-secret\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

#[tokio::test]
async fn a_reload_or_a_double_submit_never_registers_or_rotates_again() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    let alice = browser();
    let form = visit(&app, &alice, "/console/clients/new?lang=en", "alice").await;
    let fields = [
        ("csrf_token", csrf(&form.body)),
        ("form_id", field(&form.body, "form_id")),
        ("name", "Reloaded app".to_owned()),
        ("redirect_uris", "https://reloaded.example/cb".to_owned()),
        ("id_token_alg", "RS256".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let clients_before = app.count("clients").await;

    // Registered once: the answer is a redirect to the page that shows the secret.
    let first = post(&app, &alice, "/console/clients", &fields).await;
    assert_eq!(first.status(), 303);
    let secret_page = location(&first);
    assert!(secret_page.contains("/secret?shown="), "{secret_page}");
    // The same form again (a double click): the same place, nothing registered.
    let again = post(&app, &alice, "/console/clients", &fields).await;
    assert_eq!(
        (again.status().as_u16(), location(&again)),
        (303, secret_page.clone())
    );
    assert_eq!(app.count("clients").await, clients_before + 1);

    let shown = visit(&app, &alice, &secret_page, "alice").await;
    assert_eq!(shown.status, 200);
    let secret = shown_secret(&shown.body).expect("the secret, this once");
    assert!(secret.len() >= 32);
    let reloaded = visit(&app, &alice, &secret_page, "alice").await;
    assert_eq!(reloaded.status, 200);
    assert!(shown_secret(&reloaded.body).is_none(), "shown once");
    assert!(reloaded.body.contains("id=\"secret-gone\""));
    // Another administrator's browser does not open it either.
    app.create_user("bob", TENANT).await;
    app.make_platform_admin("bob").await;
    let bob = browser();
    let theirs = visit(&app, &bob, &secret_page, "bob").await;
    assert!(shown_secret(&theirs.body).is_none());

    // Rotated once; reloading the result, or sending the confirmation again, keeps the
    // secret just shown.
    let client_id = secret_page.split('/').nth(3).unwrap().to_owned();
    let rotate = format!("/console/clients/{client_id}/rotate");
    let question = visit(&app, &alice, &rotate, "alice").await;
    let confirm = [
        ("csrf_token", csrf(&question.body)),
        ("form_id", field(&question.body, "form_id")),
    ];
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let rotated = post(&app, &alice, &rotate, &confirm).await;
    assert_eq!(rotated.status(), 303);
    let rotated_page = location(&rotated);
    let new_secret = shown_secret(&visit(&app, &alice, &rotated_page, "alice").await.body)
        .expect("the new secret");
    assert_ne!(new_secret, secret);
    let again = post(&app, &alice, &rotate, &confirm).await;
    assert_eq!(
        (again.status().as_u16(), location(&again)),
        (303, rotated_page.clone())
    );
    assert!(shown_secret(&visit(&app, &alice, &rotated_page, "alice").await.body).is_none());
    let token = app
        .token_raw(
            &[("grant_type", "client_credentials")],
            Some((&client_id, &new_secret)),
        )
        .await;
    assert_eq!(token.status(), 200, "the secret shown is the one in force");

    // A rotation with a day's grace: the page says until when the old secret works, and
    // both work; a period the form does not offer is refused and rotates nothing.
    let question = visit(&app, &alice, &rotate, "alice").await;
    assert!(question
        .body
        .contains(r#"<option value="86400">1 day</option>"#));
    let graced = |grace: &'static str| {
        vec![
            ("csrf_token", csrf(&question.body)),
            ("form_id", field(&question.body, "form_id")),
            ("grace_seconds", grace.to_owned()),
        ]
    };
    let odd = graced("5");
    let odd: Vec<(&str, &str)> = odd.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = post(&app, &alice, &rotate, &odd).await;
    assert_eq!(refused.status(), 400);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Choose one of the grace periods listed."));
    let day = graced("86400");
    let day: Vec<(&str, &str)> = day.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let rotated = post(&app, &alice, &rotate, &day).await;
    assert_eq!(rotated.status(), 303);
    let shown = visit(&app, &alice, &location(&rotated), "alice").await;
    assert!(
        shown.body.contains("id=\"previous-valid-until\""),
        "{}",
        shown.body
    );
    let newest = shown_secret(&shown.body).expect("the newest secret");
    for secret in [&new_secret, &newest] {
        let token = app
            .token_raw(
                &[("grant_type", "client_credentials")],
                Some((&client_id, secret)),
            )
            .await;
        assert_eq!(token.status(), 200, "both work during the grace period");
    }
    let details = visit(
        &app,
        &alice,
        &format!("/console/clients/{client_id}"),
        "alice",
    )
    .await;
    assert!(details.body.contains("id=\"previous-valid-until\""));
}

#[tokio::test]
async fn a_new_user_joins_a_tenant_picked_from_the_list() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    let alice = browser();
    let page = visit(&app, &alice, "/console/users/new?lang=zh-CN", "alice").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<select id=\"tenant\" name=\"tenant\" required"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("<option value=\"{TENANT}\">")),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"to-new-tenant\""));
    let tenants_before = app.count("tenants").await;
    let users_before = app.count("users").await;

    // A tenant not in the list (a forged or stale form): refused beside the form, in the
    // page's language, and nothing is made.
    let mut fields = hidden_fields(&page.body);
    fields.push(("username".into(), "newbie".into()));
    fields.push(("tenant".into(), "tenant-typo".into()));
    fields.push(("role".into(), "user".into()));
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = post(&app, &alice, "/console/users", &form).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("租户 tenant-typo 不存在：请先创建该租户"),
        "{body}"
    );
    assert!(body.contains("value=\"newbie\""), "what was typed is kept");
    assert_eq!(app.count("tenants").await, tenants_before);
    assert_eq!(app.count("users").await, users_before);

    let page = visit(&app, &alice, "/console/users/new", "alice").await;
    let mut fields = hidden_fields(&page.body);
    fields.push(("username".into(), "newbie".into()));
    fields.push(("tenant".into(), TENANT.into()));
    fields.push(("role".into(), "user".into()));
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = post(&app, &alice, "/console/users", &form).await;
    assert_eq!(response.status(), 303);
    let user = app.durable.find_user_by_username("newbie").await.unwrap();
    assert_eq!(user.map(|u| u.tenant_id).as_deref(), Some(TENANT));
}

#[tokio::test]
async fn sign_ins_are_kept_with_their_address_listed_by_outcome_and_charted() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    app.create_user("bob", TENANT).await;
    // A wrong password for bob, and one for a username nobody has.
    for (username, password) in [("bob", "not-his-password-1"), ("mallory", "guess-1234")] {
        let refused = app
            .submit_login(&app.url("/unified-login/portal-login"), username, password)
            .await;
        assert_eq!(refused.status(), 200, "the form again");
    }
    let alice = browser();
    let failed = visit(
        &app,
        &alice,
        "/console/sign-ins?outcome=failure&lang=en",
        "alice",
    )
    .await;
    assert_eq!(failed.status, 200);
    let rows = failed.body.matches("class=\"sign-in-failure\"").count();
    assert_eq!(rows, 2, "{}", failed.body);
    assert!(!failed.body.contains("class=\"sign-in-success\""));
    assert!(failed.body.contains("127.0.0.1"), "the address is kept");
    let bob = app
        .durable
        .find_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    assert!(
        failed
            .body
            .contains(&format!("href=\"/console/users/{}\">bob</a>", bob.id)),
        "a known user links to their page"
    );
    assert!(
        failed.body.contains(">mallory</span>"),
        "typed usernames are kept as typed"
    );
    // alice's own sign-in to the console succeeded.
    let succeeded = visit(&app, &alice, "/console/sign-ins?outcome=success", "alice").await;
    assert!(succeeded.body.contains(">alice</a>"), "{}", succeeded.body);
    let bobs = visit(&app, &alice, "/console/sign-ins?username=bob", "alice").await;
    assert_eq!(bobs.body.matches("<tr class=\"sign-in-").count(), 1);
    let nobody = visit(&app, &alice, "/console/sign-ins?address=10.9.9.9", "alice").await;
    assert!(nobody.body.contains("No sign-ins match."));
    let bad_day = visit(&app, &alice, "/console/sign-ins?from=yesterday", "alice").await;
    assert_eq!(bad_day.status, 422);

    // The overview charts the last fourteen days, today last, with the numbers beside.
    let overview = visit(&app, &alice, "/console/?lang=zh-CN", "alice").await;
    assert!(
        overview.body.contains("<svg id=\"sign-in-chart\""),
        "{}",
        overview.body
    );
    // Two bars a day for the sign-ins, one in each of the three activity charts.
    assert_eq!(overview.body.matches("<rect ").count(), 28 + 3 * 14);
    let today = unilogin::calendar::local().day(app.clock().now_unix());
    assert!(
        overview
            .body
            .contains(&format!("<tr><td>{today}</td><td>1</td><td>2</td></tr>")),
        "{}",
        overview.body
    );
    assert!(overview.body.contains("时间均为北京时间 (UTC+08:00)。"));
}

#[tokio::test]
async fn marketplace_roles_are_shown_and_changed_on_the_user_page_and_audited() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    app.create_user("bob", TENANT).await;
    let bob = app
        .durable
        .find_user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    let market = unilogin::marketplace::store::MarketStore::new(&app.durable, app.clock().clone());
    let admin = browser();
    let user_page = format!("/console/users/{}", bob.id);
    let page = visit(&app, &admin, &format!("{user_page}?lang=zh-CN"), "alice").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("云商店角色"), "{}", page.body);
    assert!(
        page.body.contains("所属租户尚未登记为商家"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"grant-operator\""));
    let token = csrf(&page.body);

    // Made an operator; the same form again (a reload, a second click) changes nothing.
    for _ in 0..2 {
        let done = submit(
            &app,
            &admin,
            &format!("{user_page}/operator"),
            &[("csrf_token", &token), ("operator", "true")],
        )
        .await;
        assert_eq!(done.status, 303);
        assert_eq!(done.path, format!("{user_page}?done=operator_granted"));
    }
    assert!(market.is_operator(&bob.id).await.unwrap());
    let page = visit(
        &app,
        &admin,
        &format!("{user_page}?done=operator_granted"),
        "alice",
    )
    .await;
    assert!(page.body.contains("已设为云商店运营。"), "{}", page.body);
    assert!(page.body.contains("id=\"revoke-operator\""));
    let refused = submit(
        &app,
        &admin,
        &format!("{user_page}/operator"),
        &[("csrf_token", &token), ("operator", "maybe")],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("运营角色的取值无效"),
        "{}",
        refused.body
    );
    assert!(market.is_operator(&bob.id).await.unwrap());

    // The tenant registered as a merchant: a bad name is refused beside its field.
    let form_id = hidden(&page.body, "form_id");
    let blank = submit(
        &app,
        &admin,
        &format!("{user_page}/merchant"),
        &[
            ("csrf_token", &token),
            ("form_id", &form_id),
            ("merchant_name", "  "),
        ],
    )
    .await;
    assert_eq!(blank.status, 422);
    assert!(
        blank.body.contains("商家名称应为 1 到 128 个可打印字符"),
        "{}",
        blank.body
    );
    assert!(market.merchant(TENANT).await.unwrap().is_none());
    let page = visit(&app, &admin, &user_page, "alice").await;
    let form_id = hidden(&page.body, "form_id");
    let fields = [
        ("csrf_token", token.as_str()),
        ("form_id", form_id.as_str()),
        ("merchant_name", "Bob's Shop"),
    ];
    for _ in 0..2 {
        let done = submit(&app, &admin, &format!("{user_page}/merchant"), &fields).await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.path, format!("{user_page}?done=merchant_registered"));
    }
    assert_eq!(
        market.merchant(TENANT).await.unwrap().map(|m| m.name),
        Some("Bob's Shop".to_owned())
    );
    let page = visit(&app, &admin, &user_page, "alice").await;
    assert!(page.body.contains("Bob&#x27;s Shop") || page.body.contains("Bob&#39;s Shop"));
    assert!(!page.body.contains("id=\"merchant-form\""));

    // Taken away again; each change is one audit event with what it was and became.
    let done = submit(
        &app,
        &admin,
        &format!("{user_page}/operator"),
        &[("csrf_token", &token), ("operator", "false")],
    )
    .await;
    assert_eq!(done.path, format!("{user_page}?done=operator_revoked"));
    assert!(!market.is_operator(&bob.id).await.unwrap());
    let trail: Vec<(String, serde_json::Value)> = app
        .durable
        .admin_events(&bob.id)
        .await
        .unwrap()
        .into_iter()
        .chain(app.durable.admin_events(TENANT).await.unwrap())
        .filter(|e| e.action.contains("operator") || e.action.contains("merchant"))
        .map(|e| (e.action, serde_json::from_str(&e.changes).unwrap()))
        .collect();
    assert_eq!(
        trail,
        [
            (
                "user.operator_granted".to_owned(),
                serde_json::json!({"operator": {"from": false, "to": true}})
            ),
            (
                "user.operator_revoked".to_owned(),
                serde_json::json!({"operator": {"from": true, "to": false}})
            ),
            (
                "tenant.merchant_registered".to_owned(),
                serde_json::json!({"merchant": "Bob's Shop"})
            ),
        ]
    );

    // The audit log reads them as a before/after table in words.
    let audit = visit(&app, &admin, "/console/audit?lang=zh-CN", "alice").await;
    assert!(audit.body.contains("取消云商店运营"), "{}", audit.body);
    assert!(audit.body.contains("<th scope=\"col\">变更前</th>"));
    assert!(
        audit.body.contains(
            "<th scope=\"row\">云商店运营</th><td class=\"wrap\">是</td><td class=\"wrap\">否</td>"
        ),
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn the_overview_charts_tokens_issued_sessions_live_and_accounts_locked() {
    let app = TestApp::spawn().await;
    app.make_platform_admin("alice").await;
    app.create_user("bob", TENANT).await;
    // bob's account locked by five wrong passwords; a sixth while locked is not a second
    // account.
    for attempt in 0..6 {
        let refused = app
            .submit_login(
                &app.url("/unified-login/portal-login"),
                "bob",
                &format!("not-his-password-{attempt}"),
            )
            .await;
        assert_eq!(refused.status(), 200);
    }
    // Two tokens at the token endpoint, from one browser session of alice's.
    let callback = app.login(&app.client, &[]).await;
    let tokens = app
        .exchange_code(&app.client, callback.code.as_deref().unwrap())
        .await
        .expect("a code exchange");
    let refresh = oauth2::TokenResponse::refresh_token(&tokens).unwrap();
    app.refresh(&app.client, refresh.secret())
        .await
        .expect("a refresh");
    let admin = browser();
    let overview = visit(&app, &admin, "/console/?lang=en", "alice").await;
    assert_eq!(overview.status, 200);
    for chart in ["tokens-chart", "sessions-chart", "locked-chart"] {
        assert!(
            overview.body.contains(&format!("<svg id=\"{chart}\"")),
            "{}",
            overview.body
        );
    }
    // Today's row: two tokens, alice's two sessions (the app's and the console's), bob.
    let today = unilogin::calendar::local().day(app.clock().now_unix());
    assert!(
        overview.body.contains(&format!(
            "<tr><td>{today}</td><td>2</td><td>2</td><td>1</td></tr>"
        )),
        "{}",
        overview.body
    );
    let numbers = overview.body.split("id=\"activity-days\"").nth(1).unwrap();
    let numbers = numbers.split("</table>").next().unwrap();
    assert_eq!(numbers.matches("<tr><td>").count(), 14, "fourteen days");

    // Tomorrow the counts start again; yesterday's stay.
    app.clock().advance(std::time::Duration::from_secs(86_400));
    let overview = visit(&app, &admin, "/console/?lang=en", "alice").await;
    let tomorrow = unilogin::calendar::local().day(app.clock().now_unix());
    assert!(overview.body.contains(&format!(
        "<tr><td>{today}</td><td>2</td><td>2</td><td>1</td></tr>"
    )));
    assert!(
        overview
            .body
            .contains(&format!("<tr><td>{tomorrow}</td><td>0</td>")),
        "{}",
        overview.body
    );
}

#[tokio::test]
async fn sign_ins_older_than_the_retention_are_deleted_and_administrative_events_kept() {
    use unilogin::store::durable::SignInOutcome;
    let app = TestApp::spawn().await;
    let durable = &app.durable;
    let admin_events = durable.admin_events("").await.unwrap().len();
    durable
        .record_sign_in(SignInOutcome::Failure, "", "mallory", "10.0.0.1")
        .await
        .unwrap();
    durable
        .record_lockout("", "mallory", "10.0.0.1")
        .await
        .unwrap();
    app.clock().advance(Duration::from_secs(181 * 86_400));
    durable
        .record_sign_in(SignInOutcome::Success, "", "alice", "10.0.0.2")
        .await
        .unwrap();
    let retention = unilogin::config::Limits::default().sign_in_retention_days;
    assert_eq!(retention, 180);
    let before = app.clock().now_unix() - i64::from(retention) * 86_400;
    assert_eq!(durable.purge_sign_ins(before).await.unwrap(), 2);
    assert_eq!(durable.purge_sign_ins(before).await.unwrap(), 0, "once");
    let everything = unilogin::store::durable::SignInFilter {
        to: i64::MAX,
        ..Default::default()
    };
    let kept = durable.sign_ins(&everything, "", 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].username, "alice");
    assert_eq!(durable.admin_events("").await.unwrap().len(), admin_events);
}
