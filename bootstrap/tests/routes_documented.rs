//! Every route the served router answers is in the OpenAPI document with its
//! method, and every documented operation is routed: the route list in
//! `adapters/http/src/router.rs` and the one in `openapi/src/lib.rs` cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::collections::BTreeSet;
use std::net::SocketAddr;

use bootstrap::Config;
use bootstrap::container::Container;
use bootstrap::server::service;
use salvo::Router;

/// Routes served on purpose without an entry in the document: the document
/// itself and the Swagger UI that shows it.
const UNDOCUMENTED: &[(&str, &str)] =
    &[("GET", "/openapi.json"), ("GET", "/swagger-ui"), ("GET", "/swagger-ui/{**rest}")];

/// (method, path) of each handler in `router`, with the paths of the routers above it.
/// Salvo answers a path with or without its trailing slash, so paths are kept without it.
fn routed(router: &Router, path: &str, method: Option<&str>, found: &mut BTreeSet<(String, String)>) {
    let mut path = path.to_owned();
    let mut method = method.map(str::to_owned);
    for filter in router.filters() {
        let filter = format!("{filter:?}");
        if let Some(segment) = filter.strip_prefix("path:") {
            path = format!("{}/{}", path.trim_end_matches('/'), segment.trim_matches('/'));
        } else if let Some(name) = filter.strip_prefix("method:") {
            method = Some(name.to_owned());
        } else {
            panic!("a filter this test cannot read: {filter}");
        }
    }
    if router.goal.is_some() {
        let method = method.clone().unwrap_or_else(|| panic!("{path} answers every method"));
        found.insert((method, if path.is_empty() { "/".to_owned() } else { path.clone() }));
    }
    for child in router.routers() {
        routed(child, &path, method.as_deref(), found);
    }
}

fn documented() -> BTreeSet<(String, String)> {
    const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let document = openapi::document().expect("the OpenAPI document");
    let paths = document["paths"].as_object().expect("paths");
    let mut found = BTreeSet::new();
    for (path, item) in paths {
        for method in item.as_object().expect("a path item").keys() {
            if METHODS.contains(&method.as_str()) {
                found.insert((method.to_ascii_uppercase(), path.trim_end_matches('/').to_owned()));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_operation_is_routed() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.path().to_path_buf(),
        jwt_secret: Some("routes-documented-test-secret-0123456789".into()),
        // `/dev/outbox/` is routed only while the development outbox is on.
        dev_outbox: Some(true),
        ..Config::default()
    };
    let container = Container::build(&config).await.expect("the container");
    let service = service(&container, &config).expect("the service");
    let mut routes = BTreeSet::new();
    routed(&service.router, "", None, &mut routes);

    let undocumented: BTreeSet<(String, String)> =
        UNDOCUMENTED.iter().map(|(method, path)| ((*method).to_owned(), (*path).to_owned())).collect();
    assert!(
        undocumented.is_subset(&routes),
        "no longer routed, drop from UNDOCUMENTED: {:?}",
        undocumented.difference(&routes)
    );
    let documented = documented();
    let missing_from_document: Vec<_> =
        routes.difference(&documented).filter(|route| !undocumented.contains(route)).collect();
    assert!(missing_from_document.is_empty(), "routed but not in the OpenAPI document: {missing_from_document:?}");
    let missing_from_router: Vec<_> = documented.difference(&routes).collect();
    assert!(missing_from_router.is_empty(), "in the OpenAPI document but not routed: {missing_from_router:?}");
    assert!(routes.len() > 30, "{routes:?}");
}
