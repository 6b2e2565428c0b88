//! The overlap and gap check is computed once per boundary version and stored: views read it
//! (its `checked_at` stays while the clock moves), a drawn, imported or edited boundary makes it
//! recomputed, and a grid boundary over the vertex cap is refused with a Chinese message.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

fn square(x: f64, y: f64, s: f64) -> Value {
    let r = |v: f64| (v * 1e7).round() / 1e7;
    let (x1, y1) = (r(x + s), r(y + s));
    json!({ "type": "Polygon", "coordinates": [[[x, y], [x1, y], [x1, y1], [x, y1], [x, y]]] })
}

/// A closed ring of `n` distinct points on a circle (`n + 1` positions with the closing one).
fn circle(n: usize) -> Value {
    let mut pts: Vec<Value> = (0..n)
        .map(|k| {
            let a = k as f64 / n as f64 * std::f64::consts::TAU;
            let r = |v: f64| (v * 1e7).round() / 1e7;
            json!([r(104.75 + 0.004 * a.cos()), r(31.75 + 0.004 * a.sin())])
        })
        .collect();
    pts.push(pts[0].clone());
    json!({ "type": "Polygon", "coordinates": [pts] })
}

const G1: &str = "510725101001001";
const G2: &str = "510725101001002";

async fn check(app: &TestApp, s: &Session, id: i64) -> Value {
    let (st, c) = app.get(s, &format!("/api/v1/areas/{id}/boundaries/check")).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    c
}

async fn stored_rows(app: &TestApp) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM grid_checks", vec![]).await.unwrap();
    n
}

#[tokio::test]
async fn the_check_is_stored_per_boundary_version_and_not_recomputed_on_view() {
    let (app, t, admin) = TestApp::with_tree().await;
    let body = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "code": G1 }, "geometry": square(104.70, 31.70, 0.01) },
        { "type": "Feature", "properties": { "code": G2 }, "geometry": square(104.709, 31.70, 0.01) } ] });
    let r =
        app.call(Method::PUT, &format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1), &admin, Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let first = check(&app, &admin, t.comm_a1).await;
    let at = first["checked_at"].as_i64().unwrap();
    assert_eq!(at, app.now());
    assert_eq!(first["overlaps"].as_array().unwrap().len(), 1, "{first}");
    // Ten minutes of views later (the API, the community page, a finer tolerance that is still stored):
    // the same stored result, not a new computation.
    app.clock.advance(600_000);
    let page = app.call(Method::GET, &format!("/areas/{}", t.comm_a1), &admin, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("边界检查发现 1 处重叠"));
    let again = check(&app, &admin, t.comm_a1).await;
    assert_eq!(again["checked_at"].as_i64(), Some(at), "{again}");
    assert_eq!(again["overlaps"], first["overlaps"]);
    let (_, coarse) = app.get(&admin, &format!("/api/v1/areas/{}/boundaries/check?tolerance=1000000", t.comm_a1)).await;
    assert_eq!(coarse["checked_at"].as_i64(), Some(at));
    assert!(coarse["overlaps"].as_array().unwrap().is_empty(), "a coarser tolerance filters the stored result");
    assert_eq!(stored_rows(&app).await, 1);
    // A drawn boundary forgets it and the answer is the new check, taken now.
    app.clock.advance(60_000);
    let (st, g2) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a1_2)).await;
    assert_eq!(st, StatusCode::OK);
    let url = format!("/api/v1/areas/{}/boundary", t.grid_a1_2);
    let r = app
        .call(
            Method::PUT,
            &url,
            &admin,
            Some(&json!({ "version": g2["version"], "boundary": square(104.71, 31.70, 0.01) })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["check"]["checked_at"].as_i64(), Some(app.now()));
    let after = check(&app, &admin, t.comm_a1).await;
    assert_eq!(after["checked_at"].as_i64(), Some(app.now()));
    assert!(after["overlaps"].as_array().unwrap().is_empty(), "{after}");
    // A boundary changed through the area form (no map call) is seen by the fingerprint.
    app.clock.advance(60_000);
    let (_, g1) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a1_1)).await;
    let (st, v) = app
        .patch_json(
            &admin,
            &format!("/api/v1/areas/{}", t.grid_a1_1),
            json!({ "version": g1["version"], "boundary": square(104.705, 31.70, 0.01) }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let edited = check(&app, &admin, t.comm_a1).await;
    assert_eq!(edited["checked_at"].as_i64(), Some(app.now()));
    assert_eq!(edited["overlaps"].as_array().unwrap().len(), 1, "{edited}");
}

#[tokio::test]
async fn a_grid_boundary_over_the_vertex_cap_is_refused_everywhere_in_chinese() {
    let (app, t, admin) = TestApp::with_tree().await;
    let cap = wangge::geo::boundary::MAX_GRID_VERTICES;
    let (_, g) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a1_1)).await;
    // Drawn.
    let url = format!("/api/v1/areas/{}/boundary", t.grid_a1_1);
    let r =
        app.call(Method::PUT, &url, &admin, Some(&json!({ "version": g["version"], "boundary": circle(cap) }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let msg = r.json()["fields"]["boundary"].as_str().unwrap().to_owned();
    assert!(msg.contains(&format!("{} 个", cap + 1)) && msg.contains(&format!("最多 {cap} 个")), "{msg}");
    // Imported.
    let body = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "code": G1 }, "geometry": circle(cap) } ] });
    let r =
        app.call(Method::PUT, &format!("/api/v1/areas/{}/boundaries.geojson", t.comm_a1), &admin, Some(&body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["fields"]["features[0]"].as_str().unwrap().contains(&format!("最多 {cap} 个")), "{}", r.text());
    // Through the area form.
    let (st, v) = app
        .patch_json(
            &admin,
            &format!("/api/v1/areas/{}", t.grid_a1_1),
            json!({ "version": g["version"], "boundary": circle(cap) }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["boundary"].as_str().unwrap().contains(&format!("最多 {cap} 个")), "{v}");
    let (_, now) = app.get(&admin, &format!("/api/v1/areas/{}", t.grid_a1_1)).await;
    assert_eq!(now["boundary"], Value::Null);
    // One vertex fewer (the cap, closing position included) is accepted.
    let r = app
        .call(Method::PUT, &url, &admin, Some(&json!({ "version": g["version"], "boundary": circle(cap - 1) })))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A community's own outline may be longer than a grid's.
    let (_, c) = app.get(&admin, &format!("/api/v1/areas/{}", t.comm_a1)).await;
    let (st, v) = app
        .patch_json(
            &admin,
            &format!("/api/v1/areas/{}", t.comm_a1),
            json!({ "version": c["version"], "boundary": circle(cap + 100) }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}
