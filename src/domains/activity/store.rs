//! SQL of account activity: recording a day of use, the supervision settings, and each account's
//! active days in a period under an area.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};
use crate::domains::org::model::subtree_end;
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
    let kinds = if counts_reads { "" } else { " AND kind = 'write'" };
    let end = subtree_end(path);
    db.read()
        .fetch_all(
            &format!(
                "SELECT a.id, a.username, a.display_name, a.role, a.area_id, a.department_id, \
                 COALESCE(ar.path, dar.path) AS path, COALESCE(d.name, ar.name) AS unit_name, \
                 CAST(COALESCE(x.days, 0) AS BIGINT) AS days, a.last_login_at \
                 FROM accounts a \
                 LEFT JOIN areas ar ON ar.id = a.area_id \
                 LEFT JOIN departments d ON d.id = a.department_id \
                 LEFT JOIN areas dar ON dar.id = d.area_id \
                 LEFT JOIN (SELECT account_id, COUNT(*) AS days FROM account_activity \
                            WHERE day >= $1 AND day < $2{kinds} GROUP BY account_id) x ON x.account_id = a.id \
                 WHERE a.status <> 'retired' AND a.created_at < $3 AND a.role IN {COUNTED_ROLES} \
                 AND ((ar.path >= $4 AND ar.path < $5) OR (dar.path >= $4 AND dar.path < $5)) \
                 ORDER BY COALESCE(ar.path, dar.path), a.id"
            ),
            args![first_day, end_day, created_before, path, end],
        )
        .await
}
