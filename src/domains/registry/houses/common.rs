//! What every record service shares: the caller's scope, list filters, audited reads, grid checks and field helpers.

use super::super::codes::Codes;
use super::super::house_store::ListFilter;
use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

/// Houses, rentals and places belong to an area scope; departments do not browse them.
pub(in crate::domains::registry) fn scope_path(actor: &Actor) -> AppResult<String> {
    actor.require(Permission::ReadRegister)?;
    match &actor.scope {
        Scope::Area { path, .. } => Ok(path.clone()),
        Scope::Department { .. } => Err(AppError::forbidden()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub q: Option<String>,
    pub area: Option<i64>,
    pub grid: Option<i64>,
    pub status: Option<String>,
    pub house_no: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub(super) async fn filter(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<ListFilter> {
    let mut lf = ListFilter { scope_path: scope_path(actor)?, grid_id: q.grid, q: q.q.clone(), ..Default::default() };
    if let Some(a) = q.area {
        lf.area_path = Some(crate::domains::org::locate::chosen_area(&state.db, &actor.scope, Some(a)).await?.path);
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        lf.status = Some(s.to_owned());
    }
    Ok(lf)
}

pub(super) async fn audit_read(state: &AppState, actor: &Actor, object: &str, ids: Vec<i64>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        &format!("{object}_read"),
        object,
        if ids.len() == 1 { ids[0].to_string() } else { "list".into() },
        json!({ "ids": ids }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An active grid inside the caller's scope.
pub(super) async fn grid_in_scope(state: &AppState, actor: &Actor, grid_id: i64) -> AppResult<i64> {
    crate::domains::org::locate::active_grid_in_scope(&state.db, actor.scope.path(), grid_id).await
}

pub(super) fn take(e: &mut FieldErrors, r: AppResult<String>) -> String {
    AppError::gather(e, r)
}

pub(super) fn code(
    e: &mut FieldErrors,
    codes: &Codes,
    field: &str,
    table: &str,
    label: &str,
    v: &str,
    required: bool,
) -> String {
    if v.trim().is_empty() {
        if required {
            e.insert(field.into(), format!("请选择{label}"));
        }
        return String::new();
    }
    codes.find(table, v).unwrap_or_else(|| {
        e.insert(field.into(), format!("{label}不是代码表中的值"));
        String::new()
    })
}

pub(super) fn coords(e: &mut FieldErrors, lon: Option<f64>, lat: Option<f64>) {
    if let Err(msg) = crate::geo::coords::check_pair(lon, lat) {
        e.insert("lon".into(), format!("经纬度应成对填写，且在有效范围内：{msg}"));
    }
}

pub(super) fn encrypt(state: &AppState, v: &str) -> AppResult<Option<Vec<u8>>> {
    if v.is_empty() { Ok(None) } else { Ok(Some(state.keys.encrypt_str(v)?)) }
}

pub(super) fn stale() -> AppError {
    AppError::Conflict("数据已被他人修改，请刷新后重试".into())
}

// ---- houses --------------------------------------------------------------------------------
