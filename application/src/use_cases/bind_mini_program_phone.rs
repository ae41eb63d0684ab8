use std::sync::Arc;

use domain::{Mobile, User, UserId};

use crate::ports::{RepoError, UniqueKey, UserRepository, WeChatClient};
use crate::services::provider_failure::provider_failure;
use crate::{AppError, AuthFailure, Field, FieldError, Problem};

/// `POST /oauth/wechat/miniprogram/phone/`: sets the signed-in user's mobile
/// from the code of the mini-program's phone button (`getuserphonenumber`).
/// A mobile another account already has is a 409: accounts are not merged.
pub struct BindMiniProgramPhone {
    wechat: Arc<dyn WeChatClient>,
    users: Arc<dyn UserRepository>,
}

impl BindMiniProgramPhone {
    pub fn new(wechat: Arc<dyn WeChatClient>, users: Arc<dyn UserRepository>) -> Self {
        Self { wechat, users }
    }

    pub async fn execute(&self, user: UserId, code: &str) -> Result<User, AppError> {
        if code.trim().is_empty() {
            return Err(AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
        }
        let phone = self.wechat.phone_number(code.trim()).await.map_err(|e| provider_failure("wechat", e))?;
        let mobile = Mobile::parse(&phone).map_err(|e| AppError::field(Field::Mobile, Problem::Mobile(e)))?;
        let taken = || AppError::Conflict(FieldError::new(Field::Mobile, Problem::Taken));
        if let Some(owner) = self.users.find_by_login(&domain::LoginIdentifier::Mobile(mobile.clone())).await? {
            if owner.id == user {
                return Ok(owner);
            }
            return Err(taken());
        }
        match self.users.set_mobile(user, &mobile).await {
            Ok(Some(updated)) => Ok(updated),
            Ok(None) => Err(AppError::Unauthenticated(AuthFailure::Revoked)),
            Err(RepoError::Conflict(UniqueKey::Mobile)) => Err(taken()),
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::MobileError;

    use super::*;
    use crate::ports::{MockUserRepository, MockWeChatClient, ProviderError};
    use crate::use_cases::log_in::tests::stored_user;

    fn wechat(answer: Result<String, ProviderError>) -> MockWeChatClient {
        let mut wechat = MockWeChatClient::new();
        wechat.expect_phone_number().withf(|code| code == "phone-code").returning(move |_| answer.clone());
        wechat
    }

    fn phone() -> Result<String, ProviderError> {
        Ok("13700137000".into())
    }

    #[tokio::test]
    async fn a_free_mobile_is_set_on_the_account() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(None));
        users
            .expect_set_mobile()
            .withf(|id, mobile| *id == UserId(1) && mobile.as_str() == "13700137000")
            .times(1)
            .returning(|_, mobile| Ok(Some(User { mobile: Some(mobile.clone()), ..stored_user() })));
        let user = BindMiniProgramPhone::new(Arc::new(wechat(phone())), Arc::new(users))
            .execute(UserId(1), "phone-code")
            .await
            .unwrap();
        assert_eq!(user.mobile.map(|m| m.to_string()).as_deref(), Some("13700137000"));
    }

    #[tokio::test]
    async fn another_account_s_mobile_is_a_conflict_also_when_a_race_is_lost() {
        let taken = AppError::Conflict(FieldError::new(Field::Mobile, Problem::Taken));
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(Some(User { id: UserId(9), ..stored_user() })));
        let got = BindMiniProgramPhone::new(Arc::new(wechat(phone())), Arc::new(users))
            .execute(UserId(1), "phone-code")
            .await;
        assert_eq!(got.unwrap_err(), taken);

        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(None));
        users.expect_set_mobile().returning(|_, _| Err(RepoError::Conflict(UniqueKey::Mobile)));
        let got = BindMiniProgramPhone::new(Arc::new(wechat(phone())), Arc::new(users))
            .execute(UserId(1), "phone-code")
            .await;
        assert_eq!(got.unwrap_err(), taken);
    }

    #[tokio::test]
    async fn the_account_s_own_mobile_again_changes_nothing() {
        let mut users = MockUserRepository::new();
        users.expect_find_by_login().returning(|_| Ok(Some(stored_user())));
        let got = BindMiniProgramPhone::new(Arc::new(wechat(phone())), Arc::new(users))
            .execute(UserId(1), "phone-code")
            .await;
        assert_eq!(got.unwrap().id, UserId(1));
    }

    #[tokio::test]
    async fn wechat_refusals_and_foreign_numbers_are_refused() {
        let refused = Err(ProviderError::CodeRejected);
        let got = BindMiniProgramPhone::new(Arc::new(wechat(refused)), Arc::new(MockUserRepository::new()))
            .execute(UserId(1), "phone-code")
            .await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
        let foreign = Ok("+1 415 555 0100".into());
        let got = BindMiniProgramPhone::new(Arc::new(wechat(foreign)), Arc::new(MockUserRepository::new()))
            .execute(UserId(1), "phone-code")
            .await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::Mobile, Problem::Mobile(MobileError::Format)));
        let got = BindMiniProgramPhone::new(Arc::new(MockWeChatClient::new()), Arc::new(MockUserRepository::new()))
            .execute(UserId(1), " ")
            .await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::NonField, Problem::OAuthCodeInvalid));
    }
}
