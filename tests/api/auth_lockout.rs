//! The sign-in failure count cannot be raced: each attempt is counted before its password is checked.

use crate::helpers::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use futures_util::future::join_all;
use serde_json::json;
use tower::ServiceExt;
use wangge::auth::Role;

async fn wrong_login(router: Router, username: &str) -> StatusCode {
    let body = json!({ "username": username, "password": "Wrong12345" }).to_string();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("request");
    router.oneshot(req).await.expect("router is infallible").status()
}

/// 40 wrong passwords at once, split over `routers`; answers how many passwords were checked
/// (each check of a wrong password leaves one `login_failed` row).
async fn race(app: &TestApp, routers: &[Router], username: &str) -> usize {
    let calls = (0..40).map(|i| {
        let r = routers[i % routers.len()].clone();
        let name = username.to_owned();
        tokio::spawn(async move { wrong_login(r, &name).await })
    });
    for st in join_all(calls).await {
        let st = st.expect("task");
        assert!(
            st == StatusCode::UNAUTHORIZED || st == StatusCode::TOO_MANY_REQUESTS,
            "a racing attempt is refused, never an error: {st}"
        );
    }
    app.audit_rows("login_failed").await.iter().filter(|r| r.username == username).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_wrong_passwords_check_at_most_the_limit() {
    let app = TestApp::new().await;
    app.account("target", Role::CountyCenter, Bind::Area(app.county_id)).await;
    // Two servers on one PostgreSQL database; SQLite is served by one.
    let mut routers = vec![app.router.clone()];
    if app.is_postgres() {
        routers.push(app.second_server().await);
    }
    let checked = race(&app, &routers, "target").await;
    println!("passwords checked in 40 parallel attempts on {} server(s): {checked}", routers.len());
    assert!(checked <= 5, "at most the limit of 5 may be checked, {checked} were");
    // The right password right after is refused (waiting or locked), on either server.
    for r in &routers {
        let body = json!({ "username": "target", "password": PASSWORD }).to_string();
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let st = r.clone().oneshot(req).await.unwrap().status();
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "the right password right after the race is refused");
    }
    // Attempts that keep coming as the waits pass still lock the name at the limit.
    let mut total = checked;
    for _ in 0..10 {
        app.clock.advance(40 * wangge::clock::SECOND);
        total = race(&app, &routers, "target").await;
    }
    assert!(total <= 5, "no more than 5 checks before the lock, {total} were");
    let st = app.try_login("target", PASSWORD, None).await;
    assert_eq!(st.status, StatusCode::TOO_MANY_REQUESTS, "locked: {}", st.text());
    assert!(st.text().contains("尝试次数过多"), "{}", st.text());
}
