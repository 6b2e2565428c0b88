//! Transfers between grids: asked by the registering grid, decided by the receiving one.

use super::super::id_number::IdNumber;
use super::super::person_store::{self as store};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::org::model::check_text;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[serde(default)]
    pub id_type: Option<String>,
    pub id_number: String,
    pub grid_id: i64,
    pub reason: String,
}

/// Asks to move a person registered in another grid into one of the caller's grids.
pub async fn request_transfer(state: &AppState, actor: &Actor, input: &TransferInput) -> AppResult<store::TransferRow> {
    actor.require(Permission::EditRegister)?;
    let grid_id =
        crate::domains::org::locate::active_grid_in_scope(&state.db, actor.scope.path(), input.grid_id).await?;
    let id_type = input.id_type.clone().unwrap_or_else(|| "111".into());
    let number = if id_type == "111" {
        IdNumber::parse(&input.id_number).map_err(|m| AppError::field("id_number", m))?.as_str().to_owned()
    } else {
        input.id_number.trim().to_uppercase()
    };
    let reason = check_text("reason", "迁入原因", &input.reason, 200, true)?;
    let mut tx = state.db.begin().await?;
    let existing = store::find_by_id_bidx(&mut tx, &id_type, &state.keys.blind_index("id_number", &number))
        .await?
        .ok_or_else(|| AppError::field("id_number", "该证件号码尚未登记，可直接登记"))?;
    if existing.grid_id == grid_id {
        return Err(AppError::Conflict("此人已在该网格".into()));
    }
    if store::pending_transfer_exists(&mut tx, existing.id).await? {
        return Err(AppError::Conflict("此人已有待确认的迁移申请".into()));
    }
    let tid =
        store::insert_transfer(&mut tx, existing.id, existing.grid_id, grid_id, actor.id, &reason, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "person_transfer_requested",
        "person",
        existing.id,
        json!({ "transfer": tid, "from_grid": existing.grid_id, "to_grid": grid_id, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    let mut tx = state.db.begin().await?;
    let (row, _) = store::transfer(&mut tx, tid).await?.ok_or_else(|| AppError::not_found("迁移申请"))?;
    Ok(row)
}

pub async fn transfers(state: &AppState, actor: &Actor, status: Option<&str>) -> AppResult<Vec<store::TransferRow>> {
    actor.require(Permission::ReadRegister)?;
    Ok(store::transfers(&state.db, actor.scope.path(), status).await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub note: Option<String>,
}

/// The original grid's staff confirm (the person moves, leaving house and household links) or refuse.
pub async fn decide_transfer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    approve: bool,
    input: &DecisionInput,
) -> AppResult<store::TransferRow> {
    actor.require(Permission::EditRegister)?;
    let note = check_text("note", "说明", input.note.as_deref().unwrap_or(""), 200, !approve)?;
    let mut tx = state.db.begin().await?;
    let (t, from_path) = store::transfer(&mut tx, id).await?.ok_or_else(|| AppError::not_found("迁移申请"))?;
    if !actor.scope.contains(&from_path) {
        return Err(AppError::Forbidden("只有原网格（或其社区、乡镇）的工作人员可以确认迁出".into()));
    }
    let status = if approve { "approved" } else { "rejected" };
    if !store::decide_transfer(&mut tx, id, status, actor.id, &note, actor.now).await? {
        return Err(AppError::Conflict("该申请已处理".into()));
    }
    if approve {
        store::set_grid(&mut tx, t.person_id, t.to_grid_id, actor.now).await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        if approve { "person_transferred" } else { "person_transfer_rejected" },
        "person",
        t.person_id,
        json!({ "transfer": id, "grid_id": { "from": t.from_grid_id, "to": t.to_grid_id }, "note": note }),
    )
    .await?;
    tx.commit().await?;
    let mut tx = state.db.begin().await?;
    let (row, _) = store::transfer(&mut tx, id).await?.ok_or_else(|| AppError::not_found("迁移申请"))?;
    Ok(row)
}
