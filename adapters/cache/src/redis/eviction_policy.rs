//! Redis's `maxmemory-policy`. Spent-token markers, code attempts, failure
//! counters and locks live in Redis with TTLs; under any policy but
//! `noeviction` Redis may drop them before their time when memory runs short,
//! reopening replays and lifting locks, so the service is not ready then.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use fred::prelude::{Client, ClientLike};
use fred::types::{ClusterHash, CustomCommand, Value};

/// How long one answer is trusted: readiness probes come every few seconds,
/// and a policy changes only by an operator's hand.
const TRUSTED_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvictionPolicy {
    NoEviction,
    /// A policy under which Redis drops keys when full (`allkeys-lru`, `volatile-ttl`, …).
    Evicting(String),
    /// Redis would not say: managed services often disable `CONFIG` and restrict `INFO`.
    Unreported(String),
}

impl EvictionPolicy {
    fn named(policy: &str) -> Self {
        if policy == "noeviction" { Self::NoEviction } else { Self::Evicting(policy.to_owned()) }
    }

    /// The policy of every master a cluster client is connected to (the first
    /// that evicts, or that will not say, speaks for all), or of the one server.
    pub(super) async fn of(client: &Client) -> Self {
        if !client.is_clustered() {
            return Self::of_node(client).await;
        }
        let mut answer = Self::NoEviction;
        for node in client.active_connections() {
            match Self::of_node(&client.with_cluster_node(node.clone())).await {
                Self::NoEviction => {}
                Self::Evicting(policy) => return Self::Evicting(format!("{policy} (on {node})")),
                Self::Unreported(why) => answer = Self::Unreported(format!("{node}: {why}")),
            }
        }
        answer
    }

    /// Asks `CONFIG GET maxmemory-policy`, then `INFO memory` when that is refused.
    async fn of_node(client: &impl ClientLike) -> Self {
        let config = client
            .custom::<Value, _>(
                CustomCommand::new_static("CONFIG", ClusterHash::Random, false),
                vec!["GET", "maxmemory-policy"],
            )
            .await;
        let config_refusal = match config {
            Ok(answer) => match policy_in_config_answer(answer) {
                Some(policy) => return Self::named(&policy),
                None => "CONFIG GET maxmemory-policy answered nothing".to_owned(),
            },
            Err(error) => format!("CONFIG GET: {error}"),
        };
        let info = client
            .custom::<String, _>(CustomCommand::new_static("INFO", ClusterHash::Random, false), vec!["memory"])
            .await;
        match info {
            Ok(text) => policy_in_info(&text).map_or_else(
                || Self::Unreported(format!("{config_refusal}; INFO memory has no maxmemory_policy")),
                Self::named,
            ),
            Err(error) => Self::Unreported(format!("{config_refusal}; INFO memory: {error}")),
        }
    }
}

/// `CONFIG GET` answers `[name, value]` (RESP2) or `{name: value}` (RESP3).
fn policy_in_config_answer(answer: Value) -> Option<String> {
    let mut pairs = answer.into_array().into_iter();
    while let Some(name) = pairs.next() {
        let value = pairs.next()?;
        if name.as_str().is_some_and(|name| name.eq_ignore_ascii_case("maxmemory-policy")) {
            return value.into_string();
        }
    }
    None
}

fn policy_in_info(text: &str) -> Option<&str> {
    text.lines().find_map(|line| line.trim().strip_prefix("maxmemory_policy:")).map(str::trim)
}

/// The last answer and when it came, so that readiness asks Redis at most
/// once per [`TRUSTED_FOR`].
#[derive(Default)]
pub(super) struct RecentPolicy {
    last: Mutex<Option<(Instant, EvictionPolicy)>>,
}

impl RecentPolicy {
    pub(super) async fn get(&self, client: &Client) -> EvictionPolicy {
        if let Some(policy) = self.fresh() {
            return policy;
        }
        let policy = EvictionPolicy::of(client).await;
        if let Ok(mut last) = self.last.lock() {
            *last = Some((Instant::now(), policy.clone()));
        }
        policy
    }

    fn fresh(&self) -> Option<EvictionPolicy> {
        let last = self.last.lock().ok()?;
        last.as_ref().filter(|(at, _)| at.elapsed() < TRUSTED_FOR).map(|(_, policy)| policy.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_read_from_either_answer() {
        let resp2 = Value::Array(vec!["maxmemory-policy".into(), "allkeys-lru".into()]);
        assert_eq!(policy_in_config_answer(resp2).as_deref(), Some("allkeys-lru"));
        assert_eq!(policy_in_config_answer(Value::Array(vec![])), None);
        let info = "# Memory\r\nused_memory:1\r\nmaxmemory_policy:volatile-ttl\r\nallocator_frag_ratio:1\r\n";
        assert_eq!(policy_in_info(info), Some("volatile-ttl"));
        assert_eq!(policy_in_info("# Memory\r\n"), None);
        assert_eq!(EvictionPolicy::named("noeviction"), EvictionPolicy::NoEviction);
        assert_eq!(EvictionPolicy::named("allkeys-lru"), EvictionPolicy::Evicting("allkeys-lru".into()));
    }
}
