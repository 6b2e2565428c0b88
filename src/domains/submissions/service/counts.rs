//! The counts per town, kind and department of the submissions first sent in a period.

use super::NO_DEPARTMENT;
use crate::auth::Actor;
use crate::clock::DAY;
use crate::domains::events::queries::day_start;
use crate::domains::events::service::visibility;
use crate::domains::org::tree;
use crate::domains::submissions::model::kind_label;
use crate::domains::submissions::store::{self, StatRow};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub area: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One line of the counts, with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct StatOut {
    #[serde(flatten)]
    pub row: StatRow,
    pub kind_label: &'static str,
    pub department: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StatTotals {
    pub sent: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub returned: i64,
    pub waiting: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub items: Vec<StatOut>,
    pub totals: StatTotals,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Counts per town × kind × department of the submissions first sent in the period (`from`, `to`
/// inclusive dates), by their state now: sent, signed (on time), returned, waiting, overdue.
pub async fn stats(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<Stats> {
    let vis = visibility(actor)?;
    let area_path = match q.area {
        Some(a) => Some(
            tree::get(&state.db, actor.scope.path(), a)
                .await?
                .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?
                .path,
        ),
        None => None,
    };
    let from = q.from.as_deref().filter(|s| !s.is_empty());
    let to = q.to.as_deref().filter(|s| !s.is_empty());
    let from_ms = from.map(|f| day_start("from", f)).transpose()?;
    let to_ms = to.map(|t| day_start("to", t).map(|t| t + DAY)).transpose()?;
    let rows = store::stats(&state.db, &vis, area_path.as_deref(), from_ms, to_ms, actor.now).await?;
    let mut totals = StatTotals::default();
    for r in &rows {
        totals.sent += r.sent;
        totals.signed += r.signed;
        totals.signed_on_time += r.signed_on_time;
        totals.returned += r.returned;
        totals.waiting += r.waiting;
        totals.overdue += r.overdue;
    }
    let items = rows
        .into_iter()
        .map(|r| StatOut {
            kind_label: kind_label(&r.kind),
            department: r.department_name.clone().unwrap_or_else(|| NO_DEPARTMENT.into()),
            row: r,
        })
        .collect();
    Ok(Stats { items, totals, from: from.map(str::to_owned), to: to.map(str::to_owned) })
}
