use super::{check_identifier, Invalid};

/// An application id as the portal login and the kit name it (a client's `app_id`, or a
/// seller's kit app): printable ASCII without spaces, at most 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppId(String);

impl AppId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_identifier("appId", raw, 128, |c| c.is_ascii_graphic())?;
        Ok(Self(raw.to_owned()))
    }
}

string_newtype!(AppId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_are_printable_ascii() {
        assert!(AppId::parse("eefj89n4jg9b7mo8ifcs").is_ok());
        assert!(AppId::parse("demo-crm").is_ok());
        for bad in ["", "a\u{0}b", "a b", "应用", &"x".repeat(129)] {
            assert!(AppId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
