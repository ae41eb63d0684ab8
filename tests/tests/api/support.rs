//! `spawn_app`: the real server on a random port with a fresh SQLite file,
//! and a client that speaks HTTP to it like a browser or curl would.

use std::net::SocketAddr;

use bootstrap::{Application, Config};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

pub struct TestApp {
    pub address: String,
    pub client: Client,
    database_url: String,
    _data_dir: tempfile::TempDir,
    _app: Application,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server with the test defaults, changed by `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        bind_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.path().to_path_buf(),
        jwt_secret: Some(JWT_SECRET.into()),
        password_hash_concurrency: 2,
        ..Config::default()
    };
    configure(&mut config);
    let database_url = config.database_url();
    let app = Application::start(config).await.expect("server starts");
    TestApp {
        address: format!("http://{}", app.local_addr()),
        database_url,
        client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
        _data_dir: data_dir,
        _app: app,
    }
}

pub async fn body(response: Response) -> Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

impl TestApp {
    /// A direct connection to the server's SQLite database, to look at what
    /// the API does not show (the audit trail).
    pub async fn database(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect(&self.database_url).await.expect("open the test database")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request")
    }

    pub async fn dev_outbox(&self) -> Value {
        let response = self.get("/dev/outbox/").await;
        assert_eq!(response.status(), StatusCode::OK);
        body(response).await
    }

    /// Draws a captcha and reads its answer from the development outbox.
    pub async fn captcha(&self) -> (String, String) {
        let id = uuid::Uuid::new_v4().to_string();
        let response = self.get(&format!("/image_codes/{id}/")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let outbox = self.dev_outbox().await;
        let text = outbox["captchas"]
            .as_array()
            .and_then(|captchas| captchas.iter().find(|c| c["id"] == id.as_str()))
            .and_then(|c| c["text"].as_str())
            .expect("captcha in the outbox")
            .to_owned();
        (id, text)
    }

    /// `GET /sms_codes/{mobile}/` with a freshly solved captcha.
    pub async fn request_sms_code(&self, mobile: &str) -> Response {
        let (id, text) = self.captcha().await;
        self.get(&format!("/sms_codes/{mobile}/?image_code_id={id}&text={text}")).await
    }

    /// The codes delivered to `to`, newest first.
    pub async fn codes_sent_to(&self, to: &str) -> Vec<String> {
        let outbox = self.dev_outbox().await;
        outbox["messages"]
            .as_array()
            .map(|messages| {
                messages
                    .iter()
                    .filter(|m| m["to"] == to)
                    .filter_map(|m| m["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits (up to 10 s) until more than `already` codes were delivered to
    /// `to`, and returns the newest: delivery runs in the outbox worker,
    /// after the request that queued the message has returned.
    pub async fn wait_for_code(&self, to: &str, already: usize) -> String {
        for _ in 0..200 {
            let codes = self.codes_sent_to(to).await;
            if codes.len() > already {
                return codes[0].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no new message to {to} was delivered within 10 s")
    }

    /// The newest code delivered to `to`, waiting for the first one.
    pub async fn last_code(&self, to: &str) -> String {
        self.wait_for_code(to, 0).await
    }

    /// Sends a code to `mobile` and returns it once delivered.
    pub async fn sms_code(&self, mobile: &str) -> String {
        let already = self.codes_sent_to(mobile).await.len();
        let response = self.request_sms_code(mobile).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", body(response).await);
        self.wait_for_code(mobile, already).await
    }

    /// Asks for an email code and returns it once delivered.
    pub async fn email_code(&self, email: &str, send_type: &str) -> String {
        let already = self.codes_sent_to(email).await.len();
        let response = self.get(&format!("/email_codes/{email}/?send_type={send_type}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", body(response).await);
        self.wait_for_code(email, already).await
    }

    pub fn registration(username: &str, mobile: &str, code: &str) -> Value {
        json!({
            "username": username, "password": "correct-horse", "password2": "correct-horse",
            "mobile": mobile, "sms_code": code, "allow": "true"
        })
    }

    /// Registers through the whole flow and returns the 201 body.
    pub async fn register(&self, username: &str, mobile: &str) -> Value {
        let code = self.sms_code(mobile).await;
        let response = self.post_json("/users/", &Self::registration(username, mobile, &code)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        body(response).await
    }

    /// `contenders` people with codes for as many mobiles race to register the
    /// same username: exactly one wins, every other gets the field error, none a 500.
    pub async fn assert_one_of_concurrent_registrations_wins(&self, contenders: usize) {
        let mut forms = Vec::new();
        for i in 0..contenders {
            let mobile = format!("1370000{i:04}");
            let code = self.sms_code(&mobile).await;
            forms.push(Self::registration("racer", &mobile, &code));
        }
        let responses = futures::future::join_all(forms.iter().map(|form| self.post_json("/users/", form))).await;
        let mut created = 0;
        for response in responses {
            match response.status() {
                StatusCode::CREATED => created += 1,
                StatusCode::BAD_REQUEST => {
                    let error = body(response).await;
                    assert_eq!(error["code"], "already_taken", "{error}");
                    assert_eq!(error["username"][0], "用户名已存在");
                }
                other => panic!("unexpected {other}: {}", body(response).await),
            }
        }
        assert_eq!(created, 1);
    }

    pub async fn log_in(&self, account: &str, password: &str) -> Response {
        self.post_json("/authorizations/", &json!({"username": account, "password": password})).await
    }

    /// `GET /oauth/{provider}/authorization/?next=`, then its `login_url` (the hop), in a
    /// browser of its own, which now holds the flow cookie.
    pub async fn oauth_authorize(&self, provider: &str, next: &str) -> OAuthDeparture {
        let browser = browser();
        let login_url = self.oauth_login_url(&browser, provider, next).await;
        let authorize_url = self.oauth_hop(&browser, &login_url).await;
        let state =
            authorize_url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).expect("state");
        OAuthDeparture { browser, authorize_url, state }
    }

    /// `GET /oauth/{provider}/authorization/?next=` from `browser`: the `login_url` it answers.
    pub async fn oauth_login_url(&self, browser: &Client, provider: &str, next: &str) -> reqwest::Url {
        let url = self.url(&format!("/oauth/{provider}/authorization/?next={}", urlencode(next)));
        let response = browser.get(url).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let answer = body(response).await;
        assert_eq!(answer["oauth_url"], answer["login_url"]);
        reqwest::Url::parse(answer["login_url"].as_str().expect("login_url")).expect("a URL")
    }

    /// Opens the hop in `browser`: a 302 to the provider, which `browser` does not follow.
    pub async fn oauth_hop(&self, browser: &Client, login_url: &reqwest::Url) -> reqwest::Url {
        let response = browser.get(login_url.clone()).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[reqwest::header::LOCATION].to_str().expect("a location");
        reqwest::Url::parse(location).expect("a URL")
    }

    /// `GET /oauth/{provider}/user/?code=` from `browser`, as the classic callback page sends
    /// it (with credentials: the browser's cookies ride along), with `state` when given.
    pub async fn oauth_callback(&self, browser: &Client, provider: &str, code: &str, state: Option<&str>) -> Response {
        let mut path = format!("/oauth/{provider}/user/?code={}", urlencode(code));
        if let Some(state) = state {
            path.push_str(&format!("&state={}", urlencode(state)));
        }
        browser.get(self.url(&path)).send().await.expect("request")
    }

    /// `POST /oauth/{provider}/user/` with a fresh SMS code for `mobile`.
    pub async fn oauth_bind(&self, provider: &str, mobile: &str, password: &str, access_token: &str) -> Response {
        let code = self.sms_code(mobile).await;
        self.post_json(
            &format!("/oauth/{provider}/user/"),
            &json!({"mobile": mobile, "password": password, "sms_code": code, "access_token": access_token}),
        )
        .await
    }
}

/// A website login that went through the hop: the browser holding its flow cookie, and
/// the provider's authorize URL with the `state` in it.
pub struct OAuthDeparture {
    pub browser: Client,
    pub authorize_url: reqwest::Url,
    pub state: String,
}

/// A browser: a cookie jar of its own; redirects are looked at, not followed.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// `raw` as a query value.
pub fn urlencode(raw: &str) -> String {
    let url = reqwest::Url::parse_with_params("http://x/", [("v", raw)]).expect("a URL");
    url.query().unwrap_or_default()[2..].to_owned()
}

/// Asserts that no cache may keep `response` (it carries a token, a ticket or a flow cookie).
pub fn assert_no_store(response: &Response) {
    let cache_control = response.headers().get(reqwest::header::CACHE_CONTROL).and_then(|v| v.to_str().ok());
    assert_eq!(cache_control, Some("no-store"), "{} {}", response.status(), response.url());
}

/// Asserts the error body of the contract and returns it.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let body = body(response).await;
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().expect("message");
    assert!(!message.is_empty());
    assert_eq!(body["non_field_errors"][0].as_str().map(|m| !m.is_empty()), Some(true), "{body}");
    body
}
