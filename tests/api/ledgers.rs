//! The ledgers (台账) at county level: each child town's row sums every grid two levels down, a grid
//! answers its own row, and on a phone the names and headings do not break one character per line.

use crate::fixtures::{id_number, person};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::Value;
use wangge::auth::Role::*;

fn id(y: i32, seq: u32) -> String {
    id_number(y, 5, 6, seq)
}

fn column(l: &Value, row: usize, col: usize) -> i64 {
    l["rows"][row]["counts"][col].as_i64().unwrap_or(-1)
}

#[tokio::test]
async fn the_county_ledger_sums_each_towns_grids_and_a_grid_answers_itself() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let wa = app.demo_session("worker_a", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let wa2 = app.demo_session("worker_a2", GridWorker, Bind::Area(tree.grid_a2_1)).await;
    let wb = app.demo_session("worker_b", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    let people = [
        (&wa, "registered", tree.grid_a1_1, 1),
        (&wa, "floating", tree.grid_a1_1, 3),
        (&wa2, "registered", tree.grid_a2_1, 5),
        (&wa2, "floating", tree.grid_a2_1, 7),
        (&wb, "registered", tree.grid_b1_1, 9),
    ];
    for (s, kind, grid, seq) in people {
        let (st, v) = app.post_json(s, "/api/v1/persons", person(kind, grid, "李四", &id(1990, seq))).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let county = app.demo_session("county", CountyCenter, Bind::Area(tree.county)).await;
    let (st, l) = app.get(&county, "/api/v1/ledgers/basic").await;
    assert_eq!(st, StatusCode::OK, "{l}");
    let names: Vec<&str> = l["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["鹤山镇", "文昌镇"]);
    assert_eq!((column(&l, 0, 0), column(&l, 0, 1), column(&l, 0, 2)), (4, 2, 2), "鹤山镇: two communities");
    assert_eq!((column(&l, 1, 0), column(&l, 1, 1), column(&l, 1, 2)), (1, 1, 0), "文昌镇");
    assert_eq!(l["total"][0], 5);
    let (_, f) = app.get(&county, "/api/v1/ledgers/floating").await;
    assert_eq!((column(&f, 0, 0), column(&f, 1, 0)), (2, 0));
    assert_eq!(f["total"][0], 2);
    // A grid's ledger is one row, itself.
    let (_, g) = app.get(&county, &format!("/api/v1/ledgers/basic?area={}", tree.grid_a2_1)).await;
    assert_eq!(g["rows"].as_array().map(Vec::len), Some(1), "{g}");
    assert_eq!(g["rows"][0]["area_id"], tree.grid_a2_1);
    assert_eq!(column(&g, 0, 0), 2);
    let (_, s) = app.get(&county, "/api/v1/ledgers/special").await;
    assert_eq!(s["total"].as_array().map(|t| t.iter().all(|n| n == 0)), Some(true), "{s}");
}

#[tokio::test]
async fn ledger_names_and_headings_do_not_break_one_character_per_line_on_a_phone() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let county = app.demo_session("county", CountyCenter, Bind::Area(tree.county)).await;
    let page = app.call(axum::http::Method::GET, "/ledgers", &county, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(r#"<table id="ledger" class="counts">"#), "{}", page.text());
    let css = app.call(axum::http::Method::GET, "/static/app.css", &Session::anon(), None).await.text();
    assert!(
        css.contains("table.counts th, table.counts td { white-space: nowrap; }"),
        "no nowrap rule for count tables"
    );
    assert!(css.contains("table.counts td:first-child, table.counts th:first-child { position: sticky; left: 0; }"));
}
