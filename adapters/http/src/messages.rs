//! Every human-readable message of the API, in Chinese and English.

use application::{AuthFailure, Field, Problem};
use domain::{
    CaptchaIdError, CaptchaTextError, CodeError, EmailError, MobileError, PasswordError, ProfileError, UsernameError,
};

use super::language::Language;

fn pick(language: Language, zh: &str, en: &str) -> String {
    match language {
        Language::Chinese => zh.to_owned(),
        Language::English => en.to_owned(),
    }
}

/// The message for one field error.
pub fn problem(field: Field, problem: Problem, language: Language) -> String {
    let l = language;
    match problem {
        Problem::Username(e) => match e {
            UsernameError::Empty => pick(l, "请输入用户名", "Username is required"),
            UsernameError::Length => pick(l, "仅允许5-20个字符的用户名", "Username must be 5 to 20 characters long"),
            UsernameError::Charset => pick(
                l,
                "用户名只能包含字母、数字、下划线和连字符",
                "Username may only contain letters, digits, '_' and '-'",
            ),
            UsernameError::AllDigits => pick(l, "用户名不能是纯数字", "Username must not be all digits"),
        },
        Problem::Mobile(e) => match e {
            MobileError::Empty => pick(l, "请输入手机号", "Mobile number is required"),
            MobileError::Format => pick(l, "手机号格式错误", "Not a mainland China mobile number"),
        },
        Problem::Email(e) => match e {
            EmailError::Empty => pick(l, "请输入邮箱", "Email is required"),
            EmailError::Format => pick(l, "邮箱格式错误", "Not a valid email address"),
        },
        Problem::Password(e) => match e {
            PasswordError::Empty => pick(l, "请输入密码", "Password is required"),
            PasswordError::Length => pick(l, "仅允许8-20个字符的密码", "Password must be 8 to 20 characters long"),
        },
        Problem::CodeFormat(e) => match e {
            CodeError::Empty => pick(l, "请输入验证码", "Verification code is required"),
            CodeError::Format => pick(l, "验证码为6位数字", "The verification code is 6 digits"),
        },
        Problem::CaptchaId(e) => match e {
            CaptchaIdError::Empty => pick(l, "缺少图片验证码编号", "image_code_id is required"),
            CaptchaIdError::Format => pick(l, "图片验证码编号无效", "image_code_id must be a UUID"),
        },
        Problem::CaptchaText(e) => match e {
            CaptchaTextError::Empty => pick(l, "请输入图片验证码", "Captcha text is required"),
            CaptchaTextError::Format => pick(l, "图片验证码为4位字母或数字", "The captcha is 4 letters or digits"),
        },
        Problem::Profile(e) => match e {
            ProfileError::NicknameLength => pick(l, "昵称最多20个字符", "Nickname must be at most 20 characters"),
            ProfileError::AvatarUrl => pick(l, "头像必须是 http(s) 链接", "Avatar must be an http(s) URL"),
            ProfileError::Gender => {
                pick(l, "性别只能是 male、female 或 unknown", "Gender must be male, female or unknown")
            }
            ProfileError::BirthdayFormat => pick(l, "生日格式应为 YYYY-MM-DD", "Birthday must be a date YYYY-MM-DD"),
            ProfileError::BirthdayRange => {
                pick(l, "生日须在1900-01-01与今天之间", "Birthday must lie between 1900-01-01 and today")
            }
            ProfileError::AddressLength => pick(l, "地址最多200个字符", "Address must be at most 200 characters"),
            ProfileError::SignatureLength => pick(l, "签名最多200个字符", "Signature must be at most 200 characters"),
            ProfileError::ControlCharacter => pick(l, "不能包含控制字符", "Must not contain control characters"),
        },
        Problem::Required => pick(l, "该字段是必填项。", "This field is required."),
        Problem::PasswordsDiffer => pick(l, "两次密码不一致", "The two passwords do not match"),
        Problem::AgreementRequired => pick(l, "请勾选用户协议", "Please accept the user agreement"),
        Problem::CaptchaWrong => pick(l, "图片验证码错误或已过期", "Wrong or expired captcha"),
        Problem::CodeWrong { attempts_left } => match l {
            Language::Chinese => format!("验证码错误，还可尝试{attempts_left}次"),
            Language::English => format!("Wrong verification code; {attempts_left} tries left"),
        },
        Problem::CodeExpired => pick(l, "验证码已过期或未发送", "The verification code has expired or was not sent"),
        Problem::CodeExhausted => {
            pick(l, "验证码错误次数过多，请重新获取", "Too many wrong tries; request a new verification code")
        }
        Problem::WrongPassword => pick(l, "原密码错误", "The current password is wrong"),
        Problem::StepTokenInvalid => {
            pick(l, "无效的access_token，请重新开始", "Invalid or expired access_token; start again")
        }
        Problem::LinkInvalid => pick(l, "无效的激活链接", "Invalid or expired verification link"),
        Problem::AccountPasswordWrong => pick(l, "密码错误", "Wrong password"),
        Problem::StateInvalid => {
            pick(l, "登录请求无效或已过期，请重新登录", "Invalid or expired login request; start again")
        }
        Problem::OAuthCodeInvalid => {
            pick(l, "授权码无效或已使用，请重新登录", "The authorization code is invalid or used; log in again")
        }
        Problem::AlreadyBound => pick(l, "该账号已绑定", "This identity is already bound to an account"),
        Problem::LastWayToLogIn => pick(
            l,
            "这是账号唯一的登录方式，请先设置密码或绑定其他账号",
            "This is the account's last way to log in; set a password or bind another login first",
        ),
        Problem::NoMobile => pick(l, "该账号未绑定手机号", "This account has no mobile number"),
        Problem::OutOfRange { min, max } => out_of_range(min, max, l),
        Problem::RecentSignInRequired => {
            pick(l, "请重新登录，并在5分钟内确认", "Sign in again and confirm within 5 minutes")
        }
        Problem::Choice => match field {
            Field::SendType => {
                pick(l, "send_type 只能是 register 或 resetpwd", "send_type must be register or resetpwd")
            }
            _ => pick(l, "无效的选项", "Not one of the accepted values"),
        },
        Problem::Taken => match field {
            Field::Username => pick(l, "用户名已存在", "This username is taken"),
            Field::Mobile => pick(l, "手机号已被注册", "This mobile number is already registered"),
            Field::Email => pick(l, "邮箱已被注册", "This email is already registered"),
            _ => pick(l, "已被占用", "Already taken"),
        },
    }
}

fn out_of_range(min: u32, max: u32, l: Language) -> String {
    match l {
        Language::Chinese => format!("须为{min}到{max}之间的整数"),
        Language::English => format!("Must be a whole number from {min} to {max}"),
    }
}

pub fn invalid_credentials(l: Language) -> String {
    pick(l, "用户名或密码错误", "Wrong username or password")
}

pub fn rate_limited(retry_after_secs: u64, l: Language) -> String {
    match l {
        Language::Chinese => format!("操作过于频繁，请{retry_after_secs}秒后再试"),
        Language::English => format!("Too many requests; try again in {retry_after_secs} s"),
    }
}

pub fn unauthenticated(failure: AuthFailure, l: Language) -> String {
    match failure {
        AuthFailure::Missing => pick(l, "身份认证信息未提供。", "Authentication credentials were not provided."),
        AuthFailure::Invalid => pick(l, "无效的令牌", "Invalid token"),
        AuthFailure::Expired => pick(l, "令牌已过期", "Token has expired"),
        AuthFailure::Revoked => pick(l, "令牌已失效，请重新登录", "Token has been revoked; log in again"),
    }
}

pub fn not_found(l: Language) -> String {
    pick(l, "未找到。", "Not found.")
}

pub fn method_not_allowed(l: Language) -> String {
    pick(l, "不支持该请求方法", "Method not allowed")
}

pub fn unavailable(l: Language) -> String {
    pick(l, "服务暂时不可用，请稍后再试", "Service temporarily unavailable; try again later")
}

pub fn internal(l: Language) -> String {
    pick(l, "服务器内部错误", "Internal server error")
}

pub fn malformed_body(l: Language) -> String {
    pick(l, "请求体格式错误", "Malformed request body")
}

pub fn payload_too_large(l: Language) -> String {
    pick(l, "请求体过大", "Request body too large")
}

pub fn unsupported_media_type(l: Language) -> String {
    pick(
        l,
        "仅支持 application/json 和 application/x-www-form-urlencoded 请求体",
        "Only application/json and application/x-www-form-urlencoded bodies are accepted",
    )
}

pub fn upstream(provider: &str, l: Language) -> String {
    let name = match provider {
        "qq" => "QQ",
        "wechat" => "微信",
        other => other,
    };
    match l {
        Language::Chinese => format!("{name}服务暂时不可用，请稍后再试"),
        Language::English => format!("{name} did not answer as expected; try again later"),
    }
}

pub fn forbidden(l: Language) -> String {
    pick(l, "您没有执行该操作的权限。", "You do not have permission to perform this action.")
}
