//! The resident problem types of 随手拍 (and the Open311 services): street lights and the other common
//! FixMyStreet categories are there, each is an existing, active event category that a resident's
//! report can satisfy (no parties, no head count), each files an event of that category, and a
//! category residents are not offered is refused.

use crate::helpers::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use std::net::SocketAddr;
use wangge::auth::Role::*;

const GRID: &str = "510725101001001";

async fn report(app: &TestApp, ip: [u8; 4], body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/public/grids/{GRID}/reports"))
        .extension(ConnectInfo(SocketAddr::from((ip, 40000))))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.send(req).await;
    (r.status, r.json())
}

#[tokio::test]
async fn each_resident_category_is_an_event_category_residents_can_file() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let (st, offered) = app.get(&Session::anon(), "/api/v1/public/categories").await;
    assert_eq!(st, StatusCode::OK);
    let offered: Vec<(String, String)> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap().to_owned(), c["name"].as_str().unwrap().to_owned()))
        .collect();
    let names: Vec<&str> = offered.iter().map(|(_, n)| n.as_str()).collect();
    for word in
        ["路灯", "坑洼", "人行道", "井盖", "乱倒垃圾", "宠物粪便", "积水", "乱涂乱画", "废弃车辆", "噪声", "树木"]
    {
        assert!(names.iter().any(|n| n.contains(word)), "no resident category for {word}: {names:?}");
    }
    let county = app.demo_session("county_c", CountyCenter, Bind::Area(tree.county)).await;
    let (_, cats) = app.get(&county, "/api/v1/event-categories").await;
    let cats = cats["items"].as_array().unwrap();
    for (code, name) in &offered {
        let c = cats.iter().find(|c| c["code"] == code.as_str());
        let c = c.unwrap_or_else(|| panic!("{name} ({code}) is no event category"));
        assert_eq!((c["active"].as_bool(), c["is_dispute"].as_bool()), (Some(true), Some(false)), "{c}");
        let required = c["required_fields"].as_str().unwrap();
        assert!(required.split(',').all(|p| ["what", "where", "when"].contains(&p)), "{code}: {required}");
    }
    // Open311 offers the same services, in the same order.
    let services = app.call(Method::GET, "/open311/v2/services.json", &Session::anon(), None).await.json();
    let codes: Vec<&str> = services.as_array().unwrap().iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    assert_eq!(codes, offered.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>());
    // Each one files an event of its category.
    for (i, (code, name)) in offered.iter().enumerate() {
        let body = json!({ "category": code, "description": format!("{name}：在嫩水路这里，请尽快处理"),
            "address": format!("嫩水路 {i} 号") });
        let (st, v) = report(&app, [10, 9, 0, i as u8], body).await;
        assert_eq!(st, StatusCode::CREATED, "{code} {name}: {v}");
    }
    let rows: Vec<(String,)> =
        app.db.read().fetch_all("SELECT category FROM events ORDER BY id", vec![]).await.expect("events");
    let filed: Vec<&str> = rows.iter().map(|(c,)| c.as_str()).collect();
    assert_eq!(filed, offered.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>());
    // A category residents are not offered (a dispute needs its parties) is refused, nothing written.
    let body =
        json!({ "category": "0101", "description": "邻居家装修天天吵架，请来调解一下", "address": "嫩水路 1 号" });
    let got = report(&app, [10, 9, 1, 1], body).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("category"));
    assert_eq!(got.1["fields"]["category"], "请从列表中选择问题类型");
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM events", vec![]).await.expect("count");
    assert_eq!(n, offered.len() as i64);
}
