use std::collections::BTreeMap;
use std::sync::Arc;

use application::{AppError, AuthFailure, Field};
use salvo::http::StatusCode;
use salvo::http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use salvo::prelude::{Depot, Json, Request, Response};
use salvo::{Writer, async_trait};

use super::error_body::ErrorBody;
use super::error_vocabulary::{field_key, problem_code};
use super::language::Language;
use super::messages;
use service_metrics::ServiceMetrics;

/// Every failure a handler can answer with: the use cases' errors plus the
/// HTTP layer's own.
#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    MalformedBody(String),
    PayloadTooLarge,
    UnsupportedMediaType,
    RouteNotFound,
    MethodNotAllowed,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

struct Rendered {
    status: StatusCode,
    code: &'static str,
    messages: Vec<(Field, String)>,
    retry_after: Option<u64>,
    detail: bool,
    provider_code: Option<i64>,
}

impl Rendered {
    fn simple(status: StatusCode, code: &'static str, message: String) -> Self {
        Self {
            status,
            code,
            messages: vec![(Field::NonField, message)],
            retry_after: None,
            detail: false,
            provider_code: None,
        }
    }
}

impl ApiError {
    fn render(&self, language: Language) -> Rendered {
        use StatusCode as S;
        match self {
            Self::App(error) => match error {
                AppError::Validation(errors) => Rendered {
                    status: S::BAD_REQUEST,
                    code: errors.first().map_or("validation_failed", |e| problem_code(e.problem)),
                    messages: errors
                        .iter()
                        .map(|e| (e.field, messages::problem(e.field, e.problem, language)))
                        .collect(),
                    retry_after: None,
                    detail: false,
                    provider_code: None,
                },
                AppError::InvalidCredentials => {
                    Rendered::simple(S::BAD_REQUEST, "invalid_credentials", messages::invalid_credentials(language))
                }
                AppError::RateLimited { retry_after } => {
                    // Round up: answering 0 would invite an immediate, refused retry.
                    let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                    let secs = secs.max(1);
                    Rendered {
                        retry_after: Some(secs),
                        ..Rendered::simple(S::TOO_MANY_REQUESTS, "rate_limited", messages::rate_limited(secs, language))
                    }
                }
                AppError::Unauthenticated(failure) => {
                    let code = match failure {
                        AuthFailure::Missing => "not_authenticated",
                        AuthFailure::Invalid => "token_invalid",
                        AuthFailure::Expired => "token_expired",
                        AuthFailure::Revoked => "token_revoked",
                    };
                    Rendered {
                        detail: true,
                        ..Rendered::simple(S::UNAUTHORIZED, code, messages::unauthenticated(*failure, language))
                    }
                }
                AppError::NotFound => Rendered::simple(S::NOT_FOUND, "not_found", messages::not_found(language)),
                AppError::Forbidden => Rendered::simple(S::FORBIDDEN, "forbidden", messages::forbidden(language)),
                AppError::Unavailable(_) => {
                    Rendered::simple(S::SERVICE_UNAVAILABLE, "service_unavailable", messages::unavailable(language))
                }
                AppError::Conflict(error) => Rendered {
                    status: S::CONFLICT,
                    code: problem_code(error.problem),
                    messages: vec![(error.field, messages::problem(error.field, error.problem, language))],
                    retry_after: None,
                    detail: false,
                    provider_code: None,
                },
                AppError::Upstream { provider, code } => Rendered {
                    provider_code: *code,
                    ..Rendered::simple(S::BAD_GATEWAY, "upstream_failed", messages::upstream(provider, language))
                },
                AppError::Internal(_) => {
                    Rendered::simple(S::INTERNAL_SERVER_ERROR, "internal_error", messages::internal(language))
                }
            },
            Self::MalformedBody(_) => {
                Rendered::simple(S::BAD_REQUEST, "malformed_body", messages::malformed_body(language))
            }
            Self::PayloadTooLarge => {
                Rendered::simple(S::PAYLOAD_TOO_LARGE, "payload_too_large", messages::payload_too_large(language))
            }
            Self::UnsupportedMediaType => Rendered::simple(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                messages::unsupported_media_type(language),
            ),
            Self::RouteNotFound => Rendered::simple(S::NOT_FOUND, "not_found", messages::not_found(language)),
            Self::MethodNotAllowed => {
                Rendered::simple(S::METHOD_NOT_ALLOWED, "method_not_allowed", messages::method_not_allowed(language))
            }
        }
    }

    fn log(&self) {
        match self {
            Self::App(AppError::Internal(detail)) => {
                tracing::error!(error = %detail, "request failed with an internal error");
            }
            Self::App(AppError::Upstream { provider, code }) => {
                tracing::warn!(provider, provider_code = ?code, "request failed: upstream provider");
            }
            Self::App(AppError::Unavailable(backend)) => {
                tracing::warn!(backend = backend.name(), "request failed: backing service unavailable");
            }
            Self::MalformedBody(detail) => tracing::debug!(error = %detail, "malformed request body"),
            _ => {}
        }
    }

    /// The error body this error answers with, e.g. for the OpenAPI document's examples.
    pub fn body(&self, language: Language) -> ErrorBody {
        Self::body_of(self.render(language))
    }

    fn body_of(rendered: Rendered) -> ErrorBody {
        let message = rendered.messages.first().map(|(_, m)| m.clone()).unwrap_or_default();
        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut non_field_errors = Vec::new();
        for (field, text) in rendered.messages {
            match field {
                Field::NonField => non_field_errors.push(text),
                field => fields.entry(field_key(field).to_owned()).or_default().push(text),
            }
        }
        if non_field_errors.is_empty() {
            non_field_errors.push(message.clone());
        }
        ErrorBody {
            code: rendered.code.to_owned(),
            detail: rendered.detail.then(|| message.clone()),
            message,
            non_field_errors,
            retry_after: rendered.retry_after,
            provider_code: rendered.provider_code,
            fields,
        }
    }

    /// Writes the status, headers and error body to `res`.
    pub fn write_to(&self, language: Language, res: &mut Response) {
        self.log();
        let rendered = self.render(language);
        let status = rendered.status;
        let retry_after = rendered.retry_after;
        res.status_code(status);
        if let Some(secs) = retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res.render(Json(Self::body_of(rendered)));
    }
}

#[async_trait]
impl Writer for ApiError {
    async fn write(self, req: &mut Request, depot: &mut Depot, res: &mut Response) {
        if let Self::App(AppError::Unavailable(backend)) = &self
            && let Ok(metrics) = depot.get_typed::<Arc<ServiceMetrics>>()
        {
            metrics.record_backend_error(backend.name());
        }
        self.write_to(Language::of(req), res);
    }
}
