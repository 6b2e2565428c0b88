//! The dashboard of the area a caller asks for, within its scope.

use super::super::model::Shade;
use super::*;
use crate::auth::{Actor, Permission};
use crate::domains::activity::service::{self as activity, AreaRef};
use crate::domains::org::tree::{self};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    pub area: Option<i64>,
    pub shade: Option<String>,
}

/// The dashboard for a caller: `ReadSupervision`, an area inside their scope (default their own).
pub async fn for_actor(state: &AppState, actor: &Actor, q: &DashboardQuery) -> AppResult<Dashboard> {
    actor.require(Permission::ReadSupervision)?;
    let shade = Shade::parse(q.shade.as_deref().unwrap_or("")).ok_or_else(|| {
        AppError::field(
            "shade",
            "地图着色只能是 open_events、overdue_events、overdue_visits、people、households、houses、rentals、places 或 activity_rate",
        )
    })?;
    let row = tree::get(&state.db, actor.scope.path(), q.area.unwrap_or(actor.scope.area_id()))
        .await?
        .filter(|a| a.status == "active")
        .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
    let settings = activity::settings(&state.db).await?;
    let area = AreaRef { id: row.id, name: row.name.clone(), path: row.path.clone() };
    let mut d = dashboard_shaded(&state.db, &area, &row.kind, actor.now, &settings, shade).await?;
    if let Some(p) = row.parent_id
        && let Some(parent) = tree::get(&state.db, actor.scope.path(), p).await?
    {
        d.parent = Some((parent.id, parent.name));
    }
    Ok(d)
}
