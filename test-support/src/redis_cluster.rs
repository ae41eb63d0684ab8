//! A throw-away Redis Cluster of three masters and three replicas on ports
//! of its own, for a test that kills a master (the shared cluster of
//! `TEST_REDIS_CLUSTER_URL` must stay whole for the other suites).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::backends::backends_required;

/// How long a master may be silent before its replica takes over (the
/// cluster's `cluster-node-timeout`, in ms): short, so a test waits little.
const NODE_TIMEOUT_MS: u32 = 1000;

pub struct RedisCluster {
    server: String,
    cli: String,
    directory: PathBuf,
    nodes: Vec<Node>,
}

struct Node {
    port: u16,
    child: Option<Child>,
}

impl RedisCluster {
    /// Starts six nodes and joins them, or returns `None` (skipping, or
    /// failing under `REQUIRE_BACKENDS=1`) when `redis-server` or `redis-cli`
    /// is missing (`REDIS_SERVER_BIN`, `REDIS_CLI_BIN` name them).
    pub async fn start(test: &str) -> Option<Self> {
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
        let directory = std::env::temp_dir().join(format!("redis-cluster-{}", uuid::Uuid::new_v4().simple()));
        let mut nodes: Vec<Node> = Vec::new();
        while nodes.len() < 6 {
            let port = free_port_pair();
            if nodes.iter().all(|node| node.port != port) {
                nodes.push(Node { port, child: None });
            }
        }
        let mut cluster = Self { server, cli, directory, nodes };
        for index in 0..cluster.nodes.len() {
            cluster.start_node(index).await;
        }
        let addresses: Vec<String> = cluster.nodes.iter().map(|node| format!("127.0.0.1:{}", node.port)).collect();
        let created = Command::new(&cluster.cli)
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run redis-cli --cluster create");
        assert!(created.success(), "redis-cli --cluster create failed");
        cluster.wait_until_whole(Duration::from_secs(30)).await;
        Some(cluster)
    }

    /// `redis-cluster://` with three seed nodes, as `REDIS_URL` takes it.
    pub fn url(&self) -> String {
        let ports: Vec<u16> = self.nodes.iter().map(|node| node.port).collect();
        format!("redis-cluster://127.0.0.1:{}?node=127.0.0.1:{}&node=127.0.0.1:{}", ports[0], ports[1], ports[2])
    }

    /// The ports of the nodes that are masters now.
    pub fn masters(&self) -> Vec<u16> {
        self.cluster_nodes()
            .lines()
            .filter(|line| line.contains("master") && !line.contains("fail"))
            .filter_map(|line| line.split_whitespace().nth(1))
            .filter_map(|address| address.split(['@', ':']).nth(1)?.parse().ok())
            .collect()
    }

    /// Kills the node on `port` with SIGKILL, as a crash would.
    pub fn kill(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|node| node.port == port).expect("a node of this cluster");
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the cluster says every slot is served (`cluster_state:ok`),
    /// asked of a node that is alive.
    pub fn is_ok(&self) -> bool {
        self.ask_a_live_node(&["cluster", "info"]).contains("cluster_state:ok")
    }

    /// Waits until every slot is served and every master has a replica in sync.
    pub async fn wait_until_whole(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !(self.is_ok()
            && self.cluster_nodes().matches("slave").count() >= self.live_nodes() / 2
            && self.replicas_in_sync())
        {
            assert!(Instant::now() < deadline, "the Redis Cluster did not become whole within {limit:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the master on `killed` is replaced: its replica promoted and
    /// every slot served again. Returns when that was seen.
    pub async fn wait_for_promotion(&self, killed: u16, limit: Duration) -> Instant {
        let deadline = Instant::now() + limit;
        loop {
            let masters = self.masters();
            if masters.len() == 3 && !masters.contains(&killed) && self.is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "the Redis Cluster did not recover within {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Instant::now()
    }

    /// Whether every live replica has finished syncing with its master.
    fn replicas_in_sync(&self) -> bool {
        self.nodes.iter().filter(|node| node.child.is_some()).all(|node| {
            let info = self.ask(node.port, &["info", "replication"]);
            info.contains("role:master") || info.contains("master_link_status:up")
        })
    }

    fn live_nodes(&self) -> usize {
        self.nodes.iter().filter(|node| node.child.is_some()).count()
    }

    fn cluster_nodes(&self) -> String {
        self.ask_a_live_node(&["cluster", "nodes"])
    }

    fn ask_a_live_node(&self, command: &[&str]) -> String {
        let Some(node) = self.nodes.iter().find(|node| node.child.is_some()) else { return String::new() };
        self.ask(node.port, command)
    }

    fn ask(&self, port: u16, command: &[&str]) -> String {
        Command::new(&self.cli)
            .args(["-p", &port.to_string()])
            .args(command)
            .output()
            .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
            .unwrap_or_default()
    }

    async fn start_node(&mut self, index: usize) {
        let port = self.nodes[index].port;
        let directory = self.directory.join(port.to_string());
        std::fs::create_dir_all(&directory).expect("a directory for a cluster node");
        let child = Command::new(&self.server)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"])
            .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
            // A replica that never finished its first sync cannot take over:
            // no waiting to batch replicas into one transfer.
            .args(["--repl-diskless-sync-delay", "0"])
            .arg("--dir")
            .arg(&directory)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.nodes[index].child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("cluster node on port {port} did not come up");
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// A free port whose cluster bus port (+10000) is free too.
fn free_port_pair() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a port");
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}
