use prometheus_client::metrics::gauge::Gauge;

/// Counts one unit in a gauge for as long as it lives, so a cancelled or
/// failed step gives its unit back as surely as a finished one.
pub struct InFlight(Gauge);

impl InFlight {
    pub fn enter(gauge: &Gauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}
