//! The test harness: a `TestApp` with its own fresh database (SQLite or PostgreSQL), a movable clock and request helpers.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::OnceLock;
use tempfile::TempDir;
use tower::ServiceExt;
use wangge::auth::Role;
use wangge::clock::Clock;
use wangge::config::Config;
use wangge::db::{Db, DbUrl};
use wangge::domains::org::account_store::{self, NewAccount};
use wangge::state::AppState;

/// The password of every seeded account.
pub const PASSWORD: &str = "Wangge2026";

/// 2026-03-02 09:00 in Beijing, where every test's clock starts.
pub fn start_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").expect("start time").timestamp_millis()
}

/// One Argon2 hash of `PASSWORD` per test binary (hashing is slow in debug builds).
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| wangge::auth::password::hash(PASSWORD).expect("hash"))
}

/// Where an account is bound.
#[derive(Clone, Copy, Debug)]
pub enum Bind {
    Area(i64),
    Department(i64),
}

/// How a request authenticates: nothing, a session cookie (with its CSRF token) or a bearer token.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    pub account: Value,
}

impl Session {
    pub fn anon() -> Self {
        Session::default()
    }
    pub fn bearer(token: &str) -> Self {
        Session { bearer: Some(token.to_owned()), ..Default::default() }
    }
    /// The same cookie without its CSRF token.
    pub fn without_csrf(&self) -> Self {
        Session { csrf: None, ..self.clone() }
    }
    pub fn with_csrf(&self, csrf: &str) -> Self {
        Session { csrf: Some(csrf.to_owned()), ..self.clone() }
    }
    pub fn id(&self) -> i64 {
        self.account["id"].as_i64().expect("account id")
    }
}

/// An answer: status, headers, body.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body).unwrap_or_else(|_| Value::String(self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    }
}

/// Drops the per-test PostgreSQL database at the end of the test (best effort).
struct PgGuard {
    admin_url: String,
    db_name: String,
}

impl Drop for PgGuard {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.db_name.clone());
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(admin) = wangge::db::connect(&DbUrl::Postgres(url)).await {
                    let _ = admin.read().execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), vec![]).await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// The application under test.
pub struct TestApp {
    /// The shared state, for tests that call the library directly.
    #[allow(dead_code)]
    pub state: AppState,
    pub db: Db,
    pub clock: Clock,
    pub router: Router,
    pub county_id: i64,
    // Field order matters: the router and pool go before the database is dropped.
    _pg: Option<PgGuard>,
    pub dir: TempDir,
}

/// Replaces the database name of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

impl TestApp {
    /// A fresh database (PostgreSQL when `WANGGE_TEST_DATABASE_URL` is set, else SQLite), migrated,
    /// with the root county 510725 演示县.
    pub async fn new() -> TestApp {
        TestApp::with_config(|_| {}).await
    }

    /// Like `new`, with settings changed before the app starts.
    pub async fn with_config(change: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::build(change, true).await
    }

    /// A fresh, migrated database with nothing in it (no county: for the demo's own seed).
    #[allow(dead_code)]
    pub async fn empty() -> TestApp {
        TestApp::build(|_| {}, false).await
    }

    async fn build(change: impl FnOnce(&mut Config), county: bool) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, pg) = match std::env::var("WANGGE_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(admin_url) => {
                let name = format!("wangge_t_{}", hex::encode(wangge::auth::secret::random_bytes(8)));
                let admin = wangge::db::connect(&DbUrl::Postgres(admin_url.clone()))
                    .await
                    .expect("connect to WANGGE_TEST_DATABASE_URL");
                admin.read().execute(&format!("CREATE DATABASE {name}"), vec![]).await.expect("create test database");
                admin.close().await;
                (DbUrl::Postgres(with_database(&admin_url, &name)), Some(PgGuard { admin_url, db_name: name }))
            }
            None => (DbUrl::Sqlite { path: dir.path().join("wangge.db"), create: true }, None),
        };
        let db = wangge::db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        wangge::audit::key::install(test_audit_key());
        let clock = Clock::manual(start_ms());
        let mut config = Config::new(dir.path().to_path_buf(), url);
        // Small import transactions, so that every import test of a few thousand rows also runs
        // the path of a large file: several batches, each carrying its progress.
        config.import_batch_rows = 3_000;
        change(&mut config);
        let county_id = if county {
            wangge::commands::create_county(&db, "510725", "演示县", clock.now()).await.expect("county")
        } else {
            0
        };
        let state = AppState::new(db.clone(), clock.clone(), config, test_keys());
        let router = wangge::web::router(state.clone());
        TestApp { state, db, clock, router, county_id, _pg: pg, dir }
    }

    /// A second server on the same database (its own pool and caches, the same clock), as a
    /// deployment with two instances behind one address has.
    #[allow(dead_code)]
    pub async fn second_server(&self) -> Router {
        let db = wangge::db::connect(&self.state.config.database).await.expect("connect the second server");
        let state = AppState::new(db, self.clock.clone(), self.state.config.clone(), test_keys());
        wangge::web::router(state)
    }

    pub fn is_postgres(&self) -> bool {
        self.db.backend() == wangge::db::Backend::Postgres
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Inserts an account with `PASSWORD` directly (no audit row).
    pub async fn insert_account(&self, username: &str, role: Role, bind: Bind, must_change: bool, demo: bool) -> i64 {
        let (area_id, department_id) = match bind {
            Bind::Area(a) => (Some(a), None),
            Bind::Department(d) => (None, Some(d)),
        };
        let mut tx = self.db.begin().await.expect("begin");
        let id = account_store::insert(
            &mut tx,
            &NewAccount {
                username,
                display_name: username,
                role: role.as_str(),
                area_id,
                department_id,
                staff_id: None,
                password_hash: password_hash(),
                must_change_password: must_change,
                demo,
            },
            self.now(),
        )
        .await
        .expect("insert account");
        tx.commit().await.expect("commit");
        id
    }

    /// An ordinary account (no forced password change, not a demo account).
    pub async fn account(&self, username: &str, role: Role, bind: Bind) -> i64 {
        self.insert_account(username, role, bind, false, false).await
    }

    /// A demo account of any role (skips the TOTP requirement), bound as given, signed in.
    pub async fn demo_session(&self, username: &str, role: Role, bind: Bind) -> Session {
        self.insert_account(username, role, bind, false, true).await;
        self.login(username, PASSWORD).await
    }

    /// The system administrator (demo, so no TOTP), signed in.
    pub async fn admin(&self) -> Session {
        self.demo_session("sysadmin", Role::SystemAdmin, Bind::Area(self.county_id)).await
    }

    /// Sends a raw request through the router.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.expect("router is infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
        Resp { status, headers, body }
    }

    /// A request builder with the session's cookie, CSRF header or bearer token attached.
    pub fn request(&self, method: Method, path: &str, s: &Session) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(c) = &s.cookie {
            b = b.header(header::COOKIE, c);
        }
        if let Some(t) = &s.csrf {
            b = b.header("x-csrf-token", t);
        }
        if let Some(t) = &s.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }

    pub async fn call(&self, method: Method, path: &str, s: &Session, body: Option<&Value>) -> Resp {
        let b = self.request(method, path, s);
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    pub async fn get(&self, s: &Session, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::GET, path, s, None).await;
        (r.status, r.json())
    }
    pub async fn post_json(&self, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.call(Method::POST, path, s, Some(&body)).await;
        (r.status, r.json())
    }
    /// A form post as a browser sends it (`application/x-www-form-urlencoded`).
    pub async fn post_form(&self, s: &Session, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(pairs).expect("form");
        let req = self
            .request(Method::POST, path, s)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn patch_json(&self, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.call(Method::PATCH, path, s, Some(&body)).await;
        (r.status, r.json())
    }
    pub async fn delete(&self, s: &Session, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::DELETE, path, s, None).await;
        (r.status, r.json())
    }

    /// `POST /api/v1/auth/login` with an optional one-time code; the raw answer.
    pub async fn try_login(&self, username: &str, password: &str, totp: Option<&str>) -> Resp {
        let mut body = json!({ "username": username, "password": password });
        if let Some(t) = totp {
            body["totp"] = json!(t);
        }
        self.call(Method::POST, "/api/v1/auth/login", &Session::anon(), Some(&body)).await
    }

    /// Signs in and answers the session; panics unless the sign-in succeeds.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let r = self.try_login(username, password, None).await;
        session_of(&r)
    }

    /// Creates a bearer token for the session's account; answers (token id, token).
    pub async fn token(&self, s: &Session, name: &str, days: Option<i64>) -> (i64, String) {
        let mut body = json!({ "name": name });
        if let Some(d) = days {
            body["expires_in_days"] = json!(d);
        }
        let (st, v) = self.post_json(s, "/api/v1/auth/tokens", body).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        (v["id"].as_i64().expect("token id"), v["token"].as_str().expect("token").to_owned())
    }

    /// Creates an area through the API; panics unless it is created.
    pub async fn area(&self, s: &Session, parent_id: i64, kind: &str, code: &str, name: &str) -> i64 {
        let (st, v) = self
            .post_json(s, "/api/v1/areas", json!({ "parent_id": parent_id, "kind": kind, "code": code, "name": name }))
            .await;
        assert_eq!(st, StatusCode::CREATED, "creating {code}: {v}");
        v["id"].as_i64().expect("area id")
    }

    /// Creates a staff member through the API; answers the staff JSON.
    pub async fn staff(&self, s: &Session, area_id: i64, name: &str, phone: &str) -> Value {
        let (st, v) = self
            .post_json(s, "/api/v1/staff", json!({ "area_id": area_id, "name": name, "phone": phone, "position": "grid_worker", "duties": "巡查走访" }))
            .await;
        assert_eq!(st, StatusCode::CREATED, "creating staff {name}: {v}");
        v
    }

    /// Audit rows (newest first) matching a query string, read directly through the library.
    pub async fn audit_rows(&self, action: &str) -> Vec<wangge::audit::AuditRow> {
        let q =
            wangge::audit::AuditQuery { action: Some(action.to_owned()), per_page: Some(200), ..Default::default() };
        wangge::audit::search(&self.db, &q).await.expect("audit search").items
    }
}

/// The session of a successful sign-in answer.
pub fn session_of(r: &Resp) -> Session {
    assert_eq!(r.status, StatusCode::OK, "login failed: {}", r.text());
    let set = r.header("set-cookie");
    let cookie = set.split(';').next().expect("cookie").to_owned();
    assert!(cookie.starts_with("wangge_session="), "{set}");
    let v = r.json();
    Session {
        cookie: Some(cookie),
        csrf: Some(v["csrf_token"].as_str().expect("csrf").to_owned()),
        bearer: None,
        account: v["account"].clone(),
    }
}

/// A small area tree built through the API by the system administrator:
///
/// 演示县 510725
/// ├─ 鹤山镇 510725101000 ── 嫩水社区 510725101001 (grids …001001, …001002), 金山社区 510725101002 (grid …002001)
/// │                      └─ department 鹤山派出所
/// └─ 文昌镇 510725102000 ── 城北社区 510725102001 (grid …001)
pub struct Tree {
    pub county: i64,
    pub town_a: i64,
    pub comm_a1: i64,
    pub grid_a1_1: i64,
    pub grid_a1_2: i64,
    pub comm_a2: i64,
    pub grid_a2_1: i64,
    pub town_b: i64,
    pub comm_b1: i64,
    pub grid_b1_1: i64,
    pub dept_a: i64,
}

impl TestApp {
    /// The app with the standard tree, and the system administrator's session.
    pub async fn with_tree() -> (TestApp, Tree, Session) {
        let app = TestApp::new().await;
        let admin = app.admin().await;
        let county = app.county_id;
        let town_a = app.area(&admin, county, "town", "510725101000", "鹤山镇").await;
        let comm_a1 = app.area(&admin, town_a, "community", "510725101001", "嫩水社区").await;
        let grid_a1_1 = app.area(&admin, comm_a1, "grid", "510725101001001", "嫩水第一网格").await;
        let grid_a1_2 = app.area(&admin, comm_a1, "grid", "510725101001002", "嫩水第二网格").await;
        let comm_a2 = app.area(&admin, town_a, "community", "510725101002", "金山社区").await;
        let grid_a2_1 = app.area(&admin, comm_a2, "grid", "510725101002001", "金山第一网格").await;
        let town_b = app.area(&admin, county, "town", "510725102000", "文昌镇").await;
        let comm_b1 = app.area(&admin, town_b, "community", "510725102001", "城北社区").await;
        let grid_b1_1 = app.area(&admin, comm_b1, "grid", "510725102001001", "城北第一网格").await;
        let (st, d) = app
            .post_json(&admin, "/api/v1/departments", json!({ "area_id": town_a, "kind": "police_station", "name": "鹤山派出所", "contact_phone": "0816-1234567" }))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{d}");
        let dept_a = d["id"].as_i64().expect("department id");
        let tree = Tree {
            county,
            town_a,
            comm_a1,
            grid_a1_1,
            grid_a1_2,
            comm_a2,
            grid_a2_1,
            town_b,
            comm_b1,
            grid_b1_1,
            dept_a,
        };
        (app, tree, admin)
    }
}

/// A multipart body with one file field; answers (content type, body).
pub fn multipart(field: &str, filename: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----wanggeTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n").as_bytes(),
    );
    body.extend_from_slice(format!("Content-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A real 1×1 PNG (signature, IHDR, IDAT, IEND).
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// Asserts an error answer: status, code, and (optionally) the field it names.
#[track_caller]
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str, field: Option<&str>) {
    let (st, v) = got;
    assert_eq!(*st, status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    let msg = v["message"].as_str().unwrap_or("");
    assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "message should be Chinese: {v}");
    if let Some(f) = field {
        assert!(v["fields"][f].is_string(), "field {f} should be named: {v}");
    }
}

/// Fixed keys for the tests' personal data (a deployment loads its own from a key file or the environment).
/// The audit chain key every test app of this process appends under.
pub fn test_audit_key() -> wangge::audit::key::AuditKey {
    wangge::audit::key::AuditKey::from_hex(&"a7".repeat(32)).unwrap()
}

pub fn test_keys() -> wangge::crypto::Keys {
    wangge::crypto::Keys::from_hex(&"5a".repeat(48)).unwrap()
}
