//! Validated input types: request and CLI input is parsed into these once, at the edge.

/// `as_str` and `Display` for a newtype over `String` (defined before the modules that use it).
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

mod app_id;
mod client_id;
mod password;
mod redirect_uri;
pub mod resource;
mod scope;
mod tenant_id;
mod username;
pub mod words;

pub use app_id::AppId;
pub use client_id::ClientId;
pub use password::{NewPassword, Password};
pub use redirect_uri::RedirectUri;
pub use scope::{Scope, ScopeToken};
pub use tenant_id::TenantId;
pub use username::Username;

/// Why a value was refused; the text is safe to show to the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The role a user holds in their tenant, as reported by userinfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "user" => Ok(Self::User),
            "admin" => Ok(Self::Admin),
            _ => Err(Invalid::new(format!(
                "role must be `user` or `admin`, not {raw:?}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}

/// Checks that `value` is 1..=`max` characters, all accepted by `allowed`.
fn check_identifier(
    what: &str,
    value: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<(), Invalid> {
    if value.is_empty() {
        return Err(Invalid::new(format!("{what} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(Invalid::new(format!(
            "{what} must be at most {max} characters"
        )));
    }
    if !value.chars().all(allowed) {
        return Err(Invalid::new(format!(
            "{what} contains a character that is not allowed"
        )));
    }
    Ok(())
}
