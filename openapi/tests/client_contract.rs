//! What client generators and mock servers rely on: one operationId per
//! operation, an explicit security statement on each, a server, and an example
//! on every error answer.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::collections::HashSet;

fn operations(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    found
}

#[test]
fn operation_ids_are_unique_and_every_operation_states_its_security() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::document_json().unwrap()).unwrap();
    let mut ids = HashSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(!id.contains('_') && !id.is_empty(), "{method} {path}: operationId {id:?} is not camelCase");
        assert!(ids.insert(id.clone()), "{method} {path}: operationId {id} is used twice");
        assert!(operation["security"].is_array(), "{method} {path} states no security");
    }
    assert!(!doc["servers"].as_array().unwrap().is_empty());
}

#[test]
fn every_error_answer_has_an_example() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::document_json().unwrap()).unwrap();
    for (method, path, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let content = &response["content"]["application/json"];
            if content["schema"]["$ref"] == "#/components/schemas/ErrorBody" {
                let code = content["example"]["code"].as_str();
                assert!(code.is_some(), "{method} {path} {status}: no example error body");
            }
        }
    }
}

#[test]
fn every_authenticated_operation_takes_the_bearer_and_the_classic_jwt_header() {
    let doc: serde_json::Value = serde_json::from_str(&openapi::document_json().unwrap()).unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["jwt"]["type"], "http");
    assert_eq!(schemes["jwt"]["scheme"], "bearer");
    assert_eq!(schemes["jwt_classic"]["type"], "apiKey");
    assert_eq!(schemes["jwt_classic"]["in"], "header");
    assert_eq!(schemes["jwt_classic"]["name"], "Authorization");
    assert!(schemes["jwt_classic"]["description"].as_str().unwrap().contains("`JWT <token>`"));
    let mut authenticated = 0;
    for (method, path, operation) in operations(&doc) {
        let security = operation["security"].as_array().unwrap();
        let names: Vec<&str> =
            security.iter().flat_map(|r| r.as_object().unwrap().keys().map(String::as_str)).collect();
        if names.contains(&"jwt") || names.contains(&"jwt_classic") {
            authenticated += 1;
            // Either one alone is enough: two requirements, not one requirement naming both.
            assert_eq!(
                operation["security"],
                serde_json::json!([{"jwt": []}, {"jwt_classic": []}]),
                "{method} {path}: an authenticated operation takes `Bearer` or `JWT`"
            );
        }
    }
    assert!(authenticated >= 9, "only {authenticated} authenticated operations");
}
