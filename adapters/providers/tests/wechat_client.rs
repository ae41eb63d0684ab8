//! `WeChatApiClient` against test-support's fake WeChat API, which answers as WeChat
//! does: refusals with HTTP 200 and an errcode, `-1` when busy, single-use codes, app access
//! tokens that expire.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::time::{Duration, Instant};

use application::ports::{MiniProgramSession, ProviderError, WeChatClient, WebIdentity};
use providers::oauth::{WeChatApiClient, WeChatSettings, WeChatSetupError};
use reqwest::Url;
use secrecy::SecretString;
use test_support::captured_logs::CapturedLogs;
use test_support::fake_wechat::{self, Endpoint, FakeWeChat, Misbehaviour};

const MP_OPENID: &str = "oVBkZ0aYgDMDIywRdgPW8-joxXc4";
const WEB_OPENID: &str = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M";
const UNIONID: &str = "oTmHYjg-tElZ68aQ1nBbhy1Rgk3A";
const SESSION_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const JS_CODE: &str = "0a3Xk3000Rm6pV1YkJ100kpXQd2Xk30G";
const WEB_CODE: &str = "061Abc0w3kOqHT2Yc02w3Zq6XY3Abc0J";
const PHONE_CODE: &str = "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144";
const PHONE: &str = "13800138000";
const NICKNAME: &str = "小美";
const AVATAR: &str = "https://thirdwx.qlogo.cn/mmopen/g3MonUZtNHkdmzicIlibx6iaFqAc56vxLSUfpb6n5WKSYVY0ChQKkiaJSgQ1dZuTOgvLLrhJbERQQ4eMsv84eavHiaiceqxibJxCfHe/0";
/// The backoff in these tests: short, but long enough to be measured.
const BACKOFF: Duration = Duration::from_millis(20);

fn settings(api_base: &str) -> WeChatSettings {
    let mut settings = WeChatSettings::new()
        .with_mini_program(fake_wechat::MP_APP_ID, fake_wechat::MP_SECRET)
        .with_website(fake_wechat::WEB_APP_ID, fake_wechat::WEB_SECRET, fake_wechat::WEB_REDIRECT_URI);
    settings.api_base = api_base.to_owned();
    settings.timeout = Duration::from_millis(500);
    settings.busy_backoff = BACKOFF;
    settings
}

fn client(fake: &FakeWeChat) -> WeChatApiClient {
    WeChatApiClient::new(settings(&fake.base_url())).expect("valid settings")
}

/// A fake that knows `JS_CODE`, `WEB_CODE` and `PHONE_CODE`, each for someone with a unionid.
async fn fake_with_codes() -> FakeWeChat {
    let fake = FakeWeChat::start().await;
    fake.add_mp_code(JS_CODE, MP_OPENID, Some(UNIONID), SESSION_KEY);
    fake.add_web_code(WEB_CODE, WEB_OPENID, Some(UNIONID), NICKNAME, AVATAR);
    fake.add_phone_code(PHONE_CODE, PHONE);
    fake
}

fn session() -> MiniProgramSession {
    MiniProgramSession {
        openid: MP_OPENID.to_owned(),
        unionid: Some(UNIONID.to_owned()),
        session_key: SESSION_KEY.to_owned(),
    }
}

fn web_identity() -> WebIdentity {
    WebIdentity {
        openid: WEB_OPENID.to_owned(),
        unionid: Some(UNIONID.to_owned()),
        nickname: Some(NICKNAME.to_owned()),
        avatar: Some(AVATAR.to_owned()),
    }
}

fn refused<T: std::fmt::Debug>(result: Result<T, ProviderError>) -> (i64, String) {
    match result {
        Err(ProviderError::Refused { code, message }) => (code, message),
        other => panic!("expected Refused, got {other:?}"),
    }
}

fn unavailable<T: std::fmt::Debug>(result: Result<T, ProviderError>) -> String {
    match result {
        Err(ProviderError::Unavailable(text)) => text,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

// --- mini-program login -----------------------------------------------------------------------

#[tokio::test]
async fn a_mini_program_code_gives_openid_unionid_and_session_key() {
    let fake = fake_with_codes().await;

    assert_eq!(client(&fake).code_to_session(JS_CODE).await, Ok(session()));

    let requests = fake.requests_to(Endpoint::CodeToSession);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].param("appid"), Some(fake_wechat::MP_APP_ID));
    assert_eq!(requests[0].param("secret"), Some(fake_wechat::MP_SECRET));
    assert_eq!(requests[0].param("js_code"), Some(JS_CODE));
    assert_eq!(requests[0].param("grant_type"), Some("authorization_code"));
}

#[tokio::test]
async fn a_mini_program_not_bound_to_the_open_platform_gives_no_unionid() {
    let fake = FakeWeChat::start().await;
    fake.add_mp_code(JS_CODE, MP_OPENID, None, SESSION_KEY);

    assert_eq!(client(&fake).code_to_session(JS_CODE).await, Ok(MiniProgramSession { unionid: None, ..session() }));
}

#[tokio::test]
async fn busy_twice_then_an_answer_is_retried_with_a_growing_backoff() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::CodeToSession, -1, 2);
    let started = Instant::now();

    assert_eq!(client(&fake).code_to_session(JS_CODE).await, Ok(session()));

    assert_eq!(fake.requests_to(Endpoint::CodeToSession).len(), 3);
    // 20 ms, then 40 ms.
    assert!(started.elapsed() >= BACKOFF * 3, "{:?}", started.elapsed());
}

#[tokio::test]
async fn busy_beyond_the_retries_is_unavailable() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::CodeToSession, -1, 100);

    let text = unavailable(client(&fake).code_to_session(JS_CODE).await);

    assert!(text.contains("busy"), "{text}");
    // The first attempt and the default 3 retries.
    assert_eq!(fake.requests_to(Endpoint::CodeToSession).len(), 4);
}

#[tokio::test]
async fn no_retries_configured_means_one_attempt() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::CodeToSession, -1, 1);
    let mut once = settings(&fake.base_url());
    once.busy_retries = 0;

    unavailable(WeChatApiClient::new(once).expect("valid settings").code_to_session(JS_CODE).await);

    assert_eq!(fake.requests_to(Endpoint::CodeToSession).len(), 1);
}

#[tokio::test]
async fn an_unknown_code_40029_is_a_rejected_code() {
    let fake = fake_with_codes().await;

    let got = client(&fake).code_to_session("NOT-A-CODE-WECHAT-GAVE").await;

    assert_eq!(got.unwrap_err(), ProviderError::CodeRejected);
}

#[tokio::test]
async fn a_used_code_40163_is_a_rejected_code() {
    let fake = fake_with_codes().await;
    let client = client(&fake);
    assert!(client.code_to_session(JS_CODE).await.is_ok());

    assert_eq!(client.code_to_session(JS_CODE).await.unwrap_err(), ProviderError::CodeRejected);
}

#[tokio::test]
async fn rate_limited_and_high_risk_users_are_throttled_and_blocked_and_not_retried() {
    for (errcode, expected) in [(45011, ProviderError::Throttled), (40226, ProviderError::Blocked)] {
        let fake = fake_with_codes().await;
        fake.fail_next(Endpoint::CodeToSession, errcode, 1);

        assert_eq!(client(&fake).code_to_session(JS_CODE).await.unwrap_err(), expected);
        assert_eq!(fake.requests_to(Endpoint::CodeToSession).len(), 1, "{errcode}");
    }
}

#[tokio::test]
async fn a_wrong_app_id_or_secret_is_refused_with_40013_or_40125() {
    let fake = fake_with_codes().await;
    let mut wrong_id = settings(&fake.base_url());
    wrong_id.mp_app_id = "wx0000000000000000".into();
    let mut wrong_secret = settings(&fake.base_url());
    wrong_secret.mp_secret = "not-the-secret".into();

    let (code, _) = refused(WeChatApiClient::new(wrong_id).expect("valid settings").code_to_session(JS_CODE).await);
    assert_eq!(code, 40013);
    let client = WeChatApiClient::new(wrong_secret).expect("valid settings");
    assert_eq!(refused(client.code_to_session(JS_CODE).await).0, 40125);
    assert_eq!(refused(client.phone_number(PHONE_CODE).await).0, 40125);
}

// --- website QR login -------------------------------------------------------------------------

#[tokio::test]
async fn a_web_code_gives_the_identity_with_its_profile() {
    let fake = fake_with_codes().await;

    assert_eq!(client(&fake).web_identify(WEB_CODE).await, Ok(web_identity()));

    let token = &fake.requests_to(Endpoint::WebToken)[0];
    assert_eq!(token.param("appid"), Some(fake_wechat::WEB_APP_ID));
    assert_eq!(token.param("secret"), Some(fake_wechat::WEB_SECRET));
    assert_eq!(token.param("code"), Some(WEB_CODE));
    assert_eq!(token.param("grant_type"), Some("authorization_code"));
    let userinfo = fake.requests_to(Endpoint::UserInfo);
    assert_eq!(userinfo.len(), 1);
    assert!(userinfo[0].param("access_token").is_some_and(|token| !token.is_empty()));
    assert_eq!(userinfo[0].param("openid"), Some(WEB_OPENID));
}

#[tokio::test]
async fn the_unionid_of_the_token_answer_is_kept_when_userinfo_leaves_it_out() {
    let fake = fake_with_codes().await;
    fake.userinfo_omits_unionid();

    let identity = client(&fake).web_identify(WEB_CODE).await;

    assert_eq!(identity, Ok(web_identity()));
}

#[tokio::test]
async fn a_web_user_without_unionid_or_profile_fields_gets_none() {
    let fake = FakeWeChat::start().await;
    fake.add_web_code(WEB_CODE, WEB_OPENID, None, "", "");

    let identity = client(&fake).web_identify(WEB_CODE).await;

    assert_eq!(
        identity,
        Ok(WebIdentity { openid: WEB_OPENID.to_owned(), unionid: None, nickname: None, avatar: None })
    );
}

#[tokio::test]
async fn web_code_refusals_are_rejected_codes_and_skip_the_profile() {
    let fake = fake_with_codes().await;
    let client = client(&fake);

    assert_eq!(client.web_identify("NOT-A-CODE").await.unwrap_err(), ProviderError::CodeRejected);
    assert!(client.web_identify(WEB_CODE).await.is_ok());
    assert_eq!(client.web_identify(WEB_CODE).await.unwrap_err(), ProviderError::CodeRejected);
    assert_eq!(fake.requests_to(Endpoint::UserInfo).len(), 1);
}

#[tokio::test]
async fn a_profile_that_cannot_be_read_fails_the_web_login() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::UserInfo, 40001, 1);

    assert_eq!(refused(client(&fake).web_identify(WEB_CODE).await).0, 40001);
}

#[tokio::test]
async fn busy_on_the_profile_is_retried_too() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::UserInfo, -1, 2);

    assert_eq!(client(&fake).web_identify(WEB_CODE).await, Ok(web_identity()));
    assert_eq!(fake.requests_to(Endpoint::UserInfo).len(), 3);
    assert_eq!(fake.requests_to(Endpoint::WebToken).len(), 1);
}

#[test]
fn the_authorize_url_carries_every_parameter_percent_encoded_and_the_fragment() {
    let client = WeChatApiClient::new(settings("https://api.weixin.qq.com")).expect("valid settings");
    let state = "next=/orders?page=2&x=1 #é";

    let raw = client.web_authorize_url(state);

    let url = Url::parse(&raw).expect("a URL");
    assert_eq!(url.scheme(), "https");
    assert_eq!(url.host_str(), Some("open.weixin.qq.com"));
    assert_eq!(url.path(), "/connect/qrconnect");
    let query: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(
        query,
        [
            ("appid", fake_wechat::WEB_APP_ID),
            ("redirect_uri", fake_wechat::WEB_REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "snsapi_login"),
            ("state", state),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
    );
    assert!(
        raw.contains("redirect_uri=https%3A%2F%2Fwww.meiduo.site%2Fwechat_callback.html%3Ffrom%3Dwechat%26next%3D%2F&"),
        "{raw}"
    );
    assert!(raw.contains("state=next%3D%2Forders%3Fpage%3D2%26x%3D1+%23%C3%A9#"), "{raw}");
    assert!(raw.ends_with("#wechat_redirect"), "{raw}");
    assert_eq!(client.web_app_id(), fake_wechat::WEB_APP_ID);
    assert_eq!(client.mini_program_app_id(), fake_wechat::MP_APP_ID);
}

#[test]
fn the_authorize_url_honours_the_open_base() {
    let mut elsewhere = settings("https://api.weixin.qq.com");
    elsewhere.open_base = "http://127.0.0.1:9/wx/".into();
    let client = WeChatApiClient::new(elsewhere).expect("valid settings");

    let url = Url::parse(&client.web_authorize_url("s")).expect("a URL");

    assert_eq!(url.path(), "/wx/connect/qrconnect");
}

// --- phone number and the app access token -----------------------------------------------------

#[tokio::test]
async fn the_phone_button_code_gives_the_pure_number() {
    let fake = fake_with_codes().await;

    assert_eq!(client(&fake).phone_number(PHONE_CODE).await, Ok(PHONE.to_owned()));

    let token = &fake.requests_to(Endpoint::AppToken)[0];
    assert_eq!(token.param("grant_type"), Some("client_credential"));
    assert_eq!(token.param("appid"), Some(fake_wechat::MP_APP_ID));
    assert_eq!(token.param("secret"), Some(fake_wechat::MP_SECRET));
    let phone = &fake.requests_to(Endpoint::PhoneNumber)[0];
    assert_eq!(phone.method, "POST");
    assert_eq!(phone.param("access_token"), Some("APP_ACCESS_TOKEN_00000001"));
    assert_eq!(phone.body, Some(serde_json::json!({ "code": PHONE_CODE })));
    assert_eq!(phone.param("code"), None);
}

#[tokio::test]
async fn phone_code_refusals_are_rejected_codes() {
    let fake = fake_with_codes().await;
    let client = client(&fake);

    assert_eq!(client.phone_number("NOT-A-CODE").await.unwrap_err(), ProviderError::CodeRejected);
    assert!(client.phone_number(PHONE_CODE).await.is_ok());
    assert_eq!(client.phone_number(PHONE_CODE).await.unwrap_err(), ProviderError::CodeRejected);
}

#[tokio::test]
async fn the_app_token_is_fetched_once_for_several_phone_numbers() {
    let fake = fake_with_codes().await;
    for n in 0..3 {
        fake.add_phone_code(&format!("PHONE-CODE-{n}"), &format!("1390000000{n}"));
    }
    let client = client(&fake);

    for n in 0..3 {
        assert_eq!(client.phone_number(&format!("PHONE-CODE-{n}")).await, Ok(format!("1390000000{n}")));
    }

    assert_eq!(fake.app_tokens_issued(), 1);
    assert_eq!(fake.requests_to(Endpoint::AppToken).len(), 1);
}

#[tokio::test]
async fn concurrent_phone_numbers_share_one_app_token_fetch() {
    let fake = fake_with_codes().await;
    fake.add_phone_code("PHONE-CODE-2", "13900000002");
    let client = client(&fake);

    let (first, second) = tokio::join!(client.phone_number(PHONE_CODE), client.phone_number("PHONE-CODE-2"));

    assert_eq!((first, second), (Ok(PHONE.to_owned()), Ok("13900000002".to_owned())));
    assert_eq!(fake.app_tokens_issued(), 1);
}

#[tokio::test]
async fn an_expired_or_invalid_app_token_is_fetched_again_at_once_and_the_call_repeated() {
    for (turn_down, errcode) in
        [(FakeWeChat::expire_app_tokens as fn(&FakeWeChat), 42001), (FakeWeChat::invalidate_app_tokens, 40001)]
    {
        let fake = fake_with_codes().await;
        fake.add_phone_code("PHONE-CODE-2", "13900000002");
        let client = client(&fake);
        assert!(client.phone_number(PHONE_CODE).await.is_ok());
        turn_down(&fake);

        assert_eq!(client.phone_number("PHONE-CODE-2").await, Ok("13900000002".to_owned()), "{errcode}");

        assert_eq!(fake.app_tokens_issued(), 2);
        let tokens: Vec<_> = fake
            .requests_to(Endpoint::PhoneNumber)
            .iter()
            .map(|request| request.param("access_token").unwrap_or_default().to_owned())
            .collect();
        assert_eq!(tokens, ["APP_ACCESS_TOKEN_00000001", "APP_ACCESS_TOKEN_00000001", "APP_ACCESS_TOKEN_00000002"]);
    }
}

#[tokio::test]
async fn an_app_token_turned_down_twice_is_refused_after_one_refetch() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::PhoneNumber, 42001, 2);

    assert_eq!(refused(client(&fake).phone_number(PHONE_CODE).await).0, 42001);

    assert_eq!(fake.app_tokens_issued(), 2);
    assert_eq!(fake.requests_to(Endpoint::PhoneNumber).len(), 2);
}

#[tokio::test]
async fn an_app_token_within_five_minutes_of_expiry_is_fetched_again() {
    let fake = fake_with_codes().await;
    fake.add_phone_code("PHONE-CODE-2", "13900000002");
    fake.set_app_token_expires_in(299);
    let client = client(&fake);

    assert!(client.phone_number(PHONE_CODE).await.is_ok());
    assert!(client.phone_number("PHONE-CODE-2").await.is_ok());

    assert_eq!(fake.app_tokens_issued(), 2);
}

/// A lifetime too large for the clock is capped, not added to it (which panicked).
#[tokio::test]
async fn a_huge_app_token_lifetime_is_capped_and_the_token_cached() {
    let fake = fake_with_codes().await;
    fake.add_phone_code("PHONE-CODE-2", "13900000002");
    fake.set_app_token_expires_in(i64::MAX);
    let client = client(&fake);

    assert_eq!(client.phone_number(PHONE_CODE).await, Ok(PHONE.to_owned()));
    assert_eq!(client.phone_number("PHONE-CODE-2").await, Ok("13900000002".to_owned()));

    assert_eq!(fake.app_tokens_issued(), 1);
}

#[tokio::test]
async fn a_zero_or_negative_app_token_lifetime_serves_one_call() {
    for expires_in in [0, -7200, i64::MIN] {
        let fake = fake_with_codes().await;
        fake.add_phone_code("PHONE-CODE-2", "13900000002");
        fake.set_app_token_expires_in(expires_in);
        let client = client(&fake);

        assert_eq!(client.phone_number(PHONE_CODE).await, Ok(PHONE.to_owned()), "{expires_in}");
        assert_eq!(client.phone_number("PHONE-CODE-2").await, Ok("13900000002".to_owned()), "{expires_in}");

        assert_eq!(fake.app_tokens_issued(), 2, "{expires_in}");
    }
}

#[tokio::test]
async fn busy_on_the_app_token_is_retried() {
    let fake = fake_with_codes().await;
    fake.fail_next(Endpoint::AppToken, -1, 2);

    assert_eq!(client(&fake).phone_number(PHONE_CODE).await, Ok(PHONE.to_owned()));
    assert_eq!(fake.requests_to(Endpoint::AppToken).len(), 3);
}

#[tokio::test]
async fn a_failed_app_token_fetch_is_not_cached() {
    let fake = fake_with_codes().await;
    fake.misbehave(Endpoint::AppToken, Misbehaviour::Status(500));
    let client = client(&fake);
    unavailable(client.phone_number(PHONE_CODE).await);
    fake.behave();

    assert_eq!(client.phone_number(PHONE_CODE).await, Ok(PHONE.to_owned()));
}

// --- not configured, no usable answer -----------------------------------------------------------

#[tokio::test]
async fn an_app_left_out_answers_not_configured_without_calling_wechat() {
    let fake = fake_with_codes().await;
    let mut web_only = settings(&fake.base_url());
    web_only.mp_app_id.clear();
    web_only.mp_secret = SecretString::default();
    let mut mp_only = settings(&fake.base_url());
    mp_only.web_app_id.clear();
    mp_only.web_secret = SecretString::default();
    mp_only.web_redirect_uri.clear();
    let web_only = WeChatApiClient::new(web_only).expect("valid settings");
    let mp_only = WeChatApiClient::new(mp_only).expect("valid settings");

    assert!(unavailable(web_only.code_to_session(JS_CODE).await).contains("not configured"));
    assert!(unavailable(web_only.phone_number(PHONE_CODE).await).contains("not configured"));
    assert!(unavailable(mp_only.web_identify(WEB_CODE).await).contains("not configured"));
    assert!(fake.requests().is_empty());
    assert_eq!(web_only.mini_program_app_id(), "");
    assert_eq!(mp_only.web_app_id(), "");
}

#[tokio::test]
async fn http_500_on_any_call_is_unavailable() {
    for endpoint in
        [Endpoint::CodeToSession, Endpoint::WebToken, Endpoint::UserInfo, Endpoint::AppToken, Endpoint::PhoneNumber]
    {
        let fake = fake_with_codes().await;
        fake.misbehave(endpoint, Misbehaviour::Status(500));
        let client = client(&fake);

        let text = match endpoint {
            Endpoint::CodeToSession => unavailable(client.code_to_session(JS_CODE).await),
            Endpoint::WebToken | Endpoint::UserInfo => unavailable(client.web_identify(WEB_CODE).await),
            Endpoint::AppToken | Endpoint::PhoneNumber => unavailable(client.phone_number(PHONE_CODE).await),
        };

        assert!(text.contains("500"), "{endpoint:?}: {text}");
        // An outage is not WeChat being busy: no retry.
        assert_eq!(fake.requests_to(endpoint).len(), 1, "{endpoint:?}");
    }
}

/// The queries carry the app secret, codes and access tokens: a redirect must not take them anywhere.
#[tokio::test]
async fn a_redirect_on_any_call_is_unavailable_and_not_followed() {
    for endpoint in
        [Endpoint::CodeToSession, Endpoint::WebToken, Endpoint::UserInfo, Endpoint::AppToken, Endpoint::PhoneNumber]
    {
        let fake = fake_with_codes().await;
        fake.misbehave(endpoint, Misbehaviour::Redirect);
        let client = client(&fake);

        let text = match endpoint {
            Endpoint::CodeToSession => unavailable(client.code_to_session(JS_CODE).await),
            Endpoint::WebToken | Endpoint::UserInfo => unavailable(client.web_identify(WEB_CODE).await),
            Endpoint::AppToken | Endpoint::PhoneNumber => unavailable(client.phone_number(PHONE_CODE).await),
        };

        assert!(text.contains("302"), "{endpoint:?}: {text}");
        let followed: Vec<_> =
            fake.requests().into_iter().filter(|request| request.path == fake_wechat::REDIRECT_TARGET).collect();
        assert_eq!(followed, [], "{endpoint:?}");
    }
}

#[tokio::test]
async fn a_200_that_is_none_of_wechats_answers_is_unavailable() {
    let fake = fake_with_codes().await;
    fake.misbehave(Endpoint::CodeToSession, Misbehaviour::Garbage);

    unavailable(client(&fake).code_to_session(JS_CODE).await);
}

#[tokio::test]
async fn a_call_that_outlasts_the_timeout_is_unavailable() {
    for endpoint in [Endpoint::CodeToSession, Endpoint::PhoneNumber] {
        let fake = fake_with_codes().await;
        fake.misbehave(endpoint, Misbehaviour::Hang(Duration::from_secs(10)));
        let client = client(&fake);
        let started = Instant::now();

        let text = match endpoint {
            Endpoint::CodeToSession => unavailable(client.code_to_session(JS_CODE).await),
            _ => unavailable(client.phone_number(PHONE_CODE).await),
        };

        assert!(text.contains("timed out"), "{endpoint:?}: {text}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn nothing_listening_is_unavailable_without_leaking_the_query() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = WeChatApiClient::new(settings(&format!("http://{address}"))).expect("valid settings");

    let text = unavailable(client.code_to_session(JS_CODE).await);

    assert!(text.contains("cannot connect"), "{text}");
    assert!(!text.contains(JS_CODE) && !text.contains(fake_wechat::MP_SECRET), "{text}");
}

// --- settings, Debug and logs ---------------------------------------------------------------------

#[test]
fn settings_that_cannot_work_are_refused_at_startup() {
    let base = "https://api.weixin.qq.com";
    let with = |change: fn(&mut WeChatSettings)| {
        let mut settings = settings(base);
        change(&mut settings);
        WeChatApiClient::new(settings).err()
    };
    assert_eq!(with(|s| s.mp_secret = " ".into()), Some(WeChatSetupError::Incomplete("mp_secret")));
    assert_eq!(with(|s| s.mp_app_id.clear()), Some(WeChatSetupError::Incomplete("mp_app_id")));
    assert_eq!(with(|s| s.web_secret = SecretString::default()), Some(WeChatSetupError::Incomplete("web_secret")));
    assert_eq!(with(|s| s.web_redirect_uri.clear()), Some(WeChatSetupError::Incomplete("web_redirect_uri")));
    assert!(matches!(with(|s| s.web_redirect_uri = "/callback".into()), Some(WeChatSetupError::RedirectUri(_))));
    assert!(matches!(with(|s| s.api_base = "api.weixin.qq.com".into()), Some(WeChatSetupError::Base("api_base", _))));
    assert!(matches!(with(|s| s.open_base = "ftp://x".into()), Some(WeChatSetupError::Base("open_base", _))));
    assert_eq!(with(|_| {}), None);
    assert_eq!(WeChatApiClient::new(WeChatSettings::new()).err(), None);
}

#[tokio::test]
async fn debug_hides_the_secrets_the_session_key_and_the_cached_token() {
    let fake = fake_with_codes().await;
    let client = client(&fake);
    let session = client.code_to_session(JS_CODE).await.expect("a session");
    assert!(client.phone_number(PHONE_CODE).await.is_ok());

    let shown = format!("{client:?} {:?} {session:?}", settings("https://api.weixin.qq.com"));

    for secret in [fake_wechat::MP_SECRET, fake_wechat::WEB_SECRET, SESSION_KEY, "APP_ACCESS_TOKEN"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains(fake_wechat::MP_APP_ID) && shown.contains(MP_OPENID), "{shown}");
}

#[tokio::test]
async fn logs_steps_and_wechats_codes_but_never_secrets_codes_session_keys_tokens_or_openids() {
    let fake = fake_with_codes().await;
    let client = client(&fake);

    let logs = {
        // A current-thread runtime: the guard covers every await below, the fake's included.
        let (logs, _guard) = CapturedLogs::start();
        fake.fail_next(Endpoint::CodeToSession, -1, 1);
        assert!(client.code_to_session(JS_CODE).await.is_ok());
        assert_eq!(client.code_to_session(JS_CODE).await.unwrap_err(), ProviderError::CodeRejected);
        assert!(client.web_identify(WEB_CODE).await.is_ok());
        assert!(client.phone_number(PHONE_CODE).await.is_ok());
        fake.expire_app_tokens();
        assert_eq!(client.phone_number(PHONE_CODE).await.unwrap_err(), ProviderError::CodeRejected);
        fake.misbehave(Endpoint::UserInfo, Misbehaviour::Hang(Duration::from_secs(10)));
        fake.add_web_code("SECOND-WEB-CODE-0123456789", WEB_OPENID, Some(UNIONID), NICKNAME, AVATAR);
        unavailable(client.web_identify("SECOND-WEB-CODE-0123456789").await);
        logs
    };

    let logs = logs.text();
    assert!(logs.contains("busy") && logs.contains("40163") && logs.contains("42001"), "{logs}");
    assert!(logs.contains("step=\"jscode2session\"") && logs.contains("step=\"userinfo\""), "{logs}");
    assert!(logs.contains("identified") && logs.contains("oVBk"), "{logs}");
    for secret in [
        fake_wechat::MP_SECRET,
        fake_wechat::WEB_SECRET,
        JS_CODE,
        WEB_CODE,
        "SECOND-WEB-CODE-0123456789",
        PHONE_CODE,
        PHONE,
        SESSION_KEY,
        "ACCESS_TOKEN",
        MP_OPENID,
        WEB_OPENID,
        UNIONID,
    ] {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}
