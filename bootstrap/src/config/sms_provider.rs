use std::fmt;
use std::str::FromStr;

use serde_with::{DeserializeFromStr, SerializeDisplay};

/// Where text messages go (`SMS_PROVIDER`): the development adapter, or an ordered list of real
/// providers, the first one that can carry a message taking it. A real provider's settings are
/// its `TENCENT_SMS_*` or `ALIYUN_*` variables, assembled by `Config::tencent_sms_settings` and
/// `Config::aliyun_sms_settings`.
#[derive(Debug, Clone, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub struct SmsProvider {
    /// Empty for the development adapter; otherwise the real providers in order of preference.
    providers: Vec<RealSmsProvider>,
}

/// A provider that sends real text messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RealSmsProvider {
    /// Alibaba Cloud SMS (dysmsapi).
    Aliyun,
    /// Tencent Cloud SMS.
    Tencent,
}

impl RealSmsProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aliyun => "aliyun",
            Self::Tencent => "tencent",
        }
    }
}

impl SmsProvider {
    /// The development adapter: logged, and shown at `/dev/outbox/` while that is on.
    pub const DEV: Self = Self { providers: Vec::new() };

    /// One real provider.
    pub fn only(provider: RealSmsProvider) -> Self {
        Self { providers: vec![provider] }
    }

    /// Real providers, tried in this order; `None` when empty or naming one twice.
    pub fn in_order(providers: &[RealSmsProvider]) -> Option<Self> {
        let mut seen = Vec::new();
        for provider in providers {
            if seen.contains(provider) {
                return None;
            }
            seen.push(*provider);
        }
        (!seen.is_empty()).then_some(Self { providers: seen })
    }

    pub fn is_dev(&self) -> bool {
        self.providers.is_empty()
    }

    /// The real providers in order of preference; empty for the development adapter.
    pub fn providers(&self) -> &[RealSmsProvider] {
        &self.providers
    }

    pub fn uses(&self, provider: RealSmsProvider) -> bool {
        self.providers.contains(&provider)
    }
}

impl Default for SmsProvider {
    fn default() -> Self {
        Self::DEV
    }
}

impl FromStr for SmsProvider {
    /// What is wrong with the text, to follow the name of the setting.
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "must be dev, or aliyun and/or tencent in order of preference (e.g. aliyun,tencent)";
        let text = text.trim();
        if text.is_empty() || text == "dev" {
            return Ok(Self::DEV);
        }
        let mut providers = Vec::new();
        for name in text.split(',').map(str::trim) {
            let provider = match name {
                "aliyun" => RealSmsProvider::Aliyun,
                "tencent" => RealSmsProvider::Tencent,
                "dev" => return Err(format!("{EXPECTED}, not {text:?}: dev cannot be combined with a real provider")),
                other => return Err(format!("{EXPECTED}, not {text:?}: {other:?} is unknown")),
            };
            if providers.contains(&provider) {
                return Err(format!("{EXPECTED}, not {text:?}: {name} is named twice"));
            }
            providers.push(provider);
        }
        Ok(Self { providers })
    }
}

impl fmt::Display for SmsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_dev() {
            return f.write_str("dev");
        }
        let names: Vec<&str> = self.providers.iter().map(|p| p.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dev_one_provider_or_an_ordered_list() {
        assert_eq!("".parse(), Ok(SmsProvider::DEV));
        assert_eq!("dev".parse(), Ok(SmsProvider::DEV));
        assert_eq!("aliyun".parse(), Ok(SmsProvider::only(RealSmsProvider::Aliyun)));
        let both: SmsProvider = " aliyun , tencent ".parse().unwrap();
        assert_eq!(both.providers(), [RealSmsProvider::Aliyun, RealSmsProvider::Tencent]);
        assert_eq!(both.to_string(), "aliyun,tencent");
        let reversed: SmsProvider = "tencent,aliyun".parse().unwrap();
        assert_eq!(reversed.providers(), [RealSmsProvider::Tencent, RealSmsProvider::Aliyun]);
    }

    #[test]
    fn refuses_unknown_repeated_or_mixed_names() {
        for (text, why) in [
            ("twilio", "\"twilio\""),
            ("aliyun,aliyun", "named twice"),
            ("dev,tencent", "dev cannot be combined"),
            ("aliyun,", "\"\""),
        ] {
            let error = text.parse::<SmsProvider>().unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }
}
