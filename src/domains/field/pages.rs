//! The field app's shell and its files: one page for every task (the same shell; the script shows
//! the task of the address), the web app manifest, icons, and the service worker at `/field/sw.js`
//! (scope `/field/`). The shell holds no personal data, so it can be cached on the phone.

use crate::auth::Permission;
use crate::error::AppResult;
use crate::web::pages::render;
use crate::web::routes::{Access, Entry, get};
use askama::Template;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::sync::LazyLock;

const FIELD: Access = Access::Perm(Permission::FieldWork);

pub const CSS: &str = include_str!("../../../static/field/app.css");
pub const FIELD_JS: &str = include_str!("../../../static/field/field.js");
pub const QUEUE_JS: &str = include_str!("../../../static/field/queue.js");
pub const SYNC_JS: &str = include_str!("../../../static/field/sync.js");
pub const CHECKS_JS: &str = include_str!("../../../static/field/checks.js");
pub const PATROL_JS: &str = include_str!("../../../static/field/patrol.js");
pub const STATUS_JS: &str = include_str!("../../../static/field/status.js");
pub const HOUSEHOLD_JS: &str = include_str!("../../../static/field/household.js");
pub const UI_JS: &str = include_str!("../../../static/field/ui.js");
pub const SYNCVIEW_JS: &str = include_str!("../../../static/field/syncview.js");
const SW_JS: &str = include_str!("../../../static/field/sw.js");
/// The shell's template: part of the version, so a changed page reaches phones like a changed script.
const SHELL_HTML: &str = include_str!("../../../templates/field/app.html");
const ICON_SVG: &str = include_str!("../../../static/field/icon.svg");
const ICON_192: &[u8] = include_bytes!("../../../static/field/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../../../static/field/icon-512.png");

/// The task pages (path, title); all served by the same shell.
pub const PAGES: [(&str, &str); 11] = [
    ("/field/", "今日待办"),
    ("/field/person", "登记人员"),
    ("/field/people", "查找人员"),
    ("/field/house", "登记房屋"),
    ("/field/household", "登记户"),
    ("/field/rental", "登记出租房"),
    ("/field/place", "登记场所"),
    ("/field/event", "上报事件"),
    ("/field/patrol", "巡查"),
    ("/field/visit", "走访"),
    ("/field/sync", "同步"),
];

/// A short hash of every file of the app: names the phone's cache and busts the browser cache.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [
        CSS,
        FIELD_JS,
        QUEUE_JS,
        SYNC_JS,
        CHECKS_JS,
        PATROL_JS,
        STATUS_JS,
        HOUSEHOLD_JS,
        UI_JS,
        SYNCVIEW_JS,
        SW_JS,
        SHELL_HTML,
    ];
    for part in parts.map(str::as_bytes) {
        for b in part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
});

pub fn routes() -> Vec<Entry> {
    let mut v = vec![
        get("/field", FIELD, "外勤：转到 /field/", to_home),
        get("/field/", FIELD, "外勤：今日待办（手机应用，可安装、可离线）", today),
        get("/field/person", FIELD, "外勤：登记或修改人员", shell),
        get("/field/people", FIELD, "外勤：查找本网格人员", shell),
        get("/field/house", FIELD, "外勤：登记房屋", shell),
        get("/field/household", FIELD, "外勤：登记户和它的成员", shell),
        get("/field/rental", FIELD, "外勤：登记出租房屋", shell),
        get("/field/place", FIELD, "外勤：登记重点场所", shell),
        get("/field/event", FIELD, "外勤：上报事件（拍照、定位）", shell),
        get("/field/patrol", FIELD, "外勤：巡查", shell),
        get("/field/visit", FIELD, "外勤：走访户", shell),
        get("/field/sync", FIELD, "外勤：待同步和冲突处理", shell),
        get("/field/manifest.webmanifest", Access::Public, "外勤应用清单（安装到桌面）", manifest),
        get("/field/sw.js", Access::Public, "外勤离线脚本（service worker，作用范围 /field/）", service_worker),
    ];
    v.extend([
        get("/static/field/app.css", Access::Public, "外勤样式表", css),
        get("/static/field/field.js", Access::Public, "外勤脚本：页面", field_js),
        get("/static/field/queue.js", Access::Public, "外勤脚本：手机上的待同步队列和缓存（IndexedDB）", queue_js),
        get("/static/field/sync.js", Access::Public, "外勤脚本：同步", sync_js),
        get("/static/field/checks.js", Access::Public, "外勤脚本：保存前在手机上的检查（服务器的原话）", checks_js),
        get("/static/field/patrol.js", Access::Public, "外勤脚本：巡查的检查清单和发现", patrol_js),
        get("/static/field/status.js", Access::Public, "外勤脚本：人员状态变更（迁出、死亡、离开）", status_js),
        get("/static/field/household.js", Access::Public, "外勤脚本：登记户和它的成员", household_js),
        get("/static/field/ui.js", Access::Public, "外勤脚本：各页共用的小工具", ui_js),
        get("/static/field/syncview.js", Access::Public, "外勤脚本：同步屏（待发送、冲突、没通过）", syncview_js),
        get("/static/field/icon.svg", Access::Public, "外勤图标（SVG）", icon_svg),
        get("/static/field/icon-192.png", Access::Public, "外勤图标 192×192", icon_192),
        get("/static/field/icon-512.png", Access::Public, "外勤图标 512×512", icon_512),
    ]);
    v
}

#[derive(Template)]
#[template(path = "field/app.html")]
struct Shell {
    version: &'static str,
}

/// The shell, rendered once (it holds no per-user data), and gzipped.
static SHELL: LazyLock<Result<(String, Vec<u8>), String>> = LazyLock::new(|| {
    let html = Shell { version: VERSION.as_str() }.render().map_err(|e| e.to_string())?;
    let gz = gzip(html.as_bytes());
    Ok((html, gz))
});

/// Gzip of a text file (slow 3G: a third of the bytes or less).
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).and_then(|_| e.finish()).unwrap_or_default()
}

static GZ_CSS: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(CSS.as_bytes()));
static GZ_FIELD: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(FIELD_JS.as_bytes()));
static GZ_QUEUE: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(QUEUE_JS.as_bytes()));
static GZ_SYNC: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(SYNC_JS.as_bytes()));
static GZ_CHECKS: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(CHECKS_JS.as_bytes()));
static GZ_PATROL: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(PATROL_JS.as_bytes()));
static GZ_STATUS: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(STATUS_JS.as_bytes()));
static GZ_HOUSEHOLD: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(HOUSEHOLD_JS.as_bytes()));
static GZ_UI: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(UI_JS.as_bytes()));
static GZ_SYNCVIEW: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(SYNCVIEW_JS.as_bytes()));

/// The plain or the gzipped bytes, as the browser accepts.
fn maybe_gzip(headers: &HeaderMap, ct: &'static str, plain: &'static [u8], gz: &'static [u8]) -> Response {
    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if accepts && !gz.is_empty() {
        ([(header::CONTENT_TYPE, ct), (header::CONTENT_ENCODING, "gzip"), (header::VARY, "accept-encoding")], gz)
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, ct), (header::VARY, "accept-encoding")], plain).into_response()
    }
}

async fn to_home() -> Response {
    crate::web::pages::redirect("/field/")
}
async fn today(headers: HeaderMap) -> AppResult<Response> {
    shell(headers).await
}
async fn shell(headers: HeaderMap) -> AppResult<Response> {
    match &*SHELL {
        Ok((html, gz)) => Ok(maybe_gzip(&headers, "text/html; charset=utf-8", html.as_bytes(), gz)),
        Err(_) => render(&Shell { version: VERSION.as_str() }),
    }
}

fn typed(ct: &'static str, body: impl IntoResponse) -> Response {
    ([(header::CONTENT_TYPE, ct)], body).into_response()
}

async fn css(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/css; charset=utf-8", CSS.as_bytes(), &GZ_CSS)
}
async fn field_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", FIELD_JS.as_bytes(), &GZ_FIELD)
}
async fn queue_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", QUEUE_JS.as_bytes(), &GZ_QUEUE)
}
async fn sync_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", SYNC_JS.as_bytes(), &GZ_SYNC)
}
async fn checks_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", CHECKS_JS.as_bytes(), &GZ_CHECKS)
}
async fn patrol_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", PATROL_JS.as_bytes(), &GZ_PATROL)
}
async fn status_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", STATUS_JS.as_bytes(), &GZ_STATUS)
}
async fn household_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", HOUSEHOLD_JS.as_bytes(), &GZ_HOUSEHOLD)
}
async fn ui_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", UI_JS.as_bytes(), &GZ_UI)
}
async fn syncview_js(h: HeaderMap) -> Response {
    maybe_gzip(&h, "text/javascript; charset=utf-8", SYNCVIEW_JS.as_bytes(), &GZ_SYNCVIEW)
}
async fn icon_svg() -> Response {
    typed("image/svg+xml", ICON_SVG)
}
async fn icon_192() -> Response {
    typed("image/png", ICON_192)
}
async fn icon_512() -> Response {
    typed("image/png", ICON_512)
}

/// The service worker, told the version and the files of the shell.
async fn service_worker() -> Response {
    let shell: Vec<String> = PAGES
        .iter()
        .map(|(p, _)| (*p).to_owned())
        .chain(
            [
                "app.css",
                "field.js",
                "queue.js",
                "sync.js",
                "checks.js",
                "patrol.js",
                "status.js",
                "household.js",
                "ui.js",
                "syncview.js",
            ]
            .iter()
            .map(|f| format!("/static/field/{f}?v={}", VERSION.as_str())),
        )
        .chain(["/field/manifest.webmanifest".to_owned(), "/static/field/icon.svg".to_owned()])
        .collect();
    let head = format!(
        "const VERSION = {:?};\nconst SHELL = {};\n",
        VERSION.as_str(),
        serde_json::to_string(&shell).unwrap_or_else(|_| "[]".into())
    );
    typed("text/javascript; charset=utf-8", format!("{head}{SW_JS}"))
}

async fn manifest() -> Response {
    let m = serde_json::json!({
        "name": "网格外勤",
        "short_name": "网格外勤",
        "description": "网格员的手机应用：待办、登记、上报事件、巡查、走访，没有信号也能用",
        "lang": "zh-CN",
        "start_url": "/field/",
        "scope": "/field/",
        "id": "/field/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1f6f4a",
        "icons": [
            { "src": "/static/field/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any maskable" },
            { "src": "/static/field/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable" },
            { "src": "/static/field/icon.svg", "sizes": "any", "type": "image/svg+xml" }
        ]
    });
    typed("application/manifest+json", m.to_string())
}
