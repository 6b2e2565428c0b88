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
    pub parent_id: Option<i64>,
    pub boundary: Option<String>,
    pub version: i64,
}

/// The active grids under a path, by code.
pub async fn grids_under(db: &Db, path: &str) -> sqlx::Result<Vec<GridShape>> {
    let mut f = crate::db::Filter::new();
    super::area_store::within(&mut f, "path", path);
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
    super::area_store::within(&mut f, "a.path", path);
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
