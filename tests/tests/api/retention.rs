//! The retention job of a running server.

use std::time::Duration;

use chrono::{TimeDelta, Utc};

use crate::support::spawn_app_with;

/// Audit events past `AUDIT_RETENTION_DAYS` disappear within a round of the job; recent ones stay.
#[tokio::test]
async fn the_retention_worker_removes_old_audit_events_and_keeps_recent_ones() {
    let app = spawn_app_with(|config| {
        config.audit_retention_days = Some(Duration::from_secs(30 * 24 * 60 * 60));
        config.retention_interval_secs = Duration::from_secs(1);
    })
    .await;
    let database = app.database().await;
    for (event, age) in [("old", TimeDelta::days(31)), ("recent", TimeDelta::days(29))] {
        sqlx::query("INSERT INTO audit_events (event, ip, created_at) VALUES ($1, '127.0.0.1', $2)")
            .bind(event)
            .bind(Utc::now() - age)
            .execute(&database)
            .await
            .unwrap();
    }

    let mut left: Vec<String> = Vec::new();
    for _ in 0..50 {
        left = sqlx::query_scalar("SELECT event FROM audit_events ORDER BY id").fetch_all(&database).await.unwrap();
        if left == ["recent"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert_eq!(left, ["recent"]);
}
