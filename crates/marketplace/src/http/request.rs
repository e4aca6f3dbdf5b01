//! Reading request input the marketplace's way: JSON bodies, strict query strings, pages.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::http::error::MarketError;

/// The JSON body of a request, with a JSON content type.
pub fn json_body(req: &HttpRequest, body: &[u8]) -> Result<(), MarketError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json || body.is_empty() {
        return Err(MarketError::Invalid(
            "Send a JSON body with Content-Type: application/json".into(),
        ));
    }
    Ok(())
}

/// A JSON body (with a JSON content type) read as `T`; what is wrong with it is named.
pub fn parsed<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
    what: &str,
) -> Result<T, MarketError> {
    json_body(req, body)?;
    serde_json::from_slice(body).map_err(|e| MarketError::Invalid(format!("{what} body: {e}")))
}

/// `offset` (≥ 0, default 0) and `limit` (1–100, default 20) of a query.
pub fn page(pairs: &[(String, String)]) -> Result<(i64, i64), MarketError> {
    let number = |name: &str, default: i64, range: std::ops::RangeInclusive<i64>| match pairs
        .iter()
        .find(|(k, _)| k == name)
    {
        None => Ok(default),
        Some((_, v)) => v
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                MarketError::Invalid(format!(
                    "{name} must be an integer from {} to {}",
                    range.start(),
                    range.end()
                ))
            }),
    };
    Ok((
        number("offset", 0, 0..=i64::MAX / 2)?,
        number("limit", 20, 1..=100)?,
    ))
}

/// The query's pairs; a name given twice is refused.
pub fn query_pairs(
    req: &HttpRequest,
    allowed: &[&str],
) -> Result<Vec<(String, String)>, MarketError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if !allowed.contains(&k.as_ref()) {
            return Err(MarketError::Invalid(format!(
                "unknown query parameter {k:?}"
            )));
        }
        if pairs.iter().any(|(seen, _)| *seen == k) {
            return Err(MarketError::Invalid(format!(
                "query parameter {k} is given twice"
            )));
        }
        pairs.push((k.into_owned(), v.into_owned()));
    }
    Ok(pairs)
}

/// A page of a listing: `{"total","offset","limit","items"}`.
pub fn paged<T: serde::Serialize>(
    items: Vec<T>,
    total: i64,
    offset: i64,
    limit: i64,
) -> HttpResponse {
    HttpResponse::Ok().json(crate::http::schema::Page {
        total,
        offset,
        limit,
        items,
    })
}

/// A short text field: trimmed, 1 to `max` characters, no control characters.
pub fn text_field(value: &str, name: &str, max: usize) -> Result<String, MarketError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(MarketError::Invalid(format!(
            "{name} is 1 to {max} characters, without control characters"
        )));
    }
    Ok(value.to_owned())
}

/// Like [`text_field`], for prose: line breaks and tabs are kept (CRLF read as LF).
pub fn prose_field(value: &str, name: &str, max: usize) -> Result<String, MarketError> {
    let value = value.trim().replace("\r\n", "\n");
    let stray_control = value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'));
    if value.is_empty() || value.chars().count() > max || stray_control {
        return Err(MarketError::Invalid(format!(
            "{name} is 1 to {max} characters (line breaks allowed, no other control characters)"
        )));
    }
    Ok(value)
}
