//! Both generated OpenAPI documents are valid OpenAPI 3.1 by an independent validator
//! (`openapi-spec-validator`), with every operation id unique and every schema named once.

use std::collections::HashSet;
use std::process::Command;

use crate::helpers::TestApp;

const DOCUMENTS: [&str; 2] = [
    "/api/marketplace/v1/openapi.json",
    "/api/admin/v1/openapi.json",
];

async fn documents(app: &TestApp) -> Vec<(&'static str, serde_json::Value)> {
    let mut out = Vec::new();
    for path in DOCUMENTS {
        let response = app.backchannel.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        out.push((path, response.json().await.unwrap()));
    }
    out
}

#[tokio::test]
async fn every_operation_id_is_unique() {
    let app = TestApp::spawn().await;
    for (path, document) in documents(&app).await {
        let mut seen = HashSet::new();
        for (route, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let id = operation["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{path}: {method} {route} has no operationId"));
                assert!(seen.insert(id.to_owned()), "{path}: {id} twice");
            }
        }
    }
}

#[tokio::test]
async fn the_admin_document_describes_each_rotation_body_as_its_handler_reads_it() {
    let app = TestApp::spawn().await;
    let admin = &documents(&app).await[1].1;
    // The schema a request body refers to (an optional body is `oneOf` null and it).
    let body = |route: &str| {
        let schema = admin["paths"][route]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]
            .to_string();
        let at = schema.find("#/components/schemas/").expect(route);
        schema[at..].split('"').next().unwrap().to_owned()
    };
    let secret = body("/api/admin/v1/clients/{id}/secret");
    let keys = body("/api/admin/v1/keys/rotate");
    assert_ne!(secret, keys);
    let schema = |reference: &str| {
        let name = reference.rsplit('/').next().unwrap();
        admin["components"]["schemas"][name]["properties"].clone()
    };
    assert!(schema(&secret).get("revoke_tokens").is_some(), "{secret}");
    assert!(schema(&keys).get("alg").is_some(), "{keys}");
}

#[tokio::test]
#[ignore = "needs openapi-spec-validator (PyPI): .ci/run installs it and runs this"]
async fn both_documents_are_valid_openapi_by_an_independent_validator() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    for (path, document) in documents(&app).await {
        let file = dir.path().join(path.replace('/', "_"));
        std::fs::write(&file, serde_json::to_vec_pretty(&document).unwrap()).unwrap();
        let output = Command::new("python3")
            .args(["-m", "openapi_spec_validator", "--errors", "all"])
            .arg(&file)
            .output()
            .expect("python3");
        assert!(
            output.status.success(),
            "{path}:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The operations of `document` that take a JSON body, each with the example its
/// schema documents (`None`: it documents none).
pub(crate) fn json_body_operations(
    document: &serde_json::Value,
) -> Vec<(reqwest::Method, String, Option<serde_json::Value>)> {
    // The schema a body refers to (an optional body is `oneOf` null and it).
    fn reference(schema: &serde_json::Value) -> Option<String> {
        if let Some(r) = schema["$ref"].as_str() {
            return Some(r.rsplit('/').next()?.to_owned());
        }
        ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| schema[*k].as_array())
            .flatten()
            .find_map(reference)
    }
    let mut out = Vec::new();
    for (route, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            if schema.is_null() {
                continue;
            }
            let example = reference(schema)
                .map(|name| document["components"]["schemas"][name]["example"].clone())
                .filter(|e| !e.is_null());
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            out.push((method, route.clone(), example));
        }
    }
    out
}
