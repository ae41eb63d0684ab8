//! A throw-away Redis master with one replica, watched by one Sentinel, on
//! ports of their own: for a test that reaches Redis through Sentinel and
//! kills the master.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::redis_binaries::{RedisBinaries, wait_for_port};

/// The name Sentinel knows the master by (`sentinelServiceName`).
pub const SERVICE: &str = "accounts";

pub struct RedisSentinel {
    binaries: RedisBinaries,
    directory: PathBuf,
    master: u16,
    replica: u16,
    sentinel: u16,
    children: Vec<(u16, Child)>,
}

impl RedisSentinel {
    /// Starts the three, or returns `None` (skipping, or failing under
    /// `REQUIRE_BACKENDS=1`) when `redis-server` or `redis-cli` is missing.
    pub async fn start(test: &str) -> Option<Self> {
        let binaries = RedisBinaries::find(test)?;
        let directory = std::env::temp_dir().join(format!("redis-sentinel-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&directory).expect("a directory for the sentinel test");
        let [master, replica, sentinel] = [free_port(), free_port(), free_port()];
        let server = binaries.server.clone();
        let mut setup = Self { binaries, directory, master, replica, sentinel, children: Vec::new() };
        let plain = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"];
        setup.spawn(&server, master, &[&["--port", &master.to_string()], &plain[..]].concat()).await;
        let replica_of = ["--port", &replica.to_string(), "--replicaof", "127.0.0.1", &master.to_string()];
        setup.spawn(&server, replica, &[&replica_of[..], &plain[..]].concat()).await;
        let config = setup.directory.join("sentinel.conf");
        std::fs::write(
            &config,
            format!(
                "port {sentinel}\nbind 127.0.0.1\ndir {}\nsentinel monitor {SERVICE} 127.0.0.1 {master} 1\n\
                 sentinel down-after-milliseconds {SERVICE} 2000\nsentinel failover-timeout {SERVICE} 5000\n",
                setup.directory.display()
            ),
        )
        .expect("write sentinel.conf");
        let config = config.to_string_lossy().into_owned();
        setup.spawn(&server, sentinel, &[config.as_str(), "--sentinel"]).await;
        setup.wait_until_replicated(Duration::from_secs(20)).await;
        Some(setup)
    }

    /// `redis-sentinel://` as `REDIS_URL` takes it.
    pub fn url(&self) -> String {
        format!("redis-sentinel://127.0.0.1:{}/0?sentinelServiceName={SERVICE}", self.sentinel)
    }

    pub fn master(&self) -> u16 {
        self.master
    }

    /// The master's port as Sentinel names it now.
    pub fn master_named_by_sentinel(&self) -> Option<u16> {
        let answer = self.ask(self.sentinel, &["sentinel", "get-master-addr-by-name", SERVICE]);
        answer.lines().nth(1)?.trim().parse().ok()
    }

    /// Kills the master (SIGKILL) and waits until Sentinel has promoted the replica.
    pub async fn fail_over(&mut self, limit: Duration) {
        if let Some(index) = self.children.iter().position(|(port, _)| *port == self.master) {
            let (_, mut child) = self.children.remove(index);
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + limit;
        while self.master_named_by_sentinel() != Some(self.replica) {
            assert!(Instant::now() < deadline, "Sentinel did not promote the replica within {limit:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::mem::swap(&mut self.master, &mut self.replica);
    }

    async fn wait_until_replicated(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let link_up = self.ask(self.replica, &["info", "replication"]).contains("master_link_status:up");
            if link_up && self.master_named_by_sentinel() == Some(self.master) {
                return;
            }
            assert!(Instant::now() < deadline, "the replica or Sentinel did not come up within {limit:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn ask(&self, port: u16, command: &[&str]) -> String {
        self.binaries.ask(port, command)
    }

    async fn spawn(&mut self, server: &str, port: u16, args: &[&str]) {
        let child = Command::new(server)
            .args(args)
            .current_dir(&self.directory)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.children.push((port, child));
        wait_for_port(port).await;
    }
}

impl Drop for RedisSentinel {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}
