//! Putting an event that waits for a grid (or was placed wrongly) into a grid of the caller's scope.

use super::{stale, view_of, visibility, who};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Value;
use crate::domains::events::store::{self, NewStep};
use crate::domains::events::workflow;
use crate::domains::org::tree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// Puts an event that waits for a grid (or was placed wrongly) into a grid of the caller's scope.
pub async fn set_grid(state: &AppState, actor: &Actor, id: i64, version: i64, grid_id: i64) -> AppResult<()> {
    actor.require(Permission::HandleEvents)?;
    let vis = visibility(actor)?;
    let e = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    let view = view_of(&e);
    if view.state.is_finished() {
        return Err(AppError::Conflict("事件已办结，不能再改网格".into()));
    }
    if !workflow::is_party(&who(actor), &view, workflow::Party::Holder)
        && !workflow::is_party(&who(actor), &view, workflow::Party::Above)
    {
        return Err(AppError::Conflict("只有当前承办单位或其上级才能更改事件所在网格".into()));
    }
    let grid = tree::get(&state.db, actor.scope.path(), grid_id)
        .await?
        .filter(|g| g.kind == "grid" && g.status == "active")
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))?;
    let mut tx = state.db.begin().await?;
    let sets: Vec<(&str, Value)> = vec![
        ("grid_id", grid.id.into()),
        ("area_id", grid.id.into()),
        ("area_path", grid.path.as_str().into()),
        ("needs_grid", false.into()),
    ];
    if !store::update_event(&mut tx, id, version, &sets, actor.now).await? {
        return Err(stale());
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "event_grid_set",
        "event",
        id,
        json!({ "grid_id": { "old": e.grid_id, "new": grid.id } }),
    )
    .await?;
    store::insert_step(
        &mut tx,
        &NewStep {
            event_id: id,
            action: "set_grid",
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: Some(&e.state),
            to_state: &e.state,
            holder_label: e.holder_name.as_deref().unwrap_or(""),
            note: &format!("所在网格改为 {}", grid.name),
            data: "{}".into(),
            step: None,
            step_minutes: None,
            limit_minutes: None,
            at: actor.now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
