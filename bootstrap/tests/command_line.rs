//! The `meiduo-accounts` command line, run as a process.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_meiduo-accounts");

fn command(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(BINARY);
    command.env_clear().env("DATA_DIR", data_dir).env("RUST_LOG", "warn");
    command
}

#[test]
fn openapi_prints_the_committed_document() {
    let output = Command::new(BINARY).arg("openapi").env_clear().output().unwrap();
    assert!(output.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), committed);
}

#[test]
fn migrate_creates_the_schema_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let status = command(dir.path()).arg("migrate").status().unwrap();
    assert!(status.success());
    assert!(dir.path().join("accounts.db").exists());
    // Applying again is a no-op, not an error.
    assert!(command(dir.path()).arg("migrate").status().unwrap().success());
}

#[test]
fn a_short_jwt_secret_or_a_bad_setting_stops_the_start_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path()).env("JWT_SECRET", "too-short").arg("serve").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 bytes"));

    let output = command(dir.path()).env("DATABASE_URL", "mysql://x").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DATABASE_URL"));

    let output = command(dir.path()).env("CORS_ALLOWED_ORIGINS", "*").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("CORS_ALLOWED_ORIGINS"));
}

/// The typed settings are parsed as the configuration is read: a value outside a choice, a list with a bad
/// entry or a number that is not one stops the start, naming the variable and the value (`migrate` reads the
/// same configuration and exits, so a value wrongly accepted fails the test instead of serving forever).
#[test]
fn a_typed_setting_with_a_bad_value_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for (variable, value) in [
        ("LOG_FORMAT", "xml"),
        ("SMTP_TLS", "ssl"),
        ("SMS_PROVIDER", "carrier-pigeon"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,not-an-address"),
        ("METRICS_ALLOW", "256.0.0.1"),
        ("CODE_TTL_SECS", "five minutes"),
        ("DATABASE_POOLER", "session"),
    ] {
        let output = command(dir.path()).env(variable, value).arg("migrate").output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{variable}={value}: {stderr}");
        assert!(stderr.contains(variable), "{variable}={value}: {stderr}");
        let shown = value.split(',').next_back().unwrap_or(value);
        assert!(stderr.contains(shown), "{variable}={value}: {stderr}");
    }
}

/// Through PgBouncer's transaction pooling, migrations (a session-level advisory lock, named statements)
/// cannot run: `serve` that would migrate and `migrate` itself refuse, saying how to migrate instead. The
/// URL reaches nothing: both refuse before connecting. SQLite has no pooler, so the setting is refused there.
#[test]
fn migrations_through_a_transaction_pooler_and_a_pooler_before_sqlite_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let pooled = |command: &mut Command| {
        command
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .env("DATABASE_POOLER", "transaction")
            .env("JWT_SECRET", "a-secret-of-at-least-thirty-two-bytes")
            .output()
            .unwrap()
    };
    let output = pooled(command(dir.path()).arg("serve"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needed in ["DATABASE_POOLER=transaction", "AUTO_MIGRATE", "meiduo-accounts migrate", "directly"] {
        assert!(stderr.contains(needed), "{needed}: {stderr}");
    }

    let output = pooled(command(dir.path()).arg("migrate"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needed in ["DATABASE_POOLER=transaction", "meiduo-accounts migrate", "directly"] {
        assert!(stderr.contains(needed), "{needed}: {stderr}");
    }

    let output = command(dir.path()).env("DATABASE_POOLER", "transaction").arg("migrate").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("DATABASE_POOLER") && stderr.contains("SQLite"), "{stderr}");
}

/// These two were documented but not read from the environment once; a value
/// the start refuses shows that the variable now reaches the configuration.
#[test]
fn the_step_token_and_verification_link_lifetimes_are_read_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    for variable in ["PASSWORD_RESET_TOKEN_TTL_SECS", "EMAIL_VERIFICATION_TTL_SECS"] {
        let output = command(dir.path()).env(variable, "0").arg("migrate").output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{variable}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(variable), "{variable}");
    }
}

#[test]
fn a_hashing_niceness_beyond_19_is_refused_and_19_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path()).env("PASSWORD_HASH_NICENESS", "20").arg("migrate").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PASSWORD_HASH_NICENESS must be 0 to 19"));
    let output = command(dir.path()).env("PASSWORD_HASH_NICENESS", "19").arg("migrate").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn outside_the_embedded_mode_a_jwt_secret_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path()).env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("JWT_SECRET is required"));
}

#[test]
fn keys_generate_writes_a_key_pair_once_and_prints_no_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("jwt_key.pem");
    for algorithm in ["EdDSA", "ES256"] {
        let _ = std::fs::remove_file(&private);
        let _ = std::fs::remove_file(dir.path().join("jwt_key.pub.pem"));
        let generate = || {
            command(dir.path())
                .args(["keys", "generate", "--algorithm", algorithm, "--out"])
                .arg(&private)
                .output()
                .unwrap()
        };
        let output = generate();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let pem = std::fs::read_to_string(&private).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{algorithm}");
        let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
        assert!(!stdout.contains(&body[..32]) && !stdout.contains("PRIVATE"), "{stdout}");
        assert!(stdout.contains("jwt_key.pub.pem") && stdout.contains("kid:"), "{stdout}");
        let public = std::fs::read_to_string(dir.path().join("jwt_key.pub.pem")).unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&private).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = generate();
        assert_eq!(again.status.code(), Some(1), "an existing key is never overwritten");
        assert_eq!(std::fs::read_to_string(&private).unwrap(), pem);
    }
    let refused = command(dir.path()).args(["keys", "generate", "--algorithm", "HS256"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
}

#[test]
fn outside_the_embedded_mode_an_asymmetric_algorithm_needs_a_private_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("JWT_SECRET", "x".repeat(32))
        .env("JWT_ALGORITHM", "EdDSA")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("JWT_PRIVATE_KEY_FILE is required"));
    let bad = command(dir.path()).env("JWT_ALGORITHM", "none").output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must be HS256, ES256 or EdDSA"));
}

#[test]
#[cfg(unix)]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = command(dir.path())
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start listening");
        // Polled tightly so the SIGTERM lands right after the port opens, where a late handler would miss it.
        std::thread::sleep(Duration::from_millis(2));
    }
    // A generated secret was kept for the next start.
    assert!(dir.path().join("jwt_secret").exists());
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not stop within 15 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn config_table_prints_the_table_of_the_declared_settings() {
    let output = Command::new(BINARY).arg("config-table").env_clear().output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), bootstrap::config::configuration_table());
}
