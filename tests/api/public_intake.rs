//! The resident intake as another channel (Open311) calls it: a report becomes an event of the grid
//! with channel `resident`; the same problem within the window answers the first code; sliding
//! windows per client address and per grid refuse with 429 until the clock moves on; bad input
//! writes nothing.

use crate::helpers::*;
use axum::http::StatusCode;
use wangge::auth::Role::*;
use wangge::clock::{HOUR, MINUTE};
use wangge::domains::events::service::Photo;
use wangge::domains::public::intake::{self, ResidentReport, Source};
use wangge::error::AppError;
use wangge::web::meta::RequestMeta;

pub fn source(ip: &str) -> Source {
    Source::PublicPage { meta: RequestMeta { request_id: "t".into(), ip: ip.into(), user_agent: String::new() } }
}

pub fn drain(grid: i64, address: &str) -> ResidentReport {
    ResidentReport {
        grid_id: Some(grid),
        category: "0403".into(),
        description: "楼下下水道堵了，污水漫到路面上，已经两天了".into(),
        location: None,
        address: address.into(),
        photos: vec![],
        callback_phone: Some("13800138000".into()),
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one(&format!("SELECT COUNT(*) FROM {table}"), vec![]).await.unwrap();
    n
}

#[tokio::test]
async fn intake_files_a_resident_event_in_the_grid_queue() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w1", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let r = intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路 8 号"), source("10.0.0.1")).await.unwrap();
    assert!(!r.duplicate);
    assert_eq!(r.tracking_code.len(), 10);
    let (st, e) = app.get(&worker, &format!("/api/v1/events/{}", r.event_id)).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    assert_eq!(e["channel"], "resident");
    assert_eq!(e["grid_id"], tree.grid_a1_1);
    assert_eq!(e["state"], "reported");
    let (_, todo) = app.get(&worker, "/api/v1/todo?list=todo").await;
    assert_eq!(todo["items"][0]["id"], r.event_id, "{todo}");
    // The phone is stored encrypted and masked, never in clear.
    let (masked,): (Option<String>,) =
        app.db.read().fetch_one("SELECT phone_masked FROM public_reports", vec![]).await.unwrap();
    assert_eq!(masked.as_deref(), Some("138****8000"));
    let (enc,): (Option<Vec<u8>>,) =
        app.db.read().fetch_one("SELECT phone_enc FROM public_reports", vec![]).await.unwrap();
    assert!(!String::from_utf8_lossy(&enc.unwrap()).contains("13800138000"));
    assert_eq!(app.audit_rows("public_report_received").await.len(), 1);
}

#[tokio::test]
async fn the_same_problem_within_two_hours_answers_the_first_code() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let first = intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路 8 号"), source("10.0.0.1")).await.unwrap();
    app.clock.advance(HOUR);
    let again = intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路8号"), source("10.0.0.2")).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.tracking_code, first.tracking_code);
    assert_eq!(count(&app, "events").await, 1);
    // Another place of the same grid is another problem.
    let other = intake::accept(&app.state, drain(tree.grid_a1_1, "金山路 2 号"), source("10.0.0.2")).await.unwrap();
    assert!(!other.duplicate);
    // After the window the same place is a new report.
    app.clock.advance(HOUR + MINUTE);
    let later = intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路 8 号"), source("10.0.0.3")).await.unwrap();
    assert!(!later.duplicate);
    assert_ne!(later.tracking_code, first.tracking_code);
    assert_eq!(count(&app, "events").await, 3);
}

#[tokio::test]
async fn one_address_may_send_five_reports_an_hour() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    for i in 0..5 {
        intake::accept(&app.state, drain(tree.grid_a1_1, &format!("嫩水路 {i} 号")), source("10.0.0.9")).await.unwrap();
        app.clock.advance(MINUTE);
    }
    let refused = intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路 99 号"), source("10.0.0.9")).await;
    match refused {
        Err(AppError::RateLimited { message, retry_after_secs }) => {
            assert!(message.contains("太频繁"), "{message}");
            assert_eq!(retry_after_secs, (HOUR - 5 * MINUTE) / 1000);
        }
        other => panic!("expected a rate limit, got {:?}", other.map(|r| r.tracking_code)),
    }
    // Another address is not held back.
    intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路 99 号"), source("10.0.0.10")).await.unwrap();
    // Once the first report leaves the window, the address may send again.
    app.clock.advance(HOUR - 5 * MINUTE);
    intake::accept(&app.state, drain(tree.grid_a1_1, "嫩水路 98 号"), source("10.0.0.9")).await.unwrap();
}

#[tokio::test]
async fn bad_reports_are_refused_with_the_fields_named_and_nothing_written() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let mut thin = drain(tree.grid_a1_1, "");
    thin.description = "太脏".into();
    thin.callback_phone = Some("12345".into());
    match intake::accept(&app.state, thin, source("10.0.0.1")).await {
        Err(AppError::Invalid { fields, .. }) => {
            for f in ["description", "address", "callback_phone"] {
                assert!(fields.contains_key(f), "{f}: {fields:?}");
            }
        }
        other => panic!("expected 422, got {:?}", other.map(|r| r.tracking_code)),
    }
    let mut photos = drain(tree.grid_a1_1, "嫩水路 8 号");
    photos.photos = vec![Photo(tiny_png()), Photo(tiny_png()), Photo(tiny_png()), Photo(tiny_png())];
    assert!(matches!(intake::accept(&app.state, photos, source("10.0.0.1")).await, Err(AppError::Invalid { .. })));
    let mut not_a_photo = drain(tree.grid_a1_1, "嫩水路 8 号");
    not_a_photo.photos = vec![Photo(b"<html>".to_vec())];
    assert!(intake::accept(&app.state, not_a_photo, source("10.0.0.1")).await.is_err());
    let mut no_grid = drain(tree.grid_a1_1, "嫩水路 8 号");
    no_grid.grid_id = Some(tree.comm_a1);
    assert!(matches!(intake::accept(&app.state, no_grid, source("10.0.0.1")).await, Err(AppError::Invalid { .. })));
    // A category that needs the parties of a dispute is refused by the events domain's own rules.
    let mut dispute = drain(tree.grid_a1_1, "嫩水路 8 号");
    dispute.category = "0102".into();
    assert!(matches!(intake::accept(&app.state, dispute, source("10.0.0.1")).await, Err(AppError::Invalid { .. })));
    assert_eq!(count(&app, "events").await, 0);
    assert_eq!(count(&app, "public_reports").await, 0);
}

#[tokio::test]
async fn a_location_finds_its_grid_and_outside_every_grid_the_county_places_it() {
    let (app, tree, admin) = TestApp::with_tree().await;
    let square = serde_json::json!({ "type": "Polygon",
        "coordinates": [[[104.70, 31.70], [104.80, 31.70], [104.80, 31.80], [104.70, 31.80], [104.70, 31.70]]] });
    let (st, v) = app
        .post_json(
            &admin,
            "/api/v1/areas",
            serde_json::json!({ "parent_id": tree.comm_a1, "kind": "grid",
            "code": "510725101001009", "name": "边界网格", "boundary": square }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let grid = v["id"].as_i64().unwrap();
    let county = app.demo_session("cc", CountyCenter, Bind::Area(tree.county)).await;
    let mut inside = drain(0, "");
    inside.grid_id = None;
    inside.location = Some((104.75, 31.75));
    let r = intake::accept(&app.state, inside, source("10.0.0.1")).await.unwrap();
    let (_, e) = app.get(&county, &format!("/api/v1/events/{}", r.event_id)).await;
    assert_eq!(e["grid_id"], grid, "{e}");
    assert_eq!(e["needs_grid"], false);
    let mut outside = drain(0, "");
    outside.grid_id = None;
    outside.location = Some((120.0, 30.0));
    let r = intake::accept(&app.state, outside, source("10.0.0.2")).await.unwrap();
    let (_, e) = app.get(&county, &format!("/api/v1/events/{}", r.event_id)).await;
    assert!(e["grid_id"].is_null(), "{e}");
    assert_eq!(e["needs_grid"], true);
    assert_eq!(e["holder_area_id"], tree.county);
    // Neither a grid nor a place: refused.
    let mut nowhere = drain(0, "");
    nowhere.grid_id = None;
    assert!(matches!(intake::accept(&app.state, nowhere, source("10.0.0.3")).await, Err(AppError::Invalid { .. })));
}
