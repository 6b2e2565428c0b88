//! Per-request facts (request id, client address, user agent), cookies, and the CSRF token a request carried.

use axum::http::HeaderMap;

/// Stamped on every request by the middleware; read by the actor and the audit trail.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: String,
    pub user_agent: String,
}

impl Default for RequestMeta {
    fn default() -> Self {
        RequestMeta { request_id: "-".into(), ip: "unknown".into(), user_agent: String::new() }
    }
}

/// The CSRF token that came with an unsafe request (form field, query or header).
#[derive(Clone, Debug)]
pub struct CsrfSubmitted(pub String);

/// The value of one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site.
pub fn set_cookie(name: &str, value: &str, secure: bool) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{}", if secure { "; Secure" } else { "" })
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear_cookie(name: &str) -> String {
    format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; wangge_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "wangge_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
