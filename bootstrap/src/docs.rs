use std::sync::Arc;

use salvo::handler;
use salvo::http::StatusCode;
use salvo::http::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, LOCATION};
use salvo::prelude::{Json, Request, Response, Router};
use utoipa_swagger_ui::Config as SwaggerConfig;

/// `/openapi.json` and Swagger UI, served from the binary (no CDN).
pub fn router() -> Router {
    Router::new()
        .push(Router::with_path("openapi.json").get(openapi_json))
        .push(Router::with_path("swagger-ui").get(swagger_ui_root))
        .push(Router::with_path("swagger-ui/{**rest}").get(swagger_ui))
}

#[handler]
async fn openapi_json(res: &mut Response) {
    match openapi::document() {
        Ok(document) => res.render(Json(document)),
        Err(_) => {
            res.status_code(StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
}

/// Swagger UI resolves its assets relative to the page, so the page must end with `/`.
#[handler]
async fn swagger_ui_root(req: &mut Request, res: &mut Response) {
    if req.uri().path().ends_with('/') {
        serve_swagger_file("", res);
    } else {
        res.status_code(StatusCode::MOVED_PERMANENTLY);
        res.headers_mut().insert(LOCATION, HeaderValue::from_static("/swagger-ui/"));
    }
}

#[handler]
async fn swagger_ui(req: &mut Request, res: &mut Response) {
    let rest = req.param::<String>("rest").unwrap_or_default();
    serve_swagger_file(&rest, res);
}

fn serve_swagger_file(path: &str, res: &mut Response) {
    let config = Arc::new(SwaggerConfig::from("/openapi.json"));
    match utoipa_swagger_ui::serve(path, config) {
        Ok(Some(file)) => {
            if let Ok(content_type) = HeaderValue::from_str(&file.content_type) {
                res.headers_mut().insert(CONTENT_TYPE, content_type);
            }
            if file.gzpipped {
                res.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            if let Err(error) = res.write_body(file.bytes.into_owned()) {
                tracing::error!(%error, "cannot write a Swagger UI file");
                res.status_code(StatusCode::INTERNAL_SERVER_ERROR);
            }
        }
        Ok(None) => {
            res.status_code(StatusCode::NOT_FOUND);
        }
        Err(error) => {
            tracing::error!(%error, "cannot serve a Swagger UI file");
            res.status_code(StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
}
