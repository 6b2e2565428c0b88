//! JSON API of account activity and the supervision settings.

use super::model::ActivitySettings;
use super::service::{self, ActivityFigures, ActivityQuery, SettingsInput};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::routes::{Access, Entry, get, patch};
use axum::Json;
use axum::extract::State;

const READ: Access = Access::Perm(Permission::ReadSupervision);
const SETTINGS: Access = Access::Perm(Permission::ManageSupervisionSettings);

pub fn routes() -> Vec<Entry> {
    vec![
        get(
            "/api/v1/activity",
            READ,
            "账号活跃度：下级区域和职能部门的活跃账号数、已开通账号数、活跃度，以及本期未使用的账号",
            report,
        )
        .query("area?, month?, week?"),
        get(
            "/api/v1/supervision-settings",
            Access::AnyOf(&[Permission::ReadSupervision, Permission::ManageSupervisionSettings]),
            "督导设置：每月、每周算作活跃所需的天数，只浏览是否计入",
            read_settings,
        ),
        patch("/api/v1/supervision-settings", SETTINGS, "修改督导设置", update_settings)
            .body("min_days_month?, min_days_week?, counts_reads?"),
    ]
}

async fn report(
    State(s): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> AppResult<Json<ActivityFigures>> {
    Ok(Json(service::report(&s, &actor, &q).await?))
}

async fn read_settings(State(s): State<AppState>) -> AppResult<Json<ActivitySettings>> {
    Ok(Json(service::settings(&s.db).await?))
}

async fn update_settings(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(i): ApiJson<SettingsInput>,
) -> AppResult<Json<ActivitySettings>> {
    Ok(Json(service::update_settings(&s, &actor, &i).await?))
}
