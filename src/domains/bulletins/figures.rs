//! The figures of a monthly bulletin, gathered from the system's own data: account activity by
//! child area and department, event completion by child area, and the report/sign-off stream of
//! the key groups by child area and by department — each beside last month's.

use crate::db::Db;
use crate::domains::activity::model::{ActivitySettings, Measure, ReportPeriod};
use crate::domains::activity::service::{self as activity, ActivityUnit, AreaRef};
use crate::domains::events::figures::Period;
use crate::domains::events::reads as event_reads;
use crate::domains::events::stats::Child;
use crate::domains::org::model::department_kind_label;
use crate::domains::org::tree::{self, AreaFilter};
use crate::domains::org::tree::{DepartmentFilter, DepartmentRow};
use crate::domains::submissions::model::kind_label;
use crate::domains::submissions::reads as submission_reads;
use crate::error::AppResult;
use crate::web::paging::Paging;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The key groups of the "three key tasks" (三项重点工作), in the order the bulletin names them.
pub const KEY_KINDS: [&str; 5] =
    ["floating", "drug_user", "mental_disorder", "community_correction", "released_prisoner"];

/// Activity of one unit this month, with last month's rate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActivityRow {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub area_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub department_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub department_kind: Option<String>,
    pub name: String,
    pub active: i64,
    pub total: i64,
    pub rate: Option<f64>,
    pub previous_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActivitySection {
    /// Active days an account needed this month.
    pub min_days: i64,
    pub overall: ActivityRow,
    pub towns: Vec<ActivityRow>,
    pub departments: Vec<ActivityRow>,
    /// Accounts not used at all this month.
    pub idle_accounts: i64,
}

/// Event completion of one unit: arrived and closed this month, and 办结率 = closed ÷ arrived.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompletionRow {
    pub area_id: i64,
    pub name: String,
    pub arrived: i64,
    pub closed: i64,
    pub rate: Option<f64>,
    pub previous_arrived: i64,
    pub previous_closed: i64,
    pub previous_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompletionSection {
    pub overall: CompletionRow,
    pub towns: Vec<CompletionRow>,
}

/// Reports of one key group from one unit: sent this month, signed and still waiting at its end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmissionRow {
    pub area_id: i64,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub sent: i64,
    pub signed: i64,
    pub returned: i64,
    pub waiting: i64,
}

/// What one department received of one key group and signed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DepartmentSignRow {
    pub department_id: i64,
    pub name: String,
    pub department_kind: String,
    pub department_kind_label: String,
    pub kind: String,
    pub kind_label: String,
    pub received: i64,
    pub signed: i64,
    pub waiting: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SubmissionSection {
    /// One row per child area × key group (zeros included, so every unit is listed).
    pub towns: Vec<SubmissionRow>,
    /// One row per department × group it signs for (zeros included).
    pub departments: Vec<DepartmentSignRow>,
}

/// All the figures of one bulletin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BulletinFigures {
    pub area_id: i64,
    pub area_name: String,
    pub area_kind: String,
    pub month: String,
    pub previous_month: String,
    pub activity: ActivitySection,
    pub completion: CompletionSection,
    pub submissions: SubmissionSection,
}

fn activity_row(u: &ActivityUnit, before: Option<&ActivityUnit>, department_kind: Option<String>) -> ActivityRow {
    ActivityRow {
        area_id: u.area_id,
        department_id: u.department_id,
        department_kind,
        name: u.name.clone(),
        active: u.active,
        total: u.total,
        rate: u.rate,
        previous_rate: before.and_then(|b| b.rate),
    }
}

/// A unit's completion this month and last from (arrived, closed) counts; 办结率 = closed ÷ arrived.
fn completion_row(area_id: i64, name: &str, now: (i64, i64), before: (i64, i64)) -> CompletionRow {
    let rate = |(arrived, closed): (i64, i64)| crate::domains::activity::model::rate(closed, arrived);
    CompletionRow {
        area_id,
        name: name.to_owned(),
        arrived: now.0,
        closed: now.1,
        rate: rate(now),
        previous_arrived: before.0,
        previous_closed: before.1,
        previous_rate: rate(before),
    }
}

/// Gathers the figures of a month for an area.
pub async fn gather(
    db: &Db,
    area: &AreaRef,
    area_kind: &str,
    p: &ReportPeriod,
    s: &ActivitySettings,
) -> AppResult<BulletinFigures> {
    let before = p.previous();
    // (一) activity, this month and last.
    let (activity, departments) = activity_section(db, area, p, &before, s).await?;
    // (二) completion, this month and last.
    let (completion, children) = completion_section(db, area, p, &before).await?;
    // (三) the key groups' reports and sign-off.
    let (from, to) = p.millis();
    let (by_child, by_dept) = submission_reads::period_counts(db, &area.path, from, to).await?;
    let towns = town_rows(&area.path, &children, &by_child);
    let signs_for = crate::domains::submissions::reads::mapping(db).await?;
    let dept_rows = department_rows(&departments, &signs_for, &by_dept);
    Ok(BulletinFigures {
        area_id: area.id,
        area_name: area.name.clone(),
        area_kind: area_kind.to_owned(),
        month: p.key(),
        previous_month: before.key(),
        activity,
        completion,
        submissions: SubmissionSection { towns, departments: dept_rows },
    })
}

/// Activity by child area and department, this month beside last; answers the departments too.
async fn activity_section(
    db: &Db,
    area: &AreaRef,
    p: &ReportPeriod,
    before: &ReportPeriod,
    s: &ActivitySettings,
) -> AppResult<(ActivitySection, Vec<DepartmentRow>)> {
    let (this_month, last_month) = (Measure::whole(p.clone(), s), Measure::whole(before.clone(), s));
    let (now_act, prev_act) =
        tokio::try_join!(activity::figures(db, area, &this_month, s), activity::figures(db, area, &last_month, s))?;
    let departments = crate::domains::org::tree::departments(
        db,
        &DepartmentFilter { scope_path: area.path.clone(), ..Default::default() },
        Paging::new(Some(1), Some(1000)),
    )
    .await?
    .items;
    let dept_kind: HashMap<i64, String> = departments.iter().map(|d| (d.id, d.kind.clone())).collect();
    let prev_area: HashMap<i64, &ActivityUnit> = prev_act.areas.iter().filter_map(|u| Some((u.area_id?, u))).collect();
    let prev_dept: HashMap<i64, &ActivityUnit> =
        prev_act.departments.iter().filter_map(|u| Some((u.department_id?, u))).collect();
    let activity = ActivitySection {
        min_days: now_act.min_days,
        overall: activity_row(&now_act.overall, Some(&prev_act.overall), None),
        towns: now_act
            .areas
            .iter()
            .map(|u| activity_row(u, u.area_id.and_then(|id| prev_area.get(&id).copied()), None))
            .collect(),
        departments: now_act
            .departments
            .iter()
            .map(|u| {
                let id = u.department_id.unwrap_or_default();
                activity_row(u, prev_dept.get(&id).copied(), dept_kind.get(&id).cloned())
            })
            .collect(),
        idle_accounts: now_act.idle_accounts.len() as i64,
    };
    Ok((activity, departments))
}

/// Completion (arrived, closed) by child area, this month beside last; answers the children too.
async fn completion_section(
    db: &Db,
    area: &AreaRef,
    p: &ReportPeriod,
    before: &ReportPeriod,
) -> AppResult<(CompletionSection, Vec<Child>)> {
    let children: Vec<Child> = tree::list(
        db,
        &AreaFilter { scope_path: area.path.clone(), parent: Some(area.id), ..Default::default() },
        Paging::new(Some(1), Some(500)),
    )
    .await?
    .items
    .into_iter()
    .map(|c| Child { id: c.id, name: c.name, path: c.path })
    .collect();
    let span = |r: &ReportPeriod| {
        let (from, to) = r.millis();
        Period { from, to }
    };
    let (now_ev, prev_ev) = tokio::try_join!(
        event_reads::completion_counts(db, &area.path, span(p)),
        event_reads::completion_counts(db, &area.path, span(before))
    )?;
    // Per child path: (arrived, closed); the whole area is the sum of every row.
    let sum = |rows: &[(String, i64, i64)]| -> (HashMap<String, (i64, i64)>, (i64, i64)) {
        let mut by = HashMap::new();
        let mut all = (0, 0);
        for (child, arrived, closed) in rows {
            let e = by.entry(format!("{}{child}", area.path)).or_insert((0, 0));
            e.0 += arrived;
            e.1 += closed;
            all.0 += arrived;
            all.1 += closed;
        }
        (by, all)
    };
    let ((now_by, now_all), (prev_by, prev_all)) = (sum(&now_ev), sum(&prev_ev));
    let completion = CompletionSection {
        overall: completion_row(area.id, &area.name, now_all, prev_all),
        towns: children
            .iter()
            .map(|c| {
                let get = |m: &HashMap<String, (i64, i64)>| m.get(&c.path).copied().unwrap_or((0, 0));
                completion_row(c.id, &c.name, get(&now_by), get(&prev_by))
            })
            .collect(),
    };
    Ok((completion, children))
}

/// One row per child area × key group: sent, signed, returned and waiting (zeros included).
fn town_rows(path: &str, children: &[Child], by_child: &[submission_reads::ChildKindCounts]) -> Vec<SubmissionRow> {
    let mut child_counts: HashMap<(String, &str), &submission_reads::PeriodCounts> = HashMap::new();
    for r in by_child {
        child_counts.insert((format!("{}{}", path, r.child), r.kind.as_str()), &r.counts);
    }
    let zero = submission_reads::PeriodCounts::default();
    let mut towns = Vec::new();
    for c in children {
        for kind in KEY_KINDS {
            let n = child_counts.get(&(c.path.clone(), kind)).copied().unwrap_or(&zero);
            towns.push(SubmissionRow {
                area_id: c.id,
                name: c.name.clone(),
                kind: kind.to_owned(),
                kind_label: kind_label(kind).to_owned(),
                sent: n.sent,
                signed: n.signed,
                returned: n.returned,
                waiting: n.sent - n.signed - n.returned,
            });
        }
    }
    towns
}

/// One row per active department × key group it signs for (or received anyway).
fn department_rows(
    departments: &[DepartmentRow],
    signs_for: &[submission_reads::MappingRow],
    by_dept: &[submission_reads::DepartmentKindCounts],
) -> Vec<DepartmentSignRow> {
    let zero = submission_reads::PeriodCounts::default();
    let mut dept_counts: HashMap<(i64, &str), &submission_reads::PeriodCounts> = HashMap::new();
    for r in by_dept {
        dept_counts.insert((r.department_id, r.kind.as_str()), &r.counts);
    }
    let mut dept_rows = Vec::new();
    for d in departments.iter().filter(|d| d.status == "active") {
        for kind in KEY_KINDS {
            let maps_here = signs_for.iter().any(|m| m.kind == kind && m.department_kind == d.kind && m.enabled);
            let n = dept_counts.get(&(d.id, kind)).copied();
            if !maps_here && n.is_none() {
                continue;
            }
            let n = n.unwrap_or(&zero);
            dept_rows.push(DepartmentSignRow {
                department_id: d.id,
                name: d.name.clone(),
                department_kind: d.kind.clone(),
                department_kind_label: department_kind_label(&d.kind).to_owned(),
                kind: kind.to_owned(),
                kind_label: kind_label(kind).to_owned(),
                received: n.sent,
                signed: n.signed,
                waiting: n.sent - n.signed - n.returned,
            });
        }
    }
    dept_rows
}
