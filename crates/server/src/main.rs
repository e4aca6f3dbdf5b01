//! The `unilogin` command line: run the service and manage its records.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use unilogin::admin::{
    Actor, AdminError, AdminService, NewClientRequest, NewUserRequest, PasswordHasher,
};
use unilogin::cli::args::{
    Cli, ClientCommand, Command, ConfigCommand, KeysCommand, MerchantCommand, OperatorCommand,
    ResourceServerCommand, TenantCommand, UserCommand,
};
use unilogin::config::Settings;
use unilogin::domain::{NewPassword, RedirectUri, Role, TenantId, Username};
use unilogin::idp::Registry;
use unilogin::lifecycle::Lifecycle;
use unilogin::marketplace::store::MarketStore;
use unilogin::startup::Application;
use unilogin::store::durable::Durable;
use unilogin::store::ephemeral::{MemoryStore, RedisStore, SharedEphemeral};

fn main() -> ExitCode {
    unilogin::outbound::install_crypto_provider();
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
            let tenant = TenantId::parse(&tenant).map_err(|e| e.0)?;
            service(&settings)
                .await?
                .register_merchant(&Actor::command_line(), tenant.as_str(), &name)
                .await
                .map_err(admin)?;
            print_json(&serde_json::json!({"tenant": tenant.as_str(), "name": name.trim()}))
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
            let (username, grant) = match command {
                OperatorCommand::Grant { username } => (username, true),
                OperatorCommand::Revoke { username } => (username, false),
            };
            let service = service(&settings).await?;
            let user = service.user_by_username(&username).await.map_err(admin)?;
            service
                .set_operator(&Actor::command_line(), &user.id, grant)
                .await
                .map_err(admin)
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
            grace_seconds,
        } => {
            let rotation = unilogin::admin::SecretRotation {
                revoke_tokens,
                grace_seconds,
            };
            let rotated = service
                .rotate_secret(&actor, &client_id, rotation)
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
    let store = Durable::connect_with(&settings.database_url, settings.database_max_connections)
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
    let market = Arc::new(MarketStore::new(&store, store.clock().clone()));
    Ok(AdminService::new(store, lifecycle, hasher).with_market_roles(market))
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
