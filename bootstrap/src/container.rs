use std::sync::Arc;
use std::time::Duration;

use adapters::cache::{MemoryCache, RedisCache};
use adapters::captcha::PngCaptchaRenderer;
use adapters::http::{ApiState, ClientIpResolver, MetricsEndpoint, OAuthFlowCookie, OAuthLogin};
use adapters::messaging::{
    ChannelRouter, DevMessageSender, DevOutbox, RecordingCaptchaStore, RecordingMessageOutbox, SmtpMessageSender,
    TencentSmsSender,
};
use adapters::metrics::ServiceMetrics;
use adapters::oauth::{QqConnectClient, WeChatApiClient};
use adapters::persistence::{Database, OutboxFeed};
use adapters::security::{Argon2PasswordHasher, CodeDigester, JwtFlowTokenSigner, JwtTokenIssuer};
use adapters::system::{RandomCodeGenerator, SystemClock};
use application::ports::{
    CaptchaStore, Channel, Clock, CodeGenerator, MessageOutbox, MessageSender, OAuthIdentityRepository, PasswordHasher,
    QqClient, RateLimiter, ReadinessProbe, SessionKeyStore, TokenIssuer, UserRepository, VerificationCodeStore,
    WeChatClient,
};
use application::use_cases::{
    Authenticate, BindMiniProgramPhone, BindOAuthIdentity, ChangePassword, CheckAvailability, CheckReadiness,
    CompleteOAuthLogin, ConfirmPasswordResetCode, DeliverMessages, DepartOAuthLogin, IssueCaptcha, LogIn,
    LogInWithMiniProgram, LogOut, ManageBindings, PurgeExpiredData, RefreshSession, RegisterUser, ResetPassword,
    RevokeAllSessions, SendEmailCode, SendPasswordResetSms, SendSmsCode, SetEmail, StartOAuthLogin, StartPasswordReset,
    UpdateProfile, VerifyEmail,
};
use application::{
    AvailabilityPolicy, DeliveryPolicy, FlowTokens, LoginPolicy, LoginRecorder, OAuthPolicy, OneTimeCodes, QqWebLogin,
    RetentionPolicy, SessionIssuer, SessionPolicy, VerificationPolicy, WeChatWebLogin, WebLoginProvider,
};

use tokio::sync::Notify;

use crate::config::{Config, ConfigError, redact_url};
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
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let secret = jwt_secret(config)?;
        let database = open_database(config).await?;
        if config.auto_migrate {
            database.migrate().await.map_err(|e| StartError::Migrate(e.to_string()))?;
        }

        let users: Arc<dyn UserRepository> = database.users();
        let cache = open_cache(config, CodeDigester::new(&secret)).await?;
        let senders = open_senders(config, database.outbox_feed())?;
        let session_keys = cache.session_keys.clone();
        let captchas: Arc<dyn CaptchaStore> = match &senders.dev_outbox {
            Some(dev_outbox) => Arc::new(RecordingCaptchaStore::new(cache.captchas, dev_outbox.clone())),
            // With the outbox off no captcha answer may be readable anywhere.
            None => cache.captchas,
        };
        let limiter = cache.limiter;
        let outbox_wakeup = Arc::new(Notify::new());
        let outbox: Arc<dyn MessageOutbox> = database.outbox(outbox_wakeup.clone());
        let concurrency = or_cpu_count(config.password_hash_concurrency);
        let metrics = Arc::new(ServiceMetrics::new());
        let hasher: Arc<dyn PasswordHasher> = Arc::new(
            Argon2PasswordHasher::new(concurrency)
                .map_err(|e| StartError::Hashing(e.to_string()))?
                .covering_django_iterations(config.django_hash_iterations)
                .reporting_to(metrics.hashing.clone()),
        );
        let tokens: Arc<dyn TokenIssuer> = Arc::new(JwtTokenIssuer::new(
            &secret,
            Duration::from_secs(config.jwt_lifetime_secs),
            &config.jwt_issuer,
            &config.jwt_audience,
        ));
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let generator: Arc<dyn CodeGenerator> = Arc::new(RandomCodeGenerator);
        let probes: Vec<Arc<dyn ReadinessProbe>> = vec![Arc::new(database.clone()), cache.readiness];

        // While the development outbox is on it keeps what the worker claims, as settling wipes it from the row.
        let delivered_outbox: Arc<dyn MessageOutbox> = match &senders.dev_outbox {
            Some(dev_outbox) => Arc::new(RecordingMessageOutbox::new(outbox.clone(), dev_outbox.clone())),
            None => outbox.clone(),
        };
        let delivery = Arc::new(DeliverMessages::new(
            delivered_outbox,
            senders.router,
            clock.clone(),
            DeliveryPolicy {
                max_attempts: config.outbox_max_attempts,
                first_backoff: Duration::from_millis(config.outbox_first_backoff_ms),
                ..DeliveryPolicy::default()
            },
        ));
        let retention = Arc::new(PurgeExpiredData::new(
            database.data_retention(),
            clock.clone(),
            RetentionPolicy {
                outbox_age: retention_age(config.outbox_retention_days),
                audit_age: retention_age(config.audit_retention_days),
                ..RetentionPolicy::default()
            },
        ));
        let verification = verification_policy(config)?;
        let one_time_codes =
            Arc::new(OneTimeCodes::new(limiter.clone(), cache.codes, generator, outbox.clone(), verification.clone()));
        let flow_tokens = Arc::new(FlowTokens::new(Arc::new(JwtFlowTokenSigner::new(&secret)), limiter.clone()));
        let login_limiter = limiter.clone();
        let login_clock = clock.clone();
        let session_clock = clock.clone();
        let profile_clock = clock.clone();
        let password_clock = clock.clone();
        let password_limiter = limiter.clone();
        let audit = database.audit_log();
        let revocations = database.access_token_revocations();
        let refresh_tokens = database.refresh_tokens();
        let password_hasher = hasher.clone();
        let login_policy = LoginPolicy {
            account_failures: config.login_account_failures,
            account_window: Duration::from_secs(config.login_account_window_secs),
            ip_failures: config.login_ip_failures,
            ip_window: Duration::from_secs(config.login_ip_window_secs),
        };
        let sessions = Arc::new(SessionIssuer::new(
            tokens.clone(),
            refresh_tokens.clone(),
            SessionPolicy {
                refresh_lifetime: Duration::from_secs(config.refresh_token_lifetime_secs),
                reuse_grace: Duration::from_secs(config.refresh_reuse_grace_secs),
            },
        ));
        let logins = Arc::new(LoginRecorder::new(users.clone(), audit.clone(), clock.clone(), sessions.clone()));
        let web_login_ports = WebLoginPorts {
            identities: database.oauth_identities(),
            users: users.clone(),
            codes: one_time_codes.clone(),
            hasher: hasher.clone(),
            tokens: flow_tokens.clone(),
            logins: logins.clone(),
            limiter: limiter.clone(),
            clock: clock.clone(),
            login_policy: login_policy.clone(),
        };
        let oauth_policy = OAuthPolicy::default();
        let qq_login = match config.qq_settings()? {
            Some(settings) => {
                tracing::info!(api_base = %settings.api_base, "QQ login enabled");
                let qq: Arc<dyn QqClient> = Arc::new(
                    QqConnectClient::new(settings).map_err(|e| ConfigError::Invalid(format!("QQ Connect: {e}")))?,
                );
                let cookie = OAuthFlowCookie::new("qq", is_https(config.qq_redirect_uri.as_deref()));
                Some(web_login(Arc::new(QqWebLogin::new(qq)), cookie, oauth_policy.clone(), &web_login_ports))
            }
            None => None,
        };
        let wechat_settings = config.wechat_settings()?;
        let (has_mini_program, has_website) = wechat_settings
            .as_ref()
            .map_or((false, false), |settings| (settings.has_mini_program(), settings.has_website()));
        let wechat: Option<Arc<dyn WeChatClient>> = match wechat_settings {
            Some(settings) => Some(Arc::new(
                WeChatApiClient::new(settings).map_err(|e| ConfigError::Invalid(format!("WeChat: {e}")))?,
            )),
            None => None,
        };
        let wechat_web_login = match &wechat {
            Some(wechat) if has_website => {
                tracing::info!("WeChat website (QR) login enabled");
                let provider = Arc::new(WeChatWebLogin::new(wechat.clone()));
                let cookie = OAuthFlowCookie::new("wechat", is_https(config.wechat_web_redirect_uri.as_deref()));
                Some(web_login(provider, cookie, oauth_policy, &web_login_ports))
            }
            _ => None,
        };
        let (mini_program_login, mini_program_phone) = match wechat {
            Some(wechat) if has_mini_program => {
                tracing::info!("WeChat mini-program login enabled");
                let login = LogInWithMiniProgram::new(
                    wechat.clone(),
                    database.oauth_identities(),
                    users.clone(),
                    Arc::new(RandomCodeGenerator),
                    session_keys.clone(),
                    logins.clone(),
                    clock.clone(),
                    OAuthPolicy::default(),
                );
                (Some(login), Some(BindMiniProgramPhone::new(wechat, users.clone())))
            }
            _ => (None, None),
        };
        let state = ApiState {
            check_availability: CheckAvailability::new(
                users.clone(),
                limiter.clone(),
                AvailabilityPolicy { per_ip_per_minute: config.availability_ip_per_minute },
            ),
            issue_captcha: IssueCaptcha::new(
                Arc::new(PngCaptchaRenderer::new(or_cpu_count(config.captcha_render_concurrency))),
                captchas.clone(),
                limiter.clone(),
                verification.clone(),
            ),
            send_sms_code: SendSmsCode::new(captchas.clone(), one_time_codes.clone()),
            send_email_code: SendEmailCode::new(users.clone(), one_time_codes.clone()),
            register_user: RegisterUser::new(
                users.clone(),
                one_time_codes.clone(),
                hasher.clone(),
                sessions.clone(),
                clock.clone(),
            ),
            log_in: LogIn::new(
                users.clone(),
                hasher.clone(),
                logins,
                login_limiter,
                audit.clone(),
                login_clock,
                login_policy.clone(),
            ),
            authenticate: Authenticate::new(tokens, revocations.clone()),
            log_out: LogOut::new(revocations.clone(), refresh_tokens.clone(), audit.clone(), session_clock.clone()),
            refresh_session: RefreshSession::new(sessions, users.clone()),
            revoke_all_sessions: RevokeAllSessions::new(
                revocations.clone(),
                refresh_tokens.clone(),
                audit.clone(),
                session_clock,
            ),
            update_profile: UpdateProfile::new(users.clone(), profile_clock),
            start_password_reset: StartPasswordReset::new(
                users.clone(),
                captchas,
                flow_tokens.clone(),
                verification.clone(),
            ),
            send_password_reset_sms: SendPasswordResetSms::new(
                users.clone(),
                flow_tokens.clone(),
                one_time_codes.clone(),
                clock.clone(),
            ),
            confirm_password_reset_code: ConfirmPasswordResetCode::new(
                users.clone(),
                one_time_codes.clone(),
                flow_tokens.clone(),
                verification.clone(),
            ),
            reset_password: ResetPassword::new(
                users.clone(),
                hasher.clone(),
                flow_tokens.clone(),
                database.password_changes(),
                limiter.clone(),
                clock.clone(),
                login_policy.clone(),
            ),
            set_email: SetEmail::new(
                users.clone(),
                database.email_changes(outbox_wakeup.clone()),
                one_time_codes,
                flow_tokens.clone(),
                clock.clone(),
                verification,
                config.email_verification_url.clone(),
            ),
            qq_login,
            wechat_web_login,
            manage_bindings: ManageBindings::new(database.oauth_identities()),
            mini_program_login,
            mini_program_phone,
            verify_email: VerifyEmail::new(users.clone(), flow_tokens, audit.clone(), clock.clone()),
            change_password: ChangePassword::new(
                users,
                password_hasher,
                database.password_changes(),
                password_limiter,
                password_clock,
                login_policy.clone(),
            ),
            check_readiness: CheckReadiness::new(probes),
            dev_outbox: senders.dev_outbox,
            client_ip: ClientIpResolver::new(config.trusted_proxy_nets()?),
            max_body_bytes: config.max_body_bytes,
            metrics: MetricsEndpoint {
                metrics: metrics.clone(),
                allow: config.metrics_allow_nets()?,
                outbox: database.outbox_feed(),
            },
        };
        Ok(Self { state: Arc::new(state), database, delivery, outbox_wakeup, retention })
    }
}

/// A retention in days as an age; 0 days keeps the rows.
fn retention_age(days: u32) -> Option<Duration> {
    (days > 0).then(|| Duration::from_secs(u64::from(days) * 24 * 60 * 60))
}

/// What the website logins share with the rest of the service.
struct WebLoginPorts {
    identities: Arc<dyn OAuthIdentityRepository>,
    users: Arc<dyn UserRepository>,
    codes: Arc<OneTimeCodes>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<FlowTokens>,
    logins: Arc<LoginRecorder>,
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    login_policy: LoginPolicy,
}

/// A callback page served over https means the service is reached over https too (browsers
/// block an https page's requests to plain http), so the flow cookie is always `Secure`.
fn is_https(redirect_uri: Option<&str>) -> bool {
    redirect_uri.is_some_and(|uri| uri.trim().to_ascii_lowercase().starts_with("https://"))
}

/// One provider's website login: the start, the hop, the callback and the bind form.
fn web_login(
    provider: Arc<dyn WebLoginProvider>,
    cookie: OAuthFlowCookie,
    policy: OAuthPolicy,
    ports: &WebLoginPorts,
) -> OAuthLogin {
    OAuthLogin {
        start: StartOAuthLogin::new(provider.clone(), ports.tokens.clone(), policy.clone()),
        depart: DepartOAuthLogin::new(provider.clone(), ports.tokens.clone(), ports.clock.clone(), policy.clone()),
        complete: CompleteOAuthLogin::new(
            provider.clone(),
            ports.identities.clone(),
            ports.users.clone(),
            ports.tokens.clone(),
            ports.logins.clone(),
            ports.clock.clone(),
            policy,
        ),
        bind: BindOAuthIdentity::new(
            provider,
            ports.identities.clone(),
            ports.users.clone(),
            ports.codes.clone(),
            ports.hasher.clone(),
            ports.tokens.clone(),
            ports.logins.clone(),
            ports.limiter.clone(),
            ports.clock.clone(),
            ports.login_policy.clone(),
        ),
        cookie,
    }
}

/// Where outgoing messages go, and the development outbox when it is on.
struct Senders {
    router: Arc<dyn MessageSender>,
    dev_outbox: Option<Arc<DevOutbox>>,
}

/// SMTP when `SMTP_HOST` is set and Tencent Cloud SMS when `SMS_PROVIDER=tencent`;
/// otherwise that channel goes to the development adapter, which shows codes
/// only while the development outbox is on (see [`Config::dev_outbox_decision`]).
fn open_senders(config: &Config, outbox_feed: OutboxFeed) -> Result<Senders, StartError> {
    let smtp = config.smtp_settings()?;
    let tencent = config.tencent_sms_settings()?;
    let (outbox_on, reason) = config.dev_outbox_decision(tencent.is_none(), smtp.is_none());
    let dev_channels = [(Channel::Sms, tencent.is_none()), (Channel::Email, smtp.is_none())]
        .into_iter()
        .filter_map(|(channel, dev)| dev.then_some(channel))
        .collect();
    let dev_outbox = outbox_on.then(|| Arc::new(DevOutbox::new(DevOutbox::DEFAULT_KEEP, outbox_feed, dev_channels)));
    if outbox_on {
        tracing::warn!(
            reason,
            "development outbox ON: captcha answers and codes of the development adapter are shown at /dev/outbox/ \
             (direct loopback requests only) and logged"
        );
    } else {
        tracing::info!(reason, "development outbox off: /dev/outbox/ answers 404 and no code is logged");
    }
    let dev: Arc<dyn MessageSender> = Arc::new(DevMessageSender::new(dev_outbox.clone()));
    let email: Arc<dyn MessageSender> = match smtp {
        Some(settings) => {
            tracing::info!(host = %settings.host, port = settings.port, tls = settings.tls.as_str(), "sending mail through SMTP");
            Arc::new(SmtpMessageSender::new(settings).map_err(|e| ConfigError::Invalid(format!("SMTP: {e}")))?)
        }
        None => {
            tracing::warn!("development mail adapter in use: mail is not sent");
            dev.clone()
        }
    };
    let sms: Arc<dyn MessageSender> = match tencent {
        Some(settings) => {
            tracing::info!(endpoint = %settings.endpoint, region = %settings.region, "sending SMS through Tencent Cloud");
            Arc::new(
                TencentSmsSender::new(settings).map_err(|e| ConfigError::Invalid(format!("Tencent Cloud SMS: {e}")))?,
            )
        }
        None => {
            tracing::warn!("development SMS adapter in use: SMS is not sent");
            dev
        }
    };
    Ok(Senders { router: Arc::new(ChannelRouter::new(sms, email)), dev_outbox })
}

/// The cache behind captchas, codes and limits, seen through each port.
struct CachePorts {
    captchas: Arc<dyn CaptchaStore>,
    codes: Arc<dyn VerificationCodeStore>,
    limiter: Arc<dyn RateLimiter>,
    session_keys: Arc<dyn SessionKeyStore>,
    readiness: Arc<dyn ReadinessProbe>,
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
async fn open_cache(config: &Config, digester: CodeDigester) -> Result<CachePorts, StartError> {
    match config.redis_url() {
        Some(url) => {
            tracing::info!(url = %redact_url(url), "using Redis for captchas, codes and limits");
            let timeout = Duration::from_millis(config.cache_timeout_ms.max(1));
            let cache = RedisCache::connect(url, &config.redis_key_prefix, digester, timeout)
                .await
                .map_err(|e| StartError::Cache(e.to_string()))?;
            Ok(CachePorts::of(Arc::new(cache)))
        }
        None => Ok(CachePorts::of(Arc::new(MemoryCache::new(digester, config.memory_cache_capacity.max(1))))),
    }
}

/// A configured degree of parallelism, 0 meaning one per CPU.
fn or_cpu_count(configured: usize) -> usize {
    match configured {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    }
}

fn verification_policy(config: &Config) -> Result<VerificationPolicy, StartError> {
    Ok(VerificationPolicy {
        captcha_ttl: Duration::from_secs(config.captcha_ttl_secs),
        captcha_per_ip_per_minute: config.captcha_ip_per_minute,
        code_ttl: Duration::from_secs(config.code_ttl_secs),
        resend_interval: Duration::from_secs(config.code_resend_interval_secs),
        per_target_daily: config.code_daily_limit,
        per_ip_hourly: config.code_ip_hourly_limit,
        max_attempts: config.code_max_attempts,
        step_token_ttl: Duration::from_secs(config.password_reset_token_ttl_secs),
        email_link_ttl: Duration::from_secs(config.email_verification_ttl_secs),
        sms_fixed_codes: config.sms_fixed_code_targets()?,
        email_fixed_codes: config.email_fixed_code_targets()?,
    })
}

/// Opens the database named by the configuration, creating the data folder
/// of the embedded mode.
pub async fn open_database(config: &Config) -> Result<Database, StartError> {
    let url = config.database_url();
    if config.is_embedded() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StartError::Database(format!("cannot create {}: {e}", config.data_dir.display())))?;
    }
    tracing::info!(url = %redact_url(&url), "opening the database");
    Database::connect(&url, Duration::from_secs(config.database_timeout_secs))
        .await
        .map_err(|e| StartError::Database(format!("{}: {e}", redact_url(&url))))
}

/// Applies pending migrations and returns.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    let database = open_database(config).await?;
    database.migrate().await.map_err(|e| StartError::Migrate(e.to_string()))
}
