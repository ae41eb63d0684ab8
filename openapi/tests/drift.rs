//! Fails when `openapi/openapi.json` is not what the handlers describe.
//! Regenerate with `UPDATE_OPENAPI=1 cargo test -p openapi` or
//! `cargo run -- openapi > openapi/openapi.json`; with `CI` set too (as
//! `.ci/run` sets it), the check fails instead of rewriting.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::path::Path;

#[test]
fn committed_document_matches_the_handlers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let generated = openapi::document_json().unwrap();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        // In CI a rewrite would turn the check into a pass whatever the handlers say.
        assert!(
            std::env::var_os("CI").is_none_or(|ci| ci.is_empty() || ci == "0" || ci == "false"),
            "UPDATE_OPENAPI is set in CI (CI is set): the drift check must compare, not rewrite"
        );
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p openapi -- drift` and commit the result"
    );
}

#[test]
fn every_operation_documents_its_errors_and_the_protected_ones_their_security() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::document_json().unwrap()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 11, "{:?}", paths.keys());
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let documents_errors = responses.keys().any(|status| status.starts_with('4') || status.starts_with('5'));
            let is_liveness = path == "/health/live/";
            assert!(documents_errors || is_liveness, "{method} {path} documents no error answer");
        }
    }
    assert_eq!(doc["paths"]["/user/"]["get"]["security"], serde_json::json!([{"jwt": []}, {"jwt_classic": []}]));
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
}
