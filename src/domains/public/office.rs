//! A community's office hours, phone and address for its public boards: read by anyone who sees the
//! community; changed by its community staff or those above (town, county, system administrator),
//! version-checked, every save kept as a revision and audited field by field.

use super::board_store::{self, Office, OfficeRevision};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::org::model::{check_phone, check_text};
use crate::domains::org::tree::{self, AreaRow};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeInput {
    /// The version read (0 when nothing was saved yet).
    pub version: i64,
    #[serde(default)]
    pub office_hours: String,
    #[serde(default)]
    pub office_phone: String,
    #[serde(default)]
    pub office_address: String,
}

/// Whether the caller may change a community's office details.
pub fn can_edit(actor: &Actor) -> bool {
    actor.can(Permission::ManageAreas) || actor.can(Permission::ManageStaff)
}

/// The community (in the caller's scope) and its office details (empty when none saved).
pub async fn get(state: &AppState, actor: &Actor, area_id: i64) -> AppResult<(AreaRow, Office, Vec<OfficeRevision>)> {
    actor.require(Permission::ViewOrg)?;
    let area = tree::get(&state.db, actor.scope.path(), area_id)
        .await?
        .filter(|a| a.kind == "community")
        .ok_or_else(|| AppError::not_found("社区"))?;
    let office =
        board_store::office(&state.db, area.id).await?.unwrap_or(Office { area_id: area.id, ..Default::default() });
    let revisions = board_store::revisions(&state.db, area.id).await?;
    Ok((area, office, revisions))
}

/// Saves the office details; answers the new state.
pub async fn save(state: &AppState, actor: &Actor, area_id: i64, i: &OfficeInput) -> AppResult<Office> {
    if !can_edit(actor) {
        return Err(AppError::forbidden());
    }
    let (area, before, _) = get(state, actor, area_id).await?;
    let mut e = FieldErrors::new();
    let hours = AppError::gather(&mut e, check_text("office_hours", "办公时间", &i.office_hours, 200, true));
    let phone = AppError::gather(&mut e, check_phone("office_phone", &i.office_phone, false));
    let address = AppError::gather(&mut e, check_text("office_address", "办公地点", &i.office_address, 200, false));
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    if i.version != before.version {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    let values = (hours.as_str(), phone.as_str(), address.as_str());
    let mut tx = state.db.begin().await?;
    if !board_store::save_office(&mut tx, area.id, i.version, values, actor.id, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    board_store::insert_revision(&mut tx, area.id, values, actor.id, &actor.display_name, actor.now).await?;
    let old = json!({ "office_hours": before.office_hours, "office_phone": before.office_phone, "office_address": before.office_address });
    let new = json!({ "office_hours": hours, "office_phone": phone, "office_address": address });
    audit::record(&mut tx, &actor.audit(), "area_office_saved", "area", area.id, audit::changes(&old, &new)).await?;
    tx.commit().await?;
    // The boards of the community's grids show it: start their cache over.
    state.cache::<super::board::Cache>().clear();
    Ok(Office {
        area_id: area.id,
        office_hours: hours,
        office_phone: phone,
        office_address: address,
        updated_at: actor.now,
        version: before.version + 1,
    })
}
