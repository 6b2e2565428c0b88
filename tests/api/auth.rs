//! Sign-in, throttling and lock, sessions and their timeouts, forced password change, TOTP, CSRF, bearer tokens.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use wangge::auth::Role;
use wangge::auth::totp::{base32_decode, code_at_step, step_of};
use wangge::clock::{DAY, HOUR, MINUTE, SECOND};

#[tokio::test]
async fn login_sets_httponly_samesite_cookie_and_returns_account() {
    let app = TestApp::new().await;
    let id = app.account("zhangsan", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let r = app.try_login("ZhangSan", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let set = r.header("set-cookie");
    assert!(set.starts_with("wangge_session="), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax") || set.contains("SameSite=Strict"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    let v = r.json();
    assert_eq!(v["account"]["id"], id);
    assert_eq!(v["account"]["username"], "zhangsan");
    assert_eq!(v["account"]["role"], "county_center");
    assert_eq!(v["account"]["area_id"], app.county_id);
    assert_eq!(v["account"]["must_change_password"], false);
    assert_eq!(v["csrf_token"].as_str().map(str::len), Some(64));
    // The cookie works.
    let s = session_of(&r);
    let (st, me) = app.get(&s, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["account"]["username"], "zhangsan");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::new().await;
    app.account("lisi", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let wrong = app.try_login("lisi", "Wrong12345", None).await;
    let unknown = app.try_login("nobody", "Wrong12345", None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.json(), json!({ "code": "unauthenticated", "message": "用户名或密码错误", "fields": {} }));
    assert!(wrong.header("set-cookie").is_empty());
}

/// Failures 1 and 2 answer at once; then each attempt must wait longer (1 s, 2 s, 4 s);
/// the 5th failure locks the name for 15 minutes, even for the right password.
async fn throttle_then_lock(app: &TestApp, username: &str, right_password: Option<&str>) {
    async fn wrong_for(app: &TestApp, username: &str) -> Resp {
        app.try_login(username, "Wrong12345", None).await
    }
    let wrong = |app| wrong_for(app, username);
    assert_eq!(wrong(app).await.status, StatusCode::UNAUTHORIZED, "failure 1");
    assert_eq!(wrong(app).await.status, StatusCode::UNAUTHORIZED, "failure 2 (no delay after the first)");
    let r = wrong(app).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "too soon after failure 2");
    assert_eq!(r.json()["code"], "too_many_requests");
    assert_eq!(r.json()["message"], "请 1 秒 后再试");
    app.clock.advance(SECOND);
    assert_eq!(wrong(app).await.status, StatusCode::UNAUTHORIZED, "failure 3");
    app.clock.advance(SECOND);
    let r = wrong(app).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "failure 3 needs 2 s");
    assert_eq!(r.json()["message"], "请 1 秒 后再试");
    app.clock.advance(SECOND);
    assert_eq!(wrong(app).await.status, StatusCode::UNAUTHORIZED, "failure 4");
    app.clock.advance(4 * SECOND);
    assert_eq!(wrong(app).await.status, StatusCode::UNAUTHORIZED, "failure 5");
    // Locked now, whatever the password.
    let attempt = right_password.unwrap_or("Wrong12345");
    let r = app.try_login(username, attempt, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let msg = r.json()["message"].as_str().unwrap_or("").to_owned();
    assert!(msg.starts_with("尝试次数过多"), "{msg}");
    assert!(msg.contains("15 分钟"), "{msg}");
    app.clock.advance(14 * MINUTE);
    let r = app.try_login(username, attempt, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "still locked after 14 minutes");
    assert!(r.json()["message"].as_str().unwrap_or("").contains("1 分钟"), "{}", r.text());
    app.clock.advance(MINUTE);
    let r = app.try_login(username, attempt, None).await;
    match right_password {
        Some(_) => assert_eq!(r.status, StatusCode::OK, "the lock ends after 15 minutes: {}", r.text()),
        None => assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the lock ends after 15 minutes: {}", r.text()),
    }
}

#[tokio::test]
async fn growing_delay_and_lock_for_an_existing_user() {
    let app = TestApp::new().await;
    app.account("wangwu", Role::CountyCenter, Bind::Area(app.county_id)).await;
    throttle_then_lock(&app, "wangwu", Some(PASSWORD)).await;
    // Each failure was audited.
    let failed = app.audit_rows("login_failed").await;
    assert_eq!(failed.iter().filter(|r| r.username == "wangwu").count(), 5);
}

#[tokio::test]
async fn growing_delay_and_lock_for_an_unknown_user_look_the_same() {
    let app = TestApp::new().await;
    throttle_then_lock(&app, "ghost", None).await;
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id() {
    let app = TestApp::new().await;
    app.account("zhaoliu", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let a = app.login("zhaoliu", PASSWORD).await;
    let b = app.login("zhaoliu", PASSWORD).await;
    assert_ne!(a.cookie, b.cookie);
    assert_ne!(a.csrf, b.csrf);
    // Signing in while sending an old cookie still answers a new one.
    let req = app
        .request(Method::POST, "/api/v1/auth/login", &a)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "username": "zhaoliu", "password": PASSWORD }).to_string()))
        .unwrap();
    let c = session_of(&app.send(req).await);
    assert_ne!(c.cookie, a.cookie);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    app.account("sunqi", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("sunqi", PASSWORD).await;
    let other = app.login("sunqi", PASSWORD).await;
    let r = app.call(Method::POST, "/api/v1/auth/logout", &s, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(r.header("set-cookie").contains("Max-Age=0"));
    // The old cookie, replayed, is refused.
    let (st, v) = app.get(&s, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["code"], "unauthenticated");
    // Another session of the same account lives on.
    assert_eq!(app.get(&other, "/api/v1/auth/me").await.0, StatusCode::OK);
    assert!(app.audit_rows("logout").await.iter().any(|r| r.username == "sunqi"));
}

#[tokio::test]
async fn idle_session_expires_after_30_minutes() {
    let app = TestApp::new().await;
    app.account("idle", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("idle", PASSWORD).await;
    // Activity keeps it alive.
    app.clock.advance(29 * MINUTE);
    assert_eq!(app.get(&s, "/api/v1/areas").await.0, StatusCode::OK);
    app.clock.advance(29 * MINUTE);
    assert_eq!(app.get(&s, "/api/v1/areas").await.0, StatusCode::OK);
    app.clock.advance(31 * MINUTE);
    let (st, v) = app.get(&s, "/api/v1/areas").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["message"], "登录已过期，请重新登录");
    // Gone for good: moving the clock back does not revive it.
    assert_eq!(app.get(&s, "/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn busy_session_ends_after_12_hours() {
    let app = TestApp::new().await;
    app.account("busy", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("busy", PASSWORD).await;
    let mut elapsed = 0;
    while elapsed + 20 * MINUTE < 12 * HOUR {
        app.clock.advance(20 * MINUTE);
        elapsed += 20 * MINUTE;
        assert_eq!(app.get(&s, "/api/v1/auth/me").await.0, StatusCode::OK, "alive after {} min", elapsed / MINUTE);
    }
    app.clock.advance(12 * HOUR - elapsed);
    let (st, v) = app.get(&s, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["message"], "登录已过期，请重新登录");
}

#[tokio::test]
async fn initial_password_must_be_changed_first() {
    let app = TestApp::new().await;
    app.insert_account("newbie", Role::CountyCenter, Bind::Area(app.county_id), true, false).await;
    let s = app.login("newbie", PASSWORD).await;
    assert_eq!(s.account["must_change_password"], true);
    let got = app.get(&s, "/api/v1/areas").await;
    assert_error(&got, StatusCode::FORBIDDEN, "password_change_required", None);
    let got = app.post_json(&s, "/api/v1/auth/tokens", json!({ "name": "x" })).await;
    assert_error(&got, StatusCode::FORBIDDEN, "password_change_required", None);
    // "Who am I" still answers, and says what is owed.
    let (st, me) = app.get(&s, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["account"]["must_change_password"], true);
    // A weak new password is refused, naming the field.
    let got =
        app.post_json(&s, "/api/v1/auth/password", json!({ "old_password": PASSWORD, "new_password": "short" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("new_password"));
    let got = app
        .post_json(&s, "/api/v1/auth/password", json!({ "old_password": "Nope12345", "new_password": "Better2026x" }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("old_password"));
    let (st, v) = app
        .post_json(&s, "/api/v1/auth/password", json!({ "old_password": PASSWORD, "new_password": "Better2026x" }))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, v) = app.get(&s, "/api/v1/areas").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1);
    assert_eq!(app.try_login("newbie", PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    let s2 = app.login("newbie", "Better2026x").await;
    assert_eq!(s2.account["must_change_password"], false);
}

/// A six-digit code valid at none of the steps around `now`.
fn wrong_code(key: &[u8], now: i64) -> String {
    let valid: Vec<String> = (-1..=1).map(|d| code_at_step(key, step_of(now) + d)).collect();
    ["000000", "111111", "222222", "333333"].into_iter().find(|c| !valid.iter().any(|v| v == c)).unwrap().to_owned()
}

#[tokio::test]
async fn administrators_must_set_up_totp_then_sign_in_with_it() {
    let app = TestApp::new().await;
    app.account("sec", Role::SecurityAdmin, Bind::Area(app.county_id)).await;
    app.account("aud", Role::AuditAdmin, Bind::Area(app.county_id)).await;
    app.account("sys", Role::SystemAdmin, Bind::Area(app.county_id)).await;
    for (name, path) in [("sec", "/api/v1/accounts"), ("aud", "/api/v1/audit"), ("sys", "/api/v1/areas")] {
        let s = app.login(name, PASSWORD).await;
        assert_eq!(s.account["needs_totp_setup"], true, "{name}");
        let got = app.get(&s, path).await;
        assert_error(&got, StatusCode::FORBIDDEN, "totp_setup_required", None);
    }

    let s = app.login("sys", PASSWORD).await;
    let (st, v) = app.post_json(&s, "/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(v["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/wangge:sys?secret="));
    let key = base32_decode(&secret).unwrap();
    assert_eq!(key.len(), 20);
    let got = app.post_json(&s, "/api/v1/auth/totp/confirm", json!({ "code": wrong_code(&key, app.now()) })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("code"));
    let code = code_at_step(&key, step_of(app.now()));
    let (st, v) = app.post_json(&s, "/api/v1/auth/totp/confirm", json!({ "code": code })).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(app.get(&s, "/api/v1/areas").await.0, StatusCode::OK, "the same session now works");

    // From now on the password alone is not enough.
    let r = app.try_login("sys", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["totp"].is_string());
    let r = app.try_login("sys", PASSWORD, Some(&wrong_code(&key, app.now()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["fields"]["totp"], "动态口令错误");
    // The code used at confirmation cannot be replayed; the next step's code works once.
    let r = app.try_login("sys", PASSWORD, Some(&code)).await;
    assert_ne!(r.status, StatusCode::OK, "a used code must not be accepted again");
    app.clock.advance(30 * SECOND);
    let next = code_at_step(&key, step_of(app.now()));
    let r = app.try_login("sys", PASSWORD, Some(&next)).await;
    let s2 = session_of(&r);
    assert_eq!(s2.account["totp_enabled"], true);
    assert_eq!(s2.account["needs_totp_setup"], false);
    assert_eq!(app.get(&s2, "/api/v1/areas").await.0, StatusCode::OK);
    app.clock.advance(2 * SECOND);
    let r = app.try_login("sys", PASSWORD, Some(&next)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "replayed code: {}", r.text());
}

#[tokio::test]
async fn unsafe_requests_over_a_cookie_need_the_csrf_token() {
    let app = TestApp::new().await;
    app.account("csrf", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("csrf", PASSWORD).await;
    let body = json!({ "parent_id": app.county_id, "kind": "town", "code": "510725101000", "name": "鹤山镇" });
    let got = app.post_json(&s.without_csrf(), "/api/v1/areas", body.clone()).await;
    assert_error(&got, StatusCode::FORBIDDEN, "csrf_failed", None);
    let got = app.post_json(&s.with_csrf(&"0".repeat(64)), "/api/v1/areas", body.clone()).await;
    assert_error(&got, StatusCode::FORBIDDEN, "csrf_failed", None);
    // Another session's token does not fit this one.
    let other = app.login("csrf", PASSWORD).await;
    let got = app.post_json(&s.with_csrf(other.csrf.as_deref().unwrap()), "/api/v1/areas", body.clone()).await;
    assert_error(&got, StatusCode::FORBIDDEN, "csrf_failed", None);
    let got = app
        .patch_json(
            &s.without_csrf(),
            &format!("/api/v1/areas/{}", app.county_id),
            json!({ "version": 1, "name": "改名县" }),
        )
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "csrf_failed", None);
    let got = app.delete(&s.without_csrf(), "/api/v1/auth/tokens/1").await;
    assert_error(&got, StatusCode::FORBIDDEN, "csrf_failed", None);
    let r = app.call(Method::POST, "/api/v1/auth/logout", &s.without_csrf(), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing was written; with the right token it works.
    assert_eq!(app.get(&s, "/api/v1/areas?kind=town").await.1["total"], 0);
    let (st, v) = app.post_json(&s, "/api/v1/areas", body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, c) = app.get(&s, &format!("/api/v1/areas/{}", app.county_id)).await;
    assert_eq!(c["name"], "演示县");
}

#[tokio::test]
async fn form_post_to_a_page_without_csrf_field_is_refused() {
    let app = TestApp::new().await;
    app.account("former", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("former", PASSWORD).await;
    let form = |csrf: Option<&str>| {
        let mut pairs =
            vec![("old_password", PASSWORD), ("new_password", "Changed2026"), ("confirm_password", "Changed2026")];
        if let Some(t) = csrf {
            pairs.push(("_csrf", t));
        }
        serde_urlencoded::to_string(pairs).unwrap()
    };
    let send = |body: String| {
        app.request(Method::POST, "/account/password", &s.without_csrf())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    // The sign-in form too needs its token (from the pre-session cookie).
    let login_form = serde_urlencoded::to_string([("username", "former"), ("password", PASSWORD)]).unwrap();
    let req = app
        .request(Method::POST, "/login", &Session::anon())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(login_form))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.header("set-cookie").is_empty(), "no session without the token");

    let r = app.send(send(form(None))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.header("content-type").starts_with("text/html"), "a page answers with a page");
    let r = app.send(send(form(Some("not-the-token")))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The password is unchanged.
    assert_eq!(app.try_login("former", "Changed2026", None).await.status, StatusCode::UNAUTHORIZED);
    // With the session's token the same form goes through.
    let r = app.send(send(form(s.csrf.as_deref()))).await;
    assert!(r.status.is_redirection() || r.status.is_success(), "{} {}", r.status, r.text());
    assert_eq!(app.try_login("former", "Changed2026", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bearer_tokens_are_created_listed_used_and_revoked() {
    let app = TestApp::new().await;
    app.account("api", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("api", PASSWORD).await;
    let (id, token) = app.token(&s, "数据对接", None).await;
    assert!(token.starts_with("wg_"));
    let bearer = Session::bearer(&token);
    let (st, me) = app.get(&bearer, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(me["account"]["username"], "api");
    // Bearer clients need no CSRF token.
    let (st, v) = app
        .post_json(
            &bearer,
            "/api/v1/areas",
            json!({ "parent_id": app.county_id, "kind": "town", "code": "510725101000", "name": "鹤山镇" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    // The list shows it without the secret.
    let r = app.call(Method::GET, "/api/v1/auth/tokens", &s, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["name"], "数据对接");
    assert_eq!(list["items"][0]["prefix"], &token[..9]);
    assert!(list["items"][0]["revoked_at"].is_null());
    assert!(!r.text().contains(&token), "the secret must not be listed");
    assert!(!r.text().contains(&wangge::auth::secret::sha256_hex(&token)), "nor its hash");
    // Another account cannot revoke it.
    app.account("other", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let o = app.login("other", PASSWORD).await;
    assert_eq!(app.delete(&o, &format!("/api/v1/auth/tokens/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&bearer, "/api/v1/auth/me").await.0, StatusCode::OK);
    // The owner revokes it.
    let (st, v) = app.delete(&s, &format!("/api/v1/auth/tokens/{id}")).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    let (st, v) = app.get(&bearer, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(v["message"], "访问令牌已被撤销");
    assert_eq!(app.get(&s, "/api/v1/auth/tokens").await.1["items"][0]["revoked_at"], app.now());
    // A made-up token is refused too.
    assert_eq!(app.get(&Session::bearer("wg_0000"), "/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bearer_tokens_expire() {
    let app = TestApp::new().await;
    app.account("shortlived", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("shortlived", PASSWORD).await;
    let got = app.post_json(&s, "/api/v1/auth/tokens", json!({ "name": "x", "expires_in_days": 366 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("expires_in_days"));
    let (_, token) = app.token(&s, "一天", Some(1)).await;
    let (_, long) = app.token(&s, "默认", None).await;
    let b = Session::bearer(&token);
    app.clock.advance(23 * HOUR);
    assert_eq!(app.get(&b, "/api/v1/areas").await.0, StatusCode::OK);
    app.clock.advance(DAY + HOUR);
    let (st, v) = app.get(&b, "/api/v1/areas").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["message"], "访问令牌已过期");
    // The default lifetime is 90 days.
    assert_eq!(app.get(&Session::bearer(&long), "/api/v1/areas").await.0, StatusCode::OK);
    app.clock.advance(88 * DAY);
    assert_eq!(app.get(&Session::bearer(&long), "/api/v1/areas").await.0, StatusCode::UNAUTHORIZED);
}

/// Signing out with a bearer token revokes that token.
#[tokio::test]
async fn logout_with_a_bearer_token_revokes_it() {
    let app = TestApp::new().await;
    app.account("tokenout", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let s = app.login("tokenout", PASSWORD).await;
    let (_, token) = app.token(&s, "脚本", None).await;
    let b = Session::bearer(&token);
    let r = app.call(Method::POST, "/api/v1/auth/logout", &b, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&b, "/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED, "the token must no longer work");
}
