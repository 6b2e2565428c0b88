//! JSON API of the dashboard. Thin.

use super::service::{self, Dashboard, DashboardQuery};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::routes::{Access, Entry, get};
use axum::Json;
use axum::extract::State;

pub const READ: Access = Access::Perm(Permission::ReadSupervision);

pub fn routes() -> Vec<Entry> {
    vec![
        get(
            "/api/v1/dashboard",
            READ,
            "驾驶舱：辖区的人房场所和特殊人群数、未办结事件（按状态、类别、牌色）、超时事件、走访逾期、账号活跃度、待签收报送，以及按所选指标着色的网格地图",
            dashboard,
        )
        .query("area?, shade?"),
    ]
}

async fn dashboard(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(service::for_actor(&s, &a, &q).await?))
}
