//! JSON API of patrols, the checklist, check-ins and patrol figures.

use super::service::{
    self, CheckInInput, ChecksInput, EndInput, Figures, FiguresQuery, FindingInput, FindingOut, ItemInput, ListQuery,
    PatrolDetail, PatrolOut, PointsInput, ReportFindingInput, StartInput,
};
use super::store::ItemRow;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, patch, post};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

const FIELD: Access = Access::Perm(Permission::FieldWork);
const READ: Access = Access::AnyOf(&[Permission::FieldWork, Permission::ReadSupervision]);
const FIGURES: Access = Access::Perm(Permission::ReadSupervision);
const SETTINGS: Access = Access::Perm(Permission::ManageSupervisionSettings);
const CHECKLIST: Access =
    Access::AnyOf(&[Permission::FieldWork, Permission::ReadSupervision, Permission::ManageSupervisionSettings]);

pub fn routes() -> Vec<Entry> {
    vec![
        post("/api/v1/patrols", FIELD, "开始巡查（网格员默认本网格；社区工作人员须选网格）", start)
            .body("grid_id?, started_at?"),
        get("/api/v1/patrols", READ, "巡查记录（辖区内，按区域、人员、日期筛选，新的在前）", list)
            .query("area?, account?, from?, to?, page?, per_page?"),
        get("/api/v1/patrols/current", FIELD, "本人进行中的巡查（没有则为 null）", current),
        get(
            "/api/v1/patrols/figures",
            FIGURES,
            "巡查统计：按人员和网格的巡查天数、时长（分钟）、里程（米）、发现问题数",
            figures,
        )
        .query("area?, from?, to?"),
        get("/api/v1/patrols/{id}", READ, "巡查详情：轨迹、检查清单结果、发现的问题", detail),
        post(
            "/api/v1/patrols/{id}/points",
            FIELD,
            "上传一批轨迹点（经纬度、精度米数、时间毫秒）；里程由服务器计算",
            points,
        )
        .body("points"),
        post("/api/v1/patrols/{id}/end", FIELD, "结束巡查（可附最后一批轨迹点和小结）", end)
            .body("note?, version?, points?, ended_at?"),
        post("/api/v1/patrols/{id}/checks", FIELD, "填写检查清单结果（ok / problem / na）", checks).body("items"),
        post("/api/v1/patrols/{id}/findings", FIELD, "记录发现的问题；report 为 true 时同时上报为事件", finding)
            .body("item_id?, description, address?, lat?, lng?, report?, category?"),
        post(
            "/api/v1/patrols/{id}/findings/{finding_id}/event",
            FIELD,
            "把巡查发现一键转为事件（来源渠道：巡查发现）",
            report_finding,
        )
        .body("category?, version?"),
        get("/api/v1/patrol-checklist", CHECKLIST, "巡查检查清单（含已停用的项）", checklist),
        post("/api/v1/patrol-checklist", SETTINGS, "新增巡查检查项", add_item)
            .body("name, event_category, hint?, sort?, active?"),
        patch("/api/v1/patrol-checklist/{id}", SETTINGS, "修改或停用巡查检查项", update_item)
            .body("version, name?, hint?, event_category?, sort?, active?"),
        post(
            "/api/v1/check-ins",
            FIELD,
            "每日签到（可带位置）；同一天再次签到不重复记录，返回当天第一次签到（200）",
            check_in,
        )
        .body("lat?, lng?, accuracy?, at?"),
        get("/api/v1/check-ins", FIGURES, "辖区内的签到记录", check_ins).query("area?, from?, to?"),
    ]
}

type J<T> = AppResult<Json<T>>;

async fn start(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<StartInput>,
) -> AppResult<(StatusCode, Json<PatrolOut>)> {
    Ok((StatusCode::CREATED, Json(service::start(&s, &a, &i).await?)))
}
async fn list(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<ListQuery>) -> J<Page<PatrolOut>> {
    Ok(Json(service::list(&s, &a, &q).await?))
}
async fn current(State(s): State<AppState>, a: Actor) -> J<Value> {
    Ok(Json(json!({ "patrol": service::current(&s, &a).await? })))
}
async fn figures(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<FiguresQuery>) -> J<Figures> {
    Ok(Json(service::figures(&s, &a, &q).await?))
}
async fn detail(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<PatrolDetail> {
    Ok(Json(service::get(&s, &a, id).await?))
}
async fn points(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<PointsInput>,
) -> J<PatrolOut> {
    Ok(Json(service::add_points(&s, &a, id, &i).await?))
}
async fn end(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<EndInput>,
) -> J<PatrolOut> {
    Ok(Json(service::end(&s, &a, id, &i).await?))
}
async fn checks(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ChecksInput>,
) -> J<PatrolDetail> {
    service::record_checks(&s, &a, id, &i).await?;
    Ok(Json(service::get(&s, &a, id).await?))
}
async fn finding(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<FindingInput>,
) -> AppResult<(StatusCode, Json<FindingOut>)> {
    Ok((StatusCode::CREATED, Json(service::add_finding(&s, &a, id, &i).await?)))
}
async fn report_finding(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, finding_id)): ApiPath<(i64, i64)>,
    ApiJson(i): ApiJson<ReportFindingInput>,
) -> J<FindingOut> {
    Ok(Json(service::report_finding(&s, &a, id, finding_id, &i).await?))
}
async fn checklist(State(s): State<AppState>, a: Actor) -> J<Value> {
    Ok(Json(json!({ "items": service::checklist(&s, &a).await? })))
}
async fn add_item(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<ItemInput>,
) -> AppResult<(StatusCode, Json<ItemRow>)> {
    Ok((StatusCode::CREATED, Json(service::add_item(&s, &a, &i).await?)))
}
async fn update_item(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ItemInput>,
) -> J<ItemRow> {
    Ok(Json(service::update_item(&s, &a, id, &i).await?))
}
async fn check_in(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<CheckInInput>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let (created, row) = service::check_in(&s, &a, &i).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let message = if created {
        "签到成功".to_owned()
    } else {
        format!("今天已于 {} 签到，不重复记录", crate::clock::format_local(row.at))
    };
    Ok((status, Json(json!({ "created": created, "message": message, "check_in": row }))))
}
async fn check_ins(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<FiguresQuery>) -> J<Value> {
    Ok(Json(json!({ "items": service::check_ins(&s, &a, &q).await? })))
}
