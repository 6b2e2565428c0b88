//! The special-population report and sign-off stream (报送/签收) through the API: registering a
//! floating person or creating a special-population file sends a submission to the town's department
//! of the mapped kind; the department signs it or returns it with a reason; the grid fixes and
//! resends; another town's department sees nothing; the sign-off clock runs on the work calendar;
//! the counts per town, kind and department match a fixture worked out by hand; nothing in clear.

use crate::fixtures::{self, County, Login, Who, bearer, department, id_number, register as person, with};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge::auth::Role::*;
use wangge::clock::{DAY, HOUR, MINUTE};

fn id(seq: u32) -> String {
    id_number(1990, 4, 1, seq)
}

fn floating(grid: i64, name: &str, seq: u32) -> Value {
    with(
        fixtures::person("floating", grid, name, &id(seq)),
        json!({ "phone": "13912345678", "address": "嫩水路 8 号" }),
    )
}

fn registered(grid: i64, name: &str, seq: u32) -> Value {
    with(fixtures::person("registered", grid, name, &id(seq)), json!({ "address": "嫩水路 9 号" }))
}

fn mental() -> Value {
    json!({ "kind": "mental_disorder", "data": { "diagnosis": "精神分裂症", "risk_level": "2", "guardian": "母亲" } })
}

fn correction() -> Value {
    json!({ "kind": "community_correction", "data": { "correction_no": "JZ2026-001", "category": "缓刑", "crime": "盗窃",
            "start_on": "2026-01-01", "end_on": "2027-01-01" } })
}

async fn setup() -> County {
    let cast = [Who::Worker, Who::WorkerB, Who::Town, Who::Police, Who::PoliceB, Who::Health];
    County::new(&cast, Login::Bearer).await
}

async fn list(app: &TestApp, s: &Session, query: &str) -> Vec<Value> {
    let (st, v) = app.get(s, &format!("/api/v1/submissions{query}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

async fn todo(app: &TestApp, s: &Session) -> Vec<Value> {
    let (st, v) = app.get(s, "/api/v1/submissions/todo").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

async fn act(app: &TestApp, s: &Session, id: i64, body: Value) -> (StatusCode, Value) {
    app.post_json(s, &format!("/api/v1/submissions/{id}/actions"), body).await
}

async fn act_ok(app: &TestApp, s: &Session, id: i64, body: Value) -> Value {
    let (st, v) = act(app, s, id, body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body} → {v}");
    v
}

fn history(v: &Value) -> Vec<String> {
    v["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_floating_person_goes_to_the_town_police_station_which_signs_it() {
    let s = setup().await;
    let app = &s.app;
    let p = person(app, s.worker(), floating(s.tree.grid_a1_1, "王五", 31)).await;
    let pid = p["id"].as_i64().unwrap();
    let items = list(app, s.worker(), "").await;
    assert_eq!(items.len(), 1);
    let sub = &items[0];
    let sid = sub["id"].as_i64().unwrap();
    assert_eq!(
        (&sub["kind"], &sub["action"], &sub["state"], &sub["card"]),
        (&json!("floating"), &json!("created"), &json!("waiting"), &json!("none"))
    );
    assert_eq!(sub["department_id"], s.tree.dept_a);
    assert_eq!(sub["department_name"], "鹤山派出所");
    assert_eq!(sub["town_id"], s.tree.town_a);
    assert_eq!(sub["grid_id"], s.tree.grid_a1_1);
    assert_eq!(sub["person_id"], pid);
    assert_eq!(sub["snapshot"]["person"]["id_number"], p["id_number"], "masked in the snapshot");
    assert_eq!(sub["snapshot"]["person"]["phone"], "139****5678");
    // Monday 09:00 + 3 working days → Wednesday 18:00.
    assert_eq!(sub["deadline_text"], "2026-03-04 18:00");
    // The police station sees it waiting; the town's health centre and the other town's police do not.
    let waiting = todo(app, s.police()).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["actions"], json!(["sign", "return"]));
    assert!(list(app, s.health(), "").await.is_empty());
    assert!(list(app, s.police_b(), "").await.is_empty());
    assert!(todo(app, s.police_b()).await.is_empty());
    let (st, _) = app.get(s.police_b(), &format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = act(app, s.police_b(), sid, json!({ "action": "sign" })).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(list(app, s.worker_b(), "").await.is_empty());
    // The town centre sees it but may not sign it: 409 with the reason.
    let got = act(app, s.town(), sid, json!({ "action": "sign" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert!(got.1["message"].as_str().unwrap().contains("只有签收部门（鹤山派出所）的办理人才能签收"), "{}", got.1);
    // The grid worker may not resend a waiting one.
    let got = act(app, s.worker(), sid, json!({ "action": "resend" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    // The handlers were told.
    let (_, n) = app.get(s.police(), "/api/v1/notifications").await;
    assert!(n["items"][0]["text"].as_str().unwrap().starts_with("报送待签收：流动人口新登记"), "{n}");
    // A stale version is refused; the right one signs it.
    let got = act(app, s.police(), sid, json!({ "action": "sign", "version": 99 })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    app.clock.advance(2 * HOUR);
    let v = act_ok(app, s.police(), sid, json!({ "action": "sign", "version": sub["version"] })).await;
    assert_eq!(v["state"], "signed");
    assert_eq!(v["signed_on_time"], true);
    assert_eq!(v["signed_by"], "police_a");
    assert_eq!(history(&v), ["send", "sign"]);
    assert!(v["actions"].as_array().unwrap().is_empty());
    assert!(todo(app, s.police()).await.is_empty());
    let got = act(app, s.police(), sid, json!({ "action": "sign" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert!(got.1["message"].as_str().unwrap().contains("已签收"), "{}", got.1);
    assert_eq!(app.audit_rows("submission_sign").await.len(), 1);
    assert_eq!(app.audit_rows("submission_send").await.len(), 1);

    // A change after the sign-off is a new submission (信息变更); a change while it waits updates it.
    let (st, p2) = app
        .patch_json(
            s.worker(),
            &format!("/api/v1/persons/{pid}"),
            json!({ "version": p["version"], "phone": "13800001111" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p2}");
    let items = list(app, s.police(), "?state=waiting").await;
    assert_eq!(items.len(), 1);
    let changed = items[0]["id"].as_i64().unwrap();
    assert_ne!(changed, sid);
    assert_eq!(items[0]["action"], "changed");
    assert_eq!(items[0]["snapshot"]["changes"]["phone"], json!({ "from": "139****5678", "to": "138****1111" }));
    let (st, _) = app
        .post_json(
            s.worker(),
            &format!("/api/v1/persons/{pid}/status"),
            json!({ "version": p2["version"], "status": "left", "date": "2026-03-02", "reason": "返乡" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list(app, s.police(), "").await.len(), 2, "no duplicate while one waits");
    let (_, v) = app.get(s.police(), &format!("/api/v1/submissions/{changed}")).await;
    assert_eq!(history(&v), ["send", "update"]);
    assert_eq!(v["snapshot"]["changes"]["status"], json!({ "from": "active", "to": "left" }));
    assert_eq!(v["snapshot"]["person"]["status"], "left");
    // A registered (not floating) person without special files sends nothing.
    person(app, s.worker(), registered(s.tree.grid_a1_1, "张三", 41)).await;
    assert_eq!(list(app, s.worker(), "").await.len(), 2);
}

#[tokio::test]
async fn a_mental_disorder_file_goes_to_the_health_centre_and_is_returned_fixed_and_resent() {
    let s = setup().await;
    let app = &s.app;
    let p = person(app, s.worker(), registered(s.tree.grid_a1_1, "李四", 51)).await;
    let pid = p["id"].as_i64().unwrap();
    assert!(list(app, s.worker(), "").await.is_empty());
    let (st, f) = app.post_json(s.worker(), &format!("/api/v1/persons/{pid}/special"), mental()).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let items = list(app, s.health(), "").await;
    assert_eq!(items.len(), 1, "the health centre signs mental disorders");
    let sid = items[0]["id"].as_i64().unwrap();
    assert_eq!(
        (&items[0]["kind"], &items[0]["department_id"]),
        (&json!("mental_disorder"), &json!(s.department(Who::Health)))
    );
    assert!(list(app, s.police(), "").await.is_empty(), "not the police station");
    let (st, _) = app.get(s.police(), &format!("/api/v1/submissions/{sid}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The snapshot does not carry the file's sensitive content.
    let text = items[0]["snapshot"].to_string();
    assert!(!text.contains("精神分裂症"), "{text}");

    // Returning needs a reason.
    let got = act(app, s.health(), sid, json!({ "action": "return" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("note"));
    let v = act_ok(app, s.health(), sid, json!({ "action": "return", "note": "现住址不详，请核实" })).await;
    assert_eq!(v["state"], "returned");
    assert_eq!(v["return_reason"], "现住址不详，请核实");
    assert!(todo(app, s.health()).await.is_empty());
    let back = todo(app, s.worker()).await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["actions"], json!(["resend"]));
    let (_, n) = app.get(s.worker(), "/api/v1/notifications").await;
    assert!(n["items"][0]["text"].as_str().unwrap().contains("现住址不详"), "{n}");
    // The department cannot resend; the worker fixes the person, which resends it.
    let got = act(app, s.health(), sid, json!({ "action": "resend" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    app.clock.advance(DAY);
    let (st, _) = app
        .patch_json(
            s.worker(),
            &format!("/api/v1/persons/{pid}"),
            json!({ "version": p["version"], "address": "嫩水路 9 号 3 栋 201" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) = app.get(s.health(), &format!("/api/v1/submissions/{sid}")).await;
    assert_eq!((&v["state"], &v["resends"]), (&json!("waiting"), &json!(1)));
    assert_eq!(history(&v), ["send", "return", "resend"]);
    assert_eq!(v["deadline_text"], "2026-03-05 18:00", "a new deadline from the resend (Tuesday + 3 working days)");
    assert_eq!(list(app, s.health(), "").await.len(), 1, "resent, not duplicated");
    // Returned again; this time the worker resends it as it is.
    act_ok(app, s.health(), sid, json!({ "action": "return", "note": "请补充监护人电话" })).await;
    let v = act_ok(app, s.worker(), sid, json!({ "action": "resend", "note": "已电话核实" })).await;
    assert_eq!((&v["state"], &v["resends"]), (&json!("waiting"), &json!(2)));
    let v = act_ok(app, s.health(), sid, json!({ "action": "sign" })).await;
    assert_eq!(v["state"], "signed");
    assert_eq!(history(&v), ["send", "return", "resend", "return", "resend", "sign"]);
}

#[tokio::test]
async fn without_a_department_the_town_centre_sees_it_and_resends_it_once_there_is_one() {
    let (app, tree, admin) = TestApp::with_tree().await;
    let worker = bearer(&app, "worker_a", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let town = bearer(&app, "town_a", TownCenter, Bind::Area(tree.town_a)).await;
    let p = person(&app, &worker, registered(tree.grid_a1_1, "赵六", 61)).await;
    let pid = p["id"].as_i64().unwrap();
    let (st, f) = app.post_json(&worker, &format!("/api/v1/persons/{pid}/special"), correction()).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let items = todo(&app, &town).await;
    assert_eq!(items.len(), 1);
    let sid = items[0]["id"].as_i64().unwrap();
    assert_eq!(items[0]["state"], "waiting");
    assert_eq!(items[0]["no_department"], true);
    assert_eq!(items[0]["department_id"], Value::Null);
    assert_eq!(items[0]["department_name"], "无对应部门");
    let (_, n) = app.get(&town, "/api/v1/notifications").await;
    assert!(n["items"][0]["text"].as_str().unwrap().contains("没有在用的司法所"), "{n}");
    // Nobody can sign it; resending before a justice office exists is refused with the reason.
    let got = act(&app, &town, sid, json!({ "action": "resend" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert!(got.1["message"].as_str().unwrap().contains("仍没有在用的司法所"), "{}", got.1);
    let justice_dept = department(&app, &admin, tree.town_a, "justice_office", "鹤山司法所").await;
    let justice = bearer(&app, "justice_a", DepartmentHandler, Bind::Department(justice_dept)).await;
    assert!(todo(&app, &justice).await.is_empty());
    let v = act_ok(&app, &town, sid, json!({ "action": "resend" })).await;
    assert_eq!((&v["department_id"], &v["no_department"]), (&json!(justice_dept), &json!(false)));
    assert!(todo(&app, &town).await.is_empty());
    assert_eq!(todo(&app, &justice).await.len(), 1);
    act_ok(&app, &justice, sid, json!({ "action": "sign" })).await;
}

#[tokio::test]
async fn the_sign_off_clock_runs_on_working_days_and_skips_the_weekend() {
    let s = setup().await;
    let app = &s.app;
    // Thursday 2026-03-05 10:00.
    app.clock.advance(3 * DAY + HOUR);
    person(app, s.worker(), floating(s.tree.grid_a1_1, "王五", 71)).await;
    let sub = list(app, s.police(), "").await.remove(0);
    let sid = sub["id"].as_i64().unwrap();
    // 3 working days = 24 working hours: Thu 7 h, Fri 8 h, Mon 8 h, Tue 1 h → Tuesday 10:00.
    assert_eq!(sub["deadline_text"], "2026-03-10 10:00");
    assert_eq!(sub["limit_minutes"], 3 * 8 * 60);
    // Monday 17:00: three calendar days have passed, but not three working days. Yellow from 75 %
    // (18 working hours: Monday 12:00).
    app.clock.advance(4 * DAY + 7 * HOUR);
    let v = todo(app, s.police()).await.remove(0);
    assert_eq!((&v["card"], &v["overdue"]), (&json!("yellow"), &json!(false)));
    assert!(list(app, s.police(), "?overdue=true").await.is_empty());
    // Tuesday 10:01: overdue.
    app.clock.advance(17 * HOUR + MINUTE);
    let v = todo(app, s.police()).await.remove(0);
    assert_eq!((&v["card"], &v["overdue"]), (&json!("red"), &json!(true)));
    assert_eq!(list(app, s.police(), "?overdue=true").await.len(), 1);
    let (_, st) = app.get(s.town(), "/api/v1/stats/submissions").await;
    assert_eq!(st["totals"]["overdue"], 1, "{st}");
    let v = act_ok(app, s.police(), sid, json!({ "action": "sign" })).await;
    assert_eq!(v["signed_on_time"], false);
    assert!(list(app, s.police(), "?overdue=true").await.is_empty());
}

#[tokio::test]
async fn counts_per_town_kind_and_department_match_the_fixture() {
    let s = setup().await;
    let app = &s.app;
    // Town A: three floating people (one signed at once, one returned, one left waiting), a mental
    // disorder signed late, a community correction with no justice office. Town B: one floating waiting.
    let mut floating_ids = Vec::new();
    for (name, seq) in [("甲", 81), ("乙", 82), ("丙", 83)] {
        floating_ids.push(person(app, s.worker(), floating(s.tree.grid_a1_1, name, seq)).await["id"].as_i64().unwrap());
    }
    let p4 = person(app, s.worker(), registered(s.tree.grid_a1_1, "丁", 84)).await["id"].as_i64().unwrap();
    let p5 = person(app, s.worker(), registered(s.tree.grid_a1_1, "戊", 85)).await["id"].as_i64().unwrap();
    app.post_json(s.worker(), &format!("/api/v1/persons/{p4}/special"), mental()).await;
    app.post_json(s.worker(), &format!("/api/v1/persons/{p5}/special"), correction()).await;
    person(app, s.worker_b(), floating(s.tree.grid_b1_1, "己", 86)).await;
    let of = |items: &[Value], pid: i64| items.iter().find(|i| i["person_id"] == pid).unwrap()["id"].as_i64().unwrap();
    let police_items = list(app, s.police(), "").await;
    act_ok(app, s.police(), of(&police_items, floating_ids[0]), json!({ "action": "sign" })).await;
    act_ok(app, s.police(), of(&police_items, floating_ids[1]), json!({ "action": "return", "note": "来源地不详" }))
        .await;
    // A week later: the health centre signs (late); the others still wait, overdue.
    app.clock.advance(7 * DAY);
    let health_items = list(app, s.health(), "").await;
    act_ok(app, s.health(), health_items[0]["id"].as_i64().unwrap(), json!({ "action": "sign" })).await;

    let (st, v) = app.get(s.town(), "/api/v1/stats/submissions").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let rows: Vec<Value> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["town_name"],
                r["kind"],
                r["department"],
                r["sent"],
                r["signed"],
                r["signed_on_time"],
                r["returned"],
                r["waiting"],
                r["overdue"]
            ])
        })
        .collect();
    // The town centre sees its own town only.
    assert_eq!(
        rows,
        vec![
            json!(["鹤山镇", "community_correction", "无对应部门", 1, 0, 0, 0, 1, 1]),
            json!(["鹤山镇", "floating", "鹤山派出所", 3, 1, 1, 1, 1, 1]),
            json!(["鹤山镇", "mental_disorder", "鹤山卫生院", 1, 1, 0, 0, 0, 0]),
        ]
    );
    assert_eq!(
        v["totals"],
        json!({ "sent": 5, "signed": 2, "signed_on_time": 1, "returned": 1, "waiting": 2, "overdue": 2 })
    );
    // The county centre sees both towns; by area; by dates (all were sent on 2026-03-02).
    let county = bearer(app, "county", CountyCenter, Bind::Area(s.tree.county)).await;
    let (_, v) = app.get(&county, "/api/v1/stats/submissions").await;
    assert_eq!(
        v["totals"],
        json!({ "sent": 6, "signed": 2, "signed_on_time": 1, "returned": 1, "waiting": 3, "overdue": 3 })
    );
    assert_eq!(v["items"].as_array().unwrap().len(), 4);
    let last = &v["items"][3];
    assert_eq!(
        (&last["town_name"], &last["department"], &last["department_id"]),
        (&json!("文昌镇"), &json!("文昌派出所"), &json!(s.department(Who::PoliceB)))
    );
    let (_, v) = app.get(&county, &format!("/api/v1/stats/submissions?area={}", s.tree.town_b)).await;
    assert_eq!(v["totals"]["sent"], 1);
    let (_, v) = app.get(&county, "/api/v1/stats/submissions?from=2026-03-02&to=2026-03-02").await;
    assert_eq!(v["totals"]["sent"], 6);
    let (_, v) = app.get(&county, "/api/v1/stats/submissions?from=2026-03-03").await;
    assert_eq!(v["totals"]["sent"], 0);
    let got = app.get(&county, "/api/v1/stats/submissions?from=3月2日").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("from"));
    // A department counts only what was sent to it; a town centre cannot ask about another town.
    let (_, v) = app.get(s.police(), "/api/v1/stats/submissions").await;
    assert_eq!(
        v["totals"],
        json!({ "sent": 3, "signed": 1, "signed_on_time": 1, "returned": 1, "waiting": 1, "overdue": 1 })
    );
    let got = app.get(s.town(), &format!("/api/v1/stats/submissions?area={}", s.tree.town_b)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    // The list filters agree.
    assert_eq!(list(app, &county, "?state=returned").await.len(), 1);
    assert_eq!(list(app, &county, &format!("?kind=floating&town={}", s.tree.town_a)).await.len(), 3);
    assert_eq!(list(app, &county, &format!("?department={}", s.tree.dept_a)).await.len(), 3);
    assert_eq!(list(app, &county, "?overdue=true").await.len(), 3);
    let got = app.get(&county, "/api/v1/submissions?state=lost").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("state"));
}

#[tokio::test]
async fn the_mapping_and_limit_are_settings() {
    let s = setup().await;
    let app = &s.app;
    let county = bearer(app, "county", CountyCenter, Bind::Area(s.tree.county)).await;
    let (st, v) = app.get(s.worker(), "/api/v1/submission-mapping").await;
    assert_eq!(st, StatusCode::OK);
    let floating_row = v["items"].as_array().unwrap().iter().find(|m| m["kind"] == "floating").unwrap().clone();
    assert_eq!(
        (&floating_row["department_kind"], &floating_row["sign_limit"], &floating_row["yellow_pct"]),
        (&json!("police_station"), &json!("3d"), &json!(75))
    );
    let youth = v["items"].as_array().unwrap().iter().find(|m| m["kind"] == "at_risk_youth").unwrap().clone();
    assert_eq!(youth["enabled"], false, "at-risk youth are not in the stream by default");
    let got =
        app.patch_json(s.worker(), "/api/v1/submission-mapping", json!({ "kind": "floating", "version": 1 })).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    let got = app
        .patch_json(
            &county,
            "/api/v1/submission-mapping",
            json!({ "kind": "floating", "version": 1, "sign_limit": "3w" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("sign_limit"));
    let (st, v) = app
        .patch_json(
            &county,
            "/api/v1/submission-mapping",
            json!({ "kind": "floating", "version": 1, "sign_limit": "8h" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["sign_limit"], &v["version"], &v["sign_limit_label"]),
        (&json!("8h"), &json!(2), &json!("8 个工作小时"))
    );
    let got = app
        .patch_json(
            &county,
            "/api/v1/submission-mapping",
            json!({ "kind": "floating", "version": 1, "sign_limit": "2d" }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    assert_eq!(app.audit_rows("submission_mapping_updated").await.len(), 1);
    person(app, s.worker(), floating(s.tree.grid_a1_1, "王五", 91)).await;
    let sub = list(app, s.police(), "").await.remove(0);
    assert_eq!((&sub["limit_minutes"], &sub["deadline_text"]), (&json!(480), &json!("2026-03-02 18:00")));
    // Floating people now go to civil affairs — a town without one records 无对应部门.
    app.patch_json(
        &county,
        "/api/v1/submission-mapping",
        json!({ "kind": "floating", "version": 2, "department_kind": "civil_affairs" }),
    )
    .await;
    person(app, s.worker(), floating(s.tree.grid_a1_1, "钱七", 92)).await;
    let items = todo(app, s.town()).await;
    assert_eq!(items.len(), 1);
    assert_eq!((&items[0]["department_kind"], &items[0]["no_department"]), (&json!("civil_affairs"), &json!(true)));
}

#[tokio::test]
async fn no_id_number_or_phone_in_clear_in_the_stream() {
    let s = setup().await;
    let app = &s.app;
    let number = id(95);
    let phone = "13987654321";
    let mut body = floating(s.tree.grid_a1_1, "王五", 95);
    body["phone"] = json!(phone);
    let p = person(app, s.worker(), body).await;
    let pid = p["id"].as_i64().unwrap();
    let sid = list(app, s.police(), "").await[0]["id"].as_i64().unwrap();
    act_ok(app, s.police(), sid, json!({ "action": "return", "note": "请核实电话" })).await;
    let (st, _) = app
        .patch_json(
            s.worker(),
            &format!("/api/v1/persons/{pid}"),
            json!({ "version": p["version"], "phone": "13700002222" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, v) = app.get(s.police(), &format!("/api/v1/submissions/{sid}")).await;
    assert!(
        !v.to_string().contains(&number) && !v.to_string().contains(phone) && !v.to_string().contains("13700002222")
    );
    if app.is_postgres() {
        for t in ["submissions", "submission_steps", "notifications", "audit_log"] {
            let rows: Vec<(String,)> =
                app.db.read().fetch_all(&format!("SELECT t::text FROM {t} t"), vec![]).await.unwrap();
            assert!(!rows.is_empty(), "{t}");
            for (text,) in rows {
                assert!(
                    !text.contains(&number) && !text.contains(phone) && !text.contains("13700002222"),
                    "{t} holds personal data in clear"
                );
            }
        }
    } else {
        let rows: Vec<(String,)> = app
            .db
            .read()
            .fetch_all(
                "SELECT snapshot || return_reason FROM submissions UNION ALL SELECT note || data FROM submission_steps \
                 UNION ALL SELECT text FROM notifications",
                vec![],
            )
            .await
            .unwrap();
        assert!(rows.len() >= 4);
        for (text,) in rows {
            assert!(!text.contains(&number) && !text.contains(phone) && !text.contains("13700002222"), "{text}");
        }
        app.db.read().execute("PRAGMA wal_checkpoint(FULL)", vec![]).await.unwrap();
        for entry in std::fs::read_dir(app.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                assert!(!bytes.windows(number.len()).any(|w| w == number.as_bytes()), "ID number in clear in {path:?}");
            }
        }
    }
}

#[tokio::test]
async fn the_submissions_page_lists_and_signs() {
    let s = setup().await;
    let app = &s.app;
    person(app, s.worker(), floating(s.tree.grid_a1_1, "王五", 97)).await;
    let police = app.demo_session("police_page", DepartmentHandler, Bind::Department(s.tree.dept_a)).await;
    let r = app.call(axum::http::Method::GET, "/submissions", &police, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("王五") && html.contains("流动人口") && html.contains("签收</button>"), "{html}");
    let sid = list(app, &police, "").await[0]["id"].as_i64().unwrap();
    let req = app
        .request(axum::http::Method::POST, &format!("/submissions/{sid}/actions"), &police)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("_csrf={}&action=sign&version=1", police.csrf.clone().unwrap())))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(list(app, &police, "?state=signed").await.len(), 1);
    // The notice says what happened and what comes next, not only "已保存".
    let to = r.header("location");
    assert_eq!(to, format!("/submissions?msg=signed&done={sid}"));
    let html = app.call(axum::http::Method::GET, &to, &police, None).await.text();
    let notice = html.split("role=\"status\">").nth(1).and_then(|t| t.split("</div>").next()).unwrap_or("");
    assert!(notice.starts_with("已签收 BS") && notice.contains("王五") && notice.contains("下一步"), "{notice}");
    assert!(!html.contains(">已保存<"), "{html}");
}

/// Posts one page form action on a submission; answers where it sends the browser.
async fn page_act(app: &TestApp, s: &Session, sid: i64, action: &str, extra: &str) -> String {
    let (_, v) = app.get(s, &format!("/api/v1/submissions/{sid}")).await;
    let body = format!("_csrf={}&action={action}&version={}{extra}", s.csrf.clone().unwrap(), v["version"]);
    let req = app
        .request(axum::http::Method::POST, &format!("/submissions/{sid}/actions"), s)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("location")
}

fn notice_of(html: &str) -> String {
    html.split("role=\"status\">").nth(1).and_then(|t| t.split("</div>").next()).unwrap_or("").to_owned()
}

#[tokio::test]
async fn returning_and_resending_on_the_page_say_who_has_it_now_and_overdue_is_a_red_badge() {
    let s = setup().await;
    let app = &s.app;
    person(app, s.worker(), floating(s.tree.grid_a1_1, "钱七", 98)).await;
    let police = app.demo_session("police_page", DepartmentHandler, Bind::Department(s.tree.dept_a)).await;
    let worker = app.demo_session("worker_page", GridWorker, Bind::Area(s.tree.grid_a1_1)).await;
    let sid = list(app, &police, "").await[0]["id"].as_i64().unwrap();
    let to = page_act(app, &police, sid, "return", "&note=%E8%AF%B7%E6%A0%B8%E5%AE%9E").await;
    let n = notice_of(&app.call(axum::http::Method::GET, &to, &police, None).await.text());
    assert!(n.starts_with("已退回 ") && n.contains("已通知报送人") && n.contains("下一步：网格"), "{n}");
    let to = page_act(app, &worker, sid, "resend", "").await;
    let n = notice_of(&app.call(axum::http::Method::GET, &to, &worker, None).await.text());
    assert!(n.starts_with("已重新报送 ") && n.contains("已转交") && n.contains("等待签收，期限"), "{n}");
    // Past the deadline the card is the red badge (the same class as the events' 红牌), not a grey tag.
    app.clock.advance(10 * DAY);
    let police = app.demo_session("police_late", DepartmentHandler, Bind::Department(s.tree.dept_a)).await;
    let html = app.call(axum::http::Method::GET, "/submissions", &police, None).await.text();
    assert!(html.contains("<span class=\"badge red\">红牌·已超时</span>"), "{html}");
    let css = app.call(axum::http::Method::GET, "/static/app.css", &police, None).await.text();
    assert!(css.contains(".badge.red { background: #fdecea; color: var(--bad)"), "{css}");
}
