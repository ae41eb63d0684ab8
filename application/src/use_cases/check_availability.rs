use std::net::IpAddr;
use std::sync::Arc;

use domain::{Email, Mobile, Username};

use crate::ports::{RateDecision, RateLimiter, UserRepository};
use crate::{AppError, AvailabilityPolicy, Field, NameAnswers, Problem};

/// The answer of an availability check: the normalised value and how many
/// accounts use it (0 or 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub value: String,
    pub count: u8,
}

/// Whether a username, mobile or email is still free. Rationed per client IP,
/// because every answer tells whether an account exists.
pub struct CheckAvailability {
    users: Arc<dyn UserRepository>,
    answers: NameAnswers,
}

impl CheckAvailability {
    pub fn new(users: Arc<dyn UserRepository>, limiter: Arc<dyn RateLimiter>, policy: AvailabilityPolicy) -> Self {
        Self { users, answers: NameAnswers::new(limiter, policy) }
    }

    pub async fn username(&self, raw: &str, client_ip: IpAddr) -> Result<Availability, AppError> {
        let username = Username::parse(raw).map_err(|e| AppError::field(Field::Username, Problem::Username(e)))?;
        self.ration(client_ip).await?;
        let taken = self.users.username_exists(username.as_str()).await?;
        Ok(Availability { value: username.to_string(), count: u8::from(taken) })
    }

    pub async fn mobile(&self, raw: &str, client_ip: IpAddr) -> Result<Availability, AppError> {
        let mobile = Mobile::parse(raw).map_err(|e| AppError::field(Field::Mobile, Problem::Mobile(e)))?;
        self.ration(client_ip).await?;
        let taken = self.users.mobile_exists(&mobile).await?;
        Ok(Availability { value: mobile.to_string(), count: u8::from(taken) })
    }

    pub async fn email(&self, raw: &str, client_ip: IpAddr) -> Result<Availability, AppError> {
        let email = Email::parse(raw).map_err(|e| AppError::field(Field::Email, Problem::Email(e)))?;
        self.ration(client_ip).await?;
        let taken = self.users.email_exists(&email).await?;
        Ok(Availability { value: email.to_string(), count: u8::from(taken) })
    }

    async fn ration(&self, client_ip: IpAddr) -> Result<(), AppError> {
        match self.answers.take(client_ip).await? {
            RateDecision::Allowed => Ok(()),
            RateDecision::Limited { retry_after } => Err(AppError::RateLimited { retry_after }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use domain::{EmailError, MobileError, UsernameError};

    use super::*;
    use crate::Backend;
    use crate::ports::{CacheError, MockRateLimiter, MockUserRepository};

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));

    fn open_limiter() -> MockRateLimiter {
        let mut limiter = MockRateLimiter::new();
        limiter
            .expect_acquire()
            .withf(|limits| limits.len() == 1 && limits[0].key == "availability:ip:10.0.0.1" && limits[0].max == 60)
            .returning(|_| Ok(RateDecision::Allowed));
        limiter
    }

    fn check(users: MockUserRepository, limiter: MockRateLimiter) -> CheckAvailability {
        CheckAvailability::new(Arc::new(users), Arc::new(limiter), AvailabilityPolicy::default())
    }

    #[tokio::test]
    async fn counts_each_kind_of_value() {
        let mut users = MockUserRepository::new();
        users.expect_username_exists().withf(|u| u == "alice").returning(|_| Ok(true));
        users.expect_mobile_exists().withf(|m| m.as_str() == "13800138000").returning(|_| Ok(false));
        users.expect_email_exists().withf(|e| e.as_str() == "a@b.cn").returning(|_| Ok(true));
        let check = check(users, open_limiter());
        assert_eq!(check.username("alice", IP).await.unwrap(), Availability { value: "alice".into(), count: 1 });
        assert_eq!(
            check.mobile("+86 138 0013 8000", IP).await.unwrap(),
            Availability { value: "13800138000".into(), count: 0 }
        );
        assert_eq!(check.email("A@B.cn", IP).await.unwrap(), Availability { value: "a@b.cn".into(), count: 1 });
    }

    #[tokio::test]
    async fn malformed_values_are_refused_before_any_lookup() {
        let check = check(MockUserRepository::new(), MockRateLimiter::new());
        assert_eq!(
            check.username("ab", IP).await,
            Err(AppError::field(Field::Username, Problem::Username(UsernameError::Length)))
        );
        assert_eq!(
            check.mobile("12345", IP).await,
            Err(AppError::field(Field::Mobile, Problem::Mobile(MobileError::Format)))
        );
        assert_eq!(
            check.email("nope", IP).await,
            Err(AppError::field(Field::Email, Problem::Email(EmailError::Format)))
        );
    }

    #[tokio::test]
    async fn too_many_checks_from_one_address_are_rate_limited() {
        let mut limiter = MockRateLimiter::new();
        limiter.expect_acquire().returning(|_| Ok(RateDecision::Limited { retry_after: Duration::from_secs(42) }));
        let got = check(MockUserRepository::new(), limiter).username("alice", IP).await;
        assert_eq!(got, Err(AppError::RateLimited { retry_after: Duration::from_secs(42) }));
    }

    #[tokio::test]
    async fn backing_service_outages_are_unavailable() {
        let mut limiter = MockRateLimiter::new();
        limiter.expect_acquire().returning(|_| Err(CacheError::Unavailable("down".into())));
        let got = check(MockUserRepository::new(), limiter).username("alice", IP).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Cache)));

        let mut users = MockUserRepository::new();
        users.expect_username_exists().returning(|_| Err(crate::ports::RepoError::Unavailable("down".into())));
        let got = check(users, open_limiter()).username("alice", IP).await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Database)));
    }
}
