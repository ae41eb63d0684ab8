//! The rules the server enforces on each request field, written into the
//! document from the domain's own constants (`Username::PATTERN`,
//! `Password::MIN_LEN`, …) so a client that validates with the document never
//! sends what the server refuses for its shape, and the two cannot drift.
//! Fields are matched by name across every operation (a mobile is a mobile
//! everywhere), with the few exceptions named per schema.

use domain::{CaptchaId, CaptchaText, Email, Mobile, Password, Username, VerificationCode};
use serde_json::{Map, Value, json};

fn username() -> Value {
    json!({"type": "string", "pattern": Username::PATTERN, "minLength": Username::MIN_LEN, "maxLength": Username::MAX_LEN})
}

fn mobile() -> Value {
    json!({"type": "string", "pattern": Mobile::PATTERN})
}

fn email() -> Value {
    json!({"type": "string", "pattern": Email::PATTERN, "maxLength": Email::MAX_LEN})
}

fn password() -> Value {
    json!({"type": "string", "minLength": Password::MIN_LEN, "maxLength": Password::MAX_LEN})
}

fn code() -> Value {
    json!({"type": "string", "pattern": VerificationCode::PATTERN})
}

/// Text the profile keeps: no control characters, at most `max` characters; `""` clears it. (JSON bodies may
/// also send `null` to clear; the document says `""` because a form has no null.)
fn profile_text(max: usize) -> Value {
    json!({"type": "string", "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$", "maxLength": max})
}

/// The rule of a field named `name`, in the schema `schema` (a component's name, or `None` for parameters).
fn rule(schema: Option<&str>, name: &str) -> Option<Value> {
    Some(match (schema, name) {
        // Log in with a username, a mobile or an email: anything non-empty names an account or nobody.
        (Some("LoginRequest"), "username") => json!({"type": "string", "minLength": 1, "maxLength": 254}),
        // A login password is compared, not judged: the old rules may differ from today's.
        (Some("LoginRequest" | "AccountDeletionRequest"), "password")
        | (Some("ChangePasswordRequest"), "old_password") => {
            json!({"type": "string", "minLength": 1, "maxLength": 128})
        }
        (Some("ProfilePatchRequest"), "nickname") => profile_text(domain::ProfileChange::NICKNAME_MAX),
        (Some("ProfilePatchRequest"), "address" | "signature") => profile_text(domain::ProfileChange::TEXT_MAX),
        (Some("ProfilePatchRequest"), "avatar") => json!({
            "type": "string", "maxLength": domain::ProfileChange::AVATAR_MAX,
            "pattern": "^(https?://[^\\s/?#\\u0000-\\u001f\\u007f-\\u009f]+[^\\s\\u0000-\\u001f\\u007f-\\u009f]*)?$"
        }),
        (Some("ProfilePatchRequest"), "gender") => {
            json!({"type": "string", "enum": ["male", "female", "unknown", ""]})
        }
        // YYYY-MM-DD from 1900 to 2025 (the server takes any date up to today, which no pattern can say).
        (Some("ProfilePatchRequest"), "birthday") => json!({
            "type": "string",
            "pattern": "^((19[0-9]{2}|20[01][0-9]|202[0-5])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$"
        }),
        #[allow(clippy::match_same_arms, reason = "each schema's fields stay together; the profile's row is above")]
        (Some("MiniProgramLoginRequest"), "nickname") => profile_text(domain::ProfileChange::NICKNAME_MAX),
        (Some("MiniProgramLoginRequest"), "avatar") => {
            json!({"type": "string", "maxLength": domain::ProfileChange::AVATAR_MAX})
        }
        (_, "username") => username(),
        (_, "mobile") => mobile(),
        (_, "email") => email(),
        (_, "password" | "password2") => password(),
        (_, "sms_code" | "email_code") => code(),
        (_, "uuid" | "image_code_id") => json!({"type": "string", "format": "uuid", "pattern": CaptchaId::PATTERN}),
        (_, "text") => json!({"type": "string", "pattern": CaptchaText::PATTERN}),
        (_, "refresh_token") => json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
        (_, "access_token" | "token" | "code" | "state") => {
            json!({"type": "string", "minLength": 1, "maxLength": 4096})
        }
        (_, "allow") => json!({"enum": [true, "true"]}),
        (_, "send_type") => json!({"type": "string", "enum": ["register", "resetpwd"], "default": "register"}),
        (_, "provider") => json!({"type": "string", "enum": ["qq", "wechat_mp", "wechat_web"]}),
        (None, "account") => json!({"anyOf": [username(), mobile(), email()]}),
        (None, "id") => json!({"type": "integer", "format": "int64", "minimum": 1}),
        // A refresh-token family's id: 32 hex digits; anything else is simply no session of the user's (404).
        (None, "session_id") => json!({"type": "string", "minLength": 1, "maxLength": 64}),
        (None, "limit") => json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
        _ => return None,
    })
}

/// Fields a request must carry; `anyOf` alternatives where one of two pairs will do.
fn required(schema: &str) -> Option<Value> {
    Some(match schema {
        "RegisterRequest" => json!({
            "required": ["username", "password", "password2", "allow"],
            "anyOf": [
                {"required": ["mobile", "sms_code"]},
                {"required": ["email", "email_code"], "properties": {"mobile": false}}
            ]
        }),
        "LoginRequest" => json!({"required": ["username", "password"]}),
        "SmsLoginRequest" => json!({"required": ["mobile", "sms_code"]}),
        "RefreshRequest" => json!({"required": ["refresh_token"]}),
        "ChangePasswordRequest" => json!({"required": ["old_password", "password", "password2"]}),
        "ResetPasswordBody" => json!({"required": ["password", "password2", "access_token"]}),
        "SetEmailBody" => json!({"required": ["email"]}),
        "OAuthBindRequest" => json!({"required": ["mobile", "password", "sms_code", "access_token"]}),
        "MiniProgramLoginRequest" | "MiniProgramPhoneRequest" => json!({"required": ["code"]}),
        _ => return None,
    })
}

/// Query parameters the server needs (path parameters always are).
const REQUIRED_QUERY: [&str; 5] = ["image_code_id", "text", "token", "access_token", "code"];

/// `rule` over `current`, keeping the description and the example.
fn apply(current: &mut Value, rule: Value) {
    let kept: Map<String, Value> = ["description", "example", "examples"]
        .iter()
        .filter_map(|key| current.get(*key).map(|v| ((*key).to_owned(), v.clone())))
        .collect();
    *current = rule;
    if let Some(object) = current.as_object_mut() {
        object.extend(kept);
    }
}

/// Writes every field's rule into `doc` (the document as JSON).
pub fn write_rules(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            if !name.ends_with("Request") && !name.ends_with("Body") || name == "ErrorBody" {
                continue;
            }
            if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                for (field, property) in properties.iter_mut() {
                    if let Some(rule) = rule(Some(name), field) {
                        apply(property, rule);
                    }
                }
            }
            if let (Some(extra), Some(object)) = (required(name), schema.as_object_mut()) {
                object.extend(extra.as_object().cloned().unwrap_or_default());
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut() {
                let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
                for parameter in parameters.iter_mut() {
                    let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                    if let Some(rule) = rule(None, &name) {
                        apply(&mut parameter["schema"], rule);
                    }
                    if parameter["in"] == "query" && REQUIRED_QUERY.contains(&name.as_str()) {
                        parameter["required"] = Value::Bool(true);
                    }
                }
            }
        }
    }
}
