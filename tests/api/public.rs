//! The public side through the front door: the board of a grid shows only public fields and is
//! cacheable; photos only of staff serving the grid; a resident's report from the page becomes an
//! event of the grid (channel resident) whose public status follows the workflow without internal
//! notes or staff names; abuse control (windows per address and per grid with the moved clock,
//! duplicates, honeypot, sizes) writes nothing when it refuses; contact cards and the poster; the
//! community's office hours with history; the call-back phone masked, revealing it audited.

use crate::helpers::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use std::net::SocketAddr;
use wangge::auth::Role::*;
use wangge::clock::{HOUR, MINUTE};
use wangge::domains::registry::id_number::make;

const GRID: &str = "510725101001001";

/// A request as if it came from `ip` (the client address the server sees).
fn from_ip(method: Method, path: &str, ip: [u8; 4]) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path).extension(ConnectInfo(SocketAddr::from((ip, 40000))))
}

/// A multipart body of text fields and `photos` files.
fn form(fields: &[(&str, &str)], photos: &[Vec<u8>]) -> (String, Vec<u8>) {
    let b = "----wanggePublicBoundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (i, p) in photos.iter().enumerate() {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"p{i}.png\"\r\nContent-Type: image/png\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(p);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

fn drain_fields(address: &str) -> Vec<(&'static str, String)> {
    vec![
        ("category", "0403".into()),
        ("description", "楼下下水道堵了，污水漫到路面上，已经两天了".into()),
        ("address", address.into()),
        ("lon", String::new()),
        ("lat", String::new()),
        ("callback_phone", "13800138000".into()),
        ("website", String::new()),
    ]
}

/// Posts the report form as a browser at `ip` would.
async fn report_page(app: &TestApp, ip: [u8; 4], fields: &[(&str, String)], photos: &[Vec<u8>]) -> Resp {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (ct, body) = form(&pairs, photos);
    let req = from_ip(Method::POST, &format!("/public/grids/{GRID}/report"), ip)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Posts a JSON report to the API as a client at `ip`.
async fn report_api(app: &TestApp, ip: [u8; 4], body: Value) -> (StatusCode, Value) {
    let req = from_ip(Method::POST, &format!("/api/v1/public/grids/{GRID}/reports"), ip)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.send(req).await;
    (r.status, r.json())
}

fn drain_json(address: &str) -> Value {
    json!({ "category": "0403", "description": "楼下下水道堵了，污水漫到路面上，已经两天了", "address": address })
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one(&format!("SELECT COUNT(*) FROM {table}"), vec![]).await.unwrap();
    n
}

/// The code in the tracking page's address after a report (`/public/track?code=ABCDE-FGHJK&new=1`).
fn code_of(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.header("location");
    assert!(loc.starts_with("/public/track?code="), "{loc}");
    loc.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned()
}

/// The public status of a code (JSON).
async fn status(app: &TestApp, code: &str) -> Value {
    let r = anon_get(app, &format!("/api/v1/public/track/{code}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn act(app: &TestApp, s: &Session, id: i64, body: Value) {
    let (st, v) = app.post_json(s, &format!("/api/v1/events/{id}/actions"), body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body}: {v}");
}

async fn anon_get(app: &TestApp, path: &str) -> Resp {
    app.call(Method::GET, path, &Session::anon(), None).await
}

/// A staff member with a photo, assigned to the grid; answers the staff id.
async fn staff_with_photo(
    app: &TestApp,
    admin: &Session,
    area: i64,
    grid: Option<i64>,
    name: &str,
    phone: &str,
) -> i64 {
    let s = app.staff(admin, area, name, phone).await;
    let id = s["id"].as_i64().unwrap();
    let (ct, body) = multipart("photo", "p.png", "image/png", &tiny_png());
    let req = app
        .request(Method::POST, &format!("/api/v1/staff/{id}/photo"), admin)
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    if let Some(g) = grid {
        let (st, v) = app.post_json(admin, &format!("/api/v1/staff/{id}/assignments"), json!({ "grid_id": g })).await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    id
}

#[tokio::test]
async fn the_board_shows_only_public_fields_and_is_cacheable() {
    let (app, t, admin) = TestApp::with_tree().await;
    staff_with_photo(&app, &admin, t.comm_a1, Some(t.grid_a1_1), "王网格", "13912340001").await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let number = make("510725", chrono::NaiveDate::from_ymd_opt(1980, 1, 2).unwrap(), 11);
    let (st, v) = app
        .post_json(
            &worker,
            "/api/v1/persons",
            json!({ "kind": "registered", "name": "李居民", "id_number": number,
            "grid_id": t.grid_a1_1, "phone": "13712345678", "address": "嫩水路 8 号" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let community = app.demo_session("c1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    let (st, v) = app
        .patch_json(
            &community,
            &format!("/api/v1/areas/{}/office", t.comm_a1),
            json!({ "version": 0, "office_hours": "周一至周五 8:30–17:30", "office_phone": "0816-7654321" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    let r = anon_get(&app, &format!("/public/grids/{GRID}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for want in ["嫩水第一网格", "王网格", "13912340001", "巡查走访", "周一至周五 8:30–17:30", "0816-7654321", "随手拍"]
    {
        assert!(html.contains(want), "board should show {want}");
    }
    for secret in ["李居民", number.as_str(), &number[6..14], "13712345678", "137****5678"] {
        assert!(!html.contains(secret), "board must not show {secret}");
    }
    assert_eq!(r.header("cache-control"), "public, max-age=60");
    let etag = r.header("etag");
    assert!(etag.starts_with('"'), "{etag}");
    // A client holding this version gets 304 without the body.
    let req = Request::builder()
        .uri(format!("/public/grids/{GRID}"))
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    let again = app.send(req).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // The JSON twin: only the public fields.
    let r = anon_get(&app, &format!("/api/v1/public/grids/{GRID}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["staff"][0]["name"], "王网格");
    let keys: Vec<&str> = v["staff"][0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["duties", "duty", "has_photo", "name", "phone", "staff_id"]);
    assert!(!r.text().contains("李居民"));
    // Unknown or non-grid codes are not found; the board of another grid has nobody yet.
    assert_eq!(anon_get(&app, "/public/grids/510725101001").await.status, StatusCode::NOT_FOUND);
    assert_eq!(anon_get(&app, "/public/grids/nope").await.status, StatusCode::NOT_FOUND);
    let other = anon_get(&app, "/public/grids/510725101001002").await;
    assert!(other.text().contains("正在安排"));
}

#[tokio::test]
async fn staff_photos_only_while_they_serve_the_grid() {
    let (app, t, admin) = TestApp::with_tree().await;
    let serving = staff_with_photo(&app, &admin, t.comm_a1, Some(t.grid_a1_1), "王网格", "13912340001").await;
    let elsewhere = staff_with_photo(&app, &admin, t.comm_a1, Some(t.grid_a1_2), "赵网格", "13912340002").await;
    let unassigned = staff_with_photo(&app, &admin, t.comm_a1, None, "钱社区", "13912340003").await;
    let r = anon_get(&app, &format!("/public/grids/{GRID}/staff/{serving}/photo")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/png");
    assert_eq!(r.body, tiny_png());
    for who in [elsewhere, unassigned] {
        assert_eq!(
            anon_get(&app, &format!("/public/grids/{GRID}/staff/{who}/photo")).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // When the assignment ends, the photo is no longer public.
    let (_, s) = app.get(&admin, &format!("/api/v1/staff/{serving}")).await;
    let assignment = s["assignments"][0]["id"].as_i64().unwrap();
    let (st, v) =
        app.post_json(&admin, &format!("/api/v1/staff/{serving}/assignments/{assignment}/end"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        anon_get(&app, &format!("/public/grids/{GRID}/staff/{serving}/photo")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_report_from_the_page_becomes_a_resident_event_whose_public_status_follows_it() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let community = app.demo_session("c1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    // The form is there without signing in.
    let r = anon_get(&app, &format!("/public/grids/{GRID}/report")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("下水道堵了、污水外溢") && r.text().contains("name=\"website\""));

    let r = report_page(&app, [10, 0, 0, 1], &drain_fields("嫩水路 8 号"), &[tiny_png()]).await;
    let code = code_of(&r);
    assert_eq!(code.len(), 11, "ABCDE-FGHJK: {code}");
    // The event is in the grid's queue, channel resident, with the photo.
    let (_, todo) = app.get(&worker, "/api/v1/todo?list=todo").await;
    let id = todo["items"][0]["id"].as_i64().unwrap();
    let (_, e) = app.get(&worker, &format!("/api/v1/events/{id}")).await;
    assert_eq!(e["channel"], "resident");
    assert_eq!(e["grid_id"], t.grid_a1_1);
    assert_eq!(e["photos"].as_array().unwrap().len(), 1);
    // Staff see the code and the masked phone.
    let (st, info) = app.get(&worker, &format!("/api/v1/events/{id}/public")).await;
    assert_eq!(st, StatusCode::OK, "{info}");
    assert_eq!(info["code_text"], code.as_str());
    assert_eq!(info["callback_phone_masked"], "138****8000");
    assert!(!info.to_string().contains("13800138000"));

    let s = status(&app, &code).await;
    assert_eq!(s["state"], "reported");
    assert_eq!(s["steps"].as_array().unwrap().len(), 1);
    assert!(s["close_due_text"].is_string());

    // The grid accepts, escalates with an internal note, the community handles and completes.
    act(&app, &worker, id, json!({ "action": "accept" })).await;
    let s = status(&app, &code).await;
    assert_eq!(s["state"], "accepted");
    assert_eq!(s["steps"][1]["label"], "已受理");
    act(&app, &worker, id, json!({ "action": "escalate", "note": "内部意见：物业不配合，需社区协调" })).await;
    act(&app, &community, id, json!({ "action": "accept" })).await;
    act(&app, &community, id, json!({ "action": "complete", "note": "已疏通，内部备注王师傅处理" })).await;
    let (st, _) = app
        .post_json(
            &community,
            &format!("/api/v1/events/{id}/public-replies"),
            json!({ "body": "下水道已经疏通，谢谢您的反映。" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = app
        .post_json(
            &worker,
            &format!("/api/v1/events/{id}/public-replies"),
            json!({ "body": "我明天再去看一次。", "signed": true }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let s = status(&app, &code).await;
    assert_eq!(s["state"], "completed");
    let text = s.to_string();
    for hidden in ["内部意见", "物业不配合", "王师傅", "c1"] {
        assert!(!text.contains(hidden), "the public status must not show {hidden}: {text}");
    }
    assert!(text.contains("下水道已经疏通"));
    assert_eq!(s["replies"][0]["by"], "嫩水社区", "unsigned: the unit only");
    assert_eq!(s["replies"][1]["by"], "嫩水第一网格 w1", "signed: the unit and the name");
    let labels: Vec<&str> = s["steps"].as_array().unwrap().iter().map(|x| x["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["已收到", "已受理", "已转上级", "已受理", "已办理完毕"]);
    // Verified and closed: the page says it is done.
    act(&app, &worker, id, json!({ "action": "verify" })).await;
    act(&app, &community, id, json!({ "action": "close" })).await;
    let r = anon_get(&app, &format!("/public/track?code={}", code.to_lowercase())).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("已办结") && html.contains("已结案") && html.contains("下水道已经疏通"));
    assert!(!html.contains("内部意见"));
    // An unknown code is a clear "not found".
    let r = anon_get(&app, "/public/track?code=ABCDE-FGHJK").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("没有找到这个追踪码"));
    assert_eq!(anon_get(&app, "/api/v1/public/track/0000000000").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_limits_per_address_and_per_grid_follow_the_clock() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    for i in 0..5 {
        let (st, v) = report_api(&app, [10, 0, 0, 1], drain_json(&format!("嫩水路 {i} 号"))).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let req = from_ip(Method::POST, &format!("/api/v1/public/grids/{GRID}/reports"), [10, 0, 0, 1])
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(drain_json("嫩水路 50 号").to_string()))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("retry-after"), "3600");
    assert!(r.json()["message"].as_str().unwrap().contains("约 1 小时后再试"), "{}", r.text());
    // The page says the same, keeping what was typed.
    let r = report_page(&app, [10, 0, 0, 1], &drain_fields("嫩水路 51 号"), &[]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("太频繁") && r.text().contains("嫩水路 51 号"));
    // The per-grid window: 30 an hour from any number of addresses.
    for i in 5..30u8 {
        let (st, v) = report_api(&app, [10, 0, 1, i], drain_json(&format!("嫩水路 {i} 号"))).await;
        assert_eq!(st, StatusCode::CREATED, "{i}: {v}");
    }
    let (st, v) = report_api(&app, [10, 0, 2, 1], drain_json("嫩水路 60 号")).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(v["message"].as_str().unwrap().contains("本网格"));
    assert_eq!(count(&app, "events").await, 30);
    // An hour later both windows have room again.
    app.clock.advance(HOUR);
    let (st, v) = report_api(&app, [10, 0, 0, 1], drain_json("嫩水路 61 号")).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn the_same_problem_within_two_hours_answers_the_first_code() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    let (st, first) = report_api(&app, [10, 0, 0, 1], drain_json("嫩水路 8 号")).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(first["duplicate"], false);
    app.clock.advance(90 * MINUTE);
    let (st, again) = report_api(&app, [10, 0, 0, 2], drain_json("嫩水路8号")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["tracking_code"], first["tracking_code"]);
    // Near by location (about 50 m) is the same problem too.
    let near = |lat: f64| json!({ "category": "0401", "description": "垃圾桶满了没人清运，味道很大", "lon": 104.0, "lat": lat });
    let (_, a) = report_api(&app, [10, 0, 0, 3], near(31.0)).await;
    let (_, b) = report_api(&app, [10, 0, 0, 4], near(31.0004)).await;
    assert_eq!(b["tracking_code"], a["tracking_code"]);
    let (_, c) = report_api(&app, [10, 0, 0, 5], near(31.003)).await;
    assert_eq!(c["duplicate"], false, "330 m away is another place");
    // The page tells a resident it was already reported.
    let r = report_page(&app, [10, 0, 0, 6], &drain_fields("嫩水路 8 号"), &[]).await;
    assert!(r.header("location").contains("dup=1"));
    // After the window the same place is a new report.
    app.clock.advance(31 * MINUTE);
    let (st, later) = report_api(&app, [10, 0, 0, 7], drain_json("嫩水路 8 号")).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_ne!(later["tracking_code"], first["tracking_code"]);
    assert_eq!(count(&app, "events").await, 4);
}

#[tokio::test]
async fn honeypot_and_size_limits_refuse_and_write_nothing() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    // The hidden field filled in: refused, nothing written.
    let mut bot = drain_fields("嫩水路 8 号");
    bot.retain(|(k, _)| *k != "website");
    bot.push(("website", "http://spam.example".into()));
    let r = report_page(&app, [10, 0, 0, 1], &bot, &[tiny_png()]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("提交未被接受"));
    let (st, _) = report_api(
        &app,
        [10, 0, 0, 1],
        json!({ "category": "0403", "description": "楼下下水道堵了，污水漫到路面上", "address": "x", "website": "x" }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Four photos, a photo over 5 MB, a text over 1000 characters, something that is not a photo.
    let r = report_page(
        &app,
        [10, 0, 0, 1],
        &drain_fields("嫩水路 8 号"),
        &[tiny_png(), tiny_png(), tiny_png(), tiny_png()],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("最多上传 3 张照片"));
    let mut big = tiny_png();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let r = report_page(&app, [10, 0, 0, 1], &drain_fields("嫩水路 8 号"), &[big]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("每张照片不能超过 5 MB"));
    let mut long = drain_fields("嫩水路 8 号");
    long[1].1 = "堵".repeat(1001);
    let r = report_page(&app, [10, 0, 0, 1], &long, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("最多 1000 个字"));
    let r =
        report_page(&app, [10, 0, 0, 1], &drain_fields("嫩水路 8 号"), &[b"<html>not a photo</html>".to_vec()]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // No category, no place: both named, what was typed kept.
    let mut thin = drain_fields("");
    thin[0].1 = String::new();
    let r = report_page(&app, [10, 0, 0, 1], &thin, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请选择问题类型") && r.text().contains("请填写地点") && r.text().contains("已经两天了"));
    assert_eq!(count(&app, "events").await, 0);
    assert_eq!(count(&app, "public_reports").await, 0);
    assert_eq!(count(&app, "files").await, 0);
    let stored = app.dir.path().join("files");
    let n = if stored.exists() { walk(&stored) } else { 0 };
    assert_eq!(n, 0, "no photo file left behind");
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk(&p) } else { 1 }
        })
        .sum()
}

#[tokio::test]
async fn contact_cards_and_the_poster_carry_the_qr_code_and_no_names() {
    let (app, t, admin) = TestApp::with_tree().await;
    staff_with_photo(&app, &admin, t.comm_a1, Some(t.grid_a1_1), "王网格", "13912340001").await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(t.grid_a1_1)).await;
    for i in 0..9 {
        let (st, v) = app
            .post_json(
                &worker,
                "/api/v1/households",
                json!({ "grid_id": t.grid_a1_1, "household_no": format!("HH-{i}"),
                "address": format!("嫩水路 {i} 号") }),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let number = make("510725", chrono::NaiveDate::from_ymd_opt(1980, 1, 2).unwrap(), 11);
    let (st, _) = app
        .post_json(
            &worker,
            "/api/v1/persons",
            json!({ "kind": "registered", "name": "李居民", "id_number": number,
            "grid_id": t.grid_a1_1, "address": "嫩水路 1 号" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let r = app.call(Method::GET, &format!("/areas/{}/contact-cards", t.grid_a1_1), &worker, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert_eq!(html.matches("class=\"sheet\"").count(), 2, "9 households: two A4 sheets of 8");
    assert_eq!(html.matches("class=\"contact\"").count(), 9);
    assert!(
        html.contains("嫩水路 8 号")
            && html.contains("王网格")
            && html.contains(&format!("/public/grids/{GRID}/qr.svg"))
    );
    assert!(!html.contains("李居民") && !html.contains("HH-1"));
    assert_eq!(app.audit_rows("contact_cards_printed").await.len(), 1);
    // Another community's grid is out of the worker's scope; the anonymous are sent to sign in.
    let r = app.call(Method::GET, &format!("/areas/{}/contact-cards", t.grid_b1_1), &worker, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = anon_get(&app, &format!("/areas/{}/contact-cards", t.grid_a1_1)).await;
    assert!(r.header("location").starts_with("/login"));
    // The QR code points to the board at the address the request came to …
    let req = Request::builder()
        .uri(format!("/public/grids/{GRID}/qr.svg"))
        .header("host", "wg.local:8080")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/svg+xml");
    assert!(r.text().starts_with("<svg"));
    // … and the poster shows it with the URL, on A4 or A3.
    let req = Request::builder()
        .uri(format!("/public/grids/{GRID}/poster?size=a3"))
        .header("host", "wg.local:8080")
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(
        html.contains(&format!("http://wg.local:8080/public/grids/{GRID}"))
            && html.contains("<svg")
            && html.contains("print-a3.css")
    );
    assert!(html.contains("王网格") && !html.contains("李居民"));
    assert_eq!(
        anon_get(&app, &format!("/public/grids/{GRID}/poster?size=a5")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn office_hours_have_history_and_need_the_version() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let community = app.demo_session("c1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    let other = app.demo_session("c2", CommunityStaff, Bind::Area(t.comm_b1)).await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let path = format!("/api/v1/areas/{}/office", t.comm_a1);
    let (_, o) = app.get(&community, &path).await;
    assert_eq!(o["version"], 0);
    let got =
        app.patch_json(&community, &path, json!({ "version": 0, "office_hours": "", "office_phone": "123" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("office_hours"));
    assert!(got.1["fields"]["office_phone"].is_string());
    let (st, o) = app
        .patch_json(
            &community,
            &path,
            json!({ "version": 0, "office_hours": "周一至周五上午", "office_phone": "0816-7654321" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{o}");
    assert_eq!(o["version"], 1);
    let got = app.patch_json(&community, &path, json!({ "version": 0, "office_hours": "全天" })).await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (st, _) = app
        .patch_json(
            &community,
            &path,
            json!({ "version": 1, "office_hours": "周一至周六上午", "office_phone": "0816-7654321" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // A worker may read but not change; another community does not see it.
    let (st, _) = app.patch_json(&worker, &path, json!({ "version": 2, "office_hours": "x" })).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = app.patch_json(&other, &path, json!({ "version": 2, "office_hours": "全天" })).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Both saves are kept; the audit has the field-level change.
    let r = app.call(Method::GET, &format!("/areas/{}/office", t.comm_a1), &community, None).await;
    let html = r.text();
    assert!(html.contains("周一至周五上午") && html.contains("周一至周六上午"));
    let audit = app.audit_rows("area_office_saved").await;
    assert_eq!(audit.len(), 2);
    let detail: Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["office_hours"]["from"], "周一至周五上午");
    // The page form saves too and comes back with the reasons when refused.
    let r = app
        .post_form(
            &community,
            &format!("/areas/{}/office", t.comm_a1),
            &[("version", "2"), ("office_hours", ""), ("office_phone", ""), ("office_address", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写办公时间"));
    let r = app
        .post_form(
            &community,
            &format!("/areas/{}/office", t.comm_a1),
            &[
                ("version", "2"),
                ("office_hours", "每天 9 点到 17 点"),
                ("office_phone", ""),
                ("office_address", "嫩水路 1 号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let board = anon_get(&app, &format!("/public/grids/{GRID}")).await.text();
    assert!(board.contains("每天 9 点到 17 点"), "the board shows the new hours at once");
}

#[tokio::test]
async fn the_call_back_phone_is_masked_and_revealing_it_is_audited() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let viewer = app.demo_session("v1", CountyViewer, Bind::Area(t.county)).await;
    let other = app.demo_session("w2", GridWorker, Bind::Area(t.grid_b1_1)).await;
    let r = report_page(&app, [10, 0, 0, 1], &drain_fields("嫩水路 8 号"), &[]).await;
    code_of(&r);
    let (_, todo) = app.get(&worker, "/api/v1/todo?list=todo").await;
    let id = todo["items"][0]["id"].as_i64().unwrap();
    let got = app.post_json(&worker, &format!("/api/v1/events/{id}/callback-phone"), json!({ "reason": "" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("reason"));
    let (st, v) =
        app.post_json(&worker, &format!("/api/v1/events/{id}/callback-phone"), json!({ "reason": "回访反映人" })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["callback_phone"], "13800138000");
    let audit = app.audit_rows("callback_phone_revealed").await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].detail.contains("回访反映人"));
    assert!(!audit[0].detail.contains("13800138000"));
    // A read-only county account may not; another grid's worker does not see the event.
    let (st, _) =
        app.post_json(&viewer, &format!("/api/v1/events/{id}/callback-phone"), json!({ "reason": "看看" })).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) =
        app.post_json(&other, &format!("/api/v1/events/{id}/callback-phone"), json!({ "reason": "看看" })).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The staff page: masked, then full after a reason; the event page links to it.
    let r = app.call(Method::GET, &format!("/events/{id}"), &worker, None).await;
    assert!(r.text().contains(&format!("/events/{id}/public")));
    let r = app.call(Method::GET, &format!("/events/{id}/public"), &worker, None).await;
    assert!(r.text().contains("138****8000") && !r.text().contains("13800138000"));
    let r = app.post_form(&worker, &format!("/events/{id}/public/phone"), &[("reason", "回访")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("13800138000"));
    // A public reply from the page; a too short one comes back with the reason and the draft.
    let r = app.post_form(&worker, &format!("/events/{id}/public/replies"), &[("body", "好的")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("答复至少 5 个字") && r.text().contains("好的"));
    let r = app
        .post_form(
            &worker,
            &format!("/events/{id}/public/replies"),
            &[("body", "已安排明天上午疏通。"), ("signed", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, info) = app.get(&worker, &format!("/api/v1/events/{id}/public")).await;
    assert_eq!(info["replies"][0]["signed_name"], "w1");
    assert_eq!(app.audit_rows("public_reply_published").await.len(), 1);
    // The database never holds the number in clear.
    let (n,): (i64,) = app
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM public_reports WHERE phone_masked = '138****8000' AND phone_enc IS NOT NULL",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// Staff find their way to the public side: the grid page links its board, posters and (for those
/// who read the register) the contact cards; the community page links its office hours; the grid
/// worker's home page offers the field app.
#[tokio::test]
async fn staff_pages_lead_to_the_board_the_cards_the_office_hours_and_the_field_app() {
    let (app, t, admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let (st, grid) = app.get(&worker, &format!("/api/v1/areas/{}", t.grid_a1_1)).await;
    assert_eq!(st, StatusCode::OK, "{grid}");
    let code = grid["code"].as_str().unwrap().to_owned();
    let page = app.call(Method::GET, &format!("/areas/{}", t.grid_a1_1), &worker, None).await.text();
    assert!(page.contains(&format!("href=\"/public/grids/{code}\"")), "{page}");
    assert!(page.contains(&format!("href=\"/public/grids/{code}/poster\"")));
    assert!(page.contains(&format!("href=\"/areas/{}/contact-cards\"", t.grid_a1_1)));
    // Each link answers: the board to anyone, the cards to the worker.
    assert_eq!(anon_get(&app, &format!("/public/grids/{code}")).await.status, StatusCode::OK);
    let cards = app.call(Method::GET, &format!("/areas/{}/contact-cards", t.grid_a1_1), &worker, None).await;
    assert_eq!(cards.status, StatusCode::OK);
    // The system administrator keeps the tree but reads no register: no card link.
    let page = app.call(Method::GET, &format!("/areas/{}", t.grid_a1_1), &admin, None).await.text();
    assert!(page.contains(&format!("href=\"/public/grids/{code}\"")), "{page}");
    assert!(!page.contains("contact-cards"), "{page}");
    let community = app.demo_session("c1", CommunityStaff, Bind::Area(t.comm_a1)).await;
    let page = app.call(Method::GET, &format!("/areas/{}", t.comm_a1), &community, None).await.text();
    assert!(page.contains(&format!("href=\"/areas/{}/office\"", t.comm_a1)), "{page}");
    let home = app.call(Method::GET, "/", &worker, None).await.text();
    assert!(home.contains("href=\"/field/\""), "{home}");
    let town = app.demo_session("t1", TownCenter, Bind::Area(t.town_a)).await;
    let home = app.call(Method::GET, "/", &town, None).await.text();
    assert!(!home.contains("href=\"/field/\""), "{home}");
}

#[tokio::test]
async fn a_report_at_0_0_or_abroad_is_refused_on_the_page_and_the_api() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    for (lon, lat) in [(0.0, 0.0), (2.35, 48.85)] {
        let mut body = drain_json("嫩水路 8 号");
        body["lon"] = json!(lon);
        body["lat"] = json!(lat);
        let (st, v) = report_api(&app, [10, 0, 0, 9], body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["fields"]["location"].as_str().unwrap().contains("不在中国境内"), "{v}");
        let mut fields = drain_fields("嫩水路 8 号");
        for f in fields.iter_mut() {
            match f.0 {
                "lon" => f.1 = lon.to_string(),
                "lat" => f.1 = lat.to_string(),
                _ => {}
            }
        }
        let r = report_page(&app, [10, 0, 0, 9], &fields, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("不在中国境内"));
    }
    assert_eq!(count(&app, "public_reports").await, 0);
}
