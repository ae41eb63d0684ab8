use application::ports::{AuditEntry, BoundIdentity, SessionRecord};
use application::use_cases::{PersonalData, UNKNOWN_DEVICE};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A copy of every personal datum the service holds about the signed-in user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "exported_at": "2026-12-06T10:00:00Z",
    "account": {"id": 1, "username": "alice", "mobile": "13800138000", "email": "alice@example.com",
                "pending_email": null, "has_password": true, "date_joined": "2026-11-22T08:00:00Z",
                "last_login": "2026-12-06T09:30:00Z"},
    "profile": {"nickname": "小明", "avatar": null, "gender": "unknown", "birthday": null, "address": null, "signature": null},
    "bindings": [{"provider": "qq", "app_id": "101474184", "openid": "8A1B2C3D4E5F", "unionid": null, "bound_at": "2026-11-23T08:00:00Z"}],
    "sessions": [{"id": "0f8e2b6c4d3a4e1f9a7b5c3d2e1f0a9b", "created_at": "2026-12-01T08:00:00Z",
                  "last_used_at": "2026-12-06T09:30:00Z", "device": "Chrome on Windows", "ip": "203.0.113.9"}],
    "audit_events": [{"at": "2026-12-06T09:30:00Z", "event": "login_succeeded", "method": "password",
                      "device": "Chrome on Windows", "ip": "203.0.113.9"}]
}))]
pub struct PersonalDataResponse {
    pub exported_at: DateTime<Utc>,
    pub account: ExportedAccount,
    pub profile: ExportedProfile,
    /// Every QQ and WeChat identity bound to the account.
    pub bindings: Vec<ExportedBinding>,
    /// The signed-in sessions, with their full addresses.
    pub sessions: Vec<ExportedSession>,
    /// Everything audited about the account, newest first (at most 10 000 entries; kept as long as
    /// `AUDIT_RETENTION_DAYS`): sign-ins and refused sign-ins (with `method` and `device`), logouts, password and
    /// email changes, bindings.
    pub audit_events: Vec<ExportedAuditEvent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAccount {
    pub id: i64,
    pub username: String,
    pub mobile: Option<String>,
    /// The verified address.
    pub email: Option<String>,
    /// An address set and waiting for its verification link.
    pub pending_email: Option<String>,
    /// Whether a password is set (the hash itself is a secret of the service, not data about the person).
    pub has_password: bool,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedProfile {
    pub nickname: Option<String>,
    pub avatar: Option<String>,
    pub gender: String,
    pub birthday: Option<NaiveDate>,
    pub address: Option<String>,
    pub signature: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedBinding {
    /// `qq`, `wechat_mp` or `wechat_web`.
    pub provider: String,
    pub app_id: String,
    pub openid: String,
    pub unionid: Option<String>,
    pub bound_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedSession {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub device: String,
    pub ip: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAuditEvent {
    pub at: DateTime<Utc>,
    /// `login_succeeded`, `login_failed`, `login_locked`, `session_refreshed`, `logged_out`, `session_ended`,
    /// `sessions_revoked`, `password_changed`, `password_reset`, `email_changed`, `email_verified`, `oauth_bound`…
    pub event: String,
    /// For sign-ins: `password`, `sms`, `qq`, `wechat_web`, `wechat_mp` or `refresh`.
    pub method: Option<String>,
    pub device: Option<String>,
    pub ip: String,
}

impl PersonalDataResponse {
    pub fn new(data: PersonalData, exported_at: DateTime<Utc>) -> Self {
        let PersonalData { user, bindings, sessions, audit } = data;
        Self {
            exported_at,
            account: ExportedAccount {
                id: user.id.0,
                username: user.username,
                mobile: user.mobile.map(|mobile| mobile.to_string()),
                email: user.email.map(|email| email.to_string()),
                pending_email: user.pending_email.map(|email| email.to_string()),
                has_password: user.password_hash.is_some(),
                date_joined: user.date_joined,
                last_login: user.last_login,
            },
            profile: ExportedProfile {
                nickname: user.profile.nickname,
                avatar: user.profile.avatar,
                gender: user.profile.gender.as_str().to_owned(),
                birthday: user.profile.birthday,
                address: user.profile.address,
                signature: user.profile.signature,
            },
            bindings: bindings.into_iter().map(ExportedBinding::from).collect(),
            sessions: sessions.into_iter().map(ExportedSession::from).collect(),
            audit_events: audit.into_iter().map(ExportedAuditEvent::from).collect(),
        }
    }
}

impl From<BoundIdentity> for ExportedBinding {
    fn from(bound: BoundIdentity) -> Self {
        Self {
            provider: bound.key.provider.as_str().to_owned(),
            app_id: bound.key.app_id,
            openid: bound.key.openid,
            unionid: bound.unionid,
            bound_at: bound.bound_at,
        }
    }
}

impl From<SessionRecord> for ExportedSession {
    fn from(session: SessionRecord) -> Self {
        Self {
            id: session.id,
            created_at: session.created_at,
            last_used_at: session.last_used_at,
            device: session.device.unwrap_or_else(|| UNKNOWN_DEVICE.to_owned()),
            ip: session.ip.map(|ip| ip.to_string()),
        }
    }
}

impl From<AuditEntry> for ExportedAuditEvent {
    fn from(entry: AuditEntry) -> Self {
        Self {
            at: entry.at,
            event: entry.event.as_str().to_owned(),
            method: entry.method.map(|method| method.as_str().to_owned()),
            device: entry.device,
            ip: entry.ip.to_string(),
        }
    }
}
