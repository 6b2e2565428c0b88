//! SQL of the dashboard: counts under an area summed by the database per grid (register, visits) or
//! per area path (open events), each a range scan on a materialised path.

use crate::args;
use crate::auth::scope::subtree_end;
use crate::clock::Millis;
use crate::db::Db;

/// The open states' complement, written exactly as in the partial index `events_open_area`.
const OPEN: &str = "e.state NOT IN ('closed', 'evaluated', 'cancelled', 'merged')";

/// An active grid under the area: id, name, path, boundary (GeoJSON text).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GridRow {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub boundary: Option<String>,
}

pub async fn grids(db: &Db, path: &str) -> sqlx::Result<Vec<GridRow>> {
    db.read()
        .fetch_all(
            "SELECT id, name, path, boundary FROM areas WHERE kind = 'grid' AND path >= $1 AND path < $2 \
             AND status = 'active' ORDER BY path",
            args![path, subtree_end(path)],
        )
        .await
}

/// Per grid under the path: active people, households, houses, rentals, places — each counted from
/// its `(grid_id, status …)` index, grid by grid. Grids with none of them are left out.
pub async fn register_by_grid(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, i64, i64, i64, i64, i64)>> {
    let count =
        |table: &str| format!("(SELECT COUNT(*) FROM {table} t WHERE t.grid_id = g.id AND t.status = 'active')");
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = db
        .read()
        .fetch_all(
            &format!(
                "SELECT g.id, {}, {}, {}, {}, {} FROM areas g WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2",
                count("persons"),
                count("households"),
                count("houses"),
                count("rentals"),
                count("places")
            ),
            args![path, subtree_end(path)],
        )
        .await?;
    Ok(rows.into_iter().filter(|r| r.1 + r.2 + r.3 + r.4 + r.5 > 0).collect())
}

/// Active special-population files of active people under the path, per group: (kind, count).
pub async fn special_counts(db: &Db, path: &str) -> sqlx::Result<Vec<(String, i64)>> {
    db.read()
        .fetch_all(
            // CROSS JOIN: SQLite walks the grids first (PostgreSQL plans as usual).
            "SELECT sf.kind, COUNT(*) FROM areas g CROSS JOIN special_files sf JOIN persons p ON p.id = sf.person_id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND sf.grid_id = g.id AND sf.status = 'active' \
             AND p.status = 'active' GROUP BY sf.kind",
            args![path, subtree_end(path)],
        )
        .await
}

/// Open events under the path by (state, category, card): one pass over the partial index.
pub async fn open_events(db: &Db, path: &str) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT e.state, e.category, e.card, COUNT(*) FROM events e \
                 WHERE e.area_path >= $1 AND e.area_path < $2 AND {OPEN} GROUP BY e.state, e.category, e.card"
            ),
            args![path, subtree_end(path)],
        )
        .await
}

/// Open events under the path per area path: (area_path, open, overdue at `now`).
pub async fn open_events_by_path(db: &Db, path: &str, now: Millis) -> sqlx::Result<Vec<(String, i64, i64)>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT e.area_path, COUNT(*), SUM(CASE WHEN e.deadline <= $3 THEN 1 ELSE 0 END) FROM events e \
                 WHERE e.area_path >= $1 AND e.area_path < $2 AND {OPEN} GROUP BY e.area_path"
            ),
            args![path, subtree_end(path), now],
        )
        .await
}

/// An overdue open event for the list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverdueEventRow {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub state: String,
    pub card: String,
    pub deadline: i64,
    pub grid_name: Option<String>,
}

/// The open events under the path past their step's deadline, most overdue first.
pub async fn overdue_events(db: &Db, path: &str, now: Millis, limit: i64) -> sqlx::Result<Vec<OverdueEventRow>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT e.id, e.title, e.category, e.state, e.card, e.deadline, g.name AS grid_name FROM events e \
                 LEFT JOIN areas g ON g.id = e.grid_id \
                 WHERE e.area_path >= $1 AND e.area_path < $2 AND {OPEN} AND e.deadline <= $3 \
                 ORDER BY e.deadline, e.id LIMIT $4"
            ),
            args![path, subtree_end(path), now, limit],
        )
        .await
}

/// Events under the path reported and closed in `[from, to)`: for each area of the subtree, a seek on
/// `(area_path, reported_at)` and `(area_path, closed_at)` — the subtree's older events are not read.
pub async fn month_counts(db: &Db, path: &str, from: Millis, to: Millis) -> sqlx::Result<(i64, i64)> {
    let end = subtree_end(path);
    let count = |column: &str| {
        format!(
            "SELECT COUNT(*) FROM areas a CROSS JOIN events e WHERE a.path >= $1 AND a.path < $2 \
             AND e.area_path = a.path AND e.{column} >= $3 AND e.{column} < $4"
        )
    };
    let (reported,): (i64,) = db.read().fetch_one(&count("reported_at"), args![path, end.as_str(), from, to]).await?;
    let (closed,): (i64,) = db.read().fetch_one(&count("closed_at"), args![path, end.as_str(), from, to]).await?;
    Ok((reported, closed))
}

/// Submissions of grids under the path waiting for sign-off, per kind: (kind, waiting, past the deadline).
pub async fn waiting_submissions(db: &Db, path: &str, now: Millis) -> sqlx::Result<Vec<(String, i64, i64)>> {
    db.read()
        .fetch_all(
            "SELECT s.kind, COUNT(*), SUM(CASE WHEN s.deadline < $3 THEN 1 ELSE 0 END) FROM submissions s \
             WHERE s.grid_path >= $1 AND s.grid_path < $2 AND s.state = 'waiting' GROUP BY s.kind ORDER BY s.kind",
            args![path, subtree_end(path), now],
        )
        .await
}
