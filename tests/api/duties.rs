//! 三员分立: no single administrator obtains a working sign-in to a business account.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge::auth::Role;
use wangge::clock::HOUR;

async fn setup(app: &TestApp, username: &str, code: &str, new_password: &str) -> (StatusCode, Value) {
    let body = json!({ "username": username, "setup_code": code, "new_password": new_password, "confirm_password": new_password });
    app.post_json(&Session::anon(), "/api/v1/auth/setup", body).await
}

/// The system administrator creates a grid worker: nobody can sign in as it until the security
/// administrator activates it; the creator may not activate it; the code only sets the password.
#[tokio::test]
async fn an_administrators_account_waits_for_another_administrator() {
    let (app, t, admin) = TestApp::with_tree().await;
    let sec = app.demo_session("sec", Role::SecurityAdmin, Bind::Area(app.county_id)).await;
    let body = json!({ "username": "gw1", "display_name": "网格员一", "role": "grid_worker", "area_id": t.grid_a1_1 });
    let (st, v) = app.post_json(&admin, "/api/v1/accounts", body.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert!(v["initial_password"].is_null(), "the creator gets no password: {v}");
    assert_eq!(v["account"]["awaiting_activation"], true);
    let id = v["account"]["id"].as_i64().unwrap();
    // Nor may the creator set one.
    let got = app
        .post_json(&admin, "/api/v1/accounts", json!({ "username": "gw2", "display_name": "网格员二", "role": "grid_worker", "area_id": t.grid_a1_1, "password": "Chosen2026" }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("password"));
    // Self-activation is refused.
    let got = app.post_json(&admin, &format!("/api/v1/accounts/{id}/activate"), json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(got.1["message"].as_str().unwrap().contains("三员分立"), "{}", got.1);
    // Before activation no setup is possible and no sign-in.
    assert_eq!(setup(&app, "gw1", "aaaa-bbbb-cccc-dddd", "Mine2026x").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // Another administrator activates and gets the one-time code.
    let (st, v) = app.post_json(&sec, &format!("/api/v1/accounts/{id}/activate"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let code = v["setup_code"].as_str().unwrap().to_owned();
    assert_eq!(v["expires_at"], app.now() + 24 * HOUR);
    let got = app.post_json(&sec, &format!("/api/v1/accounts/{id}/activate"), json!({})).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    // The code is no password.
    assert_eq!(app.try_login("gw1", &code, None).await.status, StatusCode::UNAUTHORIZED);
    // It sets the holder's own password once; then the holder signs in.
    let (st, v) = setup(&app, "gw1", &code, "Mine2026x").await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
    assert_eq!(setup(&app, "gw1", &code, "Again2026x").await.0, StatusCode::UNPROCESSABLE_ENTITY, "used once");
    let s = app.login("gw1", "Mine2026x").await;
    assert_eq!(s.account["must_change_password"], false);
    // The first sign-in is on the audit administrator's watch list, with who issued the code.
    let aud = app.demo_session("aud", Role::AuditAdmin, Bind::Area(app.county_id)).await;
    let (st, w) = app.get(&aud, "/api/v1/audit/watch").await;
    assert_eq!(st, StatusCode::OK, "{w}");
    let row = w["items"].as_array().unwrap().iter().find(|r| r["username"] == "gw1").expect("watched").clone();
    assert_eq!(row["issued_by_username"], "sec");
    assert_eq!(row["kind"], "created");
    assert_eq!(row["first_login_at"], app.now());
    let logins = app.audit_rows("login").await;
    let first = logins.iter().find(|r| r.username == "gw1").expect("login row");
    let detail: Value = serde_json::from_str(&first.detail).unwrap();
    assert_eq!(detail["first_after_issue"][0]["kind"], "created", "{detail}");
    // Only the audit administrator sees the list.
    assert_eq!(app.get(&admin, "/api/v1/audit/watch").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_reset_gives_a_one_time_code_that_expires() {
    let app = TestApp::new().await;
    let gw = app.account("holder", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let sec = app.demo_session("sec", Role::SecurityAdmin, Bind::Area(app.county_id)).await;
    let (st, v) = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/reset-password"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["initial_password"].is_null(), "no password for the administrator: {v}");
    let code = v["setup_code"].as_str().unwrap().to_owned();
    // Neither the old password nor the code signs in.
    assert_eq!(app.try_login("holder", PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    app.clock.advance(2_000_000);
    assert_eq!(app.try_login("holder", &code, None).await.status, StatusCode::UNAUTHORIZED);
    // After 24 hours the code is spent.
    app.clock.advance(24 * HOUR);
    let got = setup(&app, "holder", &code, "Mine2026x").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("setup_code"));
    // A fresh one works within the day, and only sets the password.
    let sec = app.login("sec", PASSWORD).await;
    let (_, v) = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/reset-password"), json!({})).await;
    let code = v["setup_code"].as_str().unwrap().to_owned();
    app.clock.advance(23 * HOUR);
    assert_eq!(setup(&app, "holder", &code, "Mine2026x").await.0, StatusCode::NO_CONTENT);
    app.clock.advance(40 * wangge::clock::SECOND);
    let s = app.login("holder", "Mine2026x").await;
    assert_eq!(app.get(&s, "/api/v1/auth/me").await.0, StatusCode::OK);
    let aud = app.demo_session("aud", Role::AuditAdmin, Bind::Area(app.county_id)).await;
    let (_, w) = app.get(&aud, "/api/v1/audit/watch").await;
    let row = &w["items"][0];
    assert_eq!((row["username"].as_str(), row["kind"].as_str()), (Some("holder"), Some("reset")), "{w}");
    assert_eq!(row["issued_by_username"], "sec");
    assert_eq!(row["first_login_at"], app.now(), "the first sign-in after the reset is watched");
    // The expired code of the first reset is on the list too, never used.
    assert!(w["items"][1]["used_at"].is_null(), "{w}");
}

#[tokio::test]
async fn an_administrator_never_holds_a_business_role() {
    let (app, t, admin) = TestApp::with_tree().await;
    let sec = app.demo_session("sec", Role::SecurityAdmin, Bind::Area(app.county_id)).await;
    let staff = app.staff(&admin, t.comm_a1, "王五", "13800000001").await;
    let sid = staff["id"].as_i64().unwrap();
    let (st, v) = app
        .post_json(&sec, "/api/v1/accounts", json!({ "username": "wangadm", "display_name": "王五", "role": "system_admin", "area_id": app.county_id, "staff_id": sid }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let got = app
        .post_json(&admin, "/api/v1/accounts", json!({ "username": "wanggw", "display_name": "王五", "role": "grid_worker", "area_id": t.grid_a1_1, "staff_id": sid }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("staff_id"));
    assert!(got.1["fields"]["staff_id"].as_str().unwrap().contains("业务角色"), "{}", got.1);
    // And the other way round.
    let other = app.staff(&admin, t.comm_a1, "赵六", "13800000002").await["id"].as_i64().unwrap();
    let (st, v) = app
        .post_json(&admin, "/api/v1/accounts", json!({ "username": "zhaogw", "display_name": "赵六", "role": "grid_worker", "area_id": t.grid_a1_1, "staff_id": other }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let got = app
        .post_json(&sec, "/api/v1/accounts", json!({ "username": "zhaoadm", "display_name": "赵六", "role": "audit_admin", "area_id": app.county_id, "staff_id": other }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("staff_id"));
}
