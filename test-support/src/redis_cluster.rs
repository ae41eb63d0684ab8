//! A throw-away Redis Cluster of three masters and three replicas on ports
//! of its own, for a test that kills a master (the shared cluster of
//! `TEST_REDIS_CLUSTER_URL` must stay whole for the other suites).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::redis_binaries::{RedisBinaries, wait_for_port};

/// How long a master may be silent before its replica takes over (the
/// cluster's `cluster-node-timeout`, in ms): short, so a test waits little,
/// yet long enough that a node merely slowed by a busy machine is not failed.
const NODE_TIMEOUT_MS: u32 = 2000;

pub struct RedisCluster {
    binaries: RedisBinaries,
    directory: PathBuf,
    nodes: Vec<Node>,
}

struct Node {
    port: u16,
    child: Option<Child>,
    /// Stopped with SIGSTOP: asking it would hang.
    paused: bool,
}

impl RedisCluster {
    /// Starts six nodes and joins them, or returns `None` (skipping, or
    /// failing under `REQUIRE_BACKENDS=1`) when `redis-server` or `redis-cli`
    /// is missing (`REDIS_SERVER_BIN`, `REDIS_CLI_BIN` name them).
    pub async fn start(test: &str) -> Option<Self> {
        let binaries = RedisBinaries::find(test)?;
        let directory = std::env::temp_dir().join(format!("redis-cluster-{}", uuid::Uuid::new_v4().simple()));
        let mut nodes: Vec<Node> = Vec::new();
        while nodes.len() < 6 {
            let port = free_port_pair();
            if nodes.iter().all(|node| node.port != port) {
                nodes.push(Node { port, child: None, paused: false });
            }
        }
        let mut cluster = Self { binaries, directory, nodes };
        for index in 0..cluster.nodes.len() {
            cluster.start_node(index).await;
        }
        let addresses: Vec<String> = cluster.nodes.iter().map(|node| format!("127.0.0.1:{}", node.port)).collect();
        let created = Command::new(&cluster.binaries.cli)
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
            .filter_map(port_of_line)
            .collect()
    }

    /// The port of the master that serves `key` now.
    pub fn master_of(&self, key: &str) -> u16 {
        let slot: u16 = self.ask_a_live_node(&["cluster", "keyslot", key]).trim().parse().expect("CLUSTER KEYSLOT");
        self.cluster_nodes()
            .lines()
            .filter(|line| line.contains("master") && !line.contains("fail"))
            .find(|line| line.split_whitespace().skip(8).any(|range| serves(range, slot)))
            .and_then(port_of_line)
            .expect("a master serving the key's slot")
    }

    /// The port of a replica of the master on `master`.
    pub fn replica_of(&self, master: u16) -> u16 {
        let nodes = self.cluster_nodes();
        let master_id = nodes
            .lines()
            .find(|line| port_of_line(line) == Some(master))
            .and_then(|line| line.split_whitespace().next())
            .expect("the master's node id")
            .to_owned();
        nodes
            .lines()
            .filter(|line| line.contains("slave"))
            .find(|line| line.split_whitespace().nth(3) == Some(master_id.as_str()))
            .and_then(port_of_line)
            .expect("a replica of the master")
    }

    /// Waits until the replicas of the master on `master` have every write it
    /// has taken so far (their offsets caught up with its own).
    pub async fn wait_for_replication(&self, master: u16) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let info = self.ask(master, &["info", "replication"]);
            let field = |prefix: &str| info.lines().find_map(|line| line.strip_prefix(prefix)).map(str::trim);
            let own = field("master_repl_offset:");
            let replica = field("slave0:").and_then(|line| line.split(',').find_map(|kv| kv.strip_prefix("offset=")));
            if own.is_some() && own == replica {
                return;
            }
            assert!(Instant::now() < deadline, "the replicas of {master} did not catch up: {info}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Cuts the replica on `replica` off from its master on `master`: the
    /// replica is frozen (SIGSTOP) and the master drops its link, so nothing
    /// the master writes from now on reaches it, not even through the socket
    /// buffer. [`resume`](Self::resume) lets the replica go on with what it had.
    pub fn cut_replication(&mut self, master: u16, replica: u16) {
        self.pause(replica);
        let killed = self.ask(master, &["client", "kill", "type", "replica"]);
        assert!(killed.trim().parse::<u32>().is_ok_and(|n| n >= 1), "the master dropped no replica link: {killed}");
    }

    /// Freezes the node on `port` (SIGSTOP): it neither replicates nor
    /// answers, as a replica behind a stalled link would.
    pub fn pause(&mut self, port: u16) {
        self.signal(port, "-STOP", true);
    }

    /// Lets a paused node go on (SIGCONT).
    pub fn resume(&mut self, port: u16) {
        self.signal(port, "-CONT", false);
    }

    fn signal(&mut self, port: u16, signal: &str, paused: bool) {
        let node = self.nodes.iter_mut().find(|node| node.port == port).expect("a node of this cluster");
        let pid = node.child.as_ref().expect("a running node").id().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status().expect("run kill");
        assert!(sent.success(), "kill {signal} {pid} failed");
        node.paused = paused;
    }

    /// Kills the node on `port` with SIGKILL, as a crash would.
    pub fn kill(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|node| node.port == port).expect("a node of this cluster");
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the node on `port` again (as a supervisor would after a crash):
    /// it keeps its cluster file, so it rejoins, as a replica of the node that
    /// took its slots over.
    pub async fn restart(&mut self, port: u16) {
        let index = self.nodes.iter().position(|node| node.port == port).expect("a node of this cluster");
        self.kill(port);
        self.start_node(index).await;
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
        self.nodes.iter().filter(|node| node.child.is_some() && !node.paused).all(|node| {
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
        let Some(node) = self.nodes.iter().find(|node| node.child.is_some() && !node.paused) else {
            return String::new();
        };
        self.ask(node.port, command)
    }

    fn ask(&self, port: u16, command: &[&str]) -> String {
        self.binaries.ask(port, command)
    }

    async fn start_node(&mut self, index: usize) {
        let port = self.nodes[index].port;
        let directory = self.directory.join(port.to_string());
        std::fs::create_dir_all(&directory).expect("a directory for a cluster node");
        let child = Command::new(&self.binaries.server)
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
        wait_for_port(port).await;
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

/// The port of a `CLUSTER NODES` line (`id 127.0.0.1:port@bus flags …`).
fn port_of_line(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.split(['@', ':']).nth(1)?.parse().ok()
}

/// Whether a `CLUSTER NODES` slot field (`0-5460` or `42`) holds `slot`.
fn serves(range: &str, slot: u16) -> bool {
    let mut bounds = range.split('-').map(str::parse::<u16>);
    match (bounds.next(), bounds.next()) {
        (Some(Ok(first)), Some(Ok(last))) => (first..=last).contains(&slot),
        (Some(Ok(only)), None) => only == slot,
        _ => false,
    }
}

/// A free port whose cluster bus port (+10000) is free too, both below the
/// kernel's ephemeral range (32768 up), so that no client connection takes
/// one between this check and the node's start; never one handed out before
/// in this process.
fn free_port_pair() -> u16 {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let seed = uuid::Uuid::new_v4().as_u128();
    for attempt in 0..10_000_u128 {
        let port = 20_000 + u16::try_from((seed + attempt * 7919) % 2_700).expect("below 2700");
        let free = |port: u16| TcpListener::bind(("127.0.0.1", port)).is_ok();
        if !handed_out.contains(&port) && free(port) && free(port + 10_000) {
            handed_out.push(port);
            return port;
        }
    }
    panic!("no free port pair for a cluster node")
}
