//! Grid maps through the API: GeoJSON import (all or nothing, datum conversion, history, round
//! trip), the overlap and gap check, drawing with a version check, the cached grid index following
//! every change, the printable diagram, and tiles only when configured.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::auth::Role;
use wangge::domains::org::locate;

/// A closed square ring of `s` degrees with its south-west corner at (x, y).
fn square(x: f64, y: f64, s: f64) -> Value {
    // Rounded as stored (1e-7°, about 1 cm), so that sums like 104.70 + 0.01 compare equal.
    let r = |v: f64| (v * 1e7).round() / 1e7;
    let (x1, y1) = (r(x + s), r(y + s));
    json!({ "type": "Polygon", "coordinates": [[[x, y], [x1, y], [x1, y1], [x, y1], [x, y]]] })
}

fn feature(code: &str, geometry: Value) -> Value {
    json!({ "type": "Feature", "properties": { "code": code }, "geometry": geometry })
}

fn collection(features: Vec<Value>) -> Value {
    json!({ "type": "FeatureCollection", "features": features })
}

async fn put(app: &TestApp, s: &Session, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = app.call(Method::PUT, path, s, Some(body)).await;
    (r.status, r.json())
}

async fn area(app: &TestApp, s: &Session, id: i64) -> Value {
    let (st, v) = app.get(s, &format!("/api/v1/areas/{id}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

const G1: &str = "510725101001001";
const G2: &str = "510725101001002";

#[tokio::test]
async fn import_is_all_or_nothing_with_chinese_errors_naming_the_feature() {
    let (app, t, admin) = TestApp::with_tree().await;
    let url = format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1);
    let bow = json!({ "type": "Polygon", "coordinates": [[[104.71, 31.70], [104.72, 31.71], [104.72, 31.70], [104.71, 31.71], [104.71, 31.70]]] });
    let body = collection(vec![feature(G1, square(104.70, 31.70, 0.01)), feature(G2, bow)]);
    let (st, v) = put(&app, &admin, &url, &body).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let msg = v["fields"]["features[1]"].as_str().unwrap();
    assert!(msg.contains("第 2 个要素") && msg.contains("嫩水第二网格") && msg.contains("自相交"), "{msg}");
    // Nothing was written, not even the good feature.
    assert_eq!(area(&app, &admin, t.grid_a1_1).await["boundary"], Value::Null);
    assert_eq!(area(&app, &admin, t.grid_a1_1).await["version"], 1);

    // A grid of another community, an unknown code, coordinates outside China, a bad datum: each named.
    let body = collection(vec![
        feature("510725101002001", square(104.70, 31.70, 0.01)),
        feature("510725101001099", square(104.70, 31.70, 0.01)),
        feature(G2, square(31.70, 104.70, 0.01)),
        json!({ "type": "Feature", "properties": { "code": G1, "datum": "bd09" }, "geometry": square(104.70, 31.70, 0.01) }),
        json!({ "type": "Feature", "properties": { "name": "无编码" }, "geometry": square(104.70, 31.70, 0.01) }),
    ]);
    let (st, v) = put(&app, &admin, &url, &body).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let f = &v["fields"];
    assert!(f["features[0]"].as_str().unwrap().contains("嫩水社区下没有这个网格"), "{v}");
    assert!(f["features[1]"].as_str().unwrap().contains("编码 510725101001099"), "{v}");
    assert!(f["features[2]"].as_str().unwrap().contains("超出中国范围"), "{v}");
    assert!(f["features[3]"].as_str().unwrap().contains("bd09"), "{v}");
    assert!(f["features[4]"].as_str().unwrap().contains("缺少网格编码"), "{v}");
    // Not a collection, a grid instead of a community, a bad query datum.
    let (st, _) = put(&app, &admin, &url, &square(104.7, 31.7, 0.01)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) =
        put(&app, &admin, &format!("/api/v1/areas/{}/boundaries.geojson", t.grid_a1_1), &collection(vec![])).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, v) = put(&app, &admin, &format!("{url}?datum=bd09"), &collection(vec![])).await;
    assert_error(&(st, v), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("datum"));
    // Outside one's scope: not found; without the permission: forbidden.
    let other_town = app.demo_session("town_b", Role::TownCenter, Bind::Area(t.town_b)).await;
    let (st, _) = put(&app, &other_town, &url, &collection(vec![feature(G1, square(104.7, 31.7, 0.01))])).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let community = app.demo_session("comm", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let (st, _) = put(&app, &community, &url, &collection(vec![feature(G1, square(104.7, 31.7, 0.01))])).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(app.audit_rows("area_boundary_imported").await.is_empty());
}

#[tokio::test]
async fn import_converts_gcj02_keeps_history_and_round_trips_with_the_export() {
    let (app, t, admin) = TestApp::with_tree().await;
    let url = format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1);
    // The reference point: GCJ-02 (116.410244…, 39.916404…) is WGS-84 (116.404, 39.915).
    let (gx, gy) = (116.410_244_499_169_38, 39.916_404_281_501_64);
    let body = collection(vec![feature(G1, square(gx, gy, 0.002)), feature(G2, Value::Null)]);
    // A dry run answers what would change and writes nothing.
    let (st, v) = put(&app, &admin, &format!("{url}?datum=gcj02&dry_run=true"), &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["changed"].as_array().unwrap().len(), 1);
    assert_eq!(area(&app, &admin, t.grid_a1_1).await["boundary"], Value::Null);
    let (st, v) = put(&app, &admin, &format!("{url}?datum=gcj02"), &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["changed"][0]["code"], G1);
    assert_eq!(v["changed"][0]["version"], 2);
    assert_eq!(v["unchanged"], 1, "the null geometry leaves 嫩水第二网格 as it is");
    let g = area(&app, &admin, t.grid_a1_1).await;
    assert_eq!(g["version"], 2);
    let p = &g["boundary"]["coordinates"][0][0];
    assert!((p[0].as_f64().unwrap() - 116.404).abs() < 2e-7 && (p[1].as_f64().unwrap() - 39.915).abs() < 2e-7, "{p}");
    // The change is in the history with what was there before.
    let rows = app.audit_rows("area_boundary_imported").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].object_id, t.grid_a1_1.to_string());
    let detail: Value = serde_json::from_str(&rows[0].detail).unwrap();
    assert_eq!(detail["boundary"]["from"], Value::Null);
    assert_eq!(detail["boundary"]["to"], g["boundary"]);

    // Replace it in WGS-84 (a property datum overrides the query's): the old boundary is kept in history.
    let wgs = json!({ "type": "Feature", "properties": { "code": G1, "datum": "wgs84" }, "geometry": square(104.70, 31.70, 0.01) });
    let (st, v) = put(&app, &admin, &format!("{url}?datum=gcj02"), &collection(vec![wgs])).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["changed"][0]["replaced"], true);
    assert_eq!(area(&app, &admin, t.grid_a1_1).await["boundary"], square(104.70, 31.70, 0.01));
    let rows = app.audit_rows("area_boundary_imported").await;
    let detail: Value = serde_json::from_str(&rows[0].detail).unwrap();
    assert_eq!(detail["boundary"]["from"], g["boundary"]);

    // Round trip: the export imports back unchanged (no new versions, no history rows).
    let r = app.call(Method::GET, &url, &admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let exported = r.json();
    assert_eq!(exported["features"].as_array().unwrap().len(), 2);
    let (st, v) = put(&app, &admin, &url, &exported).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["changed"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["unchanged"], 2);
    assert_eq!(area(&app, &admin, t.grid_a1_1).await["version"], 3);
    assert_eq!(app.audit_rows("area_boundary_imported").await.len(), 2);
    // Features may name grids by id too (the export carries both).
    let by_id = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "id": t.grid_a1_2, "properties": {}, "geometry": square(104.71, 31.70, 0.01) }] });
    let (st, v) = put(&app, &admin, &url, &by_id).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["changed"][0]["id"], t.grid_a1_2);
    assert!(v["check"]["overlaps"].as_array().unwrap().is_empty(), "touching squares: {v}");
}

#[tokio::test]
async fn the_check_reports_overlaps_in_square_metres_and_gaps_inside_the_community() {
    let (app, t, admin) = TestApp::with_tree().await;
    let url = format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1);
    // The second grid starts 0.001° (about 95 m) inside the first: an overlap of ~95 m × 1110 m.
    let body = collection(vec![feature(G1, square(104.70, 31.70, 0.01)), feature(G2, square(104.709, 31.70, 0.01))]);
    let (st, v) = put(&app, &admin, &format!("{url}?dry_run=true"), &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let o = &v["check"]["overlaps"][0];
    let m2 = o["area_m2"].as_f64().unwrap();
    assert!((95_000.0..115_000.0).contains(&m2), "{m2}");
    let (st, _) = put(&app, &admin, &url, &body).await;
    assert_eq!(st, StatusCode::OK, "warnings do not stop an import the user confirms");
    let (st, c) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check", t.comm_a1)).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["overlaps"].as_array().unwrap().len(), 1, "{c}");
    assert_eq!(c["overlaps"][0]["a_name"], "嫩水第一网格");
    assert_eq!(c["overlaps"][0]["b_name"], "嫩水第二网格");
    assert!(c["gaps"].as_array().unwrap().is_empty());
    // A grid's check is its community's.
    let (_, cg) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check", t.grid_a1_1)).await;
    assert_eq!(cg["overlaps"], c["overlaps"]);
    // Separate them by a sliver and give the community its boundary: the sliver is a gap.
    let body = collection(vec![feature(G2, square(104.7101, 31.70, 0.01))]);
    let (st, _) = put(&app, &admin, &url, &body).await;
    assert_eq!(st, StatusCode::OK);
    // Without a community boundary the open strip encloses nothing: the neighbours are named as
    // not meeting, about 9.5 m apart.
    let (_, c) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check", t.comm_a1)).await;
    assert!(c["overlaps"].as_array().unwrap().is_empty() && c["gaps"].as_array().unwrap().is_empty(), "{c}");
    assert_eq!(c["seams"].as_array().unwrap().len(), 1, "{c}");
    assert_eq!(c["seams"][0]["a_name"], "嫩水第一网格");
    assert_eq!(c["seams"][0]["b_name"], "嫩水第二网格");
    let d = c["seams"][0]["distance_m"].as_f64().unwrap();
    assert!((9.0..10.0).contains(&d), "0.0001° of longitude at 31.7° N ≈ 9.5 m: {d}");
    let html = app.call(Method::GET, &format!("/areas/{}", t.comm_a1), &admin, None).await.text();
    assert!(html.contains("1 处相邻网格没接上") && html.contains("最近处相距约 9.5 米"), "{html}");
    let comm = area(&app, &admin, t.comm_a1).await;
    let outer = json!({ "type": "Polygon", "coordinates": [[[104.70, 31.70], [104.7201, 31.70], [104.7201, 31.71], [104.70, 31.71], [104.70, 31.70]]] });
    let (st, v) = app
        .patch_json(
            &admin,
            &format!("/api/v1/areas/{}", t.comm_a1),
            json!({ "version": comm["version"], "boundary": outer }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, c) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check", t.comm_a1)).await;
    assert!(c["overlaps"].as_array().unwrap().is_empty(), "{c}");
    assert_eq!(c["within_boundary"], true);
    assert_eq!(c["gaps"].as_array().unwrap().len(), 1, "{c}");
    assert!(c["seams"].as_array().unwrap().is_empty(), "inside the boundary the strip is the gap: {c}");
    let gap = c["gaps"][0]["area_m2"].as_f64().unwrap();
    assert!((9_000.0..12_000.0).contains(&gap), "0.0001° × 0.01° ≈ 9.5 m × 1110 m: {gap}");
    // A tolerance above it hides it; a bad tolerance is refused.
    let (_, c) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check?tolerance=20000", t.comm_a1)).await;
    assert!(c["gaps"].as_array().unwrap().is_empty());
    let (st, _) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check?tolerance=-1", t.comm_a1)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // The community page shows the check.
    let r = app.call(Method::GET, &format!("/areas/{}", t.comm_a1), &admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("边界检查发现 0 处重叠、1 处缝隙"), "{html}");
    assert!(html.contains("导入边界 GeoJSON") && html.contains("打印网格示意图"));
}

#[tokio::test]
async fn drawing_a_boundary_checks_the_version_and_the_shape() {
    let (app, t, admin) = TestApp::with_tree().await;
    let url = format!("/api/v1/areas/{}/boundary", t.grid_a1_1);
    let (st, v) = put(&app, &admin, &url, &json!({ "version": 1, "boundary": square(104.70, 31.70, 0.01) })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["area"]["version"], 2);
    assert_eq!(v["area"]["boundary"], square(104.70, 31.70, 0.01));
    // The same version again is stale: 409 in Chinese, nothing written.
    let (st, v) = put(&app, &admin, &url, &json!({ "version": 1, "boundary": square(104.80, 31.70, 0.01) })).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("已被他人修改"), "{v}");
    assert_eq!(area(&app, &admin, t.grid_a1_1).await["boundary"], square(104.70, 31.70, 0.01));
    // Typed in GCJ-02: stored in WGS-84.
    let (gx, gy) = (116.410_244_499_169_38, 39.916_404_281_501_64);
    let (st, v) =
        put(&app, &admin, &url, &json!({ "version": 2, "boundary": square(gx, gy, 0.001), "datum": "gcj02" })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let p = &v["area"]["boundary"]["coordinates"][0][0];
    assert!((p[0].as_f64().unwrap() - 116.404).abs() < 2e-7, "{p}");
    // A self-intersecting ring, a community: refused.
    let bow = json!({ "type": "Polygon", "coordinates": [[[104.70, 31.70], [104.71, 31.71], [104.71, 31.70], [104.70, 31.71], [104.70, 31.70]]] });
    let got = put(&app, &admin, &url, &json!({ "version": 3, "boundary": bow.clone() })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("boundary"));
    // The area form's boundary gets the same checks.
    let got = app
        .patch_json(&admin, &format!("/api/v1/areas/{}", t.grid_a1_2), json!({ "version": 1, "boundary": bow }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("boundary"));
    assert!(got.1["message"].as_str().unwrap().contains("自相交"), "{}", got.1);
    let (st, _) = put(
        &app,
        &admin,
        &format!("/api/v1/areas/{}/boundary", t.comm_a1),
        &json!({ "version": 1, "boundary": square(104.7, 31.7, 0.01) }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Clearing is a change too, with history.
    let (st, v) = put(&app, &admin, &url, &json!({ "version": 3, "boundary": null })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["area"]["boundary"], Value::Null);
    let rows = app.audit_rows("area_boundary_set").await;
    assert_eq!(rows.len(), 3);
    let detail: Value = serde_json::from_str(&rows[0].detail).unwrap();
    assert_eq!(detail["boundary"]["to"], Value::Null);
    assert!(detail["boundary"]["from"].is_object());
    // The editor page draws the neighbours and carries the version.
    put(
        &app,
        &admin,
        &format!("/api/v1/areas/{}/boundary", t.grid_a1_2),
        &json!({ "version": 1, "boundary": square(104.71, 31.70, 0.01) }),
    )
    .await;
    let r = app.call(Method::GET, &format!("/areas/{}/boundary", t.grid_a1_1), &admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(
        html.contains(r#"data-version="4""#) && html.contains("class=\"neighbour\"") && html.contains("嫩水第二网格")
    );
    assert!(!html.contains("其余部分和内环保存时保持不变"));
    // A boundary with a hole: the editor edits the outer ring and says the hole is kept.
    let donut = json!({ "type": "Polygon", "coordinates": [
        [[104.70, 31.70], [104.71, 31.70], [104.71, 31.71], [104.70, 31.71], [104.70, 31.70]],
        [[104.703, 31.703], [104.706, 31.703], [104.706, 31.706], [104.703, 31.706], [104.703, 31.703]]] });
    let (st, v) = put(&app, &admin, &url, &json!({ "version": 4, "boundary": donut })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let r = app.call(Method::GET, &format!("/areas/{}/boundary", t.grid_a1_1), &admin, None).await;
    let html = r.text();
    assert!(
        html.contains("其余部分和内环保存时保持不变") && html.contains("data-geom=\"{&#34;coordinates&#34;"),
        "{html}"
    );
}

#[tokio::test]
async fn the_cached_grid_index_follows_every_change_at_once() {
    let (app, t, admin) = TestApp::with_tree().await;
    let s = &app.state;
    let at = (104.705, 31.705);
    assert_eq!(locate::grid_at(s, at.0, at.1).await.unwrap(), None);
    // Drawn: found at once.
    let url1 = format!("/api/v1/areas/{}/boundary", t.grid_a1_1);
    let (st, _) = put(&app, &admin, &url1, &json!({ "version": 1, "boundary": square(104.70, 31.70, 0.01) })).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(locate::grid_at(s, at.0, at.1).await.unwrap(), Some(t.grid_a1_1));
    // An event reported at the point lands in that grid.
    let worker = app.demo_session("w1", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let report = json!({ "category": "0401", "title": "路边垃圾堆放", "lon": at.0, "lat": at.1,
        "details": { "what": "路边垃圾堆放多日无人清运，影响通行", "where": "嫩水路口" }, "address": "嫩水路口" });
    let (st, e) = app.post_json(&worker, "/api/v1/events", report.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    assert_eq!(e["grid_id"], t.grid_a1_1);
    // Edited away (by import): the point now falls in the other grid.
    let url = format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1);
    let body = collection(vec![feature(G1, square(104.80, 31.70, 0.01)), feature(G2, square(104.70, 31.70, 0.01))]);
    let (st, v) = put(&app, &admin, &url, &body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(locate::grid_at(s, at.0, at.1).await.unwrap(), Some(t.grid_a1_2));
    assert_eq!(locate::grid_at(s, 104.805, 31.705).await.unwrap(), Some(t.grid_a1_1));
    let (_, e) = app.post_json(&worker, "/api/v1/events", report.clone()).await;
    assert_eq!(e["grid_id"], t.grid_a1_2, "{e}");
    // Moved to another community: still found, but no longer inside 嫩水社区's scope.
    let g2 = area(&app, &admin, t.grid_a1_2).await;
    let (st, v) = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/move", t.grid_a1_2),
            json!({ "version": g2["version"], "parent_id": t.comm_a2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(locate::grid_at(s, at.0, at.1).await.unwrap(), Some(t.grid_a1_2));
    let comm_path = wangge::domains::org::area_store::get(&app.db, "/", t.comm_a1).await.unwrap().unwrap().path;
    assert_eq!(locate::grid_at_within(s, &comm_path, at.0, at.1).await.unwrap(), None);
    let (_, e) = app.post_json(&worker, "/api/v1/events", report.clone()).await;
    assert_eq!(e["grid_id"], Value::Null, "outside the reporter's scope now: {e}");
    // Retired: gone from the index.
    let g2 = area(&app, &admin, t.grid_a1_2).await;
    let (st, v) = app
        .post_json(
            &admin,
            &format!("/api/v1/areas/{}/retire", t.grid_a1_2),
            json!({ "version": g2["version"], "reason": "网格调整合并" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(locate::grid_at(s, at.0, at.1).await.unwrap(), None);
    // Changed by another server or any other code path (straight in the database, no signal in
    // this process, not even a new version): the triggers' change counter makes the next lookup rebuild.
    app.db
        .read()
        .execute(
            "UPDATE areas SET boundary = $1 WHERE id = $2",
            wangge::args![square(104.70, 31.70, 0.01).to_string(), t.grid_a1_1],
        )
        .await
        .unwrap();
    assert_eq!(locate::grid_at(s, at.0, at.1).await.unwrap(), Some(t.grid_a1_1));
    assert_eq!(s.cache::<locate::GridCache>().len(), 1);
    // A new grid drawn when created is found too.
    let (st, v) = app
        .post_json(&admin, "/api/v1/areas", json!({ "parent_id": t.comm_a1, "kind": "grid", "code": "510725101001003", "name": "嫩水第三网格", "boundary": square(104.90, 31.70, 0.01) }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(locate::grid_at(s, 104.905, 31.705).await.unwrap(), v["id"].as_i64());
}

#[tokio::test]
async fn the_diagram_prints_every_grid_label_and_downloads_as_svg() {
    let (app, t, admin) = TestApp::with_tree().await;
    let url = format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1);
    let body = collection(vec![feature(G1, square(104.70, 31.70, 0.01)), feature(G2, square(104.71, 31.70, 0.01))]);
    let (st, _) = put(&app, &admin, &url, &body).await;
    assert_eq!(st, StatusCode::OK);
    let s = app.staff(&admin, t.comm_a1, "周小网", "13300000002").await;
    let (st, _) = app
        .post_json(&admin, &format!("/api/v1/staff/{}/assignments", s["id"]), json!({ "grid_id": t.grid_a1_1 }))
        .await;
    assert_eq!(st, StatusCode::OK);
    let viewer = app.demo_session("viewer", Role::CountyViewer, Bind::Area(t.county)).await;
    for q in ["", "?paper=A3&orientation=landscape", "?paper=a4&orientation=portrait"] {
        let r = app.call(Method::GET, &format!("/areas/{}/diagram{q}", t.comm_a1), &viewer, None).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
        let html = r.text();
        for label in ["嫩水第一网格", "嫩水第二网格", G1, G2, "指北针", "比例尺", "周小网", "嫩水社区网格示意图"]
        {
            assert!(html.contains(label), "{q}: {label} missing");
        }
        assert_eq!(html.matches("class=\"grid-label\"").count(), 2);
    }
    let r = app
        .call(Method::GET, &format!("/areas/{}/diagram?paper=A3&orientation=landscape", t.comm_a1), &viewer, None)
        .await;
    assert!(r.text().contains(r#"width="420mm" height="297mm""#));
    // From a grid: its community's diagram. A town's diagram holds all its grids.
    let r = app.call(Method::GET, &format!("/areas/{}/diagram", t.grid_a1_2), &viewer, None).await;
    assert!(r.text().contains("嫩水第一网格"));
    let r = app.call(Method::GET, &format!("/areas/{}/diagram", t.town_a), &viewer, None).await;
    assert!(r.text().contains("金山第一网格") && r.text().contains("嫩水第二网格"));
    let r = app.call(Method::GET, &format!("/areas/{}/diagram.svg?paper=A4", t.comm_a1), &viewer, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("image/svg+xml"));
    assert!(r.header("content-disposition").contains("attachment"));
    assert!(r.text().contains("<svg") && r.text().contains("嫩水第二网格"));
    let r = app.call(Method::GET, &format!("/areas/{}/diagram?paper=B5", t.comm_a1), &viewer, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A grid worker sees the own grid's page with its map, and a diagram of the own grid only.
    let worker = app.demo_session("worker", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let r = app.call(Method::GET, &format!("/areas/{}", t.grid_a1_1), &worker, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("class=\"gridmap\"") && !r.text().contains("绘制/修改边界"));
    let r = app.call(Method::GET, &format!("/areas/{}/diagram", t.grid_a1_1), &worker, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("嫩水第一网格") && !r.text().contains("嫩水第二网格"));
    let (st, _) = app.get(&worker, &format!("/api/v1/areas/{}/boundaries/check", t.grid_a1_1)).await;
    assert_eq!(st, StatusCode::OK);
    // The import page lists the community's grids; its script and styles are served.
    let r = app.call(Method::GET, &format!("/areas/{}/boundaries/import", t.comm_a1), &admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("id=\"import-box\"") && r.text().contains(G2) && r.text().contains("GCJ-02"));
    let r = app.call(Method::GET, &format!("/areas/{}/boundaries/import", t.grid_a1_1), &admin, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call(Method::GET, "/static/maps.js", &Session::anon(), None).await;
    assert!(r.status == StatusCode::OK && r.text().contains("gcjToWgs"));
}

#[tokio::test]
async fn tiles_are_drawn_and_allowed_only_when_configured() {
    let (app, t, admin) = TestApp::with_tree().await;
    let url = format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1);
    let (st, _) = put(&app, &admin, &url, &collection(vec![feature(G1, square(104.70, 31.70, 0.01))])).await;
    assert_eq!(st, StatusCode::OK);
    // None configured (the default): boundaries only, the usual policy.
    let r = app.call(Method::GET, &format!("/areas/{}", t.comm_a1), &admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("class=\"gridmap\"") && !r.text().contains("<image"));
    assert_eq!(r.header("content-security-policy"), wangge::web::middleware::CSP);
    // Configured: the tiles are drawn and their host (only it) is allowed for images.
    let mut config = app.state.config.clone();
    config.tiles = Some(
        wangge::geo::tiles::TileSource::parse(
            "https://t0.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=k1",
            "cgcs2000",
        )
        .unwrap(),
    );
    let state = wangge::state::AppState::new(app.db.clone(), app.clock.clone(), config, test_keys());
    let router = wangge::web::router(state);
    for path in [format!("/areas/{}", t.comm_a1), format!("/areas/{}/boundary", t.grid_a1_1)] {
        let req = app.request(Method::GET, &path, &admin).body(axum::body::Body::empty()).unwrap();
        let resp = tower::ServiceExt::oneshot(router.clone(), req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("img-src 'self' data: blob: https://t0.tianditu.gov.cn;"), "{csp}");
        assert!(csp.contains("connect-src 'self'"), "{csp}");
        let body = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
        let html = String::from_utf8_lossy(&body);
        assert!(
            html.contains("<image class=\"tile\" href=\"https://t0.tianditu.gov.cn/DataServer?T=vec_w&amp;x="),
            "{path}"
        );
    }
    // Other pages keep the usual policy.
    let req = app.request(Method::GET, "/areas", &admin).body(axum::body::Body::empty()).unwrap();
    let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
    assert_eq!(resp.headers()["content-security-policy"], wangge::web::middleware::CSP);
}
