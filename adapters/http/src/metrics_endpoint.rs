use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use application::ports::OutboxFeed;
use service_metrics::ServiceMetrics;

/// What `GET /metrics` serves and to whom.
pub struct MetricsEndpoint {
    pub metrics: Arc<ServiceMetrics>,
    /// `METRICS_ALLOW`.
    pub allow: Vec<IpNet>,
    pub outbox: Arc<dyn OutboxFeed>,
}

impl MetricsEndpoint {
    pub fn allows(&self, client: IpAddr) -> bool {
        let client = client.to_canonical();
        self.allow.iter().any(|net| net.contains(&client))
    }
}
