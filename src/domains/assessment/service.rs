//! The monthly assessment: measures per town, community or grid worker from the system's own data
//! (overdue events, unsigned submissions, inactive accounts, missed visits, completion), scored by
//! the configured rules, ranked, each score with its breakdown; and changing the rules.

use super::model::{self, Deduction, Measures, Rule};
use super::store;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::domains::activity::model::ReportPeriod;
use crate::domains::activity::reads as activity_reads;
use crate::domains::activity::service::{self as activity, AreaRef};
use crate::domains::events::figures::Period;
use crate::domains::events::reads as event_reads;
use crate::domains::org::locate::chosen_area;
use crate::domains::org::tree::{self, AreaFilter};
use crate::domains::submissions::reads as submission_reads;
use crate::domains::visits::reads as visits_reads;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::Paging;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingQuery {
    pub area: Option<i64>,
    /// `2026-03` (default: last month).
    pub month: Option<String>,
    /// `town`, `community` or `grid_worker` (default: the level below the area).
    pub level: Option<String>,
}

/// One ranked unit.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub rank: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    pub name: String,
    /// Where the unit is (the grid of a grid worker, the town of a community).
    pub place: String,
    pub score: f64,
    pub deductions: Vec<Deduction>,
    pub measures: Measures,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub area_id: i64,
    pub area_name: String,
    pub month: String,
    pub level: &'static str,
    pub level_label: &'static str,
    pub base: f64,
    pub rules: Vec<Rule>,
    pub items: Vec<Ranked>,
}

const LEVELS: [(&str, &str); 3] = [("town", "乡镇（街道）"), ("community", "村（社区）"), ("grid_worker", "网格员")];

/// Measures per grid path, gathered once for the whole area.
struct GridMeasures(HashMap<String, Measures>);

impl GridMeasures {
    fn entry(&mut self, path: &str) -> &mut Measures {
        self.0.entry(path.to_owned()).or_default()
    }
}

async fn measures_by_path(db: &Db, area: &AreaRef, p: &ReportPeriod) -> AppResult<GridMeasures> {
    let (from, to) = p.millis();
    let mut m = GridMeasures(HashMap::new());
    for r in event_reads::assessment_counts(db, &area.path, Period { from, to }).await? {
        let e = m.entry(&r.area_path);
        e.overdue_events += r.due - r.due_closed_on_time;
        e.arrived += r.arrived;
        e.closed += r.closed;
    }
    for (path, n) in submission_reads::overdue_unsigned_by_grid(db, &area.path, from, to).await? {
        m.entry(&path).unsigned_submissions += n;
    }
    for (_, path, n) in visits_reads::overdue_by_grid(db, &area.path, &p.end.to_string()).await? {
        m.entry(&path).missed_visits += n;
    }
    Ok(m)
}

/// A unit being ranked: an area, or a grid worker's account (with its grid's path).
struct Unit {
    area_id: Option<i64>,
    account_id: Option<i64>,
    name: String,
    place: String,
    path: String,
    /// A grid worker under the activity threshold.
    inactive: bool,
}

/// The longest prefix of `path` (ending in '/') that is a key of `units`.
fn unit_of<'a>(path: &str, units: &'a HashMap<String, usize>) -> Option<&'a usize> {
    path.char_indices().filter(|(_, c)| *c == '/').map(|(i, _)| &path[..=i]).filter_map(|p| units.get(p)).next_back()
}

/// Measures and scores of every unit of a level under an area for a month.
pub async fn rank(
    db: &Db,
    area: &AreaRef,
    area_kind: &str,
    p: &ReportPeriod,
    level: Option<&str>,
) -> AppResult<Ranking> {
    let (level, level_label) = level_of(area_kind, level)?;
    let rules = store::rules(db).await?;
    let base = store::base(db).await?;
    let settings = activity::settings(db).await?;
    // The month's activity threshold and days, as the activity figures define them.
    let m = crate::domains::activity::model::Measure::whole(p.clone(), &settings);
    let min = m.min_days;
    let (first, end) = m.day_keys();
    let (by_path, accounts) = tokio::try_join!(measures_by_path(db, area, p), async {
        activity_reads::account_days(db, &area.path, &first, &end, m.end_millis(), settings.counts_reads)
            .await
            .map_err(AppError::from)
    })?;
    let units = units_of(db, area, level, &accounts, min).await?;
    let measures = measures_of(level, &units, &by_path, &accounts, min);
    let items = ranked(units, measures, base, &rules);
    Ok(Ranking {
        area_id: area.id,
        area_name: area.name.clone(),
        month: p.key(),
        level,
        level_label,
        base,
        rules,
        items,
    })
}

/// The level to rank (default: the one below the area) and its label, if the area has units of it.
fn level_of(area_kind: &str, level: Option<&str>) -> AppResult<(&'static str, &'static str)> {
    let level = match level.filter(|l| !l.is_empty()) {
        Some(l) => l,
        None => match area_kind {
            "county" => "town",
            "town" => "community",
            _ => "grid_worker",
        },
    };
    let (level, level_label) = LEVELS.into_iter().find(|(k, _)| *k == level).ok_or_else(|| {
        AppError::field("level", "排名层级只能是 town（乡镇）、community（社区）或 grid_worker（网格员）")
    })?;
    let depth_ok = match level {
        "town" => area_kind == "county",
        "community" => matches!(area_kind, "county" | "town"),
        _ => true,
    };
    if !depth_ok {
        return Err(AppError::field("level", "所选区域下没有这一层级的单位"));
    }
    Ok((level, level_label))
}

/// The units: areas of the level, or the grid workers.
async fn units_of(
    db: &Db,
    area: &AreaRef,
    level: &str,
    accounts: &[activity_reads::AccountDays],
    min: i64,
) -> AppResult<Vec<Unit>> {
    let mut units: Vec<Unit> = Vec::new();
    if level == "grid_worker" {
        for a in accounts.iter().filter(|a| a.role == "grid_worker" && a.area_id.is_some()) {
            let (name, place, path) = (a.display_name.clone(), a.unit_name.clone(), a.path.clone());
            units.push(Unit { area_id: None, account_id: Some(a.id), name, place, path, inactive: a.days < min });
        }
        return Ok(units);
    }
    let areas = tree::list(
        db,
        &AreaFilter {
            scope_path: area.path.clone(),
            kind: Some(level.to_owned()),
            ancestor_path: Some(area.path.clone()),
            ..Default::default()
        },
        Paging::new(Some(1), Some(5000)),
    )
    .await?
    .items;
    let names: HashMap<i64, String> =
        tree::names(db, &areas.iter().filter_map(|a| a.parent_id).collect::<Vec<_>>()).await?.into_iter().collect();
    for a in areas {
        let place = a.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default();
        units.push(Unit { area_id: Some(a.id), account_id: None, name: a.name, place, path: a.path, inactive: false });
    }
    Ok(units)
}

/// Each unit's measures: its grids' (or its own grid's), and its inactive accounts.
fn measures_of(
    level: &str,
    units: &[Unit],
    by_path: &GridMeasures,
    accounts: &[activity_reads::AccountDays],
    min: i64,
) -> Vec<Measures> {
    let mut measures = vec![Measures::default(); units.len()];
    if level == "grid_worker" {
        // A grid worker answers for their grid, and for their own account's activity.
        for (i, u) in units.iter().enumerate() {
            if let Some(m) = by_path.0.get(&u.path) {
                measures[i] = *m;
            }
            measures[i].inactive_accounts = i64::from(u.inactive);
        }
    } else {
        let index: HashMap<String, usize> = units.iter().enumerate().map(|(i, u)| (u.path.clone(), i)).collect();
        for (path, m) in &by_path.0 {
            if let Some(&i) = unit_of(path, &index) {
                measures[i].add(m);
            }
        }
        for a in accounts.iter().filter(|a| a.area_id.is_some() && a.days < min) {
            if let Some(&i) = unit_of(&a.path, &index) {
                measures[i].inactive_accounts += 1;
            }
        }
    }
    measures
}

/// The units scored by the rules and ranked, best first.
fn ranked(units: Vec<Unit>, measures: Vec<Measures>, base: f64, rules: &[Rule]) -> Vec<Ranked> {
    let scored: Vec<model::Score> = measures.iter().map(|m| model::score(base, rules, m)).collect();
    let ranks = model::ranks(&scored.iter().map(|s| s.score).collect::<Vec<_>>());
    let mut items: Vec<Ranked> = units
        .into_iter()
        .zip(measures)
        .zip(scored)
        .zip(ranks)
        .map(|(((u, measures), s), rank)| Ranked {
            rank,
            area_id: u.area_id,
            account_id: u.account_id,
            name: u.name,
            place: u.place,
            score: s.score,
            deductions: s.deductions,
            measures,
        })
        .collect();
    items.sort_by_key(|r| r.rank);
    items
}

pub async fn ranking(state: &AppState, actor: &Actor, q: &RankingQuery) -> AppResult<Ranking> {
    actor.require(Permission::ReadSupervision)?;
    let area = chosen_area(&state.db, &actor.scope, q.area).await?;
    let kind = tree::get(&state.db, actor.scope.path(), area.id).await?.map(|a| a.kind).unwrap_or_default();
    let today = crate::clock::to_local(actor.now).date_naive();
    let p = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => ReportPeriod::month(m).map_err(|e| AppError::field("month", e))?,
        None => ReportPeriod::month_of(today).previous(),
    };
    if p.first > today {
        return Err(AppError::field("month", "这个月还没有开始"));
    }
    rank(&state.db, &area, &kind, &p, q.level.as_deref()).await
}

pub async fn rules(state: &AppState, actor: &Actor) -> AppResult<Vec<Rule>> {
    if !actor.can(Permission::ReadSupervision) && !actor.can(Permission::ManageSupervisionSettings) {
        return Err(AppError::forbidden());
    }
    Ok(store::rules(&state.db).await?)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub version: i64,
    pub name: Option<String>,
    pub points: Option<f64>,
    pub max_points: Option<f64>,
    pub enabled: Option<bool>,
}

pub async fn update_rule(state: &AppState, actor: &Actor, code: &str, i: &RuleInput) -> AppResult<Rule> {
    actor.require(Permission::ManageSupervisionSettings)?;
    let mut tx = state.db.begin().await?;
    let before = store::rule_tx(&mut tx, code).await?.ok_or_else(|| AppError::not_found("考核规则"))?;
    let after = Rule {
        name: i.name.clone().map(|n| n.trim().to_owned()).unwrap_or_else(|| before.name.clone()),
        points: i.points.unwrap_or(before.points),
        max_points: i.max_points.unwrap_or(before.max_points),
        enabled: i.enabled.unwrap_or(before.enabled),
        ..before.clone()
    };
    model::validate(after.points, after.max_points, &after.name).map_err(|(f, m)| AppError::field(f, m))?;
    if !store::update_rule(&mut tx, &after, i.version, actor.now).await? {
        return Err(AppError::Conflict("规则已被他人修改，请刷新后再改".into()));
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "assessment_rule_update",
        "assessment_rule",
        code,
        json!({ "before": before, "after": after }),
    )
    .await?;
    tx.commit().await?;
    Ok(Rule { version: i.version + 1, ..after })
}
