//! A local stand-in for `sms.tencentcloudapi.com` (`SendSms`, API 2021-01-11): it checks
//! each request the way Tencent does (TC3-HMAC-SHA256 signature first, then the common
//! headers, then the body) and answers in Tencent's shapes, all with HTTP 200 unless told
//! to misbehave. Point a sender at [`FakeTencentSms::endpoint`] with the credentials and
//! ids below ([`SECRET_ID`], [`SECRET_KEY`], [`SDK_APP_ID`], [`SIGN_NAME`],
//! [`REGISTER_TEMPLATE`], [`RESET_PASSWORD_TEMPLATE`], region [`REGION`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use salvo::http::{HeaderMap, StatusCode};
use salvo::prelude::Router;
use salvo::writing::{Json, Text};
use salvo::{Depot, FlowCtrl, Handler, Request, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::loopback_server::LoopbackServer;

mod tc3;

/// The only `SecretId` the fake knows.
pub const SECRET_ID: &str = "AKIDfake0123456789abcdefghijklmnopqr";
/// The key behind [`SECRET_ID`]; requests signed with another are refused.
pub const SECRET_KEY: &str = "fake-secret-key-0123456789abcdef";
/// The only `SmsSdkAppId` the fake knows.
pub const SDK_APP_ID: &str = "1400123456";
/// The only approved signature.
pub const SIGN_NAME: &str = "美多商城";
/// An approved template: the registration code and its validity in minutes.
pub const REGISTER_TEMPLATE: &str = "2001001";
/// An approved template: the find-password code and its validity in minutes.
pub const RESET_PASSWORD_TEMPLATE: &str = "2001002";
/// The only region the fake serves.
pub const REGION: &str = "ap-guangzhou";

/// How the fake answers a request that passes its checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `SendStatusSet[0].Code = "Ok"`.
    Sent,
    /// The request succeeds, the number's `SendStatus` carries this code and message.
    NumberStatus(&'static str, &'static str),
    /// `Response.Error` with this code and message, for the whole request.
    RequestError(&'static str, &'static str),
    /// A bare HTTP status, as from a gateway in front of Tencent.
    HttpStatus(StatusCode),
    /// HTTP 200 with something that is not JSON.
    Garbage,
    /// A 307 back to the endpoint (method, body and signed headers would be sent again): a
    /// second request in [`FakeTencentSms::requests`] shows that the redirect was followed.
    Redirect,
    /// Answers `Sent`, but only after this long.
    Slow(Duration),
}

/// A request that passed every check, and what the fake answered.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub headers: HeaderMap,
    /// The `SendSms` body as sent.
    pub body: Value,
    pub answer: Answer,
}

impl Accepted {
    /// `TemplateId`.
    pub fn template_id(&self) -> &str {
        self.body["TemplateId"].as_str().unwrap_or_default()
    }

    /// `TemplateParamSet[0]`: the code.
    pub fn code(&self) -> &str {
        self.body["TemplateParamSet"][0].as_str().unwrap_or_default()
    }

    /// `PhoneNumberSet[0]`, in E.164 (`+8613800138000`).
    pub fn phone_number(&self) -> &str {
        self.body["PhoneNumberSet"][0].as_str().unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    /// The standing answer; `Sent` when unset.
    answer: Mutex<Option<Answer>>,
    /// Answers for the next accepted requests, one each, before the standing one.
    once: Mutex<VecDeque<Answer>>,
    accepted: Mutex<Vec<Accepted>>,
    requests: Mutex<usize>,
    /// Accepted requests already handed out by `next_request_to`, per phone number.
    taken: Mutex<HashMap<String, usize>>,
    /// Notified after every accepted request.
    arrived: Notify,
}

/// The fake, serving on `127.0.0.1` at a free port until dropped.
pub struct FakeTencentSms {
    server: LoopbackServer,
    state: Arc<State>,
}

impl FakeTencentSms {
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let server =
            LoopbackServer::serve(Router::new().goal(FakeHandler { state: state.clone() }), "the fake Tencent SMS")
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

    /// Answer the next request that passes the checks with `answer`, then as before;
    /// calls queue up, one request each.
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

    /// Waits up to `timeout` for the next request that passed the checks for `mobile`
    /// (`13800138000` or `+8613800138000`) that this method has not returned yet.
    /// Panics when none comes in time.
    pub async fn next_request_to(&self, mobile: &str, timeout: Duration) -> Accepted {
        let phone = if mobile.starts_with('+') { mobile.to_owned() } else { format!("+86{mobile}") };
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so that a request in between still wakes us.
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

enum Reply {
    Json(Value),
    Status(StatusCode),
    Garbage,
    Redirect,
}

#[salvo::async_trait]
impl Handler for FakeHandler {
    async fn handle(&self, req: &mut Request, _depot: &mut Depot, res: &mut Response, _ctrl: &mut FlowCtrl) {
        *self.state.requests.lock() += 1;
        let headers = req.headers().clone();
        let body = req.payload().await.map(|body| body.to_vec()).unwrap_or_default();
        let reply = match check(&headers, &body) {
            Err((code, message)) => request_error(code, message),
            Ok(parsed) => {
                let standing = || self.state.answer.lock().clone().unwrap_or(Answer::Sent);
                let answer = self.state.once.lock().pop_front().unwrap_or_else(standing);
                let phone = parsed["PhoneNumberSet"][0].as_str().unwrap_or_default().to_owned();
                self.state.accepted.lock().push(Accepted { headers, body: parsed, answer: answer.clone() });
                self.state.arrived.notify_waiters();
                respond(answer, &phone).await
            }
        };
        match reply {
            Reply::Json(value) => res.render(Json(value)),
            Reply::Status(status) => {
                res.status_code(status);
                res.render(Text::Html("<html><body>gateway trouble</body></html>"));
            }
            Reply::Garbage => res.render(Text::Html("<html><body>not an API answer</body></html>")),
            Reply::Redirect => {
                res.status_code(StatusCode::TEMPORARY_REDIRECT);
                res.add_header("Location", "/?redirected", true).expect("a valid Location header");
            }
        }
    }
}

async fn respond(answer: Answer, phone: &str) -> Reply {
    match answer {
        Answer::Sent => Reply::Json(sent(phone, "Ok", "send success")),
        Answer::NumberStatus(code, message) => Reply::Json(sent(phone, code, message)),
        Answer::RequestError(code, message) => request_error(code, message),
        Answer::HttpStatus(status) => Reply::Status(status),
        Answer::Garbage => Reply::Garbage,
        Answer::Redirect => Reply::Redirect,
        Answer::Slow(delay) => {
            tokio::time::sleep(delay).await;
            Reply::Json(sent(phone, "Ok", "send success"))
        }
    }
}

fn sent(phone: &str, code: &str, message: &str) -> Value {
    let ok = code == "Ok";
    json!({"Response": {
        "SendStatusSet": [{
            "SerialNo": if ok { "5000:1045710669157053657849499619" } else { "" },
            "PhoneNumber": phone,
            "Fee": i32::from(ok),
            "SessionContext": "",
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }],
        "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
    }})
}

fn request_error(code: &str, message: &str) -> Reply {
    Reply::Json(json!({"Response": {
        "Error": {"Code": code, "Message": message},
        "RequestId": "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6",
    }}))
}

type Refusal = (&'static str, &'static str);

/// Tencent's order: authenticate, then the common parameters, then the action's own.
fn check(headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    check_signature(headers, body)?;
    check_common_headers(headers)?;
    check_send_sms_body(body)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn check_signature(headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    const INVALID: Refusal = ("AuthFailure.InvalidAuthorization", "Authorization header is not valid.");
    const MISMATCH: Refusal = (
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
    );
    let auth = header(headers, "authorization").and_then(tc3::parse_authorization).ok_or(INVALID)?;
    if auth.secret_id != SECRET_ID {
        return Err((
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    }
    let timestamp =
        header(headers, "x-tc-timestamp").ok_or(("MissingParameter", "The request is missing X-TC-Timestamp."))?;
    let signed_at =
        timestamp.parse().ok().and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0)).ok_or(INVALID)?;
    if (Utc::now() - signed_at).num_seconds().abs() > 300 {
        return Err(("AuthFailure.SignatureExpire", "Signature expired, please check your local time."));
    }
    // The scope must name the timestamp's UTC date and this product.
    if auth.date != signed_at.format("%Y-%m-%d").to_string() || auth.service != "sms" {
        return Err(MISMATCH);
    }
    if !(auth.signed_headers.iter().any(|h| h == "content-type") && auth.signed_headers.iter().any(|h| h == "host")) {
        return Err(INVALID);
    }
    let canonical = tc3::canonical_request(headers, &auth.signed_headers, body).ok_or(INVALID)?;
    if tc3::signature(SECRET_KEY, &auth, timestamp, &canonical) != auth.signature {
        return Err(MISMATCH);
    }
    Ok(())
}

fn check_common_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    if header(headers, "x-tc-action") != Some("SendSms") {
        return Err(("InvalidAction", "The action requested is invalid."));
    }
    if header(headers, "x-tc-version") != Some("2021-01-11") {
        return Err(("NoSuchVersion", "The requested version does not exist or is not supported."));
    }
    if header(headers, "x-tc-region") != Some(REGION) {
        return Err(("UnsupportedRegion", "The region is not supported."));
    }
    if header(headers, "content-type") != Some("application/json; charset=utf-8") {
        return Err(("InvalidParameter", "Content-Type is not supported."));
    }
    Ok(())
}

fn check_send_sms_body(body: &[u8]) -> Result<Value, Refusal> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|_| ("FailedOperation.JsonParseFail", "Failed to parse the request body."))?;
    let phone = parsed["PhoneNumberSet"].as_array().filter(|set| set.len() == 1).and_then(|set| set[0].as_str());
    let e164_mainland = phone.and_then(|phone| phone.strip_prefix("+86")).is_some_and(|national| {
        national.len() == 11 && national.starts_with('1') && national.bytes().all(|b| b.is_ascii_digit())
    });
    if !e164_mainland {
        return Err(("InvalidParameterValue.IncorrectPhoneNumber", "The mobile number format is incorrect."));
    }
    if parsed["SmsSdkAppId"] != SDK_APP_ID {
        return Err(("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verification failed."));
    }
    if parsed["SignName"] != SIGN_NAME {
        return Err(("FailedOperation.SignatureIncorrectOrUnapproved", "The signature is incorrect or unapproved."));
    }
    if parsed["TemplateId"] != REGISTER_TEMPLATE && parsed["TemplateId"] != RESET_PASSWORD_TEMPLATE {
        return Err(("FailedOperation.TemplateIncorrectOrUnapproved", "The template is incorrect or unapproved."));
    }
    let params = parsed["TemplateParamSet"].as_array().cloned().unwrap_or_default();
    let code_like =
        |value: &Value| value.as_str().is_some_and(|s| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()));
    if params.len() != 2 || !code_like(&params[0]) || params[1] != "5" {
        return Err((
            "InvalidParameterValue.TemplateParameterFormatError",
            "The template parameter format is incorrect.",
        ));
    }
    Ok(parsed)
}
