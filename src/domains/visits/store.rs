//! SQL for visits: household visits (written here), the joint list of household and
//! special-population visits, the overdue list and overdue counts per grid.

use crate::args;
use crate::auth::scope::subtree_end;
use crate::clock::Millis;
use crate::db::{Db, Tx, Value};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

/// A household in the caller's subtree: (id, grid_id, household_no, status).
pub async fn household_in(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<(i64, i64, String, String)>> {
    db.read()
        .fetch_optional(
            "SELECT hh.id, hh.grid_id, hh.household_no, hh.status FROM households hh JOIN areas g ON g.id = hh.grid_id \
             WHERE hh.id = $1 AND g.path >= $2 AND g.path < $3",
            args![id, scope_path, subtree_end(scope_path)],
        )
        .await
}

pub struct NewVisit<'a> {
    pub household_id: i64,
    pub grid_id: i64,
    pub visited_on: &'a str,
    pub account_id: i64,
    pub kind: &'a str,
    pub note_enc: Vec<u8>,
    pub next_visit_due: Option<&'a str>,
}

/// Adds a visit; the household takes its next visit due unless a later visit is already recorded.
pub async fn insert(tx: &mut Tx, v: NewVisit<'_>, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO household_visits (household_id, grid_id, visited_on, account_id, kind, note_enc, next_visit_due, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![v.household_id, v.grid_id, v.visited_on, v.account_id, v.kind, v.note_enc, v.next_visit_due, now],
        )
        .await?;
    tx.execute(
        "UPDATE households SET next_visit_due = $1, last_visited_on = $2 \
         WHERE id = $3 AND (last_visited_on IS NULL OR last_visited_on <= $2)",
        args![v.next_visit_due, v.visited_on, v.household_id],
    )
    .await?;
    Ok(id)
}

/// One visit of a household, with its encrypted note.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HouseholdVisitRow {
    pub id: i64,
    pub visited_on: String,
    pub kind: String,
    pub note_enc: Vec<u8>,
    pub next_visit_due: Option<String>,
    pub visitor: String,
}

/// A household's visits, latest first (at most 100).
pub async fn of_household(db: &Db, household_id: i64) -> sqlx::Result<Vec<HouseholdVisitRow>> {
    db.read()
        .fetch_all(
            "SELECT v.id, v.visited_on, v.kind, v.note_enc, v.next_visit_due, a.display_name AS visitor \
             FROM household_visits v JOIN accounts a ON a.id = v.account_id WHERE v.household_id = $1 \
             ORDER BY v.visited_on DESC, v.id DESC LIMIT 100",
            args![household_id],
        )
        .await
}

/// One row of the joint list: a household visit or a special-population visit.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct VisitRow {
    /// `household` or `person`.
    pub subject_type: String,
    pub id: i64,
    pub subject_id: i64,
    /// The household number, or the person's name (masked by the service before it leaves).
    pub subject: String,
    pub visited_on: String,
    pub kind: String,
    /// The special group of a special-population visit.
    pub special_kind: Option<String>,
    pub next_visit_due: Option<String>,
    pub grid_id: i64,
    pub grid_name: String,
    pub visitor: String,
}

/// What the joint list is asked for.
#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub path: String,
    /// First and last day (inclusive); empty = open.
    pub from: Option<String>,
    pub to: Option<String>,
    /// A household kind, `special`, or none.
    pub kind: Option<String>,
    /// The special groups whose visits the caller may see (none: household visits only).
    pub special_kinds: Vec<&'static str>,
}

/// `sf.kind IN ('a', 'b')` from the fixed list of special groups (never user text).
fn kinds_in(kinds: &[&'static str]) -> String {
    let list: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.replace('\'', ""))).collect();
    format!("sf.kind IN ({})", list.join(", "))
}

/// Household and special-population visits under a path, latest first.
pub async fn list(db: &Db, f: &VisitFilter, paging: Paging) -> sqlx::Result<Page<VisitRow>> {
    let kind = f.kind.clone().unwrap_or_default();
    let households = kind != super::model::SPECIAL;
    let specials = !f.special_kinds.is_empty() && (kind.is_empty() || kind == super::model::SPECIAL);
    let mut parts = Vec::new();
    if households {
        parts.push(
            "SELECT 'household' AS subject_type, v.id, v.household_id AS subject_id, hh.household_no AS subject, \
             v.visited_on, v.kind, NULL AS special_kind, v.next_visit_due, g.id AS grid_id, g.name AS grid_name, \
             a.display_name AS visitor \
             FROM areas g JOIN household_visits v ON v.grid_id = g.id JOIN households hh ON hh.id = v.household_id \
             JOIN accounts a ON a.id = v.account_id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND v.visited_on >= $3 AND v.visited_on <= $4 \
             AND ($5 = '' OR v.kind = $5)"
                .to_owned(),
        );
    }
    if specials {
        parts.push(format!(
            "SELECT 'person' AS subject_type, sv.id, p.id AS subject_id, p.name AS subject, sv.visited_on, \
             'special' AS kind, sf.kind AS special_kind, sv.next_visit_due, g.id AS grid_id, g.name AS grid_name, \
             a.display_name AS visitor \
             FROM areas g JOIN special_files sf ON sf.grid_id = g.id JOIN persons p ON p.id = sf.person_id \
             JOIN special_visits sv ON sv.file_id = sf.id JOIN accounts a ON a.id = sv.account_id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND sv.visited_on >= $3 AND sv.visited_on <= $4 \
             AND p.status <> 'deleted' AND sf.status <> 'deleted' AND {} AND ($5 = '' OR $5 = 'special')",
            kinds_in(&f.special_kinds)
        ));
    }
    if parts.is_empty() {
        return Ok(paging.page(Vec::new(), 0));
    }
    let union = parts.join(" UNION ALL ");
    let base: Vec<Value> = args![
        f.path.as_str(),
        subtree_end(&f.path),
        f.from.clone().unwrap_or_else(|| "0000-00-00".into()),
        f.to.clone().unwrap_or_else(|| "9999-12-31".into()),
        kind.as_str()
    ];
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) FROM ({union}) x"), base.clone()).await?;
    let mut all = base;
    all.extend(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT * FROM ({union}) x ORDER BY visited_on DESC, subject_type, id DESC LIMIT $6 OFFSET $7"),
            all,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// A household or special-population file whose next visit is overdue.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct OverdueRow {
    /// `household` or `person`.
    pub subject_type: String,
    pub subject_id: i64,
    pub subject: String,
    pub special_kind: Option<String>,
    pub next_visit_due: String,
    pub last_visited_on: Option<String>,
    pub grid_id: i64,
    pub grid_name: String,
}

/// Households (and, when `special_kinds` is not empty, special files) under `path` whose next
/// visit was due before `on`, most overdue first.
pub async fn overdue(
    db: &Db,
    path: &str,
    on: &str,
    special_kinds: &[&'static str],
    paging: Paging,
) -> sqlx::Result<Page<OverdueRow>> {
    let mut union = "SELECT 'household' AS subject_type, hh.id AS subject_id, hh.household_no AS subject, \
         NULL AS special_kind, hh.next_visit_due, hh.last_visited_on, g.id AS grid_id, g.name AS grid_name \
         FROM areas g JOIN households hh ON hh.grid_id = g.id \
         WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND hh.status = 'active' \
         AND hh.next_visit_due IS NOT NULL AND hh.next_visit_due < $3"
        .to_owned();
    if !special_kinds.is_empty() {
        union.push_str(&format!(
            " UNION ALL SELECT 'person' AS subject_type, p.id AS subject_id, p.name AS subject, sf.kind AS special_kind, \
             sf.next_visit_due, (SELECT MAX(sv.visited_on) FROM special_visits sv WHERE sv.file_id = sf.id) AS last_visited_on, \
             g.id AS grid_id, g.name AS grid_name \
             FROM areas g JOIN special_files sf ON sf.grid_id = g.id JOIN persons p ON p.id = sf.person_id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND p.status = 'active' AND sf.status = 'active' \
             AND sf.next_visit_due IS NOT NULL AND sf.next_visit_due < $3 AND {}",
            kinds_in(special_kinds)
        ));
    }
    let base: Vec<Value> = args![path, subtree_end(path), on];
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) FROM ({union}) x"), base.clone()).await?;
    let mut all = base;
    all.extend(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT * FROM ({union}) x ORDER BY next_visit_due, subject_type, subject_id LIMIT $4 OFFSET $5"),
            all,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// Per grid under `area_path`: (grid_id, grid_path, overdue count) of households and special files
/// (all groups) whose next visit was due before `on` (`YYYY-MM-DD`); grids without any are left out.
pub async fn overdue_by_grid(db: &Db, area_path: &str, on: &str) -> sqlx::Result<Vec<(i64, String, i64)>> {
    let end = subtree_end(area_path);
    let households: Vec<(i64, String, i64)> = db
        .read()
        .fetch_all(
            "SELECT g.id, g.path, COUNT(*) FROM areas g JOIN households hh ON hh.grid_id = g.id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND hh.status = 'active' \
             AND hh.next_visit_due IS NOT NULL AND hh.next_visit_due < $3 GROUP BY g.id, g.path",
            args![area_path, end.as_str(), on],
        )
        .await?;
    let specials: Vec<(i64, String, i64)> = db
        .read()
        .fetch_all(
            // CROSS JOIN: SQLite walks the grids first (PostgreSQL plans as usual).
            "SELECT g.id, g.path, COUNT(*) FROM areas g CROSS JOIN special_files sf JOIN persons p ON p.id = sf.person_id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND sf.grid_id = g.id AND sf.status = 'active' \
             AND sf.next_visit_due IS NOT NULL AND sf.next_visit_due < $3 AND p.status = 'active' GROUP BY g.id, g.path",
            args![area_path, end.as_str(), on],
        )
        .await?;
    let mut all: std::collections::BTreeMap<i64, (String, i64)> = std::collections::BTreeMap::new();
    for (id, path, n) in households.into_iter().chain(specials) {
        all.entry(id).or_insert((path, 0)).1 += n;
    }
    let mut out: Vec<(i64, String, i64)> = all.into_iter().map(|(id, (path, n))| (id, path, n)).collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
