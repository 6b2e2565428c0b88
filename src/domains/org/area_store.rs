//! SQL for the area tree: reads always bounded by the caller's subtree, writes with version checks.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value, like_contains};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AreaRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub subkind: String,
    pub code: String,
    pub name: String,
    pub path: String,
    pub depth: i64,
    pub status: String,
    pub boundary: Option<String>,
    pub households: Option<i64>,
    pub area_note: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub retired_at: Option<i64>,
    pub version: i64,
}

pub const COLUMNS: &str = "a.id, a.parent_id, a.kind, a.subkind, a.code, a.name, a.path, a.depth, a.status, a.boundary, \
     a.households, a.area_note, a.note, a.created_at, a.updated_at, a.retired_at, a.version";

/// Filters of the area list.
#[derive(Debug, Default, Clone)]
pub struct AreaFilter {
    pub scope_path: String,
    pub parent: Option<i64>,
    pub ancestor_path: Option<String>,
    pub kind: Option<String>,
    pub q: Option<String>,
    /// `None`: active only.
    pub status: Option<String>,
}

pub async fn list(db: &Db, filter: &AreaFilter, paging: Paging) -> sqlx::Result<Page<AreaRow>> {
    let mut f = Filter::new();
    within(&mut f, "a.path", &filter.scope_path);
    if let Some(p) = filter.parent {
        f.and1("a.parent_id = ?", p);
    }
    if let Some(anc) = &filter.ancestor_path {
        within(&mut f, "a.path", anc);
        f.and1("a.path <> ?", anc.as_str());
    }
    if let Some(k) = &filter.kind {
        f.and1("a.kind = ?", k.as_str());
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = like_contains(q);
        f.and(
            "(LOWER(a.name) LIKE LOWER(?) ESCAPE '\\' OR a.code LIKE ? ESCAPE '\\')",
            vec![pat.clone().into(), pat.into()],
        );
    }
    match filter.status.as_deref() {
        Some("all") => {}
        Some(s) => {
            f.and1("a.status = ?", s);
        }
        None => {
            f.and1("a.status = ?", "active");
        }
    }
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) FROM areas a{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(&format!("SELECT {COLUMNS} FROM areas a{w} ORDER BY a.path LIMIT {} OFFSET {}", m[0], m[1]), a)
        .await?;
    Ok(paging.page(items, total))
}

/// One area, if it lies inside the subtree at `scope_path`.
pub async fn get(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<AreaRow>> {
    let mut f = Filter::new();
    f.and1("a.id = ?", id);
    within(&mut f, "a.path", scope_path);
    db.read().fetch_optional(&format!("SELECT {COLUMNS} FROM areas a{}", f.where_sql()), f.args()).await
}

/// One area by id, ignoring scope (inside a write transaction, after the scope check).
pub async fn get_tx(tx: &mut Tx, id: i64) -> sqlx::Result<Option<AreaRow>> {
    tx.fetch_optional(&format!("SELECT {COLUMNS} FROM areas a WHERE a.id = $1"), args![id]).await
}

pub async fn get_by_code(db: &Db, code: &str) -> sqlx::Result<Option<AreaRow>> {
    db.read().fetch_optional(&format!("SELECT {COLUMNS} FROM areas a WHERE a.code = $1"), args![code]).await
}

/// Names of the given areas, for breadcrumbs and `path`.
pub async fn names(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::new();
    f.and_in("id", ids);
    db.read().fetch_all(&format!("SELECT id, name FROM areas{}", f.where_sql()), f.args()).await
}

/// Active children per area, for the tree browser.
pub async fn child_counts(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let a: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
    db.read()
        .fetch_all(
            &format!(
                "SELECT parent_id, COUNT(*) FROM areas WHERE status = 'active' AND parent_id IN ({}) GROUP BY parent_id",
                marks.join(", ")
            ),
            a,
        )
        .await
}

/// Counts of active descendants by kind under a path.
pub async fn descendant_counts(db: &Db, path: &str) -> sqlx::Result<Vec<(String, i64)>> {
    let mut f = Filter::new();
    within(&mut f, "path", path);
    f.and1("path <> ?", path).and1("status = ?", "active");
    db.read().fetch_all(&format!("SELECT kind, COUNT(*) FROM areas{} GROUP BY kind", f.where_sql()), f.args()).await
}

pub struct NewArea<'a> {
    pub parent_id: Option<i64>,
    pub parent_path: &'a str,
    pub depth: i64,
    pub kind: &'a str,
    pub subkind: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub boundary: Option<String>,
    pub households: Option<i64>,
    pub area_note: Option<String>,
    pub note: Option<String>,
}

/// Inserts an area and sets its path from its new id.
pub async fn insert(tx: &mut Tx, a: &NewArea<'_>, now: Millis) -> sqlx::Result<AreaRow> {
    // The path is unique; a placeholder derived from the code holds the place until the id is known.
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO areas (parent_id, kind, subkind, code, name, path, depth, boundary, households, area_note, note, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            args![a.parent_id, a.kind, a.subkind, a.code, a.name, format!("#{}", a.code), a.depth, a.boundary.clone(), a.households, a.area_note.clone(), a.note.clone(), now],
        )
        .await?;
    let path = super::model::child_path(a.parent_path, id);
    tx.execute("UPDATE areas SET path = $1 WHERE id = $2", args![path, id]).await?;
    get_tx(tx, id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Writes the editable fields if the version matches; answers whether it did.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    name: &str,
    subkind: &str,
    boundary: Option<String>,
    households: Option<i64>,
    area_note: Option<String>,
    note: Option<String>,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE areas SET name = $1, subkind = $2, boundary = $3, households = $4, area_note = $5, note = $6, updated_at = $7, \
             version = version + 1 WHERE id = $8 AND version = $9",
            args![name, subkind, boundary, households, area_note, note, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn retire(tx: &mut Tx, id: i64, version: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE areas SET status = 'retired', retired_at = $1, updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3",
            args![now, id, version],
        )
        .await?;
    Ok(n == 1)
}

/// Active children of an area.
pub async fn active_children(tx: &mut Tx, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        tx.fetch_one("SELECT COUNT(*) FROM areas WHERE parent_id = $1 AND status = 'active'", args![id]).await?;
    Ok(n)
}

/// Whether a code is already used by any area (active or retired).
pub async fn code_taken(tx: &mut Tx, code: &str) -> sqlx::Result<bool> {
    let n: Option<(i64,)> = tx.fetch_optional("SELECT id FROM areas WHERE code = $1", args![code]).await?;
    Ok(n.is_some())
}

/// Rows of a subtree (the area itself included), for moving.
pub async fn subtree(tx: &mut Tx, path: &str) -> sqlx::Result<Vec<AreaRow>> {
    let mut f = Filter::new();
    within(&mut f, "a.path", path);
    tx.fetch_all(&format!("SELECT {COLUMNS} FROM areas a{} ORDER BY a.path", f.where_sql()), f.args()).await
}

/// Re-roots one row after a move.
pub async fn set_place(
    tx: &mut Tx,
    id: i64,
    parent_id: Option<i64>,
    path: &str,
    code: &str,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE areas SET parent_id = $1, path = $2, code = $3, updated_at = $4, version = version + 1 WHERE id = $5",
        args![parent_id, path, code, now, id],
    )
    .await
    .map(drop)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_move(
    tx: &mut Tx,
    area_id: i64,
    from_parent: i64,
    to_parent: i64,
    from_code: &str,
    to_code: &str,
    now: Millis,
    account_id: Option<i64>,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO area_moves (area_id, from_parent_id, to_parent_id, from_code, to_code, moved_at, account_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![area_id, from_parent, to_parent, from_code, to_code, now, account_id],
    )
    .await
    .map(drop)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MoveRow {
    pub id: i64,
    pub area_id: i64,
    pub from_parent_id: i64,
    pub from_parent_name: String,
    pub to_parent_id: i64,
    pub to_parent_name: String,
    pub from_code: String,
    pub to_code: String,
    pub moved_at: i64,
}

pub async fn moves_of(db: &Db, area_id: i64) -> sqlx::Result<Vec<MoveRow>> {
    db.read()
        .fetch_all(
            "SELECT m.id, m.area_id, m.from_parent_id, f.name AS from_parent_name, m.to_parent_id, t.name AS to_parent_name, \
             m.from_code, m.to_code, m.moved_at FROM area_moves m JOIN areas f ON f.id = m.from_parent_id \
             JOIN areas t ON t.id = m.to_parent_id WHERE m.area_id = $1 ORDER BY m.id DESC",
            args![area_id],
        )
        .await
}

/// The active grids under a path, `(id, code)`, in code order.
pub async fn grids_under(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let mut f = Filter::new();
    within(&mut f, "path", path);
    f.and1("kind = ?", "grid").and1("status = ?", "active");
    db.read().fetch_all(&format!("SELECT id, code FROM areas{} ORDER BY code", f.where_sql()), f.args()).await
}

/// The active grids under a path with their boundaries (GeoJSON text, or none), by code.
pub async fn grid_boundaries(
    db: &Db,
    path: &str,
) -> sqlx::Result<Vec<(i64, String, String, Option<i64>, Option<String>)>> {
    let mut f = Filter::new();
    within(&mut f, "path", path);
    f.and1("kind = ?", "grid").and1("status = ?", "active");
    db.read()
        .fetch_all(
            &format!("SELECT id, code, name, parent_id, boundary FROM areas{} ORDER BY code", f.where_sql()),
            f.args(),
        )
        .await
}

/// Active bound accounts in a subtree.
pub async fn active_accounts_in(tx: &mut Tx, path: &str) -> sqlx::Result<i64> {
    let mut f = Filter::new();
    within(&mut f, "ar.path", path);
    f.and1("ac.status <> ?", "retired");
    let (n,): (i64,) = tx
        .fetch_one(
            &format!("SELECT COUNT(*) FROM accounts ac JOIN areas ar ON ar.id = ac.area_id{}", f.where_sql()),
            f.args(),
        )
        .await?;
    Ok(n)
}
