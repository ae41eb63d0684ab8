//! A local stand-in for `dysmsapi.aliyuncs.com` (`SendSms`, version 2017-05-25): it checks
//! each request the way Alibaba documents (ACS3-HMAC-SHA256 signature over the query and the
//! `host`/`x-acs-*` headers, `x-acs-date` within 15 minutes, a nonce never seen before, the
//! body's hash, then the action's parameters) and answers in Alibaba's shape: `isv.*` codes with
//! HTTP 200, the gateway's own with a 4xx. Point a sender at [`FakeAliyunSms::endpoint`] with
//! [`ACCESS_KEY_ID`], [`ACCESS_KEY_SECRET`], [`SIGN_NAME`], [`REGISTER_TEMPLATE`] and
//! [`RESET_PASSWORD_TEMPLATE`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use parking_lot::Mutex;
use salvo::http::{HeaderMap, StatusCode};
use salvo::prelude::Router;
use salvo::writing::{Json, Text};
use salvo::{Depot, FlowCtrl, Handler, Request, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::loopback_server::LoopbackServer;

mod acs3;

/// The only AccessKey ID the fake knows.
pub const ACCESS_KEY_ID: &str = "LTAIfake0123456789abcdef";
/// The secret behind [`ACCESS_KEY_ID`]; requests signed with another are refused.
pub const ACCESS_KEY_SECRET: &str = "fake-aliyun-secret-0123456789abcdef";
/// The only approved signature.
pub const SIGN_NAME: &str = "美多商城";
/// An approved template whose one variable is `${code}`: registration.
pub const REGISTER_TEMPLATE: &str = "SMS_100000001";
/// An approved template whose one variable is `${code}`: find password.
pub const RESET_PASSWORD_TEMPLATE: &str = "SMS_100000002";

/// How the fake answers a request that passes its checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `{"Code":"OK", "BizId": …}`.
    Sent,
    /// HTTP 200 with this `Code` and `Message` (the `isv.*` refusals).
    Refused(&'static str, &'static str),
    /// A bare HTTP status, as from a failing gateway.
    HttpStatus(StatusCode),
    /// HTTP 200 with something that is not JSON.
    Garbage,
    /// Answers `Sent`, but only after this long.
    Slow(Duration),
}

/// A request that passed every check, and what the fake answered.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub headers: HeaderMap,
    /// The decoded query parameters.
    pub query: HashMap<String, String>,
    pub answer: Answer,
}

impl Accepted {
    fn param(&self, name: &str) -> &str {
        self.query.get(name).map(String::as_str).unwrap_or_default()
    }

    /// `PhoneNumbers`: the 11 digits.
    pub fn phone_number(&self) -> &str {
        self.param("PhoneNumbers")
    }

    pub fn sign_name(&self) -> &str {
        self.param("SignName")
    }

    pub fn template_code(&self) -> &str {
        self.param("TemplateCode")
    }

    /// `OutId`, empty when not sent.
    pub fn out_id(&self) -> &str {
        self.param("OutId")
    }

    /// The `code` of `TemplateParam`.
    pub fn code(&self) -> String {
        serde_json::from_str::<Value>(self.param("TemplateParam"))
            .ok()
            .and_then(|param| param["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    answer: Mutex<Option<Answer>>,
    once: Mutex<VecDeque<Answer>>,
    accepted: Mutex<Vec<Accepted>>,
    requests: Mutex<usize>,
    nonces: Mutex<HashSet<String>>,
    taken: Mutex<HashMap<String, usize>>,
    arrived: Notify,
}

/// The fake, serving on `127.0.0.1` at a free port until dropped.
pub struct FakeAliyunSms {
    server: LoopbackServer,
    state: Arc<State>,
}

impl FakeAliyunSms {
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let server =
            LoopbackServer::serve(Router::new().goal(FakeHandler { state: state.clone() }), "the fake Aliyun SMS")
                .await;
        Self { server, state }
    }

    /// The base URL to send to, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.server.base_url()
    }

    /// From now on, answer every request that passes the checks with `answer`.
    pub fn answer(&self, answer: Answer) {
        *self.state.answer.lock() = Some(answer);
    }

    /// Answer the next request that passes the checks with `answer`, then as before.
    pub fn answer_once(&self, answer: Answer) {
        self.state.once.lock().push_back(answer);
    }

    /// Requests that reached the fake at all, valid or not.
    pub fn requests(&self) -> usize {
        *self.state.requests.lock()
    }

    /// Every request that passed the checks, oldest first, whatever it was answered.
    pub fn accepted(&self) -> Vec<Accepted> {
        self.state.accepted.lock().clone()
    }

    /// Waits up to `timeout` for the next accepted request to `mobile` (11 digits) that this
    /// method has not returned yet. Panics when none comes in time.
    pub async fn next_request_to(&self, mobile: &str, timeout: Duration) -> Accepted {
        let phone = mobile.trim_start_matches("+86").to_owned();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.state.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(accepted) = self.take_next(&phone) {
                return accepted;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let numbers: Vec<String> = self.accepted().iter().map(|a| a.phone_number().to_owned()).collect();
                panic!("no new SendSms for {phone} within {timeout:?}; numbers so far: {numbers:?}");
            }
        }
    }

    fn take_next(&self, phone: &str) -> Option<Accepted> {
        let mut taken = self.state.taken.lock();
        let already = taken.get(phone).copied().unwrap_or(0);
        let next = self.state.accepted.lock().iter().filter(|a| a.phone_number() == phone).nth(already).cloned()?;
        taken.insert(phone.to_owned(), already + 1);
        Some(next)
    }
}

struct FakeHandler {
    state: Arc<State>,
}

/// A refusal: the HTTP status and Alibaba's `Code` and `Message`.
type Refusal = (StatusCode, &'static str, &'static str);

#[salvo::async_trait]
impl Handler for FakeHandler {
    async fn handle(&self, req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
        *self.state.requests.lock() += 1;
        let headers = req.headers().clone();
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        let raw_query = req.uri().query().unwrap_or_default().to_owned();
        let body = req.payload().await.map(|body| body.to_vec()).unwrap_or_default();
        let query: Vec<(String, String)> = serde_urlencoded::from_str(&raw_query).unwrap_or_default();
        match check(&self.state, &method, &path, &query, &headers, &body) {
            Err((status, code, message)) => {
                res.status_code(status);
                res.render(Json(error_body(code, message)));
            }
            Ok(()) => {
                let standing = || self.state.answer.lock().clone().unwrap_or(Answer::Sent);
                let answer = self.state.once.lock().pop_front().unwrap_or_else(standing);
                let query = query.into_iter().collect();
                self.state.accepted.lock().push(Accepted { headers, query, answer: answer.clone() });
                self.state.arrived.notify_waiters();
                match answer {
                    Answer::Sent => res.render(Json(sent())),
                    Answer::Slow(delay) => {
                        tokio::time::sleep(delay).await;
                        res.render(Json(sent()));
                    }
                    Answer::Refused(code, message) => res.render(Json(error_body(code, message))),
                    Answer::HttpStatus(status) => {
                        res.status_code(status);
                        res.render(Text::Html("<html><body>gateway trouble</body></html>"));
                    }
                    Answer::Garbage => res.render(Text::Html("<html><body>not an API answer</body></html>")),
                }
            }
        }
    }
}

fn sent() -> Value {
    json!({"Code": "OK", "Message": "OK", "BizId": "9006197469364984400^0", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"})
}

fn error_body(code: &str, message: &str) -> Value {
    json!({"Code": code, "Message": message, "RequestId": "8906582E-6722-409A-A6C4-0E7863B733A5"})
}

/// Alibaba's order: authenticate (signature, date, nonce, body hash), then the action, then
/// its parameters.
fn check(
    state: &State,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    check_signature(state, method, path, query, headers, body)?;
    check_action(headers)?;
    check_parameters(query)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn check_signature(
    state: &State,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    const INCOMPLETE: Refusal =
        (StatusCode::BAD_REQUEST, "IncompleteSignature", "The request signature does not conform to Aliyun standards.");
    const MISMATCH: Refusal =
        (StatusCode::BAD_REQUEST, "SignatureDoesNotMatch", "Specified signature does not match our calculation.");
    let auth = header(headers, "authorization").and_then(acs3::parse_authorization).ok_or(INCOMPLETE)?;
    if auth.access_key_id != ACCESS_KEY_ID {
        return Err((StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound", "Specified access key is not found."));
    }
    // Every common header that is present must be signed, and these must be present.
    let required =
        ["host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"];
    if required.iter().any(|name| !auth.signed_headers.iter().any(|signed| signed == name)) {
        return Err(INCOMPLETE);
    }
    let present_unsigned = headers
        .keys()
        .map(salvo::http::HeaderName::as_str)
        .any(|name| name.starts_with("x-acs-") && !auth.signed_headers.iter().any(|signed| signed == name));
    let mut sorted = auth.signed_headers.clone();
    sorted.sort();
    if present_unsigned || sorted != auth.signed_headers {
        return Err(INCOMPLETE);
    }
    let date = header(headers, "x-acs-date").unwrap_or_default();
    let signed_at = NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%SZ")
        .map_err(|_| {
            (
                StatusCode::BAD_REQUEST,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        })?
        .and_utc();
    if (Utc::now() - signed_at).num_seconds().abs() > 15 * 60 {
        return Err((
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    let hashed_payload = acs3::sha256_hex(body);
    if header(headers, "x-acs-content-sha256") != Some(hashed_payload.as_str()) {
        return Err(MISMATCH);
    }
    let canonical = acs3::canonical_request(method, path, query, headers, &auth.signed_headers, &hashed_payload)
        .ok_or(INCOMPLETE)?;
    if acs3::signature(ACCESS_KEY_SECRET, &canonical) != auth.signature {
        return Err(MISMATCH);
    }
    // Checked after the signature, so that only a genuine repeat is taken for a replay.
    let nonce = header(headers, "x-acs-signature-nonce").unwrap_or_default();
    if nonce.is_empty() || !state.nonces.lock().insert(nonce.to_owned()) {
        return Err((StatusCode::BAD_REQUEST, "SignatureNonceUsed", "Specified signature nonce was used already."));
    }
    Ok(())
}

fn check_action(headers: &HeaderMap) -> Result<(), Refusal> {
    if header(headers, "x-acs-action") != Some("SendSms") {
        return Err((StatusCode::NOT_FOUND, "InvalidAction.NotFound", "Specified api is not found."));
    }
    if header(headers, "x-acs-version") != Some("2017-05-25") {
        return Err((StatusCode::NOT_FOUND, "InvalidVersion", "Specified parameter Version is not valid."));
    }
    Ok(())
}

fn check_parameters(query: &[(String, String)]) -> Result<(), Refusal> {
    let param = |name: &str| query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let phone = param("PhoneNumbers").unwrap_or_default();
    if !(phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())) {
        return Err((StatusCode::OK, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"));
    }
    if param("SignName") != Some(SIGN_NAME) {
        return Err((StatusCode::OK, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"));
    }
    let template = param("TemplateCode");
    if template != Some(REGISTER_TEMPLATE) && template != Some(RESET_PASSWORD_TEMPLATE) {
        return Err((StatusCode::OK, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"));
    }
    let template_param: Value = serde_json::from_str(param("TemplateParam").unwrap_or_default())
        .map_err(|_| (StatusCode::OK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"))?;
    let only_a_code = template_param.as_object().is_some_and(|fields| {
        fields.len() == 1
            && fields
                .get("code")
                .and_then(Value::as_str)
                .is_some_and(|code| code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
    });
    if !only_a_code {
        return Err((StatusCode::OK, "isv.TEMPLATE_PARAMS_ILLEGAL", "模版变量里包含非法关键字"));
    }
    Ok(())
}
