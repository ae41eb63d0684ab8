//! The service wired from its configuration, one area per module: each
//! area takes what it needs and returns what it built.

mod account_records;
mod accounts;
mod backends;
mod email;
mod messaging;
mod oauth;
mod password_reset;
mod policies;
mod sessions;
mod sign_up;
mod verification;
mod workers;

use std::sync::Arc;

use application::ports::{Clock, DevOutboxView, ReadinessProbe};
use application::use_cases::{CheckReadiness, DeliverMessages, PurgeExpiredData};
use application::{AccountStores, PasswordGuard};
use http_api::{ApiState, ClientIpResolver, MetricsEndpoint};
use security::CodeDigester;
use security::system::SystemClock;
use service_metrics::ServiceMetrics;
use storage::Database;
use tokio::sync::Notify;

use self::account_records::AccountRecords;
use self::accounts::account_use_cases;
pub use self::backends::{migrate, open_database};
use self::backends::{migrate_at_start, open_cache, open_password_hasher};
use self::email::email_use_cases;
use self::messaging::Messaging;
use self::oauth::{OAuthPorts, oauth_use_cases};
use self::password_reset::password_reset_use_cases;
use self::policies::Policies;
use self::sessions::{SessionIssuing, published_keys, session_use_cases};
use self::sign_up::sign_up_use_cases;
use self::verification::{Verification, code_use_cases};
use self::workers::Workers;
use crate::access_token_keys::access_token_keys;
use crate::config::Config;
use crate::secret::jwt_secret;
use crate::server::StartError;

/// Everything the server needs, wired from the configuration.
pub struct Container {
    pub state: Arc<ApiState>,
    pub database: Database,
    /// One round of outbox delivery, run by the worker.
    pub delivery: Arc<DeliverMessages>,
    /// Notified on every enqueue, so the worker of this instance sends at once.
    pub outbox_wakeup: Arc<Notify>,
    /// One round of the retention job, run by its worker.
    pub retention: Arc<PurgeExpiredData>,
}

impl Container {
    #[allow(
        clippy::too_many_lines,
        reason = "the composition root reads top to bottom in wiring order; each area is already its own function"
    )]
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let secret = jwt_secret(config)?;
        let access_keys = access_token_keys(config, &secret)?;
        let database = open_database(config).await?;
        migrate_at_start(config, &database).await?;
        let cache = open_cache(config, CodeDigester::new(&secret)).await?;
        let metrics = Arc::new(ServiceMetrics::new());
        let messaging = Messaging::wire(config, &database, cache.captchas, metrics.clone())?;
        let hasher = open_password_hasher(config, &metrics)?;
        let policies = Policies::read(config)?;

        let records = AccountRecords::open(config, &secret, &database, &messaging.outbox_wakeup, &metrics)?;
        let users = records.users.clone();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let workers = Workers::wire(
            &database,
            &records.deletions,
            &cache.codes,
            &messaging,
            &clock,
            policies.delivery,
            policies.retention,
        );
        let passwords = PasswordGuard { hasher, limiter: cache.limiter.clone(), policy: policies.login };
        let verification = Verification::wire(
            &secret,
            cache.codes,
            &cache.limiter,
            messaging.outbox.clone(),
            policies.verification.clone(),
        );
        let issuing =
            SessionIssuing::wire(config, &secret, &access_keys, &database, &records.logins, &clock, policies.session);
        let codes = code_use_cases(
            config,
            &verification,
            &messaging.captchas,
            &cache.limiter,
            &users,
            policies.verification.clone(),
        );
        let sessions = session_use_cases(&issuing, &database, &records, &clock);
        let sign_up = sign_up_use_cases(
            &records,
            &clock,
            &cache.limiter,
            &passwords.hasher,
            &verification,
            &issuing,
            policies.availability,
        );
        let accounts = account_use_cases(config, &database, &records, &clock, &issuing, &passwords, &verification);
        let email = email_use_cases(config, &database, &records, &clock, &verification, policies.verification.clone());
        let password_reset = password_reset_use_cases(
            &records,
            &clock,
            &messaging.captchas,
            &verification,
            &passwords,
            policies.verification,
        );
        let oauth_ports = OAuthPorts {
            accounts: AccountStores { users, identities: records.identities.clone() },
            codes: verification.codes,
            flow_tokens: verification.flow_tokens,
            passwords,
            logins: issuing.logins,
            clock,
        };
        let oauth = oauth_use_cases(config, &oauth_ports, cache.session_keys)?;
        let probes: Vec<Arc<dyn ReadinessProbe>> = vec![Arc::new(database.clone()), cache.readiness];

        let state = ApiState {
            sign_up,
            codes,
            sessions,
            accounts,
            email,
            password_reset,
            oauth,
            check_readiness: CheckReadiness::new(probes),
            dev_outbox: messaging.dev_outbox.map(|outbox| outbox as Arc<dyn DevOutboxView>),
            client_ip: ClientIpResolver::new(config.trusted_proxies.nets().to_vec()),
            max_body_bytes: config.max_body_bytes,
            metrics: MetricsEndpoint {
                metrics,
                allow: config.metrics_allow.nets().to_vec(),
                outbox: Arc::new(database.outbox_feed()),
            },
            jwks: published_keys(&access_keys)?,
        };
        Ok(Self {
            state: Arc::new(state),
            database,
            delivery: workers.delivery,
            outbox_wakeup: messaging.outbox_wakeup,
            retention: workers.retention,
        })
    }
}

/// A configured degree of parallelism, 0 meaning one per CPU.
fn or_cpu_count(configured: usize) -> usize {
    match configured {
        0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        n => n,
    }
}
