//! Clients: list and search, register (the secret shown once), edit, rotate the secret,
//! delete.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::form::{Errors, Form};
use super::texts::ConsoleTexts;
use super::{query, Admin, Chrome, Console, ConsoleError, Question, PAGE_SIZE};
use crate::admin::{AdminError, ClientUpdate, NewClientRequest, CONSOLE_CLIENT_ID};
use crate::domain::RedirectUri;
use crate::idp::Registry;
use crate::store::durable::ClientRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/clients", web::get().to(list))
        .route("/clients", web::post().to(create))
        .route("/clients/new", web::get().to(new))
        .route("/clients/{id}", web::get().to(show))
        .route("/clients/{id}", web::post().to(update))
        .route("/clients/{id}/rotate", web::get().to(confirm_rotate))
        .route("/clients/{id}/rotate", web::post().to(rotate))
        .route("/clients/{id}/secret", web::get().to(secret))
        .route("/clients/{id}/delete", web::get().to(confirm_delete))
        .route("/clients/{id}/delete", web::post().to(delete));
}

#[derive(Template)]
#[template(path = "console/clients.html")]
struct ClientList {
    t: &'static ConsoleTexts,
    c: Chrome,
    q: String,
    clients: Vec<ClientRecord>,
    next: Option<String>,
}

async fn list(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
) -> Result<HttpResponse, ConsoleError> {
    let q = query(&req, "q");
    let after = query(&req, "after");
    let mut clients = console.service.clients(&q, &after, PAGE_SIZE + 1).await?;
    let next = (clients.len() as i64 > PAGE_SIZE).then(|| {
        clients.truncate(PAGE_SIZE as usize);
        clients
            .last()
            .map(|c| c.client_id.clone())
            .unwrap_or_default()
    });
    let page = ClientList {
        t: admin.t,
        c: admin.chrome("clients"),
        q,
        clients,
        next,
    };
    Ok(super::ok(page.render()))
}

/// The form's fields as typed, to show them back.
#[derive(Default)]
struct Fields {
    name: String,
    redirect_uris: String,
    post_logout_uris: String,
    home_url: String,
    id_token_alg: String,
    public: bool,
    scopes: Vec<String>,
}

impl Fields {
    fn of(client: &ClientRecord) -> Self {
        Self {
            name: client.name.clone(),
            redirect_uris: client.redirect_uris.join("\n"),
            post_logout_uris: client.post_logout_uris.join("\n"),
            home_url: client.home_url.clone().unwrap_or_default(),
            id_token_alg: client.id_token_alg.clone(),
            public: client.is_public(),
            scopes: client.scopes.clone(),
        }
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// A submitted form in domain types.
struct Parsed {
    name: String,
    redirect_uris: Vec<RedirectUri>,
    post_logout_uris: Vec<RedirectUri>,
    home_url: Option<RedirectUri>,
    id_token_alg: String,
    public: bool,
    scopes: Vec<String>,
}

/// The URIs of a text area, one per line; the first bad line is named beside the field.
fn uris(
    errors: &mut Errors,
    t: &ConsoleTexts,
    field: &'static str,
    lines: &[String],
) -> Vec<RedirectUri> {
    let mut parsed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match RedirectUri::parse(line) {
            Ok(uri) => parsed.push(uri),
            Err(err) => {
                let n = i + 1;
                let words = crate::domain::words::in_language(super::lang_of(t), &err.0);
                errors.add(
                    field,
                    format!("{}{n}{}{words}", t.line_before, t.line_after),
                );
                break;
            }
        }
    }
    parsed
}

fn parse(form: &Form, t: &ConsoleTexts) -> (Fields, Result<Parsed, Errors>) {
    let fields = Fields {
        name: form.get("name").to_owned(),
        redirect_uris: form.get("redirect_uris").to_owned(),
        post_logout_uris: form.get("post_logout_uris").to_owned(),
        home_url: form.get("home_url").to_owned(),
        id_token_alg: form.get("id_token_alg").to_owned(),
        public: form.get("client_type") == "public",
        scopes: form.all("scopes"),
    };
    let mut errors = Errors::default();
    if fields.name.is_empty() {
        errors.add("name", t.field_required);
    }
    let redirect_lines = form.lines("redirect_uris");
    if redirect_lines.is_empty() {
        errors.add("redirect_uris", t.field_required);
    }
    let redirect_uris = uris(&mut errors, t, "redirect_uris", &redirect_lines);
    let post_logout_uris = uris(
        &mut errors,
        t,
        "post_logout_uris",
        &form.lines("post_logout_uris"),
    );
    let home_url = if fields.home_url.is_empty() {
        None
    } else {
        errors.take(t, "home_url", RedirectUri::parse(&fields.home_url))
    };
    if !errors.is_empty() {
        return (fields, Err(errors));
    }
    let parsed = Parsed {
        name: fields.name.clone(),
        redirect_uris,
        post_logout_uris,
        home_url,
        id_token_alg: fields.id_token_alg.clone(),
        public: fields.public,
        scopes: fields.scopes.clone(),
    };
    (fields, Ok(parsed))
}

#[derive(Template)]
#[template(path = "console/client_form.html")]
struct ClientForm<'a> {
    t: &'static ConsoleTexts,
    c: Chrome,
    /// `None` for a new registration.
    client: Option<&'a ClientRecord>,
    f: Fields,
    errors: Errors,
    all_scopes: Vec<String>,
    builtin: bool,
    /// A rotation's grace period still running: until when the old secret works.
    previous_valid_until: Option<String>,
}

async fn api_scopes(console: &Console) -> Result<Vec<String>, ConsoleError> {
    let stored = console.service.durable().list_resource_servers().await?;
    let registry = Registry::new(&console.issuer, stored);
    Ok(registry.api_scopes().map(str::to_owned).collect())
}

fn form_page(
    admin: &Admin,
    status: StatusCode,
    client: Option<&ClientRecord>,
    f: Fields,
    errors: Errors,
    all_scopes: Vec<String>,
) -> HttpResponse {
    let page = ClientForm {
        t: admin.t,
        c: admin.chrome("clients"),
        builtin: client.is_some_and(|c| c.client_id == CONSOLE_CLIENT_ID),
        previous_valid_until: client
            .and_then(|c| c.previous_secret_valid_until(admin.now()))
            .map(|at| super::when(&at)),
        client,
        f,
        errors,
        all_scopes,
    };
    super::page(status, page.render())
}

async fn new(admin: Admin, console: web::Data<Console>) -> Result<HttpResponse, ConsoleError> {
    let fields = Fields {
        id_token_alg: crate::tokens::alg_name(crate::tokens::ID_TOKEN_DEFAULT_ALG).into(),
        ..Fields::default()
    };
    let scopes = api_scopes(&console).await?;
    Ok(form_page(
        &admin,
        StatusCode::OK,
        None,
        fields,
        Errors::default(),
        scopes,
    ))
}

#[derive(Template)]
#[template(path = "console/client_secret.html")]
struct SecretPage<'a> {
    t: &'static ConsoleTexts,
    c: Chrome,
    heading: &'a str,
    client_id: &'a str,
    app_id: &'a str,
    secret: Option<&'a str>,
    /// After a rotation with a grace period: until when the old secret still works.
    previous_valid_until: Option<String>,
    /// The page was asked for again: the secret was shown once already.
    gone: bool,
}

/// A client's secret just made (registered or rotated), kept for the one page that
/// shows it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Made {
    by: MadeBy,
    client_id: String,
    app_id: String,
    secret: Option<String>,
    #[serde(default)]
    previous_valid_until: Option<i64>,
}

#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
enum MadeBy {
    Registering,
    Rotating,
    /// A public client made confidential.
    Updating,
}

/// After registering or rotating: off to the page that shows the secret once.
async fn show_made(
    admin: &Admin,
    console: &Console,
    made: &Made,
) -> Result<HttpResponse, ConsoleError> {
    let path = format!("/console/clients/{}/secret", enc(&made.client_id));
    super::show_once(admin, console, &path, made).await
}

/// `GET /console/clients/{id}/secret?shown=…`: the secret just made, once; asked for
/// again (a reload, the back button), the page says it was shown.
async fn secret(
    req: HttpRequest,
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let made = super::shown::<Made>(&admin, &console, &req)
        .await?
        .filter(|m| m.client_id == *path);
    let t = admin.t;
    let page = match &made {
        Some(made) => SecretPage {
            t,
            c: admin.chrome("clients"),
            heading: match made.by {
                MadeBy::Registering => t.client_created,
                MadeBy::Rotating => t.secret_rotated,
                MadeBy::Updating => t.done_client_updated,
            },
            client_id: &made.client_id,
            app_id: &made.app_id,
            secret: made.secret.as_deref(),
            previous_valid_until: made.previous_valid_until.map(|at| super::when(&at)),
            gone: false,
        },
        None => {
            let client = console.service.client(&path).await?;
            return Ok(super::ok(
                SecretPage {
                    t,
                    c: admin.chrome("clients"),
                    heading: t.secret_shown_already,
                    client_id: &client.client_id,
                    app_id: &client.app_id,
                    secret: None,
                    previous_valid_until: None,
                    gone: true,
                }
                .render(),
            ));
        }
    };
    Ok(super::ok(page.render()))
}

async fn create(
    admin: Admin,
    console: web::Data<Console>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let scopes = api_scopes(&console).await?;
    let (fields, parsed) = parse(&form, admin.t);
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(form_page(&admin, status, None, fields, errors, scopes));
        }
    };
    let request = NewClientRequest {
        name: parsed.name,
        redirect_uris: parsed.redirect_uris,
        post_logout_uris: parsed.post_logout_uris,
        home_url: parsed.home_url,
        public: parsed.public,
        id_token_alg: Some(parsed.id_token_alg).filter(|a| !a.is_empty()),
        scopes: parsed.scopes,
        client_id: None,
        app_id: None,
    };
    let act = async {
        match console.service.create_client(&admin.actor, request).await {
            Ok(created) => {
                let made = Made {
                    by: MadeBy::Registering,
                    client_id: created.client_id.clone(),
                    app_id: created.app_id.clone(),
                    secret: created
                        .client_secret
                        .as_ref()
                        .map(|s| s.expose().to_owned()),
                    previous_valid_until: None,
                };
                show_made(&admin, &console, &made).await
            }
            Err(err) => {
                let errors = Errors::refusal(err, admin.t)?;
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(form_page(&admin, status, None, fields, errors, scopes))
            }
        }
    };
    super::once(&admin, &console, &form, "/console/clients", act).await
}

async fn show(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let client = console.service.client(&path).await?;
    let scopes = api_scopes(&console).await?;
    let fields = Fields::of(&client);
    Ok(form_page(
        &admin,
        StatusCode::OK,
        Some(&client),
        fields,
        Errors::default(),
        scopes,
    ))
}

async fn update(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let client = console.service.client(&path).await?;
    let scopes = api_scopes(&console).await?;
    let (fields, parsed) = parse(&form, admin.t);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(errors) => {
            return Ok(form_page(
                &admin,
                unprocessable,
                Some(&client),
                fields,
                errors,
                scopes,
            ))
        }
    };
    let version = form.get("version").parse::<i64>().unwrap_or(-1);
    let update = ClientUpdate {
        name: Some(parsed.name),
        redirect_uris: Some(parsed.redirect_uris),
        post_logout_uris: Some(parsed.post_logout_uris),
        home_url: Some(parsed.home_url),
        id_token_alg: Some(parsed.id_token_alg),
        scopes: Some(parsed.scopes),
        public: Some(parsed.public),
    };
    match console
        .service
        .update_client(&admin.actor, &client.client_id, update, version)
        .await
    {
        Ok((updated, Some(secret))) => {
            let made = Made {
                by: MadeBy::Updating,
                client_id: updated.client_id.clone(),
                app_id: updated.app_id.clone(),
                secret: Some(secret.expose().to_owned()),
                previous_valid_until: None,
            };
            show_made(&admin, &console, &made).await
        }
        Ok((updated, None)) => Ok(super::done(
            &format!("/console/clients/{}", enc(&updated.client_id)),
            "client_updated",
        )),
        Err(AdminError::Stale) => {
            // Show what is stored now, with the refusal above it.
            let current = console.service.client(&client.client_id).await?;
            let errors = Errors::refusal(AdminError::Stale, admin.t)?;
            let f = Fields::of(&current);
            Ok(form_page(
                &admin,
                StatusCode::CONFLICT,
                Some(&current),
                f,
                errors,
                scopes,
            ))
        }
        Err(err) => {
            let errors = Errors::refusal(err, admin.t)?;
            Ok(form_page(
                &admin,
                unprocessable,
                Some(&client),
                fields,
                errors,
                scopes,
            ))
        }
    }
}

/// A path segment for an id (client ids are plain, but nothing here assumes it).
pub fn enc(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

fn rotate_question<'a>(admin: &'a Admin, client: &ClientRecord) -> Question<'a> {
    let t = admin.t;
    Question {
        heading: t.rotate_secret,
        text: t.rotate_secret_text,
        target: client.client_id.clone(),
        action: format!("/console/clients/{}/rotate", enc(&client.client_id)),
        cancel: format!("/console/clients/{}", enc(&client.client_id)),
        option: Some(("revoke_tokens", t.revoke_tokens_option)),
        password: false,
        grace: true,
    }
}

async fn confirm_rotate(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let client = console.service.client(&path).await?;
    let question = rotate_question(&admin, &client);
    super::confirm(&admin, "clients", &question, StatusCode::OK, None)
}

async fn rotate(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let client = console.service.client(&path).await?;
    admin.require_recent_sign_in(&rotate_question(&admin, &client).action)?;
    let fallback = format!("/console/clients/{}", enc(&client.client_id));
    let grace = match form.get("grace_seconds") {
        "" => 0,
        raw => raw
            .parse::<u64>()
            .ok()
            .filter(|s| super::GRACE_CHOICES.contains(s))
            .ok_or_else(|| ConsoleError::Refused(admin.t.grace_not_offered.into()))?,
    };
    let act = async {
        let rotation = crate::admin::SecretRotation {
            revoke_tokens: form.checked("revoke_tokens"),
            grace_seconds: Some(grace),
        };
        let rotated = console
            .service
            .rotate_secret(&admin.actor, &client.client_id, rotation)
            .await?;
        let previous_valid_until = console
            .service
            .client(&client.client_id)
            .await?
            .previous_secret_valid_until(console.clock.now_unix());
        let made = Made {
            by: MadeBy::Rotating,
            client_id: client.client_id.clone(),
            app_id: client.app_id.clone(),
            secret: rotated
                .client_secret
                .as_ref()
                .map(|s| s.expose().to_owned()),
            previous_valid_until,
        };
        show_made(&admin, &console, &made).await
    };
    super::once(&admin, &console, &form, &fallback, act).await
}

fn delete_question<'a>(admin: &'a Admin, client: &ClientRecord) -> Question<'a> {
    Question {
        heading: admin.t.delete_client,
        text: admin.t.delete_client_text,
        target: format!("{} ({})", client.name, client.client_id),
        action: format!("/console/clients/{}/delete", enc(&client.client_id)),
        cancel: format!("/console/clients/{}", enc(&client.client_id)),
        option: None,
        password: false,
        grace: false,
    }
}

async fn confirm_delete(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let client = console.service.client(&path).await?;
    let question = delete_question(&admin, &client);
    super::confirm(&admin, "clients", &question, StatusCode::OK, None)
}

async fn delete(
    admin: Admin,
    console: web::Data<Console>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, ConsoleError> {
    admin.check_csrf(&form)?;
    let client = console.service.client(&path).await?;
    admin.require_recent_sign_in(&delete_question(&admin, &client).action)?;
    console
        .service
        .delete_client(&admin.actor, &client.client_id)
        .await?;
    Ok(super::done("/console/clients", "client_deleted"))
}
