//! The field app's sync and snapshot: an operation re-sent answers its first result (nothing done
//! twice; one in progress elsewhere is not run again, an abandoned claim is taken over), a stale base version answers a conflict with the current record (masked) and writes
//! nothing, a refused operation writes nothing, another grid's record is refused, photos go up
//! first and an operation may refer to a record an earlier one created; the device snapshot holds
//! only the worker's grid, masked and audited; the app shell, manifest and service worker are served
//! and every field page stays under the 150 KB budget of scripts and styles.

use crate::fixtures::{self, id_number, with};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role::*;

fn id(seq: u32) -> String {
    id_number(1980, 5, 17, seq)
}

fn person(grid: i64, name: &str, number: &str) -> Value {
    with(
        fixtures::person("registered", grid, name, number),
        json!({ "phone": "13912345678", "address": "嫩水路 8 号" }),
    )
}

async fn sync(app: &TestApp, s: &Session, ops: Value) -> (StatusCode, Value) {
    app.post_json(s, "/api/v1/field/sync", json!({ "ops": ops })).await
}

/// Syncs one operation and answers its result.
async fn one(app: &TestApp, s: &Session, op: Value) -> Value {
    let (st, v) = sync(app, s, json!([op])).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["results"][0].clone()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one(sql, vec![]).await.unwrap();
    n
}

async fn upload(app: &TestApp, s: &Session, key: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let (ct, body) = multipart("file", "photo.png", "image/png", bytes);
    let req = app
        .request(Method::POST, &format!("/api/v1/field/photos?key={key}"), s)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    (r.status, r.json())
}

#[tokio::test]
async fn an_operation_sent_twice_is_applied_once() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let op =
        json!({ "op_id": "op-person-0001", "kind": "person.create", "data": person(t.grid_a1_1, "张三", &id(11)) });
    let first = one(&app, &worker, op.clone()).await;
    assert_eq!(first["status"], "applied", "{first}");
    assert_eq!(first["version"], 1);
    let number = first["record"]["id_number"].as_str().unwrap();
    assert!(number.contains('*') && !number.contains(&id(11)[6..14]), "the answer is masked: {number}");
    // The phone did not hear the answer and sends the same operation again, in a new batch.
    let again = one(&app, &worker, op.clone()).await;
    assert_eq!(again["replayed"], true);
    assert_eq!((again["status"].clone(), again["id"].clone()), (json!("applied"), first["id"].clone()));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 1);
    assert_eq!(app.audit_rows("person_created").await.len(), 1, "audited once");
    // Another account's operation with the same id is its own operation.
    let other = app.demo_session("worker_a2", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let r = one(&app, &other, op).await;
    assert_eq!(r["status"], "rejected", "{r}");
    assert!(r["message"].as_str().unwrap().contains("已在"), "the same ID number is a duplicate: {r}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 1);
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_shown_with_the_current_record_and_never_written() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let staff = app.demo_session("staff_a1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    let (st, p) = app.post_json(&worker, "/api/v1/persons", person(t.grid_a1_1, "李四", &id(21))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_i64().unwrap();
    // While the phone is offline, the community changes the address on the server.
    let (st, v) = app
        .patch_json(&staff, &format!("/api/v1/persons/{pid}"), json!({ "version": 1, "address": "金山路 1 号" }))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // The phone's edit of version 1 comes in.
    let edit = json!({ "op_id": "op-edit-00001", "kind": "person.update", "id": pid, "base_version": 1,
                       "data": { "address": "嫩水路 9 号", "occupation": "个体" } });
    let r = one(&app, &worker, edit).await;
    assert_eq!(r["status"], "conflict", "{r}");
    assert_eq!(r["current"]["version"], 2);
    assert_eq!(r["current"]["address"], "金山路 1 号");
    assert!(r["current"]["id_number"].as_str().unwrap().contains('*'), "masked: {r}");
    assert!(r["current"]["phone"].as_str().unwrap().contains('*'), "masked: {r}");
    assert!(r["message"].as_str().unwrap().contains("别人"), "{r}");
    let (_, now) = app.get(&worker, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(
        (now["address"].as_str(), now["occupation"].as_str(), now["version"].as_i64()),
        (Some("金山路 1 号"), Some(""), Some(2))
    );
    // The worker chooses “用我的”: the app sends it again, based on the server's version.
    let mine = json!({ "op_id": "op-edit-00002", "kind": "person.update", "id": pid, "base_version": 2,
                       "data": { "address": "嫩水路 9 号", "occupation": "个体" } });
    let r = one(&app, &worker, mine).await;
    assert_eq!((r["status"].as_str(), r["version"].as_i64()), (Some("applied"), Some(3)), "{r}");
    let (_, now) = app.get(&worker, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(now["address"], "嫩水路 9 号");
    // Both changes are in the person's history.
    assert_eq!(app.audit_rows("person_updated").await.len(), 2);
}

#[tokio::test]
async fn a_refused_operation_writes_nothing_and_says_why_in_chinese() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let mut bad = id(31);
    bad.replace_range(17..18, if bad.ends_with('0') { "1" } else { "0" });
    let (st, v) = sync(
        &app,
        &worker,
        json!([
            { "op_id": "op-bad-000001", "kind": "person.create", "data": person(t.grid_a1_1, "", &bad) },
            { "op_id": "op-bad-000002", "kind": "event.report", "data": { "category": "9999", "title": "路灯", "details": { "what": "短" } } },
            { "op_id": "op-bad-000003", "kind": "person.delete", "id": 1 },
            { "op_id": "op-bad-000004", "kind": "person.create", "data": { "name": "王五", "shoe_size": 42 } },
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let r = &v["results"];
    assert_eq!(r[0]["status"], "rejected", "{v}");
    assert!(r[0]["fields"]["id_number"].as_str().unwrap().contains("校验"), "{v}");
    assert_eq!(r[0]["fields"]["name"], "请填写姓名");
    assert_eq!(r[1]["status"], "rejected");
    assert!(r[1]["fields"]["category"].is_string() && r[1]["fields"]["title"].is_string(), "{v}");
    assert_eq!(r[2]["status"], "rejected");
    assert!(r[2]["message"].as_str().unwrap().contains("不支持"), "{v}");
    assert_eq!(r[3]["status"], "rejected");
    assert!(r[3]["message"].as_str().unwrap().contains("shoe_size"), "{v}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, 0);
    // The refusal is the operation's answer from now on.
    let again = one(
        &app,
        &worker,
        json!({ "op_id": "op-bad-000001", "kind": "person.create", "data": person(t.grid_a1_1, "赵六", &id(32)) }),
    )
    .await;
    assert_eq!((again["status"].as_str(), again["replayed"].as_bool()), (Some("rejected"), Some(true)));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 0);
    // A batch that is empty or too long is refused as a whole.
    assert_error(&sync(&app, &worker, json!([])).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("ops"));
    let many: Vec<Value> =
        (0..101).map(|i| json!({ "op_id": format!("op-many-{i:05}"), "kind": "patrol.start" })).collect();
    assert_error(
        &sync(&app, &worker, json!(many)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("ops"),
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM patrols").await, 0);
}

#[tokio::test]
async fn another_grids_records_are_refused() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let worker_2 = app.demo_session("worker_a12", GridWorker, Bind::Area(t.grid_a1_2)).await;
    let (_, p) = app.post_json(&worker, "/api/v1/persons", person(t.grid_a1_1, "孙七", &id(41))).await;
    let pid = p["id"].as_i64().unwrap();
    let r = one(&app, &worker_2, json!({ "op_id": "op-scope-0001", "kind": "person.update", "id": pid, "base_version": 1, "data": { "address": "别处" } })).await;
    assert_eq!((r["status"].as_str(), r["code"].as_str()), (Some("rejected"), Some("not_found")), "{r}");
    assert!(r.get("current").is_none(), "nothing of the other grid is shown: {r}");
    let r = one(
        &app,
        &worker_2,
        json!({ "op_id": "op-scope-0002", "kind": "person.create", "data": person(t.grid_a1_1, "周八", &id(42)) }),
    )
    .await;
    assert_eq!(r["status"], "rejected");
    assert!(r["fields"]["grid_id"].is_string(), "{r}");
    let (_, now) = app.get(&worker, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(now["version"], 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 1);
    // A county viewer has no field work.
    let viewer = app.demo_session("viewer", CountyViewer, Bind::Area(t.county)).await;
    assert_error(
        &sync(&app, &viewer, json!([{ "op_id": "op-viewer-001", "kind": "patrol.start" }])).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );
}

#[tokio::test]
async fn photos_go_first_and_later_operations_refer_to_earlier_ones() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let (st, u) = upload(&app, &worker, "op-event-0001-0", &tiny_png()).await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let (_, u2) = upload(&app, &worker, "op-event-0001-0", &tiny_png()).await;
    assert_eq!(u2["upload_id"], u["upload_id"], "a re-sent photo answers the same upload");
    assert_error(
        &upload(&app, &worker, "op-event-0001-1", b"not a photo at all").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_type",
        None,
    );
    let started = app.now() - 20 * 60_000;
    let (st, v) = sync(
        &app,
        &worker,
        json!([
            { "op_id": "op-event-0001", "kind": "event.report", "photos": [u["upload_id"]],
              "data": { "category": "0301", "title": "消防通道堵塞", "address": "嫩水路 8 号",
                        "details": { "what": "楼道堆放杂物，堵住消防通道", "where": "嫩水路 8 号 2 栋" } } },
            { "op_id": "op-house-0001", "kind": "house.create", "data": { "grid_id": t.grid_a1_1, "house_no": "NS-8-2", "house_use": "10", "address": "嫩水路 8 号 2 栋" } },
            { "op_id": "op-hh-000001", "kind": "household.create", "data": { "grid_id": t.grid_a1_1, "household_no": "HH-8-2" }, "data_refs": { "house_id": "op-house-0001" } },
            { "op_id": "op-visit-0001", "kind": "visit.record", "ref_op": "op-hh-000001", "data": { "visited_on": "2026-03-02", "kind": "routine", "note": "家中一切正常" } },
            { "op_id": "op-patrol-001", "kind": "patrol.start", "data": { "started_at": started } },
            { "op_id": "op-patrol-002", "kind": "patrol.points", "ref_op": "op-patrol-001",
              "data": { "points": [{ "lat": 30.5, "lng": 105.6, "accuracy": 10.0, "at": started + 60_000 }, { "lat": 30.501, "lng": 105.6, "accuracy": 10.0, "at": started + 120_000 }] } },
            { "op_id": "op-patrol-003", "kind": "patrol.end", "ref_op": "op-patrol-001", "data": { "note": "一切正常", "ended_at": started + 600_000 } },
            { "op_id": "op-rental-001", "kind": "rental.create", "data": { "landlord_name": "陈房东", "start_date": "2026-02-01", "rental_use": "10" }, "data_refs": { "house_id": "op-house-0001" } },
            { "op_id": "op-place-0001", "kind": "place.create", "data": { "grid_id": t.grid_a1_1, "name": "嫩水网吧", "place_type": "internet_cafe",
              "address": "嫩水路 3 号", "safety_person": "刘安全", "contact_phone": "13800001111", "lat": 30.5, "lon": 105.6 } },
            { "op_id": "op-visit-0002", "kind": "visit.record", "ref_op": "op-not-sent-yet", "data": { "visited_on": "2026-03-02", "kind": "routine", "note": "x" } },
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let r = &v["results"];
    for i in 0..9 {
        assert_eq!(r[i]["status"], "applied", "op {i}: {}", r[i]);
    }
    assert_eq!(r[0]["record"]["photos"].as_array().unwrap().len(), 1, "{}", r[0]);
    assert_eq!(r[2]["record"]["house_id"], r[1]["id"]);
    assert_eq!(r[3]["record"]["household_id"], r[2]["id"]);
    assert_eq!(r[6]["record"]["started_at"], started);
    assert_eq!(r[6]["record"]["ended_at"], started + 600_000);
    assert_eq!(r[6]["record"]["points"], 2);
    // Waiting for an operation not yet sent: tried again later, no receipt kept.
    assert_eq!(r[7]["record"]["house_id"], r[1]["id"], "{}", r[7]);
    assert!(r[8]["record"]["contact_phone_masked"].as_str().unwrap().contains('*'), "{}", r[8]);
    assert!(!r[8].to_string().contains("13800001111"), "the answer is masked: {}", r[8]);
    assert_eq!(r[9]["status"], "retry", "{}", r[9]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM field_receipts WHERE op_id = 'op-visit-0002'").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM field_uploads").await, 0, "the upload went with the event");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM event_files").await, 1);
    // The report is audited like any other.
    assert_eq!(app.audit_rows("event_reported").await.len(), 1);
    // An offline patrol may not claim a start more than 12 hours back.
    let r = one(&app, &worker, json!({ "op_id": "op-patrol-004", "kind": "patrol.start", "data": { "started_at": app.now() - 13 * 3_600_000 } })).await;
    assert_eq!(r["status"], "rejected");
    assert!(r["fields"]["started_at"].is_string(), "{r}");
}

#[tokio::test]
async fn the_snapshot_holds_only_the_workers_grid_masked_and_audited() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let staff = app.demo_session("staff_a1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    let (_, mine) = app.post_json(&worker, "/api/v1/persons", person(t.grid_a1_1, "本网格人", &id(51))).await;
    let (st, other) = app.post_json(&staff, "/api/v1/persons", person(t.grid_a1_2, "邻网格人", &id(52))).await;
    assert_eq!(st, StatusCode::CREATED, "{other}");
    let (st, hh) =
        app.post_json(&worker, "/api/v1/households", json!({ "grid_id": t.grid_a1_1, "household_no": "HH-1" })).await;
    assert_eq!(st, StatusCode::CREATED, "{hh}");
    let before = app.audit_rows("person_list_read").await.len();
    let r = app.call(Method::GET, "/api/v1/field/snapshot", &worker, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let s = r.json();
    let people = s["people"].as_array().unwrap();
    assert_eq!(people.len(), 1, "{s}");
    assert_eq!(people[0]["id"], mine["id"]);
    assert_eq!(people[0]["version"], 1);
    assert!(people[0]["id_number"].as_str().unwrap().contains('*'));
    assert!(!r.text().contains(&id(51)) && !r.text().contains("13912345678"), "no clear ID number or phone");
    assert!(!r.text().contains("邻网格人"));
    assert_eq!(s["households"].as_array().unwrap().len(), 1);
    assert_eq!(s["grids"].as_array().unwrap().len(), 1);
    assert_eq!(
        (s["grids"][0]["id"].as_i64(), s["grids"][0]["name"].as_str()),
        (Some(t.grid_a1_1), Some("嫩水第一网格"))
    );
    assert!(s["session"]["expires_at"].as_i64().unwrap() > app.now());
    assert_eq!(s["session"]["idle_ms"], 30 * 60_000);
    assert!(s["categories"].as_array().unwrap().iter().any(|c| c["code"] == "0301"));
    assert!(s["todo"]["events"].is_array() && s["todo"]["visits_due"].is_array());
    let after = app.audit_rows("person_list_read").await;
    assert_eq!(after.len(), before + 1, "the register read is audited");
    assert!(after.last().unwrap().detail.contains(&mine["id"].to_string()));
    assert!(!app.audit_rows("household_read").await.is_empty());
}

#[tokio::test]
async fn the_app_shell_manifest_and_service_worker_are_served_within_budget() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let r = app.call(Method::GET, "/field/manifest.webmanifest", &Session::anon(), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/manifest+json"));
    let m = r.json();
    assert_eq!(
        (m["start_url"].as_str(), m["scope"].as_str(), m["display"].as_str()),
        (Some("/field/"), Some("/field/"), Some("standalone"))
    );
    for icon in m["icons"].as_array().unwrap() {
        let r = app.call(Method::GET, icon["src"].as_str().unwrap(), &Session::anon(), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), icon["type"].as_str().unwrap());
        if icon["type"] == "image/png" {
            assert_eq!(&r.body[..8], b"\x89PNG\r\n\x1a\n");
            let (w, h) = (
                u32::from_be_bytes(r.body[16..20].try_into().unwrap()),
                u32::from_be_bytes(r.body[20..24].try_into().unwrap()),
            );
            assert_eq!(format!("{w}x{h}"), icon["sizes"].as_str().unwrap());
        }
    }
    let sw = app.call(Method::GET, "/field/sw.js", &Session::anon(), None).await;
    assert_eq!(sw.status, StatusCode::OK);
    assert!(sw.header("content-type").starts_with("text/javascript"));
    assert!(sw.text().starts_with("const VERSION = ") && sw.text().contains("\"/field/\""));
    // Not signed in: the app sends the browser to sign in first.
    let r = app.call(Method::GET, "/field/", &Session::anon(), None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Every field page: the manifest is linked, and its scripts and styles weigh under 150 KB together.
    for (path, _) in wangge::domains::field::pages::PAGES {
        let page = app.call(Method::GET, path, &worker, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let html = page.text();
        assert!(html.contains(r#"<link rel="manifest" href="/field/manifest.webmanifest">"#), "{path}");
        let mut bytes = 0;
        let mut assets = 0;
        for part in html.split(['"', '\'']) {
            if part.starts_with("/static/") && (part.contains(".js") || part.contains(".css")) {
                let r = app.call(Method::GET, part, &Session::anon(), None).await;
                assert_eq!(r.status, StatusCode::OK, "{part}");
                bytes += r.body.len();
                assets += 1;
            }
        }
        println!("{path}: {assets} scripts and styles, {bytes} bytes");
        assert_eq!(assets, 10, "{path}");
        assert!(bytes < 150 * 1024, "{path}: {bytes} bytes of JS+CSS");
    }
    // On a slow line the shell and its files travel gzipped.
    let req = app
        .request(Method::GET, "/static/field/field.js", &Session::anon())
        .header(header::ACCEPT_ENCODING, "gzip, deflate")
        .body(Body::empty())
        .unwrap();
    let gz = app.send(req).await;
    let plain = app.call(Method::GET, "/static/field/field.js", &Session::anon(), None).await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert!(gz.body.len() * 2 < plain.body.len(), "{} vs {}", gz.body.len(), plain.body.len());
    // So does the grid's snapshot (the app fetches it on every opening), and any other JSON answer.
    let req = app
        .request(Method::GET, "/api/v1/field/snapshot", &worker)
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let gz = app.send(req).await;
    let plain = app.call(Method::GET, "/api/v1/field/snapshot", &worker, None).await;
    assert_eq!((gz.status, gz.header("content-encoding")), (StatusCode::OK, "gzip".to_owned()));
    assert_eq!(plain.header("content-encoding"), "", "no gzip for a client that did not ask");
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz.body[..]), &mut unzipped).unwrap();
    let (a, b): (Value, Value) = (serde_json::from_slice(&unzipped).unwrap(), plain.json());
    assert_eq!(a.as_object().map(|o| o.keys().collect::<Vec<_>>()), b.as_object().map(|o| o.keys().collect()));
    // Signing out tells the browser to forget the field app's data.
    let r = app.call(Method::POST, "/api/v1/auth/logout", &worker, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.header("clear-site-data"), "\"cache\", \"storage\"");
}

#[tokio::test]
async fn an_operation_in_progress_is_not_run_twice_and_an_abandoned_one_is_taken_over() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let account = worker.id();
    // Another request is applying this operation right now (its claim is fresh).
    let mut tx = app.db.begin().await.unwrap();
    tx.execute(
        "INSERT INTO field_receipts (account_id, op_id, kind, state, created_at) VALUES ($1, $2, 'person.create', 'pending', $3)",
        wangge::args![account, "op-busy-00001", app.now()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let op = json!({ "op_id": "op-busy-00001", "kind": "person.create", "data": person(t.grid_a1_1, "吴九", &id(61)) });
    let r = one(&app, &worker, op.clone()).await;
    assert_eq!(r["status"], "retry", "{r}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 0);
    // Three minutes later nobody has finished it (the server stopped mid-way): the re-sent operation runs.
    app.clock.advance(3 * 60_000);
    let r = one(&app, &worker, op.clone()).await;
    assert_eq!(r["status"], "applied", "{r}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 1);
    let r = one(&app, &worker, op).await;
    assert_eq!((r["status"].as_str(), r["replayed"].as_bool()), (Some("applied"), Some(true)));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, 1);
}

/// A photo whose operation never came is forgotten (row and file) once it is 30 days old, at the
/// account's next upload; a fresh one is kept, and an operation naming the forgotten one is told
/// to take the photo again.
#[tokio::test]
async fn abandoned_uploads_are_removed_after_thirty_days() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let (st, old) = upload(&app, &worker, "op-lost-0001-0", &tiny_png()).await;
    assert_eq!(st, StatusCode::CREATED, "{old}");
    let (file_id,): (String,) = app.db.read().fetch_one("SELECT file_id FROM field_uploads", vec![]).await.unwrap();
    assert!(app.state.files.get(&file_id).await.is_ok());
    app.clock.advance(29 * wangge::clock::DAY);
    let worker = app.login("worker_a", PASSWORD).await;
    let (st, _) = upload(&app, &worker, "op-kept-0001-0", &tiny_png()).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM field_uploads").await, 2, "29 days: both kept");
    app.clock.advance(2 * wangge::clock::DAY);
    let worker = app.login("worker_a", PASSWORD).await;
    let (st, _) = upload(&app, &worker, "op-next-0001-0", &tiny_png()).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM field_uploads").await, 2, "the 31-day-old one is gone");
    assert!(app.state.files.get(&file_id).await.is_err(), "its file is removed too");
    let r = one(
        &app,
        &worker,
        json!({ "op_id": "op-lost-0001", "kind": "event.report", "photos": [old["upload_id"]],
                "data": { "category": "0301", "title": "消防通道堵塞", "address": "嫩水路 8 号",
                          "details": { "what": "楼道堆放杂物，堵住消防通道", "where": "嫩水路 8 号 2 栋" } } }),
    )
    .await;
    assert_eq!(r["status"], "rejected", "{r}");
    assert!(r.to_string().contains("请重新拍摄"), "{r}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, 0);
}

#[tokio::test]
async fn synced_coordinates_follow_the_one_rule() {
    let (app, t, _) = TestApp::with_tree().await;
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let started = app.now();
    app.clock.advance(120_000);
    let (st, v) = sync(
        &app,
        &worker,
        json!([
            { "op_id": "op-coord-0001", "kind": "event.report", "data": { "category": "0401", "title": "垃圾满溢",
              "details": { "what": "小区东门垃圾桶满溢三天无人清运", "where": "嫩水路幸福小区东门" }, "address": "嫩水路 8 号", "lon": 0.0, "lat": 0.0 } },
            { "op_id": "op-coord-0002", "kind": "patrol.start", "data": { "started_at": started } },
            { "op_id": "op-coord-0003", "kind": "patrol.points", "ref_op": "op-coord-0002",
              "data": { "points": [{ "lat": 48.85, "lng": 2.35, "accuracy": 10.0, "at": started + 60_000 }] } },
            { "op_id": "op-coord-0004", "kind": "place.create", "data": { "grid_id": t.grid_a1_1, "name": "嫩水网吧", "place_type": "internet_cafe",
              "address": "嫩水路 3 号", "safety_person": "刘安全", "contact_phone": "13800001111", "lat": 0.0, "lon": 0.0 } },
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let r = &v["results"];
    assert_eq!(r[0]["status"], "rejected", "{v}");
    assert!(r[0]["fields"]["lon"].as_str().unwrap().contains("不在中国境内"), "{v}");
    assert_eq!(r[2]["status"], "rejected", "{v}");
    assert!(r[2]["fields"]["points[0].lat"].as_str().unwrap().contains("不在中国境内"), "{v}");
    assert_eq!(r[3]["status"], "rejected", "{v}");
    assert!(r[3]["fields"]["lon"].as_str().unwrap().contains("不在中国境内"), "{v}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, 0);
}
