//! `QqConnectClient` against test-support's fake QQ Connect, which answers as QQ
//! does: refusals with HTTP 200, urlencoded tokens, JSONP, and the quirks it shows only sometimes.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::time::{Duration, Instant};

use application::ports::{ProviderError, ProviderIdentity, WebLoginProvider};
use providers::oauth::{QqConnectClient, QqSettings, QqSetupError};
use reqwest::Url;
use test_support::captured_logs::CapturedLogs;
use test_support::fake_qq::{self, Endpoint, FakeQq, Misbehaviour, TokenFate};

const OPENID: &str = "4A2C6B1D9E8F7A6B5C4D3E2F1A0B9C8D";
const UNIONID: &str = "UID_8F3E2D1C0B9A";
const CODE: &str = "9A5F06AF8B2C4D1E7F3A0B6C5D4E9F21";

fn settings(api_base: &str) -> QqSettings {
    let mut settings = QqSettings::new(fake_qq::CLIENT_ID, fake_qq::CLIENT_SECRET, fake_qq::REDIRECT_URI);
    settings.api_base = api_base.to_owned();
    settings.timeout = Duration::from_millis(500);
    settings
}

fn client(fake: &FakeQq) -> QqConnectClient {
    QqConnectClient::new(settings(&fake.base_url())).expect("valid settings")
}

/// A fake that knows `CODE` for someone with a unionid.
async fn fake_with_code() -> FakeQq {
    let fake = FakeQq::start().await;
    fake.add_code(CODE, OPENID, Some(UNIONID));
    fake
}

fn expected() -> ProviderIdentity {
    ProviderIdentity { openid: OPENID.to_owned(), unionid: Some(UNIONID.to_owned()) }
}

fn refused_code(result: Result<ProviderIdentity, ProviderError>) -> (i64, String) {
    match result {
        Err(ProviderError::Refused { code, message }) => (code, message),
        other => panic!("expected Refused, got {other:?}"),
    }
}

fn unavailable(result: Result<ProviderIdentity, ProviderError>) -> String {
    match result {
        Err(ProviderError::Unavailable(text)) => text,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

// --- identify: the answers QQ gives --------------------------------------------------------

#[tokio::test]
async fn identifies_with_openid_and_unionid_when_qq_honours_fmt_json() {
    let fake = fake_with_code().await;

    assert_eq!(client(&fake).identify(CODE).await, Ok(expected()));

    let token = &fake.requests_to("/oauth2.0/token")[0];
    assert_eq!(token.param("grant_type"), Some("authorization_code"));
    assert_eq!(token.param("client_id"), Some(fake_qq::CLIENT_ID));
    assert_eq!(token.param("client_secret"), Some(fake_qq::CLIENT_SECRET));
    assert_eq!(token.param("code"), Some(CODE));
    assert_eq!(token.param("redirect_uri"), Some(fake_qq::REDIRECT_URI));
    assert_eq!(token.param("fmt"), Some("json"));
    let me = fake.requests_to("/oauth2.0/me");
    assert_eq!(me.len(), 1);
    assert!(me[0].param("access_token").is_some_and(|token| !token.is_empty()));
    assert_eq!(me[0].param("unionid"), Some("1"));
    assert_eq!(me[0].param("fmt"), Some("json"));
}

#[tokio::test]
async fn identifies_from_the_default_urlencoded_token_and_jsonp_me_when_fmt_json_is_ignored() {
    let fake = fake_with_code().await;
    fake.ignore_fmt_json();

    assert_eq!(client(&fake).identify(CODE).await, Ok(expected()));
}

#[tokio::test]
async fn identifies_when_expires_in_comes_as_a_string() {
    let fake = fake_with_code().await;
    fake.expires_in_as_string();

    assert_eq!(client(&fake).identify(CODE).await, Ok(expected()));
}

#[tokio::test]
async fn a_person_without_a_unionid_is_identified_with_none() {
    let fake = FakeQq::start().await;
    fake.add_code(CODE, OPENID, None);

    assert_eq!(client(&fake).identify(CODE).await, Ok(ProviderIdentity { openid: OPENID.to_owned(), unionid: None }));
    assert_eq!(fake.requests_to("/oauth2.0/me").len(), 1);
}

#[tokio::test]
async fn without_the_unionid_permission_me_is_asked_again_without_unionid() {
    for ignore_fmt_json in [false, true] {
        let fake = fake_with_code().await;
        fake.without_unionid_permission();
        if ignore_fmt_json {
            fake.ignore_fmt_json();
        }

        let identity = client(&fake).identify(CODE).await;

        assert_eq!(identity, Ok(ProviderIdentity { openid: OPENID.to_owned(), unionid: None }), "{ignore_fmt_json}");
        let me = fake.requests_to("/oauth2.0/me");
        assert_eq!(me.len(), 2);
        assert_eq!(me[0].param("unionid"), Some("1"));
        assert_eq!(me[1].param("unionid"), None);
        assert_eq!(me[0].param("access_token"), me[1].param("access_token"));
    }
}

// --- identify: QQ's refusals ----------------------------------------------------------------

#[tokio::test]
async fn an_unknown_code_100019_is_a_rejected_code() {
    let fake = fake_with_code().await;

    assert_eq!(client(&fake).identify("NOT-A-CODE-QQ-GAVE").await, Err(ProviderError::CodeRejected));

    assert!(fake.requests_to("/oauth2.0/me").is_empty());
}

#[tokio::test]
async fn a_reused_code_100020_is_a_rejected_code() {
    let fake = fake_with_code().await;
    let client = client(&fake);
    assert_eq!(client.identify(CODE).await, Ok(expected()));

    assert_eq!(client.identify(CODE).await, Err(ProviderError::CodeRejected));
}

#[tokio::test]
async fn a_redirect_uri_other_than_the_registered_one_is_refused_with_100010() {
    let fake = fake_with_code().await;
    let mut wrong = settings(&fake.base_url());
    wrong.redirect_uri = "http://www.meiduo.site:8080/elsewhere.html".into();

    let (code, _) = refused_code(QqConnectClient::new(wrong).expect("valid settings").identify(CODE).await);

    assert_eq!(code, 100_010);
}

#[tokio::test]
async fn a_wrong_app_key_is_refused_with_qqs_code() {
    let fake = fake_with_code().await;
    let mut wrong = settings(&fake.base_url());
    wrong.client_secret = "not-the-app-key".into();

    let (code, _) = refused_code(QqConnectClient::new(wrong).expect("valid settings").identify(CODE).await);

    assert_eq!(code, 100_009);
}

#[tokio::test]
async fn token_problems_on_me_are_refused_with_qqs_code_in_both_formats() {
    for ignore_fmt_json in [false, true] {
        for (fate, expected_code) in [
            (TokenFate::Invalid, 100_013),
            (TokenFate::Expired, 100_014),
            (TokenFate::Revoked, 100_015),
            (TokenFate::Unknown, 100_016),
        ] {
            let fake = fake_with_code().await;
            fake.tokens_become(fate);
            if ignore_fmt_json {
                fake.ignore_fmt_json();
            }

            let (code, message) = refused_code(client(&fake).identify(CODE).await);

            assert_eq!(code, expected_code, "{fate:?}, ignore_fmt_json: {ignore_fmt_json}");
            assert!(!message.is_empty());
            // Only the unionid refusal is worth asking again.
            assert_eq!(fake.requests_to("/oauth2.0/me").len(), 1);
        }
    }
}

#[tokio::test]
async fn a_token_that_me_says_belongs_to_another_app_is_refused() {
    let fake = fake_with_code().await;
    fake.me_reports_client_id("100000001");

    let (code, message) = refused_code(client(&fake).identify(CODE).await);

    assert_eq!(code, 100_013);
    assert!(message.contains("100000001"), "{message}");
}

// --- identify: no usable answer -------------------------------------------------------------

#[tokio::test]
async fn http_500_on_either_call_is_unavailable() {
    for endpoint in [Endpoint::Token, Endpoint::Me] {
        let fake = fake_with_code().await;
        fake.misbehave(endpoint, Misbehaviour::Status(500));

        let text = unavailable(client(&fake).identify(CODE).await);

        assert!(text.contains("500"), "{endpoint:?}: {text}");
    }
}

/// The query carries the app key and the code: a redirect must not take them anywhere.
#[tokio::test]
async fn a_redirect_on_either_call_is_unavailable_and_not_followed() {
    for endpoint in [Endpoint::Token, Endpoint::Me] {
        let fake = fake_with_code().await;
        fake.misbehave(endpoint, Misbehaviour::Redirect);

        let text = unavailable(client(&fake).identify(CODE).await);

        assert!(text.contains("302"), "{endpoint:?}: {text}");
        assert_eq!(fake.requests_to(fake_qq::REDIRECT_TARGET), [], "{endpoint:?}");
    }
}

#[tokio::test]
async fn a_200_that_is_none_of_qqs_answers_is_unavailable() {
    for endpoint in [Endpoint::Token, Endpoint::Me] {
        let fake = fake_with_code().await;
        fake.misbehave(endpoint, Misbehaviour::Garbage);

        unavailable(client(&fake).identify(CODE).await);
    }
}

#[tokio::test]
async fn a_call_that_outlasts_the_timeout_is_unavailable() {
    for endpoint in [Endpoint::Token, Endpoint::Me] {
        let fake = fake_with_code().await;
        fake.misbehave(endpoint, Misbehaviour::Hang(Duration::from_secs(10)));
        let started = Instant::now();

        let text = unavailable(client(&fake).identify(CODE).await);

        assert!(text.contains("timed out"), "{endpoint:?}: {text}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn nothing_listening_is_unavailable_without_leaking_the_query() {
    // A port that was free a moment ago and is closed now.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = QqConnectClient::new(settings(&format!("http://{address}"))).expect("valid settings");

    let text = unavailable(client.identify(CODE).await);

    assert!(text.contains("cannot connect"), "{text}");
    assert!(!text.contains(CODE) && !text.contains(fake_qq::CLIENT_SECRET), "{text}");
}

#[tokio::test]
async fn logs_the_steps_and_qqs_codes_but_never_the_code_token_key_or_openid() {
    let fake = fake_with_code().await;
    fake.add_code("SECOND-CODE-0123456789", OPENID, Some(UNIONID));
    fake.without_unionid_permission();
    let client = client(&fake);

    let logs = {
        // A current-thread runtime: the guard covers every await below, the fake's included.
        let (logs, _guard) = CapturedLogs::start();
        assert!(client.identify(CODE).await.is_ok());
        assert_eq!(client.identify(CODE).await, Err(ProviderError::CodeRejected));
        fake.misbehave(Endpoint::Me, Misbehaviour::Hang(Duration::from_secs(10)));
        unavailable(client.identify("SECOND-CODE-0123456789").await);
        logs
    };

    let logs = logs.text();
    assert!(logs.contains("100048") && logs.contains("100020"), "{logs}");
    assert!(logs.contains("step=\"token\"") && logs.contains("step=\"me\""), "{logs}");
    assert!(logs.contains("identified") && logs.contains("4A2C"), "{logs}");
    let tokens: Vec<String> =
        fake.requests_to("/oauth2.0/me").iter().filter_map(|me| me.param("access_token").map(str::to_owned)).collect();
    assert!(!tokens.is_empty());
    for secret in [CODE, "SECOND-CODE-0123456789", fake_qq::CLIENT_SECRET, OPENID, UNIONID]
        .into_iter()
        .chain(tokens.iter().map(String::as_str))
    {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}

// --- the authorize URL and the settings -----------------------------------------------------

fn query_of(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().map(|(name, value)| (name.into_owned(), value.into_owned())).collect()
}

#[test]
fn the_authorize_url_carries_every_parameter_percent_encoded() {
    let client = QqConnectClient::new(settings("https://graph.qq.com")).expect("valid settings");
    let state = "next=/orders?page=2&x=1 #é";

    let raw = client.authorize_url(state);

    let url = Url::parse(&raw).expect("a URL");
    assert_eq!(url.scheme(), "https");
    assert_eq!(url.host_str(), Some("graph.qq.com"));
    assert_eq!(url.path(), "/oauth2.0/authorize");
    assert_eq!(
        query_of(&url),
        [
            ("response_type", "code"),
            ("client_id", fake_qq::CLIENT_ID),
            ("state", state),
            ("redirect_uri", fake_qq::REDIRECT_URI),
            ("scope", "get_user_info"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
    );
    // Encoded, so that neither value's `&`, `=`, `?` or `#` ends or splits a parameter.
    assert!(
        raw.contains(
            "redirect_uri=http%3A%2F%2Fwww.meiduo.site%3A8080%2Foauth_callback.html%3Ffrom%3Dqq%26next%3D%2F&scope"
        ),
        "{raw}"
    );
    assert!(raw.contains("state=next%3D%2Forders%3Fpage%3D2%26x%3D1+%23%C3%A9&redirect_uri"), "{raw}");
    assert!(url.fragment().is_none(), "{raw}");
}

#[test]
fn the_authorize_url_asks_for_the_mobile_page_when_configured_and_honours_the_base() {
    let mut mobile = settings("http://127.0.0.1:9/qq/");
    mobile.mobile_display = true;
    let client = QqConnectClient::new(mobile).expect("valid settings");

    let url = Url::parse(&client.authorize_url("s")).expect("a URL");

    assert_eq!(url.path(), "/qq/oauth2.0/authorize");
    assert_eq!(
        url.query_pairs().find(|(name, _)| name == "display").map(|(_, v)| v.into_owned()),
        Some("mobile".into())
    );
    assert_eq!(client.app_id(), fake_qq::CLIENT_ID);
}

#[test]
fn settings_that_cannot_work_are_refused_at_startup() {
    let base = "https://graph.qq.com";
    let with = |change: fn(&mut QqSettings)| {
        let mut settings = settings(base);
        change(&mut settings);
        QqConnectClient::new(settings).err()
    };
    assert_eq!(with(|s| s.client_id = String::new()), Some(QqSetupError::Missing("client_id")));
    assert_eq!(with(|s| s.client_secret = "  ".into()), Some(QqSetupError::Missing("client_secret")));
    assert_eq!(with(|s| s.redirect_uri = String::new()), Some(QqSetupError::Missing("redirect_uri")));
    assert!(matches!(with(|s| s.redirect_uri = "/oauth_callback".into()), Some(QqSetupError::RedirectUri(_))));
    assert!(matches!(with(|s| s.api_base = "ftp://graph.qq.com".into()), Some(QqSetupError::ApiBase(_))));
    assert!(matches!(with(|s| s.api_base = "graph.qq.com".into()), Some(QqSetupError::ApiBase(_))));
    assert_eq!(with(|_| {}), None);
}

#[test]
fn debug_does_not_show_the_app_key() {
    let client = QqConnectClient::new(settings("https://graph.qq.com")).expect("valid settings");

    let shown = format!("{client:?}");

    assert!(!shown.contains(fake_qq::CLIENT_SECRET), "{shown}");
}
