//! Audiences: which resource servers exist, which scopes each defines, which of those a
//! client may request, and the `aud` of a token for a given scope (narrowed by RFC 8707
//! `resource` indicators). The identity provider itself is the audience of the user-info
//! scopes (userinfo); the marketplace is built in; others are registered.

use std::sync::Arc;

use super::Idp;
use crate::domain::resource::{
    admin_identifier, marketplace_identifier, ADMIN_SCOPES, MARKETPLACE_SCOPES,
};
use crate::domain::Scope;
use crate::store::durable::{ClientRecord, ResourceServerRecord};
use crate::store::StoreError;
use crate::tokens::Audience;

pub struct Registry {
    issuer: String,
    servers: Vec<ResourceServerRecord>,
}

/// Why a scope or resource was refused; the text is for `error_description`.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// `invalid_scope`.
    Scope(String),
    /// `invalid_target` (RFC 8707 §2).
    Target(String),
}

impl Registry {
    pub fn new(issuer: &str, stored: Vec<ResourceServerRecord>) -> Self {
        let builtin = |identifier: String, name: &str, scopes: &[&str]| ResourceServerRecord {
            identifier,
            name: name.into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        let mut servers = vec![
            builtin(
                marketplace_identifier(issuer),
                "Marketplace",
                &MARKETPLACE_SCOPES,
            ),
            builtin(admin_identifier(issuer), "Admin API", &ADMIN_SCOPES),
        ];
        servers.extend(stored);
        Self {
            issuer: issuer.to_owned(),
            servers,
        }
    }

    pub fn servers(&self) -> &[ResourceServerRecord] {
        &self.servers
    }

    fn owner(&self, scope: &str) -> Option<&ResourceServerRecord> {
        self.servers
            .iter()
            .find(|s| s.scopes.iter().any(|v| v == scope))
    }

    /// Every API scope of every resource server.
    pub fn api_scopes(&self) -> impl Iterator<Item = &str> {
        self.servers
            .iter()
            .flat_map(|s| s.scopes.iter().map(String::as_str))
    }

    /// Every API value of `scope` must be registered and open to `client`.
    pub fn check_scope(&self, scope: &Scope, client: &ClientRecord) -> Result<(), Refused> {
        for value in scope.api_values() {
            if self.owner(value).is_none() {
                return Err(Refused::Scope(format!("unknown scope value {value:?}")));
            }
            if !client.scopes.iter().any(|s| s == value) {
                return Err(Refused::Scope(format!(
                    "this client may not request the scope {value:?}"
                )));
            }
        }
        Ok(())
    }

    /// The audiences of a token of `scope`: the resource servers its scopes belong to
    /// (the issuer for the user-info scopes), narrowed to `resources` when any are named.
    pub fn audience(&self, scope: Option<&Scope>, resources: &[&str]) -> Result<Audience, Refused> {
        let mut audience: Vec<String> = Vec::new();
        let mut add = |id: &str| {
            if !audience.iter().any(|a| a == id) {
                audience.push(id.to_owned());
            }
        };
        match scope {
            Some(scope) => {
                if scope.has_user_values() {
                    add(&self.issuer);
                }
                for value in scope.api_values() {
                    let owner = self
                        .owner(value)
                        .ok_or_else(|| Refused::Scope(format!("unknown scope value {value:?}")))?;
                    add(&owner.identifier);
                }
            }
            None => add(&self.issuer),
        }
        if resources.is_empty() {
            return Ok(Audience::new(audience));
        }
        let mut narrowed: Vec<String> = Vec::new();
        for resource in resources {
            if !audience.iter().any(|a| a == resource) {
                let known = *resource == self.issuer
                    || self.servers.iter().any(|s| s.identifier == *resource);
                return Err(Refused::Target(if known {
                    format!("no requested scope belongs to the resource {resource}")
                } else {
                    format!("unknown resource {resource}")
                }));
            }
            if !narrowed.iter().any(|n| n == resource) {
                narrowed.push((*resource).to_owned());
            }
        }
        Ok(Audience::new(narrowed))
    }
}

impl Idp {
    /// The resource servers, from memory when read within the cache TTL.
    pub async fn registry(&self) -> Result<Arc<Registry>, StoreError> {
        if let Some(registry) = self.registry.get("") {
            return Ok(registry);
        }
        let stored = self.durable.list_resource_servers().await?;
        let registry = Arc::new(Registry::new(&self.issuer, stored));
        self.registry.insert("", registry.clone(), self.cache_ttl);
        Ok(registry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        Registry::new(
            "https://id.example",
            vec![ResourceServerRecord {
                identifier: "https://api.example".into(),
                name: "API".into(),
                scopes: vec!["api".into()],
            }],
        )
    }

    fn aud(scope: &str, resources: &[&str]) -> Result<Vec<String>, Refused> {
        registry()
            .audience(Some(&Scope::parse(scope).unwrap()), resources)
            .map(|a| a.identifiers().to_vec())
    }

    #[test]
    fn the_audience_names_only_the_owners_of_the_scopes() {
        assert_eq!(aud("openid", &[]).unwrap(), ["https://id.example"]);
        assert_eq!(aud("api", &[]).unwrap(), ["https://api.example"]);
        assert_eq!(
            aud("openid marketplace.seller", &[]).unwrap(),
            ["https://id.example", "https://id.example/api/marketplace"]
        );
        assert_eq!(
            aud(
                "openid marketplace.seller",
                &["https://id.example/api/marketplace"]
            )
            .unwrap(),
            ["https://id.example/api/marketplace"]
        );
        assert!(matches!(
            aud("openid", &["https://api.example"]),
            Err(Refused::Target(_))
        ));
        assert!(matches!(
            aud("openid", &["https://nowhere.example"]),
            Err(Refused::Target(_))
        ));
        assert!(matches!(aud("nothing", &[]), Err(Refused::Scope(_))));
    }
}
