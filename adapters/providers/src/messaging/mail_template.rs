use std::fmt;

use application::ports::{CodePurpose, MessageContent};

const SIGNATURE: &str = "美多商城";

/// The subject and the two bodies (plain text and HTML) of one mail.
#[derive(Clone, PartialEq, Eq)]
pub struct MailTemplate {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl MailTemplate {
    /// `code_valid_minutes` only tells the reader (from the configured code
    /// lifetime); the code store enforces it.
    pub fn for_content(content: &MessageContent, code_valid_minutes: u32) -> Self {
        match content {
            MessageContent::Code { purpose, code } => code_mail(*purpose, code.expose(), code_valid_minutes),
            MessageContent::EmailVerification { link } => verification_mail(link),
        }
    }
}

// The bodies hold a code or a link; a mail logged by mistake must not show them.
impl fmt::Debug for MailTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailTemplate").field("subject", &self.subject).finish_non_exhaustive()
    }
}

fn code_mail(purpose: CodePurpose, code: &str, valid_minutes: u32) -> MailTemplate {
    let (subject, doing, if_not_you) = match purpose {
        CodePurpose::Register => ("美多商城 注册验证码", "您正在注册美多商城账号", "请忽略本邮件。"),
        CodePurpose::ResetPassword => {
            ("美多商城 找回密码验证码", "您正在找回美多商城账号的密码", "请忽略本邮件，您的密码不会改变。")
        }
    };
    let validity =
        format!("验证码 {valid_minutes} 分钟内有效。请勿将验证码告诉他人，美多商城的工作人员不会向您索要验证码。");
    let text = format!(
        "您好！\n\n{doing}，验证码为：{code}\n\n{validity}\n如果这不是您本人的操作，{if_not_you}\n\n{SIGNATURE}\n"
    );
    let html = html_page(
        subject,
        &format!(
            "<p>您好！</p>\n<p>{doing}，验证码为：</p>\n\
             <p style=\"font-size:24px;font-weight:bold;letter-spacing:4px\">{code}</p>\n\
             <p>{validity}</p>\n<p>如果这不是您本人的操作，{if_not_you}</p>",
            doing = escape_html(doing),
            code = escape_html(code),
            validity = escape_html(&validity),
            if_not_you = escape_html(if_not_you),
        ),
    );
    MailTemplate { subject: subject.to_owned(), text, html }
}

fn verification_mail(link: &str) -> MailTemplate {
    let subject = "美多商城 邮箱验证";
    let intro = "感谢您使用美多商城。请打开下面的链接，验证您的邮箱：";
    let warning = "请勿将此链接转发给他人。如果这不是您本人的操作，请忽略本邮件。";
    let text = format!("您好！\n\n{intro}\n\n{link}\n\n{warning}\n\n{SIGNATURE}\n");
    let html = html_page(
        subject,
        &format!(
            "<p>您好！</p>\n<p>{intro}</p>\n<p><a href=\"{link}\">{link}</a></p>\n<p>{warning}</p>",
            intro = escape_html(intro),
            link = escape_html(link),
            warning = escape_html(warning),
        ),
    );
    MailTemplate { subject: subject.to_owned(), text, html }
}

fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n\
         <body>\n{body}\n<p>{signature}</p>\n</body>\n</html>\n",
        title = escape_html(title),
        signature = escape_html(SIGNATURE),
    )
}

/// Escapes text for an HTML element or a double- or single-quoted attribute.
fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use domain::VerificationCode;

    use super::*;

    fn code(purpose: CodePurpose) -> MessageContent {
        MessageContent::Code { purpose, code: VerificationCode::parse("024680").unwrap() }
    }

    #[test]
    fn register_code_mail() {
        let mail = MailTemplate::for_content(&code(CodePurpose::Register), 5);
        assert_eq!(mail.subject, "美多商城 注册验证码");
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("024680"), "{body}");
            assert!(body.contains("注册"), "{body}");
            assert!(body.contains("5 分钟内有效"), "{body}");
            assert!(body.contains("请勿将验证码告诉他人"), "{body}");
        }
        assert!(mail.html.starts_with("<!DOCTYPE html>"));
        assert!(!mail.text.contains('<'), "{}", mail.text);
    }

    #[test]
    fn reset_password_code_mail() {
        let mail = MailTemplate::for_content(&code(CodePurpose::ResetPassword), 10);
        assert_eq!(mail.subject, "美多商城 找回密码验证码");
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("024680"), "{body}");
            assert!(body.contains("找回"), "{body}");
            assert!(body.contains("10 分钟内有效"), "{body}");
            assert!(!body.contains("注册"), "{body}");
        }
    }

    #[test]
    fn verification_link_mail_links_the_escaped_address() {
        let link = "https://mall.example.com/emails/verification/?token=a.b&x=\"><script>";
        let mail = MailTemplate::for_content(&MessageContent::EmailVerification { link: link.into() }, 5);
        assert_eq!(mail.subject, "美多商城 邮箱验证");
        assert!(mail.text.contains(link), "{}", mail.text);
        let escaped = "https://mall.example.com/emails/verification/?token=a.b&amp;x=&quot;&gt;&lt;script&gt;";
        assert!(mail.html.contains(&format!("<a href=\"{escaped}\">{escaped}</a>")), "{}", mail.html);
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
    }

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            escape_html(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(escape_html("验证码 123"), "验证码 123");
    }

    #[test]
    fn debug_output_hides_the_bodies() {
        let debug = format!("{:?}", MailTemplate::for_content(&code(CodePurpose::Register), 5));
        assert!(!debug.contains("024680"), "{debug}");
    }
}
