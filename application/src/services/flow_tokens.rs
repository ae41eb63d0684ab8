//! Issuing and redeeming the signed tokens that carry a person from one step
//! of a flow to the next (find password, email verification).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use domain::{User, UserId};

use crate::ports::{
    FlowClaims, FlowGrant, FlowKind, FlowTokenSigner, RateDecision, RateLimit, RateLimiter, UserRepository,
};
use crate::{AppError, Field, Problem};

/// A step token reserved by [`FlowTokens::claim`] for the step now running.
/// Handed to [`FlowTokens::settle`]: kept (the token is spent) when the step
/// succeeded, given back when it was refused or failed, so a 429 or 503 does
/// not cost the person their token.
#[derive(Debug)]
#[must_use = "settle the claim with the outcome of the step it opened"]
pub struct TokenClaim {
    once: [RateLimit; 1],
}

pub struct FlowTokens {
    signer: Arc<dyn FlowTokenSigner>,
    /// Records each redeemed token id until the token would expire anyway.
    uses: Arc<dyn RateLimiter>,
}

impl FlowTokens {
    pub fn new(signer: Arc<dyn FlowTokenSigner>, uses: Arc<dyn RateLimiter>) -> Self {
        Self { signer, uses }
    }

    pub fn issue(&self, grant: &FlowGrant) -> Result<String, AppError> {
        self.signer.sign(grant).map_err(|e| AppError::Internal(format!("flow token: {e}")))
    }

    /// Verifies a token of `kind` and spends it: a second redemption of the
    /// same token fails even while it is unexpired. Any failure is `problem` on `field`.
    pub async fn redeem(
        &self,
        token: &str,
        kind: FlowKind,
        now: DateTime<Utc>,
        field: Field,
        problem: Problem,
    ) -> Result<FlowClaims, AppError> {
        let claims = self.inspect(token, kind, field, problem)?;
        let once = [Self::use_of(&claims, now)];
        match self.uses.acquire(&once).await? {
            RateDecision::Allowed => Ok(claims),
            RateDecision::Limited { .. } => Err(AppError::field(field, problem)),
        }
    }

    /// Reserves a verified token for the step now running, in one atomic step
    /// of the cache: while it is reserved (and once it is spent) every other
    /// use fails with `problem` on `field`, so two simultaneous uses cannot
    /// both pass. [`Self::settle`] then spends it or gives it back.
    pub async fn claim(
        &self,
        claims: &FlowClaims,
        now: DateTime<Utc>,
        field: Field,
        problem: Problem,
    ) -> Result<TokenClaim, AppError> {
        let once = [Self::use_of(claims, now)];
        match self.uses.acquire(&once).await? {
            RateDecision::Allowed => Ok(TokenClaim { once }),
            RateDecision::Limited { .. } => Err(AppError::field(field, problem)),
        }
    }

    /// Keeps the claim (the token is spent) when the step succeeded; gives the
    /// token back when it failed, and answers the step's outcome either way.
    pub async fn settle<T>(&self, claim: TokenClaim, outcome: Result<T, AppError>) -> Result<T, AppError> {
        if outcome.is_err() {
            // The step's own failure is the answer; should giving the token
            // back fail too (the cache is down), it stays spent, as before.
            let _given_back = self.uses.release(&claim.once).await;
        }
        outcome
    }

    /// The record of one use of a token, kept until the token would expire anyway.
    fn use_of(claims: &FlowClaims, now: DateTime<Utc>) -> RateLimit {
        let remaining = (claims.expires_at - now).to_std().unwrap_or(Duration::ZERO).max(Duration::from_secs(1));
        RateLimit::new(format!("flow:used:{}", claims.token_id), 1, remaining).durable()
    }

    /// Verifies a token of `kind` without spending it (links that may be opened twice).
    pub fn inspect(&self, token: &str, kind: FlowKind, field: Field, problem: Problem) -> Result<FlowClaims, AppError> {
        if token.trim().is_empty() {
            return Err(AppError::field(field, problem));
        }
        self.signer.verify(token.trim(), kind).map_err(|_| AppError::field(field, problem))
    }
}

/// The user a step token names, while the token is still current: a password
/// reset since it was issued (which bumps the token version) voids it.
pub async fn current_user(
    users: &dyn UserRepository,
    claims: &FlowClaims,
    field: Field,
    problem: Problem,
) -> Result<User, AppError> {
    let id = claims.subject.parse::<i64>().map(UserId).map_err(|_| AppError::field(field, problem))?;
    match users.find_by_id(id).await? {
        Some(user) if user.token_version == claims.version => Ok(user),
        _ => Err(AppError::field(field, problem)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Backend;
    use crate::ports::{CacheError, MockFlowTokenSigner, MockRateLimiter, TokenError};

    pub(crate) fn claims(kind: FlowKind, subject: &str, target: Option<&str>, version: i64) -> FlowClaims {
        FlowClaims {
            kind,
            subject: subject.into(),
            target: target.map(str::to_owned),
            version,
            token_id: "jti-1".into(),
            expires_at: Utc::now() + chrono::TimeDelta::seconds(300),
        }
    }

    fn signer_answering(answer: Result<FlowClaims, TokenError>) -> MockFlowTokenSigner {
        let mut signer = MockFlowTokenSigner::new();
        signer.expect_verify().returning(move |_, _| answer.clone());
        signer
    }

    async fn redeem(signer: MockFlowTokenSigner, uses: MockRateLimiter, token: &str) -> Result<FlowClaims, AppError> {
        FlowTokens::new(Arc::new(signer), Arc::new(uses))
            .redeem(token, FlowKind::ResetPassword, Utc::now(), Field::AccessToken, Problem::StepTokenInvalid)
            .await
    }

    #[tokio::test]
    async fn a_valid_token_is_spent_once_for_the_rest_of_its_life() {
        let good = claims(FlowKind::ResetPassword, "7", None, 0);
        let mut uses = MockRateLimiter::new();
        uses.expect_acquire()
            .withf(|limits| {
                limits.len() == 1
                    && limits[0].key == "flow:used:jti-1"
                    && limits[0].max == 1
                    && (299..=300).contains(&limits[0].window.as_secs())
            })
            .times(1)
            .returning(|_| Ok(RateDecision::Allowed));
        assert_eq!(redeem(signer_answering(Ok(good.clone())), uses, "token").await, Ok(good));
    }

    #[tokio::test]
    async fn a_spent_token_is_refused() {
        let mut uses = MockRateLimiter::new();
        uses.expect_acquire().returning(|_| Ok(RateDecision::Limited { retry_after: Duration::from_secs(200) }));
        let got = redeem(signer_answering(Ok(claims(FlowKind::ResetPassword, "7", None, 0))), uses, "token").await;
        assert_eq!(got, Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid)));
    }

    #[tokio::test]
    async fn forged_expired_and_missing_tokens_are_refused_without_spending_anything() {
        for (answer, token) in
            [(TokenError::Invalid, "forged"), (TokenError::Expired, "old"), (TokenError::Invalid, " ")]
        {
            let got = redeem(signer_answering(Err(answer)), MockRateLimiter::new(), token).await;
            assert_eq!(got, Err(AppError::field(Field::AccessToken, Problem::StepTokenInvalid)));
        }
    }

    #[tokio::test]
    async fn a_cache_outage_while_spending_is_unavailable() {
        let mut uses = MockRateLimiter::new();
        uses.expect_acquire().returning(|_| Err(CacheError::Unavailable("down".into())));
        let got = redeem(signer_answering(Ok(claims(FlowKind::ResetPassword, "7", None, 0))), uses, "token").await;
        assert_eq!(got, Err(AppError::Unavailable(Backend::Cache)));
    }

    fn tokens(uses: MockRateLimiter) -> FlowTokens {
        FlowTokens::new(Arc::new(MockFlowTokenSigner::new()), Arc::new(uses))
    }

    async fn claim(tokens: &FlowTokens) -> Result<TokenClaim, AppError> {
        let good = claims(FlowKind::ResetPassword, "7", None, 0);
        tokens.claim(&good, Utc::now(), Field::AccessToken, Problem::StepTokenInvalid).await
    }

    fn reserving(uses: &mut MockRateLimiter) {
        uses.expect_acquire()
            .withf(|limits| limits.len() == 1 && limits[0].key == "flow:used:jti-1" && limits[0].max == 1)
            .times(1)
            .returning(|_| Ok(RateDecision::Allowed));
    }

    #[tokio::test]
    async fn a_step_that_succeeds_keeps_the_token_spent() {
        let mut uses = MockRateLimiter::new();
        reserving(&mut uses);
        // No release expected: giving the token back after a success fails the test.
        let tokens = tokens(uses);
        let claim = claim(&tokens).await.unwrap();
        assert_eq!(tokens.settle(claim, Ok(5)).await, Ok(5));
    }

    #[tokio::test]
    async fn a_step_that_is_refused_or_fails_gives_the_token_back() {
        let waited = AppError::RateLimited { retry_after: Duration::from_secs(40) };
        for failure in [waited, AppError::Unavailable(Backend::Database)] {
            let mut uses = MockRateLimiter::new();
            reserving(&mut uses);
            uses.expect_release()
                .withf(|limits| limits.len() == 1 && limits[0].key == "flow:used:jti-1")
                .times(1)
                .returning(|_| Ok(()));
            let tokens = tokens(uses);
            let claim = claim(&tokens).await.unwrap();
            assert_eq!(tokens.settle::<()>(claim, Err(failure.clone())).await, Err(failure));
        }
    }

    #[tokio::test]
    async fn a_token_reserved_or_spent_by_another_request_is_refused() {
        let mut uses = MockRateLimiter::new();
        uses.expect_acquire().returning(|_| Ok(RateDecision::Limited { retry_after: Duration::from_secs(200) }));
        let got = claim(&tokens(uses)).await;
        assert_eq!(got.unwrap_err(), AppError::field(Field::AccessToken, Problem::StepTokenInvalid));
    }

    #[tokio::test]
    async fn a_failed_give_back_still_answers_the_step_s_own_failure() {
        let mut uses = MockRateLimiter::new();
        reserving(&mut uses);
        uses.expect_release().returning(|_| Err(CacheError::Unavailable("down".into())));
        let tokens = tokens(uses);
        let claim = claim(&tokens).await.unwrap();
        let waited = AppError::RateLimited { retry_after: Duration::from_secs(40) };
        assert_eq!(tokens.settle::<()>(claim, Err(waited.clone())).await, Err(waited));
    }
}
