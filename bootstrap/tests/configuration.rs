//! Every declared setting reaches the configuration from its environment
//! variable and from its TOML key, and docs/configuration.md documents exactly these.

// Jail's closures must return figment's large error; it is not ours to box.
#![allow(clippy::result_large_err)]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::collections::BTreeSet;

use bootstrap::Config;
use bootstrap::config::{CONFIGURATION_TABLE_HEADER, SECRET_MASK, SETTINGS, configuration_table};
use figment::Jail;
use secrecy::ExposeSecret;
use serde_json::Value;

/// A valid value other than the default for every setting, as a user would write it.
/// Digits in text settings check that they stay text.
const SAMPLES: &[(&str, &str)] = &[
    ("BIND_ADDR", "0.0.0.0:9000"),
    ("DATA_DIR", "/var/lib/meiduo-accounts"),
    ("DATABASE_URL", "postgres://accounts@db-host:6432/accounts"),
    ("REDIS_URL", "redis://cache-host:6379"),
    ("REDIS_KEY_PREFIX", "shop:accounts:"),
    ("CACHE_TIMEOUT_MS", "1500"),
    ("REDIS_WAIT_REPLICAS", "1"),
    ("REDIS_WAIT_TIMEOUT_MS", "250"),
    ("JWT_SECRET", "12345678901234567890123456789012"),
    ("JWT_ALGORITHM", "EdDSA"),
    ("JWT_PRIVATE_KEY_FILE", "/etc/meiduo-accounts/jwt_key.pem"),
    ("JWT_VERIFY_KEY_FILES", "/etc/meiduo-accounts/2025.pub.pem,/etc/meiduo-accounts/2026.pub.pem"),
    ("JWT_LIFETIME_SECS", "7200"),
    ("JWT_ISSUER", "accounts.example.com"),
    ("JWT_AUDIENCE", "2024"),
    ("REFRESH_TOKEN_LIFETIME_SECS", "86400"),
    ("REFRESH_REUSE_GRACE_SECS", "3"),
    ("CORS_ALLOWED_ORIGINS", "https://www.meiduo.site"),
    ("TRUSTED_PROXIES", "10.0.0.1"),
    ("METRICS_ALLOW", "10.0.0.0/8"),
    ("RUST_LOG", "warn"),
    ("LOG_FORMAT", "json"),
    ("MAX_BODY_BYTES", "1024"),
    ("DATABASE_TIMEOUT_SECS", "2"),
    ("DATABASE_MAX_CONNECTIONS", "4"),
    // Needs the PostgreSQL URL above: SQLite has no pooler.
    ("DATABASE_POOLER", "transaction"),
    ("PASSWORD_HASH_CONCURRENCY", "3"),
    ("PASSWORD_HASH_NICENESS", "5"),
    ("DJANGO_HASH_ITERATIONS", "260000"),
    ("CAPTCHA_TTL_SECS", "120"),
    ("CAPTCHA_IP_PER_MINUTE", "0"),
    ("CAPTCHA_RENDER_CONCURRENCY", "2"),
    ("MEMORY_CACHE_CAPACITY", "5000"),
    ("ACCOUNT_CACHE_CAPACITY", "500"),
    ("ACCOUNT_CACHE_TTL_SECS", "30"),
    ("TAKEN_NAMES_FILTER_ENTRIES", "5000"),
    ("DEV_OUTBOX", "false"),
    ("CODE_TTL_SECS", "600"),
    ("CODE_RESEND_INTERVAL_SECS", "0"),
    ("CODE_DAILY_LIMIT", "3"),
    ("CODE_IP_HOURLY_LIMIT", "0"),
    ("CODE_MAX_ATTEMPTS", "3"),
    ("SMS_TEST_NUMBERS", "1990000*=246810"),
    ("EMAIL_TEST_ADDRESSES", "qa@example.com=135790"),
    ("PASSWORD_RESET_TOKEN_TTL_SECS", "600"),
    ("EMAIL_VERIFICATION_TTL_SECS", "3600"),
    ("EMAIL_VERIFICATION_URL", "https://www.meiduo.site/success_verify_email.html"),
    ("SMTP_HOST", "smtp.example.com"),
    ("SMTP_PORT", "465"),
    ("SMTP_TLS", "tls"),
    ("SMTP_USERNAME", "mailer"),
    ("SMTP_PASSWORD", "000111"),
    ("MAIL_FROM", "no-reply@example.com"),
    ("SMTP_TIMEOUT_SECS", "20"),
    ("SMS_PROVIDER", "aliyun,tencent"),
    ("ALIYUN_ACCESS_KEY_ID", "LTAIexample"),
    ("ALIYUN_ACCESS_KEY_SECRET", "0123456789"),
    ("ALIYUN_SMS_SIGN_NAME", "美多商城"),
    ("ALIYUN_SMS_REGISTER_TEMPLATE_CODE", "SMS_100001"),
    ("ALIYUN_SMS_RESET_TEMPLATE_CODE", "SMS_100002"),
    ("ALIYUN_SMS_ENDPOINT", "http://127.0.0.1:9003"),
    ("TENCENT_SMS_SECRET_ID", "AKIDexample"),
    ("TENCENT_SMS_SECRET_KEY", "0123456789"),
    ("TENCENT_SMS_SDK_APP_ID", "1400006666"),
    ("TENCENT_SMS_SIGN_NAME", "美多商城"),
    ("TENCENT_SMS_REGISTER_TEMPLATE_ID", "449739"),
    ("TENCENT_SMS_RESET_TEMPLATE_ID", "449740"),
    ("TENCENT_SMS_REGION", "ap-beijing"),
    ("TENCENT_SMS_ENDPOINT", "http://127.0.0.1:9001"),
    ("SMS_TIMEOUT_SECS", "8"),
    ("QQ_CLIENT_ID", "101474184"),
    ("QQ_CLIENT_SECRET", "c6ce949e04e12ecc909ae6a8b09b637c"),
    ("QQ_REDIRECT_URI", "http://www.meiduo.site:8080/oauth_callback.html"),
    ("QQ_API_BASE", "http://127.0.0.1:9002"),
    ("QQ_MOBILE_DISPLAY", "true"),
    ("QQ_TIMEOUT_SECS", "7"),
    ("WECHAT_MP_APPID", "wx0123456789"),
    ("WECHAT_MP_SECRET", "mp-secret"),
    ("WECHAT_WEB_APPID", "wx9876543210"),
    ("WECHAT_WEB_SECRET", "web-secret"),
    ("WECHAT_WEB_REDIRECT_URI", "https://www.meiduo.site/wechat_callback.html"),
    ("WECHAT_API_BASE", "http://127.0.0.1:9003"),
    ("WECHAT_OPEN_BASE", "http://127.0.0.1:9004"),
    ("WECHAT_TIMEOUT_SECS", "9"),
    ("LOGIN_ACCOUNT_FAILURES", "0"),
    ("LOGIN_ACCOUNT_WINDOW_SECS", "60"),
    ("LOGIN_IP_FAILURES", "100"),
    ("LOGIN_IP_WINDOW_SECS", "120"),
    ("LOGIN_IN_FLIGHT_WAIT_MS", "500"),
    ("SMS_LOGIN_SIGNUP", "false"),
    ("AVAILABILITY_IP_PER_MINUTE", "0"),
    ("SHUTDOWN_GRACE_SECS", "30"),
    ("AUTO_MIGRATE", "false"),
    ("OUTBOX_POLL_MS", "250"),
    ("OUTBOX_MAX_ATTEMPTS", "8"),
    ("OUTBOX_FIRST_BACKOFF_MS", "1000"),
    ("OUTBOX_RETENTION_DAYS", "0"),
    ("AUDIT_RETENTION_DAYS", "30"),
    ("RETENTION_INTERVAL_SECS", "0"),
    ("ACCOUNT_DELETION_COOLING_OFF_SECS", "60"),
];

/// The sample of every declared setting; fails naming settings without one and samples of no setting.
fn samples() -> Vec<(String, &'static str)> {
    let declared: BTreeSet<String> = SETTINGS.iter().map(bootstrap::config::Setting::variable).collect();
    let sampled: BTreeSet<String> = SAMPLES.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(SAMPLES.len(), sampled.len(), "a variable has two samples");
    let unsampled: Vec<_> = declared.difference(&sampled).collect();
    let undeclared: Vec<_> = sampled.difference(&declared).collect();
    assert!(unsampled.is_empty(), "settings without a sample value in SAMPLES: {unsampled:?}");
    assert!(undeclared.is_empty(), "samples of no declared setting: {undeclared:?}");
    SAMPLES.iter().map(|(name, value)| (name.to_lowercase(), *value)).collect()
}

/// A loaded value written back the way the sample was: `false`, `465`, text as it is.
fn as_written(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The value of a secret setting, read through its field: serialised, a secret is only masked.
fn exposed<'a>(config: &'a Config, key: &str) -> Option<&'a str> {
    let secret = match key {
        "jwt_secret" => &config.jwt_secret,
        "smtp_password" => &config.smtp_password,
        "tencent_sms_secret_key" => &config.tencent_sms_secret_key,
        "aliyun_access_key_secret" => &config.aliyun_access_key_secret,
        "qq_client_secret" => &config.qq_client_secret,
        "wechat_mp_secret" => &config.wechat_mp_secret,
        "wechat_web_secret" => &config.wechat_web_secret,
        other => panic!("{other} is a secret this test does not read yet; add its field here"),
    };
    secret.as_ref().map(ExposeSecret::expose_secret)
}

/// Each setting of `loaded` is its sample, which is not the default.
fn assert_every_setting_is_its_sample(loaded: &Config, source: &str) {
    let written = serde_json::to_value(loaded).unwrap();
    let default = serde_json::to_value(Config::default()).unwrap();
    for (key, sample) in samples() {
        assert_ne!(as_written(&default[&key]), sample, "{key}: the sample is the default; pick another");
        if SETTINGS.iter().any(|setting| setting.key == key && setting.secret) {
            assert_eq!(exposed(loaded, &key), Some(sample), "{key} was not read from {source}");
            assert_eq!(written[&key], SECRET_MASK, "{key} is serialised as itself");
        } else {
            assert_eq!(as_written(&written[&key]), sample, "{key} was not read from {source}");
        }
    }
}

#[test]
fn every_setting_is_read_from_its_environment_variable() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        for (key, sample) in samples() {
            jail.set_env(key.to_uppercase(), sample);
        }
        let loaded = Config::load(None).map_err(|error| error.to_string())?;
        assert_every_setting_is_its_sample(&loaded, "the environment");
        Ok(())
    });
}

#[test]
fn every_setting_is_read_from_its_toml_key() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let mut toml = String::new();
        for (key, sample) in samples() {
            let setting = SETTINGS.iter().find(|setting| setting.key == key).unwrap();
            let bare = !setting.verbatim && (sample.parse::<u64>().is_ok() || sample.parse::<bool>().is_ok());
            let value = if bare { sample.to_owned() } else { serde_json::to_string(sample).unwrap() };
            toml.push_str(&format!("{key} = {value}\n"));
        }
        jail.create_file("accounts.toml", &toml)?;
        let loaded = Config::load(Some(&jail.directory().join("accounts.toml"))).map_err(|error| error.to_string())?;
        assert_every_setting_is_its_sample(&loaded, "the TOML file");
        Ok(())
    });
}

#[test]
fn the_configuration_page_documents_exactly_the_declared_settings() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/configuration.md")).unwrap();
    let table: String = page
        .lines()
        .skip_while(|line| *line != CONFIGURATION_TABLE_HEADER)
        .take_while(|line| line.starts_with('|'))
        .map(|line| format!("{line}\n"))
        .collect();
    let variables = |table: &str| -> BTreeSet<String> {
        table
            .lines()
            .skip(2)
            .filter_map(|row| row.split('|').nth(1))
            .map(|cell| cell.trim().trim_matches('`').to_owned())
            .collect()
    };
    let expected = configuration_table();
    let (documented, declared) = (variables(&table), variables(&expected));
    let undocumented: Vec<_> = declared.difference(&documented).collect();
    let undeclared: Vec<_> = documented.difference(&declared).collect();
    assert!(undocumented.is_empty(), "declared but not in docs/configuration.md's table: {undocumented:?}");
    assert!(undeclared.is_empty(), "in docs/configuration.md's table but not declared: {undeclared:?}");
    assert!(
        table == expected,
        "docs/configuration.md's table differs from the declarations; \
         replace it with the output of `meiduo-accounts config-table`:\n{expected}"
    );
}
