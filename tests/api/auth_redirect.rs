//! Where the sign-in form sends the browser (`next=`, same site only) and the pre-sign-in CSRF cookie.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use wangge::auth::Role;

/// Targets a browser turns into another host (or that are no path): each must land on `/`.
const HOSTILE: [&str; 18] = [
    "//evil.example/x",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%2F%2Fevil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/%252F/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\u{7f}/evil.example",
    "",
];

/// GET /login: the pre-sign-in CSRF token (cookie value) and the raw Set-Cookie header.
async fn login_page(app: &TestApp, next: &str) -> (String, String) {
    let q = serde_urlencoded::to_string([("next", next)]).unwrap();
    let r = app.call(Method::GET, &format!("/login?{q}"), &Session::anon(), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let set = r.header("set-cookie");
    let token = set.split(';').next().and_then(|kv| kv.strip_prefix("wangge_csrf=")).expect("csrf cookie").to_owned();
    (token, set)
}

async fn submit(app: &TestApp, csrf: &str, username: &str, next: &str) -> Resp {
    let body =
        serde_urlencoded::to_string([("username", username), ("password", PASSWORD), ("next", next), ("_csrf", csrf)])
            .unwrap();
    let req = app
        .request(Method::POST, "/login", &Session::anon())
        .header(header::COOKIE, format!("wangge_csrf={csrf}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn sign_in_with_a_hostile_next_lands_on_the_start_page() {
    let app = TestApp::new().await;
    app.account("redir", Role::CountyCenter, Bind::Area(app.county_id)).await;
    for next in HOSTILE {
        let (csrf, _) = login_page(&app, next).await;
        let r = submit(&app, &csrf, "redir", next).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.text());
        assert_eq!(r.header("location"), "/", "next={next:?}");
    }
    // A path of the site is followed, query and all.
    let (csrf, _) = login_page(&app, "/events?status=open&page=2").await;
    let r = submit(&app, &csrf, "redir", "/events?status=open&page=2").await;
    assert_eq!(r.header("location"), "/events?status=open&page=2");
}

#[tokio::test]
async fn the_login_page_never_echoes_a_hostile_next() {
    let app = TestApp::new().await;
    for next in ["//evil.example", "/%5Cevil.example", "/\t/evil.example"] {
        let q = serde_urlencoded::to_string([("next", next)]).unwrap();
        let r = app.call(Method::GET, &format!("/login?{q}"), &Session::anon(), None).await;
        assert!(!r.text().contains("evil.example"), "{next:?} must not reach the form");
    }
}

#[tokio::test]
async fn the_pre_sign_in_csrf_cookie_is_secure_behind_https() {
    let app = TestApp::with_config(|c| c.secure_cookies = true).await;
    let (_, set) = login_page(&app, "/").await;
    assert!(set.contains("; Secure"), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let plain = TestApp::new().await;
    let (_, set) = login_page(&plain, "/").await;
    assert!(!set.contains("Secure"), "plain HTTP keeps working: {set}");
}
