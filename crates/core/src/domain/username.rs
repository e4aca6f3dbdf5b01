use super::{check_identifier, Invalid};

/// A login name: letters, digits and `. _ - @ +`; at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_identifier("username", raw, 64, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')
        })?;
        Ok(Self(raw.to_owned()))
    }
}

string_newtype!(Username);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for good in ["alice", "13800000000", "a.b+c@example.com", "x_y-z"] {
            assert!(Username::parse(good).is_ok(), "{good:?}");
        }
        for bad in ["", "a b", "a'--", "<script>", "名字", &"u".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }
}
