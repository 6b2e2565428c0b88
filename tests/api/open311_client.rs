//! The Open311 client test: the real server on a free port, driven by an existing Open311 client
//! library (PyPI `georeport`, see tests/open311/client_check.py) — list services, post a request with
//! a key, read it back. Fails, never skips, when python3 or the library is missing.

use crate::helpers::*;
use crate::open311::{issue_key, set_boundary};
use std::process::Command;
use wangge::auth::Role::*;

/// The pinned client library, as `.ci/run` installs it.
const GEOREPORT: &str = "georeport==0.3.1";

fn python_with_georeport() {
    let probe = Command::new("python3").args(["-c", "import georeport, requests, xmltodict"]).output();
    match probe {
        Err(e) => panic!("the Open311 client test needs python3 ({e}); install it, then `pip install {GEOREPORT}`"),
        Ok(o) if !o.status.success() => panic!(
            "the Open311 client test needs the Python library georeport: `pip install {GEOREPORT}` ({})",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Ok(_) => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_georeport_library_lists_posts_and_reads_back() {
    python_with_georeport();
    let (app, tree, admin) = TestApp::with_tree().await;
    set_boundary(&app, &admin, tree.grid_a1_1, 104.70, 31.70).await;
    let county = app.demo_session("county_c", CountyCenter, Bind::Area(tree.county)).await;
    let (_, key) = issue_key(&app, &county, "georeport 测试", 60).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
    let base = format!("http://{}/open311/v2", listener.local_addr().expect("address"));
    let service = wangge::web::router(app.state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, service).await });

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/open311/client_check.py");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .env("BASE_URL", &base)
            .env("API_KEY", &key)
            .env("LAT", "31.70")
            .env("LONG", "104.70")
            .output()
    })
    .await
    .expect("join")
    .expect("run python3");
    server.abort();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "client_check.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.starts_with("ok "), "{stdout}");
    // The post through the library is a real event of the grid, reported by a resident.
    let (grid, channel): (Option<i64>, String) =
        app.db.read().fetch_one("SELECT grid_id, channel FROM events", vec![]).await.expect("the event");
    assert_eq!((grid, channel.as_str()), (Some(tree.grid_a1_1), "resident"));
}
