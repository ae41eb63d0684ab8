//! The database, the cache and the password hashing threads.

use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    CaptchaStore, PasswordHasher, RateLimiter, ReadinessProbe, SessionKeyStore, VerificationCodeStore,
};
use cache::redis::ReplicaAcks;
use cache::{EvictionPolicy, MemoryCache, RedisCache};
use security::{Argon2PasswordHasher, CodeDigester};
use service_metrics::ServiceMetrics;
use storage::Database;

use super::or_cpu_count;
use crate::config::{Config, DatabasePooler, redact_url};
use crate::server::StartError;

/// Opens the database named by the configuration, creating the data folder
/// of the embedded mode.
pub async fn open_database(config: &Config) -> Result<Database, StartError> {
    let url = config.database_url();
    if config.is_embedded() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StartError::Database(format!("cannot create {}: {e}", config.data_dir.display())))?;
    }
    tracing::info!(url = %redact_url(&url), "opening the database");
    let naming = config.database_pooler.statement_naming();
    Database::connect_with_pool(&url, config.database_timeout_secs, config.database_max_connections, naming)
        .await
        .map_err(|e| StartError::Database(format!("{}: {e}", redact_url(&url))))
}

/// Why migrations cannot go through a transaction pooler: their session-level
/// advisory lock and the migrator's named statements need a client connection
/// that stays one server connection.
const MIGRATIONS_NEED_ONE_SERVER_CONNECTION: &str = "migrations cannot run through a transaction pooler (their \
     advisory lock and named statements need one server connection)";

/// Applies pending migrations and returns (`meiduo-accounts migrate`).
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    if config.database_pooler == DatabasePooler::Transaction {
        return Err(StartError::Migrate(format!(
            "DATABASE_POOLER=transaction: {MIGRATIONS_NEED_ONE_SERVER_CONNECTION}; run `meiduo-accounts migrate` \
             with a DATABASE_URL that reaches PostgreSQL directly and DATABASE_POOLER unset"
        )));
    }
    let database = open_database(config).await?;
    database.migrate().await.map_err(|e| StartError::Migrate(e.to_string()))
}

/// Applies pending migrations as `serve` starts, when `AUTO_MIGRATE` says so.
pub(super) async fn migrate_at_start(config: &Config, database: &Database) -> Result<(), StartError> {
    if !config.auto_migrate {
        return Ok(());
    }
    if config.database_pooler == DatabasePooler::Transaction {
        return Err(StartError::Migrate(format!(
            "DATABASE_POOLER=transaction and AUTO_MIGRATE=true: {MIGRATIONS_NEED_ONE_SERVER_CONNECTION}; set \
             AUTO_MIGRATE=false (or `serve --no-migrate`) and run `meiduo-accounts migrate` with a DATABASE_URL \
             that reaches PostgreSQL directly"
        )));
    }
    database.migrate().await.map_err(|e| StartError::Migrate(e.to_string()))
}

/// The cache behind captchas, codes and limits, seen through each port.
pub(super) struct CachePorts {
    pub captchas: Arc<dyn CaptchaStore>,
    pub codes: Arc<dyn VerificationCodeStore>,
    pub limiter: Arc<dyn RateLimiter>,
    pub session_keys: Arc<dyn SessionKeyStore>,
    pub readiness: Arc<dyn ReadinessProbe>,
}

impl CachePorts {
    fn of<C>(cache: Arc<C>) -> Self
    where
        C: CaptchaStore + VerificationCodeStore + RateLimiter + SessionKeyStore + ReadinessProbe + 'static,
    {
        Self {
            captchas: cache.clone(),
            codes: cache.clone(),
            limiter: cache.clone(),
            session_keys: cache.clone(),
            readiness: cache,
        }
    }
}

/// Redis when `REDIS_URL` is set, else the in-process cache.
pub(super) async fn open_cache(config: &Config, digester: CodeDigester) -> Result<CachePorts, StartError> {
    match config.redis_url() {
        Some(url) => {
            tracing::info!(url = %redact_url(url), "using Redis for captchas, codes and limits");
            let timeout = config.cache_timeout_ms.max(Duration::from_millis(1));
            let acks = ReplicaAcks { replicas: config.redis_wait_replicas, timeout: config.redis_wait_timeout_ms };
            let cache = RedisCache::connect_confirming(url, &config.redis_key_prefix, digester, timeout, acks)
                .await
                .map_err(|e| StartError::Cache(e.to_string()))?;
            report_eviction_policy(cache.eviction_policy().await);
            Ok(CachePorts::of(Arc::new(cache)))
        }
        None => Ok(CachePorts::of(Arc::new(MemoryCache::new(digester, config.memory_cache_capacity.max(1))))),
    }
}

/// Argon2 on its own threads, verifying Django's PBKDF2 hashes too, reporting to `/metrics`.
pub(super) fn open_password_hasher(
    config: &Config,
    metrics: &ServiceMetrics,
) -> Result<Arc<dyn PasswordHasher>, StartError> {
    let concurrency = or_cpu_count(config.password_hash_concurrency);
    Ok(Arc::new(
        Argon2PasswordHasher::niced(concurrency, u8::try_from(config.password_hash_niceness).unwrap_or(19))
            .map_err(|e| StartError::Hashing(e.to_string()))?
            .covering_django_iterations(config.django_hash_iterations)
            .reporting_to(metrics.hashing.clone()),
    ))
}

/// Says at start why the service will not be ready on an evicting Redis, or
/// that it cannot tell: a managed Redis may disable `CONFIG` and restrict
/// `INFO`, and is then trusted rather than refused.
fn report_eviction_policy(policy: EvictionPolicy) {
    match policy {
        EvictionPolicy::NoEviction => {}
        EvictionPolicy::Evicting(policy) => tracing::error!(
            %policy,
            "Redis maxmemory-policy is {policy}, not noeviction: Redis may evict spent tokens, code attempts, \
             failure counters and locks before their time, reopening replays and lifting locks; /health/ready/ \
             answers 503 until the policy is noeviction"
        ),
        EvictionPolicy::Unreported(reason) => tracing::warn!(
            %reason,
            "Redis did not report its maxmemory-policy (CONFIG and INFO refused, or Redis unreachable); \
             make sure it is noeviction, or Redis may evict spent tokens, code attempts and locks"
        ),
    }
}
