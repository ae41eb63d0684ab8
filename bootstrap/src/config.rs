mod configuration_table;
mod connection_url;
mod cors_origins;
mod database_pooler;
mod durations;
mod ip_nets;
mod key_files;
mod log_format;
mod masked_secret;
mod setting;
mod sms_provider;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use application::{
    AvailabilityPolicy, DeliveryPolicy, FixedCodeTargets, LoginPolicy, RetentionPolicy, SessionPolicy,
    VerificationPolicy,
};
use domain::Mobile;
use figment::Figment;
use figment::error::Kind;
use figment::providers::{Env, Format, Serialized, Toml};
use providers::messaging::{AliyunSmsSettings, SmtpSettings, SmtpTls, TencentSmsSettings};
use providers::oauth::{QqSettings, WeChatSettings};
use secrecy::{ExposeSecret, SecretString};
use security::AccessTokenAlgorithm;
use serde::{Deserialize, Serialize};
use storage::DatabaseKind;

pub use configuration_table::{CONFIGURATION_TABLE_HEADER, configuration_table};
pub use connection_url::ConnectionUrl;
pub use cors_origins::CorsOrigins;
pub use database_pooler::DatabasePooler;
pub use ip_nets::IpNets;
pub use key_files::KeyFiles;
pub use log_format::LogFormat;
pub use masked_secret::MASK as SECRET_MASK;
pub use setting::Setting;
use setting::{EnvValue, settings};
pub use sms_provider::{RealSmsProvider, SmsProvider};

// Each setting once: its doc comment is the configuration table's meaning, its name in upper
// case the environment variable, its name the TOML key, and its type decides whether the
// variable is taken as text, parsed from text, or parsed by figment (see `EnvValue`). Every
// value is parsed into its type here, as the configuration is read: a bad one stops the start.
// Defaults that are a policy's come from that policy's `Default`, so the two cannot drift.
settings! {
    /// listen address
    bind_addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8000));
    /// where the embedded mode keeps its SQLite file and generated JWT secret and key
    data_dir: PathBuf = PathBuf::from("./data");
    /// `sqlite://…` (embedded) or `postgres://…`
    database_url: Option<ConnectionUrl> = None, shown "`sqlite://$DATA_DIR/accounts.db`";
    /// `redis://…`, `rediss://…`, `redis-cluster://host:port?node=host:port&…` or
    /// `redis-sentinel://host:port/db?sentinelServiceName=NAME&node=host:port`; required for several
    /// instances; Redis must run with `maxmemory-policy noeviction` (`/health/ready/` answers 503 otherwise)
    redis_url: Option<ConnectionUrl> = None, shown "unset: in-process cache";
    /// prefix of every Redis key, so services can share one Redis
    redis_key_prefix: String = "meiduo:accounts:".into();
    /// milliseconds a Redis command may take before the request answers 503
    #[serde(with = "durations::milliseconds")]
    cache_timeout_ms: Duration = Duration::from_secs(2);
    /// replicas that must confirm (`WAIT`) each write guarding a secret's single use or counting a wrong
    /// guess before it counts, so that a master failover loses none; 1 with a Redis Cluster or Sentinel
    /// whose masters have replicas, 0 (off) for a Redis without replicas
    redis_wait_replicas: u32 = 0;
    /// milliseconds to wait for those replicas; a write they do not confirm in time answers 503
    #[serde(with = "durations::milliseconds")]
    redis_wait_timeout_ms: Duration = Duration::from_millis(100);
    /// HS256 key, at least 32 bytes; also keys the digests of one-time codes
    #[serde(serialize_with = "masked_secret::serialize")]
    jwt_secret: Option<SecretString> = None, shown "unset: generated into `DATA_DIR/jwt_secret` in embedded mode";
    /// what access tokens are signed with: `HS256` (`JWT_SECRET`, which every verifying service must
    /// then hold), or `ES256` or `EdDSA` (a key pair whose public keys `GET /.well-known/jwks.json`
    /// publishes); flow tokens and code digests stay on `JWT_SECRET` either way
    jwt_algorithm: AccessTokenAlgorithm = AccessTokenAlgorithm::Hs256;
    /// PKCS#8 PEM private key of `JWT_ALGORITHM` `ES256` or `EdDSA` (`meiduo-accounts keys generate`
    /// writes one)
    jwt_private_key_file: Option<PathBuf> = None, shown "unset: generated into `DATA_DIR/jwt_<algorithm>_key.pem` in embedded mode";
    /// comma-separated public-key PEM files of earlier keys of `JWT_ALGORITHM`: their tokens still
    /// verify and they stay published until those expire (see [Security notes](security.md))
    jwt_verify_key_files: KeyFiles = KeyFiles::default(), shown "none";
    /// access-token lifetime in seconds (must be positive)
    #[serde(with = "durations::seconds")]
    jwt_lifetime_secs: Duration = Duration::from_secs(24 * 60 * 60);
    /// the `iss` of access tokens, written and required
    jwt_issuer: String = "meiduo-accounts".into();
    /// the `aud` of access tokens, written and required (the services that accept them)
    jwt_audience: String = "meiduo-mall".into();
    /// refresh-token lifetime (14 days); each rotation issues a successor with a full lifetime
    #[serde(with = "durations::seconds")]
    refresh_token_lifetime_secs: Duration = SessionPolicy::default().refresh_lifetime;
    /// how long a rotated refresh token may still be exchanged (two tabs refreshing together)
    #[serde(with = "durations::seconds")]
    refresh_reuse_grace_secs: Duration = SessionPolicy::default().reuse_grace;
    /// comma-separated `http(s)://` origins allowed with credentials; `*` is refused
    cors_allowed_origins: CorsOrigins = CorsOrigins::development();
    /// comma-separated addresses or CIDRs whose `X-Forwarded-For`, `X-Forwarded-Host` and
    /// `X-Forwarded-Proto` are believed; setting it also turns the development outbox off
    trusted_proxies: IpNets = IpNets::default();
    /// comma-separated addresses or CIDRs that may read `GET /metrics`; others get 404
    /// (see [Security notes](security.md))
    metrics_allow: IpNets = IpNets::loopback();
    /// log filter (tracing `EnvFilter` syntax)
    rust_log: String = "info".into();
    /// `text` or `json` log lines, on stderr
    log_format: LogFormat = LogFormat::Text;
    /// largest accepted request body; larger is 413
    max_body_bytes: usize = 64 * 1024;
    /// seconds to wait for a database connection before answering 503
    #[serde(with = "durations::seconds")]
    database_timeout_secs: Duration = Duration::from_secs(5);
    /// database connections open at once per instance
    database_max_connections: u32 = 0, shown "0: 16 on PostgreSQL, 8 on SQLite";
    /// `none`, or `transaction` when `DATABASE_URL` reaches PostgreSQL through PgBouncer in
    /// `pool_mode = transaction`: every statement is then unnamed and in a transaction (see
    /// [Decisions](decisions.md)); `serve` needs `AUTO_MIGRATE=false` and the migrations are run
    /// by `meiduo-accounts migrate` with a `DATABASE_URL` that reaches PostgreSQL directly
    database_pooler: DatabasePooler = DatabasePooler::None;
    /// password hashes computed at once, each on a thread of its own that keeps its 19 MiB from
    /// one hash to the next (so hashing holds this × 19 MiB, however many logins); `0` = number of CPUs
    password_hash_concurrency: usize = 0;
    /// niceness (`0` to `19`) of the hashing threads: above `0` they give way to the threads that
    /// answer requests, so reads stay fast during a login flood; hashing still gets every idle cycle
    password_hash_niceness: u32 = 10;
    /// the highest PBKDF2 iteration count among imported Django hashes (e.g. `260000`); every
    /// password verification is padded to what one such hash costs, measured at start; `0` =
    /// learned from the first imported hash verified (see [Security notes](security.md))
    django_hash_iterations: u32 = 0;
    /// seconds a captcha answer is kept
    #[serde(with = "durations::seconds")]
    captcha_ttl_secs: Duration = VerificationPolicy::default().captcha_ttl;
    /// captchas drawn per client IP (IPv6: per /64) per minute; over it, 429 with `Retry-After`; `0` = off
    captcha_ip_per_minute: u32 = VerificationPolicy::default().captcha_per_ip_per_minute;
    /// captchas drawn at once on the blocking pool; `0` = number of CPUs. A request that finds no
    /// free slot within 1 s answers 429 `rate_limited` with `Retry-After: 1`
    captcha_render_concurrency: usize = 0;
    /// entries the in-process cache (no `REDIS_URL`) holds; when full it drops expired entries,
    /// then the oldest captchas, then the oldest pending codes, and never rate-limit counters
    memory_cache_capacity: usize = cache::MemoryCache::DEFAULT_CAPACITY;
    /// accounts whose token checks are answered from memory; every write through the service (and,
    /// with `REDIS_URL`, through any instance) drops its account at once; `0` turns the cache off
    account_cache_capacity: u64 = 10_000;
    /// seconds an account stays in memory at most: a bound only for rows changed outside the service
    #[serde(with = "durations::seconds")]
    account_cache_ttl_secs: Duration = Duration::from_secs(60);
    /// taken usernames, mobiles and emails the availability filter is sized for at least (it is sized
    /// for twice the accounts' names when larger, and rebuilt larger when full); it answers checks of
    /// free names without a query, kept current like the account cache; `0` turns it off, as does
    /// `ACCOUNT_CACHE_CAPACITY=0`
    taken_names_filter_entries: usize = 100_000;
    /// `true`: the development outbox stays on with one real channel; `false`: off. Never on with
    /// `TRUSTED_PROXIES` set
    dev_outbox: Option<bool> = None, shown "unset: on while both channels use the development adapter";
    /// seconds a one-time code stays valid
    #[serde(with = "durations::seconds")]
    code_ttl_secs: Duration = VerificationPolicy::default().code_ttl;
    /// seconds between two messages to the same mobile or address, whatever their purpose; `0` = off
    #[serde(with = "durations::seconds")]
    code_resend_interval_secs: Duration = VerificationPolicy::default().resend_interval;
    /// messages per mobile or address per day; `0` = off
    code_daily_limit: u32 = VerificationPolicy::default().per_target_daily;
    /// codes and verification mails requested per client IP per hour, SMS and email together; `0` = off
    code_ip_hourly_limit: u32 = VerificationPolicy::default().per_ip_hourly;
    /// wrong tries before a code is burned (at least 1)
    code_max_attempts: u32 = VerificationPolicy::default().max_attempts;
    /// comma-separated `PATTERN=CODE` test mobiles (`1990000*=246810,13800138000=123456`; a pattern
    /// is an exact number or a prefix ending in `*`): they get that fixed code, no SMS, and no send limits
    sms_test_numbers: String = String::new();
    /// the same for email addresses (`qa@example.com=135790`)
    email_test_addresses: String = String::new();
    /// lifetime of each find-password step token
    #[serde(with = "durations::seconds")]
    password_reset_token_ttl_secs: Duration = VerificationPolicy::default().step_token_ttl;
    /// lifetime of an email verification link
    #[serde(with = "durations::seconds")]
    email_verification_ttl_secs: Duration = VerificationPolicy::default().email_link_ttl;
    /// the page the verification link opens (the classic page); `?token=…` is appended, and the
    /// page calls `GET /emails/verification/?token=`
    email_verification_url: String = "http://127.0.0.1:8080/success_verify_email.html".into();
    /// SMTP server for outgoing mail
    smtp_host: Option<String> = None, shown "unset: development mail adapter";
    /// its port
    smtp_port: u16 = 587;
    /// `none` (a relay on the same host only), `starttls` (required upgrade, port 587) or `tls`
    /// (implicit TLS, port 465); certificates are checked against the Mozilla roots
    smtp_tls: SmtpTls = SmtpTls::StartTls;
    /// the user to sign in as (AUTH PLAIN/LOGIN), with `SMTP_PASSWORD`; one without the other
    /// stops the start
    smtp_username: Option<String> = None;
    /// the password of `SMTP_USERNAME`; one without the other stops the start
    #[serde(serialize_with = "masked_secret::serialize")]
    smtp_password: Option<SecretString> = None;
    /// the `From` of every mail, a bare or named address
    mail_from: String = "美多商城 <no-reply@localhost>".into();
    /// seconds one mail may take, connecting included, before it counts as a temporary failure
    #[serde(with = "durations::seconds")]
    smtp_timeout_secs: Duration = Duration::from_secs(10);
    /// `dev` (log and `/dev/outbox/`), or the real providers in order of preference: `aliyun`
    /// (Alibaba Cloud SMS), `tencent` (Tencent Cloud SMS) or both (`aliyun,tencent`): a message the
    /// first cannot carry (out of balance or service, throttled account-wide, failing) goes to the next
    sms_provider: SmsProvider = SmsProvider::DEV;
    /// the AccessKey ID (RAM); required when `SMS_PROVIDER` names `aliyun`
    aliyun_access_key_id: Option<String> = None;
    /// the AccessKey secret; required when `SMS_PROVIDER` names `aliyun`
    #[serde(serialize_with = "masked_secret::serialize")]
    aliyun_access_key_secret: Option<SecretString> = None;
    /// the approved signature (签名); required with `aliyun`
    aliyun_sms_sign_name: Option<String> = None;
    /// approved template (`SMS_…`) for registration codes, whose one variable is `${code}`; required
    /// with `aliyun`
    aliyun_sms_register_template_code: Option<String> = None;
    /// the same for find-password codes; required with `aliyun`
    aliyun_sms_reset_template_code: Option<String> = None;
    /// dysmsapi base URL
    aliyun_sms_endpoint: String = AliyunSmsSettings::DEFAULT_ENDPOINT.into();
    /// the API key pair's SecretId (CAM); required when `SMS_PROVIDER` names `tencent`
    tencent_sms_secret_id: Option<String> = None;
    /// the API key pair's SecretKey (CAM); required when `SMS_PROVIDER` names `tencent`
    #[serde(serialize_with = "masked_secret::serialize")]
    tencent_sms_secret_key: Option<SecretString> = None;
    /// the SMS application's `SmsSdkAppId`; required
    tencent_sms_sdk_app_id: Option<String> = None;
    /// the approved signature (签名); required
    tencent_sms_sign_name: Option<String> = None;
    /// approved template for registration codes, with two parameters: `{1}` the code, `{2}` its
    /// validity in minutes; required
    tencent_sms_register_template_id: Option<String> = None;
    /// the same for find-password codes; required
    tencent_sms_reset_template_id: Option<String> = None;
    /// API region
    tencent_sms_region: String = TencentSmsSettings::DEFAULT_REGION.into();
    /// API base URL
    tencent_sms_endpoint: String = TencentSmsSettings::DEFAULT_ENDPOINT.into();
    /// seconds one SMS request may take before it counts as a failure of the provider
    #[serde(with = "durations::seconds")]
    sms_timeout_secs: Duration = TencentSmsSettings::DEFAULT_TIMEOUT;
    /// QQ Connect app id (APP ID)
    qq_client_id: Option<String> = None, shown "unset: QQ login answers 404";
    /// QQ Connect app key (APP Key); required with `QQ_CLIENT_ID`
    #[serde(serialize_with = "masked_secret::serialize")]
    qq_client_secret: Option<SecretString> = None;
    /// the callback page registered with QQ Connect, e.g.
    /// `http://www.meiduo.site:8080/oauth_callback.html`; required with `QQ_CLIENT_ID`
    qq_redirect_uri: Option<String> = None;
    /// QQ's API base (a test server may stand in)
    qq_api_base: String = QqSettings::DEFAULT_API_BASE.into();
    /// ask QQ for its mobile authorize page (`display=mobile`)
    qq_mobile_display: bool = false;
    /// seconds one call to QQ may take; slower is a 502
    #[serde(with = "durations::seconds")]
    qq_timeout_secs: Duration = QqSettings::DEFAULT_TIMEOUT;
    /// the mini-program's AppID
    wechat_mp_appid: Option<String> = None, shown "unset: mini-program login answers 404";
    /// the mini-program's AppSecret; required with `WECHAT_MP_APPID`
    #[serde(serialize_with = "masked_secret::serialize")]
    wechat_mp_secret: Option<SecretString> = None;
    /// the website app's AppID on the Open Platform (open.weixin.qq.com)
    wechat_web_appid: Option<String> = None, shown "unset: WeChat website login answers 404";
    /// the website app's AppSecret; required with `WECHAT_WEB_APPID`
    #[serde(serialize_with = "masked_secret::serialize")]
    wechat_web_secret: Option<SecretString> = None;
    /// the QR-login callback page registered with the website app, e.g.
    /// `https://www.meiduo.site/wechat_callback.html`; required with `WECHAT_WEB_APPID`
    wechat_web_redirect_uri: Option<String> = None;
    /// WeChat's server API base (a test server may stand in)
    wechat_api_base: String = WeChatSettings::DEFAULT_API_BASE.into();
    /// WeChat's browser-facing base, where `/connect/qrconnect` (the QR login page) lives
    wechat_open_base: String = WeChatSettings::DEFAULT_OPEN_BASE.into();
    /// seconds one call to WeChat may take; errcode -1 (busy) is retried 3 times with backoff from 200 ms
    #[serde(with = "durations::seconds")]
    wechat_timeout_secs: Duration = WeChatSettings::DEFAULT_TIMEOUT;
    /// failed password logins per account within the window before password login is locked for
    /// it; `0` = off
    login_account_failures: u32 = LoginPolicy::default().account_failures;
    /// that window, and the length of the lock
    #[serde(with = "durations::seconds")]
    login_account_window_secs: Duration = LoginPolicy::default().account_window;
    /// failed password logins and refused SMS sign-in codes per client IP within the window before
    /// both are locked from it; `0` = off
    login_ip_failures: u32 = LoginPolicy::default().ip_failures;
    /// that window, and the length of the lock
    #[serde(with = "durations::seconds")]
    login_ip_window_secs: Duration = LoginPolicy::default().ip_window;
    /// milliseconds a password try that finds the last places of its failure counters held by
    /// checks still running waits for them to end, before it is refused (or, for the account's
    /// counter, answered like a wrong password)
    #[serde(with = "durations::milliseconds")]
    login_in_flight_wait_ms: Duration = LoginPolicy::default().in_flight_patience;
    /// whether `POST /authorizations/sms/` opens an account (generated username, no password) for a
    /// mobile that has none; `false`: such a mobile is answered like a wrong code
    sms_login_signup: bool = true;
    /// username, mobile and email `count` checks per client IP per minute, registrations told
    /// before their code is checked whether their names are taken included; `0` = off
    availability_ip_per_minute: u32 = AvailabilityPolicy::default().per_ip_per_minute;
    /// seconds in-flight requests get to finish on SIGINT/SIGTERM
    #[serde(with = "durations::seconds")]
    shutdown_grace_secs: Duration = Duration::from_secs(10);
    /// whether `serve` applies pending migrations at start (`serve --no-migrate` turns it off)
    auto_migrate: bool = true;
    /// milliseconds between outbox polls (messages queued by this instance are sent at once)
    #[serde(with = "durations::milliseconds")]
    outbox_poll_ms: Duration = Duration::from_millis(500);
    /// delivery attempts before a message is marked `dead` (at least 1)
    outbox_max_attempts: u32 = DeliveryPolicy::default().max_attempts;
    /// wait before the first retry, doubled after each further failure (capped at 300 s)
    #[serde(with = "durations::milliseconds")]
    outbox_first_backoff_ms: Duration = DeliveryPolicy::default().first_backoff;
    /// days sent and dead outbox messages are kept before the retention job removes them; `0` = kept
    #[serde(with = "durations::days_or_kept")]
    outbox_retention_days: Option<Duration> = RetentionPolicy::default().outbox_age;
    /// days audit events are kept; `0` = kept
    #[serde(with = "durations::days_or_kept")]
    audit_retention_days: Option<Duration> = RetentionPolicy::default().audit_age;
    /// seconds between rounds of the retention job (one also runs at start); `0` = off
    #[serde(with = "durations::seconds")]
    retention_interval_secs: Duration = Duration::from_secs(60 * 60);
    /// seconds between a deletion request (`POST /user/deletion/`) and the account's erasure by the
    /// retention job (15 days); a sign-in meanwhile restores the account
    #[serde(with = "durations::seconds")]
    account_deletion_cooling_off_secs: Duration = Duration::from_secs(15 * 24 * 60 * 60);
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Variables that existed once and would now do something else than their setter expects:
/// refused with the reason rather than ignored.
const RETIRED_VARIABLES: &[(&str, &str)] = &[(
    "OAUTH_ALLOW_MISSING_STATE",
    "OAUTH_ALLOW_MISSING_STATE is gone: every QQ and WeChat website login is now bound to the browser that \
     started it by a cookie, which the classic callback page sends, so callbacks without state need no exception; \
     remove the variable",
)];

impl Config {
    /// Defaults, then `file` if given, then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        for (name, why) in RETIRED_VARIABLES {
            if std::env::var_os(name).is_some() {
                return Err(ConfigError::Invalid((*why).to_owned()));
            }
        }
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::Invalid(format!("config file {} does not exist", file.display())));
            }
            figment = figment.merge(Toml::file(file));
        }
        for (name, why) in RETIRED_VARIABLES {
            if figment.contains(&name.to_lowercase()) {
                return Err(ConfigError::Invalid((*why).to_owned()));
            }
        }
        // Only declared variables: the rest of the environment (PATH, HOME, …)
        // would be unknown fields.
        let parsed: Vec<String> = SETTINGS.iter().filter(|s| !s.verbatim).map(Setting::variable).collect();
        let parsed: Vec<&str> = parsed.iter().map(String::as_str).collect();
        let mut config: Config = figment.merge(Env::raw().only(&parsed)).extract().map_err(figment_error)?;
        // Text variables are taken verbatim, then parsed by their type: figment would read an
        // all-digit secret as a number.
        for setting in SETTINGS.iter().filter(|s| s.verbatim) {
            if let Ok(value) = std::env::var(setting.variable()) {
                config
                    .set_verbatim(setting.key, value)
                    .map_err(|why| ConfigError::Invalid(format!("{} {why}", setting.variable())))?;
            }
        }
        config.validate()?;
        Ok(config)
    }

    /// What no single value's type can check: settings that go together, and limits.
    fn validate(&self) -> Result<(), ConfigError> {
        self.sms_fixed_code_targets()?;
        self.smtp_settings()?;
        self.tencent_sms_settings()?;
        self.aliyun_sms_settings()?;
        self.qq_settings()?;
        self.wechat_settings()?;
        self.email_fixed_code_targets()?;
        if self.password_hash_niceness > 19 {
            return Err(ConfigError::Invalid(format!(
                "PASSWORD_HASH_NICENESS must be 0 to 19, not {}",
                self.password_hash_niceness
            )));
        }
        if !(self.email_verification_url.starts_with("http://") || self.email_verification_url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(format!(
                "EMAIL_VERIFICATION_URL must be an http(s) URL, got {:?}",
                self.email_verification_url
            )));
        }
        if self.jwt_issuer.trim().is_empty() || self.jwt_audience.trim().is_empty() {
            return Err(ConfigError::Invalid("JWT_ISSUER and JWT_AUDIENCE must not be empty".into()));
        }
        if self.jwt_lifetime_secs.is_zero() {
            return Err(ConfigError::Invalid("JWT_LIFETIME_SECS must be positive".into()));
        }
        // A zero lifetime would make every find-password step or verification
        // link dead on arrival, which is a typo, not a policy.
        if self.password_reset_token_ttl_secs.is_zero() {
            return Err(ConfigError::Invalid("PASSWORD_RESET_TOKEN_TTL_SECS must be positive".into()));
        }
        if self.email_verification_ttl_secs.is_zero() {
            return Err(ConfigError::Invalid("EMAIL_VERIFICATION_TTL_SECS must be positive".into()));
        }
        if self.outbox_max_attempts == 0 {
            return Err(ConfigError::Invalid("OUTBOX_MAX_ATTEMPTS must be at least 1".into()));
        }
        if self.code_max_attempts == 0 {
            return Err(ConfigError::Invalid("CODE_MAX_ATTEMPTS must be at least 1".into()));
        }
        if let Some(url) = self.redis_url()
            && let Err(why) = cache::redis::check_url(url)
        {
            return Err(ConfigError::Invalid(format!("REDIS_URL {}: {why}", redact_url(url))));
        }
        let url = self.database_url();
        match DatabaseKind::of_url(&url) {
            None => Err(ConfigError::Invalid(format!(
                "DATABASE_URL must start with sqlite: or postgres://, got {}",
                redact_url(&url)
            ))),
            Some(DatabaseKind::Sqlite) if self.database_pooler != DatabasePooler::None => {
                Err(ConfigError::Invalid(format!(
                    "DATABASE_POOLER={} is for PostgreSQL behind PgBouncer; DATABASE_URL is SQLite ({}), which has \
                     no pooler: unset DATABASE_POOLER or set it to none",
                    self.database_pooler,
                    redact_url(&url)
                )))
            }
            Some(_) => Ok(()),
        }
    }

    /// The database URL, defaulting to the SQLite file in `DATA_DIR`, with its password: to
    /// connect (log it through [`redact_url`]).
    pub fn database_url(&self) -> String {
        self.database_url
            .as_ref()
            .map(|url| url.expose_secret().to_owned())
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("accounts.db").display()))
    }

    /// The Redis URL, when one is configured, with its password: to connect (log it through
    /// [`redact_url`]).
    pub fn redis_url(&self) -> Option<&str> {
        self.redis_url.as_ref().map(|url| url.expose_secret().trim()).filter(|url| !url.is_empty())
    }

    /// The embedded mode: a local SQLite file and in-process cache, where a
    /// missing JWT secret may be generated.
    pub fn is_embedded(&self) -> bool {
        DatabaseKind::of_url(&self.database_url()) == Some(DatabaseKind::Sqlite)
    }

    /// The SMTP settings when `SMTP_HOST` is set; `None` means the development mail adapter.
    pub fn smtp_settings(&self) -> Result<Option<SmtpSettings>, ConfigError> {
        let Some(host) = non_empty(self.smtp_host.as_deref()) else { return Ok(None) };
        Ok(Some(SmtpSettings {
            host: host.to_owned(),
            port: self.smtp_port,
            tls: self.smtp_tls,
            username: non_empty(self.smtp_username.as_deref()).map(str::to_owned),
            password: non_empty_secret(self.smtp_password.as_ref()),
            from: self.mail_from.clone(),
            timeout: self.smtp_timeout_secs,
            code_valid_minutes: self.code_valid_minutes(),
        }))
    }

    /// The Tencent Cloud SMS settings when `SMS_PROVIDER` names `tencent`; `None` otherwise.
    pub fn tencent_sms_settings(&self) -> Result<Option<TencentSmsSettings>, ConfigError> {
        if !self.sms_provider.uses(RealSmsProvider::Tencent) {
            return Ok(None);
        }
        let missing = |name: &str| ConfigError::Invalid(format!("SMS_PROVIDER=tencent needs {name}"));
        let required = |value: &Option<String>, name: &str| {
            non_empty(value.as_deref()).map(str::to_owned).ok_or_else(|| missing(name))
        };
        let mut settings = TencentSmsSettings::new(
            required(&self.tencent_sms_secret_id, "TENCENT_SMS_SECRET_ID")?,
            non_empty_secret(self.tencent_sms_secret_key.as_ref()).ok_or_else(|| missing("TENCENT_SMS_SECRET_KEY"))?,
            required(&self.tencent_sms_sdk_app_id, "TENCENT_SMS_SDK_APP_ID")?,
            required(&self.tencent_sms_sign_name, "TENCENT_SMS_SIGN_NAME")?,
            required(&self.tencent_sms_register_template_id, "TENCENT_SMS_REGISTER_TEMPLATE_ID")?,
            required(&self.tencent_sms_reset_template_id, "TENCENT_SMS_RESET_TEMPLATE_ID")?,
        );
        settings.region = self.tencent_sms_region.trim().to_owned();
        settings.endpoint = self.tencent_sms_endpoint.trim().to_owned();
        settings.timeout = self.sms_timeout_secs;
        settings.code_valid_minutes = self.code_valid_minutes();
        Ok(Some(settings))
    }

    /// The Alibaba Cloud SMS settings when `SMS_PROVIDER` names `aliyun`; `None` otherwise.
    pub fn aliyun_sms_settings(&self) -> Result<Option<AliyunSmsSettings>, ConfigError> {
        if !self.sms_provider.uses(RealSmsProvider::Aliyun) {
            return Ok(None);
        }
        let missing = |name: &str| ConfigError::Invalid(format!("SMS_PROVIDER=aliyun needs {name}"));
        let required = |value: &Option<String>, name: &str| {
            non_empty(value.as_deref()).map(str::to_owned).ok_or_else(|| missing(name))
        };
        let mut settings = AliyunSmsSettings::new(
            required(&self.aliyun_access_key_id, "ALIYUN_ACCESS_KEY_ID")?,
            non_empty_secret(self.aliyun_access_key_secret.as_ref())
                .ok_or_else(|| missing("ALIYUN_ACCESS_KEY_SECRET"))?,
            required(&self.aliyun_sms_sign_name, "ALIYUN_SMS_SIGN_NAME")?,
            required(&self.aliyun_sms_register_template_code, "ALIYUN_SMS_REGISTER_TEMPLATE_CODE")?,
            required(&self.aliyun_sms_reset_template_code, "ALIYUN_SMS_RESET_TEMPLATE_CODE")?,
        );
        settings.endpoint = self.aliyun_sms_endpoint.trim().to_owned();
        settings.timeout = self.sms_timeout_secs;
        Ok(Some(settings))
    }

    /// The QQ Connect settings when `QQ_CLIENT_ID` is set; `None` turns QQ login off.
    pub fn qq_settings(&self) -> Result<Option<QqSettings>, ConfigError> {
        let Some(client_id) = non_empty(self.qq_client_id.as_deref()) else { return Ok(None) };
        let missing = |name: &str| ConfigError::Invalid(format!("QQ_CLIENT_ID is set, so {name} is required"));
        let mut settings = QqSettings::new(
            client_id,
            non_empty_secret(self.qq_client_secret.as_ref()).ok_or_else(|| missing("QQ_CLIENT_SECRET"))?,
            non_empty(self.qq_redirect_uri.as_deref()).ok_or_else(|| missing("QQ_REDIRECT_URI"))?,
        );
        settings.api_base = self.qq_api_base.trim().to_owned();
        settings.timeout = self.qq_timeout_secs.max(Duration::from_secs(1));
        settings.mobile_display = self.qq_mobile_display;
        Ok(Some(settings))
    }

    /// The WeChat settings when a mini-program or a website app is configured; `None` turns WeChat login off.
    pub fn wechat_settings(&self) -> Result<Option<WeChatSettings>, ConfigError> {
        let mut settings = WeChatSettings::new();
        if let Some(app_id) = non_empty(self.wechat_mp_appid.as_deref()) {
            let secret = non_empty_secret(self.wechat_mp_secret.as_ref()).ok_or_else(|| {
                ConfigError::Invalid("WECHAT_MP_APPID is set, so WECHAT_MP_SECRET is required".into())
            })?;
            settings = settings.with_mini_program(app_id, secret);
        }
        if let Some(app_id) = non_empty(self.wechat_web_appid.as_deref()) {
            let missing = |name: &str| ConfigError::Invalid(format!("WECHAT_WEB_APPID is set, so {name} is required"));
            let secret =
                non_empty_secret(self.wechat_web_secret.as_ref()).ok_or_else(|| missing("WECHAT_WEB_SECRET"))?;
            let redirect =
                non_empty(self.wechat_web_redirect_uri.as_deref()).ok_or_else(|| missing("WECHAT_WEB_REDIRECT_URI"))?;
            settings = settings.with_website(app_id, secret, redirect);
        }
        if !settings.has_mini_program() && !settings.has_website() {
            return Ok(None);
        }
        settings.api_base = self.wechat_api_base.trim().to_owned();
        settings.open_base = self.wechat_open_base.trim().to_owned();
        settings.timeout = self.wechat_timeout_secs.max(Duration::from_secs(1));
        Ok(Some(settings))
    }

    /// What messages tell people about a code's validity, rounded up to whole minutes.
    fn code_valid_minutes(&self) -> u32 {
        u32::try_from(self.code_ttl_secs.as_secs().div_ceil(60)).unwrap_or(u32::MAX).max(1)
    }

    /// `SMS_TEST_NUMBERS`, exact numbers normalised like any mobile (`+86 199…` → `199…`).
    pub fn sms_fixed_code_targets(&self) -> Result<FixedCodeTargets, ConfigError> {
        FixedCodeTargets::parse(&self.sms_test_numbers, |number| {
            Mobile::parse(number).map_or_else(|_| number.trim().to_owned(), |mobile| mobile.to_string())
        })
        .map_err(|e| ConfigError::Invalid(format!("SMS_TEST_NUMBERS: {e}")))
    }

    /// `EMAIL_TEST_ADDRESSES`, lower-cased like stored addresses.
    pub fn email_fixed_code_targets(&self) -> Result<FixedCodeTargets, ConfigError> {
        FixedCodeTargets::parse(&self.email_test_addresses, |address| address.trim().to_lowercase())
            .map_err(|e| ConfigError::Invalid(format!("EMAIL_TEST_ADDRESSES: {e}")))
    }

    /// Whether the development outbox is on, and why, for the start-up log.
    /// `sms_dev` and `mail_dev` tell whether each channel uses the development adapter.
    pub fn dev_outbox_decision(&self, sms_dev: bool, mail_dev: bool) -> (bool, &'static str) {
        if !self.trusted_proxies.is_empty() {
            return (false, "TRUSTED_PROXIES is set: behind a proxy every client looks local");
        }
        match self.dev_outbox {
            Some(false) => (false, "DEV_OUTBOX=false"),
            Some(true) => (true, "DEV_OUTBOX=true"),
            None if sms_dev && mail_dev => (true, "every channel uses the development adapter"),
            None if sms_dev || mail_dev => {
                (false, "one channel uses a real provider (set DEV_OUTBOX=true to force it on)")
            }
            None => (false, "both channels use real providers"),
        }
    }
}

/// A figment error, naming the variable when one of our types refused the value. For a
/// secret the message is ours alone: figment's would quote the value it found.
fn figment_error(error: figment::Error) -> ConfigError {
    let setting = error.path.last().and_then(|key| SETTINGS.iter().find(|setting| setting.key == key));
    let origin = error.metadata.as_ref().map(|metadata| match &metadata.source {
        Some(source) => format!(" (in {source})"),
        None => format!(" (in {})", metadata.name),
    });
    match (setting, &error.kind) {
        (Some(setting), _) if setting.secret => {
            ConfigError::Invalid(format!("{} must be text{}", setting.variable(), origin.unwrap_or_default()))
        }
        (Some(setting), Kind::Message(why)) => {
            ConfigError::Invalid(format!("{} {why}{}", setting.variable(), origin.unwrap_or_default()))
        }
        _ => ConfigError::Load(Box::new(error)),
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The secret unless it is blank.
fn non_empty_secret(value: Option<&SecretString>) -> Option<SecretString> {
    value.filter(|secret| !secret.expose_secret().trim().is_empty()).cloned()
}

fn split_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|item| !item.is_empty())
}

/// A URL with any password replaced, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
// Jail's closures must return figment's large error; it is not ours to box.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    fn tencent() -> Config {
        Config {
            sms_provider: SmsProvider::only(RealSmsProvider::Tencent),
            tencent_sms_secret_id: Some("AKIDexample".into()),
            tencent_sms_secret_key: Some("secret-key".into()),
            tencent_sms_sdk_app_id: Some("1400006666".into()),
            tencent_sms_sign_name: Some("美多商城".into()),
            tencent_sms_register_template_id: Some("449739".into()),
            tencent_sms_reset_template_id: Some("449740".into()),
            code_ttl_secs: Duration::from_secs(600),
            ..Config::default()
        }
    }

    #[test]
    fn redis_url_takes_one_server_a_cluster_or_sentinel_and_refuses_the_rest() {
        let with_redis = |url: &str| Config { redis_url: Some(url.into()), ..Config::default() }.validate();
        for url in [
            "redis://127.0.0.1:6379",
            "rediss://user:secret@cache.example.com:6380/1",
            "redis-cluster://127.0.0.1:7001?node=127.0.0.1:7002&node=127.0.0.1:7003",
            "redis-sentinel://127.0.0.1:26379/0?sentinelServiceName=accounts&node=127.0.0.1:26380",
        ] {
            assert!(with_redis(url).is_ok(), "{url}: {:?}", with_redis(url));
        }
        for (url, why) in [
            ("memcached://127.0.0.1:11211", "scheme must be one of"),
            ("http://127.0.0.1:6379", "scheme must be one of"),
            ("redis-sentinel://127.0.0.1:26379/0", "sentinel service name"),
        ] {
            let refusal = with_redis(url);
            assert!(
                matches!(&refusal, Err(ConfigError::Invalid(m)) if m.starts_with("REDIS_URL") && m.contains(why)),
                "{url}: {refusal:?}"
            );
        }
    }

    #[test]
    fn without_providers_both_channels_use_the_development_adapter() {
        let config = Config::default();
        assert!(config.smtp_settings().unwrap().is_none());
        assert!(config.tencent_sms_settings().unwrap().is_none());
    }

    #[test]
    fn smtp_settings_follow_the_variables() {
        let config = Config {
            smtp_host: Some("smtp.example.com".into()),
            smtp_port: 465,
            smtp_tls: "TLS".parse().unwrap(),
            smtp_username: Some("mailer".into()),
            smtp_password: Some("secret".into()),
            code_ttl_secs: Duration::from_secs(90),
            ..Config::default()
        };
        let settings = config.smtp_settings().unwrap().unwrap();
        assert_eq!((settings.host.as_str(), settings.port, settings.tls), ("smtp.example.com", 465, SmtpTls::Tls));
        assert_eq!((settings.username.as_deref(), settings.code_valid_minutes), (Some("mailer"), 2));
    }

    /// The load's error for `variable=value`, from the environment and from a TOML file.
    fn load_errors(variable: &str, value: &str) -> [String; 2] {
        let mut errors = [String::new(), String::new()];
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.set_env(variable, value);
            errors[0] = Config::load(None).unwrap_err().to_string();
            jail.clear_env();
            jail.create_file("accounts.toml", &format!("{} = {value:?}", variable.to_lowercase()))?;
            errors[1] = Config::load(Some(&jail.directory().join("accounts.toml"))).unwrap_err().to_string();
            Ok(())
        });
        errors
    }

    #[test]
    fn a_value_its_type_refuses_stops_the_load_naming_the_variable_and_the_value() {
        for (variable, value) in [
            ("SMTP_TLS", "ssl"),
            ("SMS_PROVIDER", "aliyun,twilio"),
            ("SMS_PROVIDER", "twilio"),
            ("LOG_FORMAT", "yaml"),
            ("TRUSTED_PROXIES", "proxy.local"),
            ("METRICS_ALLOW", "10.0.0.0/33"),
            ("CORS_ALLOWED_ORIGINS", "www.meiduo.site"),
        ] {
            for error in load_errors(variable, value) {
                assert!(error.contains(variable) && error.contains(value), "{variable}={value}: {error}");
            }
        }
        for error in load_errors("CORS_ALLOWED_ORIGINS", "*") {
            assert!(error.contains("CORS_ALLOWED_ORIGINS cannot be *"), "{error}");
        }
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_refused_without_quoting_it() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("accounts.toml", "smtp_password = 987654321")?;
            let error = Config::load(Some(&jail.directory().join("accounts.toml"))).unwrap_err().to_string();
            assert!(error.contains("SMTP_PASSWORD must be text") && !error.contains("987654321"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn tencent_settings_need_every_key_and_refuse_unknown_providers() {
        let settings = tencent().tencent_sms_settings().unwrap().unwrap();
        assert_eq!((settings.sdk_app_id.as_str(), settings.code_valid_minutes), ("1400006666", 10));
        let missing = Config { tencent_sms_secret_key: Some("  ".into()), ..tencent() };
        assert!(
            matches!(missing.tencent_sms_settings(), Err(ConfigError::Invalid(m)) if m.contains("TENCENT_SMS_SECRET_KEY"))
        );
    }

    #[test]
    fn aliyun_settings_need_every_key_and_come_with_tencent_in_a_list() {
        let aliyun = Config {
            sms_provider: "aliyun,tencent".parse().unwrap(),
            aliyun_access_key_id: Some("LTAIexample".into()),
            aliyun_access_key_secret: Some("secret".into()),
            aliyun_sms_sign_name: Some("美多商城".into()),
            aliyun_sms_register_template_code: Some("SMS_1".into()),
            aliyun_sms_reset_template_code: Some("SMS_2".into()),
            ..tencent()
        };
        let settings = aliyun.aliyun_sms_settings().unwrap().unwrap();
        assert_eq!(
            (settings.sign_name.as_str(), settings.endpoint.as_str()),
            ("美多商城", "https://dysmsapi.aliyuncs.com")
        );
        assert!(aliyun.tencent_sms_settings().unwrap().is_some());
        assert!(tencent().aliyun_sms_settings().unwrap().is_none());
        let missing = Config { aliyun_sms_reset_template_code: None, ..aliyun };
        assert!(
            matches!(missing.validate(), Err(ConfigError::Invalid(m)) if m.contains("ALIYUN_SMS_RESET_TEMPLATE_CODE"))
        );
    }

    #[test]
    fn the_verification_link_must_be_http() {
        let config = Config { email_verification_url: "javascript:alert(1)".into(), ..Config::default() };
        assert!(matches!(config.validate(), Err(ConfigError::Invalid(m)) if m.contains("EMAIL_VERIFICATION_URL")));
    }

    #[test]
    fn the_development_outbox_is_on_only_in_full_development_or_when_forced_and_never_behind_proxies() {
        let on = |config: &Config, sms_dev, mail_dev| config.dev_outbox_decision(sms_dev, mail_dev).0;
        let auto = Config::default();
        assert!(on(&auto, true, true));
        assert!(!on(&auto, false, true) && !on(&auto, true, false) && !on(&auto, false, false));
        let forced = Config { dev_outbox: Some(true), ..Config::default() };
        assert!(on(&forced, false, true));
        let off = Config { dev_outbox: Some(false), ..Config::default() };
        assert!(!on(&off, true, true));
        let proxied =
            Config { dev_outbox: Some(true), trusted_proxies: "10.0.0.1".parse().unwrap(), ..Config::default() };
        assert!(!on(&proxied, true, true));
    }
}
