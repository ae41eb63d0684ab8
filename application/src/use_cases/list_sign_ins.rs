use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::UserId;

use super::UNKNOWN_DEVICE;
use crate::ports::{AuditLog, LoginMethod, SignInOutcome};
use crate::{AppError, Field, Problem, ShownAddress};

/// How many entries `GET /user/logins/` answers when not told.
pub const SIGN_INS_DEFAULT: u32 = 20;
/// The most it answers at once.
pub const SIGN_INS_MAX: u32 = 100;

/// One sign-in or refused sign-in as its owner is shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInView {
    pub at: DateTime<Utc>,
    pub method: LoginMethod,
    pub device: String,
    /// The client's network, masked.
    pub ip: String,
    pub outcome: SignInOutcome,
}

/// `GET /user/logins/`: the account's recent sign-ins, refused ones included,
/// newest first.
pub struct ListSignIns {
    audit: Arc<dyn AuditLog>,
}

impl ListSignIns {
    pub fn new(audit: Arc<dyn AuditLog>) -> Self {
        Self { audit }
    }

    /// `limit` as the query string gave it, if at all.
    pub async fn execute(&self, user: UserId, limit: Option<&str>) -> Result<Vec<SignInView>, AppError> {
        let limit = match limit.map(str::trim) {
            None => SIGN_INS_DEFAULT,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=SIGN_INS_MAX).contains(limit))
                .ok_or_else(|| AppError::field(Field::Limit, Problem::OutOfRange { min: 1, max: SIGN_INS_MAX }))?,
        };
        let records = self.audit.sign_ins(user, limit).await?;
        Ok(records
            .into_iter()
            .map(|record| SignInView {
                at: record.at,
                method: record.method,
                device: record.device.unwrap_or_else(|| UNKNOWN_DEVICE.to_owned()),
                ip: ShownAddress::of(record.ip).to_string(),
                outcome: record.outcome,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backend;
    use crate::ports::{MockAuditLog, RepoError, SignInRecord};

    fn asking_for(limit: u32) -> MockAuditLog {
        let mut audit = MockAuditLog::new();
        audit.expect_sign_ins().withf(move |user, asked| *user == UserId(7) && *asked == limit).times(1).returning(
            |_, _| {
                Ok(vec![SignInRecord {
                    at: Utc::now(),
                    method: LoginMethod::Sms,
                    device: None,
                    ip: "2001:db8:1:2::9".parse().unwrap(),
                    outcome: SignInOutcome::Locked,
                }])
            },
        );
        audit
    }

    #[tokio::test]
    async fn twenty_by_default_masked_and_named() {
        let got = ListSignIns::new(Arc::new(asking_for(20))).execute(UserId(7), None).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].method, got[0].device.as_str(), got[0].ip.as_str(), got[0].outcome),
            (LoginMethod::Sms, UNKNOWN_DEVICE, "2001:db8:1::/48", SignInOutcome::Locked)
        );
    }

    #[tokio::test]
    async fn a_limit_from_one_to_a_hundred_is_asked_for() {
        for limit in [1, 100] {
            let text = limit.to_string();
            let got = ListSignIns::new(Arc::new(asking_for(limit))).execute(UserId(7), Some(&text)).await;
            assert!(got.is_ok());
        }
    }

    #[tokio::test]
    async fn any_other_limit_is_refused_on_its_field_without_reading() {
        for text in ["0", "101", "-1", "ten", "", "1.5", "99999999999"] {
            let got = ListSignIns::new(Arc::new(MockAuditLog::new())).execute(UserId(7), Some(text)).await;
            assert_eq!(got, Err(AppError::field(Field::Limit, Problem::OutOfRange { min: 1, max: 100 })), "{text}");
        }
    }

    #[tokio::test]
    async fn a_database_outage_is_unavailable() {
        let mut audit = MockAuditLog::new();
        audit.expect_sign_ins().returning(|_, _| Err(RepoError::Unavailable("down".into())));
        let got = ListSignIns::new(Arc::new(audit)).execute(UserId(7), None).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
