//! SQL of account activity: recording a day of use, the supervision settings, and each account's
//! active days in a period under an area.

use crate::args;
use crate::auth::scope::subtree_end;
use crate::clock::Millis;
use crate::db::{Db, Tx};
use serde::Serialize;

/// Records that an account was used on a Beijing day; a day of business outranks a day of reading.
pub async fn record(db: &Db, account_id: i64, day: &str, kind: &str, at: Millis) -> sqlx::Result<()> {
    db.read()
        .execute(
            "INSERT INTO account_activity (account_id, day, kind, first_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, day) DO UPDATE SET kind = excluded.kind \
             WHERE account_activity.kind = 'read' AND excluded.kind = 'write'",
            args![account_id, day, kind, at],
        )
        .await?;
    Ok(())
}

pub async fn settings(db: &Db) -> sqlx::Result<Vec<(String, String)>> {
    db.read().fetch_all("SELECT key, value FROM supervision_settings ORDER BY key", args![]).await
}

pub async fn set_setting(tx: &mut Tx, key: &str, value: &str, now: Millis, by: i64) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO supervision_settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        args![key, value, now, by],
    )
    .await?;
    Ok(())
}

/// One business account under an area with its active days in a period.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AccountDays {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub area_id: Option<i64>,
    pub department_id: Option<i64>,
    /// The path of the account's area, or of its department's area.
    pub path: String,
    pub unit_name: String,
    pub days: i64,
    pub last_login_at: Option<i64>,
}

/// The roles whose accounts are counted: everyone who works cases, not the three administrators.
pub const COUNTED_ROLES: &str =
    "('grid_worker', 'grid_leader', 'community_staff', 'town_center', 'county_center', 'department_handler')";

/// Every activated business account under a path (area-bound inside the subtree, or bound to a
/// department whose area is inside it) and its active days in `[first_day, end_day)`. An account
/// counts as activated when it existed before the period ended and has not been retired.
pub async fn account_days(
    db: &Db,
    path: &str,
    first_day: &str,
    end_day: &str,
    created_before: Millis,
    counts_reads: bool,
) -> sqlx::Result<Vec<AccountDays>> {
    let kinds = if counts_reads { "" } else { " AND x.kind = 'write'" };
    let end = subtree_end(path);
    // Two range scans on the area paths (area-bound accounts; department accounts through their
    // department's area), each account's days counted on its own index range.
    let days = format!(
        "CAST((SELECT COUNT(*) FROM account_activity x WHERE x.account_id = a.id AND x.day >= $1 AND x.day < $2{kinds}) AS BIGINT)"
    );
    let live = format!("a.status <> 'retired' AND a.created_at < $3 AND a.role IN {COUNTED_ROLES}");
    db.read()
        .fetch_all(
            &format!(
                "SELECT a.id, a.username, a.display_name, a.role, a.area_id, a.department_id, ar.path AS path, \
                 ar.name AS unit_name, {days} AS days, a.last_login_at \
                 FROM areas ar JOIN accounts a ON a.area_id = ar.id \
                 WHERE ar.path >= $4 AND ar.path < $5 AND {live} \
                 UNION ALL \
                 SELECT a.id, a.username, a.display_name, a.role, a.area_id, a.department_id, dar.path AS path, \
                 d.name AS unit_name, {days} AS days, a.last_login_at \
                 FROM areas dar JOIN departments d ON d.area_id = dar.id JOIN accounts a ON a.department_id = d.id \
                 WHERE dar.path >= $4 AND dar.path < $5 AND {live} \
                 ORDER BY 7, 1"
            ),
            args![first_day, end_day, created_before, path, end],
        )
        .await
}
