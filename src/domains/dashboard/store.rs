//! SQL of the dashboard: counts under an area summed by the database per grid (register, visits) or
//! per area path (open events), each a range scan on a materialised path.

use crate::args;
use crate::clock::Millis;
use crate::db::Db;
use crate::domains::org::model::subtree_end;

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

/// Active records of a register table per grid under the path: (grid_id, count).
async fn per_grid(db: &Db, table: &str, path: &str) -> sqlx::Result<Vec<(i64, i64)>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT g.id, COUNT(*) FROM areas g JOIN {table} t ON t.grid_id = g.id \
                 WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND t.status = 'active' GROUP BY g.id"
            ),
            args![path, subtree_end(path)],
        )
        .await
}

/// Per grid: people, households, houses, rentals, places (active), in that order.
pub async fn register_by_grid(db: &Db, path: &str) -> sqlx::Result<[Vec<(i64, i64)>; 5]> {
    Ok([
        per_grid(db, "persons", path).await?,
        per_grid(db, "households", path).await?,
        per_grid(db, "houses", path).await?,
        per_grid(db, "rentals", path).await?,
        per_grid(db, "places", path).await?,
    ])
}

/// Active special-population files of active people under the path, per group: (kind, count).
pub async fn special_counts(db: &Db, path: &str) -> sqlx::Result<Vec<(String, i64)>> {
    db.read()
        .fetch_all(
            "SELECT sf.kind, COUNT(*) FROM areas g JOIN persons p ON p.grid_id = g.id \
             JOIN special_files sf ON sf.person_id = p.id \
             WHERE g.kind = 'grid' AND g.path >= $1 AND g.path < $2 AND p.status = 'active' AND sf.status = 'active' \
             GROUP BY sf.kind",
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

/// Events under the path reported and closed in `[from, to)`.
pub async fn month_counts(db: &Db, path: &str, from: Millis, to: Millis) -> sqlx::Result<(i64, i64)> {
    let end = subtree_end(path);
    let (reported,): (i64,) = db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM events e WHERE e.area_path >= $1 AND e.area_path < $2 \
             AND e.reported_at >= $3 AND e.reported_at < $4",
            args![path, end.as_str(), from, to],
        )
        .await?;
    let (closed,): (i64,) = db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM events e WHERE e.area_path >= $1 AND e.area_path < $2 \
             AND e.closed_at >= $3 AND e.closed_at < $4",
            args![path, end.as_str(), from, to],
        )
        .await?;
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
