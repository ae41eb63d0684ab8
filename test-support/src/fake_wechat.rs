//! A local stand-in for WeChat's server API (`api.weixin.qq.com`): `sns/jscode2session`,
//! `sns/oauth2/access_token`, `sns/userinfo`, `cgi-bin/token` and
//! `wxa/business/getuserphonenumber`, answering as WeChat does (as `adapters/providers/src/oauth/wechat_answer.rs` reads it):
//! refusals come with HTTP 200 and `{"errcode":N,"errmsg":"..., rid: ..."}`, and
//! `jscode2session` labels its JSON `text/plain`. Codes work once (40163 after), unknown ones
//! get 40029. A test switches on the trouble WeChat shows only sometimes and reads back the requests.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use salvo::http::StatusCode;
use salvo::prelude::Router;
use salvo::writing::Text;
use salvo::{Depot, FlowCtrl, Handler, Request, Response};
use serde_json::{Value, json};

use crate::loopback_server::LoopbackServer;

/// The mini-program the fake knows.
pub const MP_APP_ID: &str = "wx5d2a8f9c3b1e7a40";
pub const MP_SECRET: &str = "3f1c9e7a5b2d4f6081a3c5e7b9d1f2a4";
/// The website app (Open Platform) the fake knows.
pub const WEB_APP_ID: &str = "wxf1e2d3c4b5a69788";
pub const WEB_SECRET: &str = "b8d6f4a2c0e9b7d5a3f1e8c6a4b2d0f9";
/// A QR login callback; its own query makes percent-encoding mistakes show.
pub const WEB_REDIRECT_URI: &str = "https://www.meiduo.site/wechat_callback.html?from=wechat&next=/";
/// Where [`Misbehaviour::Redirect`] sends the caller: a path of this fake, recorded like any other.
pub const REDIRECT_TARGET: &str = "/redirected";
/// The lifetime WeChat gives access tokens, by default: 2 hours.
pub const TOKEN_EXPIRES_IN: i64 = 7200;

/// The endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /sns/jscode2session`
    CodeToSession,
    /// `GET /sns/oauth2/access_token`
    WebToken,
    /// `GET /sns/userinfo`
    UserInfo,
    /// `GET /cgi-bin/token`
    AppToken,
    /// `POST /wxa/business/getuserphonenumber`
    PhoneNumber,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Self::CodeToSession => "/sns/jscode2session",
            Self::WebToken => "/sns/oauth2/access_token",
            Self::UserInfo => "/sns/userinfo",
            Self::AppToken => "/cgi-bin/token",
            Self::PhoneNumber => "/wxa/business/getuserphonenumber",
        }
    }

    fn of(method: &str, path: &str) -> Option<Self> {
        [Self::CodeToSession, Self::WebToken, Self::UserInfo, Self::AppToken, Self::PhoneNumber].into_iter().find(
            |endpoint| endpoint.path() == path && method == if *endpoint == Self::PhoneNumber { "POST" } else { "GET" },
        )
    }
}

/// Trouble on the way to WeChat rather than an answer of WeChat's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// This HTTP status with an HTML page, as from a gateway.
    Status(u16),
    /// A 302 to [`REDIRECT_TARGET`] on this fake, with the request's query (secrets
    /// included): a request there shows that the redirect was followed.
    Redirect,
    /// Answers normally, but only after this long.
    Hang(Duration),
    /// HTTP 200 with an HTML page that is none of WeChat's answers.
    Garbage,
}

/// A request as the fake got it.
#[derive(Debug, Clone, PartialEq)]
pub struct WeChatRequest {
    pub method: String,
    pub path: String,
    /// The decoded query, in order.
    pub query: Vec<(String, String)>,
    /// The body, when it was JSON.
    pub body: Option<Value>,
}

impl WeChatRequest {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone)]
struct MpGrant {
    openid: String,
    unionid: Option<String>,
    session_key: String,
}

#[derive(Debug, Clone)]
struct WebGrant {
    openid: String,
    unionid: Option<String>,
    nickname: String,
    avatar: String,
}

/// What happens to an app access token on `getuserphonenumber`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AppTokenFate {
    Valid,
    /// 42001.
    Expired,
    /// 40001.
    Invalid,
}

#[derive(Default)]
struct State {
    mp_codes: HashMap<String, MpGrant>,
    web_codes: HashMap<String, WebGrant>,
    phone_codes: HashMap<String, String>,
    /// Codes already exchanged, of every kind.
    used_codes: HashSet<String>,
    web_tokens: HashMap<String, WebGrant>,
    app_tokens: HashMap<String, AppTokenFate>,
    app_tokens_issued: u64,
    web_tokens_issued: u64,
    app_token_expires_in: Option<i64>,
    /// Quirk: `userinfo` leaves out the unionid that the token answer gave.
    userinfo_omits_unionid: bool,
    /// The errcodes the next calls of an endpoint get, before anything is checked.
    failures: HashMap<Endpoint, VecDeque<i64>>,
    misbehaviour: HashMap<Endpoint, Misbehaviour>,
    requests: Vec<WeChatRequest>,
}

/// The running fake; stops when dropped.
pub struct FakeWeChat {
    server: LoopbackServer,
    state: Arc<Mutex<State>>,
}

impl FakeWeChat {
    /// Listens on a free loopback port.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        // Every path reaches the handler, so that a wrong one gets the 404 it would get from WeChat.
        let server = LoopbackServer::serve(
            Router::with_path("{**path}").goal(FakeHandler { state: state.clone() }),
            "the fake WeChat",
        )
        .await;
        Self { server, state }
    }

    /// What to configure as `api_base`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A `wx.login` code, good once, for this mini-program user.
    pub fn add_mp_code(&self, code: &str, openid: &str, unionid: Option<&str>, session_key: &str) {
        let grant = MpGrant {
            openid: openid.to_owned(),
            unionid: unionid.map(str::to_owned),
            session_key: session_key.to_owned(),
        };
        self.state.lock().mp_codes.insert(code.to_owned(), grant);
    }

    /// A QR login callback code, good once, for this website user and profile.
    pub fn add_web_code(&self, code: &str, openid: &str, unionid: Option<&str>, nickname: &str, avatar: &str) {
        let grant = WebGrant {
            openid: openid.to_owned(),
            unionid: unionid.map(str::to_owned),
            nickname: nickname.to_owned(),
            avatar: avatar.to_owned(),
        };
        self.state.lock().web_codes.insert(code.to_owned(), grant);
    }

    /// A phone button code, good once, for this mainland number (e.g. "13800138000").
    pub fn add_phone_code(&self, code: &str, phone: &str) {
        self.state.lock().phone_codes.insert(code.to_owned(), phone.to_owned());
    }

    /// The next `times` calls of the endpoint are answered with this errcode (HTTP 200), before
    /// anything else is looked at, so a code they carry stays unused: `-1` twice, then success.
    pub fn fail_next(&self, endpoint: Endpoint, errcode: i64, times: usize) {
        self.state.lock().failures.entry(endpoint).or_default().extend(std::iter::repeat_n(errcode, times));
    }

    /// Every app access token issued so far answers 42001 (expired) from now on; new ones are good.
    /// Quirk: `userinfo` answers without the unionid; only the token answer carries it.
    pub fn userinfo_omits_unionid(&self) {
        self.state.lock().userinfo_omits_unionid = true;
    }

    pub fn expire_app_tokens(&self) {
        self.state.lock().app_tokens.values_mut().for_each(|fate| *fate = AppTokenFate::Expired);
    }

    /// Every app access token issued so far answers 40001 (invalid) from now on; new ones are good.
    pub fn invalidate_app_tokens(&self) {
        self.state.lock().app_tokens.values_mut().for_each(|fate| *fate = AppTokenFate::Invalid);
    }

    /// The `expires_in` of the app access tokens issued from now on.
    pub fn set_app_token_expires_in(&self, seconds: i64) {
        self.state.lock().app_token_expires_in = Some(seconds);
    }

    /// How many app access tokens `cgi-bin/token` has issued.
    pub fn app_tokens_issued(&self) -> u64 {
        self.state.lock().app_tokens_issued
    }

    /// Every request to this endpoint meets this trouble, until `behave`.
    pub fn misbehave(&self, endpoint: Endpoint, how: Misbehaviour) {
        self.state.lock().misbehaviour.insert(endpoint, how);
    }

    pub fn behave(&self) {
        self.state.lock().misbehaviour.clear();
    }

    /// Every request that reached the fake, in order.
    pub fn requests(&self) -> Vec<WeChatRequest> {
        self.state.lock().requests.clone()
    }

    /// The requests to one endpoint.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<WeChatRequest> {
        self.requests().into_iter().filter(|request| request.path == endpoint.path()).collect()
    }
}

struct FakeHandler {
    state: Arc<Mutex<State>>,
}

/// A body and how it is labelled.
enum Reply {
    Html(StatusCode, String),
    /// `jscode2session` says `text/plain` for its JSON.
    Plain(Value),
    Json(Value),
}

#[salvo::async_trait]
impl Handler for FakeHandler {
    async fn handle(&self, req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        // A query that does not decode is recorded as empty, and answered as WeChat answers missing parameters.
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(req.uri().query().unwrap_or_default()).unwrap_or_default();
        let body = req.payload().await.ok().and_then(|bytes| serde_json::from_slice(bytes).ok());
        let request = WeChatRequest { method, path, query, body };
        let endpoint = Endpoint::of(&request.method, &request.path);
        let misbehaviour = {
            let mut state = self.state.lock();
            state.requests.push(request.clone());
            endpoint.and_then(|endpoint| state.misbehaviour.get(&endpoint).copied())
        };
        let reply = match misbehaviour {
            Some(Misbehaviour::Status(code)) => Reply::Html(
                StatusCode::from_u16(code).expect("a valid HTTP status"),
                "<html><body>gateway trouble</body></html>".to_owned(),
            ),
            Some(Misbehaviour::Redirect) => {
                res.status_code(StatusCode::FOUND);
                let location = format!("{REDIRECT_TARGET}?{}", req.uri().query().unwrap_or_default());
                res.add_header("Location", location, true).expect("a valid Location header");
                return;
            }
            Some(Misbehaviour::Garbage) => {
                Reply::Html(StatusCode::OK, "<html><body>not WeChat</body></html>".to_owned())
            }
            Some(Misbehaviour::Hang(delay)) => {
                tokio::time::sleep(delay).await;
                self.answer(endpoint, &request)
            }
            None => self.answer(endpoint, &request),
        };
        match reply {
            Reply::Html(status, body) => {
                res.status_code(status);
                res.render(Text::Html(body));
            }
            Reply::Plain(body) => res.render(Text::Plain(body.to_string())),
            Reply::Json(body) => res.render(Text::Json(body.to_string())),
        }
    }
}

impl FakeHandler {
    fn answer(&self, endpoint: Option<Endpoint>, request: &WeChatRequest) -> Reply {
        let mut state = self.state.lock();
        let Some(endpoint) = endpoint else {
            return Reply::Html(StatusCode::NOT_FOUND, "<html><body>404 Not Found</body></html>".to_owned());
        };
        let injected = state.failures.get_mut(&endpoint).and_then(VecDeque::pop_front);
        let answer = match injected {
            Some(errcode) => Err(errcode),
            None => match endpoint {
                Endpoint::CodeToSession => code_to_session(&mut state, request),
                Endpoint::WebToken => web_token(&mut state, request),
                Endpoint::UserInfo => userinfo(&state, request),
                Endpoint::AppToken => app_token(&mut state, request),
                Endpoint::PhoneNumber => phone_number(&mut state, request),
            },
        };
        let body = answer.unwrap_or_else(error);
        if endpoint == Endpoint::CodeToSession { Reply::Plain(body) } else { Reply::Json(body) }
    }
}

/// An answer, or the errcode WeChat would give instead.
type Answer = Result<Value, i64>;

fn code_to_session(state: &mut State, request: &WeChatRequest) -> Answer {
    check_app(request, "appid", MP_APP_ID, "secret", MP_SECRET)?;
    check_grant_type(request, "authorization_code")?;
    let code = take_code(state, request.param("js_code"), |state, code| state.mp_codes.remove(code))?;
    let mut body = json!({"session_key": code.session_key, "openid": code.openid});
    if let Some(unionid) = code.unionid {
        body["unionid"] = json!(unionid);
    }
    Ok(body)
}

fn web_token(state: &mut State, request: &WeChatRequest) -> Answer {
    check_app(request, "appid", WEB_APP_ID, "secret", WEB_SECRET)?;
    check_grant_type(request, "authorization_code")?;
    let grant = take_code(state, request.param("code"), |state, code| state.web_codes.remove(code))?;
    state.web_tokens_issued += 1;
    let access_token = format!("WEB_ACCESS_TOKEN_{:08}", state.web_tokens_issued);
    let body = json!({
        "access_token": access_token,
        "expires_in": TOKEN_EXPIRES_IN,
        "refresh_token": format!("WEB_REFRESH_TOKEN_{:08}", state.web_tokens_issued),
        "openid": grant.openid,
        "scope": "snsapi_login",
        "unionid": grant.unionid.clone().unwrap_or_default(),
    });
    state.web_tokens.insert(access_token, grant);
    Ok(body)
}

fn userinfo(state: &State, request: &WeChatRequest) -> Answer {
    let token = request.param("access_token").filter(|token| !token.is_empty()).ok_or(41001)?;
    let grant = state.web_tokens.get(token).ok_or(40001)?;
    if request.param("openid") != Some(grant.openid.as_str()) {
        return Err(40003);
    }
    let mut body = json!({
        "openid": grant.openid,
        "nickname": grant.nickname,
        "sex": 0,
        "province": "",
        "city": "",
        "country": "CN",
        "headimgurl": grant.avatar,
        "privilege": [],
    });
    if let Some(unionid) = grant.unionid.as_ref().filter(|_| !state.userinfo_omits_unionid) {
        body["unionid"] = json!(unionid);
    }
    Ok(body)
}

fn app_token(state: &mut State, request: &WeChatRequest) -> Answer {
    check_grant_type(request, "client_credential")?;
    check_app(request, "appid", MP_APP_ID, "secret", MP_SECRET)?;
    state.app_tokens_issued += 1;
    let token = format!("APP_ACCESS_TOKEN_{:08}", state.app_tokens_issued);
    state.app_tokens.insert(token.clone(), AppTokenFate::Valid);
    Ok(json!({"access_token": token, "expires_in": state.app_token_expires_in.unwrap_or(TOKEN_EXPIRES_IN)}))
}

fn phone_number(state: &mut State, request: &WeChatRequest) -> Answer {
    let token = request.param("access_token").filter(|token| !token.is_empty()).ok_or(41001)?;
    match state.app_tokens.get(token) {
        None | Some(AppTokenFate::Invalid) => return Err(40001),
        Some(AppTokenFate::Expired) => return Err(42001),
        Some(AppTokenFate::Valid) => {}
    }
    let code = request.body.as_ref().and_then(|body| body.get("code")).and_then(Value::as_str);
    let code = code.ok_or(47001)?.to_owned();
    let phone = take_code(state, Some(&code), |state, code| state.phone_codes.remove(code))?;
    Ok(json!({
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"timestamp": 1_700_000_000, "appid": MP_APP_ID},
        },
    }))
}

fn check_app(request: &WeChatRequest, id_name: &str, id: &str, secret_name: &str, secret: &str) -> Result<(), i64> {
    if request.param(id_name) != Some(id) {
        return Err(40013);
    }
    if request.param(secret_name) != Some(secret) {
        return Err(40125);
    }
    Ok(())
}

fn check_grant_type(request: &WeChatRequest, expected: &str) -> Result<(), i64> {
    if request.param("grant_type") == Some(expected) { Ok(()) } else { Err(40002) }
}

/// A code, once: 41008 when missing, 40163 when used, 40029 when unknown.
fn take_code<T>(
    state: &mut State,
    code: Option<&str>,
    take: impl FnOnce(&mut State, &str) -> Option<T>,
) -> Result<T, i64> {
    let code = code.filter(|code| !code.is_empty()).ok_or(41008)?;
    if state.used_codes.contains(code) {
        return Err(40163);
    }
    let grant = take(state, code).ok_or(40029)?;
    state.used_codes.insert(code.to_owned());
    Ok(grant)
}

/// WeChat's refusal body: its errmsg, then the request id it appends.
fn error(errcode: i64) -> Value {
    let message = match errcode {
        -1 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40002 => "invalid grant_type",
        40003 => "invalid openid",
        40013 => "invalid appid",
        40029 => "invalid code",
        40125 => "invalid appsecret",
        40163 => "code been used",
        40226 => "invalid user, high risk",
        41001 => "access_token missing",
        41008 => "missing code",
        42001 => "access_token expired",
        45011 => "api minute-quota reach limit  mustslower  retry next minute",
        47001 => "data format error",
        _ => "error",
    };
    json!({"errcode": errcode, "errmsg": format!("{message}, rid: 6571a2b3-1c2d3e4f-5a6b7c8d")})
}
