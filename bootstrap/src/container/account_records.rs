//! The stores that change accounts, behind the account cache unless it is
//! turned off (`ACCOUNT_CACHE_CAPACITY=0`), and behind the taken-names filter
//! unless that is off too (`TAKEN_NAMES_FILTER_ENTRIES=0`).

use std::sync::Arc;
use std::time::Duration;

use application::ports::{
    AccessTokenRevocations, AccountDeletions, EmailChangeStore, LoginStore, OAuthIdentityRepository,
    PasswordChangeStore, RegistrationStore, UserRepository,
};
use cache::account_cache::{
    AnnouncingAccountDeletions, AnnouncingEmailChangeStore, AnnouncingLoginStore, AnnouncingOAuthIdentities,
    AnnouncingPasswordChangeStore, AnnouncingRegistrationStore, CachedTokenStandings, CachedUserRepository,
    StandingCache,
};
use cache::account_changes::{
    AccountChanges, FreshnessLease, InstanceMemory, RedisAccountChanges, follow_account_changes,
};
use cache::taken_names::{NameFingerprints, TakenNames};
use security::ServiceSecret;
use service_metrics::ServiceMetrics;
use storage::Database;
use tokio::sync::Notify;

use crate::config::Config;
use crate::server::StartError;

/// Every port that writes an account, and the one that checks a token's
/// standing, so that no write can go around the cache.
pub(super) struct AccountRecords {
    pub users: Arc<dyn UserRepository>,
    pub registrations: Arc<dyn RegistrationStore>,
    pub identities: Arc<dyn OAuthIdentityRepository>,
    pub revocations: Arc<dyn AccessTokenRevocations>,
    pub logins: Arc<dyn LoginStore>,
    pub password_changes: Arc<dyn PasswordChangeStore>,
    pub email_changes: Arc<dyn EmailChangeStore>,
    pub deletions: Arc<dyn AccountDeletions>,
}

impl AccountRecords {
    pub fn open(
        config: &Config,
        secret: &ServiceSecret,
        database: &Database,
        outbox_wakeup: &Arc<Notify>,
        metrics: &ServiceMetrics,
    ) -> Result<Self, StartError> {
        let direct = Self {
            users: database.users(),
            registrations: database.registrations(),
            identities: database.oauth_identities(),
            revocations: database.access_token_revocations(),
            logins: database.logins(),
            password_changes: database.password_changes(),
            email_changes: database.email_changes(outbox_wakeup.clone()),
            deletions: database.account_deletions(),
        };
        if config.account_cache_capacity == 0 {
            tracing::info!("account cache off: every authenticated request reads the database");
            return Ok(direct);
        }
        // With other instances, memory answers only while this one has read the
        // account-change log lately: Redis may lose an announcement, the log may not.
        let lease = config.redis_url().map(|_| Arc::new(FreshnessLease::default()));
        let mut standing_cache = StandingCache::new(
            config.account_cache_capacity,
            config.account_cache_ttl_secs.max(Duration::from_secs(1)),
            true,
        )
        .reporting_to(metrics.account_cache.clone());
        if let Some(lease) = &lease {
            standing_cache = standing_cache.leased_by(lease.clone());
        }
        let cache = Arc::new(standing_cache);
        let names = (config.taken_names_filter_entries > 0).then(|| {
            let mut names = TakenNames::new(
                NameFingerprints::new(secret),
                database.taken_names(),
                config.taken_names_filter_entries,
            )
            .reporting_to(metrics.taken_names.clone());
            if let Some(lease) = &lease {
                names = names.leased_by(lease.clone());
            }
            Arc::new(names)
        });
        let memory = InstanceMemory::new(cache.clone(), names.clone());
        if let Some(lease) = lease {
            follow_account_changes(database.account_change_log(), memory.clone(), lease);
        }
        let changes = Arc::new(match config.redis_url() {
            Some(url) => {
                let timeout = config.cache_timeout_ms.max(Duration::from_millis(1));
                let others = RedisAccountChanges::start(url, &config.redis_key_prefix, memory.clone(), timeout)
                    .map_err(|e| StartError::Cache(e.to_string()))?;
                tracing::info!("account cache on, kept in step with the other instances through Redis");
                AccountChanges::shared(memory, Arc::new(others))
            }
            None => {
                tracing::info!("account cache on (this instance alone)");
                memory.set_listening(true);
                AccountChanges::local(memory)
            }
        });
        let mut users = CachedUserRepository::new(direct.users, changes.clone());
        // A new account is in nobody's memory: only the names it takes are told.
        let (mut registrations, mut identities) = (direct.registrations, direct.identities);
        if let Some(names) = names {
            users = users.filtered_by(names);
            registrations = Arc::new(AnnouncingRegistrationStore::new(registrations, changes.clone()));
            identities = Arc::new(AnnouncingOAuthIdentities::new(identities, changes.clone()));
        }
        Ok(Self {
            users: Arc::new(users),
            registrations,
            identities,
            revocations: Arc::new(CachedTokenStandings::new(direct.revocations, cache, changes.clone())),
            logins: Arc::new(AnnouncingLoginStore::new(direct.logins, changes.clone())),
            password_changes: Arc::new(AnnouncingPasswordChangeStore::new(direct.password_changes, changes.clone())),
            email_changes: Arc::new(AnnouncingEmailChangeStore::new(direct.email_changes, changes.clone())),
            deletions: Arc::new(AnnouncingAccountDeletions::new(direct.deletions, changes)),
        })
    }
}
