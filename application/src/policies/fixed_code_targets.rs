//! Mobiles and mailboxes that get a fixed code and no message, so frontend
//! teams and load tests can register without a real phone or mailbox.

use domain::VerificationCode;

/// One `PATTERN=CODE` entry: an exact target, or a prefix ending in `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FixedCodeTarget {
    pattern: String,
    is_prefix: bool,
    code: VerificationCode,
}

/// The fixed-code targets of one channel; empty (off) by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixedCodeTargets {
    entries: Vec<FixedCodeTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixedCodeTargetsError {
    #[error("`{0}` is not PATTERN=CODE")]
    Entry(String),
    #[error("the code of `{0}` is not 6 digits")]
    Code(String),
    #[error("`{0}` has an empty pattern")]
    Pattern(String),
}

impl FixedCodeTargets {
    /// Parses comma-separated `PATTERN=CODE` entries (`1990000*=246810,13800138000=123456`).
    /// `normalise` brings each pattern to the stored form of its channel
    /// (a mobile's 11 digits, a lower-cased email) so lookups compare like with like.
    pub fn parse(raw: &str, normalise: impl Fn(&str) -> String) -> Result<Self, FixedCodeTargetsError> {
        let mut entries = Vec::new();
        for entry in raw.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let (pattern, code) =
                entry.split_once('=').ok_or_else(|| FixedCodeTargetsError::Entry(entry.to_owned()))?;
            let code =
                VerificationCode::parse(code.trim()).map_err(|_| FixedCodeTargetsError::Code(entry.to_owned()))?;
            let pattern = pattern.trim();
            let (stem, is_prefix) = match pattern.strip_suffix('*') {
                Some(stem) => (stem, true),
                None => (pattern, false),
            };
            if stem.is_empty() {
                return Err(FixedCodeTargetsError::Pattern(entry.to_owned()));
            }
            let pattern = if is_prefix { stem.trim().to_owned() } else { normalise(stem) };
            entries.push(FixedCodeTarget { pattern, is_prefix, code });
        }
        Ok(Self { entries })
    }

    /// The fixed code of `target` (already normalised), if it is a fixed-code target.
    pub fn code_for(&self, target: &str) -> Option<&VerificationCode> {
        self.entries
            .iter()
            .find(|entry| if entry.is_prefix { target.starts_with(&entry.pattern) } else { target == entry.pattern })
            .map(|entry| &entry.code)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<FixedCodeTargets, FixedCodeTargetsError> {
        FixedCodeTargets::parse(raw, str::to_lowercase)
    }

    #[test]
    fn exact_targets_and_prefixes_get_their_codes() {
        let targets = parse(" 1990000*=246810 , Tester@Example.com=135790").unwrap();
        assert_eq!(targets.code_for("19900001234").map(VerificationCode::expose), Some("246810"));
        assert_eq!(targets.code_for("tester@example.com").map(VerificationCode::expose), Some("135790"));
        assert_eq!(targets.code_for("19800001234"), None);
        assert_eq!(targets.code_for("tester@example.co"), None);
    }

    #[test]
    fn nothing_configured_means_no_fixed_code_targets() {
        let targets = parse("").unwrap();
        assert!(targets.is_empty());
        assert_eq!(targets.code_for("13800138000"), None);
    }

    #[test]
    fn malformed_entries_are_refused() {
        assert_eq!(parse("13800138000"), Err(FixedCodeTargetsError::Entry("13800138000".into())));
        assert_eq!(parse("13800138000=12345"), Err(FixedCodeTargetsError::Code("13800138000=12345".into())));
        assert_eq!(parse("*=123456"), Err(FixedCodeTargetsError::Pattern("*=123456".into())));
    }
}
