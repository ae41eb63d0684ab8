//! The website logins through a provider's authorize page (QQ Connect, the
//! WeChat QR login): one flow, one
//! [`WebLoginProvider`](crate::ports::WebLoginProvider) per provider. QQ Connect's
//! client is one itself; the WeChat client serves the mini-program too, and lends
//! its website half through [`WeChatWebLogin`].

mod bind_subject;
mod wechat;

pub(crate) use bind_subject::{bind_subject, bound_openid};
pub use wechat::WeChatWebLogin;
