//! Account activity: recording each account's days of use (from the route guard), the activity
//! figures of an area's child units and departments for a month or week, and the settings.

use super::model::{ActivitySettings, Measure, ReportPeriod, rate};
use super::store::{self, AccountDays};
use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::domains::org::tree::{self, AreaFilter};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::Paging;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

/// Which accounts were already recorded today (and whether for business), so a busy account
/// costs one database write a day, not one per request.
#[derive(Default)]
pub struct Seen(Mutex<HashMap<i64, (chrono::NaiveDate, bool)>>);

/// The route guard's observer (registered by `web::router`): a signed-in account was served.
pub fn on_request_served(
    state: AppState,
    account_id: i64,
    write: bool,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move { record_use(&state, account_id, write).await })
}

/// Records a use of the system by a signed-in account (`write`: it did business).
pub async fn record_use(state: &AppState, account_id: i64, write: bool) {
    let now = state.clock.now();
    let day = crate::clock::to_local(now).date_naive();
    {
        let seen_today = state.cache::<Seen>();
        let Ok(mut seen) = seen_today.0.lock() else { return };
        match seen.get(&account_id) {
            Some((d, w)) if *d == day && (*w || !write) => return,
            _ => {}
        }
        seen.insert(account_id, (day, write));
    }
    let kind = if write { "write" } else { "read" };
    if let Err(e) = store::record(&state.db, account_id, &day.to_string(), kind, now).await {
        tracing::warn!(error = %e, "could not record account activity");
        if let Ok(mut seen) = state.cache::<Seen>().0.lock() {
            seen.remove(&account_id);
        }
    }
}

pub async fn settings(db: &Db) -> AppResult<ActivitySettings> {
    Ok(ActivitySettings::from_pairs(&store::settings(db).await?))
}

/// One unit's activity: a child area or a department.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ActivityUnit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<i64>,
    pub name: String,
    /// Accounts active on at least the threshold's number of days.
    pub active: i64,
    /// Activated accounts.
    pub total: i64,
    /// active ÷ total as a fraction (1.0 = 100%); null without accounts.
    pub rate: Option<f64>,
    /// Accounts used on at least one day (any activity at all).
    pub any_use: i64,
}

/// An account not used at all in the period.
#[derive(Debug, Clone, Serialize)]
pub struct IdleAccount {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: &'static str,
    pub unit_name: String,
    /// Never signed in at all.
    pub never_signed_in: bool,
}

/// The activity of an area for a period.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityFigures {
    pub area_id: i64,
    pub area_name: String,
    /// `2026-03` or `2026-W10`: the month or week the days belong to.
    pub period: String,
    /// What was counted, for people: `2026年11月` or `2026年12月1日至6日（本月至今）`.
    pub period_label: String,
    /// Whether only the days so far of the period were counted (the threshold is then scaled).
    pub to_date: bool,
    /// The last day counted.
    pub last_day: String,
    /// The threshold applied: days of business an account needs to count as active.
    pub min_days: i64,
    /// How the threshold was set, in a sentence.
    pub threshold_note: String,
    pub counts_reads: bool,
    /// All accounts under the area together.
    pub overall: ActivityUnit,
    /// One row per child area (towns of a county, communities of a town …).
    pub areas: Vec<ActivityUnit>,
    /// One row per department inside the area.
    pub departments: Vec<ActivityUnit>,
    pub idle_accounts: Vec<IdleAccount>,
}

/// The area an activity report is about.
pub use crate::domains::org::locate::AreaRef;

fn unit(
    area_id: Option<i64>,
    department_id: Option<i64>,
    name: String,
    accounts: &[&AccountDays],
    min: i64,
) -> ActivityUnit {
    let total = accounts.len() as i64;
    let active = accounts.iter().filter(|a| a.days >= min).count() as i64;
    let any_use = accounts.iter().filter(|a| a.days > 0).count() as i64;
    ActivityUnit { area_id, department_id, name, active, total, rate: rate(active, total), any_use }
}

/// The activity figures of an area's child areas and departments for a period.
/// Every activity figure of the system (page, API, dashboard, bulletin) comes from here.
pub async fn figures(db: &Db, area: &AreaRef, m: &Measure, s: &ActivitySettings) -> AppResult<ActivityFigures> {
    let (first, end) = m.day_keys();
    let accounts = store::account_days(db, &area.path, &first, &end, m.end_millis(), s.counts_reads).await?;
    let min = m.min_days;
    let children = tree::list(
        db,
        &AreaFilter { scope_path: area.path.clone(), parent: Some(area.id), ..Default::default() },
        Paging::new(Some(1), Some(500)),
    )
    .await?
    .items;
    let areas = children
        .iter()
        .map(|c| {
            let mine: Vec<&AccountDays> =
                accounts.iter().filter(|a| a.area_id.is_some() && a.path.starts_with(&c.path)).collect();
            unit(Some(c.id), None, c.name.clone(), &mine, min)
        })
        .collect();
    let mut by_department: Vec<(i64, String, Vec<&AccountDays>)> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for a in accounts.iter() {
        if let Some(d) = a.department_id {
            let i = *index.entry(d).or_insert_with(|| {
                by_department.push((d, a.unit_name.clone(), Vec::new()));
                by_department.len() - 1
            });
            by_department[i].2.push(a);
        }
    }
    let departments =
        by_department.into_iter().map(|(id, name, accs)| unit(None, Some(id), name, &accs, min)).collect();
    let all: Vec<&AccountDays> = accounts.iter().collect();
    let idle_accounts = accounts
        .iter()
        .filter(|a| a.days == 0)
        .map(|a| IdleAccount {
            id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.clone(),
            role_label: crate::auth::Role::parse(&a.role).map(|r| r.label()).unwrap_or(""),
            unit_name: a.unit_name.clone(),
            never_signed_in: a.last_login_at.is_none(),
        })
        .collect();
    Ok(ActivityFigures {
        area_id: area.id,
        area_name: area.name.clone(),
        period: m.period.key(),
        period_label: m.label(),
        to_date: m.is_to_date(),
        last_day: m.through.pred_opt().unwrap_or(m.through).to_string(),
        min_days: min,
        threshold_note: m.threshold_note(s),
        counts_reads: s.counts_reads,
        overall: unit(Some(area.id), None, area.name.clone(), &all, min),
        areas,
        departments,
        idle_accounts,
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    pub area: Option<i64>,
    /// `2026-03` (default: this month).
    pub month: Option<String>,
    /// `2026-W10`, instead of a month.
    pub week: Option<String>,
}

/// The period a query names: a week, a month (each measured whole), or by default this month
/// to date (threshold scaled to the working days elapsed).
pub async fn measure_of(
    db: &Db,
    actor: &Actor,
    month: Option<&str>,
    week: Option<&str>,
    s: &ActivitySettings,
) -> AppResult<Measure> {
    let p = match (week.filter(|w| !w.is_empty()), month.filter(|m| !m.is_empty())) {
        (Some(w), _) => ReportPeriod::week(w).map_err(|m| AppError::field("week", m))?,
        (None, Some(m)) => ReportPeriod::month(m).map_err(|m| AppError::field("month", m))?,
        (None, None) => return this_month_to_date(db, actor.now, s).await,
    };
    Ok(Measure::whole(p, s))
}

/// This month from its first day through today, on the stored work calendar.
pub async fn this_month_to_date(db: &Db, now: crate::clock::Millis, s: &ActivitySettings) -> AppResult<Measure> {
    let today = crate::clock::to_local(now).date_naive();
    let cal = crate::domains::events::settings::work_calendar(db).await?;
    Ok(Measure::to_date(ReportPeriod::month_of(today), today, s, &cal))
}

/// The last month that is over.
pub fn last_full_month(now: crate::clock::Millis, s: &ActivitySettings) -> Measure {
    let today = crate::clock::to_local(now).date_naive();
    Measure::whole(ReportPeriod::month_of(today).previous(), s)
}

pub async fn report(state: &AppState, actor: &Actor, q: &ActivityQuery) -> AppResult<ActivityFigures> {
    actor.require(Permission::ReadSupervision)?;
    let area = crate::domains::org::locate::chosen_area(&state.db, &actor.scope, q.area).await?;
    let s = settings(&state.db).await?;
    let m = measure_of(&state.db, actor, q.month.as_deref(), q.week.as_deref(), &s).await?;
    figures(&state.db, &area, &m, &s).await
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub min_days_month: Option<i64>,
    pub min_days_week: Option<i64>,
    pub counts_reads: Option<bool>,
}

pub async fn update_settings(state: &AppState, actor: &Actor, i: &SettingsInput) -> AppResult<ActivitySettings> {
    actor.require(Permission::ManageSupervisionSettings)?;
    let before = settings(&state.db).await?;
    let after = ActivitySettings {
        min_days_month: i.min_days_month.unwrap_or(before.min_days_month),
        min_days_week: i.min_days_week.unwrap_or(before.min_days_week),
        counts_reads: i.counts_reads.unwrap_or(before.counts_reads),
    };
    after.validate().map_err(|(f, m)| AppError::field(f, m))?;
    let mut tx = state.db.begin().await?;
    let now = actor.now;
    store::set_setting(&mut tx, "activity_min_days_month", &after.min_days_month.to_string(), now, actor.id).await?;
    store::set_setting(&mut tx, "activity_min_days_week", &after.min_days_week.to_string(), now, actor.id).await?;
    store::set_setting(&mut tx, "activity_counts_reads", &after.counts_reads.to_string(), now, actor.id).await?;
    crate::audit::record(
        &mut tx,
        &actor.audit(),
        "supervision_settings_update",
        "supervision_settings",
        "activity",
        serde_json::json!({ "before": before, "after": after }),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
