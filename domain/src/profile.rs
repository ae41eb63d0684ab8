use chrono::NaiveDate;

use crate::{Gender, Profile};

/// Why a profile field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("nickname must be at most 20 characters")]
    NicknameLength,
    #[error("avatar must be an http(s) URL of at most 512 characters")]
    AvatarUrl,
    #[error("gender must be male, female or unknown")]
    Gender,
    #[error("birthday must be a date YYYY-MM-DD")]
    BirthdayFormat,
    #[error("birthday must lie between 1900-01-01 and today")]
    BirthdayRange,
    #[error("address must be at most 200 characters")]
    AddressLength,
    #[error("signature must be at most 200 characters")]
    SignatureLength,
    #[error("text must not contain control characters")]
    ControlCharacter,
}

/// A change to some profile fields: `None` leaves a field as it is,
/// `Some(None)` clears it, `Some(Some(value))` sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub nickname: Option<Option<String>>,
    pub avatar: Option<Option<String>>,
    pub gender: Option<Gender>,
    pub birthday: Option<Option<NaiveDate>>,
    pub address: Option<Option<String>>,
    pub signature: Option<Option<String>>,
}

impl ProfileChange {
    pub const NICKNAME_MAX: usize = 20;
    pub const AVATAR_MAX: usize = 512;
    pub const TEXT_MAX: usize = 200;

    /// Trims a text; blank clears the field.
    fn text(
        raw: Option<Option<&str>>,
        max: usize,
        error: ProfileError,
    ) -> Result<Option<Option<String>>, ProfileError> {
        match raw {
            None => Ok(None),
            Some(value) => {
                let value = value.map(str::trim).filter(|v| !v.is_empty());
                match value {
                    Some(v) if v.chars().count() > max => Err(error),
                    Some(v) if v.chars().any(char::is_control) => Err(ProfileError::ControlCharacter),
                    other => Ok(Some(other.map(str::to_owned))),
                }
            }
        }
    }

    pub fn nickname(raw: Option<Option<&str>>) -> Result<Option<Option<String>>, ProfileError> {
        Self::text(raw, Self::NICKNAME_MAX, ProfileError::NicknameLength)
    }

    pub fn address(raw: Option<Option<&str>>) -> Result<Option<Option<String>>, ProfileError> {
        Self::text(raw, Self::TEXT_MAX, ProfileError::AddressLength)
    }

    pub fn signature(raw: Option<Option<&str>>) -> Result<Option<Option<String>>, ProfileError> {
        Self::text(raw, Self::TEXT_MAX, ProfileError::SignatureLength)
    }

    /// An absolute http(s) URL with a host, so a client never renders a
    /// `javascript:` or `data:` avatar.
    pub fn avatar(raw: Option<Option<&str>>) -> Result<Option<Option<String>>, ProfileError> {
        let value = Self::text(raw, Self::AVATAR_MAX, ProfileError::AvatarUrl)?;
        if let Some(Some(url)) = &value {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
            let valid = host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace))
                && !url.contains(char::is_whitespace);
            if !valid {
                return Err(ProfileError::AvatarUrl);
            }
        }
        Ok(value)
    }

    /// `male`, `female` or `unknown`; blank or absent-as-null means `unknown`.
    pub fn gender(raw: Option<Option<&str>>) -> Result<Option<Gender>, ProfileError> {
        match raw {
            None => Ok(None),
            Some(None) => Ok(Some(Gender::Unknown)),
            Some(Some(value)) if value.trim().is_empty() => Ok(Some(Gender::Unknown)),
            Some(Some(value)) => Gender::parse(value.trim()).map(Some).ok_or(ProfileError::Gender),
        }
    }

    /// `YYYY-MM-DD`, from 1900-01-01 up to `today`.
    pub fn birthday(raw: Option<Option<&str>>, today: NaiveDate) -> Result<Option<Option<NaiveDate>>, ProfileError> {
        match raw {
            None => Ok(None),
            Some(value) => match value.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(Some(None)),
                Some(text) => {
                    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ProfileError::BirthdayFormat)?;
                    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
                    if date < earliest || date > today {
                        return Err(ProfileError::BirthdayRange);
                    }
                    Ok(Some(Some(date)))
                }
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The profile with this change applied.
    pub fn apply_to(&self, profile: &Profile) -> Profile {
        let pick = |change: &Option<Option<String>>, current: &Option<String>| match change {
            Some(value) => value.clone(),
            None => current.clone(),
        };
        Profile {
            nickname: pick(&self.nickname, &profile.nickname),
            avatar: pick(&self.avatar, &profile.avatar),
            gender: self.gender.unwrap_or(profile.gender),
            birthday: match self.birthday {
                Some(value) => value,
                None => profile.birthday,
            },
            address: pick(&self.address, &profile.address),
            signature: pick(&self.signature, &profile.signature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn texts_are_trimmed_blank_clears_and_length_is_capped() {
        assert_eq!(ProfileChange::nickname(None), Ok(None));
        assert_eq!(ProfileChange::nickname(Some(Some(" 小明 "))), Ok(Some(Some("小明".into()))));
        assert_eq!(ProfileChange::nickname(Some(Some("  "))), Ok(Some(None)));
        assert_eq!(ProfileChange::nickname(Some(None)), Ok(Some(None)));
        assert_eq!(ProfileChange::nickname(Some(Some(&"字".repeat(21)))), Err(ProfileError::NicknameLength));
        assert_eq!(ProfileChange::signature(Some(Some("a\u{0}b"))), Err(ProfileError::ControlCharacter));
        assert_eq!(ProfileChange::address(Some(Some(&"x".repeat(201)))), Err(ProfileError::AddressLength));
    }

    #[test]
    fn avatars_must_be_http_urls() {
        assert!(ProfileChange::avatar(Some(Some("https://img.example.com/a.png"))).is_ok());
        assert!(ProfileChange::avatar(Some(Some("http://img.example.com"))).is_ok());
        for bad in
            ["javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://x/y", "https://", "https:// x", "//x.com/a"]
        {
            assert_eq!(ProfileChange::avatar(Some(Some(bad))), Err(ProfileError::AvatarUrl), "{bad}");
        }
    }

    #[test]
    fn gender_and_birthday_are_checked() {
        assert_eq!(ProfileChange::gender(Some(Some("female"))), Ok(Some(Gender::Female)));
        assert_eq!(ProfileChange::gender(Some(None)), Ok(Some(Gender::Unknown)));
        assert_eq!(ProfileChange::gender(Some(Some("other"))), Err(ProfileError::Gender));
        assert_eq!(
            ProfileChange::birthday(Some(Some("2000-02-29")), today()),
            Ok(Some(NaiveDate::from_ymd_opt(2000, 2, 29)))
        );
        assert_eq!(ProfileChange::birthday(Some(Some("2026-11-23")), today()), Err(ProfileError::BirthdayRange));
        assert_eq!(ProfileChange::birthday(Some(Some("1899-12-31")), today()), Err(ProfileError::BirthdayRange));
        assert_eq!(ProfileChange::birthday(Some(Some("2001-02-29")), today()), Err(ProfileError::BirthdayFormat));
        assert_eq!(ProfileChange::birthday(Some(Some("")), today()), Ok(Some(None)));
    }

    #[test]
    fn applying_keeps_untouched_fields() {
        let profile = Profile { nickname: Some("old".into()), signature: Some("keep".into()), ..Profile::default() };
        let change = ProfileChange { nickname: Some(None), gender: Some(Gender::Male), ..ProfileChange::default() };
        let updated = change.apply_to(&profile);
        assert_eq!((updated.nickname, updated.signature, updated.gender), (None, Some("keep".into()), Gender::Male));
    }
}
