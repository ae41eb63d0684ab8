use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use sqlx::postgres::{PgPool, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Either, Execute, Executor, Postgres, SqlSafeStr, SqlStr};

use super::postgres_transaction::PostgresTransaction;
use super::statement_naming::StatementNaming;
use super::unnamed_statement::{UnnamedStatement, preparing_refused};

/// The PostgreSQL connection pool, with how its statements are named. Its
/// reference is an executor like `&PgPool`'s: with named statements it is
/// exactly that; with unnamed ones each statement runs in a transaction of
/// its own, its rows collected before the commit.
#[derive(Debug, Clone)]
pub struct PostgresPool {
    pool: PgPool,
    naming: StatementNaming,
}

impl PostgresPool {
    pub fn new(pool: PgPool, naming: StatementNaming) -> Self {
        Self { pool, naming }
    }

    pub fn naming(&self) -> StatementNaming {
        self.naming
    }

    /// The pool itself, for what runs outside the stores: migrations, closing,
    /// its options.
    pub(crate) fn pg_pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn begin(&self) -> Result<PostgresTransaction, sqlx::Error> {
        Ok(PostgresTransaction::new(self.pool.begin().await?, self.naming))
    }

    /// A transaction opened by `statement` instead of `BEGIN`.
    pub async fn begin_with(&self, statement: impl SqlSafeStr) -> Result<PostgresTransaction, sqlx::Error> {
        Ok(PostgresTransaction::new(self.pool.begin_with(statement).await?, self.naming))
    }
}

impl<'p> Executor<'p> for &'_ PostgresPool {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        match self.naming {
            StatementNaming::Named => self.pool.fetch_many(query),
            StatementNaming::Unnamed => {
                let pool = self.pool.clone();
                stream::once(async move {
                    let mut transaction = pool.begin().await?;
                    let results: Vec<_> = transaction.fetch_many(UnnamedStatement(query)).try_collect().await?;
                    transaction.commit().await?;
                    Ok::<_, sqlx::Error>(stream::iter(results.into_iter().map(Ok)))
                })
                .try_flatten()
                .boxed()
            }
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        match self.naming {
            StatementNaming::Named => self.pool.fetch_optional(query),
            StatementNaming::Unnamed => {
                let pool = self.pool.clone();
                Box::pin(async move {
                    let mut transaction = pool.begin().await?;
                    let row = transaction.fetch_optional(UnnamedStatement(query)).await?;
                    transaction.commit().await?;
                    Ok(row)
                })
            }
        }
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement, sqlx::Error>>
    where
        'p: 'e,
    {
        match self.naming {
            StatementNaming::Named => self.pool.prepare_with(sql, parameters),
            StatementNaming::Unnamed => Box::pin(async { Err(preparing_refused()) }),
        }
    }
}
