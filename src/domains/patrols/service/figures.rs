//! Patrol lists and figures within the caller's scope, over a period of Beijing dates.

use super::{PatrolOut, may_read, out};
use crate::auth::{Actor, Permission};
use crate::clock::DAY;
use crate::domains::events::queries::day_start;
use crate::domains::org::tree;
use crate::domains::patrols::model;
use crate::domains::patrols::store::{self, CheckInRow, PatrolFilter};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};

/// Resolves `area` (in scope) to its path; the caller's scope when absent.
async fn area_path(state: &AppState, actor: &Actor, area: Option<i64>) -> AppResult<String> {
    match area {
        Some(a) => Ok(tree::get(&state.db, actor.scope.path(), a)
            .await?
            .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?
            .path),
        None => Ok(actor.scope.path().to_owned()),
    }
}

/// `from`/`to` dates (inclusive) to `[from, to)` in milliseconds; default the last 30 days.
pub fn period(actor: &Actor, from: Option<&str>, to: Option<&str>) -> AppResult<(i64, i64, String, String)> {
    let today = model::day_of(actor.now);
    let to_s = to.filter(|s| !s.trim().is_empty()).unwrap_or(&today).trim().to_owned();
    let to_ms = day_start("to", &to_s)? + DAY;
    let from_s = match from.filter(|s| !s.trim().is_empty()) {
        Some(f) => f.trim().to_owned(),
        None => model::day_of(to_ms - 30 * DAY),
    };
    let from_ms = day_start("from", &from_s)?;
    if from_ms >= to_ms {
        return Err(AppError::field("from", "开始日期不能晚于结束日期"));
    }
    if to_ms - from_ms > 400 * DAY {
        return Err(AppError::field("from", "一次最多统计 400 天"));
    }
    Ok((from_ms, to_ms, from_s, to_s))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub area: Option<i64>,
    pub account: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Patrols in the caller's scope, newest first.
pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<PatrolOut>> {
    may_read(actor)?;
    let path = area_path(state, actor, q.area).await?;
    let (from, to, _, _) = period(actor, q.from.as_deref(), q.to.as_deref())?;
    let pf = PatrolFilter { scope_path: path, account_id: q.account, from: Some(from), to: Some(to) };
    Ok(store::list(&state.db, &pf, Paging::new(q.page, q.per_page)).await?.map(out))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    pub area: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkerLine {
    #[serde(flatten)]
    pub f: store::WorkerFigures,
    pub account_name: String,
    pub grid_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridLine {
    #[serde(flatten)]
    pub f: store::GridFigures,
    pub grid_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub from: String,
    pub to: String,
    pub workers: Vec<WorkerLine>,
    pub grids: Vec<GridLine>,
}

/// Patrol days, minutes, metres and findings per worker (in each grid) and per grid, of the patrols
/// started between `from` and `to` (Beijing dates, inclusive) in the area.
pub async fn figures(state: &AppState, actor: &Actor, q: &FiguresQuery) -> AppResult<Figures> {
    actor.require(Permission::ReadSupervision)?;
    let path = area_path(state, actor, q.area).await?;
    let (from, to, from_s, to_s) = period(actor, q.from.as_deref(), q.to.as_deref())?;
    let w = store::worker_figures(&state.db, &path, from, to).await?;
    let g = store::grid_figures(&state.db, &path, from, to).await?;
    let accounts: Vec<i64> = w.iter().map(|x| x.account_id).collect();
    let grids: Vec<i64> = g.iter().map(|x| x.grid_id).collect();
    let an = store::names(&state.db, "accounts", &accounts).await?;
    let gn = store::names(&state.db, "areas", &grids).await?;
    let name = |v: &[(i64, String)], id: i64| v.iter().find(|(i, _)| *i == id).map(|x| x.1.clone()).unwrap_or_default();
    Ok(Figures {
        from: from_s,
        to: to_s,
        workers: w
            .into_iter()
            .map(|f| WorkerLine { account_name: name(&an, f.account_id), grid_name: name(&gn, f.grid_id), f })
            .collect(),
        grids: g.into_iter().map(|f| GridLine { grid_name: name(&gn, f.grid_id), f }).collect(),
    })
}

/// Check-ins in the caller's scope (or an area in it) between two dates.
pub async fn check_ins(state: &AppState, actor: &Actor, q: &FiguresQuery) -> AppResult<Vec<CheckInRow>> {
    actor.require(Permission::ReadSupervision)?;
    let path = area_path(state, actor, q.area).await?;
    let (_, _, from, to) = period(actor, q.from.as_deref(), q.to.as_deref())?;
    Ok(store::check_ins(&state.db, &path, &from, &to).await?)
}
