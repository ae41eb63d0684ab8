use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde_with::{DeserializeFromStr, SerializeDisplay};

use super::split_list;

/// Comma-separated files (`JWT_VERIFY_KEY_FILES`): the public keys of earlier access-token keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, DeserializeFromStr, SerializeDisplay)]
pub struct KeyFiles(Vec<PathBuf>);

impl KeyFiles {
    pub fn paths(&self) -> &[PathBuf] {
        &self.0
    }
}

impl FromStr for KeyFiles {
    /// What is wrong with the list, to follow the name of the setting.
    type Err = String;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        Ok(Self(split_list(list).map(PathBuf::from).collect()))
    }
}

impl fmt::Display for KeyFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, path) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}", path.display())?;
        }
        Ok(())
    }
}
