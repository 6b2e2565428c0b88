//! Events as other domains read them (the events room's read face): the category catalogue, one
//! event in a scope, the per-child and per-path counts that bulletins and assessment rank by, and the
//! accounts that act for a holder. Other domains call these, never `events::store`.

use super::figures::Period;
use super::store;
use crate::auth::Scope;
use crate::db::Db;

pub use super::store::{CategoryRow, EventRow, PathCounts};

/// Every event category (both levels), in the catalogue's order.
pub async fn categories(db: &Db) -> sqlx::Result<Vec<CategoryRow>> {
    store::categories(db).await
}

/// One category by its code.
pub async fn category(db: &Db, code: &str) -> sqlx::Result<Option<CategoryRow>> {
    store::category(db, code).await
}

/// One event, if the scope sees it.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> sqlx::Result<Option<EventRow>> {
    store::get(db, scope, id).await
}

/// Events under `path` that arrived and that closed in the period, per child area: (child, arrived, closed).
pub async fn completion_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<Vec<(String, i64, i64)>> {
    store::completion_counts(db, path, p).await
}

/// Per area path under `path`: arrived, closed, due and closed on time in the period (the assessment's counts).
pub async fn assessment_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<Vec<PathCounts>> {
    store::assessment_counts(db, path, p).await
}

/// Accounts that act for a holder: bound to the area at its level, or handlers of the department.
pub async fn holder_accounts(db: &Db, area_id: Option<i64>, department_id: Option<i64>) -> sqlx::Result<Vec<i64>> {
    store::holder_accounts(db, area_id, department_id).await
}
