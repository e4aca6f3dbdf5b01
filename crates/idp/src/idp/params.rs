//! Query-string and form parameters, parsed strictly: invalid UTF-8 is refused, a parameter
//! sent twice is an error when it is read, and an empty value counts as absent
//! (RFC 6749 §3.1).

use percent_encoding::percent_decode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("request parameters are not valid UTF-8 form encoding")]
    Malformed,
    #[error("parameter `{0}` is included more than once")]
    Duplicated(&'static str),
}

#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: &[u8]) -> Result<Self, ParamError> {
        let mut pairs = Vec::new();
        for part in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let mut split = part.splitn(2, |b| *b == b'=');
            let key = decode(split.next().unwrap_or_default())?;
            let value = decode(split.next().unwrap_or_default())?;
            pairs.push((key, value));
        }
        Ok(Self(pairs))
    }

    /// The single value of `name`, `None` if absent or empty.
    pub fn get(&self, name: &'static str) -> Result<Option<&str>, ParamError> {
        let mut found = None;
        for (key, value) in &self.0 {
            if key == name {
                if found.is_some() {
                    return Err(ParamError::Duplicated(name));
                }
                found = Some(value.as_str());
            }
        }
        Ok(found.filter(|v| !v.is_empty()))
    }

    /// Every non-empty value of a parameter that may repeat (RFC 8707 `resource`).
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

/// Whether the request body is declared `application/x-www-form-urlencoded`.
pub fn is_form_encoded(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// One form-encoded component (`+` is a space), as UTF-8.
pub fn decode(raw: &[u8]) -> Result<String, ParamError> {
    // Tokens are sent as they are (URL-safe base64): nothing to decode, just check UTF-8.
    if !raw.iter().any(|b| matches!(b, b'%' | b'+')) {
        return std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|_| ParamError::Malformed);
    }
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_decode(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ParamError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_form_encoding() {
        let p = Params::parse(b"a=1&b=x+y%2Fz&c=&d").unwrap();
        assert_eq!(p.get("a").unwrap(), Some("1"));
        assert_eq!(p.get("b").unwrap(), Some("x y/z"));
        assert_eq!(p.get("c").unwrap(), None);
        assert_eq!(p.get("d").unwrap(), None);
        assert_eq!(p.get("e").unwrap(), None);
    }

    #[test]
    fn duplicates_are_refused_when_read() {
        let p = Params::parse(b"code=a&code=b&x=1").unwrap();
        assert_eq!(p.get("code"), Err(ParamError::Duplicated("code")));
        assert_eq!(p.get("x").unwrap(), Some("1"));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(
            Params::parse(b"a=%ff%fe").unwrap_err(),
            ParamError::Malformed
        );
        assert!(Params::parse(b"a=\xff").is_err());
    }
}
