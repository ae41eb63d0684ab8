//! The subject of a bind token: which provider's identity it carries, so a
//! token from one provider's callback never binds at another's form.

use crate::ports::OAuthProvider;

pub(crate) fn bind_subject(provider: OAuthProvider, openid: &str) -> String {
    format!("{}:{openid}", provider.as_str())
}

/// The openid of a bind subject issued for `provider`; `None` for another provider's.
pub(crate) fn bound_openid(subject: &str, provider: OAuthProvider) -> Option<&str> {
    let (named, openid) = subject.split_once(':')?;
    (named == provider.as_str() && !openid.is_empty()).then_some(openid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_opens_only_for_its_own_provider() {
        let subject = bind_subject(OAuthProvider::WechatWeb, "o6_bmjrPTlm6_2sgVt7hMZOPfL2M");
        assert_eq!(subject, "wechat_web:o6_bmjrPTlm6_2sgVt7hMZOPfL2M");
        assert_eq!(bound_openid(&subject, OAuthProvider::WechatWeb), Some("o6_bmjrPTlm6_2sgVt7hMZOPfL2M"));
        assert_eq!(bound_openid(&subject, OAuthProvider::Qq), None);
        assert_eq!(bound_openid("OPENID", OAuthProvider::Qq), None);
        assert_eq!(bound_openid("qq:", OAuthProvider::Qq), None);
    }
}
