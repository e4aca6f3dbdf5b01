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

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

/// A non-empty set of scope values, printed in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Vec<ScopeToken>);

impl Scope {
    /// What a request without `scope` gets, as upstream documents.
    pub fn default_scope() -> Self {
        Self(vec![ScopeToken::GetUserInfo])
    }

    /// Parses a space-separated scope string. Unknown values are refused.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.len() > 1024 {
            return Err(Invalid::new("scope is too long"));
        }
        let mut tokens = Vec::new();
        for part in raw.split(' ').filter(|p| !p.is_empty()) {
            let token = ScopeToken::parse(part)
                .ok_or_else(|| Invalid::new(format!("unknown scope value {part:?}")))?;
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
        if tokens.is_empty() {
            return Err(Invalid::new("scope must not be empty"));
        }
        tokens.sort();
        Ok(Self(tokens))
    }

    pub fn contains(&self, token: ScopeToken) -> bool {
        self.0.contains(&token)
    }

    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.0.iter().all(|t| other.contains(*t))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, token) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(token.as_str())?;
        }
        Ok(())
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
    fn refuses_unknown_and_empty() {
        assert!(Scope::parse("admin").is_err());
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
