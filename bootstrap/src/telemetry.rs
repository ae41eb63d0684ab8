use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the log subscriber: `filter` in `EnvFilter` syntax, lines in `format` on stderr.
/// Safe to call more than once (tests start many servers); later calls keep the first subscriber.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _already_set = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
