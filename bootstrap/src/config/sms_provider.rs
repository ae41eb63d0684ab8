use std::fmt;
use std::str::FromStr;

use serde_with::{DeserializeFromStr, SerializeDisplay};

/// Where text messages go (`SMS_PROVIDER`); a real provider's settings are its `TENCENT_SMS_*`
/// variables, assembled by `Config::tencent_sms_settings`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub enum SmsProvider {
    /// The development adapter: logged, and shown at `/dev/outbox/` while that is on.
    #[default]
    Dev,
    /// Tencent Cloud SMS.
    Tencent,
}

impl SmsProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dev => "dev",
            Self::Tencent => "tencent",
        }
    }
}

impl FromStr for SmsProvider {
    /// What is wrong with the text, to follow the name of the setting.
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "" | "dev" => Ok(Self::Dev),
            "tencent" => Ok(Self::Tencent),
            "aliyun" => Err("must be dev or tencent: aliyun is not available yet".to_owned()),
            other => Err(format!("must be dev or tencent, not {other:?}")),
        }
    }
}

impl fmt::Display for SmsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
