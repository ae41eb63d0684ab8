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
use self::accounts::AccountUseCases;
pub use self::backends::{migrate, open_database};
use self::backends::{open_cache, open_password_hasher};
use self::email::EmailUseCases;
use self::messaging::Messaging;
use self::oauth::{OAuthPorts, OAuthUseCases};
use self::password_reset::PasswordResetUseCases;
use self::policies::Policies;
use self::sessions::{SessionIssuing, SessionUseCases};
use self::sign_up::SignUpUseCases;
use self::verification::{CodeUseCases, Verification};
use self::workers::Workers;
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
        let database = open_database(config).await?;
        if config.auto_migrate {
            database.migrate().await.map_err(|e| StartError::Migrate(e.to_string()))?;
        }
        let cache = open_cache(config, CodeDigester::new(&secret)).await?;
        let messaging = Messaging::wire(config, &database, cache.captchas)?;
        let metrics = Arc::new(ServiceMetrics::new());
        let hasher = open_password_hasher(config, &metrics)?;
        let policies = Policies::read(config)?;

        let records = AccountRecords::open(config, &secret, &database, &messaging.outbox_wakeup, &metrics)?;
        let users = records.users.clone();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let workers = Workers::wire(&database, &messaging, &clock, policies.delivery, policies.retention);
        let passwords = PasswordGuard { hasher, limiter: cache.limiter.clone(), policy: policies.login };
        let verification = Verification::wire(
            &secret,
            cache.codes,
            &cache.limiter,
            messaging.outbox.clone(),
            policies.verification.clone(),
        );
        let issuing = SessionIssuing::wire(config, &secret, &database, &records.logins, &clock, policies.session);
        let codes = CodeUseCases::wire(
            config,
            &verification,
            &messaging.captchas,
            &cache.limiter,
            &users,
            policies.verification.clone(),
        );
        let sessions = SessionUseCases::wire(&issuing, &database, &records, &clock);
        let sign_up = SignUpUseCases::wire(
            &records,
            &clock,
            &cache.limiter,
            &passwords.hasher,
            &verification,
            &issuing,
            policies.availability,
        );
        let accounts = AccountUseCases::wire(&database, &records, &clock, &issuing, &passwords);
        let email =
            EmailUseCases::wire(config, &database, &records, &clock, &verification, policies.verification.clone());
        let password_reset = PasswordResetUseCases::wire(
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
        let oauth = OAuthUseCases::wire(config, &oauth_ports, cache.session_keys)?;
        let probes: Vec<Arc<dyn ReadinessProbe>> = vec![Arc::new(database.clone()), cache.readiness];

        let state = ApiState {
            check_availability: sign_up.check_availability,
            issue_captcha: codes.issue_captcha,
            send_sms_code: codes.send_sms_code,
            send_email_code: codes.send_email_code,
            register_user: sign_up.register_user,
            log_in: accounts.log_in,
            authenticate: sessions.authenticate,
            log_out: sessions.log_out,
            refresh_session: sessions.refresh_session,
            revoke_all_sessions: sessions.revoke_all_sessions,
            update_profile: accounts.update_profile,
            start_password_reset: password_reset.start_password_reset,
            send_password_reset_sms: password_reset.send_password_reset_sms,
            confirm_password_reset_code: password_reset.confirm_password_reset_code,
            reset_password: password_reset.reset_password,
            set_email: email.set_email,
            qq_login: oauth.qq_login,
            wechat_web_login: oauth.wechat_web_login,
            manage_bindings: oauth.manage_bindings,
            mini_program_login: oauth.mini_program_login,
            mini_program_phone: oauth.mini_program_phone,
            verify_email: email.verify_email,
            change_password: accounts.change_password,
            check_readiness: CheckReadiness::new(probes),
            dev_outbox: messaging.dev_outbox.map(|outbox| outbox as Arc<dyn DevOutboxView>),
            client_ip: ClientIpResolver::new(config.trusted_proxies.nets().to_vec()),
            max_body_bytes: config.max_body_bytes,
            metrics: MetricsEndpoint {
                metrics,
                allow: config.metrics_allow.nets().to_vec(),
                outbox: Arc::new(database.outbox_feed()),
            },
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
