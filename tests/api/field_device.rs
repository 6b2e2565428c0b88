//! What the field app's device snapshot carries for the screens (issue 22): the first screen's to-do
//! items with their event number and subject type, every category the desktop report form offers,
//! and where a grid worker lands after signing in on a phone.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::auth::Role::*;

fn day(app: &TestApp, days_back: u64) -> String {
    (wangge::clock::to_local(app.now()).date_naive() - chrono::Days::new(days_back)).to_string()
}

async fn snapshot(app: &TestApp, s: &Session) -> Value {
    let r = app.call(Method::GET, "/api/v1/field/snapshot", s, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn the_snapshot_carries_what_the_first_screen_shows() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    // An event the worker reported (the grid holds it: it waits in the worker's to-do) …
    let (st, v) = app
        .post_json(
            &worker,
            "/api/v1/field/sync",
            json!({ "ops": [{ "op_id": "op-todo-000001", "kind": "event.report", "data": { "category": "0301",
                "title": "消防通道堵塞", "details": { "what": "楼道堆放杂物，堵住消防通道", "where": "嫩水路 8 号 2 栋" } } }] }),
        )
        .await;
    assert_eq!((st, v["results"][0]["status"].as_str()), (StatusCode::OK, Some("applied")), "{v}");
    // … and a household whose next visit is due today.
    let (st, hh) =
        app.post_json(&worker, "/api/v1/households", json!({ "grid_id": t.grid_a1_1, "household_no": "HH-9" })).await;
    assert_eq!(st, StatusCode::CREATED, "{hh}");
    let visit =
        json!({ "visited_on": day(&app, 1), "kind": "routine", "note": "初访", "next_visit_due": day(&app, 0) });
    let (st, v) = app.post_json(&worker, &format!("/api/v1/households/{}/visits", hh["id"]), visit).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");

    let s = snapshot(&app, &worker).await;
    let events = s["todo"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{s}");
    let e = &events[0];
    let no = e["event_no"].as_str().unwrap_or_default();
    assert!(no.starts_with("SJ") && no.len() == "SJ20260305-000123".len(), "the event number: {e}");
    for key in ["id", "title", "state_label", "card", "deadline_text", "category_name"] {
        assert!(!e[key].is_null(), "{key}: {e}");
    }
    assert_eq!(e["title"], "消防通道堵塞");
    let visits = s["todo"]["visits_due"].as_array().unwrap();
    assert_eq!(visits.len(), 1, "{s}");
    let v = &visits[0];
    assert_eq!(
        (v["subject_type"].as_str(), v["subject_id"].as_i64(), v["subject"].as_str(), v["kind_label"].as_str()),
        (Some("household"), hh["id"].as_i64(), Some("HH-9"), Some("户")),
        "{v}"
    );
    assert_eq!(v["next_visit_due"], day(&app, 0));
}
