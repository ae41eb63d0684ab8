use std::sync::Arc;

use async_trait::async_trait;

use super::{ProviderIdentity, WebLoginProvider};
use crate::ports::{OAuthProvider, ProviderError, QqClient};
use crate::{AppError, Field, Problem};

/// QQ Connect as a website login.
pub struct QqWebLogin {
    qq: Arc<dyn QqClient>,
}

impl QqWebLogin {
    pub fn new(qq: Arc<dyn QqClient>) -> Self {
        Self { qq }
    }
}

/// QQ's own refusals of the code (expired, never issued, already used) are the
/// client's to retry with a new login; every other QQ failure is QQ's.
fn qq_failure(error: ProviderError) -> AppError {
    match error {
        ProviderError::Refused { code: 100019 | 100020, .. } => {
            AppError::field(Field::NonField, Problem::OAuthCodeInvalid)
        }
        ProviderError::Refused { code, .. } => AppError::Upstream { provider: "qq", code: Some(code) },
        ProviderError::Unavailable(_) => AppError::Upstream { provider: "qq", code: None },
    }
}

#[async_trait]
impl WebLoginProvider for QqWebLogin {
    fn provider(&self) -> OAuthProvider {
        OAuthProvider::Qq
    }

    fn app_id(&self) -> String {
        self.qq.app_id()
    }

    fn authorize_url(&self, state: &str) -> String {
        self.qq.authorize_url(state)
    }

    async fn identify(&self, code: &str) -> Result<ProviderIdentity, AppError> {
        let identity = self.qq.identify(code).await.map_err(qq_failure)?;
        Ok(ProviderIdentity { openid: identity.openid, unionid: identity.unionid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockQqClient, QqIdentity};

    async fn identify(answer: Result<QqIdentity, ProviderError>) -> Result<ProviderIdentity, AppError> {
        let mut qq = MockQqClient::new();
        qq.expect_identify().withf(|code| code == "qq-code").times(1).returning(move |_| answer.clone());
        QqWebLogin::new(Arc::new(qq)).identify("qq-code").await
    }

    #[tokio::test]
    async fn the_identity_qq_names_is_passed_on() {
        let got = identify(Ok(QqIdentity { openid: "OPENID".into(), unionid: Some("UNIONID".into()) })).await;
        assert_eq!(got, Ok(ProviderIdentity { openid: "OPENID".into(), unionid: Some("UNIONID".into()) }));
    }

    #[tokio::test]
    async fn qq_refusing_the_code_is_a_400_and_other_qq_failures_are_502() {
        let cases = [
            (100019, AppError::field(Field::NonField, Problem::OAuthCodeInvalid)),
            (100020, AppError::field(Field::NonField, Problem::OAuthCodeInvalid)),
            (100010, AppError::Upstream { provider: "qq", code: Some(100010) }),
            (100016, AppError::Upstream { provider: "qq", code: Some(100016) }),
        ];
        for (code, expected) in cases {
            let got = identify(Err(ProviderError::Refused { code, message: "refused".into() })).await;
            assert_eq!(got, Err(expected), "{code}");
        }
        let got = identify(Err(ProviderError::Unavailable("timeout".into()))).await;
        assert_eq!(got, Err(AppError::Upstream { provider: "qq", code: None }));
    }
}
