//! Attachments: evidence and documents the parties upload. Stored durably (base64 in the
//! database, so both backends keep it alike), at most `MAX_BYTES`, typed by their content
//! (a name's extension must agree with it), and served only as a download: to the one who
//! uploaded it, to the parties of what it was attached to, and to operators.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use sqlx::Row;

use super::upload_quota;
use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::request::query_pairs;
use crate::http::schema;
use crate::ids::{SupervisionId, UnsubscribeRequestId, WorkOrderId};
use crate::state::Marketplace;
use crate::store::MarketStore;
use unilogin_core::store::durable::Tx;
use unilogin_core::store::StoreError;

pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// How many attachments one step may carry.
pub const MAX_PER_STEP: usize = 5;

/// The types we keep, recognised by their first bytes; `None` for anything else.
pub fn sniff(content: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    const TYPES: [(&[u8], &str, &[&str]); 5] = [
        (b"\x89PNG\r\n\x1a\n", "image/png", &["png"]),
        (b"\xff\xd8\xff", "image/jpeg", &["jpg", "jpeg"]),
        (b"GIF8", "image/gif", &["gif"]),
        (b"%PDF-", "application/pdf", &["pdf"]),
        (
            b"PK\x03\x04",
            "application/zip",
            &["zip", "docx", "xlsx", "pptx"],
        ),
    ];
    if let Some((_, kind, extensions)) = TYPES
        .iter()
        .find(|(magic, _, _)| content.starts_with(magic))
    {
        return Some((kind, extensions));
    }
    let text = std::str::from_utf8(content).ok()?;
    let plain = !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    plain.then_some(("text/plain; charset=utf-8", &["txt", "log", "csv"][..]))
}

/// A file name we keep: 1 to 120 characters, no path, no control characters, with an
/// extension the content agrees with.
fn checked_name(raw: &str, extensions: &[&str]) -> Result<String, MarketError> {
    let name = raw.trim();
    let ok = (1..=120).contains(&name.chars().count())
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control);
    if !ok {
        return Err(MarketError::Invalid(
            "fileName is 1 to 120 characters, without a path".into(),
        ));
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !extensions.contains(&extension.as_str()) {
        return Err(MarketError::Invalid(format!(
            "the content is not what the name says: a file like this is named .{}",
            extensions.join(", .")
        )));
    }
    Ok(name.to_owned())
}

#[derive(Debug, Clone)]
pub struct AttachmentRecord {
    pub id: String,
    pub owner_user_id: String,
    pub owner_tenant_id: String,
    /// What it was attached to (`unsubscribe:{id}`, `supervision:{id}`,
    /// `work_order:{id}`), empty until then.
    pub subject: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Attachment)]
pub struct AttachmentView {
    attachment_id: String,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: i64,
}

impl From<&AttachmentRecord> for AttachmentView {
    fn from(a: &AttachmentRecord) -> Self {
        Self {
            attachment_id: a.id.clone(),
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            created_at: a.created_at,
        }
    }
}

const COLUMNS: &str =
    "id, owner_user_id, owner_tenant_id, subject, file_name, content_type, size, sha256, created_at";

fn record_of(row: &sqlx::any::AnyRow) -> Result<AttachmentRecord, StoreError> {
    Ok(AttachmentRecord {
        id: row.try_get("id")?,
        owner_user_id: row.try_get("owner_user_id")?,
        owner_tenant_id: row.try_get("owner_tenant_id")?,
        subject: row.try_get("subject")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        created_at: row.try_get("created_at")?,
    })
}

impl MarketStore {
    pub async fn attachment(&self, id: &str) -> Result<Option<AttachmentRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mkt_attachments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(record_of).transpose()
    }

    pub async fn attachment_content(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT content FROM mkt_attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let encoded: String = row.try_get("content")?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("attachment {id} content")))
    }
}

/// Binds the caller's unattached uploads to `subject`, in the step's transaction;
/// refuses an id that is not theirs or is attached already.
pub async fn attach_in(
    tx: &mut Tx,
    ids: &[String],
    owner_user_id: &str,
    subject: &str,
) -> Result<bool, StoreError> {
    for id in ids {
        let updated = sqlx::query(
            // A step may show again what its author attached to the same subject before
            // (a redelivery with the same report); never what belongs elsewhere.
            "UPDATE mkt_attachments SET subject = $1 WHERE id = $2 AND owner_user_id = $3 \
             AND (subject = '' OR subject = $1)",
        )
        .bind(subject)
        .bind(id)
        .bind(owner_user_id)
        .execute(&mut **tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Checks a step's attachment ids (at most five, no repeats) before its transaction.
pub fn checked_ids(ids: &[String]) -> Result<(), MarketError> {
    let mut seen = std::collections::HashSet::new();
    if ids.len() > MAX_PER_STEP || !ids.iter().all(|id| seen.insert(id.as_str())) {
        return Err(MarketError::Invalid(format!(
            "attachments: at most {MAX_PER_STEP} different attachment ids"
        )));
    }
    Ok(())
}

/// The refusal when `attach_in` found an id that was not the caller's to attach.
pub fn not_attachable() -> MarketError {
    MarketError::Invalid(
        "attachments: each must be an upload of yours not attached to anything else".into(),
    )
}

/// Upload a file (the body, as is): PNG, JPEG, GIF, PDF, ZIP (also .docx, .xlsx, .pptx) or plain text, at most 5 MiB; its type is read from its content
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/attachments",
    tag = "attachments",
    params(("fileName" = String, Query, description = "its extension must agree with the content")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "Stored", body = AttachmentView), schema::Refusals, (status = 413, description = "payload_too_large", body = schema::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn upload(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    if !caller.is_user() || caller.roles().is_empty() {
        return Err(MarketError::Forbidden(
            "Attachments are for signed-in buyers, sellers and operators".into(),
        ));
    }
    let pairs = query_pairs(&req, &["fileName"])?;
    let raw_name = pairs
        .iter()
        .find(|(k, _)| k == "fileName")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| MarketError::Invalid("fileName is required".into()))?;
    let too_large = || {
        MarketError::TooLarge(format!(
            "an attachment is at most {} MiB",
            MAX_BYTES / (1024 * 1024)
        ))
    };
    let content = payload
        .to_bytes_limited(MAX_BYTES)
        .await
        .map_err(|_| too_large())?
        .map_err(|_| MarketError::Invalid("the upload was cut off".into()))?;
    let record = store_upload(&market, &caller, &raw_name, &content).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("{}/attachments/{}", crate::state::BASE_PATH, record.id),
        ))
        .json(AttachmentView::from(&record)))
}

/// Keeps an upload of the calling user's, once it proves to be a file we accept.
pub async fn store_upload(
    market: &Marketplace,
    caller: &Caller,
    raw_name: &str,
    content: &[u8],
) -> Result<AttachmentRecord, MarketError> {
    if content.len() > MAX_BYTES {
        return Err(MarketError::TooLarge(format!(
            "an attachment is at most {} MiB",
            MAX_BYTES / (1024 * 1024)
        )));
    }
    if content.is_empty() {
        return Err(MarketError::Invalid("the file is empty".into()));
    }
    let (content_type, extensions) = sniff(content).ok_or_else(|| {
        MarketError::Invalid(
            "this kind of file is not accepted: PNG, JPEG, GIF, PDF, ZIP (and Office files) or \
             plain text"
                .into(),
        )
    })?;
    let file_name = checked_name(raw_name, extensions)?;
    let record = AttachmentRecord {
        id: format!("att-{}", unilogin_core::secret::random_id(20)),
        owner_user_id: caller.claims.sub.clone(),
        owner_tenant_id: caller.claims.tenant.clone(),
        subject: String::new(),
        file_name,
        content_type: content_type.into(),
        size: content.len() as i64,
        sha256: unilogin_core::secret::sha256_hex(content),
        created_at: market.clock.now_unix(),
    };
    upload_quota::insert_within_quota(&market.store, market.upload_quota, &record, content).await?;
    Ok(record)
}

/// Whether the caller may read what an attachment was attached to: its buyer, or a user
/// of its seller's tenant.
async fn party_to(
    caller: &Caller,
    market: &Marketplace,
    subject: &str,
) -> Result<bool, MarketError> {
    let Some((kind, id)) = subject.split_once(':') else {
        return Ok(false);
    };
    let parties = match kind {
        "unsubscribe" => market
            .store
            .unsubscribe_request(&UnsubscribeRequestId::new(id))
            .await?
            .map(|r| (r.buyer_user_id, r.seller_tenant_id)),
        "supervision" => market
            .store
            .supervision(&SupervisionId::new(id))
            .await?
            .map(|r| (r.buyer_user_id, r.seller_tenant_id)),
        "work_order" => market
            .store
            .work_order(&WorkOrderId::new(id))
            .await?
            .map(|r| (r.buyer_user_id, r.seller_tenant_id)),
        _ => None,
    };
    let Some((buyer, seller_tenant)) = parties else {
        return Ok(false);
    };
    let seller = caller
        .merchant
        .as_ref()
        .is_some_and(|m| m.tenant_id == seller_tenant);
    Ok(buyer == caller.claims.sub || seller)
}

/// Download an attachment: for its uploader, the parties of what it is attached to, and operators
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/attachments/{attachmentId}",
    tag = "attachments",
    params(("attachmentId" = String, Path)),
    responses((status = 200, description = "The file, as a download", content_type = "application/octet-stream", body = Vec<u8>), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn download(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (record, content) = readable(&market, &caller, &path.into_inner()).await?;
    Ok(download_response(&record, content))
}

/// An attachment and its content, if the caller may read it (else 404, as for one that
/// does not exist).
pub async fn readable(
    market: &Marketplace,
    caller: &Caller,
    id: &str,
) -> Result<(AttachmentRecord, Vec<u8>), MarketError> {
    let not_found = || MarketError::NotFound("No such attachment".into());
    let record = market.store.attachment(id).await?.ok_or_else(not_found)?;
    let allowed = caller.is_user()
        && (record.owner_user_id == caller.claims.sub
            || caller.operator().is_ok()
            || party_to(caller, market, &record.subject).await?);
    if !allowed {
        return Err(not_found());
    }
    let content = market
        .store
        .attachment_content(id)
        .await?
        .ok_or_else(not_found)?;
    Ok((record, content))
}

/// A file as a download that no browser renders in place.
pub fn download_response(record: &AttachmentRecord, content: Vec<u8>) -> HttpResponse {
    let encoded: String =
        url::form_urlencoded::byte_serialize(record.file_name.as_bytes()).collect();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, record.content_type.as_str()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"; filename*=UTF-8''{}",
                record.id,
                encoded.replace('+', "%20")
            ),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Content-Security-Policy", "sandbox; default-src 'none'"))
        .body(content)
}
