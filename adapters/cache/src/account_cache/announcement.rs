use chrono::{DateTime, Utc};
use domain::UserId;

/// What one instance tells the others on the account-change channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announcement {
    /// Nothing changed: the sender is alive (silence means a stalled channel).
    Heartbeat,
    /// Anything about the account may have changed: drop it.
    Changed(UserId),
    /// Only `last_login` moved: update it in place.
    LoggedIn(UserId, DateTime<Utc>),
    /// A username, mobile or email is (about to be) taken: its fingerprint
    /// (`NameFingerprints`), never the name itself.
    Taken(u64),
}

const HEARTBEAT: &str = "alive";
const LOGGED_IN: &str = "login:";
const TAKEN: &str = "taken:";

impl Announcement {
    /// The message text. A change is the bare account id, as instances of an
    /// earlier release send and expect it.
    pub fn encode(self) -> String {
        match self {
            Self::Heartbeat => HEARTBEAT.to_owned(),
            Self::Changed(user) => user.0.to_string(),
            Self::LoggedIn(user, at) => format!("{LOGGED_IN}{}:{}", user.0, at.timestamp_micros()),
            Self::Taken(print) => format!("{TAKEN}{print:016x}"),
        }
    }

    /// `None` for a message this release does not understand: the listener
    /// then drops everything, since it cannot tell what changed.
    pub fn decode(text: &str) -> Option<Self> {
        if text == HEARTBEAT {
            return Some(Self::Heartbeat);
        }
        if let Some(login) = text.strip_prefix(LOGGED_IN) {
            let (user, micros) = login.split_once(':')?;
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
            return Some(Self::LoggedIn(UserId(user.parse().ok()?), at));
        }
        if let Some(print) = text.strip_prefix(TAKEN) {
            return u64::from_str_radix(print, 16).ok().map(Self::Taken);
        }
        text.parse().ok().map(|id| Self::Changed(UserId(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_announcement_reads_back_as_itself() {
        let at = DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();
        for announcement in
            [Announcement::Heartbeat, Announcement::Changed(UserId(42)), Announcement::LoggedIn(UserId(42), at)]
        {
            assert_eq!(Announcement::decode(&announcement.encode()), Some(announcement));
        }
    }

    #[test]
    fn a_change_is_the_bare_id_and_garbage_is_not_understood() {
        assert_eq!(Announcement::decode("7"), Some(Announcement::Changed(UserId(7))));
        for garbage in ["", "login:", "login:7", "login:x:1", "login:7:y", "taken:", "taken:xyz", "seven"] {
            assert_eq!(Announcement::decode(garbage), None, "{garbage:?}");
        }
    }
}
