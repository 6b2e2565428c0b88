//! JSON API of visits: the joint list, the overdue list, recording a household visit. Thin.

use super::model::VisitInput;
use super::service::{self, HouseholdVisitOut, OverdueOut, OverdueQuery, VisitOut, VisitQuery};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

pub const READ: Access = Access::AnyOf(&[Permission::ReadSupervision, Permission::ReadRegister]);
pub const FIELD: Access = Access::Perm(Permission::FieldWork);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/api/v1/visits", READ, "走访记录：辖区内的走访户和特殊人群走访（户号或脱敏姓名），新的在前", list)
            .query("area?, from?, to?, kind?, page?, per_page?"),
        get(
            "/api/v1/visits/overdue",
            READ,
            "走访逾期：下次走访日期早于指定日期且此后未再走访的户和特殊人群档案",
            overdue,
        )
        .query("area?, on?, page?, per_page?"),
        post("/api/v1/households/{id}/visits", FIELD, "记录一次走访户", record)
            .body("visited_on, kind, note, next_visit_due?"),
    ]
}

async fn list(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<VisitQuery>,
) -> AppResult<Json<Page<VisitOut>>> {
    Ok(Json(service::list(&s, &a, &q).await?))
}

async fn overdue(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> AppResult<Json<Page<OverdueOut>>> {
    Ok(Json(service::overdue(&s, &a, &q).await?))
}

async fn record(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<VisitInput>,
) -> AppResult<(StatusCode, Json<HouseholdVisitOut>)> {
    Ok((StatusCode::CREATED, Json(service::record(&s, &a, id, &i).await?)))
}
