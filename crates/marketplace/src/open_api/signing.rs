//! `SDK-HMAC-SHA256`, the AK/SK request signature of Huawei Cloud's API gateway, as the
//! marketplace open API verifies it (api-contract.md §5, koogallery-reference.md §2).
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//!                    SignedHeaders \n PayloadHash
//! StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(SK, StringToSign))
//! ```

use aws_lc_rs::hmac;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use unilogin_core::secret::{hex, sha256_hex};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
pub const DATE_HEADER: &str = "x-sdk-date";
pub const CONTENT_SHA256_HEADER: &str = "x-sdk-content-sha256";
/// SHA-256 of the empty string.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Everything but `A–Z a–z 0–9 - _ . ~` is escaped (uppercase hex, space as `%20`).
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn escape(raw: &str) -> String {
    utf8_percent_encode(raw, ESCAPED).to_string()
}

fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// The path decoded, split on `/` (so `%2F` becomes a separator), each segment escaped,
/// and a trailing `/` added unless there is one.
pub fn canonical_uri(raw_path: &str) -> String {
    let decoded = decode(raw_path);
    let mut uri = decoded.split('/').map(escape).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// `key=value` pairs, decoded then escaped, sorted by key then value, joined with `&`.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (escape(&decode(key)), escape(&decode(value)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A request as the verifier sees it: raw path and query as they arrived, the headers
/// named by `SignedHeaders` (lowercase names, in that order), and the payload hash.
pub struct CanonicalInput<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub signed_headers: &'a [(String, String)],
    pub payload_hash: &'a str,
}

pub fn canonical_request(input: &CanonicalInput<'_>) -> String {
    let mut headers = String::new();
    for (name, value) in input.signed_headers {
        headers.push_str(name);
        headers.push(':');
        headers.push_str(value.trim());
        headers.push('\n');
    }
    let names: Vec<&str> = input
        .signed_headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method.to_ascii_uppercase(),
        canonical_uri(input.raw_path),
        canonical_query(input.raw_query),
        headers,
        names.join(";"),
        input.payload_hash
    )
}

pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

pub fn signature(secret_key: &[u8], string_to_sign: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret_key);
    hex(hmac::sign(&key, string_to_sign.as_bytes()).as_ref())
}

/// The parts of `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
        let (mut access, mut headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (key, value) = part.trim().split_once('=')?;
            let slot = match key {
                "Access" => &mut access,
                "SignedHeaders" => &mut headers,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(value.to_owned()).is_some() {
                return None;
            }
        }
        let signed_headers: Vec<String> = headers?
            .split(';')
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if signed_headers.iter().any(String::is_empty) {
            return None;
        }
        Some(Self {
            access_key: access?,
            signed_headers,
            signature: signature?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "QTWAOYTTINDUT2QVKYUC";
    const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

    fn headers(host: &str, date: &str) -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/json".into()),
            ("host".into(), host.into()),
            ("x-sdk-date".into(), date.into()),
        ]
    }

    fn vector(
        method: &str,
        host: &str,
        path: &str,
        query: &str,
        body: &[u8],
        date: &str,
    ) -> (String, String) {
        let headers = headers(host, date);
        let hash = sha256_hex(body);
        let canonical = canonical_request(&CanonicalInput {
            method,
            raw_path: path,
            raw_query: query,
            signed_headers: &headers,
            payload_hash: &hash,
        });
        let hashed = sha256_hex(canonical.as_bytes());
        (
            hashed,
            signature(SK.as_bytes(), &string_to_sign(date, &canonical)),
        )
    }

    #[test]
    fn official_example_vector() {
        let (hashed, signature) = vector(
            "GET",
            "service.region.example.com",
            "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
            b"",
            "20191115T033655Z",
        );
        assert_eq!(
            hashed,
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            signature,
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn order_query_vector() {
        let (hashed, signature) = vector(
            "GET",
            "mkt.myhuaweicloud.com",
            "/api/mkp-openapi-public/global/v1/order/query",
            "orderId=MOCKPERIODYEARNEW&orderLineId=MOCKPERIODYEARNEW-000001",
            b"",
            "20240101T000000Z",
        );
        assert_eq!(
            hashed,
            "67851d032ff0f15d1b6a2e6207f355a6e49cbe3ecbe346655e7e72592cb64971"
        );
        assert_eq!(
            signature,
            "673e3fe8ce54f2d0d62a882f44c102429777fbcc2476460a6460e1615de6dd5b"
        );
    }

    #[test]
    fn usage_data_post_vector() {
        let (_, signature) = vector(
            "POST",
            "mkt.myhuaweicloud.com",
            "/api/mkp-openapi-public/global/v1/isv/usage-data",
            "",
            br#"{"a":1}"#,
            "20240101T000000Z",
        );
        assert_eq!(
            signature,
            "fb21d5a888d989d2d1f0c74849b81f188055004c99e818337cd81cd1ed0ae88d"
        );
    }

    #[test]
    fn canonical_uri_edge_cases() {
        assert_eq!(canonical_uri("/a"), "/a/");
        assert_eq!(canonical_uri("/a/"), "/a/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/b/c%2Fd"), "/b/c/d/");
        assert_eq!(canonical_uri("/x y/%7Ez"), "/x%20y/~z/");
    }

    #[test]
    fn canonical_query_edge_cases() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("k=&flag"), "flag=&k=");
        assert_eq!(canonical_query("p=a%2Fb%20c"), "p=a%2Fb%20c");
        assert_eq!(canonical_query("p=a/b"), "p=a%2Fb");
    }

    #[test]
    fn authorization_header_parses_strictly() {
        let parsed = Authorization::parse(&format!(
            "SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=abc"
        ))
        .unwrap();
        assert_eq!(parsed.access_key, AK);
        assert_eq!(
            parsed.signed_headers,
            ["content-type", "host", "x-sdk-date"]
        );
        assert_eq!(parsed.signature, "abc");
        for bad in [
            "SDK-HMAC-SHA1 Access=a, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, Signature=s",
            "SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;;x, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=s, Extra=1",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad}");
        }
    }
}
