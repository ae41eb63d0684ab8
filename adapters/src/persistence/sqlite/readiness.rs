use application::Backend;
use application::ports::ReadinessProbe;
use async_trait::async_trait;
use sqlx::sqlite::SqlitePool;

/// Answers whether the SQLite database takes a query.
pub struct SqliteReadiness {
    pool: SqlitePool,
}

impl SqliteReadiness {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl ReadinessProbe for SqliteReadiness {
    fn backend(&self) -> Backend {
        Backend::Database
    }

    async fn ping(&self) -> Result<(), String> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ()).map_err(|e| e.to_string())
    }
}
