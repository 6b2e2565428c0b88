//! Verification on site (核查) by someone other than whoever completed (办结) the event: the
//! completer is refused in Chinese, is not offered the action and does not find the event in its
//! to-do list; another account verifies. A county may allow it per category (audited, with the old
//! and new value), and then the completer verifies its own event.

use crate::fixtures::garbage;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge::auth::Role::*;

async fn act(app: &TestApp, s: &Session, id: i64, body: Value) -> (StatusCode, Value) {
    app.post_json(s, &format!("/api/v1/events/{id}/actions"), body).await
}

/// Reported, accepted and completed by the worker: waiting for verification.
async fn completed_by(app: &TestApp, worker: &Session, title: &str) -> i64 {
    let (st, e) = app.post_json(worker, "/api/v1/events", garbage(title)).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().unwrap();
    for body in [json!({ "action": "accept" }), json!({ "action": "complete", "note": "已清理" })] {
        let (st, v) = act(app, worker, id, body).await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    id
}

async fn todo(app: &TestApp, s: &Session) -> Vec<i64> {
    let (_, v) = app.get(s, "/api/v1/todo").await;
    v["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

async fn actions(app: &TestApp, s: &Session, id: i64) -> Vec<String> {
    let (_, v) = app.get(s, &format!("/api/v1/events/{id}")).await;
    v["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn whoever_completed_an_event_does_not_verify_it_unless_the_category_allows() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let community = app.demo_session("comm_a1", CommunityStaff, Bind::Area(tree.comm_a1)).await;
    let county = app.demo_session("county_c", CountyCenter, Bind::Area(tree.county)).await;
    let id = completed_by(&app, &worker, "东门垃圾满溢").await;

    let got = act(&app, &worker, id, json!({ "action": "verify", "note": "现场已清理" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let message = got.1["message"].as_str().unwrap();
    assert!(message.contains("办结和核查须由不同的人") && message.contains("您办结"), "{message}");
    assert!(!actions(&app, &worker, id).await.contains(&"verify".to_owned()));
    assert!(actions(&app, &worker, id).await.contains(&"reopen".to_owned()), "sending it back stays possible");
    assert!(!todo(&app, &worker).await.contains(&id), "not the completer's to verify");
    let (_, e) = app.get(&worker, &format!("/api/v1/events/{id}")).await;
    assert_eq!(e["state"], "completed", "the refusal wrote nothing");
    // Someone else verifies: the community over the grid.
    assert!(todo(&app, &community).await.contains(&id));
    let (st, v) = act(&app, &community, id, json!({ "action": "verify", "note": "现场已清理" })).await;
    assert_eq!((st, v["state"].as_str()), (StatusCode::OK, Some("verified")), "{v}");

    // The county allows it for 0401; the change is a setting with its history in the audit trail.
    let (_, cats) = app.get(&county, "/api/v1/event-categories").await;
    let cat = cats["items"].as_array().unwrap().iter().find(|c| c["code"] == "0401").unwrap().clone();
    assert_eq!(cat["verifier_must_differ"], true, "the default");
    let body = json!({ "version": cat["version"], "verifier_must_differ": false });
    let (st, v) = app.patch_json(&county, "/api/v1/event-categories/0401", body).await;
    assert_eq!((st, v["verifier_must_differ"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
    let rows = app.audit_rows("event_category_updated").await;
    let detail = rows.last().unwrap().detail.to_string();
    assert!(detail.contains("verifier_must_differ") && detail.contains("true") && detail.contains("false"), "{detail}");
    let own = completed_by(&app, &worker, "西门垃圾满溢").await;
    assert!(todo(&app, &worker).await.contains(&own));
    let (st, v) = act(&app, &worker, own, json!({ "action": "verify" })).await;
    assert_eq!((st, v["state"].as_str()), (StatusCode::OK, Some("verified")), "{v}");
    // Another category still wants a second person.
    let (_, other) = app.get(&county, "/api/v1/event-categories").await;
    let kept = other["items"].as_array().unwrap().iter().filter(|c| c["verifier_must_differ"] == true).count();
    assert!(kept > 10, "{kept}");
}

#[tokio::test]
async fn the_settings_page_sets_who_verifies_per_category() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let county = app.demo_session("county_c", CountyCenter, Bind::Area(tree.county)).await;
    let page = app.call(axum::http::Method::GET, "/settings/events", &county, None).await.text();
    assert!(page.contains("核查须由办结人以外的人进行") && page.contains("须另一人"), "{page}");
    // The form without the box ticked: the completer may verify.
    let form = [
        ("version", "1"),
        ("accept_limit", "4h"),
        ("handle_limit", "1d"),
        ("verify_limit", "1d"),
        ("yellow_pct", "75"),
        ("red_pct", "100"),
        ("required", "what"),
        ("required", "where"),
    ];
    let r = app.post_form(&county, "/settings/events/categories/0401", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, cats) = app.get(&county, "/api/v1/event-categories").await;
    let cat = cats["items"].as_array().unwrap().iter().find(|c| c["code"] == "0401").unwrap().clone();
    assert_eq!(cat["verifier_must_differ"], false, "{cat}");
    let page = app.call(axum::http::Method::GET, "/settings/events", &county, None).await.text();
    assert!(page.contains("办结人可自行核查"));
}
