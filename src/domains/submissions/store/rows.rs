//! Submissions as the pages show them: one by id (within the caller's scope), a person's open one,
//! the filtered list and an account's to-do list.

use crate::args;
use crate::auth::Scope;
use crate::auth::scope::subtree_end;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

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
