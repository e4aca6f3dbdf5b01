//! Wire shapes shared by the marketplace's routes: the error body, the refusals every
//! route documents, and pages of a listing. The handlers answer with these types, and
//! the OpenAPI document is generated from them.

use serde::Serialize;

/// Every error of the bearer-token routes.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// `invalid_request`, `unauthorized`, `forbidden`, `insufficient_scope`,
    /// `insufficient_user_authentication`, `not_found`, `conflict`, `temporarily_unavailable`…
    pub error: &'a str,
    pub error_description: String,
}

/// The refusals every bearer-token route documents.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    #[response(status = 400, description = "invalid_request: a malformed request")]
    Invalid(#[to_schema] ErrorBody<'static>),
    #[response(
        status = 401,
        description = "unauthorized: no or bad bearer token (as userinfo answers)"
    )]
    Unauthorized(#[to_schema] ErrorBody<'static>),
    #[response(
        status = 403,
        description = "forbidden: the caller lacks the role or scope"
    )]
    Forbidden(#[to_schema] ErrorBody<'static>),
}

/// A page of a listing (`offset` and `limit` as asked, `total` of everything that matched).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<T>,
}
