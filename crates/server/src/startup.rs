//! Builds the stores, key set and actix app from settings, binds the listener and returns
//! the bound port. `main` runs it; tests build it on port 0.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServiceResponse;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpResponse, HttpServer};

use crate::admin::PasswordHasher;
use crate::config::Settings;
use crate::demo::Demo;
use crate::idp::{self, Idp};
use crate::keystore::{KeyStore, KeyStoreError, MasterKeys};
use crate::lifecycle::Lifecycle;
use crate::marketplace::sealing::Sealer;
use crate::marketplace::store::MarketStore;
use crate::marketplace::Marketplace;
use crate::store::durable::Durable;
use crate::store::ephemeral::{FailureLock, MemoryStore, RedisStore, SharedEphemeral, Timed};
use crate::store::StoreError;
use crate::telemetry::{self, Draining};
use crate::tokens::{AccessVerifier, KeyError, LiveKeys};

/// How often an instance copies revocations and cutoffs written elsewhere (another
/// instance without a shared ephemeral store, the command line on the embedded default).
pub const LIFECYCLE_SYNC: Duration = Duration::from_secs(1);

/// How often an instance looks for due calls to sellers' production URLs.
pub const KIT_OUTBOX_TICK: Duration = Duration::from_secs(1);

/// Largest request body accepted anywhere.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error("durable store: {0}")]
    Durable(StoreError),
    #[error("ephemeral store: {0}")]
    Ephemeral(StoreError),
    #[error("signing keys: {0}")]
    Keys(#[from] KeyError),
    #[error("key store: {0}")]
    KeyStore(#[from] KeyStoreError),
    #[error("marketplace secrets key: {0}")]
    Sealing(#[from] crate::marketplace::sealing::SealError),
    #[error("{0}")]
    Config(String),
}

pub struct Application {
    addr: SocketAddr,
    issuer: String,
    draining: Draining,
    drain_delay: Duration,
    server: Option<Server>,
    handle: ServerHandle,
    idp: web::Data<Idp>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        crate::outbound::install_crypto_provider();
        let clock = settings.clock.clone();
        crate::calendar::install(settings.calendar.clone());
        let durable =
            Durable::connect_with(&settings.database_url, settings.database_max_connections)
                .await
                .map_err(StartupError::Durable)?
                .with_clock(clock.clone());
        durable.migrate().await.map_err(StartupError::Durable)?;
        let ephemeral: SharedEphemeral = match &settings.redis_url {
            Some(url) => Timed::wrap(
                Arc::new(
                    RedisStore::new(url, &settings.redis_prefix)
                        .map_err(StartupError::Ephemeral)?,
                ),
                "redis",
            ),
            None => Timed::wrap(
                MemoryStore::new(Duration::from_secs(30), clock.clone()),
                "memory",
            ),
        };
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            bind: settings.bind.clone(),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            bind: settings.bind.clone(),
            source,
        })?;
        let issuer = settings
            .issuer
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned();
        let max_token_lifetime = settings.lifetimes.longest_signed_token();
        let key_store = open_key_store(&settings, &durable).await?;
        let keys = Arc::new(
            LiveKeys::load(
                key_store.clone(),
                Some(&settings.keys_dir),
                max_token_lifetime,
                settings.keys_rotate_after,
            )
            .await?,
        );
        keys.watch(settings.keys_reload);
        let hasher = PasswordHasher::new(settings.argon2).map_err(StartupError::Config)?;
        let lifecycle = Arc::new(Lifecycle::new(
            durable.clone(),
            ephemeral.clone(),
            &settings.lifetimes,
        ));
        match lifecycle.sync().await {
            Ok(n) if n > 0 => tracing::info!(revocations = n, "revocations reloaded"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not reload revocations yet"),
        }
        // Entries written by instances or commands that do not share our ephemeral store.
        lifecycle.watch(LIFECYCLE_SYNC);
        let access = Arc::new(AccessVerifier::new(
            keys.clone(),
            lifecycle.clone(),
            issuer.clone(),
        ));
        let admin_service = Arc::new(
            crate::admin::AdminService::new(durable.clone(), lifecycle.clone(), hasher.clone())
                .with_keys(crate::admin::KeyAdmin {
                    store: key_store.clone(),
                    max_token_lifetime,
                    import_from: None,
                    live: Some(keys.clone()),
                })
                .with_market_roles(Arc::new(MarketStore::new(&durable, clock.clone()))),
        );
        admin_service
            .ensure_console_client(&issuer)
            .await
            .map_err(|e| StartupError::Config(format!("console client: {e}")))?;
        admin_service
            .ensure_market_console_client(&issuer)
            .await
            .map_err(|e| StartupError::Config(format!("marketplace console client: {e}")))?;
        let outbound = Arc::new(
            crate::outbound::Outbound::new(&outbound_settings(&settings))
                .map_err(|e| StartupError::Config(format!("outbound calls: {e}")))?,
        );
        let marketplace = web::Data::new(Marketplace {
            store: MarketStore::new(&durable, clock.clone()),
            catalogue: crate::marketplace::selling::catalogue::CatalogueCache::new(
                settings.cache_ttl,
            ),
            audience: crate::domain::resource::marketplace_identifier(&issuer),
            issuer: issuer.clone(),
            clock: clock.clone(),
            access: access.clone(),
            sealer: Sealer::load_or_create(&key_store, &settings.keys_dir).await?,
            signature_lock: FailureLock::new(
                ephemeral.clone(),
                "aksk",
                crate::marketplace::open_api::signed::MAX_FAILURES,
                crate::marketplace::open_api::signed::LOCKOUT,
            ),
            access_keys: crate::marketplace::open_api::key_cache::AccessKeyCache::new(
                settings.cache_ttl,
                clock.clone(),
            ),
            ephemeral: ephemeral.clone(),
            admin: admin_service.clone(),
            outbound,
            outbox: crate::marketplace::kit::outbox::Outbox::new(&durable, clock.clone()),
            channels: crate::marketplace::inbox::Channels::default(),
            upload_quota: crate::marketplace::workflow::upload_quota::UploadQuota::new(
                settings.limits.uploads_unattached,
                settings.limits.upload_mib_per_day,
            ),
        });
        // Calls to sellers' production URLs and instances' expiry: every instance with the
        // worker on works the shared outbox and sweeps.
        if settings.market_worker {
            crate::marketplace::kit::dispatch::watch(
                marketplace.clone().into_inner(),
                KIT_OUTBOX_TICK,
            );
        }
        let idp = web::Data::new(Idp::new(
            issuer.clone(),
            durable.clone(),
            ephemeral,
            keys,
            access.clone(),
            hasher.clone(),
            &settings,
        ));
        idp.daily
            .keep_writing(crate::admin::daily_counts::WRITE_EVERY);
        crate::admin::daily_counts::keep_sign_ins_for(
            durable.clone(),
            settings.limits.sign_in_retention_days,
        );
        let admin_audience = crate::domain::resource::admin_identifier(&issuer);
        let admin_api = web::Data::new(crate::admin_api::AdminApi {
            service: admin_service.clone(),
            access: access.clone(),
            audience: admin_audience.clone(),
            issuer: issuer.clone(),
        });
        let market_console = web::Data::new(crate::market_console::MarketConsole {
            sessions: crate::store::ephemeral::ConsoleSessions::new(idp.ephemeral.clone()),
            issuer: issuer.clone(),
            secure_cookies: idp.secure_cookies,
            admins: admin_service.clone(),
        });
        let admin_service_for_pages = admin_service.clone();
        let console = web::Data::new(crate::console::Console {
            service: admin_service,
            access: access.clone(),
            sessions: crate::store::ephemeral::ConsoleSessions::new(idp.ephemeral.clone()),
            audience: admin_audience,
            issuer: issuer.clone(),
            secure_cookies: idp.secure_cookies,
            clock: clock.clone(),
            daily: idp.daily.clone(),
        });
        let demo = if settings.demo {
            let backchannel = backchannel_address(addr);
            Some(Arc::new(
                Demo::seed(
                    &durable,
                    &idp.lifecycle,
                    &hasher,
                    &issuer,
                    &backchannel,
                    &marketplace,
                )
                .await
                .map_err(|e| StartupError::Config(format!("demo: {e}")))?,
            ))
        } else {
            None
        };
        if demo.is_some() {
            debug_the_demo_app(marketplace.clone().into_inner());
        }

        let https = web::Data::new(telemetry::Https(idp.secure_cookies));
        let admin_service_data = web::Data::from(admin_service_for_pages);
        let draining = Draining::default();
        let app_draining = web::Data::new(draining.clone());
        let app_idp = idp.clone();
        let app_demo = demo;
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let server = HttpServer::new(move || {
            let demo = app_demo.clone();
            App::new()
                .wrap(ErrorHandlers::new().handler(StatusCode::PAYLOAD_TOO_LARGE, too_large))
                .wrap(from_fn(telemetry::security_headers))
                .wrap(from_fn(telemetry::trace_requests))
                .app_data(app_idp.clone())
                .app_data(marketplace.clone())
                .app_data(admin_api.clone())
                .app_data(console.clone())
                .app_data(market_console.clone())
                .app_data(app_draining.clone())
                .app_data(https.clone())
                .app_data(admin_service_data.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
                .configure(idp::configure)
                .configure(crate::marketplace::configure)
                .configure(crate::admin_api::configure)
                .configure(crate::console::configure)
                .configure(crate::market_console::configure)
                .route("/metrics", web::get().to(telemetry::metrics))
                .configure(move |cfg| {
                    if let Some(demo) = demo {
                        crate::demo::configure(cfg, demo);
                    }
                })
                .default_service(web::to(idp::not_found))
        })
        .workers(workers)
        // Signals are ours: readiness must turn before the listener closes.
        .disable_signals()
        .shutdown_timeout(settings.shutdown_grace.as_secs())
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            bind: settings.bind.clone(),
            source,
        })?
        .run();
        tracing::info!(%addr, %issuer, "unilogin listening");
        Ok(Self {
            addr,
            issuer,
            draining,
            drain_delay: settings.drain_delay,
            handle: server.handle(),
            server: Some(server),
            idp,
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A handle that stops the server (tests use it to restart on the same stores).
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Runs the server in the background on the current Tokio runtime (tests).
    pub fn spawn(&mut self) {
        if let Some(server) = self.server.take() {
            tokio::spawn(server);
        }
    }

    pub fn idp(&self) -> web::Data<Idp> {
        self.idp.clone()
    }

    /// Starts draining: `/readyz` answers 503 from now on, the listener closes, requests
    /// in flight get up to `UNILOGIN_SHUTDOWN_GRACE_SECS` to finish. Resolves when the
    /// server has stopped.
    pub fn drain(&self) -> impl std::future::Future<Output = ()> {
        drain(self.draining.clone(), self.handle.clone(), self.drain_delay)
    }

    /// Runs until SIGTERM or SIGINT, then drains and returns.
    pub async fn run_until_stopped(mut self) -> std::io::Result<()> {
        let Some(server) = self.server.take() else {
            return Ok(());
        };
        let draining = self.draining.clone();
        let handle = self.handle.clone();
        let delay = self.drain_delay;
        tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stop signal");
            drain(draining, handle, delay).await;
        });
        server.await?;
        if let Err(err) = self.idp.daily.write().await {
            tracing::warn!(error = %err, "could not write the day's counts");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Readiness turns at once; after `delay` (for load balancers to notice) the listener
/// closes and requests in flight get the shutdown grace to finish.
async fn drain(draining: Draining, handle: ServerHandle, delay: Duration) {
    draining.start();
    tracing::info!(
        delay_secs = delay.as_secs(),
        "draining: /readyz answers 503"
    );
    tokio::time::sleep(delay).await;
    tracing::info!("draining: listener closed, finishing requests in flight");
    handle.stop(true).await;
}

/// SIGTERM (what service managers and orchestrators send) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The key store on `durable` under the configured master keys; refuses to go on if they
/// do not open what is stored.
pub async fn open_key_store(
    settings: &Settings,
    durable: &Durable,
) -> Result<KeyStore, KeyStoreError> {
    let master = MasterKeys::resolve(settings)?;
    KeyStore::open(durable.clone(), master).await
}

/// actix refuses oversized bodies itself, in plain text; every client of ours reads JSON.
/// A 413 a handler answered in JSON itself (an upload over its own limit) stays as it is.
fn too_large<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let json = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let (req, _) = res.into_parts();
    let body = HttpResponse::PayloadTooLarge()
        .json(serde_json::json!({
            "error": "invalid_request",
            "error_description": format!("Request body is larger than {} KiB", MAX_BODY_BYTES / 1024),
        }))
        .map_into_right_body();
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(
        req, body,
    )))
}

/// Saves the demo app's debug cases once this server answers: real calls to its own
/// production interface, as a seller's debugging would make them.
fn debug_the_demo_app(market: Arc<Marketplace>) {
    tokio::spawn(async move {
        let mut last = String::new();
        for _ in 0..60 {
            match crate::demo::seller::DemoSeller::debug_required(&market).await {
                Ok(()) => return tracing::info!("demo: the demo app's debug cases are saved"),
                Err(why) => last = why,
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        tracing::warn!(error = %last, "demo: the demo app's debug cases could not be saved");
    });
}

/// The outbound settings: the demo's own app is a seller on this server, so the demo
/// turns the development switch on (loopback allowed).
fn outbound_settings(settings: &Settings) -> crate::outbound::OutboundSettings {
    let mut outbound = settings.outbound.clone();
    if settings.demo {
        outbound.allow_loopback = true;
    }
    outbound
}

/// Where this process reaches itself (the demo app's back channel).
fn backchannel_address(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}
