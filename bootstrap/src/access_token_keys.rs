//! The keys access tokens are signed and verified with, as `JWT_ALGORITHM` asks.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;
use security::{AccessTokenAlgorithm, AccessTokenKeys, ServiceSecret, SigningKey, VerificationKey};

use crate::config::{Config, ConfigError};

/// HS256 signs with the service secret. ES256 and EdDSA sign with `JWT_PRIVATE_KEY_FILE`, or in
/// the embedded mode without it with a key generated once into `DATA_DIR` (mode 0600) and
/// reused; the public keys of `JWT_VERIFY_KEY_FILES` still verify.
pub fn access_token_keys(config: &Config, secret: &ServiceSecret) -> Result<AccessTokenKeys, ConfigError> {
    let algorithm = config.jwt_algorithm;
    if !algorithm.is_asymmetric() {
        return Ok(AccessTokenKeys::Shared(secret.clone()));
    }
    let current = match &config.jwt_private_key_file {
        Some(path) => read_private_key(algorithm, path)?,
        None if config.is_embedded() => embedded_key(algorithm, &config.data_dir)?,
        None => {
            return Err(ConfigError::Invalid(format!(
                "JWT_PRIVATE_KEY_FILE is required with JWT_ALGORITHM={algorithm} outside the embedded mode \
                 (`meiduo-accounts keys generate --algorithm {algorithm}` writes one)"
            )));
        }
    };
    let mut earlier = Vec::new();
    for path in config.jwt_verify_key_files.paths() {
        let pem = fs::read_to_string(path).map_err(|e| unreadable(path, &e))?;
        let key = VerificationKey::from_pem(algorithm, &pem)
            .map_err(|e| ConfigError::Invalid(format!("JWT_VERIFY_KEY_FILES: {}: {e}", path.display())))?;
        if key.kid() != current.public_key().kid() && earlier.iter().all(|k: &VerificationKey| k.kid() != key.kid()) {
            earlier.push(key);
        }
    }
    Ok(AccessTokenKeys::Asymmetric { current: Box::new(current), earlier })
}

fn unreadable(path: &Path, error: &std::io::Error) -> ConfigError {
    ConfigError::Invalid(format!("cannot read {}: {error}", path.display()))
}

fn read_private_key(algorithm: AccessTokenAlgorithm, path: &Path) -> Result<SigningKey, ConfigError> {
    let pem = secrecy::SecretString::from(fs::read_to_string(path).map_err(|e| unreadable(path, &e))?);
    SigningKey::from_pem(algorithm, pem.expose_secret())
        .map_err(|e| ConfigError::Invalid(format!("JWT_PRIVATE_KEY_FILE: {}: {e}", path.display())))
}

/// Where the embedded mode keeps the key of `algorithm`: one file per algorithm, so switching
/// between them never reads a key of the other curve.
pub fn embedded_key_path(algorithm: AccessTokenAlgorithm, data_dir: &Path) -> PathBuf {
    data_dir.join(format!("jwt_{}_key.pem", algorithm.as_str().to_ascii_lowercase()))
}

fn embedded_key(algorithm: AccessTokenAlgorithm, data_dir: &Path) -> Result<SigningKey, ConfigError> {
    let path = embedded_key_path(algorithm, data_dir);
    if path.exists() {
        return read_private_key(algorithm, &path);
    }
    fs::create_dir_all(data_dir)
        .map_err(|e| ConfigError::Invalid(format!("cannot create {}: {e}", data_dir.display())))?;
    let key = SigningKey::generate(algorithm).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    write_private_key(&key, &path).map_err(ConfigError::Invalid)?;
    tracing::info!(path = %path.display(), kid = key.public_key().kid(), "generated an access-token key for the embedded mode");
    Ok(key)
}

/// Writes `key` in PKCS#8 PEM to a new file of mode 0600; an existing file is never overwritten.
pub fn write_private_key(key: &SigningKey, path: &Path) -> Result<(), String> {
    let pem = key.to_pem().map_err(|e| e.to_string())?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(pem.expose_secret().as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What `meiduo-accounts keys generate` wrote.
#[derive(Debug)]
pub struct WrittenKeyPair {
    pub private_key: PathBuf,
    pub public_key: PathBuf,
    pub kid: String,
}

/// A new key pair of `algorithm`: the private key to `private_key` (mode 0600) and the public key
/// beside it, `.pem` replaced by `.pub.pem`. Neither file may exist yet.
pub fn generate_key_pair(algorithm: AccessTokenAlgorithm, private_key: &Path) -> Result<WrittenKeyPair, String> {
    let stem = private_key.to_string_lossy();
    let public_key = PathBuf::from(format!("{}.pub.pem", stem.strip_suffix(".pem").unwrap_or(&stem)));
    if public_key.exists() {
        return Err(format!("{} exists already; it is not overwritten", public_key.display()));
    }
    let key = SigningKey::generate(algorithm).map_err(|e| e.to_string())?;
    write_private_key(&key, private_key)?;
    fs::write(&public_key, key.public_key().to_pem())
        .map_err(|e| format!("cannot write {}: {e}", public_key.display()))?;
    Ok(WrittenKeyPair { private_key: private_key.to_path_buf(), public_key, kid: key.public_key().kid().to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, algorithm: AccessTokenAlgorithm) -> Config {
        Config { data_dir: dir.to_path_buf(), jwt_algorithm: algorithm, ..Config::default() }
    }

    fn secret() -> ServiceSecret {
        ServiceSecret::from(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn hs256_signs_with_the_service_secret_and_publishes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let keys = access_token_keys(&config(dir.path(), AccessTokenAlgorithm::Hs256), &secret()).unwrap();
        assert!(keys.jwks().is_none());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no key file is written");
    }

    #[test]
    fn the_embedded_mode_generates_a_key_once_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        for algorithm in [AccessTokenAlgorithm::EdDsa, AccessTokenAlgorithm::Es256] {
            let kid = |keys: &AccessTokenKeys| keys.verification_keys()[0].kid().to_owned();
            let first = access_token_keys(&config(dir.path(), algorithm), &secret()).unwrap();
            let again = access_token_keys(&config(dir.path(), algorithm), &secret()).unwrap();
            assert_eq!(kid(&first), kid(&again), "{algorithm}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(embedded_key_path(algorithm, dir.path())).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        }
    }

    #[test]
    fn earlier_keys_verify_and_a_key_of_another_curve_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let old = SigningKey::generate(AccessTokenAlgorithm::EdDsa).unwrap();
        let old_path = dir.path().join("old.pub.pem");
        fs::write(&old_path, old.public_key().to_pem()).unwrap();
        let mut config = config(dir.path(), AccessTokenAlgorithm::EdDsa);
        config.jwt_verify_key_files = old_path.display().to_string().parse().unwrap();
        let keys = access_token_keys(&config, &secret()).unwrap();
        let kids: Vec<_> = keys.verification_keys().iter().map(|key| key.kid().to_owned()).collect();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1], old.public_key().kid());

        config.jwt_algorithm = AccessTokenAlgorithm::Es256;
        let error = access_token_keys(&config, &secret()).unwrap_err();
        assert!(error.to_string().contains("JWT_VERIFY_KEY_FILES"), "{error}");
    }
}
