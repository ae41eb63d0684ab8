//! The words of the HTTP contract (`API.md`) for the application's own terms:
//! the key each request field's messages are listed under, and the `code` of
//! each problem. Only the HTTP adapter speaks them.

use application::{Field, Problem};

/// The key under which the error body lists this field's messages.
pub(crate) fn field_key(field: Field) -> &'static str {
    match field {
        Field::Username => "username",
        Field::Password => "password",
        Field::Password2 => "password2",
        Field::Mobile => "mobile",
        Field::Email => "email",
        Field::SmsCode => "sms_code",
        Field::EmailCode => "email_code",
        Field::Allow => "allow",
        Field::ImageCodeId => "image_code_id",
        Field::ImageCodeText => "text",
        Field::RefreshToken => "refresh_token",
        Field::OldPassword => "old_password",
        Field::Nickname => "nickname",
        Field::Avatar => "avatar",
        Field::Gender => "gender",
        Field::Birthday => "birthday",
        Field::Address => "address",
        Field::Signature => "signature",
        Field::AccessToken => "access_token",
        Field::Token => "token",
        Field::SendType => "send_type",
        Field::State => "state",
        Field::Limit => "limit",
        Field::NonField => "non_field_errors",
    }
}

/// Stable machine-readable identifier of a problem, the `code` of the error body.
pub(crate) fn problem_code(problem: Problem) -> &'static str {
    match problem {
        Problem::Username(_) => "invalid_username",
        Problem::Mobile(_) => "invalid_mobile",
        Problem::Email(_) => "invalid_email",
        Problem::Password(_) => "invalid_password",
        Problem::CodeFormat(_) => "invalid_code",
        Problem::CaptchaId(_) | Problem::CaptchaText(_) => "invalid_captcha",
        Problem::Profile(_) => "invalid_profile",
        Problem::Required => "required",
        Problem::PasswordsDiffer => "password_mismatch",
        Problem::AgreementRequired => "agreement_required",
        Problem::CaptchaWrong => "captcha_wrong",
        Problem::CodeWrong { .. } => "code_wrong",
        Problem::CodeExpired => "code_expired",
        Problem::CodeExhausted => "code_exhausted",
        Problem::Taken => "already_taken",
        Problem::WrongPassword | Problem::AccountPasswordWrong => "wrong_password",
        Problem::StepTokenInvalid => "invalid_access_token",
        Problem::LinkInvalid => "invalid_link",
        Problem::NoMobile => "no_mobile",
        Problem::Choice => "invalid_choice",
        Problem::StateInvalid => "invalid_state",
        Problem::OAuthCodeInvalid => "invalid_oauth_code",
        Problem::AlreadyBound => "already_bound",
        Problem::LastWayToLogIn => "last_login_method",
        Problem::OutOfRange { .. } => "out_of_range",
        Problem::RecentSignInRequired => "recent_sign_in_required",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn no_two_fields_share_a_key() {
        let fields = [
            Field::Username,
            Field::Password,
            Field::Password2,
            Field::Mobile,
            Field::Email,
            Field::SmsCode,
            Field::EmailCode,
            Field::Allow,
            Field::ImageCodeId,
            Field::ImageCodeText,
            Field::RefreshToken,
            Field::OldPassword,
            Field::Nickname,
            Field::Avatar,
            Field::Gender,
            Field::Birthday,
            Field::Address,
            Field::Signature,
            Field::AccessToken,
            Field::Token,
            Field::SendType,
            Field::State,
            Field::Limit,
            Field::NonField,
        ];
        let keys: HashSet<&str> = fields.into_iter().map(field_key).collect();
        assert_eq!(keys.len(), fields.len());
    }
}
