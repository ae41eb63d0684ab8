//! The account domain: entities and value objects that validate on construction.
//!
//! Nothing here performs I/O or depends on an async runtime; every type can be
//! built and checked in a plain unit test.

mod captcha;
mod code;
mod email;
mod local_path;
mod login_identifier;
mod mobile;
mod password;
pub mod personal_data;
mod profile;
mod user;
mod username;

pub use captcha::{CaptchaId, CaptchaIdError, CaptchaText, CaptchaTextError};
pub use code::{CodeError, EmailCode, SmsCode, VerificationCode};
pub use email::{Email, EmailError};
pub use local_path::LocalPath;
pub use login_identifier::LoginIdentifier;
pub use mobile::{Mobile, MobileError};
pub use password::{Password, PasswordError};
pub use profile::{ProfileChange, ProfileError};
pub use user::{Gender, NewUser, Profile, User, UserId};
pub use username::{Username, UsernameError};
