//! Events as the caller may see them: the row, the caller's scope, one event, lists and to-do lists.

use crate::args;
use crate::auth::scope::{Scope, within};
use crate::clock::Millis;
use crate::db::Filter;
use crate::db::{Db, Tx, Value};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

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

pub(super) const EVENT_COLUMNS: &str = "e.id, e.category, c.name AS category_name, e.severity, e.channel, e.title, e.details, e.address, \
     e.lon, e.lat, e.grid_id, g.name AS grid_name, e.area_id, e.area_path, e.needs_grid, e.state, e.holder_area_id, \
     e.holder_department_id, COALESCE(ha.name, hd.name) AS holder_name, ha.kind AS holder_kind, ha.path AS holder_path, \
     e.sender_area_id, e.sender_department_id, e.reporter_account_id, r.display_name AS reporter_name, e.step, \
     e.step_started_at, e.deadline, e.yellow_at, e.red_at, e.card, e.extension_minutes, e.extension_pending, \
     e.satisfaction, e.merged_into, e.reported_at, e.accepted_at, e.completed_at, e.completed_by, c.verifier_must_differ, e.closed_at, \
     e.closed_on_time, e.version";

pub(super) const EVENT_FROM: &str = "FROM events e JOIN event_categories c ON c.code = e.category \
     LEFT JOIN areas g ON g.id = e.grid_id LEFT JOIN areas ha ON ha.id = e.holder_area_id \
     LEFT JOIN departments hd ON hd.id = e.holder_department_id JOIN accounts r ON r.id = e.reporter_account_id";

pub async fn get(db: &Db, v: &Scope, id: i64) -> sqlx::Result<Option<EventRow>> {
    let mut f = Filter::new();
    f.and1("e.id = ?", id);
    v.restrict_events(&mut f);
    db.read().fetch_optional(&format!("SELECT {EVENT_COLUMNS} {EVENT_FROM}{}", f.where_sql()), f.args()).await
}

/// The same read inside a transaction (for the version-checked action).
pub async fn get_tx(tx: &mut Tx, v: &Scope, id: i64) -> sqlx::Result<Option<EventRow>> {
    let mut f = Filter::new();
    f.and1("e.id = ?", id);
    v.restrict_events(&mut f);
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

pub async fn list(db: &Db, v: &Scope, ef: &EventFilter, paging: Paging) -> sqlx::Result<Page<EventRow>> {
    let mut f = Filter::new();
    v.restrict_events(&mut f);
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
            vec![p.as_str().into(), crate::auth::scope::subtree_end(p).into(), spec.account_id.into()],
        ));
    }
    if let Some(p) = &spec.close_path {
        parts.push((
            "(e.state = 'verified' AND e.area_path >= ? AND e.area_path < ?)".into(),
            vec![p.as_str().into(), crate::auth::scope::subtree_end(p).into()],
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
