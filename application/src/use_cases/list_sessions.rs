use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ports::{AccessClaims, RefreshTokenStore};
use crate::{AppError, ShownAddress};

/// What a device is called when its session began before devices were recorded.
pub const UNKNOWN_DEVICE: &str = "Unknown device";

/// One signed-in session as its owner is shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub id: String,
    /// Whether the token asking is one of this session's.
    pub current: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub device: String,
    /// The latest use's network, masked; `None` for sessions from before addresses were kept.
    pub ip: Option<String>,
}

/// `GET /user/sessions/`: where the user is signed in.
pub struct ListSessions {
    refresh: Arc<dyn RefreshTokenStore>,
}

impl ListSessions {
    pub fn new(refresh: Arc<dyn RefreshTokenStore>) -> Self {
        Self { refresh }
    }

    pub async fn execute(&self, claims: &AccessClaims) -> Result<Vec<SessionView>, AppError> {
        let sessions = self.refresh.sessions(claims.user_id).await?;
        Ok(sessions
            .into_iter()
            .map(|session| SessionView {
                current: claims.session_id.as_deref() == Some(session.id.as_str()),
                id: session.id,
                created_at: session.created_at,
                last_used_at: session.last_used_at,
                device: session.device.unwrap_or_else(|| UNKNOWN_DEVICE.to_owned()),
                ip: session.ip.map(|ip| ShownAddress::of(ip).to_string()),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use domain::UserId;

    use super::*;
    use crate::Backend;
    use crate::ports::{MockRefreshTokenStore, RepoError, SessionRecord};
    use crate::use_cases::authenticate::tests::claims;

    fn record(id: &str, device: Option<&str>, ip: Option<&str>) -> SessionRecord {
        SessionRecord {
            id: id.into(),
            created_at: Utc::now(),
            last_used_at: Utc::now(),
            device: device.map(Into::into),
            ip: ip.map(|ip| ip.parse().unwrap()),
        }
    }

    #[tokio::test]
    async fn the_asking_session_is_marked_current_and_addresses_are_masked() {
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_sessions().withf(|user| *user == UserId(7)).times(1).returning(|_| {
            Ok(vec![record("other", Some("Chrome on Windows"), Some("203.0.113.9")), record("mine", None, None)])
        });
        let claims = AccessClaims { session_id: Some("mine".into()), ..claims() };
        let got = ListSessions::new(Arc::new(refresh)).execute(&claims).await.unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].id.as_str(), got[0].current, got[0].device.as_str(), got[0].ip.as_deref()),
            ("other", false, "Chrome on Windows", Some("203.0.113.0/24"))
        );
        assert_eq!(
            (got[1].id.as_str(), got[1].current, got[1].device.as_str(), got[1].ip.as_deref()),
            ("mine", true, UNKNOWN_DEVICE, None)
        );
    }

    #[tokio::test]
    async fn a_token_naming_no_session_has_no_current_one() {
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_sessions().returning(|_| Ok(vec![record("mine", None, None)]));
        let claims = AccessClaims { session_id: None, ..claims() };
        let got = ListSessions::new(Arc::new(refresh)).execute(&claims).await.unwrap();
        assert!(!got[0].current);
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut refresh = MockRefreshTokenStore::new();
        refresh.expect_sessions().returning(|_| Err(RepoError::Unavailable("down".into())));
        let got = ListSessions::new(Arc::new(refresh)).execute(&claims()).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
