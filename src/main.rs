//! The `unilogin` command line: run the service and manage its records.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use unilogin::admin::{
    Actor, AdminError, AdminService, NewClientRequest, NewUserRequest, PasswordHasher,
};
use unilogin::config::Settings;
use unilogin::domain::{NewPassword, RedirectUri, Role, TenantId, Username};
use unilogin::idp::Registry;
use unilogin::lifecycle::Lifecycle;
use unilogin::marketplace::store::MarketStore;
use unilogin::startup::Application;
use unilogin::store::durable::Durable;
use unilogin::store::ephemeral::{MemoryStore, RedisStore, SharedEphemeral};
use unilogin::store::StoreError;

#[derive(Parser)]
#[command(
    name = "unilogin",
    version,
    about = "OAuth2 / OpenID Connect identity provider for joint-operation SaaS login"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service.
    Serve {
        /// Listen address (overrides UNILOGIN_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// Seed a demo tenant, user and client, and serve the /demo/ partner app.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage client registrations.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage signing keys and the master key that seals them.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Register tenants as marketplace merchants (their users become sellers).
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// Grant or revoke the marketplace operator (reviewer) role.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Grant or revoke platform administration (the admin API and the console).
    #[command(subcommand)]
    Admin(OperatorCommand),
    /// Register resource servers (audiences) and the API scopes they define.
    #[command(subcommand, name = "resource-server")]
    ResourceServer(ResourceServerCommand),
}

#[derive(Subcommand)]
enum ResourceServerCommand {
    Create {
        /// The audience of its tokens: an absolute http(s) URI.
        #[arg(long)]
        identifier: String,
        #[arg(long)]
        name: String,
        /// An API scope it defines (repeatable).
        #[arg(long = "scope", required = true)]
        scope: Vec<String>,
    },
    List,
}

#[derive(Subcommand)]
enum MerchantCommand {
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
}

/// Granting or revoking a role held by a user.
#[derive(Subcommand)]
enum OperatorCommand {
    Grant {
        #[arg(long)]
        username: String,
    },
    Revoke {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long = "domain-name")]
        domain_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Create(UserCreate),
    Passwd {
        #[arg(long)]
        username: String,
        /// Read the new password from standard input.
        #[arg(long = "password-stdin", required = true)]
        password_stdin: bool,
    },
    Disable {
        #[arg(long)]
        username: String,
    },
}

#[derive(Args)]
struct UserCreate {
    #[arg(long)]
    username: String,
    #[arg(long)]
    tenant: String,
    /// Read the password from standard input.
    #[arg(long = "password-stdin", required = true)]
    password_stdin: bool,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    mobile: Option<String>,
    #[arg(long, default_value = "user")]
    role: String,
    #[arg(long = "org-code")]
    org_code: Option<String>,
    #[arg(long = "org-name")]
    org_name: Option<String>,
    #[arg(long = "project-name")]
    project_name: Option<String>,
}

#[derive(Subcommand)]
enum ClientCommand {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long = "redirect-uri", required = true)]
        redirect_uri: Vec<String>,
        #[arg(long = "post-logout-uri")]
        post_logout_uri: Vec<String>,
        #[arg(long = "home-url")]
        home_url: Option<String>,
        /// A public client: no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// The ID token signing algorithm: RS256 (default) or ES256.
        #[arg(long = "id-token-alg")]
        id_token_alg: Option<String>,
        /// An API scope the client may request (repeatable).
        #[arg(long = "scope")]
        scope: Vec<String>,
    },
    /// Changes what a client may request.
    Update {
        client_id: String,
        /// The API scopes the client may request from now on (repeatable).
        #[arg(long = "scope", conflicts_with = "no_scopes")]
        scope: Vec<String>,
        /// Takes every API scope away.
        #[arg(long = "no-scopes")]
        no_scopes: bool,
    },
    List,
    RotateSecret {
        client_id: String,
        /// Also end every token issued to the client so far (the secret leaked).
        #[arg(long = "revoke-tokens")]
        revoke_tokens: bool,
    },
    Delete {
        client_id: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    List,
    /// Adds a new key (for every algorithm, or one) and makes it the active signer.
    Rotate {
        /// `ES256` (access tokens) or `RS256` (ID tokens); default: both.
        #[arg(long)]
        alg: Option<String>,
    },
    /// Reseals every stored key under the newest master key (after adding one).
    Rewrap,
    /// Prints a new random master key (base64), for UNILOGIN_MASTER_KEY.
    GenerateMaster,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Prints the effective configuration (secrets redacted), the stores it selects, and
    /// whether they answer.
    Check,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            // Scripts read one line: the first line of clap's report.
            let rendered = err.render().to_string();
            let line = rendered
                .lines()
                .next()
                .unwrap_or("error: invalid arguments");
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {}", message.lines().next().unwrap_or_default());
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, mut settings: Settings) -> Result<(), String> {
    match command {
        Command::Serve { bind, demo } => {
            unilogin::telemetry::init(&settings.log);
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            settings.demo = demo;
            let app = Application::build(settings)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "unilogin listening on {} (issuer {})",
                app.address(),
                app.issuer()
            );
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => {
            durable(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Tenant(TenantCommand::Create {
            id,
            name,
            domain_name,
        }) => {
            let id = TenantId::parse(&id).map_err(|e| e.to_string())?;
            service(&settings)
                .await?
                .create_tenant(&Actor::command_line(), &id, &name, domain_name.as_deref())
                .await
                .map_err(admin)?;
            print_json(&serde_json::json!({ "id": id.as_str(), "name": name }))
        }
        Command::User(command) => user(command, &settings).await,
        Command::Client(command) => client(command, &settings).await,
        Command::Keys(command) => keys(command, &settings).await,
        Command::Config(ConfigCommand::Check) => unilogin::cli::config::check(&settings).await,
        Command::Merchant(MerchantCommand::Create { tenant, name }) => {
            let store = durable(&settings).await?;
            let tenant = TenantId::parse(&tenant).map_err(|e| e.0)?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
                return Err("merchant name must be 1 to 128 printable characters".into());
            }
            if store
                .find_tenant(tenant.as_str())
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no tenant {}", tenant.as_str()));
            }
            match MarketStore::new(store.pool().clone(), store.clock().clone())
                .create_merchant(tenant.as_str(), name)
                .await
            {
                Ok(()) => print_json(&serde_json::json!({"tenant": tenant.as_str(), "name": name})),
                Err(StoreError::Conflict) => {
                    Err(format!("tenant {} is already a merchant", tenant.as_str()))
                }
                Err(err) => Err(err.to_string()),
            }
        }
        Command::ResourceServer(ResourceServerCommand::Create {
            identifier,
            name,
            scope,
        }) => {
            service(&settings)
                .await?
                .create_resource_server(&Actor::command_line(), &identifier, &name, scope.clone())
                .await
                .map_err(admin)?;
            print_json(
                &serde_json::json!({"identifier": identifier, "name": name, "scopes": scope}),
            )
        }
        Command::ResourceServer(ResourceServerCommand::List) => {
            let stored = durable(&settings)
                .await?
                .list_resource_servers()
                .await
                .map_err(|e| e.to_string())?;
            let issuer = settings
                .issuer
                .clone()
                .unwrap_or_else(|| format!("http://{}", settings.bind));
            for server in Registry::new(issuer.trim_end_matches('/'), stored).servers() {
                print_json(&serde_json::json!({
                    "identifier": server.identifier,
                    "name": server.name,
                    "scopes": server.scopes,
                }))?;
            }
            Ok(())
        }
        Command::Admin(command) => {
            let (username, grant) = match command {
                OperatorCommand::Grant { username } => (username, true),
                OperatorCommand::Revoke { username } => (username, false),
            };
            let username = Username::parse(&username).map_err(|e| e.to_string())?;
            service(&settings)
                .await?
                .set_platform_admin(&Actor::command_line(), &username, grant)
                .await
                .map_err(admin)
        }
        Command::Operator(command) => {
            let store = durable(&settings).await?;
            let (username, grant) = match command {
                OperatorCommand::Grant { username } => (username, true),
                OperatorCommand::Revoke { username } => (username, false),
            };
            let user = store
                .find_user_by_username(&username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user {username}"))?;
            let market = MarketStore::new(store.pool().clone(), store.clock().clone());
            let changed = if grant {
                market.grant_operator(&user.id).await
            } else {
                market.revoke_operator(&user.id).await
            }
            .map_err(|e| e.to_string())?;
            match (grant, changed) {
                (true, false) => Err(format!("{username} is already an operator")),
                (false, false) => Err(format!("{username} is not an operator")),
                _ => Ok(()),
            }
        }
    }
}

async fn user(command: UserCommand, settings: &Settings) -> Result<(), String> {
    match command {
        UserCommand::Create(args) => {
            let password = read_password()?;
            let request = NewUserRequest {
                username: Username::parse(&args.username).map_err(|e| e.to_string())?,
                tenant: TenantId::parse(&args.tenant).map_err(|e| e.to_string())?,
                password: NewPassword::parse(&password).map_err(|e| e.to_string())?,
                name: args.name,
                email: args.email,
                mobile: args.mobile,
                role: Role::parse(&args.role).map_err(|e| e.to_string())?,
                org_code: args.org_code,
                org_name: args.org_name,
                project_name: args.project_name,
            };
            let id = service(settings)
                .await?
                .create_user(&Actor::command_line(), request)
                .await
                .map_err(admin)?;
            print_json(&serde_json::json!({ "id": id, "username": args.username }))
        }
        UserCommand::Passwd { username, .. } => {
            let username = Username::parse(&username).map_err(|e| e.to_string())?;
            let password = NewPassword::parse(&read_password()?).map_err(|e| e.to_string())?;
            service(settings)
                .await?
                .set_password(&Actor::command_line(), &username, password)
                .await
                .map_err(admin)
        }
        UserCommand::Disable { username } => {
            let username = Username::parse(&username).map_err(|e| e.to_string())?;
            service(settings)
                .await?
                .disable_user(&Actor::command_line(), &username)
                .await
                .map_err(admin)
        }
    }
}

async fn client(command: ClientCommand, settings: &Settings) -> Result<(), String> {
    let service = service(settings).await?;
    let actor = Actor::command_line();
    match command {
        ClientCommand::Create {
            name,
            redirect_uri,
            post_logout_uri,
            home_url,
            public,
            id_token_alg,
            scope,
        } => {
            let uris = |raw: Vec<String>| -> Result<Vec<RedirectUri>, String> {
                raw.iter()
                    .map(|u| RedirectUri::parse(u).map_err(|e| format!("{u}: {e}")))
                    .collect()
            };
            let created = service
                .create_client(
                    &actor,
                    NewClientRequest {
                        name,
                        redirect_uris: uris(redirect_uri)?,
                        post_logout_uris: uris(post_logout_uri)?,
                        home_url: home_url
                            .map(|u| RedirectUri::parse(&u).map_err(|e| format!("{u}: {e}")))
                            .transpose()?,
                        public,
                        id_token_alg,
                        scopes: scope,
                        client_id: None,
                        app_id: None,
                    },
                )
                .await
                .map_err(admin)?;
            print_json(&created)
        }
        ClientCommand::List => {
            for client in service.list_clients().await.map_err(admin)? {
                print_json(&client)?;
            }
            Ok(())
        }
        ClientCommand::Update {
            client_id,
            scope,
            no_scopes,
        } => {
            if scope.is_empty() && !no_scopes {
                return Err("nothing to change: give --scope S (repeatable) or --no-scopes".into());
            }
            service
                .set_client_scopes(&actor, &client_id, scope)
                .await
                .map_err(admin)
        }
        ClientCommand::RotateSecret {
            client_id,
            revoke_tokens,
        } => {
            let rotated = service
                .rotate_secret(&actor, &client_id, revoke_tokens)
                .await
                .map_err(admin)?;
            print_json(&rotated)
        }
        ClientCommand::Delete { client_id } => service
            .delete_client(&actor, &client_id)
            .await
            .map_err(admin),
    }
}

async fn keys(command: KeysCommand, settings: &Settings) -> Result<(), String> {
    use unilogin::cli::keys;
    match command {
        KeysCommand::List => {
            keys::list(&keys::with_keys(settings, service(settings).await?).await?).await
        }
        KeysCommand::Rotate { alg } => {
            let service = keys::with_keys(settings, service(settings).await?).await?;
            keys::rotate(settings, &service, alg.as_deref()).await
        }
        KeysCommand::Rewrap => keys::rewrap(settings, &durable(settings).await?).await,
        KeysCommand::GenerateMaster => keys::generate_master(),
    }
}

async fn durable(settings: &Settings) -> Result<Durable, String> {
    let store = Durable::connect(&settings.database_url)
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(store)
}

/// The lifecycle the running servers read: the durable store, and the shared ephemeral
/// one when there is one (on the embedded default the servers pick the entries up from
/// the database within a second).
fn lifecycle(settings: &Settings, store: &Durable) -> Result<Lifecycle, String> {
    let ephemeral: SharedEphemeral = match &settings.redis_url {
        Some(url) => {
            Arc::new(RedisStore::new(url, &settings.redis_prefix).map_err(|e| e.to_string())?)
        }
        None => MemoryStore::new(Duration::from_secs(60), store.clock().clone()),
    };
    Ok(Lifecycle::new(
        store.clone(),
        ephemeral,
        &settings.lifetimes,
    ))
}

/// The admin service over the configured stores, as the running servers see them.
async fn service(settings: &Settings) -> Result<AdminService, String> {
    let store = durable(settings).await?;
    let lifecycle = Arc::new(lifecycle(settings, &store)?);
    let hasher = PasswordHasher::new(settings.argon2)?;
    Ok(AdminService::new(store, lifecycle, hasher))
}

fn admin(err: AdminError) -> String {
    err.to_string()
}

/// The password is the whole of standard input, less one trailing line break.
fn read_password() -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let trimmed = input
        .strip_suffix("\r\n")
        .or_else(|| input.strip_suffix('\n'))
        .unwrap_or(&input);
    Ok(trimmed.to_owned())
}

use unilogin::cli::print_json;
