//! SQL of the figures per worker and grid (patrol days, minutes, metres, findings), and names for them.

use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter};
use serde::Serialize;

/// Patrol figures of one worker in one grid.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct WorkerFigures {
    pub account_id: i64,
    pub grid_id: i64,
    pub patrol_days: i64,
    pub minutes: i64,
    pub metres: i64,
    pub findings: i64,
}

/// Patrol figures of one grid (patrol days: days on which anyone patrolled it).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct GridFigures {
    pub grid_id: i64,
    pub patrols: i64,
    pub patrol_days: i64,
    pub minutes: i64,
    pub metres: i64,
    pub findings: i64,
}

/// The sums shared by both groupings: a patrol counts for the day it started; minutes are whole
/// minutes per ended patrol (an open patrol has none yet).
const SUMS: &str = "COUNT(DISTINCT p.day) AS patrol_days, \
     CAST(COALESCE(SUM(CASE WHEN p.ended_at IS NULL THEN 0 ELSE (p.ended_at - p.started_at) / 60000 END), 0) AS BIGINT) AS minutes, \
     CAST(COALESCE(SUM(p.metres), 0) AS BIGINT) AS metres, CAST(COALESCE(SUM(p.findings), 0) AS BIGINT) AS findings";

/// Patrols started in `[from, to)` in grids under `area_path`.
fn started_in(area_path: &str, from: Millis, to: Millis) -> Filter {
    let mut f = Filter::new();
    within(&mut f, "p.grid_path", area_path);
    f.and1("p.started_at >= ?", from);
    f.and1("p.started_at < ?", to);
    f
}

/// Figures per worker and grid of the patrols started in `[from, to)` in grids under `area_path`.
pub async fn worker_figures(db: &Db, area_path: &str, from: Millis, to: Millis) -> sqlx::Result<Vec<WorkerFigures>> {
    let f = started_in(area_path, from, to);
    db.read()
        .fetch_all(
            &format!(
                "SELECT p.account_id, p.grid_id, {SUMS} FROM patrols p{} GROUP BY p.account_id, p.grid_id \
                 ORDER BY p.grid_id, p.account_id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Figures per grid of the patrols started in `[from, to)` in grids under `area_path`.
pub async fn grid_figures(db: &Db, area_path: &str, from: Millis, to: Millis) -> sqlx::Result<Vec<GridFigures>> {
    let f = started_in(area_path, from, to);
    db.read()
        .fetch_all(
            &format!(
                "SELECT p.grid_id, COUNT(*) AS patrols, {SUMS} FROM patrols p{} GROUP BY p.grid_id ORDER BY p.grid_id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Names of accounts and areas, for the figures (id → name).
pub async fn names(db: &Db, table: &str, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (table, col) = if table == "accounts" { ("accounts", "display_name") } else { ("areas", "name") };
    let mut f = Filter::new();
    f.and_in("id", ids);
    db.read().fetch_all(&format!("SELECT id, {col} FROM {table}{}", f.where_sql()), f.args()).await
}

/// Active grids under a path (for the start form of community staff).
pub async fn grids_under(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let mut f = Filter::new();
    within(&mut f, "path", path);
    f.and1("kind = ?", "grid");
    f.and1("status = ?", "active");
    db.read().fetch_all(&format!("SELECT id, name FROM areas{} ORDER BY code LIMIT 500", f.where_sql()), f.args()).await
}
