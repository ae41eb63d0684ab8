/// What a stored row must not share with another: the store's unique keys, in
/// the store's own terms. Each use case says what a clash means in its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UniqueKey {
    /// Usernames, compared case-insensitively.
    Username,
    Mobile,
    /// Verified (lower-cased) email addresses.
    Email,
    /// A provider identity (provider, app and openid) already bound to an account.
    Identity,
}

impl UniqueKey {
    pub fn name(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::Identity => "identity",
        }
    }
}
