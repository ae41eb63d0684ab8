/// How statements reach PostgreSQL: under a name kept on the connection, or
/// unnamed and inside a transaction, as a transaction pooler needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatementNaming {
    /// Each statement is prepared once per connection under a name and reused
    /// from then on: one round trip per statement. Right whenever a client
    /// connection is one server connection (PostgreSQL directly, or a pooler
    /// in session mode).
    #[default]
    Named,
    /// For a transaction pooler (PgBouncer's `pool_mode = transaction`), which
    /// hands each transaction whichever server connection is free. A named
    /// statement would be left on a server connection another client gets
    /// next, which may have prepared its own under the same name; so every
    /// statement is PostgreSQL's unnamed one. sqlx parses it and binds it in
    /// two exchanges, and between them a pooler may switch server connections
    /// unless a transaction is open: so a statement outside a transaction runs
    /// in one of its own.
    Unnamed,
}
