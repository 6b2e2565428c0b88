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

/// The option values of the desktop report form's category select, in order.
fn desktop_categories(html: &str) -> Vec<String> {
    let start = html.find("<select id=\"category\"").expect("the category select");
    let end = start + html[start..].find("</select>").expect("its end");
    html[start..end]
        .split("<option value=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

#[tokio::test]
async fn the_snapshot_offers_every_category_of_the_desktop_form() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let page = app.call(Method::GET, "/events/new", &worker, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let desktop = desktop_categories(&page.text());
    let s = snapshot(&app, &worker).await;
    let phone: Vec<String> =
        s["categories"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(phone, desktop, "the same choices in the same order");
    // The first-level categories without children are there on their own, named as on the desktop.
    for name in ["违法建设", "特殊人群服务管理", "社情民意", "突发事件", "其他"] {
        let c = s["categories"].as_array().unwrap().iter().find(|c| c["name"] == name);
        assert!(c.is_some_and(|c| c["group"].is_null()), "{name}: {}", s["categories"]);
    }
    // A report in such a category goes through the phone's sync.
    let code = s["categories"].as_array().unwrap().iter().find(|c| c["name"] == "突发事件").unwrap()["code"].clone();
    let (st, v) = app
        .post_json(
            &worker,
            "/api/v1/field/sync",
            json!({ "ops": [{ "op_id": "op-emerg-00001", "kind": "event.report", "data": { "category": code,
                "title": "路面塌陷", "details": { "what": "嫩水路中段路面塌陷，有车辆陷入", "where": "嫩水路中段",
                "when": "2026-03-02 09:30", "how_many": 2 } } }] }),
        )
        .await;
    assert_eq!((st, v["results"][0]["status"].as_str()), (StatusCode::OK, Some("applied")), "{v}");
}

const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";

/// Signs in through the page form (as a browser would: the pre-sign-in token first) and answers
/// where it sends the browser.
async fn lands(app: &TestApp, username: &str, next: &str, viewport: &str, ua: &str) -> String {
    let r = app.call(Method::GET, "/login", &Session::anon(), None).await;
    let set = r.header("set-cookie");
    let csrf = set.split(';').next().and_then(|kv| kv.strip_prefix("wangge_csrf=")).expect("csrf cookie").to_owned();
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", PASSWORD),
        ("next", next),
        ("viewport", viewport),
        ("_csrf", &csrf),
    ])
    .unwrap();
    let req = app
        .request(Method::POST, "/login", &Session::anon())
        .header(axum::http::header::COOKIE, format!("wangge_csrf={csrf}"))
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(axum::http::header::USER_AGENT, ua)
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("location")
}

#[tokio::test]
async fn a_grid_worker_signing_in_on_a_phone_lands_in_the_field_app() {
    let (app, t, _) = TestApp::with_tree().await;
    app.account("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    app.account("leader_a", GridLeader, Bind::Area(t.grid_a1_2)).await;
    app.account("staff_a1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    // A narrow window (the width the sign-in form's script sends), or a mobile browser without it.
    assert_eq!(lands(&app, "worker_a", "/", "390", DESKTOP).await, "/field/");
    assert_eq!(lands(&app, "leader_a", "", "412", DESKTOP).await, "/field/");
    assert_eq!(lands(&app, "worker_a", "/", "", ANDROID).await, "/field/");
    // A desktop window, another role, or a page asked for: as before.
    assert_eq!(lands(&app, "worker_a", "/", "1440", DESKTOP).await, "/");
    assert_eq!(lands(&app, "staff_a1", "/", "390", ANDROID).await, "/");
    assert_eq!(lands(&app, "worker_a", "/events?page=2", "390", ANDROID).await, "/events?page=2");
}

async fn rows(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one(sql, vec![]).await.unwrap();
    n
}

#[tokio::test]
async fn the_patrols_checklist_and_findings_go_through_the_sync_with_receipts() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let s = snapshot(&app, &worker).await;
    let items: Vec<i64> =
        s["todo"]["checklist"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(items.len(), 6, "the six areas are on the phone: {}", s["todo"]["checklist"]);
    let started = app.now() - 30 * 60_000;
    let checks = json!({ "items": [
        { "item_id": items[0], "result": "ok" },
        { "item_id": items[1], "result": "problem", "note": "楼道堆放杂物" },
        { "item_id": items[2], "result": "na" } ] });
    let finding = json!({ "item_id": items[1], "description": "三栋楼道堆满纸箱，堵住消防通道", "address": "嫩水路 8 号 3 栋", "report": true });
    let ops = json!([
        { "op_id": "op-pat-start-01", "kind": "patrol.start", "data": { "started_at": started } },
        { "op_id": "op-pat-check-01", "kind": "patrol.checks", "ref_op": "op-pat-start-01", "data": checks },
        { "op_id": "op-pat-find-001", "kind": "patrol.finding", "ref_op": "op-pat-start-01", "data": finding },
        { "op_id": "op-pat-end-0001", "kind": "patrol.end", "ref_op": "op-pat-start-01", "data": { "note": "巡查完毕" } },
    ]);
    let (st, v) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": ops.clone() })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["status"], "applied", "{v}");
    }
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM patrol_checks").await, 3);
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM patrol_findings WHERE event_id IS NOT NULL").await, 1);
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM events WHERE channel = 'patrol'").await, 1);
    // Sent again (the phone lost the answer): the first answers, nothing done twice.
    let (_, again) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": ops })).await;
    assert!(again["results"].as_array().unwrap().iter().all(|r| r["replayed"] == true), "{again}");
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM patrol_findings").await, 1);
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM events WHERE channel = 'patrol'").await, 1);
    // A problem without a word about it is refused, in Chinese, and writes nothing.
    let bad = json!([{ "op_id": "op-pat-check-02", "kind": "patrol.checks", "ref_op": "op-pat-start-01",
        "data": { "items": [{ "item_id": items[3], "result": "problem" }] } }]);
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": bad })).await;
    assert_eq!(v["results"][0]["status"], "rejected", "{v}");
    assert_eq!(v["results"][0]["fields"]["items[0].note"], "有问题时请写明情况");
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM patrol_checks").await, 3);
}

#[tokio::test]
async fn a_persons_status_change_goes_through_the_sync_and_a_stale_one_is_a_conflict() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1950, 2, 3).unwrap(), 41);
    let (st, p) = app
        .post_json(
            &worker,
            "/api/v1/persons",
            json!({ "kind": "registered", "name": "状态测试", "id_number": number, "grid_id": t.grid_a1_1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let op = |op_id: &str, base: i64, status: &str| {
        json!({ "ops": [{ "op_id": op_id, "kind": "person.status", "id": id, "base_version": base,
            "data": { "status": status, "date": day(&app, 0), "reason": "随子女迁往成都" } }] })
    };
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", op("op-status-0001", 1, "moved_out")).await;
    assert_eq!(
        (v["results"][0]["status"].as_str(), v["results"][0]["version"].as_i64()),
        (Some("applied"), Some(2)),
        "{v}"
    );
    let (_, again) = app.post_json(&worker, "/api/v1/field/sync", op("op-status-0001", 1, "moved_out")).await;
    assert_eq!(again["results"][0]["replayed"], true, "{again}");
    let (_, now) = app.get(&worker, &format!("/api/v1/persons/{id}")).await;
    assert_eq!((now["status"].as_str(), now["version"].as_i64()), (Some("moved_out"), Some(2)));
    // Made offline on the old version: shown with the current record, nothing written.
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", op("op-status-0002", 1, "deceased")).await;
    assert_eq!(v["results"][0]["status"], "conflict", "{v}");
    assert_eq!(v["results"][0]["current"]["status"], "moved_out");
    // On the current version a change the rules forbid is refused in Chinese.
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", op("op-status-0003", 2, "deceased")).await;
    assert_eq!(v["results"][0]["status"], "rejected", "{v}");
    assert!(v["results"][0]["message"].as_str().unwrap().contains("不能从“已迁出”改为“已死亡”"), "{v}");
}

#[tokio::test]
async fn a_household_and_its_member_registered_offline_arrive_together() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1981, 9, 1).unwrap(), 55);
    let ops = json!([
        { "op_id": "op-hh-off-0001", "kind": "household.create", "data": { "grid_id": t.grid_a1_1, "household_no": "HH-OFF-7", "address": "嫩水路 7 号" } },
        { "op_id": "op-member-0001", "kind": "person.create", "data_refs": { "household_id": "op-hh-off-0001" },
          "data": { "kind": "registered", "name": "户内成员", "id_number": number, "grid_id": t.grid_a1_1, "relation_to_head": "02", "extra": {} } },
    ]);
    let (st, v) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": ops })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["status"] == "applied"), "{v}");
    let member = &v["results"][1]["record"];
    assert_eq!(member["household_id"], v["results"][0]["id"], "{v}");
    assert_eq!(member["relation_to_head"], "02");
}

#[tokio::test]
async fn a_rental_with_its_tenants_goes_through_the_sync() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1990, 1, 5).unwrap(), 61);
    let (_, p) = app
        .post_json(
            &worker,
            "/api/v1/persons",
            json!({ "kind": "registered", "name": "租客", "id_number": number, "grid_id": t.grid_a1_1 }),
        )
        .await;
    let ops = json!([
        { "op_id": "op-ten-house-01", "kind": "house.create", "data": { "grid_id": t.grid_a1_1, "house_no": "NS-9-1", "house_use": "10", "address": "嫩水路 9 号 1 栋" } },
        { "op_id": "op-ten-rent-001", "kind": "rental.create", "data_refs": { "house_id": "op-ten-house-01" },
          "data": { "landlord_name": "王房东", "start_date": "2026-01-01", "rental_use": "10", "tenant_ids": [p["id"]] } },
    ]);
    let (st, v) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": ops })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["status"] == "applied"), "{v}");
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM rental_tenants").await, 1);
}

#[tokio::test]
async fn a_special_files_visit_goes_through_the_sync_and_keeps_the_file_out_of_the_receipt() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1985, 4, 4).unwrap(), 71);
    let (_, p) = app
        .post_json(
            &worker,
            "/api/v1/persons",
            json!({ "kind": "registered", "name": "帮教对象", "id_number": number, "grid_id": t.grid_a1_1 }),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    let file = json!({ "kind": "drug_user", "data": { "found_on": "2025-10-01", "control_status": "社区戒毒" }, "next_visit_due": day(&app, 0) });
    let (st, f) = app.post_json(&worker, &format!("/api/v1/persons/{pid}/special"), file).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    // It is due today: on the phone's to-do as a person.
    let s = snapshot(&app, &worker).await;
    assert!(
        s["todo"]["visits_due"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["subject_type"] == "person" && v["subject_id"] == pid),
        "{}",
        s["todo"]
    );
    let op = json!({ "ops": [{ "op_id": "op-special-0001", "kind": "special.visit", "id": pid,
        "data": { "visited_on": day(&app, 0), "note": "本人在家，情绪稳定", "next_visit_due": "2099-01-01" } }] });
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", op.clone()).await;
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    assert_eq!(v["results"][0]["record"]["next_visit_due"], "2099-01-01");
    assert!(!v.to_string().contains("社区戒毒"), "the file's content stays out of the answer: {v}");
    let (_, again) = app.post_json(&worker, "/api/v1/field/sync", op).await;
    assert_eq!(again["results"][0]["replayed"], true);
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM special_visits").await, 1);
    let (n,): (i64,) = app
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM field_receipts WHERE result LIKE '%社区戒毒%'", vec![])
        .await
        .unwrap();
    assert_eq!(n, 0, "nor in the receipt");
}

#[tokio::test]
async fn a_special_file_for_a_person_registered_offline_arrives_without_its_content_in_the_receipt() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let s = snapshot(&app, &worker).await;
    let kinds = s["special_kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 5, "{}", s["special_kinds"]);
    assert!(kinds.iter().any(|k| k["kind"] == "released_prisoner" && k["fields"][0]["label"] == "原罪名"));
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1979, 12, 1).unwrap(), 33);
    let ops = json!([
        { "op_id": "op-sp-person-01", "kind": "person.create",
          "data": { "kind": "registered", "name": "刑释测试", "id_number": number, "grid_id": t.grid_a1_1, "extra": {} } },
        { "op_id": "op-sp-file-0001", "kind": "special.create", "ref_op": "op-sp-person-01",
          "data": { "kind": "released_prisoner", "data": { "crime": "盗窃罪", "sentence": "三年", "released_on": "2025-11-20" }, "next_visit_due": "2099-01-01" } },
    ]);
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": ops })).await;
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["status"] == "applied"), "{v}");
    assert!(!v.to_string().contains("盗窃罪"), "{v}");
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM special_files").await, 1);
    assert_eq!(rows(&app, "SELECT COUNT(*) FROM field_receipts WHERE result LIKE '%盗窃%'").await, 0);
    // A required field missing: refused in the words the phone uses.
    let bad = json!([{ "op_id": "op-sp-file-0002", "kind": "special.create", "ref_op": "op-sp-person-01",
        "data": { "kind": "drug_user", "data": { "found_on": "2025-10-01" } } }]);
    let (_, v) = app.post_json(&worker, "/api/v1/field/sync", json!({ "ops": bad })).await;
    assert_eq!(v["results"][0]["fields"]["data.control_status"], "请填写管控情况", "{v}");
}
