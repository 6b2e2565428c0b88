//! Household visits (走访户) and the joint visit lists: recording (bad input refused with Chinese field
//! errors and nothing written, other towns 404), the list with special-population visits (masked
//! names, never clear numbers), the overdue list across a day boundary on the injected clock, the
//! audit rows for reading visits of people, overdue counts per grid, and the household page form.

use crate::fixtures::{bearer, id_number};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role::*;
use wangge::clock::{DAY, HOUR, MINUTE};

async fn household(app: &TestApp, s: &Session, grid: i64, no: &str) -> i64 {
    let (st, v) = app.post_json(s, "/api/v1/households", json!({ "grid_id": grid, "household_no": no })).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn visit(app: &TestApp, s: &Session, hh: i64, body: Value) -> (StatusCode, Value) {
    app.post_json(s, &format!("/api/v1/households/{hh}/visits"), body).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one(&format!("SELECT COUNT(*) FROM {table}"), vec![]).await.unwrap();
    n
}

#[tokio::test]
async fn recording_a_visit_checks_every_field_and_scope() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = bearer(&app, "worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let worker_b = bearer(&app, "worker_b", GridWorker, Bind::Area(t.grid_b1_1)).await;
    let hh = household(&app, &worker, t.grid_a1_1, "HH-1").await;
    let (st, v) = visit(
        &app,
        &worker,
        hh,
        json!({ "visited_on": "2026-03-02", "kind": "help", "note": "送米送油，老人身体尚可", "next_visit_due": "2026-03-03" }),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!((v["kind_label"].as_str(), v["next_visit_due"].as_str()), (Some("帮扶走访"), Some("2026-03-03")));
    let audit = app.audit_rows("household_visited").await;
    assert_eq!(audit.len(), 1);
    assert!(!audit[0].detail.contains("送米送油"), "the note stays out of the audit trail");

    // Every bad field named in Chinese at once; nothing written.
    let got = visit(
        &app,
        &worker,
        hh,
        json!({ "visited_on": "2026-03-05", "kind": "party", "note": " ", "next_visit_due": "2026-03-01" }),
    )
    .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("visited_on"));
    let fields = &got.1["fields"];
    assert_eq!(fields["visited_on"], "走访日期不能晚于今天");
    assert!(fields["kind"].as_str().unwrap().starts_with("请选择走访类型"), "{fields}");
    assert_eq!(fields["note"], "请填写走访情况");
    assert_eq!(fields["next_visit_due"], "下次走访日期应晚于本次走访日期");
    let got =
        visit(&app, &worker, hh, json!({ "visited_on": "2026-03-02", "kind": "routine", "note": "x", "extra": 1 }))
            .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", None);
    assert_eq!(count(&app, "household_visits").await, 1);
    // Another town's worker cannot see the household; a county viewer may not record field work.
    let got =
        visit(&app, &worker_b, hh, json!({ "visited_on": "2026-03-02", "kind": "routine", "note": "走错门" })).await;
    assert_eq!(got.0, StatusCode::NOT_FOUND, "{}", got.1);
    let viewer = bearer(&app, "viewer", CountyViewer, Bind::Area(t.county)).await;
    let got = visit(&app, &viewer, hh, json!({ "visited_on": "2026-03-02", "kind": "routine", "note": "看看" })).await;
    assert_eq!(got.0, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "household_visits").await, 1);
}

#[tokio::test]
async fn lists_show_both_kinds_masked_and_reading_people_is_audited() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = bearer(&app, "worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let hh = household(&app, &worker, t.grid_a1_1, "HH-1").await;
    for (on, kind) in [("2026-02-20", "routine"), ("2026-03-01", "help")] {
        let (st, v) = visit(&app, &worker, hh, json!({ "visited_on": on, "kind": kind, "note": "情况正常" })).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let number = id_number(1982, 7, 7, 11);
    let (st, p) = app
        .post_json(
            &worker,
            "/api/v1/persons",
            json!({ "kind": "registered", "name": "张三丰", "id_number": number, "grid_id": t.grid_a1_1,
            "phone": "13912345678", "address": "嫩水路 8 号" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let file = json!({ "kind": "drug_user", "data": { "found_on": "2025-10-01", "control_status": "社区戒毒" } });
    let (st, f) = app.post_json(&worker, &format!("/api/v1/persons/{pid}/special"), file).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let fid = f["id"].as_i64().unwrap();
    let (st, _) = app
        .post_json(
            &worker,
            &format!("/api/v1/persons/{pid}/special/{fid}/visits"),
            json!({ "visited_on": "2026-03-02", "note": "情况稳定" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    let town = bearer(&app, "town_a", TownCenter, Bind::Area(t.town_a)).await;
    let r = app.call(Method::GET, "/api/v1/visits", &town, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let text = r.text();
    assert!(!text.contains(&number) && !text.contains("13912345678") && !text.contains("张三丰"), "{text}");
    let v = r.json();
    assert_eq!(v["total"], 3);
    let first = &v["items"][0];
    assert_eq!((first["subject"].as_str(), first["kind"].as_str()), (Some("张**"), Some("special")));
    assert_eq!(first["kind_label"], "特殊人群走访（吸毒人员）");
    assert_eq!(first["link"], format!("/people/{pid}"));
    assert_eq!(
        (v["items"][1]["subject"].as_str(), v["items"][1]["visited_on"].as_str()),
        (Some("HH-1"), Some("2026-03-01"))
    );
    let audit = app.audit_rows("visit_list_read").await;
    let last: Value = serde_json::from_str(&audit.last().unwrap().detail).unwrap();
    assert_eq!((last["persons"].clone(), last["households"].clone()), (json!([pid]), json!([hh])));

    // Filters; bad filters name their field.
    let (_, v) = app.get(&town, "/api/v1/visits?kind=help").await;
    assert_eq!(v["total"], 1);
    let (_, v) = app.get(&town, "/api/v1/visits?kind=special").await;
    assert_eq!(v["total"], 1);
    let (_, v) = app.get(&town, "/api/v1/visits?from=2026-03-01&to=2026-03-01").await;
    assert_eq!(v["total"], 1);
    let got = app.get(&town, "/api/v1/visits?from=3月1日").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("from"));
    let got = app.get(&town, "/api/v1/visits?kind=party").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("kind"));
    let got = app.get(&town, &format!("/api/v1/visits?area={}", t.town_b)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    // The county centre reads no special-population files: household visits only.
    let county = bearer(&app, "county", CountyCenter, Bind::Area(t.county)).await;
    let (_, v) = app.get(&county, "/api/v1/visits").await;
    assert_eq!(v["total"], 2, "{v}");
    let (_, v) = app.get(&county, &format!("/api/v1/visits?area={}", t.town_b)).await;
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn overdue_lists_follow_the_clock_across_midnight() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = bearer(&app, "worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let hh = household(&app, &worker, t.grid_a1_1, "HH-1").await;
    let (st, _) = visit(
        &app,
        &worker,
        hh,
        json!({ "visited_on": "2026-03-02", "kind": "routine", "note": "初访", "next_visit_due": "2026-03-03" }),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let number = id_number(1975, 1, 2, 33);
    // Grid 2's person and file, registered by the community (the grid 1 worker cannot reach grid 2).
    let community = bearer(&app, "comm_a1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    let (st, p) = app
        .post_json(&community, "/api/v1/persons", json!({ "kind": "registered", "name": "李四", "id_number": number, "grid_id": t.grid_a1_2, "address": "金山路 1 号" }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    let file = json!({ "kind": "drug_user", "data": { "found_on": "2025-10-01", "control_status": "社区戒毒" }, "next_visit_due": "2026-03-04" });
    let (st, f) = app.post_json(&community, &format!("/api/v1/persons/{pid}/special"), file).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");

    // Today (2026-03-02) nothing is overdue; on 03-04 the household is (due 03-03), by one day.
    let (_, v) = app.get(&community, "/api/v1/visits/overdue").await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = app.get(&community, "/api/v1/visits/overdue?on=2026-03-04").await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!((v["items"][0]["subject"].as_str(), v["items"][0]["days_overdue"].as_i64()), (Some("HH-1"), Some(1)));
    assert_eq!(v["items"][0]["grid_name"], "嫩水第一网格");
    assert_eq!(v["items"][0]["last_visited_on"], "2026-03-02");
    let got = app.get(&community, "/api/v1/visits/overdue?on=tomorrow").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("on"));

    // The injected clock: 2026-03-03 23:59 Beijing time — due today, not yet overdue; two minutes later it is.
    app.clock.advance(DAY + 14 * HOUR + 59 * MINUTE);
    let (_, v) = app.get(&community, "/api/v1/visits/overdue").await;
    assert_eq!(v["total"], 0, "{v}");
    app.clock.advance(2 * MINUTE);
    let (_, v) = app.get(&community, "/api/v1/visits/overdue").await;
    assert_eq!((v["total"].as_i64(), v["items"][0]["days_overdue"].as_i64()), (Some(1), Some(1)), "{v}");
    assert!(!app.audit_rows("visit_overdue_read").await.is_empty());

    // Counts per grid for the assessment, both kinds (the file is due 03-04: overdue from 03-05).
    let town_path: (String,) =
        app.db.read().fetch_one("SELECT path FROM areas WHERE id = $1", wangge::args![t.town_a]).await.unwrap();
    let by_grid = wangge::domains::visits::reads::overdue_by_grid(&app.db, &town_path.0, "2026-03-05").await.unwrap();
    assert_eq!(by_grid.iter().map(|(g, _, n)| (*g, *n)).collect::<Vec<_>>(), vec![(t.grid_a1_1, 1), (t.grid_a1_2, 1)]);
    let (_, v) = app.get(&community, "/api/v1/visits/overdue?on=2026-03-05").await;
    assert_eq!(v["total"], 2);
    let person = v["items"].as_array().unwrap().iter().find(|i| i["subject_type"] == "person").unwrap();
    assert_eq!((person["subject"].as_str(), person["kind_label"].as_str()), (Some("李*"), Some("吸毒人员")));
    assert_eq!(person["link"], format!("/people/{pid}"));
    assert!(!v.to_string().contains(&number));

    // A later visit clears it; a visit recorded afterwards for an earlier day does not bring it back.
    let (st, _) =
        visit(&app, &worker, hh, json!({ "visited_on": "2026-03-04", "kind": "routine", "note": "回访" })).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = visit(
        &app,
        &worker,
        hh,
        json!({ "visited_on": "2026-03-01", "kind": "other", "note": "补记", "next_visit_due": "2026-03-02" }),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, v) = app.get(&worker, "/api/v1/visits/overdue").await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = app.get(&worker, "/api/v1/visits").await;
    assert_eq!(v["total"], 3, "history kept, never overwritten");
}

#[tokio::test]
async fn the_household_page_has_a_visit_form_and_the_history() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let hh = household(&app, &worker, t.grid_a1_1, "HH-1").await;
    let form = |pairs: Vec<(&'static str, String)>| {
        let mut all = pairs;
        all.push(("_csrf", worker.csrf.clone().unwrap()));
        app.request(Method::POST, &format!("/households/{hh}/visits"), &worker.without_csrf())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
            .unwrap()
    };
    let r = app
        .send(form(vec![
            ("visited_on", "2026-03-02".into()),
            ("kind", "help".into()),
            ("note", "".into()),
            ("next_visit_due", "".into()),
        ]))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写走访情况"), "the error beside the field");
    assert_eq!(count(&app, "household_visits").await, 0);
    let r = app
        .send(form(vec![
            ("visited_on", "2026-03-02".into()),
            ("kind", "help".into()),
            ("note", "送米送油".into()),
            ("next_visit_due", "2026-04-02".into()),
        ]))
        .await;
    assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, format!("/households/{hh}?msg=visited")));
    let r = app.call(Method::GET, &format!("/households/{hh}"), &worker, None).await;
    let html = r.text();
    assert!(html.contains("id=\"visit-form\"") && html.contains("送米送油") && html.contains("帮扶走访"), "{html}");
    let r = app.call(Method::GET, "/visits", &worker, None).await;
    assert!(r.status == StatusCode::OK && r.text().contains("HH-1"));
    let r = app.call(Method::GET, "/visits/overdue?on=2026-04-03", &worker, None).await;
    assert!(r.status == StatusCode::OK && r.text().contains("逾期 1 天"), "{}", r.text());
}
