//! The configuration table of docs/configuration.md, written from the declared settings.

use serde_json::Value;

use super::{Config, SETTINGS};

/// The header of the table, by which the copy in docs/configuration.md is found.
pub const CONFIGURATION_TABLE_HEADER: &str = "| variable | default | meaning |";

/// The Markdown table of every setting: variable, default, meaning.
pub fn configuration_table() -> String {
    let defaults = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
    let mut table = format!("{CONFIGURATION_TABLE_HEADER}\n|---|---|---|\n");
    for setting in SETTINGS {
        let default = match setting.shown_default {
            Some(shown) => shown.to_owned(),
            None => shown_value(&defaults[setting.key]),
        };
        table.push_str(&format!("| `{}` | {default} | {} |\n", setting.variable(), setting.description()));
    }
    table
}

fn shown_value(value: &Value) -> String {
    match value {
        Value::Null => "unset".into(),
        Value::String(text) if text.is_empty() => "empty".into(),
        Value::String(text) => format!("`{text}`"),
        other => format!("`{other}`"),
    }
}
