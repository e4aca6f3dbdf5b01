use super::{check_identifier, Invalid};

/// A tenant identifier: letters, digits, `-`, `_`, `.`; at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_identifier("tenant id", raw, 64, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
        })?;
        Ok(Self(raw.to_owned()))
    }
}

string_newtype!(TenantId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids() {
        assert!(TenantId::parse("tenant-01_a.b").is_ok());
        for bad in ["", "a b", "a/b", "租户", &"t".repeat(65)] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
