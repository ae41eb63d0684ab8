//! Durations as their settings are written: a number in the unit the name ends with
//! (`CODE_TTL_SECS=300`, `OUTBOX_POLL_MS=500`, `AUDIT_RETENTION_DAYS=180`), read into a
//! `Duration` with `#[serde(with = …)]`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// `*_SECS`: whole seconds.
pub mod seconds {
    use super::{Deserialize, Deserializer, Duration, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_secs)
    }
}

/// `*_MS`: whole milliseconds.
pub mod milliseconds {
    use super::{Deserialize, Deserializer, Duration, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

/// `*_RETENTION_DAYS`: whole days, `0` meaning kept for ever (`None`).
pub mod days_or_kept {
    use super::{DAY, Deserialize, Deserializer, Duration, Serializer};

    #[allow(clippy::ref_option, reason = "serde's serialize_with hands the field by reference")]
    pub fn serialize<S: Serializer>(value: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.map_or(0, |age| age.as_secs() / DAY.as_secs()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
        u32::deserialize(deserializer).map(|days| (days > 0).then(|| DAY * days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Written {
        #[serde(with = "seconds")]
        secs: Duration,
        #[serde(with = "milliseconds")]
        ms: Duration,
        #[serde(with = "days_or_kept")]
        days: Option<Duration>,
    }

    #[test]
    fn each_unit_reads_and_writes_the_number_as_written() {
        let read: Written = serde_json::from_str(r#"{"secs": 300, "ms": 1500, "days": 7}"#).unwrap();
        assert_eq!(read.secs, Duration::from_secs(300));
        assert_eq!(read.ms, Duration::from_millis(1500));
        assert_eq!(read.days, Some(Duration::from_secs(7 * 24 * 60 * 60)));
        assert_eq!(serde_json::to_string(&read).unwrap(), r#"{"secs":300,"ms":1500,"days":7}"#);
    }

    #[test]
    fn zero_days_keep_for_ever() {
        let read: Written = serde_json::from_str(r#"{"secs": 0, "ms": 0, "days": 0}"#).unwrap();
        assert_eq!(read.days, None);
        assert_eq!(serde_json::to_value(&read).unwrap()["days"], 0);
    }
}
