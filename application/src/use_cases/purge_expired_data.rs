use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::ports::{
    AccountDeletions, Channel, Clock, CodeGenerator, CodeKey, CodePurpose, DataRetention, ErasedAccount, RepoError,
    VerificationCodeStore,
};
use crate::{ACCOUNT_CHANGE_LOG_AGE, AppError, RetentionPolicy};

/// Rows removed by one round, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub refresh_tokens: u64,
    pub access_token_revocations: u64,
    pub outbox_messages: u64,
    pub audit_events: u64,
    pub account_changes: u64,
    /// Accounts erased once their deletion's cooling-off had passed.
    pub erased_accounts: u64,
    /// Pending codes of erased accounts the cache could not remove: they
    /// expire on their own within `CODE_TTL_SECS`. Not rows removed.
    pub codes_left_to_expire: u64,
}

impl RetentionReport {
    pub fn total(&self) -> u64 {
        self.refresh_tokens
            + self.access_token_revocations
            + self.outbox_messages
            + self.audit_events
            + self.account_changes
            + self.erased_accounts
    }
}

/// One round of the retention job: accounts whose deletion's cooling-off has passed
/// erased, one transaction each and at most a batch of them per round; then expired
/// refresh tokens and access-token revocations, settled outbox messages and audit
/// events past their age, each removed in bounded batches until none is left or the
/// round's batches are used up.
pub struct PurgeExpiredData {
    retention: Arc<dyn DataRetention>,
    deletions: Arc<dyn AccountDeletions>,
    codes: Arc<dyn VerificationCodeStore>,
    pseudonyms: Arc<dyn CodeGenerator>,
    clock: Arc<dyn Clock>,
    policy: RetentionPolicy,
}

/// What stands for an erased account in the audit trail: random, so that
/// nothing kept leads back to the person, yet one per account, so that its
/// rows still read as one history.
const PSEUDONYM_PREFIX: &str = "erased:";

impl PurgeExpiredData {
    pub fn new(
        retention: Arc<dyn DataRetention>,
        deletions: Arc<dyn AccountDeletions>,
        codes: Arc<dyn VerificationCodeStore>,
        pseudonyms: Arc<dyn CodeGenerator>,
        clock: Arc<dyn Clock>,
        policy: RetentionPolicy,
    ) -> Self {
        Self { retention, deletions, codes, pseudonyms, clock, policy }
    }

    pub async fn run_once(&self) -> Result<RetentionReport, AppError> {
        let now = self.clock.now();
        let retention = &self.retention;
        let (erased_accounts, codes_left_to_expire) = self.erase_due_accounts(now).await?;
        let mut report = RetentionReport {
            erased_accounts,
            codes_left_to_expire,
            refresh_tokens: self.drain(|limit| retention.purge_expired_refresh_tokens(now, limit)).await?,
            access_token_revocations: self
                .drain(|limit| retention.purge_expired_access_token_revocations(now, limit))
                .await?,
            ..RetentionReport::default()
        };
        if let Some(before) = cutoff(now, self.policy.outbox_age) {
            report.outbox_messages = self.drain(|limit| retention.purge_settled_outbox_messages(before, limit)).await?;
        }
        if let Some(before) = cutoff(now, self.policy.audit_age) {
            report.audit_events = self.drain(|limit| retention.purge_audit_events(before, limit)).await?;
        }
        if let Some(before) = cutoff(now, Some(ACCOUNT_CHANGE_LOG_AGE)) {
            report.account_changes = self.drain(|limit| retention.purge_account_changes(before, limit)).await?;
        }
        Ok(report)
    }

    /// Erases due accounts one at a time, up to a batch of them.
    async fn erase_due_accounts(&self, now: DateTime<Utc>) -> Result<(u64, u64), AppError> {
        let (mut erased, mut codes_left) = (0, 0);
        for _ in 0..self.policy.batch_size.max(1) {
            let pseudonym = format!("{PSEUDONYM_PREFIX}{}", self.pseudonyms.pseudonym());
            let Some(account) = self.deletions.erase_next_due(now, &pseudonym).await? else { break };
            codes_left += self.discard_codes(&account).await;
            erased += 1;
        }
        Ok((erased, codes_left))
    }

    /// The codes pending for the erased account's mobile and addresses go with
    /// it. The account is gone already; a cache that fails here leaves them to
    /// expire on their own (`CODE_TTL_SECS`): counted for the log, not retried.
    async fn discard_codes(&self, account: &ErasedAccount) -> u64 {
        let mut left = 0;
        let mobile = account.mobile.iter().map(|mobile| (Channel::Sms, mobile));
        let emails = account.emails.iter().map(|email| (Channel::Email, email));
        for (channel, target) in mobile.chain(emails) {
            for purpose in [CodePurpose::Register, CodePurpose::ResetPassword] {
                let key = CodeKey { channel, purpose, target: target.clone() };
                if self.codes.discard(&key).await.is_err() {
                    left += 1;
                }
            }
        }
        left
    }

    /// Batches until one comes back short (nothing more to remove) or the round's share is spent.
    async fn drain<F, Fut>(&self, purge: F) -> Result<u64, AppError>
    where
        F: Fn(u32) -> Fut,
        Fut: Future<Output = Result<u64, RepoError>>,
    {
        let limit = self.policy.batch_size.max(1);
        let mut removed = 0;
        for _ in 0..self.policy.max_batches.max(1) {
            let batch = purge(limit).await?;
            removed += batch;
            if batch < u64::from(limit) {
                break;
            }
        }
        Ok(removed)
    }
}

/// `now - age`; `None` when nothing is to be removed (no age, or one reaching before the calendar).
fn cutoff(now: DateTime<Utc>, age: Option<Duration>) -> Option<DateTime<Utc>> {
    now.checked_sub_signed(TimeDelta::from_std(age?).ok()?)
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::ports::{
        MockAccountDeletions, MockClock, MockCodeGenerator, MockDataRetention, MockVerificationCodeStore,
    };

    const DAY: Duration = Duration::from_secs(24 * 60 * 60);

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    /// A round with no account due for erasure.
    fn purge(retention: MockDataRetention, policy: RetentionPolicy) -> PurgeExpiredData {
        let mut deletions = MockAccountDeletions::new();
        deletions.expect_erase_next_due().returning(|_, _| Ok(None));
        purge_erasing(retention, deletions, policy)
    }

    fn purge_erasing(
        retention: MockDataRetention,
        deletions: MockAccountDeletions,
        policy: RetentionPolicy,
    ) -> PurgeExpiredData {
        purge_erasing_with(retention, deletions, codes_discarded_freely(), policy)
    }

    /// Any pending code may be discarded.
    fn codes_discarded_freely() -> MockVerificationCodeStore {
        let mut codes = MockVerificationCodeStore::new();
        codes.expect_discard().returning(|_| Ok(()));
        codes
    }

    fn purge_erasing_with(
        retention: MockDataRetention,
        deletions: MockAccountDeletions,
        codes: MockVerificationCodeStore,
        policy: RetentionPolicy,
    ) -> PurgeExpiredData {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        let mut pseudonyms = MockCodeGenerator::new();
        let mut drawn = 0_u32;
        pseudonyms.expect_pseudonym().returning(move || {
            drawn += 1;
            format!("{drawn:032x}")
        });
        let (retention, deletions, codes) = (Arc::new(retention), Arc::new(deletions), Arc::new(codes));
        PurgeExpiredData::new(retention, deletions, codes, Arc::new(pseudonyms), Arc::new(clock), policy)
    }

    /// Expects nothing else to be due: every other table has nothing to remove.
    fn nothing_else_due() -> MockDataRetention {
        let mut retention = MockDataRetention::new();
        retention.expect_purge_expired_refresh_tokens().returning(|_, _| Ok(0));
        retention.expect_purge_expired_access_token_revocations().returning(|_, _| Ok(0));
        retention.expect_purge_settled_outbox_messages().returning(|_, _| Ok(0));
        retention.expect_purge_audit_events().returning(|_, _| Ok(0));
        retention.expect_purge_account_changes().returning(|_, _| Ok(0));
        retention
    }

    #[tokio::test]
    async fn due_accounts_are_erased_one_by_one_each_under_a_pseudonym_of_its_own_until_none_is_left() {
        let mut deletions = MockAccountDeletions::new();
        let mut left = 2;
        let mut seen = Vec::new();
        deletions.expect_erase_next_due().times(3).returning(move |at, pseudonym| {
            assert_eq!(at, now());
            assert!(pseudonym.starts_with("erased:") && pseudonym.len() == 39, "{pseudonym}");
            assert!(!seen.contains(&pseudonym.to_owned()), "{pseudonym} used twice");
            seen.push(pseudonym.to_owned());
            if left == 0 {
                return Ok(None);
            }
            left -= 1;
            Ok(Some(erased(left, pseudonym)))
        });

        let report = purge_erasing(nothing_else_due(), deletions, policy()).run_once().await.unwrap();

        assert_eq!((report.erased_accounts, report.total()), (2, 2));
    }

    #[tokio::test]
    async fn a_round_erases_at_most_a_batch_of_accounts() {
        let mut deletions = MockAccountDeletions::new();
        deletions.expect_erase_next_due().times(10).returning(|_, pseudonym| Ok(Some(erased(1, pseudonym))));

        let report = purge_erasing(nothing_else_due(), deletions, policy()).run_once().await.unwrap();

        assert_eq!(report.erased_accounts, 10);
    }

    #[tokio::test]
    async fn an_erasure_that_fails_ends_the_round_unavailable() {
        let mut deletions = MockAccountDeletions::new();
        deletions.expect_erase_next_due().times(1).returning(|_, _| Err(RepoError::Unavailable("down".into())));

        let error = purge_erasing(MockDataRetention::new(), deletions, policy()).run_once().await.unwrap_err();

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }

    fn erased(user: i64, pseudonym: &str) -> ErasedAccount {
        ErasedAccount { user: domain::UserId(user), pseudonym: pseudonym.to_owned(), mobile: None, emails: Vec::new() }
    }

    #[tokio::test]
    async fn an_erased_account_s_pending_codes_go_with_it_and_a_cache_failure_only_leaves_them_to_expire() {
        let mut deletions = MockAccountDeletions::new();
        let mut once = Some(ErasedAccount {
            user: domain::UserId(7),
            pseudonym: "erased:7".into(),
            mobile: Some("13800138000".into()),
            emails: vec!["a@example.com".into(), "b@example.com".into()],
        });
        deletions.expect_erase_next_due().returning(move |_, _| Ok(once.take()));
        let discarded = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut codes = MockVerificationCodeStore::new();
        let seen = discarded.clone();
        codes.expect_discard().returning(move |key| {
            seen.lock().unwrap().push((key.channel, key.purpose, key.target.clone()));
            Err(crate::ports::CacheError::Unavailable("down".into()))
        });

        let report = purge_erasing_with(nothing_else_due(), deletions, codes, policy()).run_once().await.unwrap();

        assert_eq!((report.erased_accounts, report.codes_left_to_expire), (1, 6));
        let discarded = discarded.lock().unwrap().clone();
        assert_eq!(discarded.len(), 6, "{discarded:?}");
        for (channel, target) in
            [(Channel::Sms, "13800138000"), (Channel::Email, "a@example.com"), (Channel::Email, "b@example.com")]
        {
            for purpose in [CodePurpose::Register, CodePurpose::ResetPassword] {
                assert!(discarded.contains(&(channel, purpose, target.to_owned())), "{channel:?} {purpose:?} {target}");
            }
        }
    }

    fn policy() -> RetentionPolicy {
        RetentionPolicy { outbox_age: Some(7 * DAY), audit_age: Some(180 * DAY), batch_size: 10, max_batches: 3 }
    }

    #[tokio::test]
    async fn each_table_is_purged_up_to_its_own_cutoff() {
        let mut retention = MockDataRetention::new();
        retention.expect_purge_expired_refresh_tokens().with(eq(now()), eq(10)).times(1).returning(|_, _| Ok(4));
        retention
            .expect_purge_expired_access_token_revocations()
            .with(eq(now()), eq(10))
            .times(1)
            .returning(|_, _| Ok(0));
        let week_ago = now() - TimeDelta::days(7);
        retention.expect_purge_settled_outbox_messages().with(eq(week_ago), eq(10)).times(1).returning(|_, _| Ok(2));
        let half_year_ago = now() - TimeDelta::days(180);
        retention.expect_purge_audit_events().with(eq(half_year_ago), eq(10)).times(1).returning(|_, _| Ok(9));
        let hour_ago = now() - TimeDelta::hours(1);
        retention.expect_purge_account_changes().with(eq(hour_ago), eq(10)).times(1).returning(|_, _| Ok(5));

        let report = purge(retention, policy()).run_once().await.unwrap();

        let expected = RetentionReport {
            refresh_tokens: 4,
            access_token_revocations: 0,
            outbox_messages: 2,
            audit_events: 9,
            account_changes: 5,
            erased_accounts: 0,
            codes_left_to_expire: 0,
        };
        assert_eq!(report, expected);
        assert_eq!(report.total(), 20);
    }

    #[tokio::test]
    async fn full_batches_are_followed_by_more_until_a_short_one_or_the_round_s_share() {
        let mut retention = MockDataRetention::new();
        let mut left = 25_u64;
        retention.expect_purge_expired_refresh_tokens().times(3).returning(move |_, limit| {
            let batch = left.min(u64::from(limit));
            left -= batch;
            Ok(batch)
        });
        // Always full: stops after max_batches.
        retention.expect_purge_expired_access_token_revocations().times(3).returning(|_, limit| Ok(u64::from(limit)));
        retention.expect_purge_settled_outbox_messages().times(1).returning(|_, _| Ok(0));
        retention.expect_purge_audit_events().times(1).returning(|_, _| Ok(0));
        retention.expect_purge_account_changes().times(1).returning(|_, _| Ok(0));

        let report = purge(retention, policy()).run_once().await.unwrap();

        assert_eq!((report.refresh_tokens, report.access_token_revocations), (25, 30));
    }

    #[tokio::test]
    async fn without_an_age_outbox_messages_and_audit_events_are_kept() {
        let mut retention = MockDataRetention::new();
        retention.expect_purge_expired_refresh_tokens().returning(|_, _| Ok(0));
        retention.expect_purge_expired_access_token_revocations().returning(|_, _| Ok(0));
        retention.expect_purge_settled_outbox_messages().never();
        retention.expect_purge_audit_events().never();
        retention.expect_purge_account_changes().returning(|_, _| Ok(0));
        let policy = RetentionPolicy { outbox_age: None, audit_age: None, ..policy() };

        assert_eq!(purge(retention, policy).run_once().await.unwrap(), RetentionReport::default());
    }

    #[tokio::test]
    async fn an_age_reaching_before_the_calendar_removes_nothing() {
        let mut retention = MockDataRetention::new();
        retention.expect_purge_expired_refresh_tokens().returning(|_, _| Ok(0));
        retention.expect_purge_expired_access_token_revocations().returning(|_, _| Ok(0));
        retention.expect_purge_settled_outbox_messages().never();
        retention.expect_purge_audit_events().never();
        retention.expect_purge_account_changes().returning(|_, _| Ok(0));
        let policy = RetentionPolicy { outbox_age: Some(Duration::MAX), audit_age: Some(u32::MAX * DAY), ..policy() };

        assert!(purge(retention, policy).run_once().await.is_ok());
    }

    #[tokio::test]
    async fn a_database_outage_is_reported() {
        let mut retention = MockDataRetention::new();
        retention
            .expect_purge_expired_refresh_tokens()
            .returning(|_, _| Err(RepoError::Unavailable("connection refused".into())));

        let error = purge(retention, policy()).run_once().await.unwrap_err();

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }
}
