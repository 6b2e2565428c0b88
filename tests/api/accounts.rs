//! Accounts and data scopes: one community cannot see or change another; grantable roles; the three separated administrators.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::auth::Role;

fn codes(v: &Value) -> Vec<String> {
    v["items"].as_array().expect("items").iter().map(|i| i["code"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn community_a_cannot_read_or_change_community_b() {
    let (app, t, admin) = TestApp::with_tree().await;
    let theirs = app.staff(&admin, t.comm_a2, "金山员工", "13700000001").await;
    let theirs_id = theirs["id"].as_i64().unwrap();
    let (st, v) = app
        .post_json(&admin, &format!("/api/v1/staff/{theirs_id}/assignments"), json!({ "grid_id": t.grid_a2_1 }))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let aid = v["assignments"][0]["id"].as_i64().unwrap();
    let b_account = app.account("jinshanwg", Role::GridWorker, Bind::Area(t.grid_a2_1)).await;
    app.account("nenshui", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let a = app.login("nenshui", PASSWORD).await;

    // Reads: B's areas, staff and accounts do not exist for A.
    for path in [
        format!("/api/v1/areas/{}", t.comm_a2),
        format!("/api/v1/areas/{}", t.grid_a2_1),
        format!("/api/v1/areas/{}/history", t.grid_a2_1),
        format!("/api/v1/areas/{}", t.town_a),
        format!("/api/v1/areas?ancestor={}", t.comm_a2),
        format!("/api/v1/staff/{theirs_id}"),
        format!("/api/v1/staff?area={}", t.comm_a2),
        format!("/api/v1/accounts/{b_account}"),
        format!("/api/v1/departments/{}", t.dept_a),
    ] {
        let got = app.get(&a, &path).await;
        assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    }
    let (st, v) = app.get(&a, "/api/v1/areas?per_page=200").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(codes(&v), ["510725101001", "510725101001001", "510725101001002"]);
    assert_eq!(v["total"], 3);
    let (_, v) = app.get(&a, "/api/v1/areas?q=510725101002&status=all").await;
    assert_eq!(v["total"], 0);
    let (_, v) = app.get(&a, "/api/v1/staff?status=all").await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = app.get(&a, "/api/v1/accounts").await;
    assert!(v["items"].as_array().unwrap().iter().all(|i| i["username"] != "jinshanwg"), "{v}");
    let (_, v) = app.get(&a, "/api/v1/departments").await;
    assert_eq!(v["total"], 0);

    // Writes: refused, and nothing changes.
    let body = json!({ "version": theirs["version"], "area_id": t.comm_a2, "name": "改名", "phone": "13700000001", "position": "grid_worker" });
    let (st, _) = app.patch_json(&a, &format!("/api/v1/staff/{theirs_id}"), body).await;
    assert!(st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN, "{st}");
    let (st, _) =
        app.post_json(&a, &format!("/api/v1/staff/{theirs_id}/retire"), json!({ "version": theirs["version"] })).await;
    assert!(st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN, "{st}");
    let (st, _) = app.post_json(&a, &format!("/api/v1/staff/{theirs_id}/assignments/{aid}/end"), json!({})).await;
    assert!(st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN, "{st}");
    let got = app
        .post_json(
            &a,
            "/api/v1/staff",
            json!({ "area_id": t.comm_a2, "name": "越界", "phone": "13700000002", "position": "grid_worker" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area_id"));
    let mine = app
        .post_json(
            &a,
            "/api/v1/staff",
            json!({ "area_id": t.comm_a1, "name": "嫩水员工", "phone": "13700000003", "position": "grid_worker" }),
        )
        .await;
    assert_eq!(mine.0, StatusCode::CREATED, "{}", mine.1);
    let got = app
        .post_json(&a, &format!("/api/v1/staff/{}/assignments", mine.1["id"]), json!({ "grid_id": t.grid_a2_1 }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("grid_id"));
    let got = app.post_json(&a, &format!("/api/v1/accounts/{b_account}/lock"), json!({})).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let (_, after) = app.get(&admin, &format!("/api/v1/staff/{theirs_id}")).await;
    assert_eq!(after["name"], "金山员工");
    assert_eq!(after["status"], "active");
    assert!(after["assignments"][0]["end_date"].is_null());
    assert_eq!(app.get(&admin, &format!("/api/v1/accounts/{b_account}")).await.1["status"], "active");
}

#[tokio::test]
async fn accounts_are_created_only_inside_ones_subtree_with_grantable_roles() {
    let (app, t, _admin) = TestApp::with_tree().await;
    app.account("nenshui", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let a = app.login("nenshui", PASSWORD).await;
    let new = |username: &str, role: &str, area: i64| json!({ "username": username, "display_name": "新账号", "role": role, "area_id": area });

    let got = app.post_json(&a, "/api/v1/accounts", new("towny", "town_center", t.town_a)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    assert!(got.1["fields"]["role"].as_str().unwrap().contains("乡镇（街道）综治中心"), "{}", got.1);
    let got = app.post_json(&a, "/api/v1/accounts", new("peer", "community_staff", t.comm_a1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    let got = app.post_json(&a, "/api/v1/accounts", new("outsider", "grid_worker", t.grid_a2_1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area_id"));
    let got = app.post_json(&a, "/api/v1/accounts", new("wrongkind", "grid_worker", t.comm_a1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area_id"));
    let got = app
        .post_json(&a, "/api/v1/accounts", json!({ "username": "nobind", "display_name": "x", "role": "grid_worker" }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area_id"));
    let got = app.post_json(&a, "/api/v1/accounts", new("1bad", "grid_worker", t.grid_a1_1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("username"));
    let mut weak = new("weakpw", "grid_worker", t.grid_a1_1);
    weak["password"] = json!("12345678");
    let got = app.post_json(&a, "/api/v1/accounts", weak).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("password"));
    let got = app
        .post_json(
            &a,
            "/api/v1/accounts",
            json!({ "username": "x1y", "display_name": "x", "role": "root", "area_id": t.grid_a1_1 }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));

    // Inside the subtree with a grantable role: created, with a one-time initial password.
    let (st, v) = app.post_json(&a, "/api/v1/accounts", new("GW1", "grid_worker", t.grid_a1_1)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["account"]["username"], "gw1");
    assert_eq!(v["account"]["role"], "grid_worker");
    assert_eq!(v["account"]["area_id"], t.grid_a1_1);
    assert_eq!(v["account"]["must_change_password"], true);
    assert!(v["account"].get("password_hash").is_none(), "{v}");
    let initial = v["initial_password"].as_str().unwrap().to_owned();
    assert_eq!(initial.len(), 8);
    let s = app.login("gw1", &initial).await;
    assert_error(&app.get(&s, "/api/v1/areas").await, StatusCode::FORBIDDEN, "password_change_required", None);

    // Duplicate username (case-insensitive).
    let (st, v) = app.post_json(&a, "/api/v1/accounts", new("gw1", "grid_leader", t.grid_a1_2)).await;
    assert!(st == StatusCode::UNPROCESSABLE_ENTITY || st == StatusCode::CONFLICT, "{st} {v}");
    assert_eq!(v["fields"]["username"], "用户名 gw1 已被使用");
    let (_, list) = app.get(&a, "/api/v1/accounts?role=grid_leader").await;
    assert_eq!(list["total"], 0);
    let (_, list) = app.get(&a, "/api/v1/accounts").await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["nenshui", "gw1"]);

    // A town centre binds department handlers to its departments, but not to another town's.
    app.account("heshan", Role::TownCenter, Bind::Area(t.town_a)).await;
    let town = app.login("heshan", PASSWORD).await;
    let (st, v) = app
        .post_json(&town, "/api/v1/accounts", json!({ "username": "police1", "display_name": "民警", "role": "department_handler", "department_id": t.dept_a }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["account"]["department_id"], t.dept_a);
    let got = app
        .post_json(
            &town,
            "/api/v1/accounts",
            json!({ "username": "pol2", "display_name": "x", "role": "department_handler", "area_id": t.town_a }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("department_id"));
    let got = app.post_json(&town, "/api/v1/accounts", new("wcz", "grid_worker", t.grid_b1_1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area_id"));
}

#[tokio::test]
async fn three_administrators_are_separated() {
    let (app, t, admin) = TestApp::with_tree().await;
    let county = Bind::Area(t.county);
    // The system administrator cannot create any administrator.
    for role in ["audit_admin", "security_admin", "system_admin"] {
        let got = app
            .post_json(
                &admin,
                "/api/v1/accounts",
                json!({ "username": "adm_x", "display_name": "x", "role": role, "area_id": t.county }),
            )
            .await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    }
    // The security administrator can, but creates no ordinary accounts.
    let sec = app.demo_session("secadmin", Role::SecurityAdmin, county).await;
    let (st, v) = app
        .post_json(
            &sec,
            "/api/v1/accounts",
            json!({ "username": "auditor", "display_name": "审计员", "role": "audit_admin", "area_id": t.county }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["account"]["role"], "audit_admin");
    let got = app
        .post_json(
            &sec,
            "/api/v1/accounts",
            json!({ "username": "gwx", "display_name": "x", "role": "grid_worker", "area_id": t.grid_a1_1 }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("role"));
    // One person (staff record) cannot hold two administrator roles.
    let person = app.staff(&admin, t.county, "张管理", "13600000001").await;
    let pid = person["id"].as_i64().unwrap();
    let (st, v) = app
        .post_json(&sec, "/api/v1/accounts", json!({ "username": "zhang_sys", "display_name": "张管理", "role": "system_admin", "area_id": t.county, "staff_id": pid }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    for (username, role) in [("zhang_sec", "security_admin"), ("zhang_aud", "audit_admin")] {
        let got = app
            .post_json(&sec, "/api/v1/accounts", json!({ "username": username, "display_name": "张管理", "role": role, "area_id": t.county, "staff_id": pid }))
            .await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("staff_id"));
    }
    let (_, list) = app.get(&sec, "/api/v1/accounts?q=zhang").await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn administrators_do_not_manage_what_is_not_theirs() {
    let (app, t, admin) = TestApp::with_tree().await;
    let county = Bind::Area(t.county);
    let aud = app.demo_session("auditor", Role::AuditAdmin, county).await;
    let sec = app.demo_session("secadmin", Role::SecurityAdmin, county).await;
    let s = app.staff(&admin, t.comm_a1, "王小二", "13500000001").await;
    let sid = s["id"].as_i64().unwrap();
    let staff_body =
        json!({ "area_id": t.comm_a1, "name": "王小二", "phone": "13500000001", "position": "grid_worker" });
    let gw = app.account("gw", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    // The audit administrator: no staff, account or area management.
    for (method, path, body) in [
        (Method::POST, "/api/v1/staff".to_owned(), staff_body.clone()),
        (Method::PATCH, format!("/api/v1/staff/{sid}"), staff_body.clone()),
        (Method::POST, format!("/api/v1/staff/{sid}/assignments"), json!({ "grid_id": t.grid_a1_1 })),
        (Method::GET, "/api/v1/accounts".to_owned(), Value::Null),
        (Method::GET, format!("/api/v1/accounts/{gw}"), Value::Null),
        (
            Method::POST,
            "/api/v1/accounts".to_owned(),
            json!({ "username": "x1x", "display_name": "x", "role": "grid_worker", "area_id": t.grid_a1_1 }),
        ),
        (Method::POST, format!("/api/v1/accounts/{gw}/lock"), json!({})),
        (Method::POST, format!("/api/v1/accounts/{gw}/reset-password"), json!({})),
        (
            Method::POST,
            "/api/v1/areas".to_owned(),
            json!({ "parent_id": t.comm_a1, "kind": "grid", "code": "510725101001009", "name": "x" }),
        ),
        (Method::POST, "/api/v1/departments".to_owned(), json!({ "area_id": t.town_a, "kind": "other", "name": "x" })),
    ] {
        let body = (!body.is_null()).then_some(&body);
        let r = app.call(method.clone(), &path, &aud, body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "audit admin {method} {path}: {}", r.text());
        assert_eq!(r.json()["code"], "forbidden");
    }
    // The system and security administrators do not read the audit trail.
    for s in [&admin, &sec] {
        let got = app.get(s, "/api/v1/audit").await;
        assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    }
    assert_eq!(app.get(&aud, "/api/v1/audit").await.0, StatusCode::OK);
    // The security administrator locks, unlocks and resets; a lock ends the sessions.
    let gws = app.login("gw", PASSWORD).await;
    let (st, v) = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/lock"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "locked");
    assert_eq!(app.get(&gws, "/api/v1/auth/me").await.0, StatusCode::UNAUTHORIZED);
    let r = app.try_login("gw", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let (st, v) = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/unlock"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "active");
    assert_eq!(app.try_login("gw", PASSWORD, None).await.status, StatusCode::OK);
    let (st, v) = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/reset-password"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // 三员分立: the security administrator gets a one-time code for the holder, not a password.
    assert!(v["initial_password"].is_null(), "{v}");
    let code = v["setup_code"].as_str().unwrap().to_owned();
    assert_eq!(app.try_login("gw", PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.try_login("gw", &code, None).await.status, StatusCode::UNAUTHORIZED);
    let body = json!({ "username": "gw", "setup_code": code, "new_password": "Fresh2026x" });
    assert_eq!(app.post_json(&Session::anon(), "/api/v1/auth/setup", body).await.0, StatusCode::NO_CONTENT);
    app.clock.advance(wangge::clock::MINUTE);
    let s = app.login("gw", "Fresh2026x").await;
    assert_eq!(s.account["must_change_password"], false);
    // But may not retire or edit ordinary accounts (not a role it grants).
    let got = app.post_json(&sec, &format!("/api/v1/accounts/{gw}/retire"), json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    // Nobody acts on their own account through management.
    let got = app.post_json(&sec, &format!("/api/v1/accounts/{}/lock", sec.id()), json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
}

/// Text search ignores ASCII case on both backends (SQLite's LIKE does, PostgreSQL's does not).
#[tokio::test]
async fn text_search_is_case_insensitive_on_both_backends() {
    let (app, _t, admin) = TestApp::with_tree().await;
    let (_, v) = app.get(&admin, "/api/v1/accounts?q=SYSADMIN").await;
    assert_eq!(v["total"], 1, "{v}");
    let (_, v) = app.get(&admin, "/api/v1/areas?q=abc").await;
    assert_eq!(v["total"], 0);
}
