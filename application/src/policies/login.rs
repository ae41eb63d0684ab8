use std::net::IpAddr;
use std::time::Duration;

use domain::{LoginIdentifier, User, UserId};

use crate::ports::{FailureLimits, RateLimit};

use super::ClientNetwork;

/// Password-guessing defence: failures per account and per client IP within a
/// window lock password login for that window. A count of 0 turns a limit off.
/// The same count and window apply to each name as typed (username, mobile,
/// email, or a name that is nobody's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPolicy {
    pub account_failures: u32,
    pub account_window: Duration,
    pub ip_failures: u32,
    pub ip_window: Duration,
    /// How long a try waits for the checks holding the last places of its
    /// counters to settle, rather than being refused while nothing is locked.
    pub in_flight_patience: Duration,
}

impl LoginPolicy {
    /// The failure counter of an existing account: shared by its username,
    /// mobile and email, and by wrong current passwords in a password change.
    pub fn account_limit_for_user(&self, user: UserId) -> RateLimit {
        self.account_limit(format!("login:user:{}", user.0))
    }

    /// The failure counter of a name as typed (normalised), whether or not it
    /// is an account's: the one whose lock a login by that name is shown.
    pub fn name_limit(&self, name: &str) -> RateLimit {
        self.account_limit(format!("login:name:{name}"))
    }

    /// The failure counter of a name that parses as an identifier.
    pub fn identifier_limit(&self, identifier: &LoginIdentifier) -> RateLimit {
        match identifier {
            LoginIdentifier::Mobile(mobile) => self.name_limit(&mobile.to_string()),
            LoginIdentifier::Email(email) => self.name_limit(&email.to_string()),
            LoginIdentifier::Username(name) => self.name_limit(&name.to_lowercase()),
        }
    }

    /// The counters of every name `user` logs in by, lifted with the
    /// account's when a new password is set.
    pub fn name_limits_of(&self, user: &User) -> Vec<RateLimit> {
        let mut names = vec![LoginIdentifier::Username(user.username.clone())];
        names.extend(user.mobile.clone().map(LoginIdentifier::Mobile));
        names.extend(user.email.clone().map(LoginIdentifier::Email));
        names.iter().map(|name| self.identifier_limit(name)).collect()
    }

    fn account_limit(&self, key: String) -> RateLimit {
        RateLimit::new(key, self.account_failures, self.account_window)
    }

    /// A password login's counters: its name's and its address's refuse
    /// openly; the account's, when the name is one, only keeps the password
    /// from being checked, so that a lock reached through one name of an
    /// account does not show through its others.
    pub fn login_limits(&self, name: RateLimit, user: Option<UserId>, ip: IpAddr) -> FailureLimits {
        FailureLimits {
            open: vec![name, self.ip_limit(ip)],
            silent: user.map(|user| self.account_limit_for_user(user)).into_iter().collect(),
            patience: self.in_flight_patience,
        }
    }

    /// The counter of an account whose owner is known already (a password
    /// change, an OAuth binding after its SMS code), which may see the lock.
    pub fn account_limits(&self, user: UserId) -> FailureLimits {
        FailureLimits {
            open: vec![self.account_limit_for_user(user)],
            silent: Vec::new(),
            patience: self.in_flight_patience,
        }
    }

    pub fn ip_limit(&self, ip: IpAddr) -> RateLimit {
        RateLimit::new(format!("login:ip:{}", ClientNetwork::of(ip)), self.ip_failures, self.ip_window)
    }
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            account_failures: 5,
            account_window: Duration::from_secs(15 * 60),
            ip_failures: 30,
            ip_window: Duration::from_secs(10 * 60),
            in_flight_patience: Duration::from_secs(2),
        }
    }
}
