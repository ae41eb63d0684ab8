use salvo::handler;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, FlowCtrl, Request, Response};

use super::api_error::ApiError;
use super::language::Language;
use application::AppError;

/// Gives error answers that no handler wrote (no route, wrong method, a
/// panic caught upstream) the same error body as every other error.
#[handler]
pub async fn error_body_catcher(req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
    let status = res.status_code.unwrap_or(StatusCode::NOT_FOUND);
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        status if status.is_server_error() => {
            ApiError::App(AppError::Internal(format!("unhandled {status} for {}", req.uri().path())))
        }
        _ => ApiError::MalformedBody(format!("unhandled {status}")),
    };
    error.write_to(Language::of(req), res);
}
