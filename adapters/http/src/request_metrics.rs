use std::sync::Arc;
use std::time::Instant;

use salvo::async_trait;
use salvo::http::StatusCode;
use salvo::prelude::{Depot, FlowCtrl, Handler, Request, Response};

use service_metrics::ServiceMetrics;

/// Counts every answer by method, route template and status, and times it.
/// The label is the template the router matched (`/sms_codes/{mobile}/`), so
/// no mobile, address or id reaches the metrics and their number stays bounded;
/// requests that matched no route share one label.
#[derive(Clone)]
pub struct RequestMetrics {
    metrics: Arc<ServiceMetrics>,
}

impl RequestMetrics {
    pub fn new(metrics: Arc<ServiceMetrics>) -> Self {
        Self { metrics }
    }
}

#[async_trait]
impl Handler for RequestMetrics {
    async fn handle(&self, req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
        let started = Instant::now();
        // Errors written later (a 503 from a backing service) count themselves through the depot.
        depot.insert_typed(self.metrics.clone());
        ctrl.call_next(req, depot, res).await;
        let route = match req.matched_path() {
            "" => "unmatched".to_owned(),
            template => format!("/{}/", template.trim_matches('/')),
        };
        let status = res.status_code.unwrap_or(StatusCode::OK).as_u16();
        self.metrics.record_request(req.method().as_str(), &route, status, started.elapsed().as_secs_f64());
    }
}
