use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use test_support::backends::backends_required;

/// A throw-away `redis-server` on a port of its own, which a test can stop
/// and start again to see how the service behaves while Redis is down.
pub struct RedisServer {
    binary: String,
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or returns `None` (skipping, or failing under
    /// `REQUIRE_BACKENDS=1`) when no `redis-server` binary is found.
    pub async fn start(test: &str) -> Option<Self> {
        use std::io::Write;
        let binary = std::env::var("REDIS_SERVER_BIN").unwrap_or_else(|_| "redis-server".into());
        if Command::new(&binary).arg("--version").stdout(Stdio::null()).status().is_err() {
            assert!(!backends_required(), "{test}: no redis-server binary ({binary}) and REQUIRE_BACKENDS=1");
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: no redis-server binary ({binary})");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).ok()?;
        let mut server = Self { binary, port, child: None };
        server.resume().await;
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (no clean shutdown, like a crash).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and waits until it answers.
    pub async fn resume(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server on port {} did not come up", self.port);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
