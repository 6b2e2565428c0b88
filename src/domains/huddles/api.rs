//! JSON API of the daily huddle.

use super::service::{self, DecisionInput, HoldInput, HuddleView, ItemInput, ViewQuery};
use super::store::ItemRow;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::routes::{Access, Entry, get, post};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

const READ: Access = Access::AnyOf(&[Permission::ReadSupervision, Permission::RunHuddle]);
const RUN: Access = Access::Perm(Permission::RunHuddle);

pub fn routes() -> Vec<Entry> {
    vec![
        get(
            "/api/v1/huddles",
            READ,
            "某社区某天的碰头会：在议问题（含前几天未销号的）、每天的决定和跟进人、尚未上会的问题",
            view,
        )
        .query("community?, day?"),
        post("/api/v1/huddles", RUN, "召开碰头会：把未办结事件和巡查发现拉入议题，已办结的事件自动销号", hold)
            .body("community_id?, day?"),
        post("/api/v1/huddles/items", RUN, "会上提出一个问题", add_item).body("title, community_id?, day?, grid_id?"),
        post(
            "/api/v1/huddles/items/{id}/decisions",
            RUN,
            "记录当天对某问题的决定和跟进人；solved 为 true 时销号（不再顺延）",
            decide,
        )
        .body("decision, version, day?, follow_up_staff_id?, follow_up_account_id?, follow_up_name?, solved?"),
    ]
}

async fn view(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<ViewQuery>) -> AppResult<Json<HuddleView>> {
    Ok(Json(service::view(&s, &a, &q).await?))
}
async fn hold(State(s): State<AppState>, a: Actor, ApiJson(i): ApiJson<HoldInput>) -> AppResult<Json<HuddleView>> {
    Ok(Json(service::hold(&s, &a, &i).await?))
}
async fn add_item(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<ItemInput>,
) -> AppResult<(StatusCode, Json<ItemRow>)> {
    Ok((StatusCode::CREATED, Json(service::add_item(&s, &a, &i).await?)))
}
async fn decide(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<DecisionInput>,
) -> AppResult<Json<ItemRow>> {
    Ok(Json(service::decide(&s, &a, id, &i).await?))
}
