use crate::secret::Secret;

use super::Invalid;

/// Longest password accepted anywhere: bounds the work one login can cause.
const MAX_LEN: usize = 1024;

/// A password presented at login. Any non-empty value up to the length cap.
#[derive(Debug, Clone)]
pub struct Password(Secret);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new("password must not be empty"));
        }
        if raw.len() > MAX_LEN {
            return Err(Invalid::new("password is too long"));
        }
        Ok(Self(Secret::new(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// A password being set: at least 8 characters from at least two of letters, digits, others.
#[derive(Debug, Clone)]
pub struct NewPassword(Secret);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.trim().is_empty() {
            return Err(Invalid::new("password must not be empty"));
        }
        if raw.chars().count() < 8 {
            return Err(Invalid::new(
                "password is too weak: use at least 8 characters",
            ));
        }
        if raw.len() > MAX_LEN {
            return Err(Invalid::new("password is too long"));
        }
        let classes = [
            raw.chars().any(|c| c.is_alphabetic()),
            raw.chars().any(|c| c.is_ascii_digit()),
            raw.chars().any(|c| !c.is_alphanumeric()),
        ];
        if classes.iter().filter(|present| **present).count() < 2 {
            return Err(Invalid::new(
                "password is too weak: mix letters with digits or symbols",
            ));
        }
        Ok(Self(Secret::new(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_password_policy() {
        assert!(NewPassword::parse("correct-horse").is_ok());
        assert!(NewPassword::parse("abc12345").is_ok());
        for weak in ["", "        ", "short1", "abcdefghij", "1234567890"] {
            assert!(NewPassword::parse(weak).is_err(), "{weak:?}");
        }
        assert!(NewPassword::parse(&"a1".repeat(600)).is_err());
    }

    #[test]
    fn login_password_is_redacted() {
        let p = Password::parse("s3cret!").unwrap();
        assert!(!format!("{p:?}").contains("s3cret"));
        assert!(Password::parse("").is_err());
    }
}
