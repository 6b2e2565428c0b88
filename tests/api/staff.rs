//! Staff: create, edit, grid assignments with history, photo upload (type and size checks) and who may see the photo.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role;

async fn upload(app: &TestApp, s: &Session, staff_id: i64, bytes: &[u8], content_type: &str) -> (StatusCode, Value) {
    let (ct, body) = multipart("photo", "photo.png", content_type, bytes);
    let req = app
        .request(Method::POST, &format!("/api/v1/staff/{staff_id}/photo"), s)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    (r.status, r.json())
}

#[tokio::test]
async fn create_update_and_validate_staff() {
    let (app, t, admin) = TestApp::with_tree().await;
    let (st, s) = app
        .post_json(
            &admin,
            "/api/v1/staff",
            json!({ "area_id": t.comm_a1, "name": "李秀英", "phone": "138 1234 5678", "position": "grid_leader", "employment": "part_time", "duties": "负责第一网格" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{s}");
    assert_eq!(s["name"], "李秀英");
    assert_eq!(s["phone"], "13812345678");
    assert_eq!(s["position"], "grid_leader");
    assert_eq!(s["position_label"], "网格长");
    assert_eq!(s["employment"], "part_time");
    assert_eq!(s["area_id"], t.comm_a1);
    assert_eq!(s["area_name"], "嫩水社区");
    assert!(s["photo_url"].is_null());
    let id = s["id"].as_i64().unwrap();
    let body = json!({ "version": s["version"], "area_id": t.comm_a1, "name": "李秀英", "phone": "0816-2345678", "position": "grid_worker", "duties": "入户走访" });
    let (st, u) = app.patch_json(&admin, &format!("/api/v1/staff/{id}"), body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{u}");
    assert_eq!(u["phone"], "0816-2345678");
    assert_eq!(u["position"], "grid_worker");
    assert_eq!(u["employment"], "full_time");
    assert_eq!(u["duties"], "入户走访");
    assert_eq!(u["version"], s["version"].as_i64().unwrap() + 1);
    // Stale version.
    assert_error(
        &app.patch_json(&admin, &format!("/api/v1/staff/{id}"), body).await,
        StatusCode::CONFLICT,
        "conflict",
        None,
    );
    let (_, list) = app.get(&admin, &format!("/api/v1/staff?area={}", t.comm_a1)).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["name"], "李秀英");

    // Bad input, each naming its field.
    let base = json!({ "area_id": t.comm_a1, "name": "王五", "phone": "13800000000", "position": "grid_worker" });
    for (patch, field) in [
        (json!({ "phone": "12345" }), "phone"),
        (json!({ "name": "名".repeat(33) }), "name"),
        (json!({ "position": "boss" }), "position"),
        (json!({ "employment": "sometimes" }), "employment"),
        (json!({ "area_id": t.grid_a1_1 }), "area_id"),
        (json!({ "area_id": 9999 }), "area_id"),
        (json!({ "nickname": "小王" }), "nickname"),
    ] {
        let mut b = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let got = app.post_json(&admin, "/api/v1/staff", b).await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some(field));
    }
    assert_eq!(app.get(&admin, "/api/v1/staff").await.1["total"], 1);
}

#[tokio::test]
async fn assignments_start_end_and_stay_in_history() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = app.staff(&admin, t.comm_a1, "赵敏", "13900000002").await;
    let id = s["id"].as_i64().unwrap();
    let path = format!("/api/v1/staff/{id}/assignments");
    let (st, v) = app
        .post_json(&admin, &path, json!({ "grid_id": t.grid_a1_1, "duty": "leader", "start_date": "2026-02-01" }))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let a = &v["assignments"][0];
    assert_eq!(a["grid_id"], t.grid_a1_1);
    assert_eq!(a["grid_code"], "510725101001001");
    assert_eq!(a["duty"], "leader");
    assert_eq!(a["start_date"], "2026-02-01");
    assert!(a["end_date"].is_null());
    let aid = a["id"].as_i64().unwrap();
    // Twice in the same grid, a bad date, a non-grid: refused.
    assert_error(
        &app.post_json(&admin, &path, json!({ "grid_id": t.grid_a1_1 })).await,
        StatusCode::CONFLICT,
        "conflict",
        None,
    );
    assert_error(
        &app.post_json(&admin, &path, json!({ "grid_id": t.grid_a1_2, "start_date": "2026-13-01" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("start_date"),
    );
    assert_error(
        &app.post_json(&admin, &path, json!({ "grid_id": t.comm_a1 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("grid_id"),
    );
    // The grid's staff list shows the assignment.
    let (_, by_grid) = app.get(&admin, &format!("/api/v1/staff?grid={}", t.grid_a1_1)).await;
    assert_eq!(by_grid["total"], 1);
    // A second, current assignment without a date starts today.
    let (_, v) = app.post_json(&admin, &path, json!({ "grid_id": t.grid_a1_2 })).await;
    assert_eq!(v["assignments"].as_array().unwrap().len(), 2);
    assert!(
        v["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["grid_id"] == t.grid_a1_2 && a["start_date"] == "2026-03-02")
    );
    // End the first: an end before the start is refused; then it ends and stays listed.
    let end = format!("{path}/{aid}/end");
    assert_error(
        &app.post_json(&admin, &end, json!({ "end_date": "2026-01-01" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("end_date"),
    );
    let (st, v) = app.post_json(&admin, &end, json!({ "end_date": "2026-02-28" })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let ended: Vec<&Value> = v["assignments"].as_array().unwrap().iter().filter(|a| a["id"] == aid).collect();
    assert_eq!(ended.len(), 1, "history kept: {v}");
    assert_eq!(ended[0]["end_date"], "2026-02-28");
    assert_eq!(ended[0]["start_date"], "2026-02-01");
    assert_error(&app.post_json(&admin, &end, json!({})).await, StatusCode::CONFLICT, "conflict", None);
    let (_, by_grid) = app.get(&admin, &format!("/api/v1/staff?grid={}", t.grid_a1_1)).await;
    assert_eq!(by_grid["total"], 0, "no longer serving that grid");
    // An assignment of another staff member cannot be ended through this one.
    let other = app.staff(&admin, t.comm_a1, "周芷若", "13900000003").await;
    let oid = other["id"].as_i64().unwrap();
    let aid2 = v["assignments"].as_array().unwrap().iter().find(|a| a["grid_id"] == t.grid_a1_2).unwrap()["id"]
        .as_i64()
        .unwrap();
    let got = app.post_json(&admin, &format!("/api/v1/staff/{oid}/assignments/{aid2}/end"), json!({})).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
}

#[tokio::test]
async fn retiring_staff_ends_assignments_and_keeps_the_record() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = app.staff(&admin, t.comm_a1, "关羽", "13900000008").await;
    let id = s["id"].as_i64().unwrap();
    let (_, s) = app
        .post_json(
            &admin,
            &format!("/api/v1/staff/{id}/assignments"),
            json!({ "grid_id": t.grid_a1_2, "start_date": "2025-12-01" }),
        )
        .await;
    let path = format!("/api/v1/staff/{id}");
    assert_error(
        &app.post_json(&admin, &format!("{path}/retire"), json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("version"),
    );
    app.clock.advance(24 * 3600 * 1000);
    let admin = app.login("sysadmin", PASSWORD).await;
    let (st, r) = app.post_json(&admin, &format!("{path}/retire"), json!({ "version": s["version"] })).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "retired");
    assert_eq!(r["assignments"][0]["end_date"], "2026-03-03");
    assert_eq!(app.get(&admin, "/api/v1/staff").await.1["total"], 0);
    assert_eq!(app.get(&admin, "/api/v1/staff?status=all").await.1["total"], 1);
    assert_eq!(app.get(&admin, &path).await.1["name"], "关羽");
    let body = json!({ "version": r["version"], "area_id": t.comm_a1, "name": "关云长", "phone": "13900000008", "position": "grid_worker" });
    assert_error(&app.patch_json(&admin, &path, body).await, StatusCode::CONFLICT, "conflict", None);
    assert_error(
        &app.post_json(&admin, &format!("{path}/assignments"), json!({ "grid_id": t.grid_a1_1 })).await,
        StatusCode::CONFLICT,
        "conflict",
        None,
    );
}

#[tokio::test]
async fn photo_upload_is_served_as_an_image() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = app.staff(&admin, t.comm_a1, "钱多多", "13900000004").await;
    let id = s["id"].as_i64().unwrap();
    let png = tiny_png();
    let (st, v) = upload(&app, &admin, id, &png, "image/png").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let url = v["photo_url"].as_str().unwrap().to_owned();
    let file_id = url.strip_prefix("/files/").unwrap();
    assert_eq!(file_id.len(), 32);
    assert!(file_id.chars().all(|c| c.is_ascii_hexdigit()));
    // Stored under the generated name, not the client's.
    assert!(app.dir.path().join("files").join(&file_id[..2]).join(file_id).exists());
    let r = app.call(Method::GET, &url, &admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/png");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.body, png);
    // The photo is visible to the community's own staff account, but not to an anonymous caller.
    app.account("nenshui", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let own = app.login("nenshui", PASSWORD).await;
    assert_eq!(app.call(Method::GET, &url, &own, None).await.status, StatusCode::OK);
    let r = app.call(Method::GET, &url, &Session::anon(), None).await;
    assert_ne!(r.status, StatusCode::OK);
    assert!(r.body != png);
    // The upload is audited.
    let rows = app.audit_rows("staff_photo_set").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].object_id, id.to_string());
}

#[tokio::test]
async fn photo_of_another_community_is_not_found() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = app.staff(&admin, t.comm_a1, "孙悟空", "13900000005").await;
    let (st, v) = upload(&app, &admin, s["id"].as_i64().unwrap(), &tiny_png(), "image/png").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let url = v["photo_url"].as_str().unwrap().to_owned();
    app.account("jinshan", Role::CommunityStaff, Bind::Area(t.comm_a2)).await;
    let other = app.login("jinshan", PASSWORD).await;
    let r = app.call(Method::GET, &url, &other, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    assert!(r.body != tiny_png());
    app.account("chengbei", Role::GridWorker, Bind::Area(t.grid_b1_1)).await;
    let other = app.login("chengbei", PASSWORD).await;
    assert_eq!(app.call(Method::GET, &url, &other, None).await.status, StatusCode::NOT_FOUND);
    // A made-up or malformed file id is not found either.
    assert_eq!(
        app.call(Method::GET, &format!("/files/{}", "0".repeat(32)), &admin, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.call(Method::GET, "/files/..%2F..%2Fwangge.db", &admin, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn non_image_upload_is_refused() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = app.staff(&admin, t.comm_a1, "猪八戒", "13900000006").await;
    let id = s["id"].as_i64().unwrap();
    // The declared type and name do not matter; the content does.
    let got = upload(&app, &admin, id, b"<html><script>alert(1)</script></html>", "image/png").await;
    assert_error(&got, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type", None);
    let got = upload(&app, &admin, id, b"GIF89a\x01\x00\x01\x00", "image/gif").await;
    assert_error(&got, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type", None);
    let got = upload(&app, &admin, id, b"", "image/png").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("photo"));
    // Wrong field name.
    let (ct, body) = multipart("picture", "a.png", "image/png", &tiny_png());
    let req = app
        .request(Method::POST, &format!("/api/v1/staff/{id}/photo"), &admin)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["photo"].is_string());
    assert!(app.get(&admin, &format!("/api/v1/staff/{id}")).await.1["photo_url"].is_null());
    assert!(!app.dir.path().join("files").exists() || walk(&app.dir.path().join("files")) == 0, "nothing stored");
}

#[tokio::test]
async fn oversized_upload_is_refused() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = app.staff(&admin, t.comm_a1, "沙和尚", "13900000007").await;
    let id = s["id"].as_i64().unwrap();
    let mut big = tiny_png();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let got = upload(&app, &admin, id, &big, "image/png").await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "too_large", None);
    assert!(got.1["message"].as_str().unwrap().contains("5 MB"), "{}", got.1);
    assert!(app.get(&admin, &format!("/api/v1/staff/{id}")).await.1["photo_url"].is_null());
    // Exactly 5 MiB is accepted.
    big.truncate(5 * 1024 * 1024);
    let (st, v) = upload(&app, &admin, id, &big, "image/png").await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// Number of files under a directory.
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}
