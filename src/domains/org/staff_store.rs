//! SQL for staff and their grid assignments; reads bounded by the caller's subtree.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, like_contains};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StaffRow {
    pub id: i64,
    pub area_id: i64,
    pub area_name: String,
    pub name: String,
    pub phone: String,
    pub position: String,
    pub employment: String,
    pub duties: String,
    pub photo_file_id: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "s.id, s.area_id, ar.name AS area_name, s.name, s.phone, s.position, s.employment, s.duties, \
     s.photo_file_id, s.status, s.created_at, s.updated_at, s.version";

/// Staff visible under a subtree: those whose home area is in it, or who serve one of its grids now.
fn visible(f: &mut Filter, scope_path: &str) {
    let end = crate::auth::scope::subtree_end(scope_path);
    f.and(
        "((ar.path >= ? AND ar.path < ?) OR s.id IN (SELECT sa.staff_id FROM staff_assignments sa JOIN areas g ON g.id = sa.grid_id \
         WHERE sa.end_date IS NULL AND g.path >= ? AND g.path < ?))",
        vec![scope_path.into(), end.clone().into(), scope_path.into(), end.into()],
    );
}

#[derive(Debug, Default, Clone)]
pub struct StaffFilter {
    pub scope_path: String,
    /// Home area subtree.
    pub area_path: Option<String>,
    /// Currently assigned to this grid.
    pub grid_id: Option<i64>,
    pub position: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
}

pub async fn list(db: &Db, sf: &StaffFilter, paging: Paging) -> sqlx::Result<Page<StaffRow>> {
    let mut f = Filter::new();
    visible(&mut f, &sf.scope_path);
    if let Some(p) = &sf.area_path {
        within(&mut f, "ar.path", p);
    }
    if let Some(g) = sf.grid_id {
        f.and1("s.id IN (SELECT staff_id FROM staff_assignments WHERE grid_id = ? AND end_date IS NULL)", g);
    }
    if let Some(p) = &sf.position {
        f.and1("s.position = ?", p.as_str());
    }
    if let Some(q) = sf.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = like_contains(q);
        f.and(
            "(LOWER(s.name) LIKE LOWER(?) ESCAPE '\\' OR s.phone LIKE ? ESCAPE '\\')",
            vec![pat.clone().into(), pat.into()],
        );
    }
    match sf.status.as_deref() {
        Some("all") => {}
        Some(s) => {
            f.and1("s.status = ?", s);
        }
        None => {
            f.and1("s.status = ?", "active");
        }
    }
    let w = f.where_sql();
    let from = "FROM staff s JOIN areas ar ON ar.id = s.area_id";
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {from}{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(&format!("SELECT {COLUMNS} {from}{w} ORDER BY s.id LIMIT {} OFFSET {}", m[0], m[1]), a)
        .await?;
    Ok(paging.page(items, total))
}

pub async fn get(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<StaffRow>> {
    let mut f = Filter::new();
    f.and1("s.id = ?", id);
    visible(&mut f, scope_path);
    db.read()
        .fetch_optional(
            &format!("SELECT {COLUMNS} FROM staff s JOIN areas ar ON ar.id = s.area_id{}", f.where_sql()),
            f.args(),
        )
        .await
}

pub struct StaffFields<'a> {
    pub area_id: i64,
    pub name: &'a str,
    pub phone: &'a str,
    pub position: &'a str,
    pub employment: &'a str,
    pub duties: &'a str,
}

pub async fn insert(tx: &mut Tx, s: &StaffFields<'_>, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO staff (area_id, name, phone, position, employment, duties, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            args![s.area_id, s.name, s.phone, s.position, s.employment, s.duties, now],
        )
        .await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, version: i64, s: &StaffFields<'_>, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE staff SET area_id = $1, name = $2, phone = $3, position = $4, employment = $5, duties = $6, updated_at = $7, \
             version = version + 1 WHERE id = $8 AND version = $9 AND status = 'active'",
            args![s.area_id, s.name, s.phone, s.position, s.employment, s.duties, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_photo(tx: &mut Tx, id: i64, file_id: &str, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE staff SET photo_file_id = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        args![file_id, now, id],
    )
    .await
    .map(drop)
}

pub async fn retire(tx: &mut Tx, id: i64, version: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE staff SET status = 'retired', updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3 AND status = 'active'",
            args![now, id, version],
        )
        .await?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_code: String,
    pub duty: String,
    pub start_date: String,
    pub end_date: Option<String>,
}

const ASSIGNMENT_COLUMNS: &str = "sa.id, sa.staff_id, s.name AS staff_name, sa.grid_id, g.name AS grid_name, g.code AS grid_code, \
     sa.duty, sa.start_date, sa.end_date";

/// All assignments of some staff, current first.
pub async fn assignments_of(db: &Db, staff_ids: &[i64]) -> sqlx::Result<Vec<AssignmentRow>> {
    if staff_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=staff_ids.len()).map(|i| format!("${i}")).collect();
    db.read()
        .fetch_all(
            &format!(
                "SELECT {ASSIGNMENT_COLUMNS} FROM staff_assignments sa JOIN staff s ON s.id = sa.staff_id JOIN areas g ON g.id = sa.grid_id \
                 WHERE sa.staff_id IN ({}) ORDER BY (sa.end_date IS NULL) DESC, sa.start_date DESC, sa.id DESC",
                marks.join(", ")
            ),
            staff_ids.iter().map(|i| (*i).into()).collect(),
        )
        .await
}

/// Everyone who served a grid, current first (the grid page's staff list and its history).
pub async fn assignments_of_grid(db: &Db, grid_id: i64) -> sqlx::Result<Vec<AssignmentRow>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT {ASSIGNMENT_COLUMNS} FROM staff_assignments sa JOIN staff s ON s.id = sa.staff_id JOIN areas g ON g.id = sa.grid_id \
                 WHERE sa.grid_id = $1 ORDER BY (sa.end_date IS NULL) DESC, sa.duty DESC, sa.start_date DESC, sa.id DESC"
            ),
            args![grid_id],
        )
        .await
}

pub async fn assignment(tx: &mut Tx, id: i64) -> sqlx::Result<Option<AssignmentRow>> {
    tx.fetch_optional(
        &format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM staff_assignments sa JOIN staff s ON s.id = sa.staff_id JOIN areas g ON g.id = sa.grid_id WHERE sa.id = $1"
        ),
        args![id],
    )
    .await
}

pub async fn open_assignment_exists(tx: &mut Tx, staff_id: i64, grid_id: i64) -> sqlx::Result<bool> {
    let r: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM staff_assignments WHERE staff_id = $1 AND grid_id = $2 AND end_date IS NULL",
            args![staff_id, grid_id],
        )
        .await?;
    Ok(r.is_some())
}

pub async fn insert_assignment(
    tx: &mut Tx,
    staff_id: i64,
    grid_id: i64,
    duty: &str,
    start: &str,
    now: Millis,
    by: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO staff_assignments (staff_id, grid_id, duty, start_date, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![staff_id, grid_id, duty, start, now, by],
        )
        .await?;
    Ok(id)
}

pub async fn end_assignment(tx: &mut Tx, id: i64, end: &str) -> sqlx::Result<bool> {
    let n = tx
        .execute("UPDATE staff_assignments SET end_date = $1 WHERE id = $2 AND end_date IS NULL", args![end, id])
        .await?;
    Ok(n == 1)
}

pub async fn end_assignments_of_grid(tx: &mut Tx, grid_id: i64, end: &str) -> sqlx::Result<u64> {
    tx.execute(
        "UPDATE staff_assignments SET end_date = $1 WHERE grid_id = $2 AND end_date IS NULL",
        args![end, grid_id],
    )
    .await
}

pub async fn end_assignments_of_staff(tx: &mut Tx, staff_id: i64, end: &str) -> sqlx::Result<u64> {
    tx.execute(
        "UPDATE staff_assignments SET end_date = $1 WHERE staff_id = $2 AND end_date IS NULL",
        args![end, staff_id],
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_file(
    tx: &mut Tx,
    id: &str,
    purpose: &str,
    content_type: &str,
    size: i64,
    sha256: &str,
    area_id: i64,
    by: i64,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO files (id, purpose, content_type, size, sha256, area_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![id, purpose, content_type, size, sha256, area_id, by, now],
    )
    .await
    .map(drop)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: String,
    pub content_type: String,
}

/// A staff photo, if the photo's staff member is visible in the scope.
pub async fn photo_in_scope(db: &Db, scope_path: &str, file_id: &str) -> sqlx::Result<Option<FileRow>> {
    let mut f = Filter::new();
    f.and1("fi.id = ?", file_id);
    visible(&mut f, scope_path);
    db.read()
        .fetch_optional(
            &format!("SELECT fi.id, fi.content_type FROM files fi JOIN staff s ON s.photo_file_id = fi.id JOIN areas ar ON ar.id = s.area_id{}", f.where_sql()),
            f.args(),
        )
        .await
}
