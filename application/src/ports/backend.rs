/// A backing service a request needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Database,
    Cache,
    Messaging,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Database => "database",
            Self::Cache => "cache",
            Self::Messaging => "messaging",
        }
    }
}
