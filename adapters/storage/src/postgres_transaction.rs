use std::ops::{Deref, DerefMut};

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::postgres::{PgConnection, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Either, Execute, Executor, Postgres, SqlStr, Transaction};

use super::statement_naming::StatementNaming;
use super::unnamed_statement::{UnnamedStatement, preparing_refused};

/// A transaction of a [`PostgresPool`](super::PostgresPool). As with sqlx's
/// own, `&mut *transaction` is the executor, dropping it uncommitted rolls
/// back, and statements in it are named as the pool's are.
pub struct PostgresTransaction {
    connection: PostgresConnection,
}

/// The connection a [`PostgresTransaction`] holds, with how its statements are named.
pub struct PostgresConnection {
    transaction: Transaction<'static, Postgres>,
    naming: StatementNaming,
}

impl PostgresTransaction {
    pub(crate) fn new(transaction: Transaction<'static, Postgres>, naming: StatementNaming) -> Self {
        Self { connection: PostgresConnection { transaction, naming } }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.connection.transaction.commit().await
    }
}

impl Deref for PostgresTransaction {
    type Target = PostgresConnection;

    fn deref(&self) -> &PostgresConnection {
        &self.connection
    }
}

impl DerefMut for PostgresTransaction {
    fn deref_mut(&mut self) -> &mut PostgresConnection {
        &mut self.connection
    }
}

impl std::fmt::Debug for PostgresConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConnection").field("naming", &self.naming).finish_non_exhaustive()
    }
}

impl<'c> Executor<'c> for &'c mut PostgresConnection {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        let naming = self.naming;
        let connection: &'c mut PgConnection = &mut self.transaction;
        match naming {
            StatementNaming::Named => connection.fetch_many(query),
            StatementNaming::Unnamed => connection.fetch_many(UnnamedStatement(query)),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        let naming = self.naming;
        let connection: &'c mut PgConnection = &mut self.transaction;
        match naming {
            StatementNaming::Named => connection.fetch_optional(query),
            StatementNaming::Unnamed => connection.fetch_optional(UnnamedStatement(query)),
        }
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement, sqlx::Error>>
    where
        'c: 'e,
    {
        let naming = self.naming;
        let connection: &'c mut PgConnection = &mut self.transaction;
        match naming {
            StatementNaming::Named => connection.prepare_with(sql, parameters),
            StatementNaming::Unnamed => Box::pin(async { Err(preparing_refused()) }),
        }
    }
}
