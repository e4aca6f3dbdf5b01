//! The per-side routes of a workflow, written once. A supervision, a work order or an
//! unsubscribe request is shown to, and stepped by, the buyer, the seller and the operator
//! on three paths that differ only in their side; each workflow writes one function for
//! each and these macros make the three handlers (with their OpenAPI entries) from it.
//!
//! The id comes typed from the path (`id: "workOrderId" as WorkOrderId`).
//! `side_show!` makes `GET` handlers calling
//! `run(caller, id, &market, side) -> Result<HttpResponse, MarketError>`;
//! `side_step!` makes `POST` handlers with a JSON body calling
//! `run(caller, &req, id, &body, &market, side) -> Result<HttpResponse, MarketError>`.

macro_rules! side_show {
    (
        tag: $tag:literal, id: $id:literal as $id_type:ty, view: $view:ty, doc: $doc:literal, run: $run:path,
        $( $side:expr => $name:ident at $path:literal for $scope:literal ),+ $(,)?
    ) => {
        $(
            #[doc = $doc]
            #[utoipa::path(
                get,
                path = $path,
                tag = $tag,
                params(($id = String, Path)),
                responses(
                    (status = 200, description = $doc, body = $view),
                    crate::http::schema::Refusals,
                    (status = 404, description = "not_found", body = crate::http::schema::ErrorBody)
                ),
                security(("bearer" = [$scope]))
            )]
            pub async fn $name(
                caller: crate::http::caller::Caller,
                path: actix_web::web::Path<$id_type>,
                market: actix_web::web::Data<crate::state::Marketplace>,
            ) -> Result<actix_web::HttpResponse, crate::http::error::MarketError> {
                $run(caller, path.into_inner(), &market, $side).await
            }
        )+
    };
}

macro_rules! side_step {
    (
        tag: $tag:literal, id: $id:literal as $id_type:ty, body: $body:ty, view: $view:ty,
        doc: $doc:literal, conflict: $conflict:literal, run: $run:path,
        $( $side:expr => $name:ident at $path:literal for $scope:literal ),+ $(,)?
    ) => {
        $(
            #[doc = $doc]
            #[utoipa::path(
                post,
                path = $path,
                tag = $tag,
                params(($id = String, Path)),
                request_body = $body,
                responses(
                    (status = 200, description = "Taken: as it is now", body = $view),
                    crate::http::schema::Refusals,
                    (status = 404, description = "not_found", body = crate::http::schema::ErrorBody),
                    (status = 409, description = $conflict, body = crate::http::schema::ErrorBody)
                ),
                security(("bearer" = [$scope]))
            )]
            pub async fn $name(
                caller: crate::http::caller::Caller,
                req: actix_web::HttpRequest,
                path: actix_web::web::Path<$id_type>,
                body: actix_web::web::Bytes,
                market: actix_web::web::Data<crate::state::Marketplace>,
            ) -> Result<actix_web::HttpResponse, crate::http::error::MarketError> {
                $run(caller, &req, path.into_inner(), &body, &market, $side).await
            }
        )+
    };
}

pub(crate) use {side_show, side_step};
