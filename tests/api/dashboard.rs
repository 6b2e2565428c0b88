//! The dashboard (驾驶舱) through the API against a small hand-made town: register counts, open and
//! overdue events (the injected clock moved a day), overdue visits, submissions waiting, the map's
//! shading values and legend, scope (a town sees only itself, a grid worker their grid), the page.

use crate::fixtures::{self, bearer, garbage, id_number, register_id, with};
use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::auth::Role::*;
use wangge::clock::DAY;

fn id(seq: u32) -> String {
    id_number(1980, 5, 5, seq)
}

async fn created(app: &TestApp, s: &Session, path: &str, body: Value) -> i64 {
    let (st, v) = app.post_json(s, path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{path} {v}");
    v["id"].as_i64().unwrap()
}

async fn person(app: &TestApp, s: &Session, grid: i64, name: &str, seq: u32) -> i64 {
    let body = with(fixtures::person("registered", grid, name, &id(seq)), json!({ "address": "嫩水路 8 号" }));
    register_id(app, s, body).await
}

async fn report(app: &TestApp, s: &Session, title: &str) -> i64 {
    fixtures::report(app, s, with(garbage(title), json!({ "address": "嫩水路 8 号" }))).await
}

fn square(lon: f64) -> Value {
    json!({ "type": "Polygon", "coordinates": [[[lon, 31.7], [lon + 0.01, 31.7], [lon + 0.01, 31.71], [lon, 31.71], [lon, 31.7]]] })
}

struct Town {
    app: TestApp,
    t: Tree,
    town: Session,
    worker: Session,
    event_overdue: i64,
}

/// 鹤山镇: grid 嫩水第一网格 (boundary) has 2 people, a household, a house, a drug user due for a
/// visit yesterday, 2 open events (one reported a day ago: overdue); 嫩水第二网格 (boundary) has 1
/// person, a place, 1 open event; 金山第一网格 has no boundary and nothing in it. 文昌镇 has 1 person.
async fn town() -> Town {
    let (app, t, admin) = TestApp::with_tree().await;
    for (grid, lon) in [(t.grid_a1_1, 104.70), (t.grid_a1_2, 104.72)] {
        let (st, v) = app
            .patch_json(&admin, &format!("/api/v1/areas/{grid}"), json!({ "version": 1, "boundary": square(lon) }))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    let worker = bearer(&app, "worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let worker2 = bearer(&app, "worker_a2", GridWorker, Bind::Area(t.grid_a1_2)).await;
    let worker_b = bearer(&app, "worker_b", GridWorker, Bind::Area(t.grid_b1_1)).await;
    let town = bearer(&app, "town_a", TownCenter, Bind::Area(t.town_a)).await;
    let p1 = person(&app, &worker, t.grid_a1_1, "张三", 11).await;
    person(&app, &worker, t.grid_a1_1, "李四", 13).await;
    person(&app, &worker2, t.grid_a1_2, "王五", 15).await;
    person(&app, &worker_b, t.grid_b1_1, "赵六", 17).await;
    created(&app, &worker, "/api/v1/households", json!({ "grid_id": t.grid_a1_1, "household_no": "HH-1" })).await;
    created(
        &app,
        &worker,
        "/api/v1/houses",
        json!({ "grid_id": t.grid_a1_1, "house_no": "NS-0001", "house_use": "自住", "address": "嫩水路8号" }),
    )
    .await;
    created(&app, &worker2, "/api/v1/places", json!({ "grid_id": t.grid_a1_2, "name": "嫩水网吧", "place_type": "网吧",
        "credit_code": "91350100M000100Y43", "safety_person": "周九", "contact_phone": "13312345678", "address": "嫩水路10号" }))
    .await;
    let file = json!({ "kind": "drug_user", "data": { "found_on": "2025-10-01", "control_status": "社区戒毒" }, "next_visit_due": "2026-03-02" });
    created(&app, &worker, &format!("/api/v1/persons/{p1}/special"), file).await;
    let event_overdue = report(&app, &worker, "东门垃圾满溢").await;
    app.clock.advance(DAY);
    report(&app, &worker, "西门垃圾满溢").await;
    report(&app, &worker2, "网吧门口垃圾").await;
    report(&app, &worker_b, "城北垃圾").await;
    Town { app, t, town, worker, event_overdue }
}

fn child(d: &Value, id: i64) -> &Value {
    d["children"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("child {id} in {d}"))
}

fn grid(d: &Value, id: i64) -> &Value {
    d["map"]["grids"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap_or_else(|| panic!("grid {id}"))
}

#[tokio::test]
async fn a_town_dashboard_counts_its_own_town() {
    let Town { app, t, town, event_overdue, .. } = town().await;
    let (st, d) = app.get(&town, "/api/v1/dashboard").await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!((d["area_id"].as_i64(), d["area_kind"].as_str()), (Some(t.town_a), Some("town")));
    let r = &d["register"];
    assert_eq!(
        [&r["people"], &r["households"], &r["houses"], &r["rentals"], &r["places"], &r["special_total"]],
        [&json!(3), &json!(1), &json!(1), &json!(0), &json!(1), &json!(1)]
    );
    assert_eq!(
        (r["special"][0]["code"].as_str(), r["special"][0]["label"].as_str()),
        (Some("drug_user"), Some("吸毒人员"))
    );
    let e = &d["events"];
    assert_eq!((e["open"].as_i64(), e["overdue"].as_i64()), (Some(3), Some(1)), "{e}");
    assert_eq!(e["by_state"], json!([{ "code": "reported", "label": "待受理", "count": 3, "bar": 100 }]));
    assert_eq!(e["by_category"], json!([{ "code": "04", "label": "环境卫生", "count": 3, "bar": 100 }]));
    assert_eq!(e["by_card"][0]["count"], 3);
    assert_eq!(e["overdue_list"].as_array().unwrap().len(), 1);
    assert_eq!(e["overdue_list"][0]["link"], format!("/events/{event_overdue}"));
    assert_eq!(e["overdue_list"][0]["grid_name"], "嫩水第一网格");
    assert_eq!(e["reported_this_month"], 3);
    // The drug user's visit was due on 2026-03-02; it is 03-03.
    assert_eq!(d["overdue_visits"], 1);
    // The drug user's file went to the town's police station; not yet past its 3 working days.
    assert_eq!((d["submissions"]["waiting"].as_i64(), d["submissions"]["overdue"].as_i64()), (Some(1), Some(0)));
    assert_eq!(d["submissions"]["by_kind"][0]["label"], "吸毒人员");
    // Children: the two communities, rolled up from their grids.
    assert_eq!(d["children"].as_array().unwrap().len(), 2);
    let ns = child(&d, t.comm_a1);
    assert_eq!(
        (ns["people"].as_i64(), ns["open_events"].as_i64(), ns["overdue_events"].as_i64()),
        (Some(3), Some(3), Some(1))
    );
    assert_eq!((ns["overdue_visits"].as_i64(), ns["mapped_grids"].as_i64()), (Some(1), Some(2)));
    let js = child(&d, t.comm_a2);
    assert_eq!(
        (js["people"].as_i64(), js["open_events"].as_i64(), js["mapped_grids"].as_i64()),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(d["activity"]["units"].as_array().unwrap().len(), 2);
    // The county centre asks for the other town: only its figures.
    let county = bearer(&app, "county", CountyCenter, Bind::Area(t.county)).await;
    let (_, b) = app.get(&county, &format!("/api/v1/dashboard?area={}", t.town_b)).await;
    assert_eq!((b["register"]["people"].as_i64(), b["events"]["open"].as_i64()), (Some(1), Some(1)));
    assert_eq!(b["parent"], json!([t.county, "演示县"]));
    let (_, c) = app.get(&county, "/api/v1/dashboard").await;
    assert_eq!((c["register"]["people"].as_i64(), c["events"]["open"].as_i64()), (Some(4), Some(4)));
    assert_eq!(c["parent"], Value::Null);
}

#[tokio::test]
async fn the_map_is_shaded_by_the_chosen_figure() {
    let Town { app, t, town, .. } = town().await;
    let (_, d) = app.get(&town, "/api/v1/dashboard?shade=people").await;
    let m = &d["map"];
    assert_eq!(m["shade"]["code"], "people");
    assert_eq!(m["grids"].as_array().unwrap().len(), 2, "the two grids with a boundary are drawn");
    assert_eq!((m["unmapped_total"].as_i64(), m["unmapped"][0][1].as_str()), (Some(1), Some("金山第一网格")));
    let (g1, g2) = (grid(&d, t.grid_a1_1), grid(&d, t.grid_a1_2));
    assert_eq!((g1["value"].as_f64(), g2["value"].as_f64()), (Some(2.0), Some(1.0)));
    assert_eq!((g1["child_id"].as_i64(), g1["shown"].as_str()), (Some(t.comm_a1), Some("2")));
    assert!(g1["path"].as_str().unwrap().starts_with("M20.0 ") && g1["path"].as_str().unwrap().ends_with('Z'));
    // The grids drawn hold 1 and 2: one bin per value, the largest darkest.
    let labels: Vec<&str> = m["legend"].as_array().unwrap().iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["0", "1", "2"]);
    assert_eq!((&g1["colour"], &g2["colour"]), (&m["legend"][2]["colour"], &m["legend"][1]["colour"]));
    // The communities (3 and 0) on their own scale.
    let labels: Vec<&str> =
        m["children_legend"].as_array().unwrap().iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["0", "1", "2", "3"]);
    assert_eq!(child(&d, t.comm_a1)["colour"], m["children_legend"][3]["colour"]);
    let (_, d) = app.get(&town, "/api/v1/dashboard?shade=overdue_events").await;
    assert_eq!(
        (grid(&d, t.grid_a1_1)["value"].as_f64(), grid(&d, t.grid_a1_2)["value"].as_f64()),
        (Some(1.0), Some(0.0))
    );
    let (_, d) = app.get(&town, "/api/v1/dashboard?shade=overdue_visits").await;
    assert_eq!(grid(&d, t.grid_a1_1)["value"].as_f64(), Some(1.0));
    let (_, d) = app.get(&town, "/api/v1/dashboard?shade=activity_rate").await;
    assert_eq!(d["map"]["legend"].as_array().unwrap().len(), 5);
    assert_eq!(d["map"]["legend"][4]["label"], "80%–100%");
    // Above a community the page draws the children (communities here) as labelled regions built
    // from their grids' outlines, each a link one level down, with the children's legend (issue 22.9).
    let r = app.call(Method::GET, "/dashboard?shade=people", &town, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("<svg class=\"map\"") && html.contains("fill-rule=\"evenodd\""), "{html}");
    let link = format!("<a href=\"/dashboard?area={}&amp;shade=people\" class=\"region\"><path d=\"M20.0 ", t.comm_a1);
    assert!(html.contains(&link), "{html}");
    assert_eq!(html.matches("class=\"region\"").count(), 1, "金山社区 has no grid with a boundary: {html}");
    assert!(
        html.contains("<title>嫩水社区：3</title>") && html.contains("class=\"region-label\">嫩水社区 3</text>"),
        "{html}"
    );
    assert!(html.contains("各下级合计，点击进入"));
    assert!(!html.contains("https://") && !html.contains("http://"));
    // Bad figure: a Chinese error on the field.
    let got = app.get(&town, "/api/v1/dashboard?shade=salary").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("shade"));
    assert!(got.1["fields"]["shade"].as_str().unwrap().starts_with("地图着色只能是"));
}

#[tokio::test]
async fn scope_a_town_sees_its_town_and_a_grid_worker_their_grid() {
    let Town { app, t, town, worker, .. } = town().await;
    let got = app.get(&town, &format!("/api/v1/dashboard?area={}", t.town_b)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    assert_eq!(got.1["fields"]["area"], "区域不存在或不在您的管辖范围内");
    let got = app.get(&town, &format!("/api/v1/dashboard?area={}", t.county)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    let (st, d) = app.get(&town, &format!("/api/v1/dashboard?area={}", t.comm_a1)).await;
    assert_eq!((st, d["register"]["people"].as_i64()), (StatusCode::OK, Some(3)));
    assert_eq!(d["parent"], json!([t.town_a, "鹤山镇"]));
    let (st, d) = app.get(&worker, "/api/v1/dashboard").await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!((d["area_id"].as_i64(), d["register"]["people"].as_i64()), (Some(t.grid_a1_1), Some(2)));
    assert_eq!((d["events"]["open"].as_i64(), d["children"][0]["id"].as_i64()), (Some(2), Some(t.grid_a1_1)));
    assert_eq!(d["map"]["grids"].as_array().unwrap().len(), 1);
    let got = app.get(&worker, &format!("/api/v1/dashboard?area={}", t.grid_a1_2)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    let police = bearer(&app, "police", DepartmentHandler, Bind::Department(t.dept_a)).await;
    assert_eq!(app.get(&police, "/api/v1/dashboard").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_page_draws_tiles_bars_and_the_map_without_scripts() {
    let (app, t, _) = TestApp::with_tree().await;
    let town = app.demo_session("town_a", TownCenter, Bind::Area(t.town_a)).await;
    let r = app.call(Method::GET, "/dashboard", &town, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("驾驶舱 · 鹤山镇") && html.contains("id=\"tiles-register\"") && html.contains("嫩水社区"));
    assert!(html.contains("无法画图"), "no grid has a boundary yet");
    assert!(!html.contains("https://") && !html.contains("http://"), "nothing from the internet");
    let r = app.call(Method::GET, &format!("/dashboard?area={}&shade=people", t.comm_a1), &town, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("↑ 鹤山镇"));
    let home = app.call(Method::GET, "/", &town, None).await.text();
    assert!(home.contains("id=\"home-dashboard\"") && home.contains("href=\"/dashboard\""));
}

#[tokio::test]
async fn the_county_map_draws_its_towns_as_labelled_regions_that_lead_down() {
    let Town { app, t, .. } = town().await;
    let county = bearer(&app, "county_c", CountyCenter, Bind::Area(t.county)).await;
    let r = app.call(Method::GET, "/dashboard?shade=people", &county, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    // 鹤山镇 has grids with boundaries: one region, the union of its two grids; 文昌镇 has none.
    assert_eq!(html.matches("class=\"region\"").count(), 1, "{html}");
    assert!(html.contains(&format!("<a href=\"/dashboard?area={}&amp;shade=people\" class=\"region\">", t.town_a)));
    assert!(html.contains("class=\"region-label\">鹤山镇 3</text>"), "{html}");
    assert!(!html.contains("<title>嫩水第一网格"), "grids are not drawn one by one above a community");
    // 金山第一网格 drawn between the two: the three touching squares become one outline of 鹤山镇, and
    // the map follows the change at once (the unions are kept per value of the grid change counter).
    let admin = app.demo_session("sysadmin2", SystemAdmin, Bind::Area(t.county)).await;
    let (st, v) = app
        .patch_json(
            &admin,
            &format!("/api/v1/areas/{}", t.grid_a2_1),
            json!({ "version": 1, "boundary": square(104.71) }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let html = app.call(Method::GET, "/dashboard?shade=people", &county, None).await.text();
    let start = html.find("class=\"region\"><path d=\"").unwrap();
    let path = &html[start..start + html[start..].find("\" fill").unwrap()];
    assert_eq!(path.matches('M').count(), 1, "three touching squares are one outline: {path}");
}
