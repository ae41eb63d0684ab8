//! The short name of the device a request came from ("Chrome on Windows",
//! "WeChat mini-program"), shown to its owner in their sessions and sign-in
//! history. Made from the User-Agent, which is never stored itself: the name
//! is always one of a fixed vocabulary, so nothing a client writes in the
//! header reaches the page that shows it.

use std::sync::LazyLock;

use application::use_cases::UNKNOWN_DEVICE;
use woothee::parser::Parser;

static PARSER: LazyLock<Parser> = LazyLock::new(Parser::new);

/// Only this much of a User-Agent is looked at: real ones are a few hundred
/// bytes, and the parser's cost grows with the text.
const LOOKED_AT: usize = 512;

/// The device's name, or [`UNKNOWN_DEVICE`] when the header says nothing we know.
pub fn device_name(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.map(str::trim).filter(|agent| !agent.is_empty()) else {
        return UNKNOWN_DEVICE.to_owned();
    };
    let cut = (0..=LOOKED_AT.min(agent.len())).rev().find(|&at| agent.is_char_boundary(at)).unwrap_or(0);
    let agent = &agent[..cut];
    let parsed = PARSER.parse(agent);
    let os = operating_system(agent, parsed.as_ref().map(|parsed| parsed.os));
    // WeChat's own browser and its mini-programs say so beside the engine's name.
    if agent.contains("MicroMessenger") {
        if agent.to_ascii_lowercase().contains("miniprogram") {
            return "WeChat mini-program".to_owned();
        }
        return match os {
            Some(os) => format!("WeChat on {os}"),
            None => "WeChat".to_owned(),
        };
    }
    let browser = parsed.as_ref().and_then(|parsed| browser(parsed.name, parsed.category));
    match (browser, os) {
        (Some(browser), Some(os)) => format!("{browser} on {os}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(os)) => format!("Browser on {os}"),
        (None, None) => UNKNOWN_DEVICE.to_owned(),
    }
}

fn operating_system(agent: &str, parsed: Option<&str>) -> Option<&'static str> {
    if agent.contains("HarmonyOS") || agent.contains("OpenHarmony") {
        return Some("HarmonyOS");
    }
    match parsed? {
        windows if windows.starts_with("Windows") && windows != "Windows Phone OS" => Some("Windows"),
        "Mac OSX" => Some("macOS"),
        "iPhone" => Some("iPhone"),
        "iPad" => Some("iPad"),
        "iPod" | "iOS" => Some("iOS"),
        "Android" => Some("Android"),
        "ChromeOS" => Some("ChromeOS"),
        "Linux" => Some("Linux"),
        "BSD" => Some("BSD"),
        _ => None,
    }
}

fn browser(name: &str, category: &str) -> Option<&'static str> {
    match (name, category) {
        ("Chrome", _) => Some("Chrome"),
        ("Safari", _) => Some("Safari"),
        ("Firefox", _) => Some("Firefox"),
        ("Edge", _) => Some("Edge"),
        ("Opera", _) => Some("Opera"),
        ("Internet Explorer", _) => Some("Internet Explorer"),
        ("SamsungBrowser", _) => Some("Samsung Internet"),
        ("Vivaldi", _) => Some("Vivaldi"),
        ("Yandex Browser", _) => Some("Yandex Browser"),
        ("Webview", _) => Some("App"),
        ("HTTP Library", _) | (_, "crawler") => Some("Program"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(agent: &str) -> String {
        device_name(Some(agent))
    }

    #[test]
    fn desktop_browsers_are_named_with_their_system() {
        assert_eq!(
            named(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
            ),
            "Chrome on Windows"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
            ),
            "Safari on macOS"
        );
        assert_eq!(named("Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"), "Firefox on Linux");
        assert_eq!(
            named(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
            ),
            "Edge on Windows"
        );
    }

    #[test]
    fn phones_are_named_by_their_kind() {
        assert_eq!(
            named(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iPhone"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300"
            ),
            "Chrome on HarmonyOS"
        );
    }

    #[test]
    fn wechat_and_its_mini_programs_are_told_apart() {
        assert_eq!(
            named(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN miniProgram/wx1234567890abcdef"
            ),
            "WeChat mini-program"
        );
        assert_eq!(
            named(
                "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
            ),
            "WeChat on Android"
        );
    }

    #[test]
    fn programs_and_nonsense_get_a_plain_name_never_the_header() {
        assert_eq!(named("curl/8.5.0"), "Program");
        assert_eq!(device_name(None), UNKNOWN_DEVICE);
        assert_eq!(device_name(Some("  ")), UNKNOWN_DEVICE);
        assert_eq!(named("<script>alert(1)</script>"), UNKNOWN_DEVICE);
        let long = format!("Mozilla/5.0 (Windows NT 10.0) {}", "x".repeat(100_000));
        assert!(!named(&long).contains('x'));
    }

    #[test]
    fn a_long_header_cut_inside_a_character_is_still_read() {
        let agent = format!("{}é", "a".repeat(LOOKED_AT - 1));
        assert_eq!(named(&agent), UNKNOWN_DEVICE);
    }
}
