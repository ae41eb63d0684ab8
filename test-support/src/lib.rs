//! Shared by the adapters' tests, bootstrap's tests and the acceptance suites: fresh,
//! isolated backends, and fakes of the third-party providers.
//!
//! PostgreSQL and Redis come from `TEST_DATABASE_URL` and `TEST_REDIS_URL` ([`backends`]).
//! When one is not set, tests that need it are skipped with a message on
//! stderr, unless `REQUIRE_BACKENDS=1` (set by `.ci/run`), which turns the
//! missing service into a failure.
//!
//! Stand-ins for the message providers, used by the adapters' tests and the HTTP
//! tests alike: [`smtp_sink`] (an SMTP server), [`fake_aliyun_sms`], [`fake_tencent_sms`], [`fake_qq`] and [`fake_wechat`].
//! [`captured_logs`] shows what an adapter or the server logged, to check what it never logs.
//! [`tcp_proxy`] cuts a backend's connections for one test (an HTTP outage, a cache that must go deaf);
//! [`redis_cluster`] is a Redis Cluster of a test's own, whose masters it may kill; [`redis_sentinel`] a
//! master, a replica and a Sentinel.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

pub mod accounts;
pub mod backends;
pub mod captured_logs;
pub mod fake_aliyun_sms;
pub mod fake_qq;
pub mod fake_tencent_sms;
pub mod fake_wechat;
pub mod loopback_server;
mod redis_binaries;
pub mod redis_cluster;
pub mod redis_sentinel;
pub mod smtp_sink;
pub mod tcp_proxy;
