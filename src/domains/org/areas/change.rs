//! Changing an area: edit (version-checked), move under another parent (codes renumbered), retire.

use super::create::{check_details, check_subkind};
use super::{AreaOut, get, row_in_scope};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::domains::org::area_store as store;
use crate::domains::org::model::{AreaKind, check_text};
use crate::error::{AppError, AppResult, FieldErrors};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAreaInput {
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub subkind: Option<String>,
    /// `null` or absent keeps the boundary; `{"clear": true}` is not needed: send `clear_boundary`.
    #[serde(default)]
    pub boundary: Option<Value>,
    #[serde(default)]
    pub clear_boundary: Option<bool>,
    #[serde(default)]
    pub households: Option<i64>,
    #[serde(default)]
    pub area_note: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

fn stale() -> AppError {
    AppError::Conflict("数据已被他人修改，请刷新后重试".into())
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: &UpdateAreaInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let row = row_in_scope(db, actor, id).await?;
    if row.status != "active" {
        return Err(AppError::Conflict("已撤销的区域不能修改".into()));
    }
    let kind = AreaKind::parse(&row.kind).unwrap_or(AreaKind::Grid);
    let mut errors = FieldErrors::new();
    let name = match check_text("name", "名称", input.name.as_deref().unwrap_or(&row.name), 50, true) {
        Ok(n) => n,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let subkind = match check_subkind(kind, Some(input.subkind.as_deref().unwrap_or(&row.subkind))) {
        Ok(s) => s,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let d = check_details(
        kind,
        input.boundary.as_ref(),
        input.households.or(row.households),
        Some(input.area_note.as_deref().unwrap_or(row.area_note.as_deref().unwrap_or(""))),
        Some(input.note.as_deref().unwrap_or(row.note.as_deref().unwrap_or(""))),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let boundary = if input.clear_boundary == Some(true) { None } else { d.boundary.or(row.boundary.clone()) };
    let before = json!({ "name": row.name, "subkind": row.subkind, "boundary": row.boundary, "households": row.households, "area_note": row.area_note, "note": row.note });
    let after = json!({ "name": name, "subkind": subkind, "boundary": boundary, "households": d.households, "area_note": d.area_note, "note": d.note });
    let mut tx = db.begin().await?;
    if !store::update(
        &mut tx,
        id,
        input.version,
        &name,
        &subkind,
        boundary,
        d.households,
        d.area_note,
        d.note,
        actor.now,
    )
    .await?
    {
        return Err(stale());
    }
    audit::record(&mut tx, &actor.audit(), "area_updated", "area", id, audit::changes(&before, &after)).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveAreaInput {
    pub version: i64,
    pub parent_id: i64,
}

/// Moves an area (with its subtree) under another parent of the right kind; codes are re-derived
/// from the new parent, and each row's old place is kept in the move history.
pub async fn move_area(db: &Db, actor: &Actor, id: i64, input: &MoveAreaInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let row = row_in_scope(db, actor, id).await?;
    let kind = AreaKind::parse(&row.kind).unwrap_or(AreaKind::Grid);
    let Some(old_parent_id) = row.parent_id else {
        return Err(AppError::field("parent_id", "县级区域不能移动"));
    };
    if row.status != "active" {
        return Err(AppError::Conflict("已撤销的区域不能移动".into()));
    }
    let target = row_in_scope(db, actor, input.parent_id)
        .await
        .map_err(|_| AppError::field("parent_id", "目标上级不存在或不在您的管辖范围内"))?;
    if target.path.starts_with(&row.path) {
        return Err(AppError::field("parent_id", "不能移动到自身或自己的下级之下（会形成循环）"));
    }
    if AreaKind::parse(&target.kind) != kind.parent_kind() {
        return Err(AppError::field(
            "parent_id",
            format!("{}只能移动到{}之下", kind.label(), kind.parent_kind().map(AreaKind::label).unwrap_or("")),
        ));
    }
    if target.status != "active" {
        return Err(AppError::field("parent_id", "目标上级已撤销"));
    }
    if target.id == old_parent_id {
        return Err(AppError::field("parent_id", "已在该上级之下"));
    }
    let mut tx = db.begin().await?;
    let current = store::get_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("区域"))?;
    if current.version != input.version {
        return Err(stale());
    }
    let new_code = next_code(&mut tx, kind, &row.code, &target.code).await?;
    let new_path = crate::domains::org::model::child_path(&target.path, id);
    let rows = store::subtree(&mut tx, &row.path).await?;
    // Parked paths first, so the unique index never sees two rows on one path mid-move.
    for r in &rows {
        store::set_place(&mut tx, r.id, r.parent_id, &format!("#move{}", r.id), &format!("#move{}", r.id), actor.now)
            .await?;
    }
    for r in &rows {
        let path = format!("{new_path}{}", &r.path[row.path.len()..]);
        let code = format!("{new_code}{}", &r.code[row.code.len().min(r.code.len())..]);
        let parent = if r.id == id { Some(target.id) } else { r.parent_id };
        store::set_place(&mut tx, r.id, parent, &path, &code, actor.now).await?;
        let from_parent = r.parent_id.unwrap_or(old_parent_id);
        store::insert_move(
            &mut tx,
            r.id,
            from_parent,
            parent.unwrap_or(target.id),
            &r.code,
            &code,
            actor.now,
            Some(actor.id),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "area_moved",
        "area",
        id,
        json!({ "parent_id": { "from": old_parent_id, "to": target.id }, "code": { "from": row.code, "to": new_code }, "subtree_rows": rows.len() }),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// The code an area gets under a new parent: the same own digits if free, else the next free ones.
async fn next_code(tx: &mut crate::db::Tx, kind: AreaKind, old_code: &str, parent_code: &str) -> AppResult<String> {
    let (prefix, own_len, suffix) = match kind {
        AreaKind::Community => (&parent_code[..9], 3usize, ""),
        AreaKind::Grid => (parent_code, old_code.len().saturating_sub(12).clamp(2, 3), ""),
        AreaKind::Town => (parent_code, 3usize, "000"),
        AreaKind::County => return Err(AppError::field("parent_id", "县级区域不能移动")),
    };
    let own_start = match kind {
        AreaKind::Town => 6,
        AreaKind::Community => 9,
        _ => 12,
    };
    let own = &old_code[own_start..(own_start + own_len).min(old_code.len())];
    let candidate = format!("{prefix}{own}{suffix}");
    if !store::code_taken(tx, &candidate).await? {
        return Ok(candidate);
    }
    let max = 10usize.pow(own_len as u32);
    for n in 1..max {
        let c = format!("{prefix}{n:0width$}{suffix}", width = own_len);
        if !store::code_taken(tx, &c).await? {
            return Ok(c);
        }
    }
    Err(AppError::Conflict("目标上级下已没有可用的编码".into()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetireInput {
    pub version: i64,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Retires an area: it stays in the tree's history; its staff assignments end today.
pub async fn retire(db: &Db, actor: &Actor, id: i64, input: &RetireInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let row = row_in_scope(db, actor, id).await?;
    if row.parent_id.is_none() {
        return Err(AppError::Forbidden("县级区域不能撤销".into()));
    }
    if row.status != "active" {
        return Err(AppError::Conflict("该区域已撤销".into()));
    }
    let reason = check_text("reason", "撤销原因", input.reason.as_deref().unwrap_or(""), 200, true)?;
    let mut tx = db.begin().await?;
    if store::active_children(&mut tx, id).await? > 0 {
        return Err(AppError::Conflict("请先撤销或移走其下的区域".into()));
    }
    if store::active_accounts_in(&mut tx, &row.path).await? > 0 {
        return Err(AppError::Conflict("该区域仍绑定有账号，请先停用或调整这些账号".into()));
    }
    if !store::retire(&mut tx, id, input.version, actor.now).await? {
        return Err(stale());
    }
    let today = crate::clock::to_local(actor.now).format("%Y-%m-%d").to_string();
    let ended = crate::domains::org::staff_store::end_assignments_of_grid(&mut tx, id, &today).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "area_retired",
        "area",
        id,
        json!({ "reason": reason, "assignments_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}
