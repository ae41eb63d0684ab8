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
