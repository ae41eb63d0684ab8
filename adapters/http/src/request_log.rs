use std::time::Instant;

use salvo::async_trait;
use salvo::http::{ResBody, StatusCode};
use salvo::prelude::{Depot, FlowCtrl, Handler, Request, Response};
use tracing::Instrument;

use super::client_ip::peer_ip;
use domain::personal_data::masked_path;

/// One log line per request, like salvo's `Logger`, but with the mobiles and
/// email addresses in the path masked (`/sms_codes/138****8000/`) and no query
/// string (it carries captcha answers, codes and tokens). Everything logged
/// while the request runs is inside this span, so nothing there repeats the
/// raw path either.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestLog;

#[async_trait]
impl Handler for RequestLog {
    async fn handle(&self, req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
        let span = tracing::info_span!(
            "request",
            peer = %peer_ip(req),
            method = %req.method(),
            path = %masked_path(req.uri().path()),
        );
        async move {
            let started = Instant::now();
            let span = tracing::Span::current();
            // The observer sees the final answer, after the catcher wrote the error body.
            let fallback = req.try_on_response(move |res: &Response| span.in_scope(|| log_answer(res, started))).err();
            ctrl.call_next(req, depot, res).await;
            if let Some(observer) = fallback {
                observer(res);
            }
        }
        .instrument(span)
        .await;
    }
}

fn log_answer(res: &Response, started: Instant) {
    let status = res.status_code.unwrap_or(match &res.body {
        ResBody::None => StatusCode::NOT_FOUND,
        ResBody::Error(error) => error.code,
        _ => StatusCode::OK,
    });
    tracing::info!(status = status.as_u16(), duration = ?started.elapsed(), "answered");
}
