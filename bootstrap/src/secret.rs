use std::fs;
use std::io::Write;
use std::path::Path;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use security::ServiceSecret;

use crate::config::{Config, ConfigError};

/// Shortest HS256 key accepted: 256 bits, the hash's output size (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

const SECRET_FILE: &str = "jwt_secret";

/// The JWT signing key: `JWT_SECRET` when set (at least 32 bytes); in the
/// embedded mode without it, a random key generated once into `DATA_DIR` and
/// reused, so tokens survive restarts.
pub fn jwt_secret(config: &Config) -> Result<ServiceSecret, ConfigError> {
    if let Some(secret) = config.jwt_secret.as_ref().map(ExposeSecret::expose_secret).filter(|s| !s.is_empty()) {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid(format!(
                "JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes (it has {}); generate one with `openssl rand -hex 32`",
                secret.len()
            )));
        }
        return Ok(ServiceSecret::from(secret.as_bytes()));
    }
    if !config.is_embedded() {
        return Err(ConfigError::Invalid(
            "JWT_SECRET is required outside the embedded mode (at least 32 bytes)".into(),
        ));
    }
    embedded_secret(&config.data_dir)
}

fn embedded_secret(data_dir: &Path) -> Result<ServiceSecret, ConfigError> {
    let path = data_dir.join(SECRET_FILE);
    let io_error =
        |action: &str, e: std::io::Error| ConfigError::Invalid(format!("cannot {action} {}: {e}", path.display()));
    if path.exists() {
        let secret = SecretString::from(fs::read_to_string(&path).map_err(|e| io_error("read", e))?);
        let secret = secret.expose_secret().trim();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid(format!("{} holds fewer than {MIN_SECRET_BYTES} bytes", path.display())));
        }
        return Ok(ServiceSecret::from(secret.as_bytes()));
    }
    fs::create_dir_all(data_dir).map_err(|e| io_error("create the folder of", e))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = SecretString::from(hex::encode(bytes));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(|e| io_error("create", e))?;
    file.write_all(secret.expose_secret().as_bytes()).map_err(|e| io_error("write", e))?;
    tracing::info!(path = %path.display(), "generated a JWT secret for the embedded mode");
    Ok(ServiceSecret::from(secret.expose_secret().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, secret: Option<&str>) -> Config {
        Config { data_dir: dir.to_path_buf(), jwt_secret: secret.map(SecretString::from), ..Config::default() }
    }

    #[test]
    fn a_short_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(jwt_secret(&config(dir.path(), Some("too-short"))).is_err());
        let long = "x".repeat(32);
        assert_eq!(jwt_secret(&config(dir.path(), Some(&long))).unwrap().expose_secret(), long.as_bytes());
    }

    #[test]
    fn the_embedded_mode_generates_a_secret_once_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = jwt_secret(&config(dir.path(), None)).unwrap();
        assert_eq!(first.expose_secret().len(), 64);
        assert_eq!(jwt_secret(&config(dir.path(), None)).unwrap().expose_secret(), first.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SECRET_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
