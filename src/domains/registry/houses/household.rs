//! Households (户): validation, lists, one household, create and versioned update.

use super::super::house_store::{self as store, HOUSEHOLDS, HouseholdRow};
use super::*;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Value;
use crate::domains::org::model::check_text;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    pub version: Option<i64>,
    pub grid_id: Option<i64>,
    pub household_no: Option<String>,
    pub house_id: Option<i64>,
    pub address: Option<String>,
    pub head_person_id: Option<i64>,
}

pub async fn list_households(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<HouseholdRow>> {
    let lf = filter(state, actor, q).await?;
    let page: Page<HouseholdRow> = store::list(&state.db, &HOUSEHOLDS, &lf, Paging::new(q.page, q.per_page)).await?;
    audit_read(state, actor, "household", page.items.iter().map(|h| h.id).collect()).await?;
    Ok(page)
}

pub async fn get_household(state: &AppState, actor: &Actor, id: i64) -> AppResult<HouseholdRow> {
    let h: HouseholdRow =
        store::get(&state.db, &HOUSEHOLDS, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("户"))?;
    audit_read(state, actor, "household", vec![id]).await?;
    Ok(h)
}

pub(in crate::domains::registry) async fn check_household(
    state: &AppState,
    actor: &Actor,
    grid: i64,
    i: &HouseholdInput,
) -> AppResult<Vec<Value>> {
    let mut e = FieldErrors::new();
    let no = take(&mut e, check_text("household_no", "户号", i.household_no.as_deref().unwrap_or(""), 30, true));
    if !no.is_empty() && !no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        e.insert("household_no".into(), "户号只能由字母、数字和 - 组成".into());
    }
    let address = take(&mut e, check_text("address", "地址", i.address.as_deref().unwrap_or(""), 200, false));
    if let Some(h) = i.house_id
        && store::grid_of_house(&state.db, h).await? != Some(grid)
    {
        e.insert("house_id".into(), "房屋不存在或不在该网格".into());
    }
    if let Some(p) = i.head_person_id
        && store::persons_in_scope(&state.db, actor.scope.path(), &[p]).await? != 1
    {
        e.insert("head_person_id".into(), "户主不存在或不在您的管辖范围内".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(vec![grid.into(), no.into(), i.house_id.into(), address.into(), i.head_person_id.into()])
}

pub(in crate::domains::registry) const HOUSEHOLD_COLS: [&str; 5] =
    ["grid_id", "household_no", "house_id", "address", "head_person_id"];

pub async fn create_household(state: &AppState, actor: &Actor, i: &HouseholdInput) -> AppResult<HouseholdRow> {
    actor.require(Permission::EditRegister)?;
    let grid =
        grid_in_scope(state, actor, i.grid_id.ok_or_else(|| AppError::field("grid_id", "请选择所属网格"))?).await?;
    let values = check_household(state, actor, grid, i).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, "households", &HOUSEHOLD_COLS, values, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("household_no", "户号已存在") } else { e.into() }
    })?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "household_created",
        "household",
        id,
        json!({ "household_no": i.household_no, "grid_id": grid }),
    )
    .await?;
    tx.commit().await?;
    get_household(state, actor, id).await
}

pub async fn update_household(state: &AppState, actor: &Actor, id: i64, i: &HouseholdInput) -> AppResult<HouseholdRow> {
    actor.require(Permission::EditRegister)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur: HouseholdRow =
        store::get(&state.db, &HOUSEHOLDS, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("户"))?;
    let merged = HouseholdInput {
        version: Some(version),
        grid_id: Some(cur.grid_id),
        household_no: Some(i.household_no.clone().unwrap_or(cur.household_no.clone())),
        house_id: i.house_id.or(cur.house_id),
        address: Some(i.address.clone().unwrap_or(cur.address.clone())),
        head_person_id: i.head_person_id.or(cur.head_person_id),
    };
    let values = check_household(state, actor, cur.grid_id, &merged).await?;
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, "households", id, version, &HOUSEHOLD_COLS, values, actor.now).await? {
        return Err(stale());
    }
    let before = json!({ "household_no": cur.household_no, "house_id": cur.house_id, "address": cur.address, "head_person_id": cur.head_person_id });
    let after = json!({ "household_no": merged.household_no, "house_id": merged.house_id, "address": merged.address, "head_person_id": merged.head_person_id });
    audit::record(&mut tx, &actor.audit(), "household_updated", "household", id, audit::changes(&before, &after))
        .await?;
    tx.commit().await?;
    get_household(state, actor, id).await
}

// ---- rentals -------------------------------------------------------------------------------
