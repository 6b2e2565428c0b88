//! SQL of the report and sign-off stream: the kind → department mapping, submissions with their
//! scope, their history, to-do lists and counts. Every read takes the caller's visibility.

use crate::args;
use crate::auth::Scope;
use crate::auth::scope::subtree_end;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};
use crate::domains::events::calendar::WorkCalendar;
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MappingRow {
    pub kind: String,
    pub department_kind: String,
    pub sign_limit: String,
    pub yellow_pct: i64,
    pub enabled: bool,
    pub version: i64,
}

const MAPPING_COLUMNS: &str = "kind, department_kind, sign_limit, yellow_pct, enabled, version";

pub async fn mapping(db: &Db) -> sqlx::Result<Vec<MappingRow>> {
    db.read().fetch_all(&format!("SELECT {MAPPING_COLUMNS} FROM submission_mapping ORDER BY kind"), vec![]).await
}

pub async fn mapping_tx(tx: &mut Tx, kind: &str) -> sqlx::Result<Option<MappingRow>> {
    tx.fetch_optional(&format!("SELECT {MAPPING_COLUMNS} FROM submission_mapping WHERE kind = $1"), args![kind]).await
}

pub async fn update_mapping(tx: &mut Tx, m: &MappingRow, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE submission_mapping SET department_kind = $1, sign_limit = $2, yellow_pct = $3, enabled = $4, updated_at = $5, \
             version = version + 1 WHERE kind = $6 AND version = $7",
            args![m.department_kind.as_str(), m.sign_limit.as_str(), m.yellow_pct, m.enabled, now, m.kind.as_str(), m.version],
        )
        .await?;
    Ok(n == 1)
}

/// The work calendar, read inside the caller's transaction.
pub async fn calendar_tx(tx: &mut Tx) -> sqlx::Result<WorkCalendar> {
    let days: Vec<(String, bool)> = tx.fetch_all("SELECT day, working FROM work_calendar", vec![]).await?;
    Ok(WorkCalendar::from_days(days))
}

/// Where a grid lies: (grid path, town id, town path). A grid outside any town (not expected) falls
/// back to the root of its path.
pub async fn town_of(tx: &mut Tx, grid_id: i64) -> sqlx::Result<Option<(String, i64, String)>> {
    let Some((grid_path,)): Option<(String,)> =
        tx.fetch_optional("SELECT path FROM areas WHERE id = $1", args![grid_id]).await?
    else {
        return Ok(None);
    };
    let ids: Vec<i64> = grid_path.split('/').filter_map(|p| p.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let rows: Vec<(i64, String, String)> = tx
        .fetch_all(
            &format!("SELECT id, path, kind FROM areas WHERE id IN ({}) ORDER BY depth", marks.join(", ")),
            ids.iter().map(|i| Value::from(*i)).collect(),
        )
        .await?;
    let town = rows.iter().find(|(_, _, k)| k == "town").or(rows.first());
    Ok(town.map(|(id, path, _)| (grid_path.clone(), *id, path.clone())))
}

/// The town's active department of a kind (the oldest, if there are several).
pub async fn department_for(tx: &mut Tx, town_id: i64, kind: &str) -> sqlx::Result<Option<i64>> {
    let r: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM departments WHERE area_id = $1 AND kind = $2 AND status = 'active' ORDER BY id LIMIT 1",
            args![town_id, kind],
        )
        .await?;
    Ok(r.map(|r| r.0))
}

/// The special-population kinds a person has an active file of.
pub async fn special_kinds_of(tx: &mut Tx, person_id: i64) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = tx
        .fetch_all(
            "SELECT kind FROM special_files WHERE person_id = $1 AND status = 'active' ORDER BY kind",
            args![person_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A submission with the names the pages show.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SubmissionRow {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub kind: String,
    pub action: String,
    pub town_id: i64,
    pub town_name: String,
    pub town_path: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub department_kind: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub no_department: bool,
    pub state: String,
    pub sent_by: i64,
    pub sent_by_name: String,
    pub sent_at: i64,
    pub last_sent_at: i64,
    pub limit_minutes: i64,
    pub yellow_at: i64,
    pub deadline: i64,
    pub signed_by: Option<i64>,
    pub signed_by_name: Option<String>,
    pub signed_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub return_reason: String,
    pub resends: i64,
    pub snapshot: String,
    pub updated_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "s.id, s.person_id, p.name AS person_name, s.kind, s.action, s.town_id, t.name AS town_name, s.town_path, \
     s.grid_id, g.name AS grid_name, s.grid_path, s.department_kind, s.department_id, d.name AS department_name, s.no_department, \
     s.state, s.sent_by, sb.display_name AS sent_by_name, s.sent_at, s.last_sent_at, s.limit_minutes, s.yellow_at, s.deadline, \
     s.signed_by, sg.display_name AS signed_by_name, s.signed_at, s.returned_at, s.return_reason, s.resends, s.snapshot, \
     s.updated_at, s.version";

const FROM: &str = "FROM submissions s JOIN persons p ON p.id = s.person_id JOIN areas t ON t.id = s.town_id \
     JOIN areas g ON g.id = s.grid_id LEFT JOIN departments d ON d.id = s.department_id \
     JOIN accounts sb ON sb.id = s.sent_by LEFT JOIN accounts sg ON sg.id = s.signed_by";

pub async fn get(db: &Db, v: &Scope, id: i64) -> sqlx::Result<Option<SubmissionRow>> {
    let mut f = Filter::new();
    f.and1("s.id = ?", id);
    v.restrict_submissions(&mut f);
    db.read().fetch_optional(&format!("SELECT {COLUMNS} {FROM}{}", f.where_sql()), f.args()).await
}

pub async fn get_tx(tx: &mut Tx, v: &Scope, id: i64) -> sqlx::Result<Option<SubmissionRow>> {
    let mut f = Filter::new();
    f.and1("s.id = ?", id);
    v.restrict_submissions(&mut f);
    tx.fetch_optional(&format!("SELECT {COLUMNS} {FROM}{}", f.where_sql()), f.args()).await
}

/// The open (waiting or returned) submission of a person and kind, if any.
pub async fn open_for(tx: &mut Tx, person_id: i64, kind: &str) -> sqlx::Result<Option<SubmissionRow>> {
    tx.fetch_optional(
        &format!(
            "SELECT {COLUMNS} {FROM} WHERE s.person_id = $1 AND s.kind = $2 AND s.state IN ('waiting', 'returned')"
        ),
        args![person_id, kind],
    )
    .await
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub town_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Waiting past the deadline at this moment.
    pub overdue_at: Option<Millis>,
}

pub async fn list(db: &Db, v: &Scope, lf: &ListFilter, paging: Paging) -> sqlx::Result<Page<SubmissionRow>> {
    let mut f = Filter::new();
    v.restrict_submissions(&mut f);
    if let Some(s) = &lf.state {
        f.and1("s.state = ?", s.as_str());
    }
    if let Some(k) = &lf.kind {
        f.and1("s.kind = ?", k.as_str());
    }
    if let Some(t) = lf.town_id {
        f.and1("s.town_id = ?", t);
    }
    if let Some(d) = lf.department_id {
        f.and1("s.department_id = ?", d);
    }
    if let Some(now) = lf.overdue_at {
        f.and("s.state = 'waiting' AND s.deadline <= ?", vec![now.into()]);
    }
    page_of(db, &f, "s.last_sent_at DESC, s.id DESC", paging).await
}

async fn page_of(db: &Db, f: &Filter, order: &str, paging: Paging) -> sqlx::Result<Page<SubmissionRow>> {
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) FROM submissions s{w}"), f.args()).await?;
    let (args, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(&format!("SELECT {COLUMNS} {FROM}{w} ORDER BY {order} LIMIT {} OFFSET {}", m[0], m[1]), args)
        .await?;
    Ok(paging.page(items, total))
}

/// What waits for an account: for a department its waiting submissions; for the grid side those
/// returned under its path; for a town centre those under it that found no department.
#[derive(Debug, Clone, Default)]
pub struct TodoSpec {
    pub department_id: Option<i64>,
    pub returned_path: Option<String>,
    pub no_department_path: Option<String>,
}

pub async fn todo(db: &Db, spec: &TodoSpec, paging: Paging) -> sqlx::Result<Page<SubmissionRow>> {
    let mut parts: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(d) = spec.department_id {
        parts.push("(s.state = 'waiting' AND s.department_id = ?)");
        values.push(d.into());
    }
    if let Some(p) = &spec.returned_path {
        parts.push("(s.state = 'returned' AND s.grid_path >= ? AND s.grid_path < ?)");
        values.extend([p.as_str().into(), subtree_end(p).into()]);
    }
    if let Some(p) = &spec.no_department_path {
        parts.push("(s.state = 'waiting' AND s.department_id IS NULL AND s.grid_path >= ? AND s.grid_path < ?)");
        values.extend([p.as_str().into(), subtree_end(p).into()]);
    }
    if parts.is_empty() {
        return Ok(paging.page(vec![], 0));
    }
    let mut f = Filter::new();
    f.and(&format!("({})", parts.join(" OR ")), values);
    page_of(db, &f, "s.deadline, s.id", paging).await
}

/// The columns an insert writes, in order.
pub struct NewSubmission<'a> {
    pub person_id: i64,
    pub kind: &'a str,
    pub action: &'a str,
    pub town_id: i64,
    pub town_path: &'a str,
    pub grid_id: i64,
    pub grid_path: &'a str,
    pub department_kind: &'a str,
    pub department_id: Option<i64>,
    pub sent_by: i64,
    pub limit_minutes: i64,
    pub yellow_at: Millis,
    pub deadline: Millis,
    pub snapshot: String,
    pub now: Millis,
}

pub async fn insert(tx: &mut Tx, n: &NewSubmission<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO submissions (person_id, kind, action, town_id, town_path, grid_id, grid_path, department_kind, department_id, \
             no_department, state, sent_by, sent_at, last_sent_at, limit_minutes, yellow_at, deadline, snapshot, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'waiting', $11, $12, $12, $13, $14, $15, $16, $12, $12) RETURNING id",
            args![
                n.person_id,
                n.kind,
                n.action,
                n.town_id,
                n.town_path,
                n.grid_id,
                n.grid_path,
                n.department_kind,
                n.department_id,
                n.department_id.is_none(),
                n.sent_by,
                n.now,
                n.limit_minutes,
                n.yellow_at,
                n.deadline,
                n.snapshot.as_str()
            ],
        )
        .await?;
    Ok(id)
}

/// Sets the named columns if the version is still `version`; bumps the version.
pub async fn update(tx: &mut Tx, id: i64, version: i64, sets: &[(&str, Value)], now: Millis) -> sqlx::Result<bool> {
    crate::db::bulk::update_versioned(tx, "submissions", id, version, sets, now).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub id: i64,
    pub action: String,
    pub account_id: Option<i64>,
    pub actor_name: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub department_id: Option<i64>,
    pub note: String,
    pub data: String,
    pub at: i64,
}

pub struct NewStep<'a> {
    pub submission_id: i64,
    pub action: &'a str,
    pub account_id: Option<i64>,
    pub actor_name: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub department_id: Option<i64>,
    pub note: &'a str,
    pub data: String,
    pub at: Millis,
}

pub async fn insert_step(tx: &mut Tx, s: &NewStep<'_>) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO submission_steps (submission_id, action, account_id, actor_name, from_state, to_state, department_id, note, data, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            s.submission_id,
            s.action,
            s.account_id,
            s.actor_name,
            s.from_state,
            s.to_state,
            s.department_id,
            s.note,
            s.data.as_str(),
            s.at
        ],
    )
    .await?;
    Ok(())
}

pub async fn steps_of(db: &Db, id: i64) -> sqlx::Result<Vec<StepRow>> {
    db.read()
        .fetch_all(
            "SELECT id, action, account_id, actor_name, from_state, to_state, department_id, note, data, at FROM submission_steps \
             WHERE submission_id = $1 ORDER BY id",
            args![id],
        )
        .await
}

/// In-app notifications about a submission (not tied to an event).
pub async fn notify(tx: &mut Tx, account_ids: &[i64], kind: &str, text: &str, now: Millis) -> sqlx::Result<()> {
    for a in account_ids {
        tx.execute(
            "INSERT INTO notifications (account_id, event_id, kind, text, created_at) VALUES ($1, NULL, $2, $3, $4)",
            args![*a, kind, text, now],
        )
        .await?;
    }
    Ok(())
}

/// One line of the counts: a town, a kind and a department (none when the town had none).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StatRow {
    pub town_id: i64,
    pub town_name: String,
    pub kind: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub sent: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub returned: i64,
    pub waiting: i64,
    pub overdue: i64,
}

/// Counts of the submissions first sent in `[from, to)` under `area_path`, by their state now.
pub async fn stats(
    db: &Db,
    v: &Scope,
    area_path: Option<&str>,
    from: Option<Millis>,
    to: Option<Millis>,
    now: Millis,
) -> sqlx::Result<Vec<StatRow>> {
    let mut f = Filter::new();
    v.restrict_submissions(&mut f);
    if let Some(p) = area_path {
        within(&mut f, "s.grid_path", p);
    }
    if let Some(t) = from {
        f.and1("s.sent_at >= ?", t);
    }
    if let Some(t) = to {
        f.and1("s.sent_at < ?", t);
    }
    let (args, m) = f.args_with(args![now]);
    db.read()
        .fetch_all(
            &format!(
                "SELECT s.town_id, t.name AS town_name, s.kind, s.department_id, d.name AS department_name, COUNT(*) AS sent, \
                 SUM(CASE WHEN s.state = 'signed' THEN 1 ELSE 0 END) AS signed, \
                 SUM(CASE WHEN s.state = 'signed' AND s.signed_at <= s.deadline THEN 1 ELSE 0 END) AS signed_on_time, \
                 SUM(CASE WHEN s.state = 'returned' THEN 1 ELSE 0 END) AS returned, \
                 SUM(CASE WHEN s.state = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
                 SUM(CASE WHEN s.state = 'waiting' AND s.deadline <= {} THEN 1 ELSE 0 END) AS overdue \
                 FROM submissions s JOIN areas t ON t.id = s.town_id LEFT JOIN departments d ON d.id = s.department_id{} \
                 GROUP BY s.town_id, t.name, t.path, s.kind, s.department_id, d.name ORDER BY t.path, s.kind, s.department_id",
                m[0],
                f.where_sql()
            ),
            args,
        )
        .await
}

/// Counts of the submissions sent in a period, as they stood at its end: sent, signed and returned
/// before the end, and the rest still waiting then.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize)]
pub struct PeriodCounts {
    pub sent: i64,
    pub signed: i64,
    pub returned: i64,
}

/// Per child area of `path` and kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChildKindCounts {
    pub child: String,
    pub kind: String,
    #[sqlx(flatten)]
    pub counts: PeriodCounts,
}

/// Per department (signing side) and kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentKindCounts {
    pub department_id: i64,
    pub department_name: String,
    pub department_kind: String,
    pub kind: String,
    #[sqlx(flatten)]
    pub counts: PeriodCounts,
}

fn period_counts_sql(to: Millis) -> String {
    format!(
        "COUNT(*) AS sent, \
         CAST(COALESCE(SUM(CASE WHEN s.state = 'signed' AND s.signed_at < {to} THEN 1 ELSE 0 END), 0) AS BIGINT) AS signed, \
         CAST(COALESCE(SUM(CASE WHEN s.state = 'returned' AND s.returned_at < {to} THEN 1 ELSE 0 END), 0) AS BIGINT) AS returned"
    )
}

/// The submissions first sent in `[from, to)` under `path`, summed per child area × kind and per
/// department × kind (for the monthly bulletin).
pub async fn period_counts(
    db: &Db,
    path: &str,
    from: Millis,
    to: Millis,
) -> sqlx::Result<(Vec<ChildKindCounts>, Vec<DepartmentKindCounts>)> {
    let child = crate::db::child_segment_sql(db.backend(), "s.grid_path", path);
    let counts = period_counts_sql(to);
    let end = subtree_end(path);
    let by_child = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {child} AS child, s.kind, {counts} FROM submissions s \
                 WHERE s.sent_at >= $1 AND s.sent_at < $2 AND s.grid_path >= $3 AND s.grid_path < $4 GROUP BY {child}, s.kind"
            ),
            args![from, to, path, end.as_str()],
        )
        .await?;
    let by_department = db
        .read()
        .fetch_all(
            &format!(
                "SELECT s.department_id, d.name AS department_name, d.kind AS department_kind, s.kind, {counts} \
                 FROM submissions s JOIN departments d ON d.id = s.department_id \
                 WHERE s.sent_at >= $1 AND s.sent_at < $2 AND s.grid_path >= $3 AND s.grid_path < $4 \
                 GROUP BY s.department_id, d.name, d.kind, s.kind"
            ),
            args![from, to, path, end.as_str()],
        )
        .await?;
    Ok((by_child, by_department))
}

/// Submissions sent in `[from, to)` under `path` that were still unsigned (neither signed nor
/// returned) at `to` although their sign-off deadline had passed, per grid path.
pub async fn overdue_unsigned_by_grid(
    db: &Db,
    path: &str,
    from: Millis,
    to: Millis,
) -> sqlx::Result<Vec<(String, i64)>> {
    let end = subtree_end(path);
    db.read()
        .fetch_all(
            "SELECT s.grid_path, COUNT(*) FROM submissions s \
             WHERE s.sent_at >= $1 AND s.sent_at < $2 AND s.grid_path >= $3 AND s.grid_path < $4 AND s.deadline < $2 \
             AND NOT (s.state = 'signed' AND s.signed_at < $2) AND NOT (s.state = 'returned' AND s.returned_at < $2) \
             GROUP BY s.grid_path",
            args![from, to, path, end.as_str()],
        )
        .await
}
