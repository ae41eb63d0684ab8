//! A local stand-in for QQ Connect (`graph.qq.com`): `/oauth2.0/token` and `/oauth2.0/me`,
//! answering as QQ does (as `adapters/providers/src/oauth/qq_answer.rs` reads it), quirks included: refusals come with
//! HTTP 200, the token comes urlencoded unless `fmt=json`, `me` and errors come as JSONP.
//! A test switches on the quirks QQ shows only sometimes and reads back the requests.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use salvo::http::StatusCode;
use salvo::prelude::Router;
use salvo::writing::Text;
use salvo::{Depot, FlowCtrl, Handler, Request, Response};
use serde_json::{Value, json};

use crate::loopback_server::LoopbackServer;

/// The app the fake knows.
pub const CLIENT_ID: &str = "101474184";
pub const CLIENT_SECRET: &str = "c6ce949e04e12ecc909ae6a8b09b637c";
/// The registered callback; its own query makes percent-encoding mistakes show.
pub const REDIRECT_URI: &str = "http://www.meiduo.site:8080/oauth_callback.html?from=qq&next=/";
/// Where [`Misbehaviour::Redirect`] sends the caller: a path of this fake, recorded like any other.
pub const REDIRECT_TARGET: &str = "/redirected";
/// The token lifetime QQ grants: 90 days.
pub const EXPIRES_IN: u64 = 7_776_000;

/// One of the two endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Token,
    Me,
}

/// Trouble on the way to QQ rather than an answer of QQ's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// This HTTP status with an HTML page, as from a gateway.
    Status(u16),
    /// A 302 to [`REDIRECT_TARGET`] on this fake, with the request's query (secrets
    /// included): a request there shows that the redirect was followed.
    Redirect,
    /// Answers normally, but only after this long.
    Hang(Duration),
    /// HTTP 200 with an HTML page that is none of QQ's answers.
    Garbage,
}

/// What happens on `me` to the tokens the fake has issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFate {
    Valid,
    /// 100013.
    Invalid,
    /// 100014.
    Expired,
    /// 100015.
    Revoked,
    /// Forgotten by QQ: 100016, as for a token it never issued.
    Unknown,
}

/// A request as the fake got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QqRequest {
    pub path: String,
    /// The decoded query, in order.
    pub query: Vec<(String, String)>,
}

impl QqRequest {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// Who a code, then its token, stands for.
#[derive(Debug, Clone)]
struct Grant {
    openid: String,
    unionid: Option<String>,
}

struct State {
    /// Codes not yet exchanged.
    codes: HashMap<String, Grant>,
    used_codes: HashSet<String>,
    tokens: HashMap<String, Grant>,
    issued: u64,
    ignore_fmt_json: bool,
    expires_in_as_string: bool,
    unionid_permission: bool,
    me_client_id: String,
    token_fate: TokenFate,
    misbehaviour: HashMap<Endpoint, Misbehaviour>,
    requests: Vec<QqRequest>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            codes: HashMap::new(),
            used_codes: HashSet::new(),
            tokens: HashMap::new(),
            issued: 0,
            ignore_fmt_json: false,
            expires_in_as_string: false,
            unionid_permission: true,
            me_client_id: CLIENT_ID.to_owned(),
            token_fate: TokenFate::Valid,
            misbehaviour: HashMap::new(),
            requests: Vec::new(),
        }
    }
}

/// The running fake; stops when dropped.
pub struct FakeQq {
    server: LoopbackServer,
    state: Arc<Mutex<State>>,
}

impl FakeQq {
    /// Listens on a free loopback port.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        // Every path reaches the handler, so that a wrong one gets the 404 it would get from QQ.
        let server = LoopbackServer::serve(
            Router::with_path("{**path}").goal(FakeHandler { state: state.clone() }),
            "the fake QQ",
        )
        .await;
        Self { server, state }
    }

    /// What to configure as `api_base`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A code the callback could carry, once, for this person.
    pub fn add_code(&self, code: &str, openid: &str, unionid: Option<&str>) {
        let grant = Grant { openid: openid.to_owned(), unionid: unionid.map(str::to_owned) };
        self.state.lock().codes.insert(code.to_owned(), grant);
    }

    /// Quirk: answers in the default formats (urlencoded token, JSONP `me`) even with `fmt=json`.
    pub fn ignore_fmt_json(&self) {
        self.state.lock().ignore_fmt_json = true;
    }

    /// Quirk: a JSON token answer writes `expires_in` as a string.
    pub fn expires_in_as_string(&self) {
        self.state.lock().expires_in_as_string = true;
    }

    /// The app lacks the unionid permission: `me` with `unionid=1` answers 100048.
    pub fn without_unionid_permission(&self) {
        self.state.lock().unionid_permission = false;
    }

    /// `me` names this app as the one the token was issued to.
    pub fn me_reports_client_id(&self, client_id: &str) {
        self.state.lock().me_client_id = client_id.to_owned();
    }

    /// What `me` says of every token issued, from now on.
    pub fn tokens_become(&self, fate: TokenFate) {
        self.state.lock().token_fate = fate;
    }

    /// Every request to this endpoint meets this trouble, until `behave`.
    pub fn misbehave(&self, endpoint: Endpoint, how: Misbehaviour) {
        self.state.lock().misbehaviour.insert(endpoint, how);
    }

    pub fn behave(&self) {
        self.state.lock().misbehaviour.clear();
    }

    /// Every request that reached the fake, in order.
    pub fn requests(&self) -> Vec<QqRequest> {
        self.state.lock().requests.clone()
    }

    /// The requests to one path, e.g. `/oauth2.0/me`.
    pub fn requests_to(&self, path: &str) -> Vec<QqRequest> {
        self.requests().into_iter().filter(|request| request.path == path).collect()
    }
}

struct FakeHandler {
    state: Arc<Mutex<State>>,
}

/// A body and how it is labelled; QQ's token endpoint says `text/html` whatever it sends.
enum Reply {
    Html(StatusCode, String),
    Js(String),
    Json(String),
}

#[salvo::async_trait]
impl Handler for FakeHandler {
    async fn handle(&self, req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
        let path = req.uri().path().to_owned();
        // A query that does not decode is recorded as empty, and answered as QQ answers missing parameters.
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(req.uri().query().unwrap_or_default()).unwrap_or_default();
        let request = QqRequest { path, query };
        let endpoint = match request.path.as_str() {
            "/oauth2.0/token" => Some(Endpoint::Token),
            "/oauth2.0/me" => Some(Endpoint::Me),
            _ => None,
        };
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
            Some(Misbehaviour::Garbage) => Reply::Html(StatusCode::OK, "<html><body>not QQ</body></html>".to_owned()),
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
            Reply::Js(body) => res.render(Text::Js(body)),
            Reply::Json(body) => res.render(Text::Json(body)),
        }
    }
}

impl FakeHandler {
    fn answer(&self, endpoint: Option<Endpoint>, request: &QqRequest) -> Reply {
        let mut state = self.state.lock();
        match endpoint {
            Some(Endpoint::Token) => token(&mut state, request),
            Some(Endpoint::Me) => me(&state, request),
            None => Reply::Html(StatusCode::NOT_FOUND, "<html><body>404</body></html>".to_owned()),
        }
    }
}

/// `/oauth2.0/token`: the app, then the callback, then the code. Its errors are JSONP
/// whatever `fmt` asks for.
fn token(state: &mut State, request: &QqRequest) -> Reply {
    let refuse = |code: i64, description: &str| Reply::Html(StatusCode::OK, jsonp(&error(code, description)));
    if request.param("grant_type") != Some("authorization_code") {
        return refuse(100_004, "param grant_type is wrong or lost");
    }
    if request.param("client_id") != Some(CLIENT_ID) {
        return refuse(100_008, "client_id is not exist");
    }
    if request.param("client_secret") != Some(CLIENT_SECRET) {
        return refuse(100_009, "client_secret is error");
    }
    if request.param("redirect_uri") != Some(REDIRECT_URI) {
        return refuse(100_010, "redirect uri is illegal");
    }
    let Some(code) = request.param("code").filter(|code| !code.is_empty()) else {
        return refuse(100_005, "param code is wrong or lost");
    };
    if state.used_codes.contains(code) {
        return refuse(100_020, "code is reused error");
    }
    let Some(grant) = state.codes.remove(code) else {
        return refuse(100_019, "code to access token error");
    };
    state.used_codes.insert(code.to_owned());
    state.issued += 1;
    let access_token = format!("{:032X}", 0xFE04_0000_u64 + state.issued);
    let refresh_token = format!("{:032X}", 0x88E4_0000_u64 + state.issued);
    state.tokens.insert(access_token.clone(), grant);
    if wants_json(state, request) {
        let expires_in = if state.expires_in_as_string { json!(EXPIRES_IN.to_string()) } else { json!(EXPIRES_IN) };
        let body = json!({"access_token": access_token, "expires_in": expires_in, "refresh_token": refresh_token});
        Reply::Json(body.to_string())
    } else {
        Reply::Html(
            StatusCode::OK,
            format!("access_token={access_token}&expires_in={EXPIRES_IN}&refresh_token={refresh_token}"),
        )
    }
}

/// `/oauth2.0/me`: JSONP unless `fmt=json`, errors included.
fn me(state: &State, request: &QqRequest) -> Reply {
    let as_json = wants_json(state, request);
    let reply = |body: Value| if as_json { Reply::Json(body.to_string()) } else { Reply::Js(jsonp(&body)) };
    let Some(token) = request.param("access_token").filter(|token| !token.is_empty()) else {
        return reply(error(100_007, "param access token is wrong or lost"));
    };
    let grant = match (state.tokens.get(token), state.token_fate) {
        (None, _) | (Some(_), TokenFate::Unknown) => return reply(error(100_016, "access token check failed")),
        (Some(_), TokenFate::Invalid) => return reply(error(100_013, "access token is illegal")),
        (Some(_), TokenFate::Expired) => return reply(error(100_014, "access token is expired")),
        (Some(_), TokenFate::Revoked) => return reply(error(100_015, "access token is revoked")),
        (Some(grant), TokenFate::Valid) => grant,
    };
    let mut body = json!({"client_id": state.me_client_id, "openid": grant.openid});
    if request.param("unionid") == Some("1") {
        if !state.unionid_permission {
            return reply(error(100_048, "no unionid permission"));
        }
        if let Some(unionid) = &grant.unionid {
            body["unionid"] = json!(unionid);
        }
    }
    reply(body)
}

fn wants_json(state: &State, request: &QqRequest) -> bool {
    request.param("fmt") == Some("json") && !state.ignore_fmt_json
}

fn error(code: i64, description: &str) -> Value {
    json!({"error": code, "error_description": description})
}

/// QQ's padding exactly: `callback( {...} );` and a newline.
fn jsonp(body: &Value) -> String {
    format!("callback( {body} );\n")
}
