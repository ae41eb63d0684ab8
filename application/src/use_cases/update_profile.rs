use std::sync::Arc;

use domain::{ProfileChange, User, UserId};

use crate::ports::{Clock, UserRepository};
use crate::{AppError, AuthFailure, Field, FieldErrors, Problem};

/// The profile fields of a PATCH, as sent: absent (`None`), `null`
/// (`Some(None)`, clears the field) or a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub nickname: Option<Option<String>>,
    pub avatar: Option<Option<String>>,
    pub gender: Option<Option<String>>,
    pub birthday: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub signature: Option<Option<String>>,
}

fn as_str(field: Option<&Option<String>>) -> Option<Option<&str>> {
    field.map(Option::as_deref)
}

/// Changes some of the signed-in user's profile fields.
pub struct UpdateProfile {
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
}

impl UpdateProfile {
    pub fn new(users: Arc<dyn UserRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { users, clock }
    }

    pub async fn execute(&self, id: UserId, patch: ProfilePatch) -> Result<User, AppError> {
        let mut errors = FieldErrors::default();
        let today = self.clock.now().date_naive();
        let change = ProfileChange {
            nickname: errors
                .check(Field::Nickname, ProfileChange::nickname(as_str(patch.nickname.as_ref())), Problem::Profile)
                .flatten(),
            avatar: errors
                .check(Field::Avatar, ProfileChange::avatar(as_str(patch.avatar.as_ref())), Problem::Profile)
                .flatten(),
            gender: errors
                .check(Field::Gender, ProfileChange::gender(as_str(patch.gender.as_ref())), Problem::Profile)
                .flatten(),
            birthday: errors
                .check(
                    Field::Birthday,
                    ProfileChange::birthday(as_str(patch.birthday.as_ref()), today),
                    Problem::Profile,
                )
                .flatten(),
            address: errors
                .check(Field::Address, ProfileChange::address(as_str(patch.address.as_ref())), Problem::Profile)
                .flatten(),
            signature: errors
                .check(Field::Signature, ProfileChange::signature(as_str(patch.signature.as_ref())), Problem::Profile)
                .flatten(),
        };
        errors.into_result()?;
        let user = self.users.find_by_id(id).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))?;
        if change.is_empty() {
            return Ok(user);
        }
        let profile = change.apply_to(&user.profile);
        self.users.update_profile(id, &profile).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};
    use domain::{Gender, ProfileError};

    use super::*;
    use crate::Backend;
    use crate::ports::{MockClock, MockUserRepository, RepoError};
    use crate::use_cases::log_in::tests::stored_user;

    fn update(users: MockUserRepository) -> UpdateProfile {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").unwrap().with_timezone(&Utc));
        UpdateProfile::new(Arc::new(users), Arc::new(clock))
    }

    fn set(value: &str) -> Option<Option<String>> {
        Some(Some(value.into()))
    }

    #[tokio::test]
    async fn changes_only_the_fields_sent() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| {
            let mut user = stored_user();
            user.profile.signature = Some("keep me".into());
            user.profile.address = Some("clear me".into());
            Ok(Some(user))
        });
        users
            .expect_update_profile()
            .withf(|id, p| {
                *id == UserId(1)
                    && p.nickname.as_deref() == Some("小明")
                    && p.gender == Gender::Female
                    && p.birthday == NaiveDate::from_ymd_opt(1990, 5, 17)
                    && p.address.is_none()
                    && p.signature.as_deref() == Some("keep me")
            })
            .times(1)
            .returning(|_, p| Ok(Some(User { profile: p.clone(), ..stored_user() })));
        let patch = ProfilePatch {
            nickname: set(" 小明 "),
            gender: set("female"),
            birthday: set("1990-05-17"),
            address: Some(None),
            ..ProfilePatch::default()
        };
        let user = update(users).execute(UserId(1), patch).await.unwrap();
        assert_eq!(user.profile.nickname.as_deref(), Some("小明"));
    }

    #[tokio::test]
    async fn every_invalid_field_is_reported_and_nothing_is_written() {
        let patch = ProfilePatch {
            avatar: set("javascript:alert(1)"),
            gender: set("robot"),
            birthday: set("2030-01-01"),
            ..ProfilePatch::default()
        };
        let got = update(MockUserRepository::new()).execute(UserId(1), patch).await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(
            errors.iter().map(|e| (e.field, e.problem)).collect::<Vec<_>>(),
            [
                (Field::Avatar, Problem::Profile(ProfileError::AvatarUrl)),
                (Field::Gender, Problem::Profile(ProfileError::Gender)),
                (Field::Birthday, Problem::Profile(ProfileError::BirthdayRange)),
            ]
        );
    }

    #[tokio::test]
    async fn an_empty_patch_returns_the_user_unchanged() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        let user = update(users).execute(UserId(1), ProfilePatch::default()).await.unwrap();
        assert_eq!(user.id, UserId(1));
    }

    #[tokio::test]
    async fn a_deleted_account_or_an_outage_is_reported() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Ok(None));
        let got =
            update(users).execute(UserId(1), ProfilePatch { nickname: set("x"), ..ProfilePatch::default() }).await;
        assert_eq!(got.err(), Some(AppError::Unauthenticated(AuthFailure::Revoked)));
        let mut users = MockUserRepository::new();
        users.expect_find_by_id().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got =
            update(users).execute(UserId(1), ProfilePatch { nickname: set("x"), ..ProfilePatch::default() }).await;
        assert_eq!(got.err(), Some(AppError::Unavailable(Backend::Database)));
    }
}
