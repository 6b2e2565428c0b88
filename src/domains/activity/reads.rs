//! Activity as other domains read it (the activity room's read face): each business account's active
//! days in a period, which the assessment scores. Other domains call this, never `activity::store`.

use crate::clock::Millis;
use crate::db::Db;

pub use super::store::AccountDays;

/// Every activated business account under `path` and its active days in `[first_day, end_day)`.
pub async fn account_days(
    db: &Db,
    path: &str,
    first_day: &str,
    end_day: &str,
    created_before: Millis,
    counts_reads: bool,
) -> sqlx::Result<Vec<AccountDays>> {
    super::store::account_days(db, path, first_day, end_day, created_before, counts_reads).await
}
