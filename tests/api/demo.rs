//! `serve --demo`: the partner-app page signs in through the real flow and shows userinfo.

use unilogin::demo::{DEMO_PASSWORD, DEMO_USERNAME};

use crate::console::{csrf, submit, visit_as};
use crate::helpers::{location, TestApp};

async fn follow_demo_sign_in(app: &TestApp) -> String {
    let home = app.page(&app.url("/demo/")).await;
    assert!(home.contains("id=\"demo-login\""));
    let to_authorize = location(&app.get(&app.url("/demo/login")).await);
    assert!(to_authorize.starts_with(&format!("{}/api/v1/oauth2/authorize?", app.issuer())));
    let callback = app
        .login_at(&to_authorize, DEMO_USERNAME, DEMO_PASSWORD)
        .await;
    assert!(callback
        .location
        .starts_with(&format!("{}/demo/callback?", app.issuer())));
    let back = app.get(&callback.location).await;
    assert_eq!(back.status(), 302, "the demo exchanged the code");
    assert_eq!(location(&back), "/demo/");
    app.page(&app.url("/demo/")).await
}

#[tokio::test]
async fn the_demo_app_signs_in_through_the_real_flow_and_shows_userinfo() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let page = follow_demo_sign_in(&app).await;
    assert!(page.contains("id=\"userinfo\""), "{page}");
    assert!(page.contains("data-claim=\"userName\">demo<"));
    assert!(page.contains("data-claim=\"tenant\">demo-tenant<"));
    assert!(page.contains("data-claim=\"role\">admin<"));

    // Signing out of the demo ends the unilogin session and comes back to the demo.
    let out = app.get(&app.url("/demo/logout")).await;
    let to_logout = location(&out);
    let back = app.get(&to_logout).await;
    assert_eq!(location(&back), format!("{}/demo/", app.issuer()));
    let home = app.page(&app.url("/demo/")).await;
    assert!(home.contains("id=\"demo-login\""));
}

#[tokio::test]
async fn the_demo_user_administers_the_console() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let browser = crate::helpers::browser();
    let page = crate::console::visit_as(
        &app,
        &browser,
        "/console/?lang=en",
        DEMO_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Overview</h1>"), "{}", page.body);
    // Each console links to the other where the user has a role there.
    assert!(
        page.body
            .contains(r#"<a id="other-console" href="/market/">Marketplace console</a>"#),
        "{}",
        page.body
    );
    let market = visit_as(
        &app,
        &browser,
        "/market/?lang=en",
        DEMO_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(market.status, 200, "{}", market.body);
    assert!(
        market
            .body
            .contains(r#"<a id="other-console" href="/console/">Admin console</a>"#),
        "{}",
        market.body
    );
    let seller = crate::helpers::browser();
    let market = visit_as(
        &app,
        &seller,
        "/market/?lang=en",
        unilogin::demo::DEMO_SELLER_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(market.status, 200, "{}", market.body);
    assert!(
        market.body.contains("id=\"signed-in-as\""),
        "{}",
        market.body
    );
    assert!(!market.body.contains("other-console"), "{}", market.body);
}

#[tokio::test]
async fn the_demo_page_and_the_start_up_lines_lead_to_both_consoles_and_every_account() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let home = app.page(&app.url("/demo/")).await;
    assert!(
        home.contains(r#"id="demo-admin-console" href="/console/""#),
        "{home}"
    );
    assert!(
        home.contains(r#"id="demo-market-console" href="/market/""#),
        "{home}"
    );
    let printed = unilogin::demo::where_to_start("https://idp.example");
    for (account, roles) in unilogin::demo::ACCOUNTS {
        assert!(
            home.contains(&format!("<strong>{account}</strong> / {DEMO_PASSWORD}")),
            "{home}"
        );
        assert!(home.contains(roles), "{home}");
        assert!(
            printed.contains(account) && printed.contains(roles),
            "{printed}"
        );
    }
    for place in ["/demo/", "/console/", "/market/"] {
        assert!(
            printed.contains(&format!("https://idp.example{place}")),
            "{printed}"
        );
    }
}

#[tokio::test]
async fn demo_seeding_is_idempotent_across_restarts() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let app = app.restart().await;
    let page = follow_demo_sign_in(&app).await;
    assert!(page.contains("data-claim=\"userName\">demo<"), "{page}");
}

#[tokio::test]
async fn the_demo_reports_a_forged_callback_instead_of_signing_in() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let forged = app
        .get(&app.url("/demo/callback?code=stolen&state=not-mine"))
        .await;
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("state mismatch"));
}

/// The demo tenant orders the demo app's product with `token`. The app's debug cases
/// are saved in the background once the server answers, so the first attempts may be
/// told to wait (409).
pub async fn buy_the_demo_app(app: &TestApp, token: &str, product: &str) {
    let mut last = String::new();
    for _ in 0..50 {
        let answer = app
            .backchannel
            .post(app.url("/api/marketplace/v1/buyer/orders"))
            .bearer_auth(token)
            .json(&serde_json::json!({"productId": product, "skuCode": "month", "periodNumber": 1}))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        last = answer.text().await.unwrap();
        if status == 201 {
            return;
        }
        assert_eq!(status, 409, "{last}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the demo app's product could not be ordered: {last}");
}

/// The text between `start` and the next `end` in `page`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {page}"))
        + start.len();
    let len = page[from..].find(end).unwrap();
    &page[from..from + len]
}

#[tokio::test]
async fn the_demo_app_sells_itself_and_its_buyer_signs_in_from_the_portal() {
    let mut app = TestApp::spawn_with(|settings| settings.demo = true).await;
    let page = follow_demo_sign_in(&app).await;
    let token = between(&page, "id=\"access-token\">", "</pre>").to_owned();
    let product = between(&page, "id=\"kit-product\">", "<").to_owned();
    assert!(page.contains("id=\"kit-none\""), "nobody has bought it yet");

    // The demo buys its own product.
    buy_the_demo_app(&app, &token, &product).await;

    // The demo app receives the tenant, its credentials and its administrator.
    let mut page = String::new();
    for _ in 0..100 {
        page = app.page(&app.url("/demo/")).await;
        if page.contains("demo (admin)") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let row = between(&page, "<tr data-tenant=\"demo-tenant\">", "</tr>");
    assert!(row.contains("<td>Demo Tenant</td>"), "{row}");
    assert!(row.contains("<td>NORMAL</td>"), "{row}");
    assert!(row.contains("demo (admin)"), "{row}");

    // From the portal link, the demo app redeems the code with those credentials.
    app.browser = crate::helpers::browser();
    let portal = app.url("/unified-login/portal-login?ind=UNOP&appId=demo-crm");
    let signed_in = app
        .submit_login(&portal, DEMO_USERNAME, DEMO_PASSWORD)
        .await;
    assert_eq!(signed_in.status(), 302);
    let home = location(&signed_in);
    assert!(
        home.starts_with(&format!("{}/demo/kit/home?code=", app.issuer())),
        "{home}"
    );
    assert!(home.contains("&tenant=demo-tenant"), "{home}");
    let redeemed = app.get(&home).await;
    assert_eq!(redeemed.status(), 302, "the demo redeemed the code");
    let page = app.page(&app.url("/demo/")).await;
    assert!(page.contains("id=\"kit-signed-in\""), "{page}");
    assert!(page.contains("data-claim=\"userName\">demo<"), "{page}");
}

#[tokio::test]
async fn in_the_marketplace_console_the_buyer_manages_users_and_the_seller_debugs() {
    let app = TestApp::spawn_with(|settings| settings.demo = true).await;
    app.create_user("erin", "demo-tenant").await;
    let page = follow_demo_sign_in(&app).await;
    let token = between(&page, "id=\"access-token\">", "</pre>").to_owned();
    let product = between(&page, "id=\"kit-product\">", "<").to_owned();
    buy_the_demo_app(&app, &token, &product).await;
    let buyer = crate::helpers::browser();
    let mut instances = visit_as(
        &app,
        &buyer,
        "/market/instances?lang=en",
        DEMO_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    // The opening runs through the seller's production interface: allow a busy machine
    // its time.
    for _ in 0..300 {
        // Opened: the seller's instance is named, not only the buyer's administrator.
        if instances.body.contains("id=\"remove-demo\"") && instances.body.contains("demo-crm") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        instances = visit_as(
            &app,
            &buyer,
            "/market/instances?lang=en",
            DEMO_USERNAME,
            DEMO_PASSWORD,
        )
        .await;
    }
    assert!(instances.body.contains("demo-crm"), "{}", instances.body);
    let token = csrf(&instances.body);
    let instance = between(&instances.body, "id=\"instance-", "\"").to_owned();
    let users = format!("/market/instances/{instance}/users");
    let outsider = submit(
        &app,
        &buyer,
        &users,
        &[
            ("csrf_token", &token),
            ("username", "seller"),
            ("role", "user"),
        ],
    )
    .await;
    assert_eq!(outsider.status, 400, "another tenant's user");
    assert!(outsider.body.contains("no such user in your tenant"));
    let granted = submit(
        &app,
        &buyer,
        &users,
        &[
            ("csrf_token", &token),
            ("username", "erin"),
            ("role", "user"),
        ],
    )
    .await;
    assert_eq!(granted.status, 303);
    let page = visit_as(
        &app,
        &buyer,
        "/market/instances?lang=en",
        DEMO_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert!(page.body.contains("id=\"remove-erin\""), "{}", page.body);
    let erin = app
        .durable
        .find_user_by_username("erin")
        .await
        .unwrap()
        .unwrap();
    let remove = format!("{users}/{}/remove", erin.id);
    let unticked = submit(&app, &buyer, &remove, &[("csrf_token", &token)]).await;
    assert_eq!(unticked.status, 400);
    let removed = submit(
        &app,
        &buyer,
        &remove,
        &[("csrf_token", &token), ("confirm", "1")],
    )
    .await;
    assert_eq!(removed.status, 303);

    // The demo merchant's user sees its app and debugs a scenario against itself.
    let seller = crate::helpers::browser();
    let apps = visit_as(
        &app,
        &seller,
        "/market/seller/apps?lang=en",
        unilogin::demo::DEMO_SELLER_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert!(apps.body.contains("id=\"app-demo-crm\""), "{}", apps.body);
    let page = visit_as(
        &app,
        &seller,
        "/market/seller/apps/demo-crm?lang=en",
        unilogin::demo::DEMO_SELLER_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert!(
        page.body.contains("All saved"),
        "the demo debugged itself at start"
    );
    // Each saved case shows its result and, folded, what was sent and answered.
    let case = page
        .body
        .split("<tr id=\"case-newInstance\">")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("{}", page.body));
    assert!(
        case.contains("Passed") && case.contains("resultCode 000000"),
        "{case}"
    );
    assert!(
        case.contains("<summary>Request and answer</summary>"),
        "{case}"
    );
    let ran = submit(
        &app,
        &seller,
        "/market/seller/apps/demo-crm/debug",
        &[
            ("csrf_token", &csrf(&page.body)),
            ("scenario", "tenantSync"),
            ("path", ""),
        ],
    )
    .await;
    assert_eq!(ran.status, 303, "{}", ran.body);
    let elsewhere = submit(
        &app,
        &seller,
        "/market/seller/apps/demo-crm/debug",
        &[
            ("csrf_token", &csrf(&page.body)),
            ("scenario", "tenantSync"),
            ("path", "https://elsewhere.example/"),
        ],
    )
    .await;
    assert_eq!(elsewhere.status, 400);
    assert!(elsewhere.body.contains("production host"));
    assert!(
        case.contains(" ms</td>"),
        "a saved case shows its latency: {case}"
    );
    // A run that fails shows what was sent, what came back and how long it took.
    let failed = submit(
        &app,
        &seller,
        "/market/seller/apps/demo-crm/debug",
        &[
            ("csrf_token", &csrf(&page.body)),
            ("scenario", "tenantSync"),
            ("path", "/no-such-interface"),
        ],
    )
    .await;
    assert_eq!(failed.status, 400, "{}", failed.body);
    let run = failed
        .body
        .split("id=\"last-run\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", failed.body));
    assert!(run.contains("id=\"run-status\">404</dd>"), "{run}");
    assert!(run.contains("id=\"run-latency\">"), "{run}");
    assert!(run.contains("&#34;testFlag&#34;: &#34;1&#34;"), "{run}");
    assert!(run.contains("Failed"), "{run}");
    let generated = submit(
        &app,
        &seller,
        "/market/seller/apps/demo-crm/generate",
        &[
            ("csrf_token", &csrf(&page.body)),
            ("scenario", "userSync"),
            ("path", ""),
        ],
    )
    .await;
    assert_eq!(generated.status, 200);
    assert!(
        generated.body.contains("id=\"generated-curl\">curl "),
        "{}",
        generated.body
    );

    // The app's form, checked as the API checks it.
    let edit = visit_as(
        &app,
        &seller,
        "/market/seller/apps/demo-crm/edit?lang=en",
        unilogin::demo::DEMO_SELLER_USERNAME,
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(edit.status, 200);
    let mut fields: Vec<(String, String)> = crate::helpers::hidden_fields(&edit.body);
    let value = |id: &str| {
        between(
            &edit.body,
            &format!("id=\"{id}\" name=\"{id}\" value=\""),
            "\"",
        )
        .to_owned()
    };
    let key = |id: &str| {
        between(
            between(&edit.body, &format!("id=\"{id}\""), "</select>"),
            "selected>",
            "<",
        )
        .to_owned()
    };
    let public_key = between(
        &edit.body,
        "name=\"public_key\" class=\"mono\" required>",
        "</textarea>",
    )
    .replace("&#x2B;", "+")
    .replace("&#x2F;", "/")
    .replace("&#x3D;", "=");
    for (k, v) in [
        (
            "product",
            between(&edit.body, "<option value=\"", "\" selected").to_owned(),
        ),
        ("name", value("name")),
        ("home_url", value("home_url")),
        ("production_url", "ftp://elsewhere.example/".to_owned()),
        ("public_key", public_key.clone()),
        ("basic", key("basic")),
        ("kit_sync", key("kit_sync")),
        ("generic", key("generic")),
    ] {
        fields.push((k.to_owned(), v));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = submit(&app, &seller, "/market/seller/apps/demo-crm/edit", &pairs).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("productionUrl"), "{}", refused.body);
    let production = value("production_url");
    let pairs: Vec<(&str, &str)> = pairs
        .into_iter()
        .map(|(k, v)| {
            if k == "production_url" {
                (k, production.as_str())
            } else {
                (k, v)
            }
        })
        .collect();
    let saved = submit(&app, &seller, "/market/seller/apps/demo-crm/edit", &pairs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}
