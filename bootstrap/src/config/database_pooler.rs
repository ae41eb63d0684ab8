use std::fmt;
use std::str::FromStr;

use serde_with::{DeserializeFromStr, SerializeDisplay};
use storage::StatementNaming;

/// What stands between the instances and PostgreSQL (`DATABASE_POOLER`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub enum DatabasePooler {
    /// Nothing, or a pooler in session mode: each client connection is one server connection.
    #[default]
    None,
    /// PgBouncer's `pool_mode = transaction` (or a pooler like it): server connections change
    /// hands between transactions.
    Transaction,
}

impl DatabasePooler {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Transaction => "transaction",
        }
    }

    /// How statements must reach PostgreSQL through this pooler.
    pub fn statement_naming(self) -> StatementNaming {
        match self {
            Self::None => StatementNaming::Named,
            Self::Transaction => StatementNaming::Unnamed,
        }
    }
}

impl FromStr for DatabasePooler {
    /// What is wrong with the text, to follow the name of the setting.
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "" | "none" => Ok(Self::None),
            "transaction" => Ok(Self::Transaction),
            other => Err(format!("must be none or transaction, not {other:?}")),
        }
    }
}

impl fmt::Display for DatabasePooler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
