//! Patrols as callers use them: start and end one's own patrol, post track points (distance computed
//! here by the rule in `model::step`), record the checklist and findings, turn a finding into an
//! event; check in once a day; lists and figures within the caller's scope; edit the checklist.

mod check_in;
mod checklist;
mod figures;
mod findings;
mod track;

use super::model;
use super::store::{self, CheckRow, FindingRow, ItemRow, PatrolRow, PointRow};
use crate::auth::{Actor, Permission};
use crate::clock::format_local;
use crate::domains::org::tree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
pub use check_in::{CheckInInput, check_in, my_check_in};
pub use checklist::{ItemInput, add_item, checklist, update_item};
pub use figures::{Figures, FiguresQuery, GridLine, ListQuery, WorkerLine, check_ins, figures, list, period};
pub use findings::{
    CheckInput, ChecksInput, FindingInput, ReportFindingInput, add_finding, record_checks, report_finding,
};
use serde::Serialize;
pub use track::{EndInput, OFFLINE_WINDOW, PointInput, PointsInput, StartInput, add_points, end, start};

const CHANGED: &str = "巡查记录已被更新，请刷新后重试";

/// A patrol as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PatrolOut {
    #[serde(flatten)]
    pub row: PatrolRow,
    pub open: bool,
    pub minutes: i64,
    pub started_text: String,
    pub ended_text: String,
    pub km: String,
}

pub fn out(row: PatrolRow) -> PatrolOut {
    PatrolOut {
        open: row.ended_at.is_none(),
        minutes: model::minutes(row.started_at, row.ended_at),
        started_text: format_local(row.started_at),
        ended_text: row.ended_at.map(format_local).unwrap_or_default(),
        km: format!("{:.2}", row.metres as f64 / 1000.0),
        row,
    }
}

/// A checklist item with this patrol's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOut {
    pub item: ItemRow,
    pub result: Option<CheckRow>,
    pub result_label: &'static str,
}

/// A finding with its time in words.
#[derive(Debug, Clone, Serialize)]
pub struct FindingOut {
    #[serde(flatten)]
    pub row: FindingRow,
    pub found_text: String,
}

fn finding_out(row: FindingRow) -> FindingOut {
    FindingOut { found_text: format_local(row.found_at), row }
}

#[derive(Debug, Clone, Serialize)]
pub struct PatrolDetail {
    #[serde(flatten)]
    pub patrol: PatrolOut,
    pub track: Vec<PointRow>,
    pub checklist: Vec<CheckOut>,
    pub findings: Vec<FindingOut>,
    /// The grid boundary (GeoJSON), if drawn.
    #[serde(skip)]
    pub boundary: Option<String>,
}

fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::FieldWork) || actor.can(Permission::ReadSupervision) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// One patrol in the caller's scope with its track, checklist and findings.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<PatrolDetail> {
    may_read(actor)?;
    let p = store::patrol(&state.db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    let track = store::points_of(&state.db, id).await?;
    let checks = store::checks_of(&state.db, id).await?;
    let checklist = store::checklist(&state.db)
        .await?
        .into_iter()
        .filter(|i| i.active || checks.iter().any(|c| c.item_id == i.id))
        .map(|item| {
            let result = checks.iter().find(|c| c.item_id == item.id).cloned();
            let result_label = result.as_ref().map(|r| model::result_label(&r.result)).unwrap_or("未检查");
            CheckOut { item, result, result_label }
        })
        .collect();
    let findings = store::findings_of(&state.db, id).await?.into_iter().map(finding_out).collect();
    let boundary = tree::get(&state.db, "/", p.grid_id).await?.and_then(|a| a.boundary);
    Ok(PatrolDetail { patrol: out(p), track, checklist, findings, boundary })
}

/// The caller's own patrol in progress.
pub async fn current(state: &AppState, actor: &Actor) -> AppResult<Option<PatrolOut>> {
    actor.require(Permission::FieldWork)?;
    Ok(store::open_patrol_of(&state.db, actor.id).await?.map(out))
}

/// A patrol the caller may write to: in scope, their own.
async fn own(state: &AppState, actor: &Actor, id: i64) -> AppResult<PatrolRow> {
    actor.require(Permission::FieldWork)?;
    let p = store::patrol(&state.db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    if p.account_id != actor.id {
        return Err(AppError::Forbidden("只能记录本人的巡查".into()));
    }
    Ok(p)
}
