use tracing_subscriber::EnvFilter;

/// Installs the log subscriber: `filter` in `EnvFilter` syntax, `text` or `json` lines on stderr.
/// Safe to call more than once (tests start many servers); later calls keep the first subscriber.
pub fn init(filter: &str, format: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _already_set = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
