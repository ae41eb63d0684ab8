//! The `redis-server` and `redis-cli` that the throw-away Redis setups of
//! [`redis_cluster`](crate::redis_cluster) and [`redis_sentinel`](crate::redis_sentinel) run.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::backends::backends_required;

pub(crate) struct RedisBinaries {
    pub(crate) server: String,
    pub(crate) cli: String,
}

impl RedisBinaries {
    /// `REDIS_SERVER_BIN` and `REDIS_CLI_BIN`, else the ones on the `PATH`; `None`
    /// (skipping, or failing under `REQUIRE_BACKENDS=1`) when either is missing.
    pub(crate) fn find(test: &str) -> Option<Self> {
        use std::io::Write;
        let server = std::env::var("REDIS_SERVER_BIN").unwrap_or_else(|_| "redis-server".into());
        let cli = std::env::var("REDIS_CLI_BIN").unwrap_or_else(|_| "redis-cli".into());
        for binary in [&server, &cli] {
            if Command::new(binary).arg("--version").stdout(Stdio::null()).status().is_err() {
                assert!(!backends_required(), "{test}: no {binary} binary and REQUIRE_BACKENDS=1");
                let _ = writeln!(std::io::stderr(), "SKIPPED {test}: no {binary} binary");
                return None;
            }
        }
        Some(Self { server, cli })
    }

    /// What `redis-cli -p port command…` prints (empty when it cannot run).
    pub(crate) fn ask(&self, port: u16, command: &[&str]) -> String {
        Command::new(&self.cli)
            .args(["-p", &port.to_string()])
            .args(command)
            .output()
            .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
            .unwrap_or_default()
    }
}

/// Waits (up to 5 s) until a server listens on `port`.
pub(crate) async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis-server on port {port} did not come up");
}
