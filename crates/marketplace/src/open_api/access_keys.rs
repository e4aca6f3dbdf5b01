//! `/api/marketplace/v1/seller/access-keys`: a seller's AK/SK pairs for the signed open
//! API. The secret key is shown once, at creation; it is kept sealed and never returned.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::MarketError;
use crate::http::roles::Seller;
use crate::http::schema;
use crate::state::Marketplace;
use crate::store::AccessKeyRecord;
use unilogin_core::secret::Secret;

/// Minting a key needs a sign-in this recent (seconds): a key outlives every logout, so
/// a token that leaked hours after its sign-in cannot mint one.
pub const MINT_MAX_AGE: i64 = 15 * 60;

/// More than this many live keys per merchant is refused: rotate, then delete.
pub const MAX_KEYS_PER_MERCHANT: usize = 10;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AccessKey)]
struct Listed {
    access_key: String,
    created_by: String,
    created_at: i64,
}

/// The merchant's access keys.
#[derive(Serialize, utoipa::ToSchema)]
struct AccessKeyPage {
    total: usize,
    items: Vec<Listed>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CreatedAccessKey)]
struct Created<'a> {
    access_key: &'a str,
    /// The only time the secret key is shown.
    secret_key: &'a str,
    created_at: i64,
}

/// AKs are 20 characters of `[A-Z0-9]`, like the gateway's.
fn new_access_key() -> String {
    unilogin_core::secret::random_id(20).to_ascii_uppercase()
}

/// Create an access key; the secret key is shown only in this answer
#[utoipa::path(
    post,
    path = "/api/marketplace/v1/seller/access-keys",
    tag = "access keys",
    responses((status = 201, description = "Created", body = Created), schema::Refusals, (status = 409, description = "conflict: an illegal transition (the current state is named) or a limit", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn create(
    caller: Caller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let (record, secret) = mint(&market, &caller).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Created {
            access_key: &record.access_key,
            secret_key: secret.expose(),
            created_at: record.created_at,
        }))
}

/// Mints an access key for the calling seller (after a recent sign-in), within the
/// limit; the secret is returned this once and kept only sealed.
pub async fn mint(
    market: &Marketplace,
    caller: &Caller,
) -> Result<(AccessKeyRecord, Secret), MarketError> {
    let merchant = caller.seller()?;
    caller.signed_in_within(MINT_MAX_AGE, market.clock.now_unix())?;
    if market
        .store
        .access_keys_of(&merchant.tenant_id)
        .await?
        .len()
        >= MAX_KEYS_PER_MERCHANT
    {
        return Err(MarketError::Conflict(format!(
            "A merchant holds at most {MAX_KEYS_PER_MERCHANT} access keys: delete one first"
        )));
    }
    let access_key = new_access_key();
    let secret = Secret::new(unilogin_core::secret::random_id(40));
    let sealed = market.sealer.seal(&access_key, &secret).map_err(|err| {
        tracing::error!(error = %err, "sealing an access key failed");
        MarketError::Internal
    })?;
    let record = AccessKeyRecord {
        access_key,
        tenant_id: merchant.tenant_id.clone(),
        secret_sealed: sealed,
        created_by: caller.claims.sub.clone(),
        created_at: market.clock.now_unix(),
    };
    market.store.insert_access_key(&record).await?;
    tracing::info!(access_key = %record.access_key, tenant = %record.tenant_id, "access key created");
    Ok((record, secret))
}

/// Deletes one of the calling seller's access keys; another merchant's is not found.
pub async fn remove(
    market: &Marketplace,
    caller: &Caller,
    access_key: &str,
) -> Result<(), MarketError> {
    let merchant = caller.seller()?;
    if !market
        .access_keys
        .delete(
            &market.store,
            &market.ephemeral,
            &merchant.tenant_id,
            access_key,
        )
        .await?
    {
        return Err(MarketError::NotFound("No such access key".into()));
    }
    Ok(())
}

/// List the merchant's access keys (never their secrets)
#[utoipa::path(
    get,
    path = "/api/marketplace/v1/seller/access-keys",
    tag = "access keys",
    responses((status = 200, description = "Access keys", body = AccessKeyPage), schema::Refusals),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn list(
    Seller { merchant, .. }: Seller,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    let items: Vec<Listed> = market
        .store
        .access_keys_of(&merchant.tenant_id)
        .await?
        .into_iter()
        .map(|k| Listed {
            access_key: k.access_key,
            created_by: k.created_by,
            created_at: k.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AccessKeyPage {
        total: items.len(),
        items,
    }))
}

/// Delete an access key of the merchant
#[utoipa::path(
    delete,
    path = "/api/marketplace/v1/seller/access-keys/{accessKey}",
    tag = "access keys",
    params(("accessKey" = String, Path)),
    responses((status = 204, description = "Deleted"), schema::Refusals, (status = 404, description = "not_found", body = schema::ErrorBody)),
    security(("bearer" = ["marketplace.seller"]))
)]
pub async fn delete(
    caller: Caller,
    path: web::Path<String>,
    market: web::Data<Marketplace>,
) -> Result<HttpResponse, MarketError> {
    remove(&market, &caller, &path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
