use super::{check_identifier, Invalid};

/// A client identifier as registered (printable ASCII, no spaces, at most 128 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_identifier("client_id", raw, 128, |c| c.is_ascii_graphic())?;
        Ok(Self(raw.to_owned()))
    }
}

string_newtype!(ClientId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_generated_ids_and_refuses_junk() {
        assert!(ClientId::parse("c_8f2k1m9x0q").is_ok());
        for bad in ["", " ", "a b", "é", "a\nb", &"x".repeat(129)] {
            assert!(ClientId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
