//! What client generators, linters and mock servers need from the document
//! beyond what the handlers' annotations say: an explicit `security: []` on
//! public operations (so "no security" is a statement, not an omission), and
//! an example on every error response, rendered by the server's own error
//! writer so the examples cannot drift from what it answers.

use std::time::Duration;

use adapters::http::{ApiError, Language};
use application::{AppError, AuthFailure, Backend};
use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr};

pub struct ClientContract;

impl Modify for ClientContract {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                operation.security.get_or_insert_with(Vec::new);
                add_error_examples(operation);
            }
        }
    }
}

/// The error a status stands for when a response documents no example of its own.
fn typical_error(status: &str) -> Option<ApiError> {
    Some(match status {
        "400" => ApiError::MalformedBody(String::new()),
        "401" => ApiError::App(AppError::Unauthenticated(AuthFailure::Missing)),
        "403" => ApiError::App(AppError::Forbidden),
        "404" | "4XX" => ApiError::App(AppError::NotFound),
        "405" => ApiError::MethodNotAllowed,
        "413" => ApiError::PayloadTooLarge,
        "415" => ApiError::UnsupportedMediaType,
        "429" => ApiError::App(AppError::RateLimited { retry_after: Duration::from_secs(60) }),
        "502" => ApiError::App(AppError::Upstream { provider: "wechat", code: Some(40001) }),
        "503" => ApiError::App(AppError::Unavailable(Backend::Database)),
        _ => return None,
    })
}

fn add_error_examples(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let (RefOr::T(response), Some(error)) = (response, typical_error(status)) else { continue };
        let Some(RefOr::T(content)) = response.content.get_mut("application/json") else { continue };
        let is_error_body = matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/ErrorBody"));
        if is_error_body && content.example.is_none() && content.examples.is_empty() {
            content.example = serde_json::to_value(error.body(Language::Chinese)).ok();
        }
    }
}
