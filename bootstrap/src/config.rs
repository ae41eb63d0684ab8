use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use adapters::messaging::{SmtpSettings, SmtpTls, TencentSmsSettings};
use adapters::oauth::{QqSettings, WeChatSettings};
use adapters::persistence::DatabaseKind;
use application::FixedCodeTargets;
use domain::Mobile;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Every setting of the service. Sources, later ones winning: these defaults,
/// an optional TOML file (`--config FILE` or `ACCOUNTS_CONFIG`), then
/// environment variables named as the fields in upper case (`BIND_ADDR`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listen address.
    pub bind_addr: SocketAddr,
    /// Where the embedded mode keeps its SQLite file and generated secret.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; unset → `sqlite://$DATA_DIR/accounts.db`.
    pub database_url: Option<String>,
    /// `redis://…` (or `rediss://…`); unset → the in-process cache (one instance only).
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so several services can share one Redis.
    pub redis_key_prefix: String,
    /// Milliseconds a cache command may take before the request answers 503.
    pub cache_timeout_ms: u64,
    /// HS256 key, at least 32 bytes; generated into `DATA_DIR` in embedded mode when unset.
    pub jwt_secret: Option<String>,
    /// Access-token lifetime in seconds.
    pub jwt_lifetime_secs: u64,
    /// The `iss` written into access tokens and required of them.
    pub jwt_issuer: String,
    /// The `aud` written into access tokens and required of them: the services that accept them.
    pub jwt_audience: String,
    /// Refresh-token lifetime in seconds (each rotation issues a successor with a full lifetime).
    pub refresh_token_lifetime_secs: u64,
    /// Seconds a rotated refresh token may still be exchanged (two tabs refreshing together).
    pub refresh_reuse_grace_secs: u64,
    /// Comma-separated origins allowed by CORS (credentials allowed).
    pub cors_allowed_origins: String,
    /// Comma-separated addresses or CIDRs whose `X-Forwarded-For` is believed.
    pub trusted_proxies: String,
    /// Comma-separated addresses or CIDRs that may read `GET /metrics` (loopback by default).
    pub metrics_allow: String,
    /// Log filter (tracing's `EnvFilter` syntax).
    pub rust_log: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Seconds to wait for a database connection before answering 503.
    pub database_timeout_secs: u64,
    /// Password hashes computed at once (each takes 19 MiB); 0 → number of CPUs.
    pub password_hash_concurrency: usize,
    /// The highest iteration count among imported Django `pbkdf2_sha256` hashes: every password
    /// verification takes at least as long as one of them; 0 → learned from the first one verified.
    pub django_hash_iterations: u32,
    /// Seconds a captcha answer is kept.
    pub captcha_ttl_secs: u64,
    /// Captchas drawn per client IP (IPv6: per /64) per minute; 0 turns the limit off.
    pub captcha_ip_per_minute: u32,
    /// Captchas drawn at once on the blocking pool; 0 → number of CPUs. A request that
    /// finds every slot taken for a second answers 429 with `Retry-After: 1`.
    pub captcha_render_concurrency: usize,
    /// Entries the in-process cache holds before evicting (captchas first, then codes).
    pub memory_cache_capacity: usize,
    /// The development outbox (`/dev/outbox/`, captcha answers, codes in the log):
    /// unset → on while every channel uses the development adapter; `true` → on even
    /// with one real channel; `false` → off. Always off with `TRUSTED_PROXIES`.
    pub dev_outbox: Option<bool>,
    /// Seconds a one-time code stays valid.
    pub code_ttl_secs: u64,
    /// Seconds between two codes to the same target; 0 turns the limit off.
    pub code_resend_interval_secs: u64,
    /// Codes per target per day; 0 turns the limit off.
    pub code_daily_limit: u32,
    /// Codes per client IP per hour; 0 turns the limit off.
    pub code_ip_hourly_limit: u32,
    /// Wrong tries before a code is burned.
    pub code_max_attempts: u32,
    /// Seconds each find-password step token stays valid.
    pub password_reset_token_ttl_secs: u64,
    /// Seconds an email verification link stays valid.
    pub email_verification_ttl_secs: u64,
    /// The page an email verification link opens; `?token=…` is appended.
    pub email_verification_url: String,
    /// Comma-separated `PATTERN=CODE` test mobiles (`1990000*=246810`): fixed code, no SMS, no limits.
    pub sms_test_numbers: String,
    /// Comma-separated `PATTERN=CODE` test email addresses: fixed code, no mail, no limits.
    pub email_test_addresses: String,
    /// Failed password logins per account within `login_account_window_secs` before login is locked; 0 = off.
    pub login_account_failures: u32,
    pub login_account_window_secs: u64,
    /// Failed password logins per client IP within `login_ip_window_secs` before login is locked; 0 = off.
    pub login_ip_failures: u32,
    pub login_ip_window_secs: u64,
    /// Availability checks per client IP per minute; 0 turns the limit off.
    pub availability_ip_per_minute: u32,
    /// Seconds in-flight requests get to finish on SIGINT/SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Whether `serve` applies pending migrations at start.
    pub auto_migrate: bool,
    /// SMTP server for outgoing mail; unset → the development mail adapter (`/dev/outbox/`).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// Sign in to the SMTP server only when set (with `smtp_password`).
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// `none`, `starttls` (usually port 587) or `tls` (implicit TLS, usually port 465).
    pub smtp_tls: String,
    /// The `From` of every mail: `美多商城 <no-reply@example.com>` or a bare address.
    pub mail_from: String,
    /// Seconds one mail may take, connecting included, before it is retried later.
    pub smtp_timeout_secs: u64,
    /// `dev` (log and `/dev/outbox/`) or `tencent` (Tencent Cloud SMS).
    pub sms_provider: String,
    pub tencent_sms_secret_id: Option<String>,
    pub tencent_sms_secret_key: Option<String>,
    /// The SMS application's `SmsSdkAppId`.
    pub tencent_sms_sdk_app_id: Option<String>,
    /// The approved signature (签名) shown in front of every text.
    pub tencent_sms_sign_name: Option<String>,
    /// Approved template with two parameters: the code and its validity in minutes.
    pub tencent_sms_register_template_id: Option<String>,
    pub tencent_sms_reset_template_id: Option<String>,
    pub tencent_sms_region: String,
    /// API base URL (a test server may stand in).
    pub tencent_sms_endpoint: String,
    /// Seconds one SMS request may take before it is retried later.
    pub sms_timeout_secs: u64,
    /// QQ Connect app id; unset → QQ login answers 404.
    pub qq_client_id: Option<String>,
    /// QQ Connect app key.
    pub qq_client_secret: Option<String>,
    /// The callback page registered with QQ Connect (the classic `oauth_callback.html`).
    pub qq_redirect_uri: Option<String>,
    /// QQ's API base URL (a test server may stand in).
    pub qq_api_base: String,
    /// Ask QQ for its mobile authorize page.
    pub qq_mobile_display: bool,
    /// Seconds one call to QQ may take.
    pub qq_timeout_secs: u64,
    /// WeChat mini-program AppID; unset → mini-program login answers 404.
    pub wechat_mp_appid: Option<String>,
    pub wechat_mp_secret: Option<String>,
    /// WeChat website (Open Platform) AppID for the QR login.
    pub wechat_web_appid: Option<String>,
    pub wechat_web_secret: Option<String>,
    pub wechat_web_redirect_uri: Option<String>,
    /// WeChat's server API base URL (a test server may stand in).
    pub wechat_api_base: String,
    /// WeChat's browser-facing base URL (the QR login page).
    pub wechat_open_base: String,
    /// Seconds one call to WeChat may take.
    pub wechat_timeout_secs: u64,
    /// Milliseconds between outbox polls (new messages of this instance are sent at once).
    pub outbox_poll_ms: u64,
    /// Delivery attempts before a message is marked dead.
    pub outbox_max_attempts: u32,
    /// Milliseconds before the first retry; doubled after each further failure.
    pub outbox_first_backoff_ms: u64,
    /// Days sent and dead outbox messages are kept; 0 keeps them.
    pub outbox_retention_days: u32,
    /// Days audit events are kept; 0 keeps them.
    pub audit_retention_days: u32,
    /// Seconds between rounds of the retention job (also run at start); 0 turns it off.
    pub retention_interval_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            redis_url: None,
            redis_key_prefix: "meiduo:accounts:".into(),
            cache_timeout_ms: 2_000,
            jwt_secret: None,
            jwt_lifetime_secs: 24 * 60 * 60,
            jwt_issuer: "meiduo-accounts".into(),
            jwt_audience: "meiduo-mall".into(),
            refresh_token_lifetime_secs: 14 * 24 * 60 * 60,
            refresh_reuse_grace_secs: 10,
            cors_allowed_origins: "http://127.0.0.1:8080,http://localhost:8080".into(),
            trusted_proxies: String::new(),
            metrics_allow: "127.0.0.0/8,::1".into(),
            rust_log: "info".into(),
            log_format: "text".into(),
            max_body_bytes: 64 * 1024,
            database_timeout_secs: 5,
            password_hash_concurrency: 0,
            django_hash_iterations: 0,
            captcha_ttl_secs: 300,
            captcha_ip_per_minute: 30,
            captcha_render_concurrency: 0,
            memory_cache_capacity: adapters::cache::MemoryCache::DEFAULT_CAPACITY,
            dev_outbox: None,
            code_ttl_secs: 300,
            code_resend_interval_secs: 60,
            code_daily_limit: 10,
            code_ip_hourly_limit: 20,
            code_max_attempts: 5,
            password_reset_token_ttl_secs: 300,
            email_verification_ttl_secs: 24 * 60 * 60,
            email_verification_url: "http://127.0.0.1:8080/success_verify_email.html".into(),
            sms_test_numbers: String::new(),
            email_test_addresses: String::new(),
            login_account_failures: 5,
            login_account_window_secs: 15 * 60,
            login_ip_failures: 30,
            login_ip_window_secs: 10 * 60,
            availability_ip_per_minute: 60,
            shutdown_grace_secs: 10,
            auto_migrate: true,
            smtp_host: None,
            smtp_port: 587,
            smtp_username: None,
            smtp_password: None,
            smtp_tls: "starttls".into(),
            mail_from: "美多商城 <no-reply@localhost>".into(),
            smtp_timeout_secs: 10,
            sms_provider: "dev".into(),
            tencent_sms_secret_id: None,
            tencent_sms_secret_key: None,
            tencent_sms_sdk_app_id: None,
            tencent_sms_sign_name: None,
            tencent_sms_register_template_id: None,
            tencent_sms_reset_template_id: None,
            tencent_sms_region: "ap-guangzhou".into(),
            tencent_sms_endpoint: "https://sms.tencentcloudapi.com".into(),
            sms_timeout_secs: 5,
            qq_client_id: None,
            qq_client_secret: None,
            qq_redirect_uri: None,
            qq_api_base: "https://graph.qq.com".into(),
            qq_mobile_display: false,
            qq_timeout_secs: 5,
            wechat_mp_appid: None,
            wechat_mp_secret: None,
            wechat_web_appid: None,
            wechat_web_secret: None,
            wechat_web_redirect_uri: None,
            wechat_api_base: "https://api.weixin.qq.com".into(),
            wechat_open_base: "https://open.weixin.qq.com".into(),
            wechat_timeout_secs: 5,
            outbox_poll_ms: 500,
            outbox_max_attempts: 5,
            outbox_first_backoff_ms: 2_000,
            outbox_retention_days: 7,
            audit_retention_days: 180,
            retention_interval_secs: 60 * 60,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// The environment variables read, one per field of [`Config`].
const VARIABLES: &[&str] = &[
    "BIND_ADDR",
    "DATA_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
    "CACHE_TIMEOUT_MS",
    "JWT_SECRET",
    "JWT_LIFETIME_SECS",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "REFRESH_TOKEN_LIFETIME_SECS",
    "REFRESH_REUSE_GRACE_SECS",
    "CORS_ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "METRICS_ALLOW",
    "RUST_LOG",
    "LOG_FORMAT",
    "MAX_BODY_BYTES",
    "DATABASE_TIMEOUT_SECS",
    "PASSWORD_HASH_CONCURRENCY",
    "DJANGO_HASH_ITERATIONS",
    "CAPTCHA_TTL_SECS",
    "CAPTCHA_IP_PER_MINUTE",
    "CAPTCHA_RENDER_CONCURRENCY",
    "MEMORY_CACHE_CAPACITY",
    "DEV_OUTBOX",
    "CODE_TTL_SECS",
    "CODE_RESEND_INTERVAL_SECS",
    "CODE_DAILY_LIMIT",
    "CODE_IP_HOURLY_LIMIT",
    "CODE_MAX_ATTEMPTS",
    "PASSWORD_RESET_TOKEN_TTL_SECS",
    "EMAIL_VERIFICATION_TTL_SECS",
    "SMS_TEST_NUMBERS",
    "EMAIL_TEST_ADDRESSES",
    "LOGIN_ACCOUNT_FAILURES",
    "LOGIN_ACCOUNT_WINDOW_SECS",
    "LOGIN_IP_FAILURES",
    "LOGIN_IP_WINDOW_SECS",
    "AVAILABILITY_IP_PER_MINUTE",
    "SHUTDOWN_GRACE_SECS",
    "AUTO_MIGRATE",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_TLS",
    "MAIL_FROM",
    "SMTP_TIMEOUT_SECS",
    "SMS_PROVIDER",
    "TENCENT_SMS_SECRET_ID",
    "TENCENT_SMS_SECRET_KEY",
    "TENCENT_SMS_SDK_APP_ID",
    "TENCENT_SMS_SIGN_NAME",
    "TENCENT_SMS_REGISTER_TEMPLATE_ID",
    "TENCENT_SMS_RESET_TEMPLATE_ID",
    "TENCENT_SMS_REGION",
    "TENCENT_SMS_ENDPOINT",
    "SMS_TIMEOUT_SECS",
    "QQ_CLIENT_ID",
    "QQ_CLIENT_SECRET",
    "QQ_REDIRECT_URI",
    "QQ_API_BASE",
    "QQ_MOBILE_DISPLAY",
    "QQ_TIMEOUT_SECS",
    "WECHAT_MP_APPID",
    "WECHAT_MP_SECRET",
    "WECHAT_WEB_APPID",
    "WECHAT_WEB_SECRET",
    "WECHAT_WEB_REDIRECT_URI",
    "WECHAT_API_BASE",
    "WECHAT_OPEN_BASE",
    "WECHAT_TIMEOUT_SECS",
    "OUTBOX_POLL_MS",
    "OUTBOX_MAX_ATTEMPTS",
    "OUTBOX_FIRST_BACKOFF_MS",
    "OUTBOX_RETENTION_DAYS",
    "AUDIT_RETENTION_DAYS",
    "RETENTION_INTERVAL_SECS",
];

/// Variables whose values are text even when they look like numbers.
const TEXT_VARIABLES: &[&str] = &[
    "JWT_SECRET",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
    "DATA_DIR",
    "CORS_ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "METRICS_ALLOW",
    "SMS_TEST_NUMBERS",
    "EMAIL_TEST_ADDRESSES",
    "EMAIL_VERIFICATION_URL",
    "SMTP_HOST",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_TLS",
    "MAIL_FROM",
    "SMS_PROVIDER",
    "TENCENT_SMS_SECRET_ID",
    "TENCENT_SMS_SECRET_KEY",
    "TENCENT_SMS_SDK_APP_ID",
    "TENCENT_SMS_SIGN_NAME",
    "TENCENT_SMS_REGISTER_TEMPLATE_ID",
    "TENCENT_SMS_RESET_TEMPLATE_ID",
    "TENCENT_SMS_REGION",
    "TENCENT_SMS_ENDPOINT",
    "QQ_CLIENT_ID",
    "QQ_CLIENT_SECRET",
    "QQ_REDIRECT_URI",
    "QQ_API_BASE",
    "WECHAT_MP_APPID",
    "WECHAT_MP_SECRET",
    "WECHAT_WEB_APPID",
    "WECHAT_WEB_SECRET",
    "WECHAT_WEB_REDIRECT_URI",
    "WECHAT_API_BASE",
    "WECHAT_OPEN_BASE",
];

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
        let numeric: Vec<&str> = VARIABLES.iter().filter(|v| !TEXT_VARIABLES.contains(v)).copied().collect();
        let mut config: Config = figment.merge(Env::raw().only(&numeric)).extract().map_err(Box::new)?;
        // Text variables are taken verbatim: figment would read an all-digit
        // secret as a number.
        for name in TEXT_VARIABLES {
            if let Ok(value) = std::env::var(name) {
                config.set_text(name, value);
            }
        }
        config.validate()?;
        Ok(config)
    }

    fn set_text(&mut self, name: &str, value: String) {
        match name {
            "JWT_SECRET" => self.jwt_secret = Some(value),
            "JWT_ISSUER" => self.jwt_issuer = value,
            "JWT_AUDIENCE" => self.jwt_audience = value,
            "DATABASE_URL" => self.database_url = Some(value),
            "REDIS_URL" => self.redis_url = Some(value),
            "REDIS_KEY_PREFIX" => self.redis_key_prefix = value,
            "DATA_DIR" => self.data_dir = PathBuf::from(value),
            "CORS_ALLOWED_ORIGINS" => self.cors_allowed_origins = value,
            "TRUSTED_PROXIES" => self.trusted_proxies = value,
            "METRICS_ALLOW" => self.metrics_allow = value,
            "SMS_TEST_NUMBERS" => self.sms_test_numbers = value,
            "EMAIL_TEST_ADDRESSES" => self.email_test_addresses = value,
            "EMAIL_VERIFICATION_URL" => self.email_verification_url = value,
            "SMTP_HOST" => self.smtp_host = Some(value),
            "SMTP_USERNAME" => self.smtp_username = Some(value),
            "SMTP_PASSWORD" => self.smtp_password = Some(value),
            "SMTP_TLS" => self.smtp_tls = value,
            "MAIL_FROM" => self.mail_from = value,
            "SMS_PROVIDER" => self.sms_provider = value,
            "TENCENT_SMS_SECRET_ID" => self.tencent_sms_secret_id = Some(value),
            "TENCENT_SMS_SECRET_KEY" => self.tencent_sms_secret_key = Some(value),
            "TENCENT_SMS_SDK_APP_ID" => self.tencent_sms_sdk_app_id = Some(value),
            "TENCENT_SMS_SIGN_NAME" => self.tencent_sms_sign_name = Some(value),
            "TENCENT_SMS_REGISTER_TEMPLATE_ID" => self.tencent_sms_register_template_id = Some(value),
            "TENCENT_SMS_RESET_TEMPLATE_ID" => self.tencent_sms_reset_template_id = Some(value),
            "TENCENT_SMS_REGION" => self.tencent_sms_region = value,
            "TENCENT_SMS_ENDPOINT" => self.tencent_sms_endpoint = value,
            "QQ_CLIENT_ID" => self.qq_client_id = Some(value),
            "QQ_CLIENT_SECRET" => self.qq_client_secret = Some(value),
            "QQ_REDIRECT_URI" => self.qq_redirect_uri = Some(value),
            "QQ_API_BASE" => self.qq_api_base = value,
            "WECHAT_MP_APPID" => self.wechat_mp_appid = Some(value),
            "WECHAT_MP_SECRET" => self.wechat_mp_secret = Some(value),
            "WECHAT_WEB_APPID" => self.wechat_web_appid = Some(value),
            "WECHAT_WEB_SECRET" => self.wechat_web_secret = Some(value),
            "WECHAT_WEB_REDIRECT_URI" => self.wechat_web_redirect_uri = Some(value),
            "WECHAT_API_BASE" => self.wechat_api_base = value,
            "WECHAT_OPEN_BASE" => self.wechat_open_base = value,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.cors_origins()?;
        self.trusted_proxy_nets()?;
        self.sms_fixed_code_targets()?;
        self.smtp_settings()?;
        self.tencent_sms_settings()?;
        self.qq_settings()?;
        self.wechat_settings()?;
        self.email_fixed_code_targets()?;
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError::Invalid(format!("LOG_FORMAT must be text or json, not {:?}", self.log_format)));
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
        if self.jwt_lifetime_secs == 0 {
            return Err(ConfigError::Invalid("JWT_LIFETIME_SECS must be positive".into()));
        }
        // A zero lifetime would make every find-password step or verification
        // link dead on arrival, which is a typo, not a policy.
        if self.password_reset_token_ttl_secs == 0 {
            return Err(ConfigError::Invalid("PASSWORD_RESET_TOKEN_TTL_SECS must be positive".into()));
        }
        if self.email_verification_ttl_secs == 0 {
            return Err(ConfigError::Invalid("EMAIL_VERIFICATION_TTL_SECS must be positive".into()));
        }
        if self.outbox_max_attempts == 0 {
            return Err(ConfigError::Invalid("OUTBOX_MAX_ATTEMPTS must be at least 1".into()));
        }
        if self.code_max_attempts == 0 {
            return Err(ConfigError::Invalid("CODE_MAX_ATTEMPTS must be at least 1".into()));
        }
        if let Some(url) = self.redis_url()
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(ConfigError::Invalid(format!(
                "REDIS_URL must start with redis:// or rediss://, got {}",
                redact_url(url)
            )));
        }
        let url = self.database_url();
        if DatabaseKind::of_url(&url).is_none() {
            return Err(ConfigError::Invalid(format!(
                "DATABASE_URL must start with sqlite: or postgres://, got {}",
                redact_url(&url)
            )));
        }
        Ok(())
    }

    /// The database URL, defaulting to the SQLite file in `DATA_DIR`.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("accounts.db").display()))
    }

    /// The Redis URL, when one is configured.
    pub fn redis_url(&self) -> Option<&str> {
        self.redis_url.as_deref().map(str::trim).filter(|url| !url.is_empty())
    }

    /// The embedded mode: a local SQLite file and in-process cache, where a
    /// missing JWT secret may be generated.
    pub fn is_embedded(&self) -> bool {
        DatabaseKind::of_url(&self.database_url()) == Some(DatabaseKind::Sqlite)
    }

    pub fn cors_origins(&self) -> Result<Vec<salvo::http::HeaderValue>, ConfigError> {
        split_list(&self.cors_allowed_origins)
            .map(|origin| {
                if origin == "*" {
                    return Err(ConfigError::Invalid(
                        "CORS_ALLOWED_ORIGINS cannot be * (credentials are allowed); list the origins".into(),
                    ));
                }
                if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                    return Err(ConfigError::Invalid(format!(
                        "CORS origin {origin:?} must start with http:// or https://"
                    )));
                }
                salvo::http::HeaderValue::from_str(origin.trim_end_matches('/'))
                    .map_err(|_| ConfigError::Invalid(format!("CORS origin {origin:?} is not a valid header value")))
            })
            .collect()
    }

    /// The SMTP settings when `SMTP_HOST` is set; `None` means the development mail adapter.
    pub fn smtp_settings(&self) -> Result<Option<SmtpSettings>, ConfigError> {
        let Some(host) = non_empty(&self.smtp_host) else { return Ok(None) };
        let tls = SmtpTls::parse(&self.smtp_tls).ok_or_else(|| {
            ConfigError::Invalid(format!("SMTP_TLS must be none, starttls or tls, not {:?}", self.smtp_tls))
        })?;
        Ok(Some(SmtpSettings {
            host: host.to_owned(),
            port: self.smtp_port,
            tls,
            username: non_empty(&self.smtp_username).map(str::to_owned),
            password: non_empty(&self.smtp_password).map(str::to_owned),
            from: self.mail_from.clone(),
            timeout: Duration::from_secs(self.smtp_timeout_secs),
            code_valid_minutes: self.code_valid_minutes(),
        }))
    }

    /// The Tencent Cloud SMS settings when `SMS_PROVIDER=tencent`; `None` for the development adapter.
    pub fn tencent_sms_settings(&self) -> Result<Option<TencentSmsSettings>, ConfigError> {
        match self.sms_provider.trim() {
            "" | "dev" => return Ok(None),
            "tencent" => {}
            "aliyun" => {
                return Err(ConfigError::Invalid(
                    "SMS_PROVIDER=aliyun is not available yet; use tencent or dev".into(),
                ));
            }
            other => {
                return Err(ConfigError::Invalid(format!("SMS_PROVIDER must be dev or tencent, not {other:?}")));
            }
        }
        let required = |value: &Option<String>, name: &str| {
            non_empty(value)
                .map(str::to_owned)
                .ok_or_else(|| ConfigError::Invalid(format!("SMS_PROVIDER=tencent needs {name}")))
        };
        let mut settings = TencentSmsSettings::new(
            required(&self.tencent_sms_secret_id, "TENCENT_SMS_SECRET_ID")?,
            required(&self.tencent_sms_secret_key, "TENCENT_SMS_SECRET_KEY")?,
            required(&self.tencent_sms_sdk_app_id, "TENCENT_SMS_SDK_APP_ID")?,
            required(&self.tencent_sms_sign_name, "TENCENT_SMS_SIGN_NAME")?,
            required(&self.tencent_sms_register_template_id, "TENCENT_SMS_REGISTER_TEMPLATE_ID")?,
            required(&self.tencent_sms_reset_template_id, "TENCENT_SMS_RESET_TEMPLATE_ID")?,
        );
        settings.region = self.tencent_sms_region.trim().to_owned();
        settings.endpoint = self.tencent_sms_endpoint.trim().to_owned();
        settings.timeout = Duration::from_secs(self.sms_timeout_secs);
        settings.code_valid_minutes = self.code_valid_minutes();
        Ok(Some(settings))
    }

    /// The QQ Connect settings when `QQ_CLIENT_ID` is set; `None` turns QQ login off.
    pub fn qq_settings(&self) -> Result<Option<QqSettings>, ConfigError> {
        let Some(client_id) = non_empty(&self.qq_client_id) else { return Ok(None) };
        let required = |value: &Option<String>, name: &str| {
            non_empty(value)
                .map(str::to_owned)
                .ok_or_else(|| ConfigError::Invalid(format!("QQ_CLIENT_ID is set, so {name} is required")))
        };
        let mut settings = QqSettings::new(
            client_id,
            required(&self.qq_client_secret, "QQ_CLIENT_SECRET")?,
            required(&self.qq_redirect_uri, "QQ_REDIRECT_URI")?,
        );
        settings.api_base = self.qq_api_base.trim().to_owned();
        settings.timeout = Duration::from_secs(self.qq_timeout_secs.max(1));
        settings.mobile_display = self.qq_mobile_display;
        Ok(Some(settings))
    }

    /// The WeChat settings when a mini-program or a website app is configured; `None` turns WeChat login off.
    pub fn wechat_settings(&self) -> Result<Option<WeChatSettings>, ConfigError> {
        let mut settings = WeChatSettings::new();
        if let Some(app_id) = non_empty(&self.wechat_mp_appid) {
            let secret = non_empty(&self.wechat_mp_secret).ok_or_else(|| {
                ConfigError::Invalid("WECHAT_MP_APPID is set, so WECHAT_MP_SECRET is required".into())
            })?;
            settings = settings.with_mini_program(app_id, secret);
        }
        if let Some(app_id) = non_empty(&self.wechat_web_appid) {
            let missing = |name: &str| ConfigError::Invalid(format!("WECHAT_WEB_APPID is set, so {name} is required"));
            let secret = non_empty(&self.wechat_web_secret).ok_or_else(|| missing("WECHAT_WEB_SECRET"))?;
            let redirect =
                non_empty(&self.wechat_web_redirect_uri).ok_or_else(|| missing("WECHAT_WEB_REDIRECT_URI"))?;
            settings = settings.with_website(app_id, secret, redirect);
        }
        if !settings.has_mini_program() && !settings.has_website() {
            return Ok(None);
        }
        settings.api_base = self.wechat_api_base.trim().to_owned();
        settings.open_base = self.wechat_open_base.trim().to_owned();
        settings.timeout = Duration::from_secs(self.wechat_timeout_secs.max(1));
        Ok(Some(settings))
    }

    /// What messages tell people about a code's validity, rounded up to whole minutes.
    fn code_valid_minutes(&self) -> u32 {
        u32::try_from(self.code_ttl_secs.div_ceil(60)).unwrap_or(u32::MAX).max(1)
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
        if split_list(&self.trusted_proxies).next().is_some() {
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

    pub fn trusted_proxy_nets(&self) -> Result<Vec<IpNet>, ConfigError> {
        ip_nets("TRUSTED_PROXIES", &self.trusted_proxies)
    }

    /// `METRICS_ALLOW`: who may read `GET /metrics`.
    pub fn metrics_allow_nets(&self) -> Result<Vec<IpNet>, ConfigError> {
        ip_nets("METRICS_ALLOW", &self.metrics_allow)
    }
}

fn ip_nets(name: &str, list: &str) -> Result<Vec<IpNet>, ConfigError> {
    split_list(list)
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError::Invalid(format!("{name} entry {entry:?} is not an address or CIDR")))
        })
        .collect()
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty())
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
mod tests {
    use super::*;

    fn tencent() -> Config {
        Config {
            sms_provider: "tencent".into(),
            tencent_sms_secret_id: Some("AKIDexample".into()),
            tencent_sms_secret_key: Some("secret-key".into()),
            tencent_sms_sdk_app_id: Some("1400006666".into()),
            tencent_sms_sign_name: Some("美多商城".into()),
            tencent_sms_register_template_id: Some("449739".into()),
            tencent_sms_reset_template_id: Some("449740".into()),
            code_ttl_secs: 600,
            ..Config::default()
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
            smtp_tls: "TLS".into(),
            smtp_username: Some("mailer".into()),
            smtp_password: Some("secret".into()),
            code_ttl_secs: 90,
            ..Config::default()
        };
        let settings = config.smtp_settings().unwrap().unwrap();
        assert_eq!((settings.host.as_str(), settings.port, settings.tls), ("smtp.example.com", 465, SmtpTls::Tls));
        assert_eq!((settings.username.as_deref(), settings.code_valid_minutes), (Some("mailer"), 2));
        let bad = Config { smtp_tls: "ssl".into(), ..config };
        assert!(matches!(bad.smtp_settings(), Err(ConfigError::Invalid(message)) if message.contains("SMTP_TLS")));
    }

    #[test]
    fn tencent_settings_need_every_key_and_refuse_unknown_providers() {
        let settings = tencent().tencent_sms_settings().unwrap().unwrap();
        assert_eq!((settings.sdk_app_id.as_str(), settings.code_valid_minutes), ("1400006666", 10));
        let missing = Config { tencent_sms_secret_key: Some("  ".into()), ..tencent() };
        assert!(
            matches!(missing.tencent_sms_settings(), Err(ConfigError::Invalid(m)) if m.contains("TENCENT_SMS_SECRET_KEY"))
        );
        for provider in ["aliyun", "twilio"] {
            let other = Config { sms_provider: provider.into(), ..tencent() };
            assert!(matches!(other.tencent_sms_settings(), Err(ConfigError::Invalid(m)) if m.contains("SMS_PROVIDER")));
        }
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
        let proxied = Config { dev_outbox: Some(true), trusted_proxies: "10.0.0.1".into(), ..Config::default() };
        assert!(!on(&proxied, true, true));
    }
}
