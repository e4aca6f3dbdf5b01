//! The production interface's V2 signature on our requests, and the `Body-Sign` header
//! on the seller's answers (koogallery-reference.md §4.1).
//!
//! `key` is the secret of the access key the seller bound to the interface category
//! (basic, kit sync, generic); upstream calls it the accessKey. Decisions where upstream
//! is silent or contradicts itself: the timestamp is Unix milliseconds, the body is
//! signed as sent (raw bytes, no key sorting), and signatures are sent in upper-case hex
//! (as upstream's examples) and compared without regard to case.

use aws_lc_rs::hmac;
use base64::Engine;

use unilogin_core::secret::{constant_time_eq, hex};

/// Upstream refuses requests more than this far from its clock; sellers should too.
pub const MAX_SKEW_MS: i64 = 60_000;

fn mac(key: &[u8], message: &[u8]) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message)
}

/// `hex(HMAC-SHA256(key, key + nonce + timestamp + lowerhex(HMAC-SHA256(key, body))))`,
/// upper-case.
pub fn v2_signature(key: &str, nonce: &str, timestamp_ms: i64, body: &[u8]) -> String {
    let body_mac = hex(mac(key.as_bytes(), body).as_ref());
    let canonical = format!("{key}{nonce}{timestamp_ms}{body_mac}");
    hex(mac(key.as_bytes(), canonical.as_bytes()).as_ref()).to_ascii_uppercase()
}

/// The value of a `Body-Sign` header for `body` (what a seller sends; our tests' sellers
/// and the demo seller use it).
pub fn body_sign(key: &str, body: &[u8]) -> String {
    let signature =
        base64::engine::general_purpose::STANDARD.encode(mac(key.as_bytes(), body).as_ref());
    format!("sign_type=\"HMAC-SHA256\", signature=\"{signature}\"")
}

/// Why an answer's `Body-Sign` was not accepted.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodySignError {
    #[error("the answer has no Body-Sign header")]
    Missing,
    #[error(
        "the Body-Sign header is malformed: expected sign_type=\"HMAC-SHA256\", signature=\"…\""
    )]
    Malformed,
    #[error("the Body-Sign signature does not match the body")]
    Mismatch,
}

/// Checks `header` (the `Body-Sign` value, quotes mandatory) against `body`.
pub fn verify_body_sign(key: &str, header: Option<&str>, body: &[u8]) -> Result<(), BodySignError> {
    let header = header.ok_or(BodySignError::Missing)?;
    let mut sign_type = None;
    let mut signature = None;
    for part in header.split(',') {
        let (name, value) = part
            .trim()
            .split_once('=')
            .ok_or(BodySignError::Malformed)?;
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or(BodySignError::Malformed)?;
        match name.trim() {
            "sign_type" => sign_type = Some(value),
            "signature" => signature = Some(value),
            _ => return Err(BodySignError::Malformed),
        }
    }
    if sign_type != Some("HMAC-SHA256") {
        return Err(BodySignError::Malformed);
    }
    let sent = base64::engine::general_purpose::STANDARD
        .decode(signature.ok_or(BodySignError::Malformed)?)
        .map_err(|_| BodySignError::Malformed)?;
    if constant_time_eq(&sent, mac(key.as_bytes(), body).as_ref()) {
        Ok(())
    } else {
        Err(BodySignError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v2_signature_follows_the_canonical_request() {
        // Computed independently with Python's hmac module:
        // m = hmac.new(b"ak", b"{}", sha256).hexdigest()
        // hmac.new(b"ak", b"ak" + b"n1" + b"1700000000000" + m.encode(), sha256).hexdigest().upper()
        assert_eq!(
            v2_signature("ak", "n1", 1_700_000_000_000, b"{}"),
            "D3E817AF04685A8E4137AB7F24D52C347D160AA94B10ED6C884ED7A753F0C356"
        );
    }

    #[test]
    fn body_sign_round_trips_and_refuses_changes() {
        let header = body_sign("key", br#"{"resultCode":"000000"}"#);
        // base64(HMAC-SHA256(b"key", body)), computed with Python's hmac module.
        assert_eq!(
            header,
            "sign_type=\"HMAC-SHA256\", signature=\"IqLbORnNj4iDomVhRanFp/eMsGAZakS4tFDymLxvDd0=\""
        );
        assert_eq!(
            verify_body_sign("key", Some(&header), br#"{"resultCode":"000000"}"#),
            Ok(())
        );
        assert_eq!(
            verify_body_sign("key", Some(&header), br#"{"resultCode":"000001"}"#),
            Err(BodySignError::Mismatch)
        );
        assert_eq!(
            verify_body_sign("other", Some(&header), br#"{"resultCode":"000000"}"#),
            Err(BodySignError::Mismatch)
        );
        assert_eq!(
            verify_body_sign("key", None, b"{}"),
            Err(BodySignError::Missing)
        );
        let unquoted = header.replace('"', "");
        assert_eq!(
            verify_body_sign("key", Some(&unquoted), br#"{"resultCode":"000000"}"#),
            Err(BodySignError::Malformed)
        );
    }
}
