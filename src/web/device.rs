//! Whether a request comes from a phone, for the one place that cares: where a grid worker lands
//! after signing in (the field app on a phone, the desktop home elsewhere).
//!
//! The rule: a phone is a narrow window or a mobile browser, either one. The sign-in form carries
//! the width of the window in CSS pixels (`viewport`, filled by `static/app.js`); at most
//! `PHONE_MAX_WIDTH` is a phone (an upright phone, or a desktop window made as narrow). And the
//! browser's own word counts (a phone held sideways, or scripts off): the client hint
//! `Sec-CH-UA-Mobile: ?1`, or `Mobi` in the user agent (what Chrome, Firefox and Safari send on
//! phones, and not on tablets).

use axum::http::{HeaderMap, header};

/// The widest window (CSS px) taken for a phone: phones held upright are 320–430, tablets 600+.
pub const PHONE_MAX_WIDTH: u32 = 600;

/// Whether the request looks like a phone; `viewport` is the window width the sign-in form sent.
pub fn is_phone(headers: &HeaderMap, viewport: Option<&str>) -> bool {
    if viewport.and_then(|v| v.trim().parse::<u32>().ok()).is_some_and(|w| w > 0 && w <= PHONE_MAX_WIDTH) {
        return true;
    }
    let hint = headers.get("sec-ch-ua-mobile").and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() == "?1");
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    hint || ua.contains("Mobi")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ua(s: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::USER_AGENT, s.parse().expect("header"));
        h
    }

    #[test]
    fn a_narrow_window_or_a_mobile_browser_is_a_phone() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
        let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";
        let ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1";
        assert!(is_phone(&ua(desktop), Some("390")), "a narrow window");
        assert!(is_phone(&ua(android), Some("915")), "a phone held sideways");
        assert!(!is_phone(&ua(desktop), Some("1440")) && !is_phone(&ua(ipad), Some("820")));
        assert!(is_phone(&ua(android), None) && is_phone(&ua(android), Some("")));
        assert!(!is_phone(&ua(desktop), None) && !is_phone(&ua(ipad), None));
        let mut h = ua(desktop);
        h.insert("sec-ch-ua-mobile", "?1".parse().expect("header"));
        assert!(is_phone(&h, Some("x")));
    }
}
