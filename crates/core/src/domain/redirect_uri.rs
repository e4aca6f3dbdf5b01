use super::Invalid;

/// An absolute `http`/`https` URI without a fragment, compared by exact string match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() || raw.len() > 2048 {
            return Err(Invalid::new("redirect URI must be 1 to 2048 characters"));
        }
        // The URL parser drops tabs and line breaks silently; stored, they would be
        // compared, logged and sent in headers as they are.
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Invalid::new(
                "redirect URI must not contain spaces or control characters",
            ));
        }
        // The URL parser forgives `https:///host`; an exact-match identifier must not.
        let authority = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(|| Invalid::new("redirect URI must use http or https"))?;
        if authority.is_empty() || authority.starts_with('/') {
            return Err(Invalid::new("redirect URI must name a host"));
        }
        let url = url::Url::parse(raw)
            .map_err(|_| Invalid::new("redirect URI must be an absolute URI"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Invalid::new("redirect URI must use http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Invalid::new("redirect URI must name a host"));
        }
        if url.fragment().is_some() || raw.contains('#') {
            return Err(Invalid::new("redirect URI must not have a fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Invalid::new("redirect URI must not carry credentials"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// This URI with `params` appended to its query, keeping what it already had.
    pub fn with_query(&self, params: &[(&str, &str)]) -> String {
        // Parsing cannot fail: the value was checked when it was constructed.
        match url::Url::parse(&self.0) {
            Ok(mut url) => {
                {
                    let mut query = url.query_pairs_mut();
                    for (key, value) in params {
                        query.append_pair(key, value);
                    }
                }
                url.to_string()
            }
            Err(_) => self.0.clone(),
        }
    }
}

string_newtype!(RedirectUri);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_web_callbacks() {
        for good in [
            "https://app.example.com/callback",
            "http://localhost:3000/cb?x=1",
            "http://127.0.0.1:8080/demo/callback",
        ] {
            assert!(RedirectUri::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn refuses_dangerous_or_malformed() {
        for bad in [
            "",
            "/relative",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://app.example.com/cb#frag",
            "https://user:pw@app.example.com/cb",
            "ftp://example.com/",
            "https:///nohost",
            "https://app.example.com/cb\r\nSet-Cookie: a=b",
            "https://app.example.com/c\tb",
            "https://app.example.com/cb\n",
            "https://app.example.com/c b",
            "https://app.example.com/cb\u{0}",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn appends_query_parameters_encoded() {
        let uri = RedirectUri::parse("https://a.example/cb?x=1").unwrap();
        assert_eq!(
            uri.with_query(&[("code", "a b"), ("state", "<&>")]),
            "https://a.example/cb?x=1&code=a+b&state=%3C%26%3E"
        );
    }
}
