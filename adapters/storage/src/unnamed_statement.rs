use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgStatement};
use sqlx::{Execute, Postgres, SqlStr};

/// A query sent as PostgreSQL's unnamed statement: nothing stays prepared on
/// the server connection once it ran, and nothing is cached on the client.
pub(crate) struct UnnamedStatement<E>(pub(crate) E);

impl<'q, E: Execute<'q, Postgres>> Execute<'q, Postgres> for UnnamedStatement<E> {
    fn sql(self) -> SqlStr {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        false
    }
}

/// What `prepare` answers where statements must stay unnamed: a prepared
/// statement lives on one server connection, which a transaction pooler does
/// not keep for this client.
pub(crate) fn preparing_refused() -> sqlx::Error {
    sqlx::Error::Configuration(
        "statements cannot be prepared ahead through a transaction pooler (statements are unnamed there): \
         run the query itself"
            .into(),
    )
}
