//! Submissions as other domains read them (the submissions room's read face): the kind → department
//! mapping and the period counts the bulletin and the assessment use. Other domains call these, never
//! `submissions::store`.

use super::store;
use crate::clock::Millis;
use crate::db::Db;

pub use super::store::{ChildKindCounts, DepartmentKindCounts, MappingRow, PeriodCounts};

/// Which kind of department signs off which kind of submission.
pub async fn mapping(db: &Db) -> sqlx::Result<Vec<MappingRow>> {
    store::mapping(db).await
}

/// The submissions first sent in `[from, to)` under `path`, per child area × kind and per department × kind.
pub async fn period_counts(
    db: &Db,
    path: &str,
    from: Millis,
    to: Millis,
) -> sqlx::Result<(Vec<ChildKindCounts>, Vec<DepartmentKindCounts>)> {
    store::period_counts(db, path, from, to).await
}

/// Submissions sent in `[from, to)` under `path` still unsigned at `to` past their deadline, per grid path.
pub async fn overdue_unsigned_by_grid(
    db: &Db,
    path: &str,
    from: Millis,
    to: Millis,
) -> sqlx::Result<Vec<(String, i64)>> {
    store::overdue_unsigned_by_grid(db, path, from, to).await
}
