//! What client generators, linters and mock servers need from the document
//! beyond what the handlers' annotations say: an explicit `security: []` on
//! public operations (so "no security" is a statement, not an omission), and
//! an example on every error response, rendered by the server's own error
//! writer so the examples cannot drift from what it answers.

use std::time::Duration;

use application::{AppError, AuthFailure, Backend, Field, Problem};
use domain::{EmailError, MobileError, UsernameError};
use http_api::{ApiError, Language};
use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

pub struct ClientContract;

impl Modify for ClientContract {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                operation.security.get_or_insert_with(Vec::new);
                add_error_examples(operation);
                describe_other_answers_of_redirects(operation);
            }
        }
    }
}

/// The error a response stands for when it documents no example of its own: the first code its description
/// names (`(`invalid_email`)`), else the status's usual one.
fn described_error(status: &str, description: &str) -> Option<ApiError> {
    let named = description.split('`').skip(1).step_by(2).find_map(named_error);
    named.or_else(|| typical_error(status))
}

/// The error behind a code a description names, for the 400s whose example it is.
fn named_error(code: &str) -> Option<ApiError> {
    let field = |field: Field, problem: Problem| Some(ApiError::App(AppError::field(field, problem)));
    match code {
        "invalid_username" => field(Field::Username, Problem::Username(UsernameError::Charset)),
        "invalid_mobile" => field(Field::Mobile, Problem::Mobile(MobileError::Format)),
        "invalid_email" => field(Field::Email, Problem::Email(EmailError::Format)),
        "required" => field(Field::NonField, Problem::Required),
        "invalid_state" => field(Field::State, Problem::StateInvalid),
        "invalid_oauth_code" => field(Field::NonField, Problem::OAuthCodeInvalid),
        "invalid_access_token" => field(Field::AccessToken, Problem::StepTokenInvalid),
        "captcha_wrong" => field(Field::ImageCodeText, Problem::CaptchaWrong),
        "code_expired" => field(Field::SmsCode, Problem::CodeExpired),
        _ => None,
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

/// A redirect-only operation (the OAuth hops) has no 2XX answer; generators and linters
/// want to know what else can come, which is always the error body.
fn describe_other_answers_of_redirects(operation: &mut Operation) {
    let responses = &mut operation.responses.responses;
    let redirects_only =
        responses.keys().any(|status| status.starts_with('3')) && !responses.keys().any(|s| s.starts_with('2'));
    if redirects_only && !responses.contains_key("default") {
        let example = serde_json::to_value(ApiError::MethodNotAllowed.body(Language::Chinese)).ok();
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).example(example).build();
        let other = ResponseBuilder::new()
            .description("Any other answer is an error, with the error body (e.g. 405 `method_not_allowed`)")
            .content("application/json", content)
            .build();
        responses.insert("default".to_owned(), RefOr::T(other));
    }
}

fn add_error_examples(operation: &mut Operation) {
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else { continue };
        let Some(error) = described_error(status, &response.description) else { continue };
        let Some(RefOr::T(content)) = response.content.get_mut("application/json") else { continue };
        let is_error_body = matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/ErrorBody"));
        if is_error_body && content.example.is_none() && content.examples.is_empty() {
            content.example = serde_json::to_value(error.body(Language::Chinese)).ok();
        }
    }
}
