use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use test_support::backends::backends_required;

/// A throw-away `redis-server` on a port of its own, which a test can stop
/// and start again to see how the service behaves while Redis is down.
pub struct RedisServer {
    binary: String,
    port: u16,
    /// Settings beyond the defaults, such as `--maxmemory-policy allkeys-lru`.
    settings: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or returns `None` (skipping, or failing under
    /// `REQUIRE_BACKENDS=1`) when no `redis-server` binary is found.
    pub async fn start(test: &str) -> Option<Self> {
        Self::start_with(test, &[]).await
    }

    /// Starts one with `settings` added to its command line.
    pub async fn start_with(test: &str, settings: &[&str]) -> Option<Self> {
        use std::io::Write;
        let binary = std::env::var("REDIS_SERVER_BIN").unwrap_or_else(|_| "redis-server".into());
        if Command::new(&binary).arg("--version").stdout(Stdio::null()).status().is_err() {
            assert!(!backends_required(), "{test}: no redis-server binary ({binary}) and REQUIRE_BACKENDS=1");
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: no redis-server binary ({binary})");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).ok()?;
        let settings = settings.iter().map(|&setting| setting.to_owned()).collect();
        let mut server = Self { binary, port, settings, child: None };
        server.resume().await;
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Sends one command straight to the server (as an operator's redis-cli
    /// would) and returns its reply as text: a bulk string's content, or the line.
    pub async fn command(&self, args: &[&str]) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.expect("connect to redis");
        stream.write_all(request.as_bytes()).await.expect("send to redis");
        let mut reply = Vec::new();
        loop {
            let mut chunk = [0_u8; 4096];
            let read = stream.read(&mut chunk).await.expect("read from redis");
            assert!(read > 0, "redis closed the connection");
            reply.extend_from_slice(&chunk[..read]);
            let text = String::from_utf8_lossy(&reply);
            let Some((head, rest)) = text.split_once("\r\n") else { continue };
            match head.strip_prefix('$').map(|len| len.parse::<usize>().expect("bulk length")) {
                Some(len) if rest.len() >= len => return rest[..len].to_owned(),
                Some(_) => {}
                None => return head.to_owned(),
            }
        }
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
            .args(&self.settings)
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
