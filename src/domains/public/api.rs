//! JSON twins of the public pages (no sign-in): a grid's board, the resident categories, filing a
//! report (JSON, or multipart with a `data` JSON field and `photos`) and the status of a code.

use super::board::{self, Rendered};
use super::intake::{self, ResidentReport, Source};
use super::model::{RESIDENT_CATEGORIES, display_code};
use super::track::{self, Status};
use super::upload;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiJson, explain};
use crate::web::meta::RequestMeta;
use crate::web::routes::{Access, Entry, get, post};
use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};

pub fn routes() -> Vec<Entry> {
    vec![
        get("/api/v1/public/grids/{code}", Access::Public, "网格公示牌的内容（无需登录）", board_json),
        get("/api/v1/public/categories", Access::Public, "群众可选的问题类型（白话）", categories),
        post(
            "/api/v1/public/grids/{code}/reports",
            Access::Public,
            "随手拍：群众反映（JSON；或 multipart：data 为 JSON，photos 为照片）",
            report,
        )
        .body("category, description, address?, lon?, lat?, callback_phone?, website?"),
        get("/api/v1/public/track/{code}", Access::Public, "凭追踪码查询办理进度", track_json),
    ]
}

async fn board_json(State(s): State<AppState>, Path(code): Path<String>, headers: HeaderMap) -> AppResult<Response> {
    let r = board::cached(&s, format!("board.json:{code}"), || async {
        let b = board::load(&s, &code).await?;
        let body = serde_json::to_vec(&b).map_err(|e| AppError::Internal(e.into()))?;
        Ok(Rendered::new(body, "application/json"))
    })
    .await?;
    Ok(r.answer(&headers))
}

#[derive(Serialize)]
struct Category {
    code: &'static str,
    name: &'static str,
}

async fn categories() -> Json<Vec<Category>> {
    Json(RESIDENT_CATEGORIES.iter().map(|(code, name)| Category { code, name }).collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    address: String,
    lon: Option<f64>,
    lat: Option<f64>,
    callback_phone: Option<String>,
    /// The honeypot: must stay empty.
    website: Option<String>,
}

/// A JSON body, or multipart with `data` (JSON) and `photos`.
struct Body(ReportBody, Vec<crate::domains::events::service::Photo>);

impl FromRequest<AppState> for Body {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let ApiJson(b) = ApiJson::<ReportBody>::from_request(req, state).await?;
            return Ok(Body(b, vec![]));
        }
        let mp = Multipart::from_request(req, state).await.map_err(|_| AppError::field("data", "上传内容不完整"))?;
        let up = upload::read(mp, state.config.max_photo_bytes).await?;
        let data = up.fields.get("data").ok_or_else(|| AppError::field("data", "缺少 data 字段（JSON）"))?;
        let b = serde_json::from_str::<ReportBody>(data).map_err(|e| explain(&e.to_string()))?;
        Ok(Body(b, up.photos))
    }
}

#[derive(Serialize)]
struct Answer {
    tracking_code: String,
    code_text: String,
    duplicate: bool,
    track_url: String,
}

async fn report(
    State(s): State<AppState>,
    Path(code): Path<String>,
    meta: axum::Extension<RequestMeta>,
    Body(b, photos): Body,
) -> AppResult<(StatusCode, Json<Answer>)> {
    let grid = crate::domains::org::tree::get_by_code(&s.db, &code)
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(|| AppError::NotFound("没有这个网格".into()))?;
    if b.website.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        return Err(AppError::field("website", "提交未被接受"));
    }
    let location = match (b.lon, b.lat) {
        (Some(x), Some(y)) => Some((x, y)),
        (None, None) => None,
        _ => return Err(AppError::field("location", "经度和纬度要一起提供")),
    };
    let r = intake::accept(
        &s,
        ResidentReport {
            grid_id: Some(grid.id),
            category: b.category,
            description: b.description,
            location,
            address: b.address,
            photos,
            callback_phone: b.callback_phone,
        },
        Source::PublicPage { meta: meta.0 },
    )
    .await?;
    let status = if r.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((
        status,
        Json(Answer {
            code_text: display_code(&r.tracking_code),
            track_url: track::track_path(&r.tracking_code),
            tracking_code: r.tracking_code,
            duplicate: r.duplicate,
        }),
    ))
}

async fn track_json(State(s): State<AppState>, Path(code): Path<String>) -> AppResult<Json<Status>> {
    Ok(Json(track::status(&s, &code).await?))
}
