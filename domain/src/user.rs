use chrono::{DateTime, NaiveDate, Utc};

use crate::{Email, Mobile};

/// The database id of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// What a person says about themself; every field is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gender {
    Male,
    Female,
    #[default]
    Unknown,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "male" => Some(Self::Male),
            "female" => Some(Self::Female),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub nickname: Option<String>,
    pub avatar: Option<String>,
    pub gender: Gender,
    pub birthday: Option<NaiveDate>,
    pub address: Option<String>,
    pub signature: Option<String>,
}

/// A registered account.
///
/// `username` is a plain string, not a [`crate::Username`]: accounts created
/// by binding a mobile use the mobile as their name, and imported accounts may
/// predate today's rules.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub mobile: Option<Mobile>,
    /// The verified address: it logs in, recovers the password and counts as taken.
    pub email: Option<Email>,
    /// An address set but not verified yet: it waits for its link and blocks nobody.
    pub pending_email: Option<Email>,
    /// PHC string of the password hash; `None` for accounts without a usable password.
    pub password_hash: Option<String>,
    pub profile: Profile,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    /// Bumped to invalidate every access token issued before.
    pub token_version: i64,
}

impl User {
    /// The address the person asked for last: the pending one while it waits
    /// for its link, otherwise the verified one. What the account page shows.
    pub fn latest_email(&self) -> Option<&Email> {
        self.pending_email.as_ref().or(self.email.as_ref())
    }

    /// Whether [`Self::latest_email`] is verified.
    pub fn latest_email_verified(&self) -> bool {
        self.pending_email.is_none() && self.email.is_some()
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("mobile", &self.mobile)
            .field("email", &self.email)
            .field("pending_email", &self.pending_email)
            .field("password_hash", &self.password_hash.as_ref().map(|_| "***"))
            .field("date_joined", &self.date_joined)
            .finish_non_exhaustive()
    }
}

/// A user about to be stored; the repository assigns the id.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub mobile: Option<Mobile>,
    pub email: Option<Email>,
    /// Whether the email is already proven (registered with an email code);
    /// an unproven one is stored as the pending address.
    pub email_active: bool,
    pub password_hash: Option<String>,
    pub date_joined: DateTime<Utc>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("mobile", &self.mobile)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}
