use std::sync::Arc;

use domain::{NewUser, Profile, ProfileChange, User, UserId};

use crate::ports::{
    AuditEvent, Clock, CodeGenerator, IdentityKey, LoginMethod, NewIdentity, OAuthIdentityRepository, OAuthProvider,
    RepoError, SessionKeyStore, SignInOrigin, UniqueKey, UserRepository, WeChatClient,
};
use crate::services::provider_failure::provider_failure;
use crate::services::unionid_join::join_by_unionid;
use crate::{AccountStores, AppError, AuthFailure, Field, FieldErrors, LoginRecorder, OAuthPolicy, Problem, Session};

/// Generated names collide with an existing one about never; a few tries settle it.
const NAME_ATTEMPTS: usize = 3;

pub struct MiniProgramLogInRequest {
    /// The code of `wx.login()`.
    pub code: String,
    pub nickname: Option<String>,
    pub avatar: Option<String>,
    pub origin: SignInOrigin,
}

#[derive(Debug)]
pub struct MiniProgramLoggedIn {
    pub user: User,
    pub session: Session,
    /// Whether this login created the account.
    pub created: bool,
    /// The account was scheduled for deletion and this sign-in cancelled that.
    pub restored: bool,
}

/// `POST /oauth/wechat/miniprogram/`: logs a mini-program user in from the
/// code of `wx.login()`. A known openid logs its user in; an unknown one whose
/// unionid is known from the website login joins that user; otherwise a new
/// account without a usable password is created with the identity. The
/// `session_key` WeChat answers is kept in the server's cache only.
pub struct LogInWithMiniProgram {
    wechat: Arc<dyn WeChatClient>,
    identities: Arc<dyn OAuthIdentityRepository>,
    users: Arc<dyn UserRepository>,
    generator: Arc<dyn CodeGenerator>,
    session_keys: Arc<dyn SessionKeyStore>,
    logins: Arc<LoginRecorder>,
    clock: Arc<dyn Clock>,
    policy: OAuthPolicy,
}

impl LogInWithMiniProgram {
    pub fn new(
        wechat: Arc<dyn WeChatClient>,
        accounts: AccountStores,
        generator: Arc<dyn CodeGenerator>,
        session_keys: Arc<dyn SessionKeyStore>,
        logins: Arc<LoginRecorder>,
        clock: Arc<dyn Clock>,
        policy: OAuthPolicy,
    ) -> Self {
        let AccountStores { users, identities } = accounts;
        Self { wechat, identities, users, generator, session_keys, logins, clock, policy }
    }

    pub async fn execute(&self, request: MiniProgramLogInRequest) -> Result<MiniProgramLoggedIn, AppError> {
        let mut errors = FieldErrors::default();
        let nickname =
            errors.check(Field::Nickname, ProfileChange::nickname(Some(request.nickname.as_deref())), Problem::Profile);
        let avatar =
            errors.check(Field::Avatar, ProfileChange::avatar(Some(request.avatar.as_deref())), Problem::Profile);
        if request.code.trim().is_empty() {
            errors.push(Field::NonField, Problem::OAuthCodeInvalid);
        }
        errors.into_result()?;
        let profile = Profile {
            nickname: nickname.flatten().flatten(),
            avatar: avatar.flatten().flatten(),
            ..Profile::default()
        };

        let session =
            self.wechat.code_to_session(request.code.trim()).await.map_err(|e| provider_failure("wechat", e))?;
        let identity = NewIdentity {
            key: IdentityKey {
                provider: OAuthProvider::WechatMiniProgram,
                app_id: self.wechat.mini_program_app_id(),
                openid: session.openid.clone(),
            },
            unionid: session.unionid.clone(),
        };
        self.session_keys.keep(&identity.key, &session.session_key, self.policy.session_key_ttl).await?;
        let (user, created) = match self.identities.find(&identity.key).await? {
            Some(bound) => (self.existing_user(bound.user_id).await?, false),
            None => self.join_or_create(&identity, profile).await?,
        };
        let logged_in =
            self.logins.record(user, AuditEvent::LoginSucceeded, LoginMethod::WechatMp, &request.origin).await?;
        Ok(MiniProgramLoggedIn {
            user: logged_in.user,
            session: logged_in.session,
            created,
            restored: logged_in.restored,
        })
    }

    async fn existing_user(&self, id: UserId) -> Result<User, AppError> {
        self.users.find_by_id(id).await?.ok_or(AppError::Unauthenticated(AuthFailure::Revoked))
    }

    /// The user of the same person's other WeChat identity, or a new account.
    async fn join_or_create(&self, identity: &NewIdentity, profile: Profile) -> Result<(User, bool), AppError> {
        let now = self.clock.now();
        if let Some(user_id) = join_by_unionid(self.identities.as_ref(), identity, now).await? {
            return Ok((self.existing_user(user_id).await?, false));
        }
        for _ in 0..NAME_ATTEMPTS {
            let new_user = NewUser {
                username: format!("wx_{}", self.generator.name_suffix()),
                mobile: None,
                email: None,
                email_active: false,
                password_hash: None,
                date_joined: now,
            };
            match self.identities.create_user_with_identity(new_user, identity, now).await {
                Ok(user) => {
                    let user = if profile == Profile::default() {
                        user
                    } else {
                        self.users.update_profile(user.id, &profile).await?.unwrap_or(user)
                    };
                    return Ok((user, true));
                }
                // The username was taken: the loop tries the next one.
                Err(RepoError::Conflict(UniqueKey::Username)) => {}
                // Two first logins raced; the other one created the account.
                Err(RepoError::Conflict(UniqueKey::Identity)) => {
                    let bound = self
                        .identities
                        .find(&identity.key)
                        .await?
                        .ok_or_else(|| AppError::Internal("identity conflict without a bound identity".into()))?;
                    return Ok((self.existing_user(bound.user_id).await?, false));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Internal("no free generated username after several tries".into()))
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    use chrono::Utc;
    use domain::ProfileError;

    use super::*;
    use crate::ports::{
        BoundIdentity, CacheError, MiniProgramSession, MockClock, MockCodeGenerator, MockLoginStore,
        MockOAuthIdentityRepository, MockSessionKeyStore, MockUserRepository, MockWeChatClient, ProviderError,
    };
    use crate::services::login_recorder::tests::recorder;
    use crate::use_cases::log_in::tests::stored_user;

    #[derive(Default)]
    struct Ports {
        wechat: MockWeChatClient,
        identities: MockOAuthIdentityRepository,
        users: MockUserRepository,
        generator: MockCodeGenerator,
        session_keys: MockSessionKeyStore,
        logins: MockLoginStore,
    }

    impl Ports {
        fn wechat_answers(mut self, answer: Result<MiniProgramSession, ProviderError>) -> Self {
            self.wechat.expect_mini_program_app_id().returning(|| "wx-mp".into());
            let succeeds = answer.is_ok();
            self.wechat
                .expect_code_to_session()
                .withf(|code| code == "js-code")
                .times(1)
                .returning(move |_| answer.clone());
            if succeeds {
                self.session_keys
                    .expect_keep()
                    .withf(|identity, key, ttl| {
                        identity.openid == "MP-OPENID" && key == "secret-session-key" && ttl.as_secs() == 259_200
                    })
                    .times(1)
                    .returning(|_, _, _| Ok(()));
            }
            self
        }

        fn logging_in(mut self) -> Self {
            self.logins.expect_record_login().withf(|login| login.audit.event == AuditEvent::LoginSucceeded).returning(
                |_| Ok(Some(crate::ports::StoredLogin { refresh_token: "refresh".into(), restored: false })),
            );
            self
        }

        fn use_case(self) -> LogInWithMiniProgram {
            let mut clock = MockClock::new();
            clock.expect_now().returning(Utc::now);
            LogInWithMiniProgram::new(
                Arc::new(self.wechat),
                AccountStores { users: Arc::new(self.users), identities: Arc::new(self.identities) },
                Arc::new(self.generator),
                Arc::new(self.session_keys),
                recorder(self.logins),
                Arc::new(clock),
                OAuthPolicy::default(),
            )
        }
    }

    fn session(unionid: Option<&str>) -> Result<MiniProgramSession, ProviderError> {
        Ok(MiniProgramSession {
            openid: "MP-OPENID".into(),
            unionid: unionid.map(str::to_owned),
            session_key: "secret-session-key".into(),
        })
    }

    fn request() -> MiniProgramLogInRequest {
        MiniProgramLogInRequest {
            code: "js-code".into(),
            nickname: Some("小明".into()),
            avatar: Some("https://thirdwx.qlogo.cn/avatar.png".into()),
            origin: SignInOrigin::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)), "WeChat mini-program"),
        }
    }

    fn bound(user: i64) -> Result<Option<BoundIdentity>, RepoError> {
        Ok(Some(BoundIdentity {
            key: IdentityKey {
                provider: OAuthProvider::WechatMiniProgram,
                app_id: "wx-mp".into(),
                openid: "MP-OPENID".into(),
            },
            unionid: None,
            user_id: UserId(user),
            bound_at: Utc::now(),
        }))
    }

    #[tokio::test]
    async fn a_known_openid_logs_its_user_in() {
        let mut ports = Ports::default().wechat_answers(session(None)).logging_in();
        ports
            .identities
            .expect_find()
            .withf(|key| {
                key.provider == OAuthProvider::WechatMiniProgram && key.app_id == "wx-mp" && key.openid == "MP-OPENID"
            })
            .returning(|_| bound(1));
        ports.users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        let logged_in = ports.use_case().execute(request()).await.unwrap();
        assert_eq!(
            (logged_in.user.id, logged_in.created, logged_in.session.access.token.as_str()),
            (UserId(1), false, "jwt")
        );
    }

    #[tokio::test]
    async fn a_new_person_gets_an_account_without_password_and_the_given_profile() {
        let mut ports = Ports::default().wechat_answers(session(None)).logging_in();
        ports.identities.expect_find().returning(|_| Ok(None));
        ports.generator.expect_name_suffix().returning(|| "a1b2c3d4e5".into());
        ports
            .identities
            .expect_create_user_with_identity()
            .withf(|user, identity, _| {
                user.username == "wx_a1b2c3d4e5"
                    && user.password_hash.is_none()
                    && user.mobile.is_none()
                    && identity.key.openid == "MP-OPENID"
            })
            .times(1)
            .returning(|user, _, _| Ok(User { username: user.username, password_hash: None, ..stored_user() }));
        ports
            .users
            .expect_update_profile()
            .withf(|_, profile| {
                profile.nickname.as_deref() == Some("小明")
                    && profile.avatar.as_deref() == Some("https://thirdwx.qlogo.cn/avatar.png")
            })
            .times(1)
            .returning(|_, profile| Ok(Some(User { profile: profile.clone(), ..stored_user() })));
        let logged_in = ports.use_case().execute(request()).await.unwrap();
        assert!(logged_in.created);
        assert_eq!(logged_in.user.profile.nickname.as_deref(), Some("小明"));
    }

    #[tokio::test]
    async fn a_unionid_known_from_the_website_joins_that_user() {
        let mut ports = Ports::default().wechat_answers(session(Some("UNION"))).logging_in();
        ports.identities.expect_find().returning(|_| Ok(None));
        ports
            .identities
            .expect_find_by_unionid()
            .withf(|providers, unionid| {
                providers == OAuthProvider::WechatMiniProgram.unionid_family() && unionid == "UNION"
            })
            .returning(|_, _| Ok(Some(UserId(1))));
        ports
            .identities
            .expect_bind()
            .withf(|identity, user, _| identity.unionid.as_deref() == Some("UNION") && *user == UserId(1))
            .times(1)
            .returning(|_, _, _| Ok(()));
        ports.users.expect_find_by_id().returning(|_| Ok(Some(stored_user())));
        let logged_in = ports.use_case().execute(request()).await.unwrap();
        assert_eq!((logged_in.user.id, logged_in.created), (UserId(1), false));
    }

    #[tokio::test]
    async fn a_taken_generated_name_is_drawn_again() {
        let mut ports = Ports::default().wechat_answers(session(None)).logging_in();
        ports.identities.expect_find().returning(|_| Ok(None));
        let mut suffixes = vec!["taken00000".to_owned(), "free000000".to_owned()].into_iter();
        ports.generator.expect_name_suffix().times(2).returning(move || suffixes.next().unwrap_or_default());
        ports.identities.expect_create_user_with_identity().times(2).returning(|user, _, _| {
            if user.username == "wx_taken00000" {
                Err(RepoError::Conflict(UniqueKey::Username))
            } else {
                Ok(User { username: user.username, ..stored_user() })
            }
        });
        ports
            .users
            .expect_update_profile()
            .returning(|_, _| Ok(Some(User { username: "wx_free000000".into(), ..stored_user() })));
        assert_eq!(ports.use_case().execute(request()).await.unwrap().user.username, "wx_free000000");
    }

    #[tokio::test]
    async fn losing_a_race_with_a_concurrent_first_login_logs_into_the_winner_s_account() {
        let mut ports = Ports::default().wechat_answers(session(None)).logging_in();
        let mut finds = vec![Ok(None), bound(7)].into_iter();
        ports.identities.expect_find().times(2).returning(move |_| finds.next().unwrap_or(Ok(None)));
        ports.generator.expect_name_suffix().returning(|| "a1b2c3d4e5".into());
        ports
            .identities
            .expect_create_user_with_identity()
            .returning(|_, _, _| Err(RepoError::Conflict(UniqueKey::Identity)));
        ports
            .users
            .expect_find_by_id()
            .withf(|id| *id == UserId(7))
            .returning(|_| Ok(Some(User { id: UserId(7), ..stored_user() })));
        let logged_in = ports.use_case().execute(request()).await.unwrap();
        assert_eq!((logged_in.user.id, logged_in.created), (UserId(7), false));
    }

    #[tokio::test]
    async fn wechat_failures_map_to_their_statuses() {
        let cases = [
            (ProviderError::CodeRejected, AppError::field(Field::NonField, Problem::OAuthCodeInvalid)),
            (ProviderError::Throttled, AppError::RateLimited { retry_after: Duration::from_secs(60) }),
            (ProviderError::Blocked, AppError::Forbidden),
            (
                ProviderError::Refused { code: 40013, message: "invalid appid".into() },
                AppError::Upstream { provider: "wechat", code: Some(40013) },
            ),
            (
                ProviderError::Unavailable("busy after retries".into()),
                AppError::Upstream { provider: "wechat", code: None },
            ),
        ];
        for (error, expected) in cases {
            let got = Ports::default().wechat_answers(Err(error.clone())).use_case().execute(request()).await;
            assert_eq!(got.unwrap_err(), expected, "{error:?}");
        }
    }

    #[tokio::test]
    async fn a_bad_profile_or_an_empty_code_is_refused_before_wechat_is_asked() {
        let got = Ports::default()
            .use_case()
            .execute(MiniProgramLogInRequest {
                avatar: Some("javascript:alert(1)".into()),
                code: " ".into(),
                ..request()
            })
            .await;
        let Err(AppError::Validation(errors)) = got else { panic!("{got:?}") };
        assert_eq!(errors[0], crate::FieldError::new(Field::Avatar, Problem::Profile(ProfileError::AvatarUrl)));
        assert_eq!(errors[1].problem, Problem::OAuthCodeInvalid);
    }

    #[tokio::test]
    async fn a_cache_outage_keeping_the_session_key_is_unavailable() {
        let mut ports = Ports::default();
        ports.wechat.expect_mini_program_app_id().returning(|| "wx-mp".into());
        ports.wechat.expect_code_to_session().returning(|_| session(None));
        ports.session_keys.expect_keep().returning(|_, _, _| Err(CacheError::Unavailable("down".into())));
        let got = ports.use_case().execute(request()).await;
        assert_eq!(got.unwrap_err(), AppError::Unavailable(crate::Backend::Cache));
    }
}
