//! Login through a joint-operation app's instances: the portal link with the app's id
//! signs a user in and sends the code, with `tenant`, to the app's home; the code belongs
//! to the registration of the user's tenant and is redeemable only with its credentials.
//! Users of a tenant without the app, or not authorized for it, get a page saying so,
//! never a code; a disabled registration (a frozen or released instance) signs nobody in
//! and its tokens stop at once.

use reqwest::Response;
use unilogin::admin::{Actor, AdminService, AppRole, CreatedClient, NewClientRequest};
use unilogin::domain::{RedirectUri, TenantId};

use crate::helpers::{browser, location, Callback, TestApp, PASSWORD, TENANT};

const APP: &str = "kit-app-1";
const HOME: &str = "https://kitapp.example/home";
const PORTAL: &str = "/unified-login/portal-login?ind=UNOP&appId=kit-app-1";

fn service(app: &TestApp) -> AdminService {
    AdminService::new(app.durable.clone(), app.lifecycle(), app.hasher.clone())
}

async fn tenant_client(service: &AdminService, tenant: &str) -> CreatedClient {
    service
        .create_tenant_client(
            &Actor::system(),
            APP,
            &TenantId::parse(tenant).unwrap(),
            NewClientRequest {
                name: format!("Kit app for {tenant}"),
                redirect_uris: vec![RedirectUri::parse(HOME).unwrap()],
                post_logout_uris: Vec::new(),
                home_url: Some(RedirectUri::parse(HOME).unwrap()),
                public: false,
                id_token_alg: None,
                scopes: Vec::new(),
                client_id: None,
                app_id: None,
            },
        )
        .await
        .expect("a tenant's registration")
}

/// `username` signs in at the portal link in a fresh browser; the answer to the form.
async fn portal_login(app: &mut TestApp, username: &str) -> Response {
    app.browser = browser();
    app.submit_login(&app.url(PORTAL), username, PASSWORD).await
}

fn basic(client: &CreatedClient) -> (&str, &str) {
    (
        client.client_id.as_str(),
        client.client_secret.as_ref().unwrap().expose(),
    )
}

async fn redeem(app: &TestApp, code: &str, client: &CreatedClient) -> Response {
    app.token_raw(
        &[("grant_type", "authorization_code"), ("code", code)],
        Some(basic(client)),
    )
    .await
}

#[tokio::test]
async fn the_portal_link_signs_in_through_the_registration_of_the_users_tenant() {
    let mut app = TestApp::spawn().await;
    let service = service(&app);
    let system = Actor::system();
    service
        .register_portal_app(&system, APP, "Kit App", &RedirectUri::parse(HOME).unwrap())
        .await
        .unwrap();
    let ours = tenant_client(&service, TENANT).await;
    let theirs = tenant_client(&service, "tenant-b").await;
    let alice = app
        .durable
        .find_user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    app.create_user("bob", TENANT).await;
    app.create_user("carol", "tenant-c").await;
    service
        .authorize_client_user(&system, &ours.client_id, &alice.id, AppRole::Admin)
        .await
        .unwrap();

    // The login page names the app.
    let page = app.page(&app.url(PORTAL)).await;
    assert!(page.contains("Kit App"), "{page}");

    // alice: the code goes home with her tenant, for her tenant's registration only.
    let signed_in = portal_login(&mut app, "alice").await;
    assert_eq!(signed_in.status(), 302);
    let callback = Callback::parse(&location(&signed_in));
    assert!(callback.location.starts_with(HOME), "{}", callback.location);
    assert_eq!(callback.tenant.as_deref(), Some(TENANT));
    assert_eq!(callback.state, None);
    let code = callback.code.expect("a code");
    let wrong = redeem(&app, &code, &theirs).await;
    assert_eq!(wrong.status(), 400, "another tenant's credentials");
    let tokens: serde_json::Value = redeem(&app, &code, &ours).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().expect("tokens").to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(app.userinfo(&access).await.status(), 200);

    // bob is of the tenant but not authorized; carol's tenant has no instance.
    for (user, text) in [
        ("bob", "您尚未获得此应用的使用授权"),
        ("carol", "贵单位（租户）尚未开通此应用"),
    ] {
        let refused = portal_login(&mut app, user).await;
        assert_eq!(refused.status(), 403, "{user}");
        let page = refused.text().await.unwrap();
        assert!(page.contains(text), "{user}: {page}");
        assert!(!page.contains("code="), "{user}: no code");
    }
    // Authorize with the tenant's client_id holds the same rule.
    let client = crate::helpers::TestClient {
        id: ours.client_id.clone(),
        secret: ours.client_secret.as_ref().map(|s| s.expose().to_owned()),
        app_id: ours.app_id.clone(),
        redirect_uri: HOME.into(),
        post_logout_uri: String::new(),
    };
    app.browser = browser();
    let (url, _) = app.authorize_url(&client, &[]);
    let to_login = app.get(&url).await;
    let form = app
        .submit_login(&app.url(&location(&to_login)), "bob", PASSWORD)
        .await;
    let again = app.get(&app.url(&location(&form))).await;
    assert_eq!(again.status(), 403, "bob gets no code through authorize");

    // Disabled (a frozen instance): her token stops, the portal says so, the
    // credentials authenticate nowhere.
    service
        .set_client_enabled(&system, &ours.client_id, false)
        .await
        .unwrap();
    assert_eq!(app.userinfo(&access).await.status(), 401);
    let frozen = portal_login(&mut app, "alice").await;
    assert_eq!(frozen.status(), 403);
    assert!(frozen.text().await.unwrap().contains("该应用当前不可用"));
    let refused = app
        .token_raw(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            Some(basic(&ours)),
        )
        .await;
    assert_eq!(
        refused.status(),
        401,
        "a disabled client authenticates nowhere"
    );

    // Enabled again (renewed): new sign-ins go through; the old token stays dead.
    service
        .set_client_enabled(&system, &ours.client_id, true)
        .await
        .unwrap();
    let renewed = portal_login(&mut app, "alice").await;
    assert_eq!(renewed.status(), 302);
    assert_eq!(app.userinfo(&access).await.status(), 401);

    // Her authorization taken away: her grants end.
    let code = Callback::parse(&location(&renewed)).code.unwrap();
    let tokens: serde_json::Value = redeem(&app, &code, &ours).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    service
        .revoke_client_user(&system, &ours.client_id, &alice.id)
        .await
        .unwrap();
    assert_eq!(app.userinfo(&access).await.status(), 401);
    // Each change was audited once.
    let events = app.durable.admin_events(&ours.client_id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "client.created",
            "client.user_authorized",
            "client.disabled",
            "client.enabled",
            "client.user_revoked"
        ]
    );
}
