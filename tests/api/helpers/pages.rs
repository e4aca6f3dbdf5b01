//! Reading what the app answered: pages, redirects, error bodies, keys; and running
//! several requests at once.

use reqwest::redirect::Policy;
use reqwest::Response;

use super::*;

/// The message a refused login page shows (its `error` paragraph), for failures.
pub(super) fn page_error(html: &str) -> String {
    html.split("class=\"error\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|text| text.split('<').next())
        .unwrap_or("no error message on the page")
        .trim()
        .to_owned()
}

/// The kids the JWKS of the instance at `base` publishes, sorted.
pub async fn jwks_kids(base: &str) -> Vec<String> {
    let jwks: serde_json::Value = reqwest::get(format!("{base}/api/v1/oauth2/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    kids.sort();
    kids
}

/// The text of the page at `url` seen by another browser, sending only `headers`.
pub async fn page_elsewhere(url: &str, headers: &[(&str, &str)]) -> String {
    let mut request = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
        .get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("page text")
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

/// `(name, value)` of every hidden input of a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            tag.find(&marker).map(|i| {
                let rest = &tag[i + marker.len()..];
                rest[..rest.find('"').unwrap_or(rest.len())].to_owned()
            })
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            fields.push((name, value));
        }
    }
    fields
}

/// The JSON error body of a failed request.
pub async fn error_of(response: Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The `error` code of an `oauth2` crate failure, if the server answered one.
pub fn oauth_error(result: TokenResult) -> String {
    match result {
        Ok(_) => panic!("expected the token request to fail"),
        Err(oauth2::RequestTokenError::ServerResponse(e)) => e.error().as_ref().to_owned(),
        Err(other) => panic!("unexpected failure: {other:?}"),
    }
}

/// Runs the futures concurrently on this task.
pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

/// The repository's root (the tests belong to the server crate, two folders down).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}
