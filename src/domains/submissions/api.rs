//! JSON API of the report and sign-off stream.

use super::service::{self, ActionInput, ListQuery, MappingInput, StatsQuery, SubmissionDetail, SubmissionOut};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, patch, post};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

const READ: Access = Access::Perm(Permission::ReadEvents);
const HANDLE: Access = Access::Perm(Permission::HandleEvents);
const SETTINGS: Access = Access::Perm(Permission::ManageEventSettings);
const READ_SETTINGS: Access = Access::AnyOf(&[Permission::ReadEvents, Permission::ManageEventSettings]);

pub fn routes() -> Vec<Entry> {
    vec![
        get(
            "/api/v1/submissions",
            READ,
            "特殊人群报送列表（部门看报送给本部门的，区域账号看辖区内的；按状态、类别、乡镇、部门、超时筛选）",
            list,
        )
        .query("state?, kind?, town?, department?, overdue?, page?, per_page?"),
        get(
            "/api/v1/submissions/todo",
            READ,
            "报送待办：部门待签收、网格被退回待重新报送、乡镇无对应部门的，按期限排序，带牌色",
            todo,
        )
        .query("page?, per_page?"),
        get("/api/v1/submissions/{id}", READ, "报送详情（脱敏的报送内容、全过程记录和可执行的操作）", detail),
        post(
            "/api/v1/submissions/{id}/actions",
            HANDLE,
            "签收（sign）、退回（return，须写原因）或重新报送（resend）；不允许的操作返回 409 及原因",
            action,
        )
        .body("action, note?, version?"),
        get(
            "/api/v1/stats/submissions",
            READ,
            "报送签收统计：按乡镇 × 类别 × 部门的报送、签收（按时签收）、退回、待签收、超时数",
            stats,
        )
        .query("area?, from?, to?"),
        get("/api/v1/submission-mapping", READ_SETTINGS, "报送类别由哪类部门签收、签收时限和黄牌阈值", mapping),
        patch(
            "/api/v1/submission-mapping",
            SETTINGS,
            "修改一个类别的签收部门类型、签收时限、黄牌阈值或是否报送",
            update_mapping,
        )
        .body("kind, version, department_kind?, sign_limit?, yellow_pct?, enabled?"),
    ]
}

type J<T> = AppResult<Json<T>>;

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<ListQuery>) -> J<Page<SubmissionOut>> {
    Ok(Json(service::list(&s, &a, &q).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<i64>,
    per_page: Option<i64>,
}

async fn todo(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<PageQuery>) -> J<Page<SubmissionOut>> {
    Ok(Json(service::todo(&s, &a, q.page, q.per_page).await?))
}
async fn detail(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<SubmissionDetail> {
    Ok(Json(service::get(&s, &a, id).await?))
}
async fn action(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ActionInput>,
) -> J<SubmissionDetail> {
    service::act(&s, &a, id, &i).await?;
    Ok(Json(service::get(&s, &a, id).await?))
}
async fn stats(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<StatsQuery>) -> J<service::Stats> {
    Ok(Json(service::stats(&s, &a, &q).await?))
}
async fn mapping(State(s): State<AppState>, a: Actor) -> J<Value> {
    Ok(Json(json!({ "items": service::mapping(&s, &a).await? })))
}
async fn update_mapping(State(s): State<AppState>, a: Actor, ApiJson(i): ApiJson<MappingInput>) -> J<Value> {
    Ok(Json(json!(service::update_mapping(&s, &a, &i).await?)))
}
