//! Black-box tests: each starts the real server and drives it over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

mod account_deletion;
mod aliyun_sms;
mod captchas;
mod classic_oauth_page;
mod client_ip;
mod conventions;
mod dev_outbox;
mod email_binding;
mod email_codes;
mod failures;
mod journey;
mod login_bursts;
mod metrics;
mod password_change;
mod password_reset;
mod personal_data;
mod production_backends;
mod profile;
mod qq_login;
mod readiness;
mod real_providers;
mod redis_failover;
mod redis_server;
mod registration;
mod retention;
mod session_races;
mod sessions;
mod signed_in_sessions;
mod signing_keys;
mod sms_login;
mod support;
mod through_pgbouncer;
mod verification;
mod wechat_login;
mod wechat_web_login;
