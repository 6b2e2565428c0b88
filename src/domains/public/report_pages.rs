//! The resident's pages: the 随手拍 form of a grid (no sign-in; photos, location, optional call-back
//! phone, a honeypot field that people never see) and the tracking page (enter a code, see the
//! public status). A refused form is drawn again with what was typed and the reasons beside it.

use super::intake::{self, ResidentReport, Source};
use super::model::RESIDENT_CATEGORIES;
use super::track::{self, Status};
use super::upload;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::meta::RequestMeta;
use crate::web::pages::{redirect, urlencode};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![
        get("/public/grids/{code}/report", Access::Public, "随手拍：反映问题的表单（无需登录）", form),
        post("/public/grids/{code}/report", Access::Public, "随手拍：提交反映（multipart，可带照片）", submit),
        get("/public/track", Access::Public, "凭追踪码查询办理进度", track_page).query("code?, new?, dup?"),
    ]
}

/// What the resident typed, drawn back into the form.
#[derive(Default)]
struct Typed {
    category: String,
    description: String,
    address: String,
    lon: String,
    lat: String,
    callback_phone: String,
}

#[derive(Template)]
#[template(path = "public/report.html")]
struct ReportPage {
    title: String,
    grid_code: String,
    grid_name: String,
    categories: Vec<(&'static str, &'static str)>,
    f: Typed,
    message: String,
    errors: FieldErrors,
}

async fn grid(s: &AppState, code: &str) -> AppResult<crate::domains::org::tree::AreaRow> {
    crate::domains::org::tree::get_by_code(&s.db, code)
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(|| AppError::NotFound("没有这个网格，请核对卡片上的二维码或网址".into()))
}

fn page(
    status: StatusCode,
    grid: &crate::domains::org::tree::AreaRow,
    f: Typed,
    err: Option<AppError>,
) -> AppResult<Response> {
    let (message, errors) = match err {
        None => (String::new(), FieldErrors::new()),
        Some(AppError::Invalid { message, fields }) => (message, fields),
        Some(e @ (AppError::RateLimited { .. } | AppError::TooManyRequests(_))) => {
            let m = e.to_string();
            let mut f = FieldErrors::new();
            f.insert("_".into(), m.clone());
            (m, f)
        }
        Some(other) => return Err(other),
    };
    let p = ReportPage {
        title: format!("随手拍 · {}", grid.name),
        grid_code: grid.code.clone(),
        grid_name: grid.name.clone(),
        categories: RESIDENT_CATEGORIES.to_vec(),
        f,
        message,
        errors,
    };
    let html = p.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok((status, Html(html)).into_response())
}

async fn form(State(s): State<AppState>, Path(code): Path<String>) -> AppResult<Response> {
    let g = grid(&s, &code).await?;
    page(StatusCode::OK, &g, Typed::default(), None)
}

async fn submit(
    State(s): State<AppState>,
    Path(code): Path<String>,
    meta: axum::Extension<RequestMeta>,
    mp: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let g = grid(&s, &code).await?;
    let Ok(mp) = mp else {
        let e = AppError::field("_", "请用页面上的表单提交");
        return page(StatusCode::UNPROCESSABLE_ENTITY, &g, Typed::default(), Some(e));
    };
    let up = match upload::read(mp, s.config.max_photo_bytes).await {
        Ok(u) => u,
        Err(e) => return page(StatusCode::UNPROCESSABLE_ENTITY, &g, Typed::default(), Some(e)),
    };
    let f = Typed {
        category: up.text("category"),
        description: up.text("description"),
        address: up.text("address"),
        lon: up.text("lon"),
        lat: up.text("lat"),
        callback_phone: up.text("callback_phone"),
    };
    // The honeypot: a field hidden from people; software that fills every field is turned away
    // and nothing is written.
    if !up.text("website").trim().is_empty() {
        tracing::info!(grid = %g.code, "public report refused by the honeypot");
        let e = AppError::field("_", "提交未被接受，请刷新页面后重新填写");
        return page(StatusCode::UNPROCESSABLE_ENTITY, &g, f, Some(e));
    }
    let location = match upload::location(&f.lon, &f.lat) {
        Ok(l) => l,
        Err(e) => return page(StatusCode::UNPROCESSABLE_ENTITY, &g, f, Some(e)),
    };
    let report = ResidentReport {
        grid_id: Some(g.id),
        category: f.category.clone(),
        description: f.description.clone(),
        location,
        address: f.address.clone(),
        photos: up.photos,
        callback_phone: Some(f.callback_phone.clone()),
    };
    match intake::accept(&s, report, Source::PublicPage { meta: meta.0 }).await {
        Ok(r) => Ok(redirect(&format!(
            "/public/track?code={}&new=1{}",
            urlencode(&super::model::display_code(&r.tracking_code)),
            if r.duplicate { "&dup=1" } else { "" }
        ))),
        Err(e @ (AppError::Invalid { .. } | AppError::RateLimited { .. })) => {
            let status = e.status();
            page(status, &g, f, Some(e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackQuery {
    code: Option<String>,
    new: Option<String>,
    dup: Option<String>,
}

#[derive(Template)]
#[template(path = "public/track.html")]
struct TrackPage {
    title: String,
    status: Option<Status>,
    fresh: bool,
    duplicate: bool,
    message: Option<String>,
    typed: String,
}

async fn track_page(State(s): State<AppState>, ApiQuery(q): ApiQuery<TrackQuery>) -> AppResult<Response> {
    let typed = q.code.unwrap_or_default();
    let mut p = TrackPage {
        title: "查询办理进度".into(),
        status: None,
        fresh: q.new.is_some(),
        duplicate: q.dup.is_some(),
        message: None,
        typed: typed.clone(),
    };
    let mut code = StatusCode::OK;
    if !typed.trim().is_empty() {
        match track::status(&s, &typed).await {
            Ok(st) => p.status = Some(st),
            Err(AppError::NotFound(m)) => {
                code = StatusCode::NOT_FOUND;
                p.message = Some(m);
            }
            Err(e) => return Err(e),
        }
    }
    let html = p.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok((code, Html(html)).into_response())
}
