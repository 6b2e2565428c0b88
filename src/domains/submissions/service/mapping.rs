//! The kind → department mapping: which department kind signs a kind, its limit and yellow card.

use super::check_kind;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::events::calendar::Limit;
use crate::domains::org::model::{DEPARTMENT_KINDS, department_kind_label};
use crate::domains::submissions::model::kind_label;
use crate::domains::submissions::store::{self, MappingRow};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A mapping line with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct MappingOut {
    #[serde(flatten)]
    pub row: MappingRow,
    pub kind_label: &'static str,
    pub department_kind_label: &'static str,
    pub sign_limit_label: String,
}

fn mapping_out(row: MappingRow) -> MappingOut {
    MappingOut {
        kind_label: kind_label(&row.kind),
        department_kind_label: department_kind_label(&row.department_kind),
        sign_limit_label: Limit::parse(&row.sign_limit).map(Limit::label).unwrap_or_default(),
        row,
    }
}

pub async fn mapping(state: &AppState, actor: &Actor) -> AppResult<Vec<MappingOut>> {
    if !actor.can(Permission::ReadEvents) && !actor.can(Permission::ManageEventSettings) {
        return Err(AppError::forbidden());
    }
    Ok(store::mapping(&state.db).await?.into_iter().map(mapping_out).collect())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    pub kind: Option<String>,
    pub version: Option<i64>,
    pub department_kind: Option<String>,
    pub sign_limit: Option<String>,
    pub yellow_pct: Option<i64>,
    pub enabled: Option<bool>,
}

/// Changes which department kind signs a kind, its sign-off limit (`3d`, `8h`), the yellow-card
/// share of the limit, or whether the kind is submitted at all. Applies to submissions sent afterwards.
pub async fn update_mapping(state: &AppState, actor: &Actor, i: &MappingInput) -> AppResult<MappingOut> {
    actor.require(Permission::ManageEventSettings)?;
    let kind = i.kind.clone().unwrap_or_default();
    check_kind("kind", &kind)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur = store::mapping(&state.db)
        .await?
        .into_iter()
        .find(|m| m.kind == kind)
        .ok_or_else(|| AppError::not_found("报送类别"))?;
    let mut e = FieldErrors::new();
    let next = MappingRow {
        kind: kind.clone(),
        department_kind: i.department_kind.clone().unwrap_or_else(|| cur.department_kind.clone()),
        sign_limit: i.sign_limit.clone().map(|s| s.trim().to_owned()).unwrap_or_else(|| cur.sign_limit.clone()),
        yellow_pct: i.yellow_pct.unwrap_or(cur.yellow_pct),
        enabled: i.enabled.unwrap_or(cur.enabled),
        version,
    };
    if !DEPARTMENT_KINDS.iter().any(|(k, _)| *k == next.department_kind) {
        e.insert(
            "department_kind".into(),
            "部门类型只能是 police_station、justice_office、health_center 等部门类型之一".into(),
        );
    }
    if Limit::parse(&next.sign_limit).is_none() {
        e.insert("sign_limit".into(), "时限写作“数字+h”（工作小时）或“数字+d”（工作日），如 3d".into());
    }
    if !(1..=100).contains(&next.yellow_pct) {
        e.insert("yellow_pct".into(), "黄牌阈值为时限的百分比（1–100）".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let mut tx = state.db.begin().await?;
    if !store::update_mapping(&mut tx, &next, actor.now).await? {
        return Err(AppError::Conflict("报送设置已被他人修改，请刷新后重试".into()));
    }
    let view = |m: &MappingRow| json!({ "department_kind": m.department_kind, "sign_limit": m.sign_limit, "yellow_pct": m.yellow_pct, "enabled": m.enabled });
    audit::record(
        &mut tx,
        &actor.audit(),
        "submission_mapping_updated",
        "submission_mapping",
        &kind,
        audit::changes(&view(&cur), &view(&next)),
    )
    .await?;
    tx.commit().await?;
    store::mapping(&state.db)
        .await?
        .into_iter()
        .find(|m| m.kind == kind)
        .map(mapping_out)
        .ok_or_else(|| AppError::not_found("报送类别"))
}
