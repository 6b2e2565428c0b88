//! The patrol checklist: reading it, adding and changing items (version-checked).

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::events::reads as event_reads;
use crate::domains::org::model::check_text;
use crate::domains::patrols::store::{self, ItemRow};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

/// The checklist (active and retired items).
pub async fn checklist(state: &AppState, actor: &Actor) -> AppResult<Vec<ItemRow>> {
    if !actor.can(Permission::FieldWork)
        && !actor.can(Permission::ReadSupervision)
        && !actor.can(Permission::ManageSupervisionSettings)
    {
        return Err(AppError::forbidden());
    }
    Ok(store::checklist(&state.db).await?)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub name: Option<String>,
    pub hint: Option<String>,
    pub event_category: Option<String>,
    pub sort: Option<i64>,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

async fn check_item(state: &AppState, cur: Option<&ItemRow>, i: &ItemInput) -> AppResult<ItemRow> {
    let mut e = FieldErrors::new();
    let name = i.name.clone().or_else(|| cur.map(|c| c.name.clone())).unwrap_or_default();
    let name = AppError::gather(&mut e, check_text("name", "检查项名称", &name, 30, true));
    let hint = i.hint.clone().or_else(|| cur.map(|c| c.hint.clone())).unwrap_or_default();
    let hint = AppError::gather(&mut e, check_text("hint", "检查要点", &hint, 200, false));
    let category = i.event_category.clone().or_else(|| cur.map(|c| c.event_category.clone())).unwrap_or_default();
    if category.is_empty() {
        e.insert("event_category".into(), "请选择发现问题时上报的事件类别".into());
    } else if event_reads::category(&state.db, &category).await?.filter(|c| c.active).is_none() {
        e.insert("event_category".into(), "事件类别不存在或已停用".into());
    }
    let sort = i.sort.or(cur.map(|c| c.sort)).unwrap_or(100);
    if !(0..=10_000).contains(&sort) {
        e.insert("sort".into(), "排序应在 0–10000 之间".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(ItemRow {
        id: cur.map(|c| c.id).unwrap_or(0),
        name,
        hint,
        event_category: category,
        sort,
        active: i.active.or(cur.map(|c| c.active)).unwrap_or(true),
        version: i.version.unwrap_or(0),
    })
}

/// Adds a checklist item.
pub async fn add_item(state: &AppState, actor: &Actor, i: &ItemInput) -> AppResult<ItemRow> {
    actor.require(Permission::ManageSupervisionSettings)?;
    let item = check_item(state, None, i).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert_item(&mut tx, &item, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("name", "已有同名的检查项") } else { e.into() }
    })?;
    audit::record(&mut tx, &actor.audit(), "patrol_item_created", "patrol_item", id, json!({ "name": item.name }))
        .await?;
    let row = store::item_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("检查项"))?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a checklist item (version-checked); `active: false` retires it (past results are kept).
pub async fn update_item(state: &AppState, actor: &Actor, id: i64, i: &ItemInput) -> AppResult<ItemRow> {
    actor.require(Permission::ManageSupervisionSettings)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let mut tx = state.db.begin().await?;
    let cur = store::item_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("检查项"))?;
    tx.commit().await?;
    let mut next = check_item(state, Some(&cur), i).await?;
    next.version = version;
    let mut tx = state.db.begin().await?;
    let ok = store::update_item(&mut tx, &next, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("name", "已有同名的检查项") } else { e.into() }
    })?;
    if !ok {
        return Err(AppError::Conflict("检查项已被他人修改，请刷新后重试".into()));
    }
    let view = |m: &ItemRow| json!({ "name": m.name, "hint": m.hint, "event_category": m.event_category, "sort": m.sort, "active": m.active });
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_item_updated",
        "patrol_item",
        id,
        audit::changes(&view(&cur), &view(&next)),
    )
    .await?;
    let row = store::item_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("检查项"))?;
    tx.commit().await?;
    Ok(row)
}
