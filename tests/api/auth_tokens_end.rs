//! A password change or reset ends every way into the account: sessions and API tokens alike.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;
use wangge::auth::Role;

#[tokio::test]
async fn changing_ones_password_ends_the_access_tokens() {
    let app = TestApp::new().await;
    app.account("owner", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("owner", PASSWORD).await;
    let other = app.login("owner", PASSWORD).await;
    let (_, token) = app.token(&s, "数据对接", None).await;
    let bearer = Session::bearer(&token);
    assert_eq!(app.get(&bearer, "/api/v1/auth/me").await.0, StatusCode::OK, "the token works before");
    let body = json!({ "old_password": PASSWORD, "new_password": "Changed2026", "confirm_password": "Changed2026" });
    let (st, v) = app.post_json(&s, "/api/v1/auth/password", body).await;
    assert!(st.is_success(), "{st} {v}");
    let (st, v) = app.get(&bearer, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "the token must end with the old password: {v}");
    assert_eq!(v["message"], "访问令牌已被撤销");
    assert_eq!(app.get(&other, "/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED, "other sessions end");
    assert_eq!(app.get(&s, "/api/v1/auth/me").await.0, StatusCode::OK, "the session used stays");
    // The owner can issue a new one, and the page says what happened.
    let (_, fresh) = app.token(&s, "新令牌", None).await;
    assert_eq!(app.get(&Session::bearer(&fresh), "/api/v1/auth/me").await.0, StatusCode::OK);
    let r = app.call(axum::http::Method::GET, "/account?msg=password", &s, None).await;
    assert!(r.text().contains("访问令牌已全部作废"), "{}", r.text());
}

#[tokio::test]
async fn a_security_administrators_reset_ends_the_access_tokens() {
    let app = TestApp::new().await;
    let gw = app.account("holder", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let sec = app.demo_session("sec", Role::SecurityAdmin, Bind::Area(app.county_id)).await;
    let s = app.login("holder", PASSWORD).await;
    let (_, token) = app.token(&s, "脚本", None).await;
    let bearer = Session::bearer(&token);
    assert_eq!(app.get(&bearer, "/api/v1/auth/me").await.0, StatusCode::OK, "the token works before");
    let (st, v) = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/reset-password"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = app.get(&bearer, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["message"], "访问令牌已被撤销");
    assert_eq!(app.get(&s, "/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
}
