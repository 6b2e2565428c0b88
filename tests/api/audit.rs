//! The audit trail: a row for every sign-in and change (with before → after), append-only in the
//! database, and `audit::verify` finding altered and missing rows.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::audit::VerifyReport;
use wangge::auth::Role;

fn detail(row: &Value) -> Value {
    serde_json::from_str(row["detail"].as_str().expect("detail")).expect("detail is JSON")
}

#[tokio::test]
async fn sign_ins_and_changes_are_audited_with_before_and_after() {
    let (app, t, admin) = TestApp::with_tree().await;
    let aud = app.demo_session("auditor", Role::AuditAdmin, Bind::Area(t.county)).await;
    let (st, v) = app.get(&aud, "/api/v1/audit?action=login&username=sysadmin").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().iter().filter(|r| r["action"] == "login").count(), 1);
    let row = &v["items"][0];
    assert_eq!(row["username"], "sysadmin");
    assert_eq!(row["object_type"], "account");
    assert_eq!(row["object_id"], admin.id().to_string());
    assert_eq!(row["at"], start_ms());
    for key in [
        "id",
        "at",
        "account_id",
        "username",
        "action",
        "object_type",
        "object_id",
        "detail",
        "ip",
        "request_id",
        "hash",
        "prev_hash",
    ] {
        assert!(row.get(key).is_some(), "{key} missing: {row}");
    }

    // A failed sign-in is a row too, even for a name that does not exist.
    assert_eq!(app.try_login("nobody", "Wrong12345", None).await.status, StatusCode::UNAUTHORIZED);
    let (_, v) = app.get(&aud, "/api/v1/audit?action=login_failed&username=nobody").await;
    assert_eq!(v["total"], 1);
    assert_eq!(detail(&v["items"][0])["reason"], "用户名或密码错误");
    assert!(v["items"][0]["account_id"].is_null());

    // An edit: only the changed fields, each with from and to.
    app.clock.advance(5_000);
    let path = format!("/api/v1/areas/{}", t.grid_a1_1);
    let (_, g) = app.get(&admin, &path).await;
    let (st, _) =
        app.patch_json(&admin, &path, json!({ "version": g["version"], "name": "嫩水一格", "households": 88 })).await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) =
        app.get(&aud, &format!("/api/v1/audit?action=area_updated&object_type=area&object_id={}", t.grid_a1_1)).await;
    assert_eq!(v["total"], 1, "{v}");
    let row = &v["items"][0];
    assert_eq!(row["username"], "sysadmin");
    assert_eq!(row["account_id"], admin.id());
    assert_eq!(row["at"], app.now());
    assert_eq!(
        detail(row),
        json!({ "name": { "from": "嫩水第一网格", "to": "嫩水一格" }, "households": { "from": null, "to": 88 } })
    );

    // Staff edits likewise.
    let s = app.staff(&admin, t.comm_a1, "刘备", "13100000001").await;
    let body = json!({ "version": s["version"], "area_id": t.comm_a1, "name": "刘玄德", "phone": "13100000001", "position": "grid_worker", "duties": "巡查走访" });
    assert_eq!(app.patch_json(&admin, &format!("/api/v1/staff/{}", s["id"]), body).await.0, StatusCode::OK);
    let (_, v) = app.get(&aud, &format!("/api/v1/audit?object_type=staff&object_id={}", s["id"])).await;
    let actions: Vec<&str> = v["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["staff_updated", "staff_created"]);
    assert_eq!(detail(&v["items"][0]), json!({ "name": { "from": "刘备", "to": "刘玄德" } }));

    // Every change made while building the tree left its row.
    let (_, v) = app.get(&aud, "/api/v1/audit?action=area_created&per_page=100").await;
    assert_eq!(v["total"], 10, "county + 9 areas");
    let (_, v) = app.get(&aud, "/api/v1/audit?action=department_created").await;
    assert_eq!(v["total"], 1);
    // Time filters.
    let (_, v) = app.get(&aud, &format!("/api/v1/audit?from={}", app.now())).await;
    assert!(v["items"].as_array().unwrap().iter().all(|r| r["at"].as_i64().unwrap() >= app.now()));
    assert_eq!(v["total"], 3, "area_updated, staff_created, staff_updated: {v}");
    let (_, v) = app.get(&aud, &format!("/api/v1/audit?to={}", start_ms())).await;
    assert_eq!(v["total"], 0);
    // Logout too.
    assert_eq!(app.call(Method::POST, "/api/v1/auth/logout", &admin, None).await.status, StatusCode::NO_CONTENT);
    let (_, v) = app.get(&aud, "/api/v1/audit?action=logout&username=sysadmin").await;
    assert_eq!(v["total"], 1);
    assert_eq!(wangge::audit::verify(&app.db).await.unwrap(), VerifyReport::Intact { rows: total_rows(&app).await });
}

pub(crate) async fn total_rows(app: &TestApp) -> u64 {
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM audit_log", vec![]).await.unwrap();
    n as u64
}

#[tokio::test]
async fn audit_log_is_append_only_in_the_database() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    let before = total_rows(&app).await;
    assert!(before > 10);
    let upd = app.db.read().execute("UPDATE audit_log SET detail = '{}' WHERE id = 2", vec![]).await;
    assert!(upd.is_err(), "UPDATE must fail: {upd:?}");
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = app.db.read().execute("DELETE FROM audit_log WHERE id = 2", vec![]).await;
    assert!(del.is_err(), "DELETE must fail: {del:?}");
    let del_all = app.db.read().execute("DELETE FROM audit_log", vec![]).await;
    assert!(del_all.is_err(), "DELETE must fail: {del_all:?}");
    if app.is_postgres() {
        let tr = app.db.read().execute("TRUNCATE audit_log", vec![]).await;
        assert!(tr.is_err(), "TRUNCATE must fail: {tr:?}");
    }
    assert_eq!(total_rows(&app).await, before);
    assert_eq!(wangge::audit::verify(&app.db).await.unwrap(), VerifyReport::Intact { rows: before });
}

/// Removes the database's protection so a test can play the attacker.
pub(crate) async fn disable_triggers(app: &TestApp) {
    if app.is_postgres() {
        app.db.read().execute("ALTER TABLE audit_log DISABLE TRIGGER USER", vec![]).await.unwrap();
    } else {
        app.db.read().execute("DROP TRIGGER audit_log_no_update", vec![]).await.unwrap();
        app.db.read().execute("DROP TRIGGER audit_log_no_delete", vec![]).await.unwrap();
    }
}

#[tokio::test]
async fn verify_reports_an_altered_row() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    let rows = total_rows(&app).await;
    assert_eq!(wangge::audit::verify(&app.db).await.unwrap(), VerifyReport::Intact { rows });
    disable_triggers(&app).await;
    let n = app
        .db
        .read()
        .execute("UPDATE audit_log SET detail = '{\"name\":\"篡改\"}' WHERE id = 5", vec![])
        .await
        .unwrap();
    assert_eq!(n, 1);
    match wangge::audit::verify(&app.db).await.unwrap() {
        VerifyReport::Altered { id, reason } => {
            assert_eq!(id, 5);
            assert_eq!(reason, "内容与哈希不符（或审计密钥不符）");
        }
        other => panic!("expected Altered, got {other:?}"),
    }
    // Recomputing that row's hash with the documented format but without the audit key does not help.
    let r: AuditTuple = app
        .db
        .read()
        .fetch_one("SELECT id, at, account_id, username, action, object_type, object_id, detail, ip, request_id, prev_hash FROM audit_log WHERE id = 5", vec![])
        .await
        .unwrap();
    let forged = chain_hash(&r);
    app.db.read().execute(&format!("UPDATE audit_log SET hash = '{forged}' WHERE id = 5"), vec![]).await.unwrap();
    match wangge::audit::verify(&app.db).await.unwrap() {
        VerifyReport::Altered { id, reason } => {
            assert_eq!(id, 5, "{reason}");
            assert_eq!(reason, "内容与哈希不符（或审计密钥不符）");
        }
        other => panic!("expected Altered at 5, got {other:?}"),
    }
}

/// An audit row as a tuple: id, at, account_id, username, action, object_type, object_id, detail, ip, request_id, prev_hash.
pub(crate) type AuditTuple = (i64, i64, Option<i64>, String, String, String, String, String, String, String, String);

/// SHA-256 over the previous hash and every field, each prefixed by its length (the chain's format, without the key).
pub(crate) fn chain_hash(r: &AuditTuple) -> String {
    use sha2::{Digest, Sha256};
    let (id, at, account, username, action, object_type, object_id, detail, ip, request_id, prev) = r;
    let account = account.map(|a| a.to_string()).unwrap_or_default();
    let mut h = Sha256::new();
    for part in [
        prev.as_str(),
        &id.to_string(),
        &at.to_string(),
        &account,
        username,
        action,
        object_type,
        object_id,
        detail,
        ip,
        request_id,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

#[tokio::test]
async fn verify_reports_a_missing_row() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    disable_triggers(&app).await;
    assert_eq!(app.db.read().execute("DELETE FROM audit_log WHERE id = 4", vec![]).await.unwrap(), 1);
    assert_eq!(wangge::audit::verify(&app.db).await.unwrap(), VerifyReport::Missing { expected_id: 4, found_id: 5 });
    assert_eq!(wangge::audit::verify(&app.db).await.unwrap().to_string(), "审计记录缺失：应为第 4 条，实为第 5 条");
}

/// The newest audit row: (action, object_type, object_id, username).
async fn last_row(app: &TestApp) -> (String, String, String, String) {
    let q = wangge::audit::AuditQuery { per_page: Some(1), ..Default::default() };
    let r = wangge::audit::search(&app.db, &q).await.unwrap().items.remove(0);
    (r.action, r.object_type, r.object_id, r.username)
}

#[tokio::test]
async fn every_kind_of_change_writes_its_row() {
    let (app, t, admin) = TestApp::with_tree().await;
    let sec = app.demo_session("secadmin", Role::SecurityAdmin, Bind::Area(t.county)).await;
    let mut n = total_rows(&app).await;
    macro_rules! step {
        ($who:expr, $call:expr, $action:expr, $object:expr) => {{
            let (st, v): (StatusCode, Value) = $call;
            assert!(st.is_success(), "{} → {st} {v}", $action);
            let (action, object_type, _, username) = last_row(&app).await;
            assert_eq!(action, $action, "{v}");
            assert_eq!(object_type, $object);
            assert_eq!(username, $who);
            let now = total_rows(&app).await;
            assert_eq!(now, n + 1, "exactly one row for {}", $action);
            n = now;
            v
        }};
    }
    let g = step!(
        "sysadmin",
        app.post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": t.comm_a1, "kind": "grid", "code": "510725101001003", "name": "第三网格" })
        )
        .await,
        "area_created",
        "area"
    );
    let gp = format!("/api/v1/areas/{}", g["id"]);
    let g = step!(
        "sysadmin",
        app.patch_json(&admin, &gp, json!({ "version": g["version"], "note": "新建" })).await,
        "area_updated",
        "area"
    );
    let g = step!(
        "sysadmin",
        app.post_json(&admin, &format!("{gp}/move"), json!({ "version": g["version"], "parent_id": t.comm_a2 })).await,
        "area_moved",
        "area"
    );
    step!(
        "sysadmin",
        app.post_json(&admin, &format!("{gp}/retire"), json!({ "version": g["version"], "reason": "试点结束" })).await,
        "area_retired",
        "area"
    );
    let d = step!(
        "sysadmin",
        app.post_json(
            &admin,
            "/api/v1/departments",
            json!({ "area_id": t.town_b, "kind": "health_center", "name": "文昌卫生院" })
        )
        .await,
        "department_created",
        "department"
    );
    let dp = format!("/api/v1/departments/{}", d["id"]);
    let d = step!(
        "sysadmin",
        app.patch_json(
            &admin,
            &dp,
            json!({ "version": d["version"], "area_id": t.town_b, "kind": "health_center", "name": "文昌镇卫生院" })
        )
        .await,
        "department_updated",
        "department"
    );
    step!(
        "sysadmin",
        app.post_json(&admin, &format!("{dp}/retire"), json!({ "version": d["version"] })).await,
        "department_retired",
        "department"
    );
    let s = step!(
        "sysadmin",
        app.post_json(
            &admin,
            "/api/v1/staff",
            json!({ "area_id": t.comm_a1, "name": "张飞", "phone": "13200000001", "position": "grid_worker" })
        )
        .await,
        "staff_created",
        "staff"
    );
    let sp = format!("/api/v1/staff/{}", s["id"]);
    let body = json!({ "version": s["version"], "area_id": t.comm_a1, "name": "张翼德", "phone": "13200000001", "position": "grid_worker" });
    step!("sysadmin", app.patch_json(&admin, &sp, body).await, "staff_updated", "staff");
    let (ct, bytes) = multipart("photo", "p.png", "image/png", &tiny_png());
    let req = app
        .request(Method::POST, &format!("{sp}/photo"), &admin)
        .header("content-type", ct)
        .body(axum::body::Body::from(bytes))
        .unwrap();
    step!(
        "sysadmin",
        {
            let r = app.send(req).await;
            (r.status, r.json())
        },
        "staff_photo_set",
        "staff"
    );
    let s = step!(
        "sysadmin",
        app.post_json(&admin, &format!("{sp}/assignments"), json!({ "grid_id": t.grid_a1_1 })).await,
        "staff_assigned",
        "staff"
    );
    let aid = s["assignments"][0]["id"].as_i64().unwrap();
    let s = step!(
        "sysadmin",
        app.post_json(&admin, &format!("{sp}/assignments/{aid}/end"), json!({})).await,
        "staff_unassigned",
        "staff"
    );
    step!(
        "sysadmin",
        app.post_json(&admin, &format!("{sp}/retire"), json!({ "version": s["version"] })).await,
        "staff_retired",
        "staff"
    );
    let a = step!(
        "sysadmin",
        app.post_json(
            &admin,
            "/api/v1/accounts",
            json!({ "username": "wangjl", "display_name": "王经理", "role": "county_viewer", "area_id": t.county })
        )
        .await,
        "account_created",
        "account"
    );
    let ap = format!("/api/v1/accounts/{}", a["account"]["id"]);
    step!("secadmin", app.post_json(&sec, &format!("{ap}/activate"), json!({})).await, "account_activated", "account");
    step!(
        "sysadmin",
        app.patch_json(
            &admin,
            &ap,
            json!({ "version": a["account"]["version"].as_i64().unwrap() + 1, "display_name": "王建林" })
        )
        .await,
        "account_updated",
        "account"
    );
    step!("sysadmin", app.post_json(&admin, &format!("{ap}/lock"), json!({})).await, "account_locked", "account");
    step!("sysadmin", app.post_json(&admin, &format!("{ap}/unlock"), json!({})).await, "account_unlocked", "account");
    let v = step!(
        "sysadmin",
        app.post_json(&admin, &format!("{ap}/reset-password"), json!({})).await,
        "password_reset",
        "account"
    );
    // The holder spends the one-time code on a password of their own, then signs in.
    let initial = "Initial2026";
    let body = json!({ "username": "wangjl", "setup_code": v["setup_code"], "new_password": initial });
    step!("wangjl", app.post_json(&Session::anon(), "/api/v1/auth/setup", body).await, "setup_code_used", "account");
    // The account's own actions.
    let r = app.try_login("wangjl", initial, None).await;
    let w = session_of(&r);
    let (action, _, _, username) = last_row(&app).await;
    assert_eq!((action.as_str(), username.as_str()), ("login", "wangjl"));
    n += 1;
    assert_eq!(total_rows(&app).await, n);
    step!(
        "wangjl",
        app.post_json(&w, "/api/v1/auth/password", json!({ "old_password": initial, "new_password": "Changed2026" }))
            .await,
        "password_change",
        "account"
    );
    let tok = step!(
        "wangjl",
        app.post_json(&w, "/api/v1/auth/tokens", json!({ "name": "报表" })).await,
        "token_created",
        "api_token"
    );
    step!("wangjl", app.delete(&w, &format!("/api/v1/auth/tokens/{}", tok["id"])).await, "token_revoked", "api_token");
    let sec_v =
        step!("wangjl", app.post_json(&w, "/api/v1/auth/totp/setup", json!({})).await, "totp_setup_started", "account");
    let key = wangge::auth::totp::base32_decode(sec_v["secret"].as_str().unwrap()).unwrap();
    let code = wangge::auth::totp::code_at_step(&key, wangge::auth::totp::step_of(app.now()));
    step!(
        "wangjl",
        app.post_json(&w, "/api/v1/auth/totp/confirm", json!({ "code": code })).await,
        "totp_enabled",
        "account"
    );
    step!(
        "wangjl",
        {
            let r = app.call(Method::POST, "/api/v1/auth/logout", &w, None).await;
            (r.status, r.json())
        },
        "logout",
        "account"
    );
    let r = app.try_login("wangjl", "Wrong2026x", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let (action, _, _, username) = last_row(&app).await;
    assert_eq!((action.as_str(), username.as_str()), ("login_failed", "wangjl"));
    n += 1;
    assert_eq!(total_rows(&app).await, n);
    // The security administrator clears the lost second factor.
    step!("secadmin", app.post_json(&sec, &format!("{ap}/reset-totp"), json!({})).await, "totp_reset", "account");
    step!("sysadmin", app.post_json(&admin, &format!("{ap}/retire"), json!({})).await, "account_retired", "account");
    assert_eq!(wangge::audit::verify(&app.db).await.unwrap(), VerifyReport::Intact { rows: n });
}
