//! The figures of events for an area and a period (default: this month), rolled up to each child
//! area, by top-level category and by department, plus the average time of each step.

use super::figures::{EventFacts, Figures, Period};
use super::store;
use super::workflow::Step;
use crate::auth::{Actor, Permission};
use crate::domains::org::area_store::{self, AreaFilter};
use crate::domains::org::department_store;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::Paging;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub area: Option<i64>,
    /// First day, `2026-03-01` (default: the first of this month).
    pub from: Option<String>,
    /// Last day, inclusive (default: today).
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepTime {
    pub step: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub average_minutes: Option<f64>,
    pub over_limit: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventStats {
    pub area_id: i64,
    pub area_name: String,
    pub from: String,
    pub to: String,
    pub totals: Figures,
    pub by_area: Vec<Unit>,
    pub by_category: Vec<Unit>,
    pub by_department: Vec<Unit>,
    pub steps: Vec<StepTime>,
}

/// The period of a query, as dates (inclusive) and as a half-open time range.
pub fn period_of(actor: &Actor, q: &StatsQuery) -> AppResult<(String, String, Period)> {
    let today = crate::clock::to_local(actor.now).date_naive();
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => s.to_owned(),
        None => today.with_day(1).unwrap_or(today).to_string(),
    };
    let to = q.to.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| today.to_string());
    let p = Period {
        from: super::queries::day_start("from", &from)?,
        to: super::queries::day_start("to", &to)? + crate::clock::DAY,
    };
    if p.to <= p.from {
        return Err(AppError::field("to", "结束日期不能早于开始日期"));
    }
    if p.to - p.from > 400 * crate::clock::DAY {
        return Err(AppError::field("to", "统计区间最长 400 天"));
    }
    Ok((from, to, p))
}

pub async fn events(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<EventStats> {
    actor.require(Permission::ReadEvents)?;
    let scope = actor.scope.path().to_owned();
    let area = area_store::get(&state.db, &scope, q.area.unwrap_or(actor.scope.area_id()))
        .await?
        .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
    let (from, to, p) = period_of(actor, q)?;
    let facts = store::facts(&state.db, &area.path, p.from, p.to).await?;
    let totals = Figures::of(&facts, p);
    // Children of the area, each with the events of its subtree.
    let children = area_store::list(
        &state.db,
        &AreaFilter { scope_path: scope.clone(), parent: Some(area.id), ..Default::default() },
        Paging::new(Some(1), Some(200)),
    )
    .await?
    .items;
    let by_area = children
        .iter()
        .map(|c| Unit {
            id: c.id.to_string(),
            name: c.name.clone(),
            figures: Figures::of(facts.iter().filter(|e| e.area_path.starts_with(&c.path)), p),
        })
        .collect();
    // Top-level categories.
    let cats = store::categories(&state.db).await?;
    let mut groups: HashMap<&str, Vec<&EventFacts>> = HashMap::new();
    let mut by_dept: HashMap<i64, Vec<&EventFacts>> = HashMap::new();
    for e in &facts {
        groups.entry(e.top_category.as_str()).or_default().push(e);
        for d in &e.departments {
            by_dept.entry(*d).or_default().push(e);
        }
    }
    let by_category = cats
        .iter()
        .filter(|c| c.parent_code.is_none())
        .filter_map(|c| {
            let list = groups.get(c.code.as_str())?;
            Some(Unit { id: c.code.clone(), name: c.name.clone(), figures: Figures::of(list.iter().copied(), p) })
        })
        .collect();
    // Departments that held events of the area.
    let ids: Vec<i64> = by_dept.keys().copied().collect();
    let by_department = department_store::names(&state.db, &ids)
        .await?
        .into_iter()
        .filter_map(|(id, name)| {
            let list = by_dept.get(&id)?;
            Some(Unit { id: id.to_string(), name, figures: Figures::of(list.iter().copied(), p) })
        })
        .collect();
    let steps = store::step_totals(&state.db, &area.path, p.from, p.to)
        .await?
        .into_iter()
        .filter_map(|(s, n, minutes, over)| {
            let step = Step::parse(&s)?;
            Some(StepTime {
                step: step.as_str(),
                label: step.label(),
                count: n,
                average_minutes: (n > 0).then(|| minutes as f64 / n as f64),
                over_limit: over,
            })
        })
        .collect();
    Ok(EventStats {
        area_id: area.id,
        area_name: area.name,
        from,
        to,
        totals,
        by_area,
        by_category,
        by_department,
        steps,
    })
}
