//! An over-long address is refused in Chinese (issue 15.8): a page as an error page with the nav's way
//! back, the API as the usual JSON error — never hyper's bare 414 for anything a search box can send.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use wangge::auth::Role::*;

#[tokio::test]
async fn an_over_long_search_is_refused_in_chinese_on_pages_and_the_api() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let long = "张".repeat(3_000); // 9,000 bytes before percent-encoding
    let q = urlencode(&long);
    let (st, v) = app.get(&worker, &format!("/api/v1/persons?q={q}")).await;
    assert_error(&(st, v.clone()), StatusCode::URI_TOO_LONG, "uri_too_long", None);
    assert!(v["message"].as_str().unwrap().contains("网址太长"), "{v}");

    let page = app.call(Method::GET, &format!("/people?q={q}"), &worker, None).await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert!(page.header("content-type").starts_with("text/html"), "{}", page.header("content-type"));
    assert!(page.text().contains("网址太长"), "{}", page.text());

    // A search a person would type still works, and search boxes refuse to grow past 200 characters.
    let page = app.call(Method::GET, &format!("/people?q={}", urlencode("张三")), &worker, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(r#"name="q" maxlength="200""#));
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
