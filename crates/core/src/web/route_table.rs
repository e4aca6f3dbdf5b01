//! Route tables: an API's router is built from one list of (path, method, handler), and
//! a test holds the API's generated OpenAPI document against the same list in both
//! directions, so neither can name a route the other does not.

use std::collections::BTreeSet;

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, Responder};

pub struct RouteEntry {
    pub path: &'static str,
    pub method: Method,
    route: actix_web::Route,
}

pub fn entry<F, Args>(path: &'static str, method: Method, handler: F) -> RouteEntry
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    RouteEntry {
        path,
        route: web::route().method(method.clone()).to(handler),
        method,
    }
}

/// One resource per path of the table, with its methods; `endpoint` makes a resource and
/// decides what other methods answer.
pub fn resources(
    routes: Vec<RouteEntry>,
    endpoint: impl Fn(&'static str) -> actix_web::Resource,
) -> Vec<actix_web::Resource> {
    let mut resources: Vec<(&'static str, actix_web::Resource)> = Vec::new();
    for entry in routes {
        match resources.iter_mut().find(|(path, _)| *path == entry.path) {
            Some((_, resource)) => {
                let taken = std::mem::replace(resource, web::resource(entry.path));
                *resource = taken.route(entry.route);
            }
            None => resources.push((entry.path, endpoint(entry.path).route(entry.route))),
        }
    }
    resources.into_iter().map(|(_, r)| r).collect()
}

/// Panics naming every route the table serves that the document does not name, and
/// every one the document names that the table does not serve (the APIs' tests).
pub fn assert_documented(routes: &[RouteEntry], prefix: &str, document: &serde_json::Value) {
    let (undocumented, unserved) = mismatches(routes, prefix, document);
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

/// A route as (path, lower-case method).
pub type Operation = (String, String);

/// What the table serves and the document does not, and what the document names and the
/// table does not; `prefix` goes before the table's paths.
pub fn mismatches(
    routes: &[RouteEntry],
    prefix: &str,
    document: &serde_json::Value,
) -> (Vec<Operation>, Vec<Operation>) {
    let served: BTreeSet<Operation> = routes
        .iter()
        .map(|r| {
            (
                format!("{prefix}{}", r.path),
                r.method.as_str().to_lowercase(),
            )
        })
        .collect();
    let mut documented = BTreeSet::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, operations) in paths {
            for method in operations.as_object().into_iter().flat_map(|o| o.keys()) {
                if method != "parameters" {
                    documented.insert((path.clone(), method.clone()));
                }
            }
        }
    }
    (
        served.difference(&documented).cloned().collect(),
        documented.difference(&served).cloned().collect(),
    )
}
