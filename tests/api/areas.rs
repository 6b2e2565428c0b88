//! The area tree through the API: create, list and filter, bad input, edit, move with history, retire.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge::auth::Role;

fn codes(v: &Value) -> Vec<String> {
    v["items"].as_array().expect("items").iter().map(|i| i["code"].as_str().unwrap().to_owned()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn create_town_community_grid_with_valid_codes() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (st, town) = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": app.county_id, "kind": "town", "code": "510725101000", "name": "鹤山镇" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{town}");
    assert_eq!(town["kind"], "town");
    assert_eq!(town["subkind"], "town");
    assert_eq!(town["parent_id"], app.county_id);
    assert_eq!(town["path"], json!(["演示县"]));
    let body = json!({ "parent_id": town["id"], "kind": "community", "subkind": "village", "code": "510725101001", "name": "嫩水村" });
    let (st, comm) = app.post_json(&admin, "/api/v1/areas", body).await;
    assert_eq!(st, StatusCode::CREATED, "{comm}");
    assert_eq!(comm["subkind"], "village");
    let boundary =
        json!({ "type": "Polygon", "coordinates": [[[104.7, 31.7], [104.8, 31.7], [104.8, 31.8], [104.7, 31.7]]] });
    let body = json!({ "parent_id": comm["id"], "kind": "grid", "subkind": "rural", "code": "510725101001001", "name": "嫩水村第一网格",
                       "boundary": boundary, "households": 312, "area_note": "村委会以东" });
    let (st, grid) = app.post_json(&admin, "/api/v1/areas", body).await;
    assert_eq!(st, StatusCode::CREATED, "{grid}");
    for key in ["id", "code", "name", "kind", "parent_id", "path"] {
        assert!(grid.get(key).is_some(), "{key} missing in {grid}");
    }
    assert_eq!(grid["code"], "510725101001001");
    assert_eq!(grid["name"], "嫩水村第一网格");
    assert_eq!(grid["kind"], "grid");
    assert_eq!(grid["parent_id"], comm["id"]);
    assert_eq!(grid["path"], json!(["演示县", "鹤山镇", "嫩水村"]));
    assert_eq!(grid["households"], 312);
    assert_eq!(grid["status"], "active");
    assert_eq!(grid["boundary"], boundary);
    let (st, again) = app.get(&admin, &format!("/api/v1/areas/{}", grid["id"])).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(again["path"], grid["path"]);
    assert_eq!(again["area_note"], "村委会以东");
    // A grid sequence of two digits is allowed too.
    app.area(&admin, comm["id"].as_i64().unwrap(), "grid", "51072510100102", "两位序号网格").await;
}

#[tokio::test]
async fn list_filters_by_parent_ancestor_kind_and_text() {
    let (app, t, admin) = TestApp::with_tree().await;
    let (st, v) = app.get(&admin, "/api/v1/areas?per_page=100").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["total"], 10);
    assert_eq!(v["page"], 1);
    assert_eq!(v["per_page"], 100);
    assert_eq!(v["items"].as_array().unwrap().len(), 10);
    let first = &v["items"][0];
    assert_eq!(first["id"], t.county);
    assert_eq!(first["kind"], "county");
    assert!(first["parent_id"].is_null());
    assert_eq!(first["path"], json!([]));

    let (_, v) = app.get(&admin, &format!("/api/v1/areas?parent={}", t.town_a)).await;
    assert_eq!(codes(&v), ["510725101001", "510725101002"]);
    assert_eq!(v["total"], 2);
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?ancestor={}", t.town_a)).await;
    assert_eq!(codes(&v), ["510725101001", "510725101001001", "510725101001002", "510725101002", "510725101002001"]);
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?ancestor={}&kind=grid", t.town_a)).await;
    assert_eq!(codes(&v), ["510725101001001", "510725101001002", "510725101002001"]);
    assert_eq!(v["items"][2]["path"], json!(["演示县", "鹤山镇", "金山社区"]));
    assert_eq!(v["items"][2]["parent_id"], t.comm_a2);
    let (_, v) = app.get(&admin, "/api/v1/areas?kind=town").await;
    assert_eq!(codes(&v), ["510725101000", "510725102000"]);
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?q={}", urlenc("城北"))).await;
    assert_eq!(codes(&v), ["510725102001", "510725102001001"]);
    assert_eq!(v["items"][0]["id"], t.comm_b1);
    assert_eq!(v["items"][1]["parent_id"], t.comm_b1);
    let (_, v) = app.get(&admin, "/api/v1/areas?q=510725101002").await;
    assert_eq!(codes(&v), ["510725101002", "510725101002001"]);
    // `%` is a literal, not a wildcard.
    let (_, v) = app.get(&admin, "/api/v1/areas?q=%25").await;
    assert_eq!(v["total"], 0);
    // Paging.
    let (_, v) = app.get(&admin, "/api/v1/areas?kind=grid&per_page=2&page=2").await;
    assert_eq!(v["total"], 4);
    assert_eq!(v["page"], 2);
    assert_eq!(v["per_page"], 2);
    assert_eq!(codes(&v), ["510725101002001", "510725102001001"]);
    // Bad filters name the field.
    assert_error(
        &app.get(&admin, "/api/v1/areas?kind=city").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("kind"),
    );
    assert_error(
        &app.get(&admin, "/api/v1/areas?parent=abc").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        None,
    );
    assert_error(
        &app.get(&admin, "/api/v1/areas?colour=red").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("colour"),
    );
}

pub fn urlenc(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

async fn tree_and_town() -> (TestApp, Session, i64) {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let town = app.area(&admin, app.county_id, "town", "510725101000", "鹤山镇").await;
    (app, admin, town)
}

#[tokio::test]
async fn unknown_json_field_is_refused_by_name() {
    let (app, admin, town) = tree_and_town().await;
    let got = app.post_json(&admin, "/api/v1/areas", json!({ "parent_id": town, "kind": "community", "code": "510725101001", "name": "嫩水社区", "colour": "red" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("colour"));
    assert_eq!(app.get(&admin, "/api/v1/areas?kind=community").await.1["total"], 0);
    let got = app.patch_json(&admin, &format!("/api/v1/areas/{town}"), json!({ "version": 1, "nmae": "x" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("nmae"));
    let got = app
        .post_json(&admin, "/api/v1/areas", json!({ "parent_id": town, "kind": "community", "name": "缺编码" }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("code"));
}

#[tokio::test]
async fn overlong_name_is_refused() {
    let (app, admin, town) = tree_and_town().await;
    let long: String = "长".repeat(51);
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "community", "code": "510725101001", "name": long }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("name"));
    assert_eq!(got.1["fields"]["name"], "名称不能超过 50 个字");
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "community", "code": "510725101001", "name": "   " }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("name"));
    // Exactly 50 is fine.
    app.area(&admin, town, "community", "510725101001", &"长".repeat(50)).await;
    let got = app
        .patch_json(&admin, &format!("/api/v1/areas/{town}"), json!({ "version": 1, "name": "镇".repeat(51) }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("name"));
}

#[tokio::test]
async fn invalid_codes_are_refused() {
    let (app, admin, town) = tree_and_town().await;
    for (kind, parent, code) in [
        ("town", app.county_id, "510726101000"),
        ("town", app.county_id, "510725000000"),
        ("town", app.county_id, "51072510100"),
        ("community", town, "510725102001"),
        ("community", town, "510725101000"),
        ("community", town, "51072510100A"),
    ] {
        let got = app
            .post_json(
                &admin,
                "/api/v1/areas",
                json!({ "parent_id": parent, "kind": kind, "code": code, "name": "测试" }),
            )
            .await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("code"));
    }
    let comm = app.area(&admin, town, "community", "510725101001", "嫩水社区").await;
    for code in ["510725101001000", "510725101002001", "5107251010010011", "5107251010011"] {
        let got = app
            .post_json(
                &admin,
                "/api/v1/areas",
                json!({ "parent_id": comm, "kind": "grid", "code": code, "name": "测试网格" }),
            )
            .await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("code"));
    }
    assert_eq!(app.get(&admin, "/api/v1/areas?kind=grid").await.1["total"], 0);
}

#[tokio::test]
async fn parent_of_the_wrong_kind_is_refused() {
    let (app, admin, town) = tree_and_town().await;
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "grid", "code": "510725101000001", "name": "错位网格" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    assert_eq!(got.1["fields"]["parent_id"], "网格的上级必须是社区（村）");
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": app.county_id, "kind": "community", "code": "510725101001", "name": "错位社区" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "county", "code": "510725", "name": "第二个县" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": 9999, "kind": "community", "code": "510725101001", "name": "无主社区" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "street", "code": "510725101001", "name": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("kind"));
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "community", "subkind": "城", "code": "510725101001", "name": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("subkind"));
}

#[tokio::test]
async fn duplicate_code_is_refused() {
    let (app, admin, town) = tree_and_town().await;
    app.area(&admin, town, "community", "510725101001", "嫩水社区").await;
    let (st, v) = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": town, "kind": "community", "code": "510725101001", "name": "另一个社区" }),
        )
        .await;
    assert!(st == StatusCode::UNPROCESSABLE_ENTITY || st == StatusCode::CONFLICT, "{st} {v}");
    let msg = v["fields"]["code"].as_str().or(v["message"].as_str()).unwrap_or("");
    assert!(msg.contains("510725101001") || msg.contains("重复") || msg.contains("已被使用"), "{v}");
    assert_eq!(v["fields"]["code"], "编码 510725101001 已被使用");
    let (_, list) = app.get(&admin, "/api/v1/areas?kind=community").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["name"], "嫩水社区");
}

#[tokio::test]
async fn moving_an_area_under_itself_or_its_descendant_is_a_cycle() {
    let (app, t, admin) = TestApp::with_tree().await;
    let (_, comm) = app.get(&admin, &format!("/api/v1/areas/{}", t.comm_a1)).await;
    let got = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/move", t.comm_a1),
            json!({ "version": comm["version"], "parent_id": t.comm_a1 }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    assert!(got.1["fields"]["parent_id"].as_str().unwrap().contains("循环"), "{}", got.1);
    let (_, town) = app.get(&admin, &format!("/api/v1/areas/{}", t.town_a)).await;
    let got = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/move", t.town_a),
            json!({ "version": town["version"], "parent_id": t.comm_a1 }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    assert!(got.1["fields"]["parent_id"].as_str().unwrap().contains("循环"), "{}", got.1);
    // Wrong kind of target, and the county itself, are refused too.
    let (_, grid) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a1_1)).await;
    let got = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/move", t.grid_a1_1),
            json!({ "version": grid["version"], "parent_id": t.town_b }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    let got = app
        .post_json(&admin, &format!("/api/v1/areas/{}/move", t.county), json!({ "version": 1, "parent_id": t.town_a }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    // Nothing moved.
    let (_, after) = app.get(&admin, &format!("/api/v1/areas/{}", t.comm_a1)).await;
    assert_eq!(after["parent_id"], t.town_a);
    assert_eq!(after["code"], "510725101001");
}

#[tokio::test]
async fn invalid_geojson_boundary_is_refused() {
    let (app, t, admin) = TestApp::with_tree().await;
    let bad = [
        json!({ "type": "Point", "coordinates": [104.7, 31.7] }),
        json!({ "type": "Polygon", "coordinates": [[[104.7, 31.7], [104.8, 31.7], [104.8, 31.8], [104.7, 31.9]]] }),
        json!({ "type": "Polygon", "coordinates": [[[104.7, 31.7], [104.8, 31.7], [104.7, 31.7]]] }),
        json!({ "type": "Polygon", "coordinates": [[[204.7, 31.7], [104.8, 31.7], [104.8, 31.8], [204.7, 31.7]]] }),
        json!({ "coordinates": [] }),
        json!("not geojson"),
    ];
    for b in bad {
        let got = app.post_json(&admin, "/api/v1/areas", json!({ "parent_id": t.comm_a1, "kind": "grid", "code": "510725101001009", "name": "边界网格", "boundary": b })).await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("boundary"));
        let got = app
            .patch_json(&admin, &format!("/api/v1/areas/{}", t.grid_a1_1), json!({ "version": 1, "boundary": b }))
            .await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("boundary"));
    }
    let (_, g) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a1_1)).await;
    assert!(g["boundary"].is_null());
    assert_eq!(g["version"], 1);
}

#[tokio::test]
async fn update_checks_the_version() {
    let (app, t, admin) = TestApp::with_tree().await;
    let path = format!("/api/v1/areas/{}", t.grid_a1_1);
    let (_, g) = app.get(&admin, &path).await;
    let v1 = g["version"].as_i64().unwrap();
    let (st, g2) = app.patch_json(&admin, &path, json!({ "version": v1, "name": "嫩水一格", "households": 120 })).await;
    assert_eq!(st, StatusCode::OK, "{g2}");
    assert_eq!(g2["name"], "嫩水一格");
    assert_eq!(g2["households"], 120);
    assert_eq!(g2["version"], v1 + 1);
    // A second writer with the old version loses, and changes nothing.
    let got = app.patch_json(&admin, &path, json!({ "version": v1, "name": "嫩水甲格" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert_eq!(app.get(&admin, &path).await.1["name"], "嫩水一格");
    // The same for moving.
    let got = app.post_json(&admin, &format!("{path}/move"), json!({ "version": v1, "parent_id": t.comm_a2 })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let got = app.post_json(&admin, &format!("{path}/retire"), json!({ "version": v1, "reason": "合并" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert_eq!(app.get(&admin, &path).await.1["status"], "active");
}

#[tokio::test]
async fn moving_a_grid_rewrites_its_code_and_keeps_history() {
    let (app, t, admin) = TestApp::with_tree().await;
    let path = format!("/api/v1/areas/{}", t.grid_a1_1);
    let (_, g) = app.get(&admin, &path).await;
    app.clock.advance(60_000);
    let (st, moved) = app
        .post_json(&admin, &format!("{path}/move"), json!({ "version": g["version"], "parent_id": t.comm_a2 }))
        .await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    // 金山社区 already has …002001, so the grid takes the next free sequence.
    assert_eq!(moved["code"], "510725101002002");
    assert!(moved["code"].as_str().unwrap().starts_with("510725101002"));
    assert_eq!(moved["parent_id"], t.comm_a2);
    assert_eq!(moved["path"], json!(["演示县", "鹤山镇", "金山社区"]));
    assert_eq!(moved["name"], "嫩水第一网格");
    let (st, h) = app.get(&admin, &format!("{path}/history")).await;
    assert_eq!(st, StatusCode::OK, "{h}");
    assert_eq!(h["total"], 1);
    let m = &h["items"][0];
    assert_eq!(m["from_code"], "510725101001001");
    assert_eq!(m["to_code"], "510725101002002");
    assert_eq!(m["from_parent_id"], t.comm_a1);
    assert_eq!(m["to_parent_id"], t.comm_a2);
    assert_eq!(m["from_parent_name"], "嫩水社区");
    assert_eq!(m["to_parent_name"], "金山社区");
    assert_eq!(m["moved_at"], app.now());
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?parent={}", t.comm_a1)).await;
    assert_eq!(codes(&v), ["510725101001002"]);
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?parent={}", t.comm_a2)).await;
    assert_eq!(sorted(codes(&v)), ["510725101002001", "510725101002002"]);
    // The freed code can be reused by a new grid.
    app.area(&admin, t.comm_a1, "grid", "510725101001001", "新嫩水第一网格").await;
}

#[tokio::test]
async fn moving_a_community_moves_its_grids() {
    let (app, t, admin) = TestApp::with_tree().await;
    let (_, c) = app.get(&admin, &format!("/api/v1/areas/{}", t.comm_a2)).await;
    let (st, moved) = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/move", t.comm_a2),
            json!({ "version": c["version"], "parent_id": t.town_b }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    assert_eq!(moved["code"], "510725102002");
    let (_, g) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a2_1)).await;
    assert_eq!(g["code"], "510725102002001");
    assert_eq!(g["parent_id"], t.comm_a2);
    assert_eq!(g["path"], json!(["演示县", "文昌镇", "金山社区"]));
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?ancestor={}&kind=grid", t.town_b)).await;
    assert_eq!(sorted(codes(&v)), ["510725102001001", "510725102002001"]);
    let (_, h) = app.get(&admin, &format!("/api/v1/areas/{}/history", t.grid_a2_1)).await;
    assert_eq!(h["items"][0]["from_code"], "510725101002001");
    assert_eq!(h["items"][0]["to_code"], "510725102002001");
}

#[tokio::test]
async fn retiring_a_grid_keeps_it_readable_and_ends_its_assignments() {
    let (app, t, admin) = TestApp::with_tree().await;
    let staff = app.staff(&admin, t.comm_a1, "张三", "13800000001").await;
    let sid = staff["id"].as_i64().unwrap();
    let (st, s) = app
        .post_json(
            &admin,
            &format!("/api/v1/staff/{sid}/assignments"),
            json!({ "grid_id": t.grid_a1_1, "start_date": "2026-01-05" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert!(s["assignments"][0]["end_date"].is_null());

    let path = format!("/api/v1/areas/{}", t.grid_a1_1);
    let (_, g) = app.get(&admin, &path).await;
    let got = app.post_json(&admin, &format!("{path}/retire"), json!({ "version": g["version"] })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("reason"));
    let (st, r) = app
        .post_json(&admin, &format!("{path}/retire"), json!({ "version": g["version"], "reason": "并入第二网格" }))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "retired");
    assert_eq!(r["retired_at"], app.now());
    let (st, r) = app.get(&admin, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(r["status"], "retired");
    assert_eq!(r["code"], "510725101001001");

    let (_, v) = app.get(&admin, &format!("/api/v1/areas?parent={}", t.comm_a1)).await;
    assert_eq!(codes(&v), ["510725101001002"]);
    let (_, v) = app.get(&admin, &format!("/api/v1/areas?parent={}&status=all", t.comm_a1)).await;
    assert_eq!(codes(&v), ["510725101001001", "510725101001002"]);
    let (_, v) = app.get(&admin, "/api/v1/areas?status=retired").await;
    assert_eq!(codes(&v), ["510725101001001"]);

    let (_, s) = app.get(&admin, &format!("/api/v1/staff/{sid}")).await;
    assert_eq!(s["assignments"][0]["grid_id"], t.grid_a1_1);
    assert_eq!(s["assignments"][0]["start_date"], "2026-01-05");
    assert_eq!(s["assignments"][0]["end_date"], "2026-03-02");

    // A retired grid cannot be edited, moved, retired again, or given staff.
    let (_, g) = app.get(&admin, &path).await;
    assert_error(
        &app.patch_json(&admin, &path, json!({ "version": g["version"], "name": "x" })).await,
        StatusCode::CONFLICT,
        "conflict",
        None,
    );
    assert_error(
        &app.post_json(&admin, &format!("{path}/retire"), json!({ "version": g["version"], "reason": "再次" })).await,
        StatusCode::CONFLICT,
        "conflict",
        None,
    );
    let got =
        app.post_json(&admin, &format!("/api/v1/staff/{sid}/assignments"), json!({ "grid_id": t.grid_a1_1 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("grid_id"));
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": t.grid_a1_1, "kind": "grid", "code": "510725101001003", "name": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
}

#[tokio::test]
async fn retiring_refuses_areas_with_live_children_or_accounts() {
    let (app, t, admin) = TestApp::with_tree().await;
    let (_, c) = app.get(&admin, &format!("/api/v1/areas/{}", t.comm_a2)).await;
    let got = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/retire", t.comm_a2),
            json!({ "version": c["version"], "reason": "撤并" }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    app.account("jinshan1", Role::GridWorker, Bind::Area(t.grid_a2_1)).await;
    let (_, g) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a2_1)).await;
    let got = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/retire", t.grid_a2_1),
            json!({ "version": g["version"], "reason": "撤并" }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let got = app
        .post_json(&admin, &format!("/api/v1/areas/{}/retire", t.county), json!({ "version": 1, "reason": "撤并" }))
        .await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
    assert_eq!(app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a2_1)).await.1["status"], "active");
}

/// A value of the wrong type is answered with 422 naming the field.
#[tokio::test]
async fn wrong_type_names_the_field() {
    let (app, admin, town) = tree_and_town().await;
    assert_error(
        &app.get(&admin, "/api/v1/areas?parent=abc").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("parent"),
    );
    let got = app
        .post_json(
            &admin,
            "/api/v1/areas",
            json!({ "parent_id": "x", "kind": "community", "code": "510725101001", "name": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("parent_id"));
    let got = app.patch_json(&admin, &format!("/api/v1/areas/{town}"), json!({ "version": "one" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("version"));
}

/// A path id that is not a number, and a method a path does not take, answer in the one error shape.
#[tokio::test]
async fn non_numeric_path_id_gets_the_error_shape() {
    let (app, admin, _town) = tree_and_town().await;
    let got = app.get(&admin, "/api/v1/areas/abc").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    let r = app.call(axum::http::Method::PUT, "/api/v1/areas", &admin, None).await;
    assert!(r.json()["code"].is_string(), "405 should carry the error shape: {:?}", r.text());
}

#[tokio::test]
async fn a_communitys_grid_boundaries_export_as_one_geojson_collection() {
    let (app, t, admin) = TestApp::with_tree().await;
    let square = json!({ "type": "Polygon", "coordinates": [[[104.70, 31.70], [104.71, 31.70], [104.71, 31.71], [104.70, 31.71], [104.70, 31.70]]] });
    let (st, v) = app
        .post_json(&admin, "/api/v1/areas", json!({ "parent_id": t.comm_a1, "kind": "grid", "code": "510725101001003", "name": "嫩水第三网格", "boundary": square }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let r = app
        .send(
            app.request(axum::http::Method::GET, &format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1), &admin)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/geo+json");
    assert!(r.header("content-disposition").contains("filename*=UTF-8''"));
    let fc = r.json();
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    // The community's three grids, by code; the two without a drawn boundary have a null geometry.
    let codes: Vec<&str> = features.iter().map(|f| f["properties"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["510725101001001", "510725101001002", "510725101001003"]);
    assert_eq!(features[2]["geometry"], square);
    assert_eq!(
        (features[0]["geometry"].clone(), features[2]["properties"]["parent_id"].as_i64()),
        (Value::Null, Some(t.comm_a1))
    );
    // The shape found again: the exported polygon holds its own centre.
    let shape = wangge::geo::polygon::Shape::from_geojson(&features[2]["geometry"]).unwrap();
    assert!(shape.contains(104.705, 31.705));
    // Another town's worker cannot export this community.
    let outsider = app.demo_session("outsider", wangge::auth::Role::GridWorker, Bind::Area(t.grid_b1_1)).await;
    let got = app.get(&outsider, &format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1)).await;
    assert_eq!(got.0, StatusCode::NOT_FOUND);
}
