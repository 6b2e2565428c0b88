//! The closed loop through the API: a report travels grid → community → department and back to
//! verification, closing and evaluation; forbidden moves answer 409 with the reason; thin reports are
//! refused; the clock follows the work calendar; cards fire once even with two job runners.

use crate::fixtures::{self, County, Login, Who, with};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role::*;
use wangge::clock::{HOUR, MINUTE};

fn garbage(title: &str) -> Value {
    with(fixtures::garbage(title), json!({ "address": "嫩水路 8 号" }))
}

/// A multipart body with a `data` JSON field and `photos` files.
fn with_photos(data: &Value, photos: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----wanggeEventBoundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{data}\r\n").as_bytes(),
    );
    for (name, bytes) in photos {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &TestApp,
    s: &Session,
    path: &str,
    data: &Value,
    photos: &[(&str, &[u8])],
) -> (StatusCode, Value) {
    let (ct, body) = with_photos(data, photos);
    let req =
        app.request(Method::POST, path, s).header(header::CONTENT_TYPE, ct).body(Body::from(body)).expect("request");
    let r = app.send(req).await;
    (r.status, r.json())
}

async fn setup() -> County {
    County::new(&[Who::Worker, Who::WorkerB, Who::Community, Who::Town, Who::Police], Login::Bearer).await
}

async fn act(app: &TestApp, s: &Session, id: i64, body: Value) -> Value {
    let (st, v) = app.post_json(s, &format!("/api/v1/events/{id}/actions"), body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body} → {v}");
    v
}

async fn todo_ids(app: &TestApp, s: &Session, list: &str) -> Vec<i64> {
    let (st, v) = app.get(s, &format!("/api/v1/todo?list={list}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_report_travels_the_whole_loop() {
    let l = setup().await;
    let app = &l.app;
    let (st, e) = post_multipart(
        app,
        l.worker(),
        "/api/v1/events",
        &garbage("幸福小区东门垃圾满溢"),
        &[("before.png", &tiny_png())],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().unwrap();
    assert_eq!(e["state"], "reported");
    assert_eq!(e["grid_id"], l.tree.grid_a1_1);
    assert_eq!(e["card"], "none");
    assert!(e["description"].as_str().unwrap().contains("事情经过：小区东门垃圾桶满溢"));
    assert_eq!(e["photos"].as_array().unwrap().len(), 1);
    assert!(e["deadline"].as_i64().unwrap() > start_ms());
    for key in ["id", "state", "category", "grid_id", "title", "description", "deadline", "card", "version"] {
        assert!(e.get(key).is_some(), "{key}");
    }
    // The grid holds it: it is in the worker's to-do list, and the worker may accept or escalate it.
    assert_eq!(todo_ids(app, l.worker(), "todo").await, vec![id]);
    assert_eq!(todo_ids(app, l.worker(), "mine").await, vec![id]);
    assert!(e["actions"].as_array().unwrap().contains(&json!("accept")));

    act(app, l.worker(), id, json!({ "action": "accept" })).await;
    app.clock.advance(HOUR);
    let v = act(app, l.worker(), id, json!({ "action": "escalate", "note": "需要社区协调物业公司" })).await;
    assert_eq!(v["state"], "reported");
    assert_eq!(v["holder_area_id"], l.tree.comm_a1);
    assert!(todo_ids(app, l.worker(), "todo").await.is_empty());
    assert_eq!(todo_ids(app, l.community(), "todo").await, vec![id]);

    act(app, l.community(), id, json!({ "action": "accept" })).await;
    let v = act(app, l.community(), id, json!({ "action": "dispatch", "note": "请派出所协助", "target": { "kind": "department", "id": l.tree.dept_a } })).await;
    assert_eq!(v["state"], "dispatched");
    assert_eq!(v["holder_department_id"], l.tree.dept_a);
    assert_eq!(todo_ids(app, l.police(), "todo").await, vec![id]);
    // The police station sees what was sent to it.
    let (st, _) = app.get(l.police(), &format!("/api/v1/events/{id}")).await;
    assert_eq!(st, StatusCode::OK);

    act(app, l.police(), id, json!({ "action": "accept" })).await;
    app.clock.advance(2 * HOUR);
    let (st, v) = post_multipart(
        app,
        l.police(),
        &format!("/api/v1/events/{id}/actions"),
        &json!({ "action": "complete", "note": "已联系物业清运完毕" }),
        &[("after.png", &tiny_png())],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "completed");
    assert_eq!(v["photos"].as_array().unwrap().iter().filter(|p| p["stage"] == "after").count(), 1);
    // Back to the grid for verification on site, then the community closes it.
    assert_eq!(todo_ids(app, l.worker(), "todo").await, vec![id]);
    act(app, l.worker(), id, json!({ "action": "verify", "note": "现场已清理干净" })).await;
    assert_eq!(todo_ids(app, l.community(), "todo").await, vec![id]);
    act(app, l.community(), id, json!({ "action": "close" })).await;
    let v = act(app, l.worker(), id, json!({ "action": "evaluate", "satisfaction": 5 })).await;
    assert_eq!(v["state"], "evaluated");
    assert_eq!(v["satisfaction"], 5);
    assert!(v["actions"].as_array().unwrap().is_empty());

    // The whole timeline, with each timed step against its limit.
    let actions: Vec<&str> = v["timeline"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["report", "accept", "escalate", "accept", "dispatch", "accept", "complete", "verify", "close", "evaluate"]
    );
    let handled = &v["timeline"][6];
    assert_eq!(handled["step"], "handle");
    assert_eq!(handled["step_minutes"], 120);
    assert!(handled["took"].as_str().unwrap().contains("办理用时 2 小时"), "{handled}");
    assert_eq!(todo_ids(app, l.police(), "done").await, vec![id]);
    // Notifications reached the community when it was escalated.
    let (_, n) = app.get(l.community(), "/api/v1/notifications").await;
    assert!(n["items"].as_array().unwrap().iter().any(|x| x["text"].as_str().unwrap().contains("上报上级")), "{n}");
    // Every action is audited.
    assert_eq!(app.audit_rows("event_dispatch").await.len(), 1);
    // The photos can be fetched by those who see the event, not by others.
    let file = v["photos"][0]["file_id"].as_str().unwrap().to_owned();
    let r = app.call(Method::GET, &format!("/api/v1/events/{id}/photos/{file}"), l.worker(), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/png");
    let r = app.call(Method::GET, &format!("/api/v1/events/{id}/photos/{file}"), l.worker_b(), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forbidden_moves_answer_409_with_the_reason() {
    let l = setup().await;
    let app = &l.app;
    let (_, e) = app.post_json(l.worker(), "/api/v1/events", garbage("垃圾满溢无人清运")).await;
    let id = e["id"].as_i64().unwrap();
    // Out of scope: another grid's worker and a department it was never sent to do not even see it.
    let (st, _) =
        app.post_json(l.worker_b(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "accept" })).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app.get(l.police(), &format!("/api/v1/events/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Not the holder / not the state.
    let got =
        app.post_json(l.community(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "accept" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert!(got.1["message"].as_str().unwrap().contains("只有当前承办单位才能签收受理"), "{}", got.1);
    let got = app.post_json(l.worker(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "close" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert!(got.1["message"].as_str().unwrap().contains("不能结案"), "{}", got.1);
    // A grid may not dispatch; an escalation needs a note; unknown actions are named.
    act(app, l.worker(), id, json!({ "action": "accept" })).await;
    let got = app
        .post_json(
            l.worker(),
            &format!("/api/v1/events/{id}/actions"),
            json!({ "action": "dispatch", "note": "x", "target": { "kind": "department", "id": l.tree.dept_a } }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let got = app.post_json(l.worker(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "escalate" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("note"));
    let got = app.post_json(l.worker(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "fly" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("action"));
    // Two people acting on the same version: one wins, the other is told to refresh.
    let (_, cur) = app.get(l.worker(), &format!("/api/v1/events/{id}")).await;
    let version = cur["version"].as_i64().unwrap();
    act(app, l.worker(), id, json!({ "action": "complete", "note": "已清理", "version": version })).await;
    let got = app
        .post_json(
            l.worker(),
            &format!("/api/v1/events/{id}/actions"),
            json!({ "action": "escalate", "note": "再报", "version": version }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert!(got.1["message"].as_str().unwrap().contains("刷新"));
    // After closing, nothing but evaluation (the community verifies what the worker completed).
    act(app, l.community(), id, json!({ "action": "verify" })).await;
    act(app, l.community(), id, json!({ "action": "close" })).await;
    let got = app
        .post_json(l.community(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "escalate", "note": "x" }))
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    // A read-only county viewer may read but not act; an administrator may not even read.
    let viewer = fixtures::bearer(app, "viewer", CountyViewer, Bind::Area(l.tree.county)).await;
    let (st, _) = app.get(&viewer, &format!("/api/v1/events/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = app.post_json(&viewer, &format!("/api/v1/events/{id}/actions"), json!({ "action": "urge" })).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn thin_or_bad_reports_are_refused_and_nothing_is_written() {
    let l = setup().await;
    let app = &l.app;
    let thin = json!({ "category": "0401", "title": "垃圾", "details": { "what": "有垃圾" } });
    let got = app.post_json(l.worker(), "/api/v1/events", thin).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("details.what"));
    for f in ["title", "details.where"] {
        assert!(got.1["fields"].get(f).is_some(), "{f}: {}", got.1);
    }
    let dispute = json!({ "category": "0102", "title": "邻里纠纷", "details": { "what": "两户因漏水问题争吵多次，情绪激动", "where": "3 栋" } });
    let got = app.post_json(l.worker(), "/api/v1/events", dispute).await;
    for f in ["details.who", "details.how_many", "details.parties"] {
        assert!(got.1["fields"].get(f).is_some(), "{f}: {}", got.1);
    }
    let got = app
        .post_json(
            l.worker(),
            "/api/v1/events",
            json!({ "category": "nope", "title": "标题四字", "details": { "what": "一二三四五六七八九十" } }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("category"));
    // A photo that is not an image.
    let (st, v) = post_multipart(
        app,
        l.worker(),
        "/api/v1/events",
        &garbage("垃圾满溢无人清运"),
        &[("x.png", b"not an image at all")],
    )
    .await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    // Another grid named explicitly.
    let mut other = garbage("垃圾满溢无人清运");
    other["grid_id"] = json!(l.tree.grid_b1_1);
    let got = app.post_json(l.worker(), "/api/v1/events", other).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("grid_id"));
    let (_, list) = app.get(l.town(), "/api/v1/events").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn the_clock_follows_the_calendar_and_cards_fire_once() {
    let l = setup().await;
    let app = &l.app;
    // Friday 2026-03-06 19:30 in Beijing.
    app.clock.advance(4 * 24 * HOUR + 10 * HOUR + 30 * MINUTE);
    let (st, e) = app.post_json(l.worker(), "/api/v1/events", garbage("周五晚上发现垃圾满溢")).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let id = e["id"].as_i64().unwrap();
    // Accepting has 4 working hours: from Monday 09:00, across lunch, to 14:00.
    assert_eq!(e["deadline_text"], "2026-03-09 14:00");
    // Monday 12:00 (75% of the limit used): yellow card. Two runners race; one card, one supervision.
    app.clock.advance(2 * 24 * HOUR + 16 * HOUR + 30 * MINUTE);
    let now = app.clock.now();
    let (a, b) = tokio::join!(
        wangge::domains::events::cards::scan(&app.state, now),
        wangge::domains::events::cards::scan(&app.state, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let (_, v) = app.get(l.community(), &format!("/api/v1/events/{id}")).await;
    assert_eq!(v["card"], "yellow");
    assert_eq!(v["supervisions"].as_array().unwrap().len(), 1);
    assert_eq!(v["supervisions"][0]["level"], "yellow");
    assert_eq!(v["supervisions"][0]["area_id"], l.tree.comm_a1);
    // The worker was urged; the to-do list shows the card.
    let (_, n) = app.get(l.worker(), "/api/v1/notifications").await;
    assert!(n["items"].as_array().unwrap().iter().any(|x| x["kind"] == "card_yellow"), "{n}");
    let (_, t) = app.get(l.worker(), "/api/v1/todo").await;
    assert_eq!(t["items"][0]["card"], "yellow");
    // 14:00: red; running again fires nothing more.
    app.clock.advance(2 * HOUR);
    let now = app.clock.now();
    assert_eq!(wangge::domains::events::cards::scan(&app.state, now).await.unwrap(), 1);
    assert_eq!(wangge::domains::events::cards::scan(&app.state, now).await.unwrap(), 0);
    let (_, v) = app.get(l.community(), &format!("/api/v1/events/{id}?")).await;
    assert_eq!(v["card"], "red");
    assert_eq!(v["supervisions"].as_array().unwrap().len(), 2);
    let (_, overdue) = app.get(l.community(), "/api/v1/events?overdue=true").await;
    assert_eq!(overdue["total"], 1);
    // The community (the level above the grid) has both in its supervision list, newest first; the
    // grid worker, who is supervised, has none; a level that does not exist is refused.
    let (st, sv) = app.get(l.community(), "/api/v1/supervisions").await;
    assert_eq!(st, StatusCode::OK, "{sv}");
    let levels: Vec<&str> = sv["items"].as_array().unwrap().iter().map(|x| x["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["red", "yellow"]);
    assert_eq!(sv["items"][0]["event_id"], id);
    assert_eq!(sv["items"][0]["by"], "系统");
    let (_, red) = app.get(l.community(), "/api/v1/supervisions?level=red&open=true").await;
    assert_eq!(red["total"], 1);
    let (_, none) = app.get(l.worker(), "/api/v1/supervisions").await;
    assert_eq!(none["total"], 0);
    let got = app.get(l.community(), "/api/v1/supervisions?level=purple").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("level"));
    let page = app.call(Method::GET, "/supervisions?level=red", l.community(), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("周五晚上发现垃圾满溢") && page.text().contains("红牌超时"), "{}", page.text());
    // Accepting (half an hour late) starts the handling step with a fresh clock and no card.
    app.clock.advance(30 * MINUTE);
    let v = act(app, l.worker(), id, json!({ "action": "accept" })).await;
    assert_eq!(v["card"], "none");
    let accept_line = &v["timeline"].as_array().unwrap().iter().find(|s| s["action"] == "accept").unwrap().clone();
    assert_eq!(accept_line["overran"], true);
}

#[tokio::test]
async fn one_scan_cards_many_events_in_one_batch_and_the_audit_chain_holds() {
    let l = setup().await;
    let app = &l.app;
    let mut ids = Vec::new();
    for t in ["一号楼垃圾满溢", "二号楼垃圾满溢", "三号楼垃圾满溢"] {
        let (_, e) = app.post_json(l.worker(), "/api/v1/events", garbage(t)).await;
        ids.push(e["id"].as_i64().unwrap());
    }
    // Two working days later every accept step is long overdue: one red card each, in one batch.
    app.clock.advance(2 * 24 * HOUR);
    let now = app.clock.now();
    assert_eq!(wangge::domains::events::cards::scan(&app.state, now).await.unwrap(), 3);
    assert_eq!(wangge::domains::events::cards::scan(&app.state, now).await.unwrap(), 0);
    for id in &ids {
        let (_, v) = app.get(l.community(), &format!("/api/v1/events/{id}")).await;
        assert_eq!(v["card"], "red");
        let lines: Vec<&str> =
            v["timeline"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
        assert!(lines.contains(&"card_red"), "{lines:?}");
    }
    assert_eq!(app.audit_rows("event_card").await.len(), 3);
    let report = wangge::audit::verify(&app.db).await.unwrap();
    assert!(matches!(report, wangge::audit::VerifyReport::Intact { .. }), "{report}");
    let (_, sv) = app.get(l.community(), "/api/v1/supervisions?level=red").await;
    assert_eq!(sv["total"], 3);
    let (_, n) = app.get(l.worker(), "/api/v1/notifications").await;
    assert_eq!(n["items"].as_array().unwrap().iter().filter(|x| x["kind"] == "card_red").count(), 3);
}

#[tokio::test]
async fn extensions_are_asked_and_approved_by_the_level_above() {
    let l = setup().await;
    let app = &l.app;
    let (_, e) = app.post_json(l.community(), "/api/v1/events", json!({ "category": "06", "title": "违建举报核查", "grid_id": l.tree.grid_a1_2,
        "details": { "what": "有人在楼顶加盖彩钢棚，约二十平方米", "where": "嫩水路 12 号楼顶", "when": "2026-03-01" } })).await;
    let id = e["id"].as_i64().unwrap();
    let worker2 = fixtures::bearer(app, "worker_a2", GridWorker, Bind::Area(l.tree.grid_a1_2)).await;
    act(app, &worker2, id, json!({ "action": "accept" })).await;
    act(app, &worker2, id, json!({ "action": "escalate", "note": "需社区协调执法" })).await;
    act(app, l.community(), id, json!({ "action": "accept" })).await;
    let (_, before) = app.get(l.community(), &format!("/api/v1/events/{id}")).await;
    let v = act(app, l.community(), id, json!({ "action": "extend", "days": 2, "note": "需等待产权资料" })).await;
    assert_eq!(v["extension_pending_days"], 2);
    // The community cannot approve its own request; the town can.
    let got = app
        .post_json(l.community(), &format!("/api/v1/events/{id}/actions"), json!({ "action": "approve_extension" }))
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let v = act(app, l.town(), id, json!({ "action": "approve_extension" })).await;
    assert_eq!(v["extension_pending_days"], Value::Null);
    let moved = v["deadline"].as_i64().unwrap() - before["deadline"].as_i64().unwrap();
    assert!(moved >= 2 * 24 * HOUR, "{moved}");
    // Supervision by the town is recorded and reaches the community.
    act(app, l.town(), id, json!({ "action": "supervise", "note": "请抓紧处理" })).await;
    let (_, n) = app.get(l.community(), "/api/v1/notifications").await;
    assert!(n["items"].as_array().unwrap().iter().any(|x| x["kind"] == "supervise"), "{n}");
}

#[tokio::test]
async fn reports_outside_every_grid_wait_for_a_grid_and_duplicates_merge() {
    let l = setup().await;
    let app = &l.app;
    let mut body = garbage("河边垃圾堆放");
    body["lon"] = json!(104.1);
    body["lat"] = json!(31.2);
    let (st, e) = app.post_json(l.community(), "/api/v1/events", body).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    assert_eq!(e["needs_grid"], true);
    assert_eq!(e["grid_id"], Value::Null);
    let id = e["id"].as_i64().unwrap();
    let (st, v) = app
        .patch_json(
            l.community(),
            &format!("/api/v1/events/{id}"),
            json!({ "version": e["version"], "grid_id": l.tree.grid_a1_2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["needs_grid"], false);
    assert_eq!(v["grid_id"], l.tree.grid_a1_2);
    // Two reports of the same thing: the second is merged into the first.
    let (_, a) = app.post_json(l.worker(), "/api/v1/events", garbage("东门垃圾满溢")).await;
    let (_, b) = app.post_json(l.worker(), "/api/v1/events", garbage("东门垃圾又满了")).await;
    let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let v = act(app, l.worker(), b, json!({ "action": "merge", "merge_into": a, "note": "重复上报" })).await;
    assert_eq!(v["state"], "merged");
    assert_eq!(v["merged_into"], a);
    let v = act(app, l.worker(), a, json!({ "action": "cancel", "note": "误报" })).await;
    assert_eq!(v["state"], "cancelled");
    let (_, list) = app.get(l.town(), "/api/v1/events?state=merged,cancelled").await;
    assert_eq!(list["total"], 2);
}

#[tokio::test]
async fn categories_and_calendar_are_settings_of_the_county() {
    let l = setup().await;
    let app = &l.app;
    let county = fixtures::bearer(app, "county_c", CountyCenter, Bind::Area(l.tree.county)).await;
    let (_, cats) = app.get(l.worker(), "/api/v1/event-categories").await;
    let garbage = cats["items"].as_array().unwrap().iter().find(|c| c["code"] == "0401").unwrap().clone();
    assert_eq!(garbage["handle_limit"], "1d");
    let (st, _) =
        app.patch_json(l.town(), "/api/v1/event-categories/0401", json!({ "version": 1, "handle_limit": "2d" })).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let got = app
        .patch_json(&county, "/api/v1/event-categories/0401", json!({ "version": 1, "handle_limit": "2 days" }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("handle_limit"));
    let (st, v) = app
        .patch_json(
            &county,
            "/api/v1/event-categories/0401",
            json!({ "version": 1, "handle_limit": "2d", "yellow_pct": 50 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["handle_limit"], "2d");
    // 2026-03-02 (the tests' Monday) made a day off: a report now waits until Tuesday.
    let (st, _) = app
        .post_json(
            &county,
            "/api/v1/work-calendar",
            json!({ "day": "2026-03-02", "working": false, "note": "测试停工" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, e) = app
        .post_json(
            l.worker(),
            "/api/v1/events",
            json!({ "category": "0401", "title": "垃圾满溢无人清运",
        "details": { "what": "小区东门垃圾桶满溢三天无人清运", "where": "东门" } }),
        )
        .await;
    assert_eq!(e["deadline_text"], "2026-03-03 14:00");
    let got = app.post_json(&county, "/api/v1/work-calendar", json!({ "day": "3/2" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("day"));
}

#[tokio::test]
async fn figures_match_a_hand_computed_month() {
    let l = setup().await;
    let app = &l.app;
    let new = |t: &str| garbage(t);
    let (_, a) = app.post_json(l.worker(), "/api/v1/events", new("东门垃圾满溢")).await;
    let (_, _b) = app.post_json(l.worker(), "/api/v1/events", new("西门垃圾满溢")).await;
    let (_, c) = app.post_json(l.worker(), "/api/v1/events", new("北门垃圾满溢")).await;
    let (a, c) = (a["id"].as_i64().unwrap(), c["id"].as_i64().unwrap());
    app.clock.advance(HOUR);
    act(app, l.worker(), a, json!({ "action": "accept" })).await;
    act(app, l.worker(), a, json!({ "action": "complete", "note": "已清理" })).await;
    act(app, l.community(), a, json!({ "action": "verify" })).await;
    act(app, l.community(), a, json!({ "action": "close" })).await;
    act(app, l.worker(), c, json!({ "action": "cancel", "note": "重复误报" })).await;
    let (st, s) =
        app.get(l.town(), &format!("/api/v1/stats/events?area={}&from=2026-03-01&to=2026-03-31", l.tree.town_a)).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let t = &s["totals"];
    // Arrived: A and B (C was cancelled); closed: A; due to close this month: A and B; A on time.
    assert_eq!((t["arrived"].as_i64(), t["closed"].as_i64()), (Some(2), Some(1)));
    assert_eq!(t["completion_rate"], 0.5);
    assert_eq!(
        (t["due"].as_i64(), t["due_closed"].as_i64(), t["due_closed_on_time"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(t["closing_rate"], 0.5);
    assert_eq!(t["on_time_closing_rate"], 0.5);
    assert_eq!((t["accepted"].as_i64(), t["accepted_on_time"].as_i64()), (Some(1), Some(1)));
    // Rolled up to the town's communities and to the top-level category.
    let by_area = s["by_area"].as_array().unwrap();
    let nenshui =
        by_area.iter().find(|u| u["id"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(l.tree.comm_a1)).unwrap();
    let jinshan =
        by_area.iter().find(|u| u["id"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(l.tree.comm_a2)).unwrap();
    assert_eq!((nenshui["arrived"].as_i64(), jinshan["arrived"].as_i64()), (Some(2), Some(0)));
    assert_eq!(s["by_category"][0]["name"], "环境卫生");
    // Steps that ended: accept (A, C), handle (A), verify (A, at closing).
    let steps: Vec<(String, i64)> = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["step"].as_str().unwrap().to_owned(), x["count"].as_i64().unwrap()))
        .collect();
    for (step, n) in [("accept", 2), ("handle", 1), ("verify", 1)] {
        assert!(steps.contains(&(step.to_owned(), n)), "{step}: {steps:?}");
    }
    // No department held a March event. In April one is dispatched to the police station: the
    // station's row counts it as arrived and not yet closed.
    assert_eq!(s["by_department"], json!([]));
    app.clock.advance(30 * 24 * HOUR);
    let (_, d) = app.post_json(l.worker(), "/api/v1/events", new("南门垃圾满溢")).await;
    let d = d["id"].as_i64().unwrap();
    act(app, l.worker(), d, json!({ "action": "accept" })).await;
    act(app, l.worker(), d, json!({ "action": "escalate", "note": "需要社区协调" })).await;
    act(app, l.community(), d, json!({ "action": "accept" })).await;
    let target = json!({ "kind": "department", "id": l.tree.dept_a });
    act(app, l.community(), d, json!({ "action": "dispatch", "note": "请派出所协助", "target": target })).await;
    let (_, april) = app.get(l.town(), "/api/v1/stats/events?from=2026-04-01&to=2026-04-30").await;
    let depts = april["by_department"].as_array().unwrap();
    assert_eq!(depts.len(), 1, "{april}");
    assert_eq!(depts[0]["id"], l.tree.dept_a.to_string());
    assert_eq!((depts[0]["arrived"].as_i64(), depts[0]["closed"].as_i64()), (Some(1), Some(0)));
    assert_eq!(april["totals"]["arrived"], 1);
    // February has nothing; a town outside one's scope is refused.
    let (_, feb) = app.get(l.town(), "/api/v1/stats/events?from=2026-02-01&to=2026-02-28").await;
    assert_eq!(feb["totals"]["arrived"], 0);
    assert_eq!(feb["totals"]["completion_rate"], Value::Null);
    let got = app.get(l.town(), &format!("/api/v1/stats/events?area={}", l.tree.town_b)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
}

#[tokio::test]
async fn the_figures_page_shows_the_api_numbers() {
    let l = setup().await;
    let app = &l.app;
    let (_, a) = app.post_json(l.worker(), "/api/v1/events", garbage("东门垃圾满溢")).await;
    let a = a["id"].as_i64().unwrap();
    app.post_json(l.worker(), "/api/v1/events", garbage("西门垃圾满溢")).await;
    act(app, l.worker(), a, json!({ "action": "accept" })).await;
    act(app, l.worker(), a, json!({ "action": "complete", "note": "已清理" })).await;
    act(app, l.community(), a, json!({ "action": "verify" })).await;
    act(app, l.community(), a, json!({ "action": "close" })).await;
    let r = app.call(Method::GET, "/stats/events?from=2026-03-01&to=2026-03-31", l.town(), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("鹤山镇 事件统计"), "{html}");
    assert!(html.contains("<td>2</td><td>1</td><td>50.0%</td>"), "{html}");
    assert!(html.contains("嫩水社区"));
    assert!(html.contains("环境卫生"));
}

#[tokio::test]
async fn an_event_at_0_0_or_abroad_is_refused_like_a_patrol_point() {
    let l = setup().await;
    let app = &l.app;
    for (lon, lat) in [(0.0, 0.0), (2.35, 48.85), (31.7, 104.7)] {
        let mut body = garbage("坐标不对的事件");
        body["lon"] = json!(lon);
        body["lat"] = json!(lat);
        let got = app.post_json(l.worker(), "/api/v1/events", body).await;
        assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("lon"));
        assert!(got.1["fields"]["lon"].as_str().unwrap().contains("不在中国境内"), "{}", got.1);
    }
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM events", vec![]).await.unwrap();
    assert_eq!(n, 0);
}
