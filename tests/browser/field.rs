//! The field app (PWA) in headless Chromium on a phone-sized window: install prerequisites (manifest
//! linked, service worker in control, shell cached), offline capture of a person and an event with a
//! photo through the camera input, the waiting count, sync when back online (and the records on the
//! server), a conflict resolved side by side, and the time to a usable first screen on slow 3G.

use super::{fill, shot, sign_in, start_app, start_driver};
use axum::body::Body;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wangge::args;
use wangge::state::AppState;

/// DevTools network emulation through chromedriver (`POST /session/{id}/chromium/network_conditions`).
#[derive(Debug)]
pub(super) struct Network {
    offline: bool,
    latency_ms: u64,
    down_bytes_per_s: i64,
    up_bytes_per_s: i64,
}

pub(super) const ONLINE: Network = Network { offline: false, latency_ms: 0, down_bytes_per_s: -1, up_bytes_per_s: -1 };
pub(super) const OFFLINE: Network = Network { offline: true, latency_ms: 0, down_bytes_per_s: -1, up_bytes_per_s: -1 };
/// Slow 3G as DevTools defines it, roughly: 400 ms latency, 50 KB/s down and up.
const SLOW_3G: Network =
    Network { offline: false, latency_ms: 400, down_bytes_per_s: 50 * 1024, up_bytes_per_s: 50 * 1024 };

impl WebDriverCompatibleCommand for Network {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "network_conditions": {
            "offline": self.offline, "latency": self.latency_ms,
            "download_throughput": self.down_bytes_per_s, "upload_throughput": self.up_bytes_per_s } });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

pub(super) async fn network(c: &Client, n: Network) {
    let offline = n.offline;
    c.issue_cmd(n).await.unwrap();
    wait_js(c, &format!("return navigator.onLine === {};", !offline), "navigator.onLine").await;
}

/// Polls a script until it answers true (up to 40 s).
pub(super) async fn wait_js(c: &Client, script: &str, what: &str) {
    for _ in 0..400 {
        if c.execute(script, vec![]).await.ok().and_then(|v| v.as_bool()) == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

pub(super) async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

pub(super) async fn waiting(c: &Client) -> String {
    c.find(Locator::Css("#waiting-count")).await.unwrap().text().await.unwrap()
}

/// Opens a field page and waits until its script is ready.
pub(super) async fn open(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
    wait_js(c, "return document.body.dataset.ready === '1';", path).await;
}

/// Signs the grid worker in and opens the app once online, so it installs and caches the grid.
pub(super) async fn install(c: &Client, base: &str) {
    sign_in(c, base, "heshan.c1.g1").await;
    open(c, base, "/field/").await;
    wait_js(c, "return document.querySelector('#who').textContent.includes('网格员');", "snapshot").await;
    wait_js(c, "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);", "service worker control")
        .await;
}

pub(super) async fn count(state: &AppState, sql: &str, arg: &str) -> i64 {
    let (n,): (i64,) = state.db.read().fetch_one(sql, args![arg]).await.unwrap();
    n
}

/// A small real PNG (8×8, one colour) written to a file for the camera input.
fn photo_file() -> std::path::PathBuf {
    let png: Vec<u8> = vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let path = tempfile::tempdir().unwrap().keep().join("scene.png");
    std::fs::write(&path, png).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_app_installs_captures_offline_and_syncs_when_back_online() {
    let (base, state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    // Install prerequisites: the manifest is linked and valid, the service worker controls the page and the shell is cached.
    let manifest = js(&c, "return document.querySelector('link[rel=manifest]').getAttribute('href');").await;
    assert_eq!(manifest, "/field/manifest.webmanifest");
    let caches = c
        .execute_async("const done = arguments[0]; caches.keys().then((k) => done(k.join(',')));", vec![])
        .await
        .unwrap();
    assert!(caches.as_str().unwrap().starts_with("field-shell-"), "{caches}");
    let scope = c
        .execute_async(
            "const done = arguments[0]; navigator.serviceWorker.getRegistration().then((r) => done(r.scope));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(scope, format!("{base}/field/"));
    shot(&c, "field_home.png").await;

    // No signal: the app still opens, and what the worker captures waits on the phone.
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/person").await;
    assert_eq!(c.find(Locator::Css("#net")).await.unwrap().text().await.unwrap(), "离线");
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1975, 8, 9).unwrap(), 77);
    fill(&c, "#person-name", "离线登记").await;
    fill(&c, "#person-id", &number).await;
    fill(&c, "#person-phone", "13700001111").await;
    fill(&c, "#person-address", "嫩水路 12 号").await;
    c.find(Locator::Css("#person-save")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "one waiting").await;
    shot(&c, "field_person_offline.png").await;

    open(&c, &base, "/field/event").await;
    c.find(Locator::Css("#event-category")).await.unwrap().select_by_value("0301").await.unwrap();
    fill(&c, "#event-title", "消防通道堵塞").await;
    fill(&c, "#event-what", "楼道里堆满了纸箱，堵住了消防通道").await;
    fill(&c, "#event-where", "嫩水路 12 号 3 栋").await;
    let photo = photo_file();
    c.find(Locator::Css("#event-photos")).await.unwrap().send_keys(photo.to_str().unwrap()).await.unwrap();
    wait_js(&c, "return document.querySelectorAll('#event-thumbs img').length === 1;", "photo preview").await;
    let capture = js(&c, "return document.querySelector('#event-photos').getAttribute('capture');").await;
    assert_eq!(capture, "environment");
    c.find(Locator::Css("#event-save")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '2';", "two waiting").await;
    shot(&c, "field_event_offline.png").await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(waiting(&c).await, "2", "nothing leaves the phone while offline");
    assert_eq!(count(&state, "SELECT COUNT(*) FROM persons WHERE name = $1", "离线登记").await, 0);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM events WHERE title = $1", "消防通道堵塞").await, 0);

    // The signal returns: the queue empties by itself.
    open(&c, &base, "/field/sync").await;
    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    assert_eq!(count(&state, "SELECT COUNT(*) FROM persons WHERE name = $1", "离线登记").await, 1);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM events WHERE title = $1", "消防通道堵塞").await, 1);
    let photos = count(
        &state,
        "SELECT COUNT(*) FROM event_files f JOIN events e ON e.id = f.event_id WHERE e.title = $1",
        "消防通道堵塞",
    )
    .await;
    assert_eq!(photos, 1, "the photo came with the event");
    shot(&c, "field_synced.png").await;
    c.close().await.unwrap();
}

/// A JSON API call outside the browser (another person at another computer), with a session cookie and CSRF token.
pub(super) async fn api(
    base: &str,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    body: Value,
) -> (u16, Value, String) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http::<Body>();
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("content-type", "application/json");
    if let Some((cookie, csrf)) = auth {
        req = req.header("cookie", cookie).header("x-csrf-token", csrf);
    }
    let resp = client.request(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), cookie)
}

pub(super) async fn api_login(base: &str, username: &str) -> (String, String) {
    let (st, v, cookie) =
        api(base, "POST", "/api/v1/auth/login", None, json!({ "username": username, "password": "wangge2026" })).await;
    assert_eq!(st, 200, "{v}");
    (cookie, v["csrf_token"].as_str().unwrap().to_owned())
}

/// Registers a person in heshan.c1.g1's grid over the API, as at a computer; answers the person's
/// id and ID number.
pub(super) async fn register_in_the_workers_grid(
    base: &str,
    name: &str,
    (y, m, d): (i32, u32, u32),
    seq: u32,
    address: Option<&str>,
) -> (i64, String) {
    let (cookie, csrf) = api_login(base, "heshan.c1.g1").await;
    let (_, me, _) = api(base, "GET", "/api/v1/auth/me", Some((&cookie, &csrf)), Value::Null).await;
    let grid = me["account"]["area_id"].as_i64().unwrap();
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap(), seq);
    let mut body = json!({ "kind": "registered", "name": name, "id_number": &number, "grid_id": grid });
    if let Some(a) = address {
        body["address"] = json!(a);
    }
    let (st, p, _) = api(base, "POST", "/api/v1/persons", Some((&cookie, &csrf)), body).await;
    assert_eq!(st, 201, "{p}");
    (p["id"].as_i64().unwrap(), number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_app_shows_a_conflict_side_by_side_and_the_worker_chooses() {
    let (base, state, _dir) = start_app().await;
    // A person of the worker's grid, registered at a computer.
    let (pid, _) = register_in_the_workers_grid(&base, "冲突测试", (1962, 3, 4), 18, Some("嫩水路 1 号")).await;

    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    // Offline, the worker corrects the address on the phone.
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/people").await;
    fill(&c, "#people-q", "冲突").await;
    // The list is drawn again as the search runs: click in the page, not through a handle that may go stale.
    wait_js(
        &c,
        "const a = document.querySelector('a.person'); if (!a) return false; a.click(); return true;",
        "a person",
    )
    .await;
    wait_js(&c, "return document.body.dataset.ready === '1' && location.pathname === '/field/person';", "edit form")
        .await;
    fill(&c, "#person-address", "嫩水路 2 号（手机改）").await;
    c.find(Locator::Css("#person-save")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "edit waiting").await;

    // Meanwhile the community changes the same person at the office.
    let (cookie2, csrf2) = api_login(&base, "heshan.c1").await;
    let (st, v, _) = api(
        &base,
        "PATCH",
        &format!("/api/v1/persons/{pid}"),
        Some((&cookie2, &csrf2)),
        json!({ "version": 1, "address": "嫩水路 3 号（社区改）" }),
    )
    .await;
    assert_eq!(st, 200, "{v}");

    // Back online: the edit meets the change and is shown side by side, nothing overwritten.
    open(&c, &base, "/field/sync").await;
    network(&c, ONLINE).await;
    c.find(Locator::Css("#sync-now")).await.unwrap().click().await.unwrap();
    // The list is drawn again as the sync finishes, so read it in the page (no element handle to go stale).
    wait_js(
        &c,
        "const li = document.querySelector('li.op-conflict'); \
         return !!li && li.textContent.includes('嫩水路 2 号（手机改）') && li.textContent.includes('嫩水路 3 号（社区改）');",
        "conflict side by side",
    )
    .await;
    wait_js(
        &c,
        "const tr = document.querySelector('li.op-conflict tr.diff'); return !!tr && tr.textContent.includes('地址');",
        "the differing field highlighted",
    )
    .await;
    assert_eq!(waiting(&c).await, "1");
    let address = |v: Value| v["address"].as_str().unwrap_or("").to_owned();
    let (_, now, _) = api(&base, "GET", &format!("/api/v1/persons/{pid}"), Some((&cookie2, &csrf2)), Value::Null).await;
    assert_eq!(address(now), "嫩水路 3 号（社区改）");
    shot(&c, "field_conflict.png").await;

    // The worker keeps theirs: sent again on the server's version.
    wait_js(
        &c,
        "const b = document.querySelector('button.use-mine'); if (!b) return false; b.click(); return true;",
        "use mine",
    )
    .await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "resolved").await;
    let (_, now, _) = api(&base, "GET", &format!("/api/v1/persons/{pid}"), Some((&cookie2, &csrf2)), Value::Null).await;
    assert_eq!((address(now.clone()), now["version"].as_i64()), ("嫩水路 2 号（手机改）".to_owned(), Some(3)));
    assert_eq!(count(&state, "SELECT COUNT(*) FROM field_receipts WHERE state = $1", "conflict").await, 1);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_app_first_screen_on_slow_3g() {
    let (base, _state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    sign_in(&c, &base, "heshan.c1.g1").await;
    // Signing in on a phone lands in the field app, which installs itself: forget it again, so that
    // the first visit below has nothing cached.
    c.execute_async(
        "const done = arguments[0]; navigator.serviceWorker.getRegistrations() \
         .then((rs) => Promise.all(rs.map((r) => r.unregister()))) \
         .then(() => caches.keys()).then((ks) => Promise.all(ks.map((k) => caches.delete(k)))).then(() => done(true));",
        vec![],
    )
    .await
    .unwrap();
    c.goto(&format!("{base}/account")).await.unwrap();
    // An unregistered worker goes only when no page uses it any more; until then registering again revives
    // it (already active, so it never claims the new page). Wait until it is gone.
    for _ in 0..100 {
        let left = c
            .execute_async(
                "const done = arguments[0]; navigator.serviceWorker.getRegistrations().then((rs) => done(rs.length));",
                vec![],
            )
            .await
            .unwrap();
        if left.as_i64() == Some(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // First visit on slow 3G: nothing cached yet.
    network(&c, SLOW_3G).await;
    let t = Instant::now();
    open(&c, &base, "/field/").await;
    let cold = t.elapsed();
    let cold_page = js(&c, "return Math.round(performance.now());").await;
    wait_js(&c, "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);", "service worker control")
        .await;
    // The installed app, opened again on slow 3G.
    let t = Instant::now();
    open(&c, &base, "/field/").await;
    let warm = t.elapsed();
    let warm_page = js(&c, "return Math.round(performance.now());").await;
    let tasks = c.find_all(Locator::Css("#screen-home .task")).await.unwrap();
    assert_eq!(tasks.len(), 9, "the task buttons are there");
    let height = js(&c, "return document.querySelector('.task').getBoundingClientRect().height;").await;
    assert!(height.as_f64().unwrap() >= 48.0, "touch targets at least 48 px: {height}");
    // The phone's large-font setting: everything grows with the root size and nothing runs off the side.
    let big = js(&c, "document.documentElement.style.fontSize = '200%'; \
        return [document.querySelector('.task').getBoundingClientRect().height, document.documentElement.scrollWidth, document.documentElement.clientWidth];").await;
    assert!(big[0].as_f64().unwrap() > height.as_f64().unwrap() * 1.5, "buttons grow with the font: {big}");
    assert!(big[1].as_f64().unwrap() <= big[2].as_f64().unwrap(), "no sideways scrolling at 200%: {big}");
    shot(&c, "field_large_font.png").await;
    println!(
        "slow 3G (400 ms, 50 KB/s): first visit usable in {} ms (page clock {cold_page} ms); installed app in {} ms (page clock {warm_page} ms)",
        cold.as_millis(),
        warm.as_millis()
    );
    // The issue's figure (the first screen usable in under 2 s on slow 3G) is printed above, not asserted:
    // a timing bound in a test fails on a busy machine, not on slow code. What makes it hold is asserted in
    // tests/api/field.rs (the shell and the snapshot travel gzipped).
    shot(&c, "field_slow3g.png").await;
    c.close().await.unwrap();
}

pub(super) async fn js_async(c: &Client, script: &str) -> Value {
    c.execute_async(script, vec![]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_app_forgets_the_grid_when_the_session_expires_and_everything_at_sign_out() {
    let (base, _state, _dir) = start_app().await;
    let (_, number) = register_in_the_workers_grid(&base, "缓存测试", (1970, 1, 2), 31, None).await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    let cached = "const done = arguments[0]; FieldDB.all('records').then((r) => done(r.length));";
    assert_eq!(js_async(&c, cached).await, 1, "the grid's person is cached");
    let cached_text = "const done = arguments[0]; FieldDB.all('records').then((r) => done(JSON.stringify(r)));";
    let text = js_async(&c, cached_text).await;
    assert!(!text.as_str().unwrap().contains(&number), "only the masked ID number is on the phone");

    // Offline, something captured; then the session's end passes.
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/house").await;
    fill(&c, "[name=house_no]", "NS-12-3").await;
    fill(&c, "#house-form [name=address]", "嫩水路 12 号 3 栋").await;
    c.find(Locator::Css("#house-form [name=house_use] option[value='10']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#house-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "house waiting").await;
    let expire = "const done = arguments[0]; FieldDB.meta('session').then((s) => { s.expires_at = Date.now() - 1000; \
                  return FieldDB.setMeta('session', s); }).then(() => done(true));";
    js_async(&c, expire).await;
    open(&c, &base, "/field/").await;
    let msg = c.find(Locator::Css("#session-msg")).await.unwrap();
    assert!(msg.text().await.unwrap().contains("登录已过期"));
    assert_eq!(js_async(&c, cached).await, 0, "the cached grid is gone");
    assert_eq!(waiting(&c).await, "1", "the captured house still waits for sending");

    // Signing out (after confirming) forgets everything on the phone.
    network(&c, ONLINE).await;
    open(&c, &base, "/field/").await;
    c.find(Locator::Css("#signout")).await.unwrap().click().await.unwrap();
    // The confirmation comes once the queue has been counted.
    let mut accepted = false;
    for _ in 0..100 {
        if c.accept_alert().await.is_ok() {
            accepted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(accepted, "sign-out asks for confirmation");
    c.wait().for_element(Locator::Css("#username")).await.unwrap();
    let dbs = js_async(
        &c,
        "const done = arguments[0]; indexedDB.databases().then((d) => done(d.map((x) => x.name).join(',')));",
    )
    .await;
    assert!(!dbs.as_str().unwrap().contains("wangge-field"), "{dbs}");
    let caches = js_async(&c, "const done = arguments[0]; caches.keys().then((k) => done(k.length));").await;
    assert_eq!(caches, 0);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_app_forgets_the_grid_when_the_server_says_the_session_is_gone() {
    let (base, _state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    let snapshot = "const done = arguments[0]; FieldDB.meta('snapshot').then((s) => done(!!s));";
    assert_eq!(js_async(&c, snapshot).await, true);
    // The session ended on the server (signed out elsewhere, or timed out): the next call answers 401.
    c.delete_all_cookies().await.unwrap();
    c.find(Locator::Css("#refresh")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return !document.querySelector('#session-msg').hidden;", "session message").await;
    assert_eq!(js_async(&c, snapshot).await, false, "the cached grid is gone");
    let link = c.find(Locator::Css("#session-msg a")).await.unwrap().attr("href").await.unwrap();
    assert_eq!(link.as_deref(), Some("/login?next=%2Ffield%2F"));
    c.close().await.unwrap();
}
