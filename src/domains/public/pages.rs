//! Public pages of a grid (no sign-in): the board, its printable poster, the QR code pointing to it,
//! the photos of the staff serving it, and the public stylesheet and script. Boards, posters and
//! codes are cached (see `board::cached`) and answer with an ETag and `Cache-Control`.

use super::board::{self, Board, Rendered};
use super::{board_store, qr};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::routes::{Access, Entry, get};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

const CSS: &str = include_str!("../../../static/public.css");
const JS: &str = include_str!("../../../static/public.js");
const A3_CSS: &str = include_str!("../../../static/print-a3.css");
const HTML: &str = "text/html; charset=utf-8";

pub fn routes() -> Vec<Entry> {
    vec![
        get("/public/grids/{code}", Access::Public, "网格公示牌（无需登录）", board_page),
        get("/public/grids/{code}/poster", Access::Public, "公示牌打印页（A4，?size=a3 为 A3）", poster_page)
            .query("size?"),
        get("/public/grids/{code}/qr.svg", Access::Public, "指向网格公示牌的二维码（SVG）", qr_code),
        get("/public/grids/{code}/staff/{staff_id}/photo", Access::Public, "在任网格工作人员的照片", staff_photo),
        get("/static/public.css", Access::Public, "公众页面样式表", css),
        get("/static/public.js", Access::Public, "随手拍页面脚本（定位）", js),
        get("/static/print-a3.css", Access::Public, "A3 打印样式", a3_css),
    ]
}

#[derive(Template)]
#[template(path = "public/board.html")]
struct BoardPage<'a> {
    title: String,
    b: &'a Board,
}

#[derive(Template)]
#[template(path = "public/poster.html")]
struct PosterPage<'a> {
    title: String,
    b: &'a Board,
    a3: bool,
    url: String,
    qr_svg: String,
}

fn html(t: &impl Template) -> AppResult<Rendered> {
    let body = t.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(Rendered::new(body, HTML))
}

async fn board_page(State(s): State<AppState>, Path(code): Path<String>, headers: HeaderMap) -> AppResult<Response> {
    let r = board::cached(&s, format!("board:{code}"), || async {
        let b = board::load(&s, &code).await?;
        html(&BoardPage { title: format!("{} · 网格公示牌", b.grid_name), b: &b })
    })
    .await?;
    Ok(r.answer(&headers))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PosterQuery {
    size: Option<String>,
}

/// The URL a grid's QR code points to.
pub fn board_url(s: &AppState, headers: &HeaderMap, code: &str) -> String {
    format!("{}{}", qr::base_url(&s.config, headers), board::board_path(code))
}

async fn poster_page(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PosterQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let a3 = match q.size.as_deref() {
        None | Some("") | Some("a4") => false,
        Some("a3") => true,
        Some(_) => return Err(AppError::field("size", "纸张只能是 a4 或 a3")),
    };
    let url = board_url(&s, &headers, &code);
    let r = board::cached(&s, format!("poster:{a3}:{url}"), || async {
        let b = board::load(&s, &code).await?;
        let qr_svg = qr::svg(&url, &format!("{}公示牌二维码", b.grid_name))?;
        html(&PosterPage {
            title: format!("{} 公示牌（打印）", b.grid_name), b: &b, a3, url: url.clone(), qr_svg
        })
    })
    .await?;
    Ok(r.answer(&headers))
}

async fn qr_code(State(s): State<AppState>, Path(code): Path<String>, headers: HeaderMap) -> AppResult<Response> {
    let url = board_url(&s, &headers, &code);
    let r = board::cached(&s, format!("qr:{url}"), || async {
        let b = board::load(&s, &code).await?;
        Ok(Rendered::new(qr::svg(&url, &format!("{}公示牌二维码", b.grid_name))?, "image/svg+xml"))
    })
    .await?;
    Ok(r.answer(&headers))
}

/// A staff member's photo, only while they serve the grid named in the path; never as HTML.
async fn staff_photo(
    State(s): State<AppState>,
    Path((code, staff_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let not_found = || AppError::NotFound("照片不存在".into());
    let staff_id: i64 = staff_id.parse().map_err(|_| not_found())?;
    let grid = crate::domains::org::tree::get_by_code(&s.db, &code)
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(not_found)?;
    let (file_id, content_type) =
        board_store::photo_of_grid_staff(&s.db, grid.id, staff_id).await?.ok_or_else(not_found)?;
    let content_type = match content_type.as_str() {
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        "image/webp" => "image/webp",
        _ => return Err(not_found()),
    };
    let etag = format!("\"{file_id}\"");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        let mut resp = axum::http::StatusCode::NOT_MODIFIED.into_response();
        set_cache(&mut resp, &etag);
        return Ok(resp);
    }
    let bytes = s.files.get(&file_id).await?;
    let mut resp =
        ([(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, "inline")], bytes).into_response();
    set_cache(&mut resp, &etag);
    Ok(resp)
}

fn set_cache(resp: &mut Response, etag: &str) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(board::CACHE_CONTROL));
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

async fn a3_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], A3_CSS)
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS)
}
