//! The figures of events for an area and a period (default: this month), rolled up to each child
//! area, by top-level category and by department, plus the average time of each step.

use super::figures::{Counts, Figures, Period};
use super::store;
use super::workflow::Step;
use crate::auth::{Actor, Permission};
use crate::domains::org::tree::{self, AreaFilter};
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
    let area = tree::get(&state.db, &scope, q.area.unwrap_or(actor.scope.area_id()))
        .await?
        .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
    let (from, to, p) = period_of(actor, q)?;
    let children: Vec<Child> = tree::list(
        &state.db,
        &AreaFilter { scope_path: scope.clone(), parent: Some(area.id), ..Default::default() },
        Paging::new(Some(1), Some(200)),
    )
    .await?
    .items
    .into_iter()
    .map(|c| Child { id: c.id, name: c.name, path: c.path })
    .collect();
    let f = figures_under(&state.db, &area.path, &children, p).await?;
    Ok(EventStats {
        area_id: area.id,
        area_name: area.name,
        from,
        to,
        totals: f.totals,
        by_area: f.by_area,
        by_category: f.by_category,
        by_department: f.by_department,
        steps: f.steps,
    })
}

/// A child area the figures are rolled up to.
pub struct Child {
    pub id: i64,
    pub name: String,
    pub path: String,
}

/// The figures of the events under a path: in all, per child area, per top-level category, per
/// department that held them, and the time of each step.
pub struct Rollup {
    pub totals: Figures,
    pub by_area: Vec<Unit>,
    pub by_category: Vec<Unit>,
    pub by_department: Vec<Unit>,
    pub steps: Vec<StepTime>,
}

pub async fn figures_under(db: &crate::db::Db, path: &str, children: &[Child], p: Period) -> AppResult<Rollup> {
    let (areas, departments) = store::figure_counts(db, path, p).await?;
    let cats = store::categories(db).await?;
    let top_of: HashMap<&str, &str> =
        cats.iter().map(|c| (c.code.as_str(), c.parent_code.as_deref().unwrap_or(c.code.as_str()))).collect();
    let (mut totals, mut by_child, mut by_top) = (Counts::default(), HashMap::new(), HashMap::new());
    for r in &areas {
        totals.add(&r.counts);
        by_child.entry(format!("{path}{}", r.child)).or_insert_with(Counts::default).add(&r.counts);
        let top = top_of.get(r.category.as_str()).copied().unwrap_or(r.category.as_str());
        by_top.entry(top).or_insert_with(Counts::default).add(&r.counts);
    }
    let by_area = children
        .iter()
        .map(|c| Unit {
            id: c.id.to_string(),
            name: c.name.clone(),
            figures: Figures::of(by_child.get(&c.path).unwrap_or(&Counts::default())),
        })
        .collect();
    let by_category = cats
        .iter()
        .filter(|c| c.parent_code.is_none())
        .filter_map(|c| {
            let counts = by_top.get(c.code.as_str())?;
            Some(Unit { id: c.code.clone(), name: c.name.clone(), figures: Figures::of(counts) })
        })
        .collect();
    let by_dept: HashMap<i64, &Counts> = departments.iter().map(|d| (d.department_id, &d.counts)).collect();
    let ids: Vec<i64> = by_dept.keys().copied().collect();
    let by_department = crate::domains::org::tree::department_names(db, &ids)
        .await?
        .into_iter()
        .filter_map(|(id, name)| Some(Unit { id: id.to_string(), name, figures: Figures::of(by_dept.get(&id)?) }))
        .collect();
    let steps = store::step_totals(db, path, p.from, p.to)
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
    Ok(Rollup { totals: Figures::of(&totals), by_area, by_category, by_department, steps })
}
