//! Departments of a town (or the county): create, validate, edit with versions, retire.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;
use wangge::auth::Role;

#[tokio::test]
async fn departments_are_created_edited_and_retired() {
    let (app, t, admin) = TestApp::with_tree().await;
    let (st, d) = app
        .post_json(
            &admin,
            "/api/v1/departments",
            json!({ "area_id": t.town_b, "kind": "justice_office", "name": "文昌司法所", "contact_person": "陈所长", "contact_phone": "13912345678", "address": "文昌镇正街 1 号" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    assert_eq!(d["kind"], "justice_office");
    assert_eq!(d["kind_label"], "司法所");
    assert_eq!(d["area_id"], t.town_b);
    assert_eq!(d["area_name"], "文昌镇");
    assert_eq!(d["status"], "active");
    let id = d["id"].as_i64().unwrap();

    // Bad input, each naming its field.
    for (body, field) in [
        (json!({ "area_id": t.town_b, "kind": "justice_office", "name": "文昌司法所" }), "name"),
        (json!({ "area_id": t.comm_b1, "kind": "other", "name": "社区部门" }), "area_id"),
        (json!({ "area_id": t.town_b, "kind": "army", "name": "部队" }), "kind"),
        (json!({ "area_id": t.town_b, "kind": "other", "name": "部".repeat(51) }), "name"),
        (json!({ "area_id": t.town_b, "kind": "other", "name": "电话错", "contact_phone": "12" }), "contact_phone"),
        (json!({ "area_id": t.town_b, "kind": "other", "name": "多余", "fax": "1" }), "fax"),
    ] {
        let got = app.post_json(&admin, "/api/v1/departments", body).await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some(field));
    }
    let (_, list) = app.get(&admin, &format!("/api/v1/departments?area={}", t.town_b)).await;
    assert_eq!(list["total"], 1);

    // Edit with the version; a stale version and a change of town are refused.
    let path = format!("/api/v1/departments/{id}");
    let body = json!({ "version": d["version"], "area_id": t.town_b, "kind": "justice_office", "name": "文昌镇司法所", "contact_phone": "0816-7654321" });
    let (st, u) = app.patch_json(&admin, &path, body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["name"], "文昌镇司法所");
    assert_eq!(u["contact_phone"], "0816-7654321");
    assert_error(&app.patch_json(&admin, &path, body).await, StatusCode::CONFLICT, "conflict", None);
    let moved =
        json!({ "version": u["version"], "area_id": t.town_a, "kind": "justice_office", "name": "文昌镇司法所" });
    assert_error(
        &app.patch_json(&admin, &path, moved).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("area_id"),
    );

    // Retiring waits for its accounts to go; then it leaves the default list.
    let acc = app.account("sifa", Role::DepartmentHandler, Bind::Department(id)).await;
    let got = app.post_json(&admin, &format!("{path}/retire"), json!({ "version": u["version"] })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (st, v) = app.post_json(&admin, &format!("/api/v1/accounts/{acc}/retire"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, r) = app.post_json(&admin, &format!("{path}/retire"), json!({ "version": u["version"] })).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "retired");
    let (_, list) = app.get(&admin, &format!("/api/v1/departments?area={}", t.town_b)).await;
    assert_eq!(list["total"], 0);
    let (_, list) = app.get(&admin, &format!("/api/v1/departments?area={}&status=all", t.town_b)).await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn a_department_account_sees_its_town() {
    let (app, t, _admin) = TestApp::with_tree().await;
    app.account("police", Role::DepartmentHandler, Bind::Department(t.dept_a)).await;
    let s = app.login("police", PASSWORD).await;
    assert_eq!(s.account["department_id"], t.dept_a);
    assert_eq!(s.account["area_id"], t.town_a);
    let (_, v) = app.get(&s, "/api/v1/areas?kind=grid").await;
    assert_eq!(v["total"], 3, "the grids of 鹤山镇 only: {v}");
    assert_error(&app.get(&s, &format!("/api/v1/areas/{}", t.town_b)).await, StatusCode::NOT_FOUND, "not_found", None);
    // Read-only.
    let got =
        app.post_json(&s, "/api/v1/departments", json!({ "area_id": t.town_a, "kind": "other", "name": "x" })).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
}
