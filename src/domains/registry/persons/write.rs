//! Registering, editing, status changes (迁出/死亡/离开), deleting a mistake, and the history of a person.

use super::super::codes::Codes;
use super::super::model::status_label;
use super::super::observe::{self, AfterCommit, PersonWritten, Subject};
use super::super::person_store::{self as store};
use super::*;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::org::model::{check_date, check_text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

/// The grid must be an active grid in scope; house and household, if given, must be in that grid.
async fn check_links(state: &AppState, actor: &Actor, p: &Plain) -> AppResult<()> {
    let grid_id = crate::domains::org::locate::active_grid_in_scope(&state.db, actor.scope.path(), p.grid_id).await?;
    if let Some(h) = p.house_id {
        let ok = super::super::house_store::grid_of_house(&state.db, h).await?;
        if ok != Some(grid_id) {
            return Err(AppError::field("house_id", "房屋不存在或不在该网格"));
        }
    }
    if let Some(h) = p.household_id {
        let ok = super::super::house_store::grid_of_household(&state.db, h).await?;
        if ok != Some(grid_id) {
            return Err(AppError::field("household_id", "户不存在或不在该网格"));
        }
    }
    Ok(())
}

/// The refusal for an ID number registered elsewhere: where (masked), and that a transfer can be asked.
fn duplicate(existing: &store::Existing) -> AppError {
    AppError::Conflict(format!(
        "证件号码 {} 已在“{}”登记，不能重复登记；如此人已搬到您的网格，请申请迁入，由原网格确认",
        existing.id_masked, existing.grid_name
    ))
}

pub async fn create(state: &AppState, actor: &Actor, input: &PersonInput) -> AppResult<PersonOut> {
    actor.require(Permission::EditRegister)?;
    let scope = scope_of(actor)?;
    let codes = Codes::load(&state.db).await?;
    let mut p = Plain { grid_id: input.grid_id.unwrap_or(0), ..Default::default() };
    if input.grid_id.is_none() {
        return Err(AppError::field("grid_id", "请选择所属网格"));
    }
    if input.kind.is_none() {
        return Err(AppError::field("kind", "请选择人员类别"));
    }
    p.apply(input);
    let write = validate(state, &codes, &mut p).map_err(AppError::fields)?;
    check_links(state, actor, &p).await?;
    let mut tx = state.db.begin().await?;
    if let Some(existing) = store::find_by_id_bidx(&mut tx, &write.id_type, &write.id_bidx).await? {
        return Err(duplicate(&existing));
    }
    let id = store::insert(&mut tx, &write, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict("该证件号码刚刚已被登记，请刷新后查看".into())
        } else {
            e.into()
        }
    })?;
    audit::record(&mut tx, &actor.audit(), "person_created", "person", id, p.audit_view()).await?;
    let written = PersonWritten {
        person_id: id,
        subject: Subject::Person { was_floating: false },
        action: "created",
        detail: json!({}),
    };
    let after = observe::person_written(state, &mut tx, actor, written).await?;
    tx.commit().await?;
    after.run(state);
    let row = store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    Ok(present(row, None))
}

pub async fn update(state: &AppState, actor: &Actor, id: i64, input: &PersonInput) -> AppResult<PersonOut> {
    actor.require(Permission::EditRegister)?;
    let version = input.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let scope = scope_of(actor)?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    if input.grid_id.is_some_and(|g| g != row.grid_id) {
        return Err(AppError::field("grid_id", "更换网格请使用迁入申请或由社区办理迁移"));
    }
    let (id_number, phone) = reveal(state, &row)?;
    let before = Plain::from_row(&row, id_number, phone);
    let mut p = before.clone();
    p.apply(input);
    let codes = Codes::load(&state.db).await?;
    let write = validate(state, &codes, &mut p).map_err(AppError::fields)?;
    check_links(state, actor, &p).await?;
    let mut tx = state.db.begin().await?;
    if let Some(existing) = store::find_by_id_bidx(&mut tx, &write.id_type, &write.id_bidx).await?
        && existing.id != id
    {
        return Err(duplicate(&existing));
    }
    if !store::update(&mut tx, id, version, &write, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    let changes = audit::changes(&before.audit_view(), &p.audit_view());
    audit::record(&mut tx, &actor.audit(), "person_updated", "person", id, changes.clone()).await?;
    let after = if changes.as_object().is_some_and(|c| !c.is_empty()) {
        let subject = Subject::Person { was_floating: before.kind == "floating" };
        let written = PersonWritten { person_id: id, subject, action: "changed", detail: changes };
        observe::person_written(state, &mut tx, actor, written).await?
    } else {
        AfterCommit::default()
    };
    tx.commit().await?;
    after.run(state);
    let row = store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    Ok(present(row, None))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub version: i64,
    pub status: String,
    pub date: String,
    pub reason: String,
}

/// Moving out, death, a floating person leaving, or coming back: dated, with a reason, never a delete.
pub async fn change_status(state: &AppState, actor: &Actor, id: i64, input: &StatusInput) -> AppResult<PersonOut> {
    actor.require(Permission::EditRegister)?;
    let scope = scope_of(actor)?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    let allowed = match (row.status.as_str(), input.status.as_str()) {
        ("active", "moved_out") => row.kind != "floating",
        ("active", "left") => row.kind == "floating",
        ("active", "deceased") => true,
        ("moved_out" | "left", "active") => true,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Conflict(format!(
            "不能从“{}”改为“{}”",
            status_label(&row.status),
            status_label(&input.status)
        )));
    }
    let date = check_date("date", &input.date)?;
    if date > state.clock.today() {
        return Err(AppError::field("date", "日期不能晚于今天"));
    }
    let reason = check_text("reason", "原因", &input.reason, 200, true)?;
    let mut tx = state.db.begin().await?;
    if !store::set_status(&mut tx, id, input.version, &input.status, &date.to_string(), &reason, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    let change =
        json!({ "status": { "from": row.status, "to": input.status }, "date": date.to_string(), "reason": reason });
    audit::record(&mut tx, &actor.audit(), "person_status", "person", id, change.clone()).await?;
    let written = PersonWritten {
        person_id: id,
        subject: Subject::Person { was_floating: false },
        action: "changed",
        detail: change,
    };
    let after = observe::person_written(state, &mut tx, actor, written).await?;
    tx.commit().await?;
    after.run(state);
    let row = store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    Ok(present(row, None))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteInput {
    pub version: i64,
    pub reason: String,
}

/// Deletes a record entered by mistake (permission and reason required; the row stays, marked deleted).
pub async fn delete(state: &AppState, actor: &Actor, id: i64, input: &DeleteInput) -> AppResult<()> {
    actor.require(Permission::DeleteRecords)?;
    let scope = scope_of(actor)?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    let reason = check_text("reason", "删除原因", &input.reason, 200, true)?;
    let mut tx = state.db.begin().await?;
    let today = state.clock.today().to_string();
    if !store::set_status(&mut tx, id, input.version, "deleted", &today, &reason, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "person_deleted",
        "person",
        id,
        json!({ "reason": reason, "status_before": row.status }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Field-level history of a person (who changed what, when), from the audit trail.
pub async fn history(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<audit::AuditRow>> {
    let scope = scope_of(actor)?;
    store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    audit::changes_of(&state.db, "person", &id.to_string()).await
}
