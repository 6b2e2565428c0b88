//! Visits as other domains read them (the visits room's read face): the overdue counts per grid that
//! the assessment and the dashboard show. Other domains call this, never `visits::store`.

use crate::db::Db;

/// Per grid under `area_path`: (grid id, grid path, visits overdue on the day `on`, `YYYY-MM-DD`).
pub async fn overdue_by_grid(db: &Db, area_path: &str, on: &str) -> sqlx::Result<Vec<(i64, String, i64)>> {
    super::store::overdue_by_grid(db, area_path, on).await
}
