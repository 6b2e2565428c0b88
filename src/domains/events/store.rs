//! SQL of the closed loop: categories, the work calendar, events with their scope, steps, files,
//! links, supervision records and notifications. Every list read takes the caller's scope.

use super::calendar::WorkCalendar;
use super::figures::{Counts, Period, counts_sql, counts_sql_of};
use crate::args;
use crate::clock::Millis;
use crate::db::Filter;
use crate::db::{Db, Tx, Value};
use crate::domains::org::area_store::within;
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CategoryRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub name: String,
    pub sort: i64,
    pub required_fields: String,
    pub is_dispute: bool,
    pub accept_limit: String,
    pub handle_limit: String,
    pub verify_limit: String,
    pub yellow_pct: i64,
    pub red_pct: i64,
    pub active: bool,
    /// Verification (核查) must be by an account other than the one that completed the event.
    pub verifier_must_differ: bool,
    pub version: i64,
}

const CATEGORY_COLUMNS: &str = "code, parent_code, name, sort, required_fields, is_dispute, accept_limit, handle_limit, \
     verify_limit, yellow_pct, red_pct, active, verifier_must_differ, version";

pub async fn categories(db: &Db) -> sqlx::Result<Vec<CategoryRow>> {
    db.read().fetch_all(&format!("SELECT {CATEGORY_COLUMNS} FROM event_categories ORDER BY sort, code"), vec![]).await
}

pub async fn category(db: &Db, code: &str) -> sqlx::Result<Option<CategoryRow>> {
    db.read()
        .fetch_optional(&format!("SELECT {CATEGORY_COLUMNS} FROM event_categories WHERE code = $1"), args![code])
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn update_category_limits(
    tx: &mut Tx,
    code: &str,
    version: i64,
    accept: &str,
    handle: &str,
    verify: &str,
    yellow_pct: i64,
    red_pct: i64,
    required: &str,
    verifier_must_differ: bool,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE event_categories SET accept_limit = $1, handle_limit = $2, verify_limit = $3, yellow_pct = $4, red_pct = $5, \
             required_fields = $6, verifier_must_differ = $7, updated_at = $8, version = version + 1 \
             WHERE code = $9 AND version = $10",
            args![accept, handle, verify, yellow_pct, red_pct, required, verifier_must_differ, now, code, version],
        )
        .await?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CalendarDay {
    pub day: String,
    pub working: bool,
    pub note: String,
}

pub async fn calendar_days(db: &Db) -> sqlx::Result<Vec<CalendarDay>> {
    db.read().fetch_all("SELECT day, working, note FROM work_calendar ORDER BY day", vec![]).await
}

/// The work calendar with every stored override.
pub async fn calendar(db: &Db) -> sqlx::Result<WorkCalendar> {
    let days = calendar_days(db).await?;
    Ok(WorkCalendar::from_days(days.into_iter().map(|d| (d.day, d.working))))
}

pub async fn set_calendar_day(
    tx: &mut Tx,
    day: &str,
    working: Option<bool>,
    note: &str,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute("DELETE FROM work_calendar WHERE day = $1", args![day]).await?;
    if let Some(w) = working {
        tx.execute(
            "INSERT INTO work_calendar (day, working, note, updated_at) VALUES ($1, $2, $3, $4)",
            args![day, w, note, now],
        )
        .await?;
    }
    Ok(())
}

/// An event as stored, with the names the pages show.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub category: String,
    pub category_name: String,
    pub severity: String,
    pub channel: String,
    pub title: String,
    pub details: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub grid_id: Option<i64>,
    pub grid_name: Option<String>,
    pub area_id: i64,
    pub area_path: String,
    pub needs_grid: bool,
    pub state: String,
    pub holder_area_id: Option<i64>,
    pub holder_department_id: Option<i64>,
    pub holder_name: Option<String>,
    pub holder_kind: Option<String>,
    pub holder_path: Option<String>,
    pub sender_area_id: Option<i64>,
    pub sender_department_id: Option<i64>,
    pub reporter_account_id: i64,
    pub reporter_name: String,
    pub step: Option<String>,
    pub step_started_at: Option<i64>,
    pub deadline: Option<i64>,
    pub yellow_at: Option<i64>,
    pub red_at: Option<i64>,
    pub card: String,
    pub extension_minutes: i64,
    pub extension_pending: Option<i64>,
    pub satisfaction: Option<i64>,
    pub merged_into: Option<i64>,
    pub reported_at: i64,
    pub accepted_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// The account that completed (办结) the event last.
    pub completed_by: Option<i64>,
    /// The category's rule: the verifier must be someone else than `completed_by`.
    pub verifier_must_differ: bool,
    pub closed_at: Option<i64>,
    pub closed_on_time: Option<bool>,
    pub version: i64,
}

const EVENT_COLUMNS: &str = "e.id, e.category, c.name AS category_name, e.severity, e.channel, e.title, e.details, e.address, \
     e.lon, e.lat, e.grid_id, g.name AS grid_name, e.area_id, e.area_path, e.needs_grid, e.state, e.holder_area_id, \
     e.holder_department_id, COALESCE(ha.name, hd.name) AS holder_name, ha.kind AS holder_kind, ha.path AS holder_path, \
     e.sender_area_id, e.sender_department_id, e.reporter_account_id, r.display_name AS reporter_name, e.step, \
     e.step_started_at, e.deadline, e.yellow_at, e.red_at, e.card, e.extension_minutes, e.extension_pending, \
     e.satisfaction, e.merged_into, e.reported_at, e.accepted_at, e.completed_at, e.completed_by, c.verifier_must_differ, e.closed_at, \
     e.closed_on_time, e.version";

const EVENT_FROM: &str = "FROM events e JOIN event_categories c ON c.code = e.category \
     LEFT JOIN areas g ON g.id = e.grid_id LEFT JOIN areas ha ON ha.id = e.holder_area_id \
     LEFT JOIN departments hd ON hd.id = e.holder_department_id JOIN accounts r ON r.id = e.reporter_account_id";

/// Who may see which events: an area subtree, or a department (what it holds or has held).
#[derive(Debug, Clone)]
pub enum Visibility {
    Area(String),
    Department(i64),
}

fn visible(f: &mut Filter, v: &Visibility) {
    match v {
        Visibility::Area(path) => within(f, "e.area_path", path),
        Visibility::Department(d) => {
            f.and(
                "(e.holder_department_id = ? OR EXISTS (SELECT 1 FROM event_departments ed WHERE ed.event_id = e.id AND ed.department_id = ?))",
                vec![(*d).into(), (*d).into()],
            );
        }
    }
}

pub async fn get(db: &Db, v: &Visibility, id: i64) -> sqlx::Result<Option<EventRow>> {
    let mut f = Filter::new();
    f.and1("e.id = ?", id);
    visible(&mut f, v);
    db.read().fetch_optional(&format!("SELECT {EVENT_COLUMNS} {EVENT_FROM}{}", f.where_sql()), f.args()).await
}

/// The same read inside a transaction (for the version-checked action).
pub async fn get_tx(tx: &mut Tx, v: &Visibility, id: i64) -> sqlx::Result<Option<EventRow>> {
    let mut f = Filter::new();
    f.and1("e.id = ?", id);
    visible(&mut f, v);
    tx.fetch_optional(&format!("SELECT {EVENT_COLUMNS} {EVENT_FROM}{}", f.where_sql()), f.args()).await
}

/// Filters of the event list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub area_path: Option<String>,
    pub states: Vec<String>,
    pub category: Option<String>,
    pub card: Option<String>,
    pub overdue_at: Option<Millis>,
    pub reporter: Option<i64>,
    pub q: Option<String>,
    pub reported_from: Option<Millis>,
    pub reported_to: Option<Millis>,
}

pub async fn list(db: &Db, v: &Visibility, ef: &EventFilter, paging: Paging) -> sqlx::Result<Page<EventRow>> {
    let mut f = Filter::new();
    visible(&mut f, v);
    if let Some(p) = &ef.area_path {
        within(&mut f, "e.area_path", p);
    }
    if !ef.states.is_empty() {
        let marks = vec!["?"; ef.states.len()].join(", ");
        f.and(&format!("e.state IN ({marks})"), ef.states.iter().map(|s| Value::from(s.as_str())).collect());
    }
    if let Some(c) = &ef.category {
        f.and("(e.category = ? OR c.parent_code = ?)", vec![c.as_str().into(), c.as_str().into()]);
    }
    if let Some(c) = &ef.card {
        f.and1("e.card = ?", c.as_str());
    }
    if let Some(now) = ef.overdue_at {
        f.and1("e.deadline <= ?", now);
    }
    if let Some(r) = ef.reporter {
        f.and1("e.reporter_account_id = ?", r);
    }
    if let Some(t) = ef.reported_from {
        f.and1("e.reported_at >= ?", t);
    }
    if let Some(t) = ef.reported_to {
        f.and1("e.reported_at < ?", t);
    }
    if let Some(q) = ef.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = crate::db::like_contains(q);
        f.and("(e.title LIKE ? ESCAPE '\\' OR e.address LIKE ? ESCAPE '\\')", vec![pat.clone().into(), pat.into()]);
    }
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {EVENT_FROM}{w}"), f.args()).await?;
    let (args, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {EVENT_COLUMNS} {EVENT_FROM}{w} ORDER BY e.reported_at DESC, e.id DESC LIMIT {} OFFSET {}",
                m[0], m[1]
            ),
            args,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// What waits for an account: held by its area (at its level) or its department, plus completed
/// events of its grid to verify and verified events under it to close; most urgent first.
#[derive(Debug, Clone)]
pub struct TodoSpec {
    /// The holder to look for: ("area", id) or ("department", id).
    pub holder_area: Option<i64>,
    pub holder_department: Option<i64>,
    /// Grid path whose completed events wait for verification (grid workers, community staff).
    pub verify_path: Option<String>,
    /// The account looking: completed events it completed itself are not its to verify, unless their
    /// category allows that.
    pub account_id: i64,
    /// Path under which verified events wait for closing (centres).
    pub close_path: Option<String>,
}

pub async fn todo(db: &Db, spec: &TodoSpec, paging: Paging) -> sqlx::Result<Page<EventRow>> {
    let mut ors = Vec::new();
    let mut f = Filter::new();
    let mut parts: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(a) = spec.holder_area {
        parts.push((
            "(e.holder_area_id = ? AND e.state IN ('reported', 'accepted', 'dispatched', 'in_progress'))".into(),
            vec![a.into()],
        ));
    }
    if let Some(d) = spec.holder_department {
        parts.push((
            "(e.holder_department_id = ? AND e.state IN ('reported', 'accepted', 'dispatched', 'in_progress'))".into(),
            vec![d.into()],
        ));
    }
    if let Some(p) = &spec.verify_path {
        parts.push((
            "(e.state = 'completed' AND e.area_path >= ? AND e.area_path < ? AND NOT (COALESCE(e.completed_by, 0) = ? \
             AND e.category IN (SELECT vc.code FROM event_categories vc WHERE vc.verifier_must_differ)))"
                .into(),
            vec![p.as_str().into(), crate::domains::org::model::subtree_end(p).into(), spec.account_id.into()],
        ));
    }
    if let Some(p) = &spec.close_path {
        parts.push((
            "(e.state = 'verified' AND e.area_path >= ? AND e.area_path < ?)".into(),
            vec![p.as_str().into(), crate::domains::org::model::subtree_end(p).into()],
        ));
    }
    if parts.is_empty() {
        return Ok(paging.page(vec![], 0));
    }
    let mut values = Vec::new();
    for (sql, v) in parts {
        ors.push(sql);
        values.extend(v);
    }
    f.and(&format!("({})", ors.join(" OR ")), values);
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) FROM events e{w}"), f.args()).await?;
    let (args, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {EVENT_COLUMNS} {EVENT_FROM}{w} ORDER BY CASE WHEN e.deadline IS NULL THEN 1 ELSE 0 END, e.deadline, e.id LIMIT {} OFFSET {}",
                m[0], m[1]
            ),
            args,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// Events an account took a step on (已办), latest first.
pub async fn done_by(db: &Db, account_id: i64, paging: Paging) -> sqlx::Result<Page<EventRow>> {
    let cond = "e.id IN (SELECT s.event_id FROM event_steps s WHERE s.account_id = $1 AND s.action <> 'report')";
    let (total,): (i64,) =
        db.read().fetch_one(&format!("SELECT COUNT(*) FROM events e WHERE {cond}"), args![account_id]).await?;
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE {cond} ORDER BY e.updated_at DESC, e.id DESC LIMIT $2 OFFSET $3"),
            args![account_id, paging.limit(), paging.offset()],
        )
        .await?;
    Ok(paging.page(items, total))
}

/// The columns an insert of a new event writes, in order.
pub const INSERT_COLUMNS: [&str; 27] = [
    "category",
    "severity",
    "channel",
    "title",
    "details",
    "address",
    "lon",
    "lat",
    "grid_id",
    "area_id",
    "area_path",
    "needs_grid",
    "state",
    "holder_area_id",
    "reporter_account_id",
    "step",
    "step_started_at",
    "deadline",
    "yellow_at",
    "red_at",
    "card",
    "next_card_at",
    "reported_at",
    "accepted_at",
    "accepted_on_time",
    "created_at",
    "updated_at",
];

pub async fn insert_event(tx: &mut Tx, values: Vec<Value>) -> sqlx::Result<i64> {
    crate::db::bulk::insert_one(tx, "events", &INSERT_COLUMNS, values).await
}

/// Sets the named columns of an event if its version is still `version`; bumps the version.
pub async fn update_event(
    tx: &mut Tx,
    id: i64,
    version: i64,
    sets: &[(&str, Value)],
    now: Millis,
) -> sqlx::Result<bool> {
    crate::db::bulk::update_versioned(tx, "events", id, version, sets, now).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub id: i64,
    pub action: String,
    pub account_id: Option<i64>,
    pub actor_name: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub holder_label: String,
    pub note: String,
    pub data: String,
    pub step: Option<String>,
    pub step_minutes: Option<i64>,
    pub limit_minutes: Option<i64>,
    pub at: i64,
}

/// One line of the timeline.
pub struct NewStep<'a> {
    pub event_id: i64,
    pub action: &'a str,
    pub account_id: Option<i64>,
    pub actor_name: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub holder_label: &'a str,
    pub note: &'a str,
    pub data: String,
    pub step: Option<&'a str>,
    pub step_minutes: Option<i64>,
    pub limit_minutes: Option<i64>,
    pub at: Millis,
}

/// The columns of a timeline line, in the order of `step_values` (the bench writes rows in it too).
pub const STEP_COLUMNS: [&str; 13] = [
    "event_id",
    "action",
    "account_id",
    "actor_name",
    "from_state",
    "to_state",
    "holder_label",
    "note",
    "data",
    "step",
    "step_minutes",
    "limit_minutes",
    "at",
];

fn step_values(s: &NewStep<'_>) -> Vec<Value> {
    args![
        s.event_id,
        s.action,
        s.account_id,
        s.actor_name,
        s.from_state,
        s.to_state,
        s.holder_label,
        s.note,
        s.data.as_str(),
        s.step,
        s.step_minutes,
        s.limit_minutes,
        s.at
    ]
}

pub async fn insert_step(tx: &mut Tx, s: &NewStep<'_>) -> sqlx::Result<i64> {
    crate::db::bulk::insert_one(tx, "event_steps", &STEP_COLUMNS, step_values(s)).await
}

/// Several timeline lines in one statement (the card job).
pub async fn insert_steps(tx: &mut Tx, steps: &[NewStep<'_>]) -> sqlx::Result<()> {
    crate::db::bulk::insert_rows(tx, "event_steps", &STEP_COLUMNS, steps.iter().map(step_values).collect()).await?;
    Ok(())
}

pub async fn steps_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<StepRow>> {
    db.read()
        .fetch_all(
            "SELECT id, action, account_id, actor_name, from_state, to_state, holder_label, note, data, step, step_minutes, \
             limit_minutes, at FROM event_steps WHERE event_id = $1 ORDER BY id",
            args![event_id],
        )
        .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FileRow {
    pub file_id: String,
    pub step_id: Option<i64>,
    pub stage: String,
    pub content_type: String,
    pub size: i64,
}

pub async fn insert_file(tx: &mut Tx, event_id: i64, step_id: i64, file_id: &str, stage: &str) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO event_files (event_id, step_id, file_id, stage) VALUES ($1, $2, $3, $4)",
        args![event_id, step_id, file_id, stage],
    )
    .await?;
    Ok(())
}

pub async fn files_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<FileRow>> {
    db.read()
        .fetch_all(
            "SELECT ef.file_id, ef.step_id, ef.stage, f.content_type, f.size FROM event_files ef JOIN files f ON f.id = ef.file_id \
             WHERE ef.event_id = $1 ORDER BY ef.step_id, ef.file_id",
            args![event_id],
        )
        .await
}

/// The event a file belongs to, if it is an event photo.
pub async fn event_of_file(db: &Db, file_id: &str) -> sqlx::Result<Option<i64>> {
    let r: Option<(i64,)> =
        db.read().fetch_optional("SELECT event_id FROM event_files WHERE file_id = $1", args![file_id]).await?;
    Ok(r.map(|r| r.0))
}

pub async fn insert_link(tx: &mut Tx, event_id: i64, kind: &str, target: i64) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO event_links (event_id, kind, target_id) VALUES ($1, $2, $3)",
        args![event_id, kind, target],
    )
    .await?;
    Ok(())
}

pub async fn links_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<(String, i64)>> {
    db.read()
        .fetch_all(
            "SELECT kind, target_id FROM event_links WHERE event_id = $1 ORDER BY kind, target_id",
            args![event_id],
        )
        .await
}

pub async fn add_department(tx: &mut Tx, event_id: i64, department_id: i64) -> sqlx::Result<()> {
    let have: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT event_id FROM event_departments WHERE event_id = $1 AND department_id = $2",
            args![event_id, department_id],
        )
        .await?;
    if have.is_none() {
        tx.execute(
            "INSERT INTO event_departments (event_id, department_id) VALUES ($1, $2)",
            args![event_id, department_id],
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SupervisionRow {
    pub id: i64,
    pub event_id: i64,
    pub level: String,
    pub step: String,
    pub area_id: Option<i64>,
    pub account_id: Option<i64>,
    pub note: String,
    pub created_at: i64,
}

/// A supervision to record.
pub struct NewSupervision {
    pub event_id: i64,
    pub level: String,
    pub step: String,
    pub step_started_at: Millis,
    pub area_id: Option<i64>,
    pub account_id: Option<i64>,
    pub note: String,
}

/// Records supervisions; an automatic one (no account) is recorded once per event, level and step
/// (a unique index refuses the second).
pub async fn insert_supervisions(tx: &mut Tx, rows: &[NewSupervision], now: Millis) -> sqlx::Result<()> {
    let values = rows
        .iter()
        .map(|s| {
            args![
                s.event_id,
                s.level.as_str(),
                s.step.as_str(),
                s.step_started_at,
                s.area_id,
                s.account_id,
                s.note.as_str(),
                now
            ]
        })
        .collect();
    crate::db::bulk::insert_rows(
        tx,
        "supervisions",
        &["event_id", "level", "step", "step_started_at", "area_id", "account_id", "note", "created_at"],
        values,
    )
    .await?;
    Ok(())
}

/// A supervision in the list, with its event and who supervised.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupervisionListRow {
    pub id: i64,
    pub level: String,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub by_name: String,
    pub note: String,
    pub created_at: i64,
    pub event_id: i64,
    pub event_title: String,
    pub event_state: String,
    pub event_card: String,
    pub holder_name: Option<String>,
}

/// Supervisions addressed to an area of a subtree (for a department: those of the events it holds),
/// newest first; optionally of one level, optionally only of events still open.
pub async fn supervision_list(
    db: &Db,
    v: &Visibility,
    level: Option<&str>,
    open_only: bool,
    paging: Paging,
) -> sqlx::Result<Page<SupervisionListRow>> {
    let mut f = Filter::new();
    match v {
        Visibility::Area(path) => within(&mut f, "a.path", path),
        Visibility::Department(d) => {
            f.and1("e.holder_department_id = ?", *d);
        }
    }
    if let Some(l) = level {
        f.and1("s.level = ?", l);
    }
    if open_only {
        f.and("e.state NOT IN ('closed', 'evaluated', 'cancelled', 'merged')", vec![]);
    }
    let from = "FROM supervisions s JOIN events e ON e.id = s.event_id LEFT JOIN areas a ON a.id = s.area_id";
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {from}{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!(
                "SELECT s.id, s.level, s.area_id, a.name AS area_name, COALESCE(acc.display_name, '系统') AS by_name, s.note, \
                 s.created_at, e.id AS event_id, e.title AS event_title, e.state AS event_state, e.card AS event_card, \
                 COALESCE(ha.name, hd.name) AS holder_name {from} LEFT JOIN accounts acc ON acc.id = s.account_id \
                 LEFT JOIN areas ha ON ha.id = e.holder_area_id LEFT JOIN departments hd ON hd.id = e.holder_department_id{w} \
                 ORDER BY s.created_at DESC, s.id DESC LIMIT {} OFFSET {}",
                m[0], m[1]
            ),
            a,
        )
        .await?;
    Ok(paging.page(items, total))
}

pub async fn supervisions_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<SupervisionRow>> {
    db.read()
        .fetch_all(
            "SELECT id, event_id, level, step, area_id, account_id, note, created_at FROM supervisions WHERE event_id = $1 ORDER BY id",
            args![event_id],
        )
        .await
}

/// Events whose next card is due at `now`, oldest first.
pub async fn due_events(db: &Db, now: Millis, limit: i64) -> sqlx::Result<Vec<EventRow>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.next_card_at IS NOT NULL AND e.next_card_at <= $1 \
                 ORDER BY e.next_card_at LIMIT $2"
            ),
            args![now, limit],
        )
        .await
}

/// Accounts that act for a holder: bound to the area at its level, or handlers of the department.
pub async fn holder_accounts(db: &Db, area_id: Option<i64>, department_id: Option<i64>) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = match (area_id, department_id) {
        (Some(a), _) => {
            db.read()
                .fetch_all(
                    "SELECT id FROM accounts WHERE area_id = $1 AND department_id IS NULL AND status = 'active' \
                     AND role IN ('grid_worker', 'grid_leader', 'community_staff', 'town_center', 'county_center')",
                    args![a],
                )
                .await?
        }
        (None, Some(d)) => {
            db.read()
                .fetch_all(
                    "SELECT id FROM accounts WHERE department_id = $1 AND status = 'active' AND role = 'department_handler'",
                    args![d],
                )
                .await?
        }
        _ => vec![],
    };
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn notify(
    tx: &mut Tx,
    account_ids: &[i64],
    event_id: i64,
    kind: &str,
    text: &str,
    now: Millis,
) -> sqlx::Result<()> {
    notify_many(tx, account_ids.iter().map(|a| (*a, event_id, kind.to_owned(), text.to_owned())).collect(), now).await
}

/// Notifications `(account, event, kind, text)` in one statement.
pub async fn notify_many(tx: &mut Tx, rows: Vec<(i64, i64, String, String)>, now: Millis) -> sqlx::Result<()> {
    let values = rows.into_iter().map(|(a, e, kind, text)| args![a, e, kind, text, now]).collect();
    crate::db::bulk::insert_rows(
        tx,
        "notifications",
        &["account_id", "event_id", "kind", "text", "created_at"],
        values,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NotificationRow {
    pub id: i64,
    pub event_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn notifications(db: &Db, account_id: i64, paging: Paging) -> sqlx::Result<Page<NotificationRow>> {
    let (total,): (i64,) =
        db.read().fetch_one("SELECT COUNT(*) FROM notifications WHERE account_id = $1", args![account_id]).await?;
    let items = db
        .read()
        .fetch_all(
            "SELECT id, event_id, kind, text, created_at, read_at FROM notifications WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
            args![account_id, paging.limit(), paging.offset()],
        )
        .await?;
    Ok(paging.page(items, total))
}

pub async fn unread_count(db: &Db, account_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = db
        .read()
        .fetch_one("SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL", args![account_id])
        .await?;
    Ok(n)
}

pub async fn mark_read(db: &Db, account_id: i64, now: Millis) -> sqlx::Result<u64> {
    db.read()
        .execute(
            "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
            args![now, account_id],
        )
        .await
}

/// How many of the given register records (person, house or place) lie inside a scope.
pub async fn count_in_scope(db: &Db, kind: &str, ids: &[i64], scope_path: &str) -> sqlx::Result<i64> {
    let table = match kind {
        "person" => "persons",
        "house" => "houses",
        _ => "places",
    };
    let mut f = Filter::new();
    let marks = vec!["?"; ids.len()].join(", ");
    f.and(&format!("t.id IN ({marks})"), ids.iter().map(|i| Value::from(*i)).collect());
    f.and1("t.status <> ?", "deleted");
    within(&mut f, "g.path", scope_path);
    let (n,): (i64,) = db
        .read()
        .fetch_one(
            &format!("SELECT COUNT(*) FROM {table} t JOIN areas g ON g.id = t.grid_id{}", f.where_sql()),
            f.args(),
        )
        .await?;
    Ok(n)
}

pub async fn set_close_due(tx: &mut Tx, id: i64, at: Millis) -> sqlx::Result<()> {
    tx.execute("UPDATE events SET close_due_at = $1 WHERE id = $2", args![at, id]).await?;
    Ok(())
}

/// Moves the date an event is due to close by an approved extension.
pub async fn move_close_due(tx: &mut Tx, id: i64, minutes: i64, cal: &WorkCalendar) -> sqlx::Result<()> {
    let r: Option<(Option<i64>,)> =
        tx.fetch_optional("SELECT close_due_at FROM events WHERE id = $1", args![id]).await?;
    if let Some((Some(due),)) = r {
        set_close_due(tx, id, cal.add(due, minutes)).await?;
    }
    Ok(())
}

/// Red cards an event has had (any step).
pub async fn red_count(tx: &mut Tx, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        tx.fetch_one("SELECT COUNT(*) FROM supervisions WHERE event_id = $1 AND level = 'red'", args![id]).await?;
    Ok(n)
}

/// The name of an area or a department.
pub async fn holder_name(tx: &mut Tx, area: Option<i64>, department: Option<i64>) -> sqlx::Result<String> {
    let r: Option<(String,)> = match (area, department) {
        (Some(a), _) => tx.fetch_optional("SELECT name FROM areas WHERE id = $1", args![a]).await?,
        (None, Some(d)) => tx.fetch_optional("SELECT name FROM departments WHERE id = $1", args![d]).await?,
        _ => None,
    };
    Ok(r.map(|r| r.0).unwrap_or_default())
}

/// The counts of one child area (its path below the area's, `1107/`; empty for events of the area
/// itself) and category.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AreaCounts {
    pub child: String,
    pub category: String,
    #[sqlx(flatten)]
    pub counts: Counts,
}

/// The counts of the events one department held.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentCounts {
    pub department_id: i64,
    #[sqlx(flatten)]
    pub counts: Counts,
}

/// The condition on events `e` under a path (`$1` ≤ area_path < `$2`) that arrived, were accepted,
/// closed or due in the period: four ranges, each on an index that leads with the time and carries
/// the area. Written as an OR, each event is read once: SQLite walks the four indexes and skips
/// repeated rows (MULTI-INDEX OR); PostgreSQL ORs four bitmaps and reads the table in order.
fn in_period(p: Period) -> String {
    in_period_of(p, &["reported_at", "accepted_at", "closed_at", "close_due_at"])
}

/// The same condition on some of the four times only.
fn in_period_of(p: Period, times: &[&str]) -> String {
    times
        .iter()
        .map(|col| format!("(e.{col} >= {} AND e.{col} < {} AND e.area_path >= $1 AND e.area_path < $2)", p.from, p.to))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The figures' counts for the events under `path` in a period, summed by the database per child
/// area and category, and per department that held them.
pub async fn figure_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<(Vec<AreaCounts>, Vec<DepartmentCounts>)> {
    let end = crate::domains::org::model::subtree_end(path);
    let when = in_period(p);
    let counts = counts_sql(p);
    let child = crate::db::child_segment_sql(db.backend(), "e.area_path", path);
    let areas = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {child} AS child, e.category, {counts} FROM events e WHERE {when} GROUP BY {child}, e.category"
            ),
            args![path, end.as_str()],
        )
        .await?;
    let departments = db
        .read()
        .fetch_all(
            &format!(
                "SELECT ed.department_id, {counts} FROM event_departments ed JOIN events e ON e.id = ed.event_id \
                 WHERE {when} GROUP BY ed.department_id"
            ),
            args![path, end.as_str()],
        )
        .await?;
    Ok((areas, departments))
}

/// Timed steps that ended in the period: (step, count, total working minutes, count over the limit).
pub async fn step_totals(db: &Db, path: &str, from: Millis, to: Millis) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    let mut f = Filter::new();
    within(&mut f, "e.area_path", path);
    f.and("s.at >= ? AND s.at < ? AND s.step IS NOT NULL", vec![from.into(), to.into()]);
    db.read()
        .fetch_all(
            &format!(
                "SELECT s.step, COUNT(*), CAST(COALESCE(SUM(s.step_minutes), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN s.step_minutes > s.limit_minutes THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM event_steps s JOIN events e ON e.id = s.event_id{} GROUP BY s.step",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Every active grid with its path and parent, and one grid worker account of each (benchmarks and demo).
pub async fn grids_with_workers(db: &Db) -> sqlx::Result<Vec<(i64, String, i64, i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT g.id, g.path, g.parent_id, MIN(a.id), MIN(a.username) FROM areas g JOIN accounts a ON a.area_id = g.id \
             AND a.role = 'grid_worker' WHERE g.kind = 'grid' AND g.status = 'active' GROUP BY g.id, g.path, g.parent_id ORDER BY g.id",
            args![],
        )
        .await
}

/// Active departments whose area holds the area at `area_path` (the area itself or one above it):
/// those that serve an event there. `(id, name, area name)`, nearest area first.
pub async fn departments_serving(db: &Db, area_path: &str) -> sqlx::Result<Vec<(i64, String, String)>> {
    let ancestors: Vec<String> =
        area_path.match_indices('/').skip(1).map(|(i, _)| area_path[..=i].to_owned()).collect();
    if ancestors.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::new();
    let marks = vec!["?"; ancestors.len()].join(", ");
    f.and(&format!("ar.path IN ({marks})"), ancestors.iter().map(|p| Value::from(p.as_str())).collect());
    f.and1("d.status = ?", "active");
    db.read()
        .fetch_all(
            &format!(
                "SELECT d.id, d.name, ar.name FROM departments d JOIN areas ar ON ar.id = d.area_id{} \
                 ORDER BY ar.depth DESC, d.kind, d.id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Events under `path` that arrived and that closed in a period, per child area (the two counts
/// of the completion rate, read on the two time ranges they need and nothing else).
pub async fn completion_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<Vec<(String, i64, i64)>> {
    let end = crate::domains::org::model::subtree_end(path);
    let child = crate::db::child_segment_sql(db.backend(), "e.area_path", path);
    db.read()
        .fetch_all(
            &format!(
                "SELECT {child} AS child, {} FROM events e WHERE {} GROUP BY {child}",
                counts_sql_of(p, &["arrived", "closed"]),
                in_period_of(p, &["reported_at", "closed_at"])
            ),
            args![path, end.as_str()],
        )
        .await
}

/// The counts the assessment needs (arrived, closed, due, due and closed on time) for the events
/// under `path` in a period, per grid (by the event's area path). Two statements, each on the time
/// ranges its counts need (an OR over three ranges makes SQLite's planner slow down tenfold).
pub async fn assessment_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<Vec<PathCounts>> {
    let end = crate::domains::org::model::subtree_end(path);
    let run = |names: &'static [&'static str], times: &'static [&'static str]| {
        let sql = format!(
            "SELECT e.area_path, {} FROM events e WHERE {} GROUP BY e.area_path",
            counts_sql_of(p, names),
            in_period_of(p, times)
        );
        let args = args![path, end.as_str()];
        async move { db.read().fetch_all::<(String, i64, i64)>(&sql, args).await }
    };
    let (done, due) = tokio::try_join!(
        run(&["arrived", "closed"], &["reported_at", "closed_at"]),
        run(&["due", "due_closed_on_time"], &["close_due_at"])
    )?;
    let mut by: std::collections::BTreeMap<String, PathCounts> = std::collections::BTreeMap::new();
    let blank = |area_path: &str| PathCounts {
        area_path: area_path.to_owned(),
        arrived: 0,
        closed: 0,
        due: 0,
        due_closed_on_time: 0,
    };
    for (path, arrived, closed) in done {
        let e = by.entry(path.clone()).or_insert_with(|| blank(&path));
        (e.arrived, e.closed) = (arrived, closed);
    }
    for (path, due, on_time) in due {
        let e = by.entry(path.clone()).or_insert_with(|| blank(&path));
        (e.due, e.due_closed_on_time) = (due, on_time);
    }
    Ok(by.into_values().collect())
}

/// Per grid: arrived, closed, due, due and closed on time.
#[derive(Debug, Clone)]
pub struct PathCounts {
    pub area_path: String,
    pub arrived: i64,
    pub closed: i64,
    pub due: i64,
    pub due_closed_on_time: i64,
}
