use std::fmt;

use super::Invalid;

/// One scope value unilogin understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeToken {
    GetUserInfo,
    OpenId,
    Profile,
    Email,
    Phone,
}

impl ScopeToken {
    pub const ALL: [ScopeToken; 5] = [
        Self::GetUserInfo,
        Self::OpenId,
        Self::Profile,
        Self::Email,
        Self::Phone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GetUserInfo => "get_user_info",
            Self::OpenId => "openid",
            Self::Profile => "profile",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// Longest single scope value.
const MAX_TOKEN_LEN: usize = 64;

/// A non-empty set of scope values: OpenID Connect and user-info scopes first (in their
/// fixed order), then API scopes of resource servers, alphabetically. Parsing checks the
/// syntax only (RFC 6749 §3.3); whether an API scope is registered, and open to the
/// client, is for the caller to check against the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Vec<String>);

fn rank(token: &str) -> (usize, &str) {
    let known = ScopeToken::ALL.iter().position(|t| t.as_str() == token);
    (known.unwrap_or(ScopeToken::ALL.len()), token)
}

impl Scope {
    /// What a request without `scope` gets, as upstream documents.
    pub fn default_scope() -> Self {
        Self(vec![ScopeToken::GetUserInfo.as_str().to_owned()])
    }

    /// Parses a space-separated scope string.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.len() > 1024 {
            return Err(Invalid::new("scope is too long"));
        }
        let mut tokens: Vec<String> = Vec::new();
        for part in raw.split(' ').filter(|p| !p.is_empty()) {
            let well_formed = part.len() <= MAX_TOKEN_LEN
                && part
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
            if !well_formed {
                return Err(Invalid::new(format!(
                    "malformed scope value {:?}",
                    part.chars().take(MAX_TOKEN_LEN).collect::<String>()
                )));
            }
            if !tokens.iter().any(|t| t == part) {
                tokens.push(part.to_owned());
            }
        }
        if tokens.is_empty() {
            return Err(Invalid::new("scope must not be empty"));
        }
        tokens.sort_by(|a, b| rank(a).cmp(&rank(b)));
        Ok(Self(tokens))
    }

    pub fn contains(&self, token: ScopeToken) -> bool {
        self.has(token.as_str())
    }

    pub fn has(&self, value: &str) -> bool {
        self.0.iter().any(|t| t == value)
    }

    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.0.iter().all(|t| other.has(t))
    }

    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The values that are not OpenID Connect or user-info scopes: API scopes.
    pub fn api_values(&self) -> impl Iterator<Item = &str> {
        self.values().filter(|v| ScopeToken::parse(v).is_none())
    }

    /// Whether any value asks for the user's data at the identity provider.
    pub fn has_user_values(&self) -> bool {
        self.values().any(|v| ScopeToken::parse(v).is_some())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dedups_and_orders() {
        let s = Scope::parse("email openid  get_user_info email").unwrap();
        assert_eq!(s.to_string(), "get_user_info openid email");
        assert!(s.contains(ScopeToken::OpenId));
        assert!(!s.contains(ScopeToken::Phone));
    }

    #[test]
    fn refuses_malformed_and_empty_and_orders_api_scopes_last() {
        assert!(Scope::parse("a\"b").is_err());
        assert!(Scope::parse("a\\b").is_err());
        assert!(Scope::parse(&"x".repeat(65)).is_err());
        let s = Scope::parse("zeta marketplace.buyer openid").unwrap();
        assert_eq!(s.to_string(), "openid marketplace.buyer zeta");
        assert_eq!(
            s.api_values().collect::<Vec<_>>(),
            ["marketplace.buyer", "zeta"]
        );
        assert!(s.has_user_values());
        assert!(Scope::parse("   ").is_err());
        assert!(Scope::parse("openid\u{0}").is_err());
    }

    #[test]
    fn subset() {
        let full = Scope::parse("openid profile email").unwrap();
        assert!(Scope::parse("openid email").unwrap().is_subset_of(&full));
        assert!(!Scope::parse("phone").unwrap().is_subset_of(&full));
    }
}
