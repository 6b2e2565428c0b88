//! JSON API of the closed loop: report (JSON, or multipart with photos), list, one event with its
//! timeline, actions, grid assignment, photos, to-do lists, notifications, categories and calendar.

use super::queries::{self, EventDetail, EventOut, ListQuery};
use super::service::{self, ActionInput, Photo, ReportInput};
use super::settings;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery, explain};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, patch, post};
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const READ: Access = Access::Perm(Permission::ReadEvents);
const REPORT: Access = Access::Perm(Permission::ReportEvents);
const HANDLE: Access = Access::Perm(Permission::HandleEvents);
const SETTINGS: Access = Access::Perm(Permission::ManageEventSettings);

pub fn routes() -> Vec<Entry> {
    vec![
        post("/api/v1/events", REPORT, "上报事件（JSON；或 multipart：字段 data 为 JSON，photos 为照片，可多张）", report)
            .body("category, title, details{what, where?, when?, who?, how_many?, parties?, mediation_method?, mediation_outcome?}, severity?, channel?, address?, lon?, lat?, grid_id?, person_ids?, house_ids?, place_ids?, handle_in_place?"),
        get("/api/v1/events", READ, "事件列表（按状态、区域、类别、牌色、超时、日期筛选）", list)
            .query("state?, area?, category?, card?, overdue?, q?, from?, to?, page?, per_page?"),
        get("/api/v1/events/{id}", READ, "事件详情（含全过程时间线、照片、督办记录和可执行的操作）", detail),
        patch("/api/v1/events/{id}", HANDLE, "更改事件所在网格（坐标不在任何网格内的事件人工指定）", set_grid).body("version, grid_id"),
        post("/api/v1/events/{id}/actions", HANDLE, "对事件执行操作（accept、dispatch、escalate、complete、verify、reopen、close、return、extend、approve_extension、reject_extension、cancel、merge、evaluate、supervise、urge；不允许的操作返回 409 及原因）", action)
            .body("action, version?, note?, target{kind, id}?, days?, satisfaction?, merge_into?"),
        get("/api/v1/events/{id}/photos/{file}", READ, "事件照片", photo),
        get("/api/v1/todo", READ, "待办（todo）、已办（done）、我上报的（mine），按期限排序，带牌色", todo).query("list?, page?, per_page?"),
        get("/api/v1/supervisions", READ, "督办清单：系统亮牌（yellow、red）和人工督办（ordinary），给承办单位的上一级看；部门看自己承办的事件的", super::supervision::api_list)
            .query("level?, open?, page?, per_page?"),
        get("/api/v1/notifications", READ, "站内通知", notifications).query("page?, per_page?"),
        post("/api/v1/notifications/read", READ, "全部标为已读", read_all),
        get("/api/v1/stats/events", READ, "事件统计：办结率、结案率、按期结案率、按时签收率、满意度、各环节平均用时（按下级区域、类别、部门）", stats_events)
            .query("area?, from?, to?"),
        get("/api/v1/event-categories", READ, "事件类别及各环节时限", categories),
        patch("/api/v1/event-categories/{code}", SETTINGS, "修改类别的时限、黄牌红牌阈值和必填描述项", update_category)
            .body("version, accept_limit?, handle_limit?, verify_limit?, yellow_pct?, red_pct?, required_fields?"),
        get("/api/v1/work-calendar", READ, "工作日历（节假日与调休上班日）", calendar),
        post("/api/v1/work-calendar", SETTINGS, "设置某天为工作日或休息日（working 为空则恢复按周末计算）", set_day).body("day, working?, note?"),
    ]
}

type J<T> = AppResult<Json<T>>;

/// A JSON body, or a multipart body whose `data` field holds the JSON and whose `photos` fields hold photos.
struct WithPhotos<T>(T, Vec<Photo>);

impl<S: Send + Sync, T: DeserializeOwned + Default + Send> FromRequest<S> for WithPhotos<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            let ApiJson(v) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(WithPhotos(v, vec![]));
        }
        let mut mp =
            Multipart::from_request(req, state).await.map_err(|_| AppError::field("data", "上传内容不完整"))?;
        let (mut data, mut photos) = (None, Vec::new());
        while let Some(field) = mp.next_field().await.map_err(|_| AppError::field("photos", "上传内容不完整或过大"))?
        {
            match field.name() {
                Some("data") => {
                    let text = field.text().await.map_err(|_| AppError::field("data", "data 字段不是文本"))?;
                    data = Some(serde_json::from_str::<T>(&text).map_err(|e| explain(&e.to_string()))?);
                }
                Some("photos") => {
                    let bytes = field.bytes().await.map_err(|_| AppError::TooLarge("照片过大".into()))?;
                    if !bytes.is_empty() {
                        photos.push(Photo(bytes.to_vec()));
                    }
                }
                _ => {}
            }
        }
        Ok(WithPhotos(data.ok_or_else(|| AppError::field("data", "缺少 data 字段（JSON）"))?, photos))
    }
}

async fn report(
    State(s): State<AppState>,
    a: Actor,
    WithPhotos(i, photos): WithPhotos<ReportInput>,
) -> AppResult<(StatusCode, Json<EventDetail>)> {
    let id = service::report(&s, &a, &i, photos).await?;
    Ok((StatusCode::CREATED, Json(queries::get(&s, &a, id).await?)))
}
async fn list(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<ListQuery>) -> J<Page<EventOut>> {
    Ok(Json(queries::list(&s, &a, &q).await?))
}
async fn detail(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<EventDetail> {
    Ok(Json(queries::get(&s, &a, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GridInput {
    version: i64,
    grid_id: i64,
}

async fn set_grid(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<GridInput>,
) -> J<EventDetail> {
    service::set_grid(&s, &a, id, i.version, i.grid_id).await?;
    Ok(Json(queries::get(&s, &a, id).await?))
}
async fn action(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    WithPhotos(i, photos): WithPhotos<ActionInput>,
) -> J<EventDetail> {
    service::act(&s, &a, id, &i, photos).await?;
    Ok(Json(queries::get(&s, &a, id).await?))
}
async fn photo(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, file)): ApiPath<(i64, String)>,
) -> AppResult<Response> {
    let (bytes, ct) = queries::photo(&s, &a, id, &file).await?;
    Ok(([(header::CONTENT_TYPE, ct)], bytes).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TodoQuery {
    list: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

async fn todo(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<TodoQuery>) -> J<Page<EventOut>> {
    Ok(Json(queries::todo(&s, &a, q.list.as_deref().unwrap_or("todo"), q.page, q.per_page).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<i64>,
    per_page: Option<i64>,
}

async fn notifications(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<PageQuery>) -> J<Value> {
    let page = settings::notifications(&s, &a, q.page, q.per_page).await?;
    let unread = settings::unread(&s, &a).await?;
    Ok(Json(
        json!({ "items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page, "unread": unread }),
    ))
}
async fn read_all(State(s): State<AppState>, a: Actor) -> J<Value> {
    Ok(Json(json!({ "marked": settings::mark_read(&s, &a).await? })))
}
async fn categories(State(s): State<AppState>, a: Actor) -> J<Value> {
    let items = settings::categories(&s, &a).await?;
    Ok(Json(json!({ "items": items })))
}
async fn update_category(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(i): ApiJson<settings::CategoryInput>,
) -> J<Value> {
    Ok(Json(json!(settings::update_category(&s, &a, &code, &i).await?)))
}
async fn calendar(State(s): State<AppState>, a: Actor) -> J<Value> {
    Ok(Json(json!({ "items": settings::calendar(&s, &a).await? })))
}
async fn set_day(State(s): State<AppState>, a: Actor, ApiJson(i): ApiJson<settings::DayInput>) -> J<Value> {
    settings::set_day(&s, &a, &i).await?;
    Ok(Json(json!({ "items": settings::calendar(&s, &a).await? })))
}

async fn stats_events(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<super::stats::StatsQuery>,
) -> J<super::stats::EventStats> {
    Ok(Json(super::stats::events(&s, &a, &q).await?))
}
