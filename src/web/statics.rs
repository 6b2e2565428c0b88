//! Static assets compiled into the binary (no CDN, no internet), and the health check.

use super::routes::{Access, Entry, get};
use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
/// The browser tab's icon (the field app's icon as a 192 px PNG inside an ICO container).
const FAVICON: &[u8] = include_bytes!("../../static/favicon.ico");

pub fn routes() -> Vec<Entry> {
    vec![
        get("/static/app.css", Access::Public, "样式表", css),
        get("/static/app.js", Access::Public, "脚本", js),
        get("/favicon.ico", Access::Public, "网站图标", favicon),
        get("/healthz", Access::Public, "健康检查", health),
    ]
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS)
}

async fn favicon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/x-icon")], FAVICON)
}

async fn health() -> &'static str {
    "ok"
}
