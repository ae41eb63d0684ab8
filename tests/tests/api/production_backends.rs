//! The Foundation journey on PostgreSQL and Redis, and the limits that must
//! hold under simultaneous requests there: once on PostgreSQL and one Redis,
//! once on PostgreSQL through PgBouncer in transaction mode and a six-node
//! Redis Cluster (where every script must touch one slot, and guarding writes
//! are confirmed by a replica).

use std::time::Duration;

use bootstrap::config::DatabasePooler;
use reqwest::StatusCode;
use test_support::backends::{backend_url, fresh_pooled_postgres, fresh_postgres_url};

use crate::account_deletion::{
    assert_a_deleted_account_is_erased_and_its_names_register_again,
    assert_a_sign_in_within_the_cooling_off_restores_the_account, quick_erasure_config,
};
use crate::captchas::{assert_a_captcha_burst_gets_exactly_the_limit_through, captcha_burst_config};
use crate::email_binding::assert_accounts_verifying_one_address_at_once_give_one_owner;
use crate::login_bursts::{
    assert_a_burst_for_one_account_gets_exactly_the_allowed_failures,
    assert_a_burst_from_one_address_gets_exactly_the_allowed_failures, assert_a_burst_of_right_passwords_all_log_in,
    assert_a_lock_through_one_name_does_not_show_through_another, patient_config,
};
use crate::password_reset::assert_simultaneous_uses_of_one_step_token_let_exactly_one_through;
use crate::signed_in_sessions::{
    assert_the_sign_in_history_shows_sign_ins_refusals_and_refreshes_newest_first,
    assert_two_sessions_from_two_devices_are_listed_and_ending_one_leaves_the_other,
};
use crate::sms_login::{
    assert_simultaneous_first_sign_ins_open_one_account,
    assert_six_simultaneous_wrong_codes_evaluate_at_most_the_attempts,
    assert_sms_sign_in_of_a_registered_and_of_a_new_mobile,
    assert_wrong_codes_from_one_address_are_limited_with_its_passwords,
};
use crate::support::{TestApp, body, spawn_app_with};

/// How the production backends are laid out.
#[derive(Debug, Clone, Copy)]
pub enum Topology {
    /// PostgreSQL directly (`TEST_DATABASE_URL`) and one Redis server (`TEST_REDIS_URL`).
    OneRedis,
    /// PostgreSQL through PgBouncer in transaction mode (`TEST_POOLED_DATABASE_URL`,
    /// migrated over the direct connection first) and a Redis Cluster of three
    /// masters and three replicas (`TEST_REDIS_CLUSTER_URL`) with
    /// `REDIS_WAIT_REPLICAS=1`.
    ClusterThroughPgBouncer,
}

/// A server on a fresh PostgreSQL schema and a fresh Redis key prefix.
pub async fn spawn_production_app(test: &str) -> Option<TestApp> {
    spawn_production_app_with(test, |_| {}).await
}

/// [`spawn_production_app`] with the test defaults changed by `configure`.
pub async fn spawn_production_app_with(test: &str, configure: impl FnOnce(&mut bootstrap::Config)) -> Option<TestApp> {
    spawn_app_on(Topology::OneRedis, test, configure).await
}

/// A server on `topology`, with the test defaults changed by `configure`.
pub async fn spawn_app_on(
    topology: Topology,
    test: &str,
    configure: impl FnOnce(&mut bootstrap::Config),
) -> Option<TestApp> {
    let admin = backend_url("TEST_DATABASE_URL", test)?;
    let (database, redis) = match topology {
        Topology::OneRedis => (fresh_postgres_url(&admin, "api").await, backend_url("TEST_REDIS_URL", test)?),
        Topology::ClusterThroughPgBouncer => {
            let pooled = backend_url("TEST_POOLED_DATABASE_URL", test)?;
            let redis = backend_url("TEST_REDIS_CLUSTER_URL", test)?;
            let database = fresh_pooled_postgres(&admin, &pooled, "api_pooled").await;
            let direct = storage::Database::connect(&database.direct_url, Duration::from_secs(5)).await.unwrap();
            direct.migrate().await.unwrap();
            direct.close().await;
            (database.pooled_url, redis)
        }
    };
    Some(
        spawn_app_with(|config| {
            config.database_url = Some(database.into());
            config.redis_url = Some(redis.into());
            config.redis_key_prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
            if let Topology::ClusterThroughPgBouncer = topology {
                config.database_pooler = DatabasePooler::Transaction;
                config.auto_migrate = false;
                config.database_max_connections = 16;
                config.redis_wait_replicas = 1;
                // Healthy replicas, perhaps slow on a machine busy with the other suites.
                config.redis_wait_timeout_ms = Duration::from_secs(1);
            }
            configure(config);
        })
        .await,
    )
}

/// Each test once per topology, in a module named after it.
macro_rules! on_each_topology {
    ($($test:ident),* $(,)?) => {
        mod one_redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(super::Topology::OneRedis).await;
                }
            )*
        }
        mod cluster_through_pgbouncer {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(super::Topology::ClusterThroughPgBouncer).await;
                }
            )*
        }
    };
}

on_each_topology!(
    register_log_in_and_read_the_user_on_postgres_and_redis,
    twenty_concurrent_registrations_of_one_username_give_one_account_on_postgres,
    a_burst_for_one_account_gets_exactly_the_allowed_failures_on_postgres_and_redis,
    a_burst_of_right_passwords_all_log_in_on_postgres_and_redis,
    a_lock_through_one_name_does_not_show_through_another_on_postgres_and_redis,
    a_burst_from_one_address_gets_exactly_the_allowed_failures_on_postgres_and_redis,
    a_captcha_burst_gets_exactly_the_limit_through_on_redis,
    simultaneous_uses_of_one_step_token_let_exactly_one_through_on_postgres_and_redis,
    accounts_verifying_one_address_at_once_give_one_owner_on_postgres,
    sessions_are_listed_and_ended_and_sign_ins_shown_on_postgres_and_redis,
    sms_sign_in_of_a_registered_and_of_a_new_mobile_on_postgres_and_redis,
    six_simultaneous_wrong_sms_codes_evaluate_at_most_the_attempts_on_redis,
    wrong_sms_codes_from_one_address_are_limited_on_redis,
    simultaneous_first_sms_sign_ins_open_one_account_on_postgres_and_redis,
    a_deleted_account_is_erased_and_its_names_register_again_on_postgres_and_redis,
    a_sign_in_within_the_cooling_off_restores_the_account_on_postgres_and_redis,
);

async fn sessions_are_listed_and_ended_and_sign_ins_shown_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::sessions", |_| {}).await else { return };
    assert_two_sessions_from_two_devices_are_listed_and_ending_one_leaves_the_other(&app).await;
    let Some(app) = spawn_app_on(topology, "production_backends::sign_ins", |_| {}).await else { return };
    assert_the_sign_in_history_shows_sign_ins_refusals_and_refreshes_newest_first(&app).await;
}

async fn a_deleted_account_is_erased_and_its_names_register_again_on_postgres_and_redis(topology: Topology) {
    let test = "production_backends::deletion";
    let Some(app) = spawn_app_on(topology, test, quick_erasure_config).await else { return };
    assert_a_deleted_account_is_erased_and_its_names_register_again(&app).await;
}

async fn a_sign_in_within_the_cooling_off_restores_the_account_on_postgres_and_redis(topology: Topology) {
    let test = "production_backends::restore";
    let Some(app) = spawn_app_on(topology, test, |config| {
        quick_erasure_config(config);
        config.account_deletion_cooling_off_secs = Duration::from_secs(2);
    })
    .await
    else {
        return;
    };
    assert_a_sign_in_within_the_cooling_off_restores_the_account(&app).await;
}

async fn register_log_in_and_read_the_user_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::journey", |_| {}).await else { return };
    let registered = app.register("alice", "13800138000").await;
    assert_eq!(body(app.get("/usernames/ALICE/count/").await).await["count"], 1);
    let login = body(app.log_in("13800138000", "correct-horse").await).await;
    assert_eq!(login["user_id"], registered["id"]);
    let me = app
        .client
        .get(app.url("/user/"))
        .header("Authorization", format!("JWT {}", login["token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(body(me).await["username"], "alice");
    // The resend limit lives in Redis.
    assert_eq!(app.request_sms_code("13800138000").await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body(app.get("/health/ready/").await).await["status"], "ok");
    // The outbox gauges are read from PostgreSQL's table.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"accounts_outbox_messages{status="dead"} 0"#), "{metrics}");
}

async fn twenty_concurrent_registrations_of_one_username_give_one_account_on_postgres(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::concurrent_registrations", |_| {}).await else {
        return;
    };
    app.assert_one_of_concurrent_registrations_wins(20).await;
}

async fn a_burst_for_one_account_gets_exactly_the_allowed_failures_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::account_burst", |_| {}).await else { return };
    assert_a_burst_for_one_account_gets_exactly_the_allowed_failures(&app).await;
}

async fn a_burst_of_right_passwords_all_log_in_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::right_password_burst", patient_config).await else {
        return;
    };
    assert_a_burst_of_right_passwords_all_log_in(&app).await;
}

async fn a_lock_through_one_name_does_not_show_through_another_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::lock_per_name", |_| {}).await else { return };
    assert_a_lock_through_one_name_does_not_show_through_another(&app).await;
}

async fn a_burst_from_one_address_gets_exactly_the_allowed_failures_on_postgres_and_redis(topology: Topology) {
    let Some(app) =
        spawn_app_on(topology, "production_backends::address_burst", |config| config.login_ip_failures = 3).await
    else {
        return;
    };
    assert_a_burst_from_one_address_gets_exactly_the_allowed_failures(&app).await;
}

async fn a_captcha_burst_gets_exactly_the_limit_through_on_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::captcha_burst", captcha_burst_config).await else {
        return;
    };
    assert_a_captcha_burst_gets_exactly_the_limit_through(&app).await;
}

async fn simultaneous_uses_of_one_step_token_let_exactly_one_through_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::step_token_race", |config| {
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await
    else {
        return;
    };
    assert_simultaneous_uses_of_one_step_token_let_exactly_one_through(&app).await;
}

async fn accounts_verifying_one_address_at_once_give_one_owner_on_postgres(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::verification_race", |config| {
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await
    else {
        return;
    };
    assert_accounts_verifying_one_address_at_once_give_one_owner(&app).await;
}

async fn sms_sign_in_of_a_registered_and_of_a_new_mobile_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::sms_sign_in", |config| {
        config.code_resend_interval_secs = Duration::from_secs(0);
    })
    .await
    else {
        return;
    };
    assert_sms_sign_in_of_a_registered_and_of_a_new_mobile(&app).await;
}

async fn six_simultaneous_wrong_sms_codes_evaluate_at_most_the_attempts_on_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::sms_code_burst", |_| {}).await else { return };
    assert_six_simultaneous_wrong_codes_evaluate_at_most_the_attempts(&app).await;
}

async fn wrong_sms_codes_from_one_address_are_limited_on_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::sms_address_burst", |config| {
        config.login_ip_failures = 3;
        config.code_ip_hourly_limit = 0;
    })
    .await
    else {
        return;
    };
    assert_wrong_codes_from_one_address_are_limited_with_its_passwords(&app).await;
}

async fn simultaneous_first_sms_sign_ins_open_one_account_on_postgres_and_redis(topology: Topology) {
    let Some(app) = spawn_app_on(topology, "production_backends::sms_first_sign_ins", |_| {}).await else { return };
    assert_simultaneous_first_sign_ins_open_one_account(&app).await;
}
