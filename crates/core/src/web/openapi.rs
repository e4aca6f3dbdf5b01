//! What both generated OpenAPI documents need beyond the annotations: operation ids that
//! are unique in the document (the handlers' function names repeat across workflows —
//! `buyer_show` is a supervision's, a work order's and an unsubscribe request's).

use std::collections::HashSet;

use utoipa::openapi::path::Operation;
use utoipa::openapi::OpenApi;
use utoipa::Modify;

/// Names every operation by its method and path: `POST /seller/applications/{id}/withdraw`
/// is `postSellerApplicationsByIdWithdraw`.
pub struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, document: &mut OpenApi) {
        let mut taken = HashSet::new();
        for (path, item) in document.paths.paths.iter_mut() {
            let operations: [(&str, &mut Option<Operation>); 8] = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("options", &mut item.options),
                ("head", &mut item.head),
                ("patch", &mut item.patch),
                ("trace", &mut item.trace),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let base = operation_id(method, path);
                let mut id = base.clone();
                let mut n = 2;
                while !taken.insert(id.clone()) {
                    id = format!("{base}{n}");
                    n += 1;
                }
                operation.operation_id = Some(id);
            }
        }
    }
}

fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let is_version = segment.len() > 1
            && segment.starts_with('v')
            && segment[1..].chars().all(|c| c.is_ascii_digit());
        if segment == "api" || is_version {
            continue;
        }
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            id.push_str("By");
            id.push_str(&capitalized(param));
            continue;
        }
        for word in segment.split(|c: char| !c.is_ascii_alphanumeric()) {
            id.push_str(&capitalized(word));
        }
    }
    id
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::operation_id;

    #[test]
    fn operation_ids_read_as_method_and_path() {
        assert_eq!(
            operation_id(
                "post",
                "/api/marketplace/v1/seller/applications/{applicationId}/withdraw"
            ),
            "postMarketplaceSellerApplicationsByApplicationIdWithdraw"
        );
        assert_eq!(
            operation_id("get", "/api/admin/v1/audit-events.csv"),
            "getAdminAuditEventsCsv"
        );
        assert_eq!(
            operation_id("get", "/api/mkp-openapi-public/global/v1/order/query"),
            "getMkpOpenapiPublicGlobalOrderQuery"
        );
    }
}
