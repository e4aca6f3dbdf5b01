//! Control characters: redirect URIs with CR, LF or tab were accepted and stored (the URL
//! parser drops them silently), and a console return address with CR/LF made the
//! callback answer 500. They are refused at parsing, and a return address carrying them
//! is replaced by the console's home.

use reqwest::Method;

use super::callback_link;
use crate::admin_api::{administrator, call, problem, Admin, CLIENTS};
use crate::helpers::{browser, location};

#[tokio::test]
async fn redirect_uris_with_control_characters_are_refused_and_not_stored() {
    let Admin { app, token, .. } = administrator().await;
    let before = app.durable.list_clients().await.unwrap().len();
    for uri in [
        "https://shop.example/cb\r\nSet-Cookie: a=b",
        "https://shop.example/c\tb",
        "https://shop.example/cb\n",
    ] {
        let refused = call(
            &app,
            Method::POST,
            CLIENTS,
            Some(&token),
            None,
            Some(serde_json::json!({
                "name": "Shop",
                "redirect_uris": [uri],
            })),
        )
        .await;
        let body = problem(refused, 422).await;
        assert!(
            body.to_string().contains("control characters"),
            "{uri:?}: {body}"
        );
    }
    assert_eq!(app.durable.list_clients().await.unwrap().len(), before);
}

#[tokio::test]
async fn a_return_address_with_a_line_break_comes_back_to_the_console_home() {
    let Admin { app, .. } = administrator().await;
    for base in ["/console", "/market"] {
        let browser = browser();
        let start = format!(
            "{base}/login?return=%2F{}%2F%0D%0AX-Injected%3A%201",
            &base[1..]
        );
        let url = callback_link(&app, &browser, &start, "alice").await;
        let answer = browser.get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 303, "{base}");
        assert_eq!(location(&answer), format!("{base}/"), "{base}");
        assert!(answer.headers().get("x-injected").is_none());
    }
}
