//! The command line's grammar (clap): every subcommand and its arguments. `main` parses
//! it and dispatches.

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "unilogin",
    version,
    about = "OAuth2 / OpenID Connect identity provider for joint-operation SaaS login"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
pub enum ResourceServerCommand {
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
pub enum MerchantCommand {
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
    },
}

/// Granting or revoking a role held by a user.
#[derive(Subcommand)]
pub enum OperatorCommand {
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
pub enum TenantCommand {
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
pub enum UserCommand {
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
pub struct UserCreate {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub tenant: String,
    /// Read the password from standard input.
    #[arg(long = "password-stdin", required = true)]
    pub password_stdin: bool,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub mobile: Option<String>,
    #[arg(long, default_value = "user")]
    pub role: String,
    #[arg(long = "org-code")]
    pub org_code: Option<String>,
    #[arg(long = "org-name")]
    pub org_name: Option<String>,
    #[arg(long = "project-name")]
    pub project_name: Option<String>,
}

#[derive(Subcommand)]
pub enum ClientCommand {
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
        /// Keep the old secret valid this many seconds beside the new one (at most 30
        /// days), so that the app can switch without an outage.
        #[arg(long = "grace-seconds")]
        grace_seconds: Option<u64>,
    },
    Delete {
        client_id: String,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
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
pub enum ConfigCommand {
    /// Prints the effective configuration (secrets redacted), the stores it selects, and
    /// whether they answer.
    Check,
}
