//! The one HTTP client for sellers' production URLs: TLS through rustls on aws-lc-rs with
//! the Mozilla roots (plus an extra CA file when configured), `https` to a domain name
//! only, every resolved address checked (no private, loopback or link-local targets), no
//! redirects, connect and total timeouts, and answers capped in size.

mod address;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use url::Url;

pub use address::allowed as address_allowed;

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest answer read; anything longer is refused, not truncated.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Default)]
pub struct OutboundSettings {
    /// The development switch: loopback targets (and plain `http` to them) are allowed.
    pub allow_loopback: bool,
    /// Extra trusted CAs (PEM), for sellers with a private CA in tests and staging.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The URL or the address it resolves to is not one we call.
    #[error("{0}")]
    Refused(String),
    #[error("no answer within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("the answer is larger than {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
}

/// A seller's answer: status, the headers we read, and the body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Outbound {
    client: reqwest::Client,
    allow_loopback: bool,
}

/// The resolver's refusal, recognised again in the error chain reqwest returns.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to private, loopback or link-local addresses")]
struct AddressRefused(String);

struct GuardedResolver {
    allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let usable: Vec<SocketAddr> = found
                .filter(|a| address::allowed(a.ip(), allow_loopback))
                .collect();
            if usable.is_empty() {
                return Err(Box::new(AddressRefused(host)) as _);
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

/// Makes aws-lc-rs the process's TLS crypto provider: every other HTTP client in the
/// process (the demo's back channel, tests) builds its TLS from it. Idempotent.
pub fn install_crypto_provider() {
    // Err only means one is installed already.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

fn tls_config(settings: &OutboundSettings) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &settings.ca_file {
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("CA file {}: {e}", path.display()))?;
        for certificate in certificates {
            let certificate =
                certificate.map_err(|e| format!("CA file {}: {e}", path.display()))?;
            roots
                .add(certificate)
                .map_err(|e| format!("CA file {}: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Outbound {
    pub fn new(settings: &OutboundSettings) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config(settings)?)
            .dns_resolver(Arc::new(GuardedResolver {
                allow_loopback: settings.allow_loopback,
            }))
            .redirect(reqwest::redirect::Policy::none())
            // An environment proxy (HTTPS_PROXY, ALL_PROXY…) would take the connection
            // past the address guard, which only sees the proxy's address.
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("unilogin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            allow_loopback: settings.allow_loopback,
        })
    }

    /// A production URL we may call: `https` to a domain name; under the development
    /// switch also loopback, over `http` too.
    pub fn check_url(&self, raw: &str) -> Result<Url, OutboundError> {
        let refuse = |why: &str| OutboundError::Refused(format!("production URL: {why}"));
        if raw.len() > 512 {
            return Err(refuse("at most 512 characters"));
        }
        let url = Url::parse(raw).map_err(|_| refuse("not an absolute URL"))?;
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return Err(refuse("no credentials or fragment"));
        }
        let loopback = match url.host() {
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => return Err(refuse("no host")),
        };
        if loopback {
            if !self.allow_loopback {
                return Err(refuse(
                    "loopback is allowed only under the development switch",
                ));
            }
        } else if !matches!(url.host(), Some(url::Host::Domain(_))) {
            return Err(refuse("a domain name is required, not an IP address"));
        }
        match url.scheme() {
            "https" => Ok(url),
            "http" if loopback => Ok(url),
            _ => Err(refuse("https is required")),
        }
    }

    /// POSTs `body` as JSON with `headers`; the whole exchange within `timeout`.
    pub async fn post_json(
        &self,
        url: &Url,
        headers: Vec<(HeaderName, HeaderValue)>,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<Answer, OutboundError> {
        let url = self.check_url(url.as_str())?;
        let mut request = self
            .client
            .post(url)
            .timeout(timeout)
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let exchange = async {
            let mut response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Ok(Err(OutboundError::TooLarge));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Ok(Answer {
                status,
                headers,
                body,
            }))
        };
        // The client's own timeout covers the exchange; this one bounds a slow body too.
        match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Err(OutboundError::Timeout(timeout)),
            Ok(Ok(answer)) => answer,
            Ok(Err(err)) => Err(classify(err, timeout)),
        }
    }
}

fn classify(err: reqwest::Error, timeout: Duration) -> OutboundError {
    if err.is_timeout() {
        return OutboundError::Timeout(timeout);
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<AddressRefused>() {
            return OutboundError::Refused(refused.to_string());
        }
        source = cause.source();
    }
    // The innermost cause says the most (a refused connection, a certificate).
    let mut innermost = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        innermost = cause.to_string();
        source = cause.source();
    }
    OutboundError::Unreachable(innermost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbound(allow_loopback: bool) -> Outbound {
        Outbound::new(&OutboundSettings {
            allow_loopback,
            ca_file: None,
        })
        .unwrap()
    }

    #[test]
    fn production_urls_are_https_to_a_domain_name() {
        let strict = outbound(false);
        assert!(strict
            .check_url("https://seller.example.com/produce")
            .is_ok());
        for bad in [
            "http://seller.example.com/produce",
            "https://93.184.216.34/produce",
            "https://[2606:4700::1]/produce",
            "https://127.0.0.1/produce",
            "https://localhost/produce",
            "https://user:pw@seller.example.com/",
            "ftp://seller.example.com/",
            "seller.example.com/produce",
        ] {
            assert!(
                matches!(strict.check_url(bad), Err(OutboundError::Refused(_))),
                "{bad}"
            );
        }
        // The development switch relaxes exactly one thing: loopback hosts, over http or
        // https. (README, "Calls to the production URL".)
        let development = outbound(true);
        for loopback in [
            "http://127.0.0.1:8080/demo/produce",
            "https://127.0.0.2/produce",
            "https://localhost:9443/produce",
            "http://localhost/produce",
            "http://[::1]:8080/produce",
            "https://seller.example.com/produce",
        ] {
            assert!(development.check_url(loopback).is_ok(), "{loopback}");
        }
        for still_refused in [
            "https://10.0.0.1/produce",
            "http://192.168.1.1/produce",
            "https://93.184.216.34/produce",
            "https://[2606:4700::1]/produce",
            "http://seller.example.com/",
            "ftp://localhost/",
            "https://user:pw@localhost/",
        ] {
            assert!(
                matches!(
                    development.check_url(still_refused),
                    Err(OutboundError::Refused(_))
                ),
                "{still_refused}"
            );
        }
    }

    #[tokio::test]
    async fn names_are_checked_after_resolution() {
        use std::str::FromStr;
        let strict = GuardedResolver {
            allow_loopback: false,
        };
        let refused = strict.resolve(Name::from_str("localhost").unwrap()).await;
        let err = refused.err().expect("loopback refused");
        assert!(err.downcast_ref::<AddressRefused>().is_some(), "{err}");
        let development = GuardedResolver {
            allow_loopback: true,
        };
        let addrs: Vec<SocketAddr> = development
            .resolve(Name::from_str("localhost").unwrap())
            .await
            .expect("loopback allowed")
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
