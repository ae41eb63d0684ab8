//! Capturing the log lines an adapter writes, to check what it never logs.

use std::io;
use std::sync::{Arc, Mutex};

use tracing::Dispatch;
use tracing::subscriber::DefaultGuard;

/// The text logged by the adapters while the guard of [`CapturedLogs::start`]
/// is alive on this thread (use a current-thread runtime so every await is covered).
#[derive(Clone)]
pub struct CapturedLogs {
    buffer: Arc<Mutex<Vec<u8>>>,
    /// With a single dispatcher in the process, tracing-core works out the
    /// interest of a callsite first met on another thread (a test running
    /// alongside, with no subscriber) from that thread's default alone, and
    /// caches "never" for ours too. A second live dispatcher makes it ask each one.
    _second_dispatcher: Dispatch,
}

impl CapturedLogs {
    pub fn start() -> (Self, DefaultGuard) {
        let logs = Self {
            buffer: Arc::default(),
            _second_dispatcher: Dispatch::new(tracing::subscriber::NoSubscriber::default()),
        };
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_env_filter("http_api=trace,storage=trace,cache=trace,providers=trace,security=trace")
            .with_writer(Writer(logs.buffer.clone()))
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        (logs, guard)
    }

    pub fn text(&self) -> String {
        let bytes = self.buffer.lock().map(|buffer| buffer.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[derive(Clone)]
struct Writer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Writer {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
