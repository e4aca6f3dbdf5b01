//! Parsing at the edge: JSON bodies (unknown fields refused, each mistake named by field),
//! list paging (`limit`, an opaque `cursor`), and versions (`ETag` / `If-Match`).

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::Engine;
use serde::de::DeserializeOwned;

use super::problem::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A JSON body as `T`; a syntax or type mistake names the field where serde found it.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::field(&field, err.inner().to_string())
    })
}

/// For `#[serde(deserialize_with)]`: tells an absent field (`None`, with
/// `#[serde(default)]`) from an explicit `null` (`Some(None)`).
pub fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    use serde::Deserialize;
    Option::<String>::deserialize(d).map(Some)
}

/// `limit` and `cursor` of a list request: how many, and after which key.
pub struct Page {
    pub limit: i64,
    pub after: String,
}

pub fn page(req: &HttpRequest) -> Result<Page, ApiError> {
    let mut limit = DEFAULT_LIMIT;
    let mut after = String::new();
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match &*name {
            "limit" => {
                limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::field("limit", format!("must be a number from 1 to {MAX_LIMIT}"))
                    })?;
            }
            "cursor" => {
                after = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(value.as_bytes())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| {
                        ApiError::field("cursor", "is not a cursor this API handed out")
                    })?;
            }
            _ => {}
        }
    }
    Ok(Page { limit, after })
}

/// The cursor that continues after `key`.
pub fn cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

/// One page of `items` (fetched with `limit + 1` to know whether more follow), and the
/// cursor of the next page.
pub fn paged<T>(
    mut items: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = items.len() as i64 > limit;
    items.truncate(limit.max(0) as usize);
    let next = more
        .then(|| items.last().map(|last| cursor(&key(last))))
        .flatten();
    (items, next)
}

/// `body` with `status` and the ETag of `version`.
pub fn versioned<T: serde::Serialize>(
    status: actix_web::http::StatusCode,
    version: i64,
    body: &T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// 201 with the new record, its ETag, and its `Location` (under the API's base path).
pub fn created<T: serde::Serialize>(
    version: i64,
    body: &T,
    location: &str,
) -> actix_web::HttpResponse {
    let mut response = versioned(actix_web::http::StatusCode::CREATED, version, body);
    if let Ok(value) = header::HeaderValue::from_str(&format!("{}{location}", super::BASE_PATH)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The strong ETag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an update's `If-Match` names.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().strip_prefix('"')?.strip_suffix('"')?.parse().ok())
        .ok_or(ApiError::PreconditionFailed)
}

/// The `q` search term of a list (empty when absent).
pub fn search(req: &HttpRequest) -> Result<String, ApiError> {
    let search = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if search.chars().count() > 128 {
        return Err(ApiError::field("q", "must be at most 128 characters"));
    }
    Ok(search)
}
