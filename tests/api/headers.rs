//! Security headers on pages and API answers: CSP without external hosts, no framing, nosniff, no-store.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use wangge::auth::Role;

#[tokio::test]
async fn security_headers_on_pages_and_api_answers() {
    let app = TestApp::new().await;
    app.account("viewer", Role::CountyViewer, Bind::Area(app.county_id)).await;
    let s = app.login("viewer", PASSWORD).await;
    for (path, who) in
        [("/", &s), ("/api/v1/areas", &s), ("/login", &Session::anon()), ("/api/v1/auth/me", &Session::anon())]
    {
        let r = app.call(Method::GET, path, who, None).await;
        assert!(r.status.is_success() || r.status == StatusCode::UNAUTHORIZED, "{path}: {}", r.status);
        let csp = r.header("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        for external in ["http:", "https:", "//", "*", "unsafe-inline", "unsafe-eval"] {
            assert!(!csp.contains(external), "{path}: CSP allows {external}: {csp}");
        }
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
    }
    let home = app.call(Method::GET, "/", &s, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.header("content-type").starts_with("text/html"));
    assert!(home.text().contains("演示县"), "the home page shows the caller's area");
    // Pages refer to no external host.
    for needle in ["http://", "https://", "cdn"] {
        assert!(!home.text().contains(needle), "home page mentions {needle}");
    }
}

#[tokio::test]
async fn the_browser_finds_a_favicon() {
    let app = TestApp::new().await;
    let r = app.call(Method::GET, "/favicon.ico", &Session::anon(), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/x-icon");
    assert_eq!(&r.body[..4], &[0, 0, 1, 0], "an ICO file");
}
