//! Patrols through the HTTP API: start, track points and the server-side distance, end, figures
//! across midnight, the checklist, findings that become events, scope, check-ins, bad input.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge::auth::Role;
use wangge::clock::{DAY, HOUR, MINUTE};

/// A signed-in account that stays signed in while the test moves the clock by days (a bearer token).
async fn bearer(app: &TestApp, name: &str, role: Role, bind: Bind) -> Session {
    let s = app.demo_session(name, role, bind).await;
    let (_, token) = app.token(&s, "测试", None).await;
    Session::bearer(&token)
}

fn pt(lat: f64, lng: f64, accuracy: f64, at: i64) -> Value {
    json!({ "lat": lat, "lng": lng, "accuracy": accuracy, "at": at })
}

#[tokio::test]
async fn track_distance_and_figures_across_midnight() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = bearer(&app, "pw1", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let cs = bearer(&app, "pcs", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    // 2026-03-02 23:30 Beijing.
    app.clock.advance(14 * HOUR + 30 * MINUTE);
    let t0 = app.now();
    let (st, p) = app.post_json(&w, "/api/v1/patrols", json!({})).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["grid_id"], t.grid_a1_1);
    assert_eq!(p["day"], "2026-03-02");
    assert_eq!(p["open"], true);

    // A second patrol while one is open: refused.
    let got = app.post_json(&w, "/api/v1/patrols", json!({})).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);

    app.clock.advance(5 * MINUTE);
    let pts = format!("/api/v1/patrols/{id}/points");
    // 0.001° of latitude = 111.195 m (haversine): the anchor, then one counted step.
    let (st, p) = app
        .post_json(
            &w,
            &pts,
            json!({ "points": [pt(31.0, 104.0, 10.0, t0 + MINUTE), pt(31.001, 104.0, 10.0, t0 + 2 * MINUTE)] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["metres"], 111);
    assert_eq!(p["points"], 2);

    // An absurd point refuses the whole batch: nothing of it is stored.
    let got = app
        .post_json(
            &w,
            &pts,
            json!({ "points": [pt(31.002, 104.0, 10.0, t0 + 3 * MINUTE), pt(95.0, 104.0, 5.0, t0 + 3 * MINUTE)] }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("points[1].lat"));
    let got = app.post_json(&w, &pts, json!({ "points": [pt(31.002, 104.0, 10.0, t0 + HOUR)] })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("points[0].at"));
    let (_, d) = app.get(&w, &format!("/api/v1/patrols/{id}")).await;
    assert_eq!(d["points"], 2);
    assert_eq!(d["track"].as_array().unwrap().len(), 2);

    // A jump (11 km in 10 s) and a poor fix (80 m) are stored but not counted; the next good
    // point counts from the last counted one: 111 + 111 = 222 m.
    let (st, p) = app
        .post_json(
            &w,
            &pts,
            json!({ "points": [
                pt(31.1, 104.0, 10.0, t0 + 2 * MINUTE + 10_000),
                pt(31.0015, 104.0, 80.0, t0 + 3 * MINUTE),
                pt(31.002, 104.0, 10.0, t0 + 4 * MINUTE),
            ] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["metres"], 222);
    assert_eq!(p["points"], 5);
    let (_, d) = app.get(&w, &format!("/api/v1/patrols/{id}")).await;
    let counted: Vec<bool> = d["track"].as_array().unwrap().iter().map(|x| x["counted"].as_bool().unwrap()).collect();
    assert_eq!(counted, vec![true, true, false, false, true]);

    // Ends at 00:30 the next day: 60 minutes, still the day it started.
    app.clock.advance(55 * MINUTE);
    let (st, p) = app.post_json(&w, &format!("/api/v1/patrols/{id}/end"), json!({ "note": "巡查正常" })).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["minutes"], 60);
    assert_eq!(p["open"], false);
    let got = app.post_json(&w, &pts, json!({ "points": [pt(31.003, 104.0, 10.0, app.now())] })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);

    // A second patrol on 2026-03-03, 08:00–08:45, 0.002° of longitude at 31° = 190.6 m.
    app.clock.advance(7 * HOUR + 30 * MINUTE);
    let t1 = app.now();
    let (_, p) = app.post_json(&w, "/api/v1/patrols", json!({})).await;
    let id2 = p["id"].as_i64().unwrap();
    assert_eq!(p["day"], "2026-03-03");
    app.clock.advance(45 * MINUTE);
    let (st, p) = app
        .post_json(
            &w,
            &format!("/api/v1/patrols/{id2}/end"),
            json!({ "points": [pt(31.0, 104.0, 8.0, t1 + MINUTE), pt(31.0, 104.002, 8.0, t1 + 5 * MINUTE)] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["metres"], 191);
    assert_eq!(p["minutes"], 45);

    let (st, f) = app.get(&cs, "/api/v1/patrols/figures?from=2026-03-02&to=2026-03-02").await;
    assert_eq!(st, StatusCode::OK, "{f}");
    let w0 = &f["workers"][0];
    assert_eq!(
        (w0["patrol_days"].as_i64(), w0["minutes"].as_i64(), w0["metres"].as_i64()),
        (Some(1), Some(60), Some(222))
    );
    assert_eq!(w0["grid_id"], t.grid_a1_1);
    assert_eq!(w0["account_name"], "pw1");
    let (_, f) =
        app.get(&cs, &format!("/api/v1/patrols/figures?from=2026-03-02&to=2026-03-03&area={}", t.grid_a1_1)).await;
    let w0 = &f["workers"][0];
    assert_eq!(
        (w0["patrol_days"].as_i64(), w0["minutes"].as_i64(), w0["metres"].as_i64()),
        (Some(2), Some(105), Some(413))
    );
    assert_eq!(f["grids"][0]["patrols"], 2);
    assert_eq!(f["grids"][0]["patrol_days"], 2);
    let (_, f) = app.get(&cs, "/api/v1/patrols/figures?from=2026-03-04&to=2026-03-04").await;
    assert_eq!(f["workers"].as_array().unwrap().len(), 0);

    // The store function for the assessment and dashboards gives the same figures.
    let path: (String,) =
        app.db.read().fetch_one("SELECT path FROM areas WHERE id = $1", wangge::args![t.comm_a1]).await.unwrap();
    let from = t0 - 15 * HOUR;
    let rows = wangge::domains::patrols::store::worker_figures(&app.db, &path.0, from, from + 2 * DAY).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].patrol_days, rows[0].minutes, rows[0].metres, rows[0].findings), (2, 105, 413, 0));

    // Bad dates and an area outside the scope.
    let got = app.get(&cs, "/api/v1/patrols/figures?from=2026-3-x").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("from"));
    let got = app.get(&cs, &format!("/api/v1/patrols/figures?area={}", t.grid_b1_1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));

    // The pages render (the detail draws the track).
    let r = app.call(axum::http::Method::GET, &format!("/patrols/{id}"), &w, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("<polyline"), "track drawn");
    let r = app.call(axum::http::Method::GET, "/patrols/figures", &cs, None).await;
    assert_eq!(r.status, StatusCode::OK);
    // One patrol screen: the old address forwards to the field app's, and the record page only reads.
    let r = app.call(axum::http::Method::GET, "/patrols", &w, None).await;
    assert_eq!((r.status, r.header("location").as_str()), (StatusCode::SEE_OTHER, "/field/patrol"));
}

#[tokio::test]
async fn checklist_findings_events_and_scope() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = bearer(&app, "fw1", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let other = bearer(&app, "fw2", Role::GridWorker, Bind::Area(t.grid_a1_2)).await;
    let cs = bearer(&app, "fcs", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let county = bearer(&app, "fcc", Role::CountyCenter, Bind::Area(t.county)).await;

    let (st, list) = app.get(&w, "/api/v1/patrol-checklist").await;
    assert_eq!(st, StatusCode::OK);
    let items = list["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 6);
    let ads = items.iter().find(|i| i["name"] == "小广告").unwrap()["id"].as_i64().unwrap();
    let fire = items.iter().find(|i| i["name"].as_str().unwrap().contains("消防")).unwrap()["id"].as_i64().unwrap();

    let (_, p) = app.post_json(&w, "/api/v1/patrols", json!({})).await;
    let id = p["id"].as_i64().unwrap();

    // Checklist: a problem needs a note; a bad result and an unknown item are named; nothing is written.
    let checks = format!("/api/v1/patrols/{id}/checks");
    let got = app
        .post_json(
            &w,
            &checks,
            json!({ "items": [{ "item_id": ads, "result": "ok" }, { "item_id": fire, "result": "problem" }, { "item_id": 999, "result": "bad" }] }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("items[1].note"));
    assert!(got.1["fields"]["items[2].item_id"].is_string() && got.1["fields"]["items[2].result"].is_string());
    let (_, d) = app.get(&w, &format!("/api/v1/patrols/{id}")).await;
    assert!(d["checklist"].as_array().unwrap().iter().all(|c| c["result"].is_null()));
    let (st, d) = app
        .post_json(
            &w,
            &checks,
            json!({ "items": [{ "item_id": ads, "result": "ok" }, { "item_id": fire, "result": "problem", "note": "5 栋消防通道停放电动车" }] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let fire_row = d["checklist"].as_array().unwrap().iter().find(|c| c["item"]["id"] == fire).unwrap().clone();
    assert_eq!(fire_row["result"]["result"], "problem");
    assert_eq!(fire_row["result_label"], "有问题");

    // A finding reported at once: an event of channel patrol in the patrol's grid, category of the item.
    let findings = format!("/api/v1/patrols/{id}/findings");
    let (st, f) = app
        .post_json(
            &w,
            &findings,
            json!({ "item_id": ads, "description": "电线杆和单元门口贴满办证小广告", "address": "嫩水路 3 栋", "lat": 31.0, "lng": 104.0, "report": true }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let ev = f["event_id"].as_i64().expect("linked to an event");
    let (st, e) = app.get(&w, &format!("/api/v1/events/{ev}")).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    assert_eq!(e["channel"], "patrol");
    assert_eq!(e["grid_id"], t.grid_a1_1);
    assert_eq!(e["category"], "0503");

    // A finding first, the event later in one tap; twice is refused.
    let (st, f) =
        app.post_json(&w, &findings, json!({ "description": "5 栋楼下消防通道被电动车堵塞", "item_id": fire })).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    assert!(f["event_id"].is_null());
    let fid = f["id"].as_i64().unwrap();
    let to_event = format!("/api/v1/patrols/{id}/findings/{fid}/event");
    // Another grid's worker cannot even see it; the community sees it but cannot report someone else's.
    let got = app.post_json(&other, &to_event, json!({})).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let (st, f2) = app.post_json(&w, &to_event, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{f2}");
    let ev2 = f2["event_id"].as_i64().unwrap();
    let (_, e2) = app.get(&w, &format!("/api/v1/events/{ev2}")).await;
    assert_eq!((e2["channel"].as_str(), e2["category"].as_str()), (Some("patrol"), Some("0301")));
    let got = app.post_json(&w, &to_event, json!({})).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);

    // Bad findings: named fields, nothing written (and no event).
    let (_, before) = app.get(&cs, "/api/v1/events").await;
    let got = app
        .post_json(&w, &findings, json!({ "description": "太短", "lat": 31.0, "report": true, "item_id": 999 }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("description"));
    assert!(got.1["fields"]["lng"].is_string() && got.1["fields"]["item_id"].is_string(), "{}", got.1);
    // A category whose report needs more than a finding gives the event's field errors, nothing written.
    let got = app
        .post_json(
            &w,
            &findings,
            json!({ "description": "两户居民因漏水争吵，需要调解", "report": true, "category": "0102" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("details.who"));
    let (_, after) = app.get(&cs, "/api/v1/events").await;
    assert_eq!(before["total"], after["total"]);
    let (_, d) = app.get(&w, &format!("/api/v1/patrols/{id}")).await;
    assert_eq!(d["findings"].as_array().unwrap().len(), 2);
    assert_eq!(d["findings"][0]["item_name"], "小广告");

    // Scope: another grid's worker sees nothing and cannot write; the community reads but does not write.
    let got = app.get(&other, &format!("/api/v1/patrols/{id}")).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let got = app
        .post_json(
            &other,
            &format!("/api/v1/patrols/{id}/points"),
            json!({ "points": [pt(31.0, 104.0, 5.0, app.now())] }),
        )
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let (st, _) = app.get(&cs, &format!("/api/v1/patrols/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    let got = app.post_json(&cs, &format!("/api/v1/patrols/{id}/end"), json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    let (_, list) = app.get(&other, "/api/v1/patrols").await;
    assert_eq!(list["total"], 0);
    let (_, list) = app.get(&cs, "/api/v1/patrols").await;
    assert_eq!(list["total"], 1);
    // Community staff must name a grid, and only one of theirs.
    let got = app.post_json(&cs, "/api/v1/patrols", json!({})).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("grid_id"));
    let got = app.post_json(&cs, "/api/v1/patrols", json!({ "grid_id": t.grid_b1_1 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("grid_id"));
    let (st, p) = app.post_json(&cs, "/api/v1/patrols", json!({ "grid_id": t.grid_a1_2 })).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");

    // The checklist is edited by the county centre only, version-checked.
    let got =
        app.post_json(&w, "/api/v1/patrol-checklist", json!({ "name": "燃气安全", "event_category": "0302" })).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    let got = app.post_json(&county, "/api/v1/patrol-checklist", json!({ "name": "", "event_category": "nope" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("name"));
    assert!(got.1["fields"]["event_category"].is_string());
    let (st, it) = app
        .post_json(&county, "/api/v1/patrol-checklist", json!({ "name": "燃气安全", "event_category": "0302" }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{it}");
    let iid = it["id"].as_i64().unwrap();
    let got = app
        .patch_json(&county, &format!("/api/v1/patrol-checklist/{iid}"), json!({ "active": false, "version": 9 }))
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (st, it) = app
        .patch_json(&county, &format!("/api/v1/patrol-checklist/{iid}"), json!({ "active": false, "version": 1 }))
        .await;
    assert_eq!(st, StatusCode::OK, "{it}");
    assert_eq!(it["active"], false);
    assert_eq!(app.audit_rows("patrol_item_updated").await.len(), 1);
    assert_eq!(app.audit_rows("patrol_finding_reported").await.len(), 1);
}

#[tokio::test]
async fn daily_check_in_once_a_day() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = bearer(&app, "cw1", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let cs = bearer(&app, "ccs", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let got = app.post_json(&w, "/api/v1/check-ins", json!({ "lat": 191.0, "lng": 104.0 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("lat"));
    let got = app.post_json(&w, "/api/v1/check-ins", json!({ "lat": 31.0 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("lng"));
    let (st, c) = app.post_json(&w, "/api/v1/check-ins", json!({ "lat": 31.0, "lng": 104.0, "accuracy": 12.5 })).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(c["created"], true);
    assert_eq!(c["check_in"]["day"], "2026-03-02");
    // Again the same day: nothing new, the first one back with a Chinese message.
    app.clock.advance(3 * HOUR);
    let (st, c2) = app.post_json(&w, "/api/v1/check-ins", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{c2}");
    assert_eq!(c2["created"], false);
    assert_eq!(c2["check_in"]["at"], c["check_in"]["at"]);
    assert!(c2["message"].as_str().unwrap().contains("今天已于"));
    app.clock.advance(DAY);
    let (st, _) = app.post_json(&w, "/api/v1/check-ins", json!({})).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, list) = app.get(&cs, "/api/v1/check-ins?from=2026-03-01&to=2026-03-03").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.audit_rows("checked_in").await.len(), 2);
}

#[tokio::test]
async fn patrol_points_and_findings_follow_the_one_coordinate_rule() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = bearer(&app, "pw9", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let (st, p) = app.post_json(&w, "/api/v1/patrols", json!({})).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    app.clock.advance(MINUTE);
    let pts = format!("/api/v1/patrols/{id}/points");
    // Paris is a real fix, but not in a Chinese grid.
    let got = app.post_json(&w, &pts, json!({ "points": [pt(48.85, 2.35, 10.0, app.now())] })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("points[0].lat"));
    assert!(got.1["fields"]["points[0].lat"].as_str().unwrap().contains("不在中国境内"), "{}", got.1);
    let findings = format!("/api/v1/patrols/{id}/findings");
    let got =
        app.post_json(&w, &findings, json!({ "description": "电线杆上贴满了小广告", "lat": 0.0, "lng": 0.0 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("lat"));
    assert!(got.1["fields"]["lat"].as_str().unwrap().contains("不在中国境内"), "{}", got.1);
}

/// The field app's patrol screen is the only one (issue 22.4): its check-in goes through the sync
/// queue with the phone's time, at most once a day; the snapshot says whether today's is done and
/// lists the worker's last patrols; a patrol's record page has no forms, only the way back.
#[tokio::test]
async fn the_one_patrol_screen_checks_in_offline_and_lists_recent_patrols() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = app.demo_session("pw_one", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let sync = |op: Value| {
        let (app, w) = (&app, &w);
        async move {
            let (st, v) = app.post_json(w, "/api/v1/field/sync", json!({ "ops": [op] })).await;
            assert_eq!(st, StatusCode::OK, "{v}");
            v["results"][0].clone()
        }
    };
    let (_, snap) = app.get(&w, "/api/v1/field/snapshot").await;
    assert!(snap["todo"]["check_in"].is_null() && snap["todo"]["recent_patrols"] == json!([]), "{}", snap["todo"]);
    let later =
        sync(json!({ "op_id": "op-checkin-0000", "kind": "check_in", "data": { "at": app.now() + HOUR } })).await;
    assert_eq!(later["status"], "rejected", "{later}");
    assert!(later["fields"]["at"].as_str().unwrap().contains("不能晚于现在"), "{later}");
    let at = app.now() - 20 * MINUTE;
    app.clock.advance(MINUTE);
    let first = sync(
        json!({ "op_id": "op-checkin-0001", "kind": "check_in", "data": { "at": at, "lat": 30.5, "lng": 105.6 } }),
    )
    .await;
    assert_eq!(first["status"], "applied", "{first}");
    assert_eq!(
        (first["record"]["created"].clone(), first["record"]["at"].clone()),
        (json!(true), json!(at)),
        "the phone's time"
    );
    let again = sync(json!({ "op_id": "op-checkin-0002", "kind": "check_in", "data": {} })).await;
    assert_eq!(
        (again["record"]["created"].clone(), again["record"]["at"].clone()),
        (json!(false), json!(at)),
        "{again}"
    );
    assert_eq!(app.audit_rows("checked_in").await.len(), 1);

    let started =
        sync(json!({ "op_id": "op-onepatrol-01", "kind": "patrol.start", "data": { "started_at": app.now() } })).await;
    let id = started["id"].as_i64().unwrap();
    let (_, snap) = app.get(&w, "/api/v1/field/snapshot").await;
    assert_eq!(snap["todo"]["check_in"]["at"], at, "{}", snap["todo"]);
    let recent = snap["todo"]["recent_patrols"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert_eq!((recent[0]["id"].as_i64(), recent[0]["open"].as_bool()), (Some(id), Some(true)));
    assert!(recent[0]["grid_name"].is_string() && recent[0]["started_text"].is_string(), "{}", recent[0]);

    let html = app.call(axum::http::Method::GET, &format!("/patrols/{id}"), &w, None).await.text();
    assert!(html.contains("href=\"/field/patrol\""), "an open patrol of one's own leads back to the patrol screen");
    assert!(
        !html.contains(&format!("/patrols/{id}/checks")) && !html.contains(&format!("/patrols/{id}/end")),
        "{html}"
    );
    let r = app.call(axum::http::Method::POST, &format!("/patrols/{id}/checks"), &w, Some(&json!({}))).await;
    assert_ne!(r.status, StatusCode::OK, "the page forms are gone");
}
