//! What `GET /metrics` shows, in the Prometheus (OpenMetrics) text format,
//! kept with `prometheus-client`.

mod in_flight;

use application::ports::{AttemptOutcome, ClaimedMessage, OutboxCounts, ProviderAttempts};
use async_trait::async_trait;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

pub use in_flight::InFlight;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BackendLabels {
    backend: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

/// Password hashes waiting for a hashing slot and being computed.
#[derive(Clone, Debug, Default)]
pub struct HashingGauges {
    pub waiting: Gauge,
    pub running: Gauge,
}

/// How the account cache answers: from memory or not, and whether it can
/// (deaf while the change channel is down: every check reads the database).
#[derive(Clone, Debug, Default)]
pub struct AccountCacheGauges {
    pub hits: Counter,
    pub misses: Counter,
    pub listening: Gauge,
}

/// How availability checks were answered by the taken-names filter.
#[derive(Clone, Debug, Default)]
pub struct TakenNamesGauges {
    pub from_memory: Counter,
    pub from_database: Counter,
    pub ready: Gauge,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s: from a cached read to a login waiting for argon2 under load.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The service's metrics. Cheap to share: every handle is reference-counted.
pub struct ServiceMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    backend_errors: Family<BackendLabels, Counter>,
    limits_hit: Family<RouteLabels, Counter>,
    outbox: Family<StatusLabels, Gauge>,
    provider_sends: Family<ProviderLabels, Counter>,
    pub hashing: HashingGauges,
    pub account_cache: AccountCacheGauges,
    pub taken_names: TakenNamesGauges,
}

impl Default for ServiceMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ServiceMetrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("accounts");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by route template and status", requests.clone());
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register("http_request_duration_seconds", "Time to answer, by route template", latency.clone());
        let backend_errors = Family::<BackendLabels, Counter>::default();
        registry.register(
            "backend_errors",
            "Requests answered 503 because a backing service (database, cache, messaging) failed",
            backend_errors.clone(),
        );
        let limits_hit = Family::<RouteLabels, Counter>::default();
        registry.register("limits_hit", "Requests refused with 429 by a limit, by route template", limits_hit.clone());
        let outbox = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "outbox_messages",
            "Outbox messages waiting for delivery (pending) or given up (dead)",
            outbox.clone(),
        );
        let provider_sends = Family::<ProviderLabels, Counter>::default();
        registry.register(
            "sms_sends",
            "Text messages handed to a real SMS provider, by provider and outcome (sent, temporary, unavailable: \
             the next provider was tried, rejected)",
            provider_sends.clone(),
        );
        let hashing = HashingGauges::default();
        registry.register(
            "password_hashes_waiting",
            "Password hashes waiting for a hashing slot",
            hashing.waiting.clone(),
        );
        registry.register("password_hashes_running", "Password hashes being computed", hashing.running.clone());
        let account_cache = AccountCacheGauges::default();
        registry.register(
            "account_cache_hits",
            "Token checks answered from the account cache",
            account_cache.hits.clone(),
        );
        registry.register(
            "account_cache_misses",
            "Token checks that read the database (not in memory, or the cache deaf)",
            account_cache.misses.clone(),
        );
        registry.register(
            "account_cache_listening",
            "1 while the account cache is sure to hear every change (0: deaf, or turned off)",
            account_cache.listening.clone(),
        );
        let taken_names = TakenNamesGauges::default();
        registry.register(
            "availability_checks_from_memory",
            "Availability checks answered \"free\" by the taken-names filter, without a query",
            taken_names.from_memory.clone(),
        );
        registry.register(
            "availability_checks_from_database",
            "Availability checks the database answered (a taken name, a false positive, or no filter yet)",
            taken_names.from_database.clone(),
        );
        registry.register(
            "taken_names_filter_ready",
            "1 while the taken-names filter is built and answering (0: building, deaf, or turned off)",
            taken_names.ready.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            backend_errors,
            limits_hit,
            outbox,
            provider_sends,
            hashing,
            account_cache,
            taken_names,
        }
    }

    /// One answered request; `route` is the route template (`/sms_codes/{mobile}/`), never the raw path.
    pub fn record_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method: method.clone(), route: route.clone() }).observe(seconds);
        if status == 429 {
            self.limits_hit.get_or_create(&RouteLabels { method, route }).inc();
        }
    }

    pub fn record_backend_error(&self, backend: &str) {
        self.backend_errors.get_or_create(&BackendLabels { backend: backend.to_owned() }).inc();
    }

    /// The text exposition, with the outbox counts of this scrape.
    pub fn encode(&self, outbox: Option<OutboxCounts>) -> Result<String, std::fmt::Error> {
        if let Some(counts) = outbox {
            self.outbox.get_or_create(&StatusLabels { status: "pending".into() }).set(counts.pending);
            self.outbox.get_or_create(&StatusLabels { status: "dead".into() }).set(counts.dead);
        }
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Counts every provider's try at a text message.
#[async_trait]
impl ProviderAttempts for ServiceMetrics {
    async fn record(&self, _queued: Option<&ClaimedMessage>, provider: &'static str, outcome: AttemptOutcome) {
        let labels = ProviderLabels { provider: provider.to_owned(), outcome: outcome.as_str().to_owned() };
        self.provider_sends.get_or_create(&labels).inc();
    }
}
