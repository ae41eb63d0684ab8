//! What one declaration in `settings!` yields besides its field: the environment
//! variable, the TOML key, how the variable's text becomes a value, and its documentation.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use providers::messaging::SmtpTls;
use secrecy::SecretString;
use security::AccessTokenAlgorithm;

use super::{ConnectionUrl, CorsOrigins, DatabasePooler, IpNets, KeyFiles, LogFormat, SmsProvider};

/// One setting as declared, for loading and for the configuration table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The field of [`super::Config`], which is also the TOML key.
    pub key: &'static str,
    /// Its documentation, the configuration table's "meaning".
    pub doc: &'static str,
    /// What the configuration table shows as the default when the default value alone would mislead
    /// (`None` in the field, and something else happens).
    pub shown_default: Option<&'static str>,
    /// Taken from the environment as the text it is (see [`EnvValue::VERBATIM`]).
    pub verbatim: bool,
    /// A secret: held where no `Debug`, log line or error message shows it (see [`EnvValue::SECRET`]).
    pub secret: bool,
}

impl Setting {
    /// The environment variable: the key in upper case.
    pub fn variable(&self) -> String {
        self.key.to_ascii_uppercase()
    }

    /// The documentation on one line.
    pub fn description(&self) -> String {
        self.doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// How the type of a setting takes its environment variable.
pub trait EnvValue: Sized {
    /// Text settings skip figment's parsing of environment values, which would read an
    /// all-digit secret as a number or a value in brackets as an array; their own parsing,
    /// if any, is [`EnvValue::from_verbatim`].
    const VERBATIM: bool;

    /// Held as a secret: serialised as `***`, shown by no `Debug`.
    const SECRET: bool = false;

    /// The value of a text setting, or what is wrong with the text (to follow the variable's
    /// name); `None` for a setting figment parses.
    fn from_verbatim(_text: String) -> Option<Result<Self, String>> {
        None
    }
}

impl EnvValue for String {
    const VERBATIM: bool = true;
    fn from_verbatim(text: String) -> Option<Result<Self, String>> {
        Some(Ok(text))
    }
}

impl EnvValue for Option<String> {
    const VERBATIM: bool = true;
    fn from_verbatim(text: String) -> Option<Result<Self, String>> {
        Some(Ok(Some(text)))
    }
}

impl EnvValue for Option<SecretString> {
    const VERBATIM: bool = true;
    const SECRET: bool = true;
    fn from_verbatim(text: String) -> Option<Result<Self, String>> {
        Some(Ok(Some(text.into())))
    }
}

impl EnvValue for Option<ConnectionUrl> {
    const VERBATIM: bool = true;
    fn from_verbatim(text: String) -> Option<Result<Self, String>> {
        Some(Ok(Some(text.into())))
    }
}

impl EnvValue for PathBuf {
    const VERBATIM: bool = true;
    fn from_verbatim(text: String) -> Option<Result<Self, String>> {
        Some(Ok(PathBuf::from(text)))
    }
}

impl EnvValue for Option<PathBuf> {
    const VERBATIM: bool = true;
    fn from_verbatim(text: String) -> Option<Result<Self, String>> {
        Some(Ok(Some(PathBuf::from(text)).filter(|path| !path.as_os_str().is_empty())))
    }
}

/// Text parsed by the type's `FromStr`, whose error says what is wrong.
macro_rules! parsed_from_text {
    ($($ty:ty),+) => {
        $(impl EnvValue for $ty {
            const VERBATIM: bool = true;
            fn from_verbatim(text: String) -> Option<Result<Self, String>> {
                Some(text.parse())
            }
        })+
    };
}

parsed_from_text!(SmtpTls, LogFormat, SmsProvider, IpNets, CorsOrigins, DatabasePooler, AccessTokenAlgorithm, KeyFiles);

macro_rules! parsed_from_the_environment {
    ($($ty:ty),+) => {
        $(impl EnvValue for $ty {
            const VERBATIM: bool = false;
        })+
    };
}

// Durations are numbers in the unit their name ends with (`_secs`, `_ms`, `_days`); see `durations`.
parsed_from_the_environment!(bool, Option<bool>, u16, u32, u64, usize, SocketAddr, Duration, Option<Duration>);

/// Declares every setting once: its documentation, `#[serde]` attributes (the unit of a
/// duration, how a secret is written), field, type and default, and, where the default value
/// alone would mislead, what the configuration table shows instead.
/// Yields [`super::Config`] with its `Default`, [`super::SETTINGS`], and the setter
/// of text variables.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $(#[serde($($serde:tt)*)])*
        $key:ident: $ty:ty = $default:expr $(, shown $shown:literal)?;
    )+) => {
        /// Every setting of the service. Sources, later ones winning: these defaults,
        /// an optional TOML file (`--config FILE` or `ACCOUNTS_CONFIG`) whose keys are
        /// the field names, then environment variables named as the fields in upper case.
        /// Each is parsed into its type as it is read; secrets are shown by neither `Debug` nor
        /// serialisation.
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct Config {
            $($(#[doc = $doc])+ $(#[serde($($serde)*)])* pub $key: $ty,)+
        }

        impl Default for Config {
            fn default() -> Self {
                Self { $($key: $default,)+ }
            }
        }

        /// Every setting, in the order of the configuration table.
        pub const SETTINGS: &[Setting] = &[$(Setting {
            key: stringify!($key),
            doc: concat!($($doc, "\n"),+),
            shown_default: settings!(@shown $($shown)?),
            verbatim: <$ty as EnvValue>::VERBATIM,
            secret: <$ty as EnvValue>::SECRET,
        },)+];

        impl Config {
            /// Sets the text setting `key` from its variable's `value`; parsed settings are left to figment.
            fn set_verbatim(&mut self, key: &str, value: String) -> Result<(), String> {
                $(if key == stringify!($key) {
                    if let Some(value) = <$ty as EnvValue>::from_verbatim(value) {
                        self.$key = value?;
                    }
                    return Ok(());
                })+
                Ok(())
            }
        }
    };
    (@shown) => { None };
    (@shown $shown:literal) => { Some($shown) };
}

pub(crate) use settings;
