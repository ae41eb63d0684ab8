//! Access tokens signed with ES256 or EdDSA: verified by another service from the published JWKS
//! alone, kept valid across a key rotation, and never accepted under a confused algorithm or key.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use reqwest::StatusCode;
use reqwest::header::CACHE_CONTROL;
use secrecy::ExposeSecret;
use security::{AccessTokenAlgorithm, SigningKey};
use serde_json::{Value, json};

use crate::support::{JWT_SECRET, TestApp, assert_error, body, spawn_app, spawn_app_with};

/// A new key of `algorithm` written where `JWT_PRIVATE_KEY_FILE` can name it.
fn key_file(dir: &Path, name: &str, algorithm: AccessTokenAlgorithm) -> (SigningKey, std::path::PathBuf) {
    let key = SigningKey::generate(algorithm).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, key.to_pem().unwrap().expose_secret()).unwrap();
    (key, path)
}

/// The PKCS#8 DER a PEM private key wraps (its base64 body), as jsonwebtoken signs with it.
fn pkcs8_der(key: &SigningKey) -> Vec<u8> {
    let pem = key.to_pem().unwrap();
    let body: String = pem.expose_secret().lines().filter(|line| !line.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// The JWKS as another service fetches it.
async fn fetch_jwks(app: &TestApp) -> JwkSet {
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=300");
    let published = body(response).await;
    for key in published["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(key.get(private).is_none(), "the private parameter {private} is published: {key}");
        }
        assert_eq!(key["use"], "sig");
    }
    serde_json::from_value(published).unwrap()
}

/// What a service holding only the JWKS reads from `token`: the key its `kid` names, of the
/// algorithm it expects, then `iss`, `aud`, `exp` and `token_type`.
fn verify_with(jwks: &JwkSet, algorithm: Algorithm, token: &str) -> Value {
    let kid = decode_header(token).unwrap().kid.expect("a kid in the header");
    let jwk = jwks.find(&kid).expect("the kid is published");
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&["meiduo-accounts"]);
    validation.set_audience(&["meiduo-mall"]);
    let claims = decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap().claims;
    assert_eq!(claims["token_type"], "access");
    claims
}

async fn user_page(app: &TestApp, authorization: &str) -> StatusCode {
    app.client.get(app.url("/user/")).header("Authorization", authorization).send().await.unwrap().status()
}

#[tokio::test]
async fn tokens_of_each_algorithm_verify_with_the_published_keys_alone() {
    for (algorithm, jwt) in
        [(AccessTokenAlgorithm::EdDsa, Algorithm::EdDSA), (AccessTokenAlgorithm::Es256, Algorithm::ES256)]
    {
        // The embedded mode makes its own key.
        let app = spawn_app_with(|config| config.jwt_algorithm = algorithm).await;
        let registered = app.register("alice", "13800138000").await;
        let token = registered["token"].as_str().unwrap();
        let jwks = fetch_jwks(&app).await;
        assert_eq!(jwks.keys.len(), 1);
        let claims = verify_with(&jwks, jwt, token);
        assert_eq!((claims["user_id"].clone(), claims["username"].clone()), (registered["id"].clone(), json!("alice")));

        assert_eq!(user_page(&app, &format!("JWT {token}")).await, StatusCode::OK, "{algorithm}");
        assert_eq!(user_page(&app, &format!("Bearer {token}")).await, StatusCode::OK, "{algorithm}");
        let logged_in = body(app.log_in("alice", "correct-horse").await).await;
        verify_with(&jwks, jwt, logged_in["token"].as_str().unwrap());
    }
}

/// The verifier example for Node services (`clients/typescript/examples/verify-access-token.ts`,
/// with `jose`), compiled by `npm run build:verifier`; `None` (skipping, or failing under
/// `REQUIRE_BACKENDS=1`) when `npm ci` has not been run there (`.ci/run` runs it).
fn jose_verifier(test: &str) -> Option<std::path::PathBuf> {
    use std::io::Write;
    use std::process::Command;
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("../clients/typescript");
    if !client.join("node_modules/jose").is_dir() {
        assert!(
            !test_support::backends::backends_required(),
            "{test}: clients/typescript/node_modules is missing and REQUIRE_BACKENDS=1 (run npm ci there)"
        );
        let _ = writeln!(std::io::stderr(), "SKIPPED {test}: run `npm ci` in clients/typescript first");
        return None;
    }
    let built = Command::new("npm").args(["run", "-s", "build:verifier"]).current_dir(&client).status().unwrap();
    assert!(built.success(), "npm run build:verifier");
    Some(client.join("build/examples/verify-access-token-cli.js"))
}

/// What the jose example says of `authorization`: the claims it verified, or its refusal.
async fn jose_verifies(cli: &Path, app: &TestApp, algorithm: &str, authorization: &str) -> Result<Value, String> {
    let output = tokio::process::Command::new("node")
        .arg(cli)
        .args([app.address.as_str(), algorithm, authorization])
        .output()
        .await
        .unwrap();
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// An independent consumer of the JWKS in another language: the jose example fetches the keys,
/// verifies each algorithm's tokens by either header scheme, and refuses a token with a changed
/// signature or another algorithm's.
#[tokio::test]
async fn the_jose_example_verifies_tokens_of_each_algorithm_and_refuses_forgeries() {
    let Some(cli) = jose_verifier("signing_keys::jose_example") else { return };
    for (algorithm, name) in [(AccessTokenAlgorithm::EdDsa, "EdDSA"), (AccessTokenAlgorithm::Es256, "ES256")] {
        let app = spawn_app_with(|config| config.jwt_algorithm = algorithm).await;
        let registered = app.register("alice", "13800138000").await;
        let token = registered["token"].as_str().unwrap();
        for scheme in ["JWT", "Bearer"] {
            let claims = jose_verifies(&cli, &app, name, &format!("{scheme} {token}")).await.unwrap();
            assert_eq!(
                (claims["user_id"].clone(), claims["token_type"].clone()),
                (registered["id"].clone(), json!("access"))
            );
        }
        let (head, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
        let forged = format!("{head}.{flipped}{}", &signature[1..]);
        assert!(
            jose_verifies(&cli, &app, name, &format!("JWT {forged}")).await.is_err(),
            "{name}: a changed signature"
        );
        let other = if name == "EdDSA" { "ES256" } else { "EdDSA" };
        assert!(jose_verifies(&cli, &app, other, &format!("JWT {token}")).await.is_err(), "{name} token as {other}");
    }
}

#[tokio::test]
async fn hs256_publishes_no_key() {
    let app = spawn_app().await;
    assert_error(app.get("/.well-known/jwks.json").await, StatusCode::NOT_FOUND, "not_found").await;
    let token = app.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    let header = decode_header(&token).unwrap();
    assert_eq!((header.alg, header.kid), (Algorithm::HS256, None), "HS256 tokens are as before");
}

#[tokio::test]
async fn a_rotated_key_keeps_earlier_tokens_valid_and_both_keys_are_published() {
    let keys = tempfile::tempdir().unwrap();
    let database = keys.path().join("accounts.db");
    let database_url = format!("sqlite://{}?mode=rwc", database.display());
    let (old, old_path) = key_file(keys.path(), "old.pem", AccessTokenAlgorithm::EdDsa);
    let (new, new_path) = key_file(keys.path(), "new.pem", AccessTokenAlgorithm::EdDsa);
    let old_public = keys.path().join("old.pub.pem");
    std::fs::write(&old_public, old.public_key().to_pem()).unwrap();

    let before = spawn_app_with(|config| {
        config.database_url = Some(database_url.clone().into());
        config.jwt_algorithm = AccessTokenAlgorithm::EdDsa;
        config.jwt_private_key_file = Some(old_path);
    })
    .await;
    let old_token = before.register("alice", "13800138000").await["token"].as_str().unwrap().to_owned();
    drop(before);

    let after = spawn_app_with(|config| {
        config.database_url = Some(database_url.clone().into());
        config.jwt_algorithm = AccessTokenAlgorithm::EdDsa;
        config.jwt_private_key_file = Some(new_path);
        config.jwt_verify_key_files = old_public.display().to_string().parse().unwrap();
    })
    .await;
    assert_eq!(user_page(&after, &format!("JWT {old_token}")).await, StatusCode::OK, "a token of the earlier key");
    let new_token = body(after.log_in("alice", "correct-horse").await).await["token"].as_str().unwrap().to_owned();
    assert_eq!(decode_header(&new_token).unwrap().kid.as_deref(), Some(new.public_key().kid()));

    let jwks = fetch_jwks(&after).await;
    let kids: Vec<_> = jwks.keys.iter().map(|key| key.common.key_id.clone().unwrap()).collect();
    assert_eq!(kids, [new.public_key().kid(), old.public_key().kid()], "the current key first");
    verify_with(&jwks, Algorithm::EdDSA, &old_token);
    verify_with(&jwks, Algorithm::EdDSA, &new_token);
}

#[tokio::test]
async fn a_token_of_another_algorithm_or_an_unknown_key_is_401() {
    let dir = tempfile::tempdir().unwrap();
    let (key, path) = key_file(dir.path(), "key.pem", AccessTokenAlgorithm::EdDsa);
    let app = spawn_app_with(|config| {
        config.jwt_algorithm = AccessTokenAlgorithm::EdDsa;
        config.jwt_private_key_file = Some(path);
    })
    .await;
    let registered = app.register("alice", "13800138000").await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": "meiduo-accounts", "aud": "meiduo-mall", "token_type": "access", "user_id": registered["id"],
        "username": "alice", "exp": now + 100, "iat": now, "jti": "k", "sid": "s", "ver": 0,
    });
    let kid = Some(key.public_key().kid().to_owned());
    let with_kid = |algorithm| Header { kid: kid.clone(), ..Header::new(algorithm) };
    let hs256 =
        |secret: &[u8]| encode(&with_kid(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret)).unwrap();
    let b64 = |text: &str| URL_SAFE_NO_PAD.encode(text);

    let stranger = SigningKey::generate(AccessTokenAlgorithm::EdDsa).unwrap();
    let stranger_key = EncodingKey::from_ed_der(&pkcs8_der(&stranger));
    let es256 = SigningKey::generate(AccessTokenAlgorithm::Es256).unwrap();
    let jwk = serde_json::to_value(fetch_jwks(&app).await.keys[0].clone()).unwrap();
    let cases = [
        ("HS256 keyed with the public key's PEM", hs256(key.public_key().to_pem().as_bytes())),
        ("HS256 keyed with the published x", hs256(jwk["x"].as_str().unwrap().as_bytes())),
        ("HS256 keyed with JWT_SECRET", hs256(JWT_SECRET.as_bytes())),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&format!(r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#, key.public_key().kid())),
                b64(&claims.to_string())
            ),
        ),
        (
            "an unknown kid",
            encode(
                &Header { kid: Some(stranger.public_key().kid().to_owned()), ..Header::new(Algorithm::EdDSA) },
                &claims,
                &stranger_key,
            )
            .unwrap(),
        ),
        ("another key under the known kid", encode(&with_kid(Algorithm::EdDSA), &claims, &stranger_key).unwrap()),
        (
            "ES256 under the known kid",
            encode(&with_kid(Algorithm::ES256), &claims, &EncodingKey::from_ec_der(&pkcs8_der(&es256))).unwrap(),
        ),
    ];
    for (case, token) in cases {
        let response = app.client.get(app.url("/user/")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(body(response).await["code"], "token_invalid", "{case}");
    }
    let own = registered["token"].as_str().unwrap();
    assert_eq!(user_page(&app, &format!("JWT {own}")).await, StatusCode::OK);
}
