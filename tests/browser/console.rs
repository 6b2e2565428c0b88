//! Every page, every demo role, no console error (issue 22.6). The demo is built exactly as
//! `wangge demo` builds it (the binary itself, on a fresh data directory); then each demo account signs
//! in and opens every GET page of the route table its role may open: the pages without a path parameter
//! from the table, and each parameterised page through the first link to it found on a page already
//! opened (so the ids are real ones the role can see). Any console error fails the test: a blocked
//! inline script or style (the pages' policy is `script-src 'self'`), a script error, a sub-resource
//! that answers 404. Print pages are checked under print media: no header, navigation or buttons.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use wangge::auth::Role::{self, *};
use wangge::web::routes::Access;

/// The demo accounts of the README, one per role (the demo has no 网格长 account).
/// The first, without a role, is a resident who does not sign in (the public pages only).
const ACCOUNTS: &[(&str, Option<Role>)] = &[
    ("（未登录）", None),
    ("heshan.c1.g1", Some(GridWorker)),
    ("heshan.c1", Some(CommunityStaff)),
    ("heshan", Some(TownCenter)),
    ("county", Some(CountyCenter)),
    ("heshan.police", Some(DepartmentHandler)),
    ("viewer", Some(CountyViewer)),
    ("admin", Some(SystemAdmin)),
    ("security", Some(SecurityAdmin)),
    ("auditor", Some(AuditAdmin)),
];

/// Pages printed on paper, and the print pages the test must have reached.
const PRINT: &[&str] = &[
    "/bulletins/print",
    "/huddles/print",
    "/areas/{id}/diagram",
    "/public/grids/{code}/poster",
    "/areas/{id}/contact-cards",
];

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `wangge demo` on a fresh data directory and waits until it serves.
async fn start_demo() -> (String, Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", super::free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_wangge"))
        .args(["demo", "--data-dir", dir.path().to_str().unwrap(), "--listen", &addr])
        .env("WANGGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    // The demo serves only after building the county, so the first connection means it is ready.
    for _ in 0..1200 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            return (format!("http://{addr}"), server, dir);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("wangge demo did not start serving");
}

/// The browser's console since the last call (chromedriver's log endpoint).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

/// A Chrome DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }
    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.0.to_string()))
    }
}

/// The console errors logged since the last call.
async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.unwrap();
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Answers the status and content type of a GET, read by the page (headers only).
async fn probe(c: &Client, path: &str) -> (u64, String) {
    let got = c
        .execute_async(
            "const [url, done] = arguments; const ctl = new AbortController(); \
             fetch(url, {credentials: 'same-origin', signal: ctl.signal}).then(r => { done([r.status, r.headers.get('content-type') || '']); ctl.abort(); }) \
             .catch(e => done([0, String(e)]));",
            vec![json!(path)],
        )
        .await
        .unwrap();
    (got[0].as_u64().unwrap_or(0), got[1].as_str().unwrap_or_default().to_owned())
}

/// Whether a path of a link is an instance of a route pattern (`{x}` matches one segment).
fn matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

/// The GET routes a role (or, without one, anyone) may open that may be HTML pages.
fn pages_of(role: Option<Role>) -> Vec<&'static str> {
    wangge::web::route_table()
        .into_iter()
        .filter(|r| r.method == "GET" && role.map_or(r.access == Access::Public, |role| r.access.allows(role)))
        .map(|r| r.path)
        .filter(|p| !["/api/", "/static/", "/open311/"].iter().any(|x| p.starts_with(x)))
        .filter(|p| !matches!(*p, "/healthz" | "/favicon.ico" | "/field/sw.js" | "/field/manifest.webmanifest"))
        .collect()
}

/// What one role's walk found.
#[derive(Default)]
struct Walk {
    opened: BTreeSet<String>,
    errors: Vec<String>,
    refused: Vec<String>,
    printed: BTreeSet<&'static str>,
    not_reached: Vec<&'static str>,
}

/// Under print media, no header, navigation, button bar or other `.noprint` element shows.
async fn check_print(c: &Client, path: &str, w: &mut Walk) {
    c.issue_cmd(Cdp(json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "media": "print" } }))).await.unwrap();
    let shown = c
        .execute(
            "return [...document.querySelectorAll('header, nav, .noprint, [data-print]')]\
             .filter(e => e.getClientRects().length > 0)\
             .map(e => e.tagName + '.' + e.className);",
            vec![],
        )
        .await
        .unwrap();
    super::shot(c, &format!("print{}.png", path.split('?').next().unwrap_or_default().replace('/', "-"))).await;
    c.issue_cmd(Cdp(json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "media": "" } }))).await.unwrap();
    if shown != json!([]) {
        w.errors.push(format!("{path}: printed with {shown}"));
    }
}

/// Opens one page: console errors, links to parameterised pages not yet opened, the print check.
async fn open(c: &Client, base: &str, pattern: &'static str, path: &str, seed: bool, w: &mut Walk) -> Vec<String> {
    let (status, ctype) = probe(c, path).await;
    // The probe's own refusal is logged on the page the probe ran on; anything else logged there is
    // that page's, late (after its load).
    let own = format!("{base}{path} - Failed to load resource");
    let late = console_errors(c).await.into_iter().filter(|e| !e.starts_with(&own));
    w.errors.extend(late.map(|e| format!("(late, before {path}): {e}")));
    if status == 0 {
        w.errors.push(format!("{path}: could not be fetched: {ctype}"));
        return Vec::new();
    }
    if !ctype.starts_with("text/html") {
        return Vec::new();
    }
    if seed && (status == 403 || status == 404) {
        return Vec::new();
    }
    if status >= 500 || status == 404 {
        w.errors.push(format!("{path}: answered {status}"));
    } else if status != 200 {
        w.refused.push(format!("{path} ({status})"));
        return Vec::new();
    }
    c.goto(&format!("{base}{path}")).await.unwrap();
    c.wait().for_element(Locator::Css("body")).await.unwrap();
    w.errors.extend(console_errors(c).await.into_iter().map(|e| format!("{path}: {e}")));
    w.opened.insert(path.to_owned());
    if PRINT.contains(&pattern) {
        check_print(c, path, w).await;
        w.printed.insert(PRINT.iter().find(|p| **p == pattern).copied().unwrap_or_default());
    }
    let links = c
        .execute(
            "return [...document.querySelectorAll('a[href]')].filter(a => a.origin === location.origin)\
             .map(a => a.pathname + a.search);",
            vec![],
        )
        .await
        .unwrap();
    links.as_array().into_iter().flatten().filter_map(|l| l.as_str().map(str::to_owned)).collect()
}

/// How many instances of one route (ids, queries) a walk opens at most.
const PER_ROUTE: u32 = 3;

/// Signs in as one account and opens every page its role may open, starting from the pages without
/// a path parameter and the `seeds` (area pages deep in the tree; those outside the role's scope are
/// skipped), then following links.
async fn walk(c: &Client, base: &str, user: &str, role: Option<Role>, seeds: &[String]) -> Walk {
    let mut w = Walk::default();
    console_errors(c).await;
    if role.is_some() {
        super::sign_in(c, base, user).await;
    } else {
        c.delete_all_cookies().await.unwrap();
    }
    w.errors.extend(console_errors(c).await.into_iter().map(|e| format!("sign-in: {e}")));
    let pages = pages_of(role);
    let route_of = |path: &str| {
        let bare = path.split('?').next().unwrap_or_default();
        pages.iter().copied().find(|p| *p == bare).or_else(|| pages.iter().copied().find(|p| matches(p, bare)))
    };
    let mut tries: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<(&'static str, String, bool)> =
        pages.iter().filter(|p| !p.contains('{')).map(|p| (*p, (*p).to_owned(), false)).collect();
    for s in seeds {
        if let Some(p) = route_of(s) {
            queue.push_back((p, s.clone(), true));
        }
    }
    while let Some((pattern, path, seed)) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        *tries.entry(pattern).or_default() += 1;
        for link in open(c, base, pattern, &path, seed, &mut w).await {
            let Some(p) = route_of(&link) else { continue };
            let parameterised = p.contains('{') || link.contains('?');
            let queued = queue.iter().filter(|(q, _, _)| *q == p).count() as u32;
            if parameterised && !seen.contains(&link) && tries.get(p).copied().unwrap_or(0) + queued < PER_ROUTE {
                queue.push_back((p, link, false));
            }
        }
    }
    let opened: BTreeSet<&str> = w.opened.iter().filter_map(|o| route_of(o)).collect();
    w.not_reached = pages.into_iter().filter(|p| !opened.contains(p)).collect();
    w
}

/// Area pages deep in the demo tree (鹤山镇, 嫩水社区, its first grid), read from the demo's database.
async fn seeds(dir: &std::path::Path) -> Vec<String> {
    let url = wangge::db::DbUrl::Sqlite { path: dir.join("wangge.db"), create: false };
    let db = wangge::db::connect(&url).await.unwrap();
    let mut v = Vec::new();
    for code in ["510725101000", "510725101001", "510725101001001"] {
        let a = wangge::domains::org::area_store::get_by_code(&db, code).await.unwrap().unwrap();
        v.push(format!("/areas/{}", a.id));
    }
    db.close().await;
    v.push("/public/grids/510725101001001".to_owned());
    v
}

/// The detector itself: a blocked inline style, a script error and a missing image are all caught.
async fn detector_catches_errors(c: &Client, base: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    console_errors(c).await;
    c.execute_async(
        "const done = arguments[0]; document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>'); \
         setTimeout(() => { throw new Error('detector-probe'); }); \
         const i = new Image(); i.onerror = () => setTimeout(done, 50); i.src = '/static/no-such.png'; document.body.appendChild(i);",
        vec![],
    )
    .await
    .unwrap();
    let got = console_errors(c).await.join("\n");
    for want in ["inline style", "detector-probe", "404"] {
        assert!(got.contains(want), "the console check does not see {want}: {got}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn every_demo_role_opens_every_page_it_may_open_without_a_console_error() {
    let (base, _server, dir) = start_demo().await;
    let seeds = seeds(dir.path()).await;
    let (_driver, c) = super::start_driver().await;
    c.set_window_size(1280, 900).await.unwrap();
    detector_catches_errors(&c, &base).await;
    let mut errors = Vec::new();
    let mut printed = BTreeSet::new();
    for (user, role) in ACCOUNTS {
        let w = walk(&c, &base, user, *role, &seeds).await;
        println!("{user}: opened {} pages", w.opened.len());
        println!("  answered a refusal (no parameters given): {:?}", w.refused);
        println!("  not opened (no link on the pages opened, or not HTML: photos, SVG): {:?}", w.not_reached);
        errors.extend(w.errors.into_iter().map(|e| format!("{user} {e}")));
        printed.extend(w.printed);
    }
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    let missed: Vec<_> = PRINT.iter().filter(|p| !printed.contains(*p)).collect();
    assert!(missed.is_empty(), "print pages never reached: {missed:?}");
    c.close().await.unwrap();
}
