//! SQL of the grid maps: the change counter of grid boundaries, the grids the coordinate index is
//! built from, and writing one grid's boundary with its version check.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};

/// The change counter of grid boundaries (bumped by triggers, migration 0024, in the same
/// transaction as any change of a grid's boundary, status, place or kind): one row, one read.
pub async fn geo_generation(db: &Db) -> sqlx::Result<i64> {
    let (g,): (i64,) = db.read().fetch_one("SELECT generation FROM geo_generation WHERE id = 1", args![]).await?;
    Ok(g)
}

/// Every active grid with a boundary: (id, path, GeoJSON text).
pub async fn located_grids(db: &Db) -> sqlx::Result<Vec<(i64, String, String)>> {
    db.read()
        .fetch_all(
            "SELECT id, path, boundary FROM areas WHERE kind = 'grid' AND status = 'active' AND boundary IS NOT NULL",
            args![],
        )
        .await
}

/// Writes one grid's boundary if its version matches; answers whether it did.
pub async fn set_boundary(
    tx: &mut Tx,
    id: i64,
    version: i64,
    boundary: Option<&str>,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE areas SET boundary = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
            args![boundary, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

/// A grid as the map services need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GridShape {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub boundary: Option<String>,
    pub version: i64,
}

/// The active grids under a path, by code.
pub async fn grids_under(db: &Db, path: &str) -> sqlx::Result<Vec<GridShape>> {
    let mut f = crate::db::Filter::new();
    crate::auth::scope::within(&mut f, "path", path);
    f.and1("kind = ?", "grid").and1("status = ?", "active");
    db.read()
        .fetch_all(
            &format!("SELECT id, code, name, parent_id, boundary, version FROM areas{} ORDER BY code", f.where_sql()),
            f.args(),
        )
        .await
}

/// Names of the workers serving each grid under a path now, `(grid id, name, duty)`, for legends.
pub async fn grid_workers(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String, String)>> {
    let mut f = crate::db::Filter::new();
    crate::auth::scope::within(&mut f, "a.path", path);
    f.and1("a.kind = ?", "grid").and1("a.status = ?", "active");
    f.and("g.end_date IS NULL", vec![]);
    db.read()
        .fetch_all(
            &format!(
                "SELECT g.grid_id, s.name, g.duty FROM staff_assignments g JOIN staff s ON s.id = g.staff_id \
                 JOIN areas a ON a.id = g.grid_id{} ORDER BY a.code, g.duty DESC, s.name",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// A grid's version stamp: `(id, name, version, has a boundary)`, by code, for the check's fingerprint.
pub async fn grid_stamps(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String, i64, bool)>> {
    let mut f = crate::db::Filter::new();
    crate::auth::scope::within(&mut f, "path", path);
    f.and1("kind = ?", "grid").and1("status = ?", "active");
    db.read()
        .fetch_all(
            &format!("SELECT id, name, version, boundary IS NOT NULL FROM areas{} ORDER BY code", f.where_sql()),
            f.args(),
        )
        .await
}

/// The stored check of an area: `(fingerprint, report JSON, checked_at)`.
pub async fn stored_check(db: &Db, area_id: i64) -> sqlx::Result<Option<(String, String, Millis)>> {
    db.read()
        .fetch_optional("SELECT fingerprint, report, checked_at FROM grid_checks WHERE area_id = $1", args![area_id])
        .await
}

/// Keeps an area's check (replacing an older one).
pub async fn save_check(db: &Db, area_id: i64, fingerprint: &str, report: &str, now: Millis) -> sqlx::Result<()> {
    db.read()
        .execute(
            "INSERT INTO grid_checks (area_id, fingerprint, report, checked_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (area_id) DO UPDATE SET fingerprint = $2, report = $3, checked_at = $4",
            args![area_id, fingerprint, report, now],
        )
        .await?;
    Ok(())
}

/// Forgets the stored checks of every area a change under `path` touches: the area itself, its
/// ancestors and everything below it, in the change's transaction.
pub async fn forget_checks(tx: &mut Tx, path: &str) -> sqlx::Result<()> {
    // `-1` names no area: an empty IN list is not SQL.
    let ancestors: Vec<i64> = std::iter::once(-1).chain(super::model::path_ids(path)).collect();
    let mut values: Vec<crate::db::Value> = ancestors.iter().map(|id| (*id).into()).collect();
    values.extend([path.into(), crate::auth::scope::subtree_end(path).into()]);
    let marks = vec!["?"; ancestors.len()].join(", ");
    let mut f = crate::db::Filter::new();
    f.and(&format!("(area_id IN ({marks}) OR area_id IN (SELECT id FROM areas WHERE path >= ? AND path < ?))"), values);
    tx.execute(&format!("DELETE FROM grid_checks{}", f.where_sql()), f.args()).await?;
    Ok(())
}
