use std::collections::HashSet;

use application::ports::RepoError;
use async_trait::async_trait;
use domain::UserId;
use sqlx::Row;

use super::sql_error::repo_error;
use application::ports::{AccountChange, AccountChangeLog, TakenNameRow};

/// How many changes one read of the SQLite log takes at most; the follower
/// reads again at once when a read came back full.
const SQLITE_PAGE: i64 = 1_000;

fn change_from_row<R>(row: &R) -> Result<AccountChange, RepoError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let get = |e: sqlx::Error| RepoError::Other(e.to_string());
    let user = UserId(row.try_get("user_id").map_err(get)?);
    let username: Option<String> = row.try_get("username").map_err(get)?;
    let names = match username {
        Some(username) => Some(TakenNameRow {
            id: user.0,
            username,
            mobile: row.try_get("mobile").map_err(get)?,
            email: row.try_get("email").map_err(get)?,
        }),
        None => None,
    };
    Ok(AccountChange { user, names })
}

/// The account-change log in SQLite. SQLite lets one writer in at a time, so
/// sequence numbers are handed out in commit order and a cursor on the last
/// one read misses nothing.
pub struct SqliteAccountChangeLog {
    pool: sqlx::SqlitePool,
    after: i64,
}

impl SqliteAccountChangeLog {
    pub fn new(pool: sqlx::SqlitePool) -> Self {
        Self { pool, after: i64::MAX }
    }
}

#[async_trait]
impl AccountChangeLog for SqliteAccountChangeLog {
    async fn open(&mut self) -> Result<(), RepoError> {
        self.after = sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM account_changes")
            .fetch_one(&self.pool)
            .await
            .map_err(repo_error)?;
        Ok(())
    }

    async fn read(&mut self) -> Result<Vec<AccountChange>, RepoError> {
        let mut changes = Vec::new();
        loop {
            let rows = sqlx::query(
                "SELECT c.seq, c.user_id, u.username, u.mobile, u.email FROM account_changes c \
                 LEFT JOIN users u ON u.id = c.user_id WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
            )
            .bind(self.after)
            .bind(SQLITE_PAGE)
            .fetch_all(&self.pool)
            .await
            .map_err(repo_error)?;
            for row in &rows {
                changes.push(change_from_row(row)?);
                self.after = row.try_get("seq").map_err(|e| RepoError::Other(e.to_string()))?;
            }
            if rows.len() < usize::try_from(SQLITE_PAGE).unwrap_or(usize::MAX) {
                return Ok(changes);
            }
        }
    }
}

/// The account-change log in PostgreSQL. Sequence numbers are handed out in
/// the order rows are written, not committed: a change with a lower number
/// may commit after one with a higher number was read. So each row carries
/// its transaction id, and a read takes every row of the transactions that
/// were not yet finished at the previous read (the previous snapshot's
/// `xmin`: every transaction below it had ended), skipping the ones already
/// applied. No time window is assumed, however long a transaction lasts.
pub struct PostgresAccountChangeLog {
    pool: crate::PostgresPool,
    /// `xmin` of the previous read's snapshot, as text (`xid8`).
    horizon: String,
    /// Rows at or above `horizon` that were applied already.
    applied: HashSet<i64>,
}

impl PostgresAccountChangeLog {
    pub fn new(pool: crate::PostgresPool) -> Self {
        Self { pool, horizon: String::new(), applied: HashSet::new() }
    }
}

#[async_trait]
impl AccountChangeLog for PostgresAccountChangeLog {
    async fn open(&mut self) -> Result<(), RepoError> {
        self.horizon = sqlx::query_scalar::<_, String>("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
            .fetch_one(&self.pool)
            .await
            .map_err(repo_error)?;
        self.applied.clear();
        Ok(())
    }

    async fn read(&mut self) -> Result<Vec<AccountChange>, RepoError> {
        // One statement, one snapshot: the rows and the horizon agree.
        let rows = sqlx::query(
            "SELECT h.xmin::text AS horizon, c.seq, c.user_id, u.username, u.mobile, u.email \
             FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) h \
             LEFT JOIN account_changes c ON c.tx >= $1::text::xid8 \
             LEFT JOIN users u ON u.id = c.user_id ORDER BY c.seq",
        )
        .bind(&self.horizon)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_error)?;
        let get = |e: sqlx::Error| RepoError::Other(e.to_string());
        let mut changes = Vec::new();
        let mut still_open = HashSet::new();
        let mut horizon = None;
        for row in &rows {
            horizon = Some(row.try_get::<String, _>("horizon").map_err(get)?);
            let Some(seq) = row.try_get::<Option<i64>, _>("seq").map_err(get)? else { continue };
            still_open.insert(seq);
            if !self.applied.contains(&seq) {
                changes.push(change_from_row(row)?);
            }
        }
        if let Some(horizon) = horizon {
            self.horizon = horizon;
        }
        // A row not returned now is below the new horizon and never will be again.
        self.applied = still_open;
        Ok(changes)
    }
}
