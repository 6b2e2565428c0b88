//! SQL of the Open311 API keys: issue, list, revoke, find by hash, and the hourly rate window.

use crate::args;
use crate::clock::{HOUR, Millis};
use crate::db::{Db, Tx};
use serde::Serialize;

/// A key as listed (never the key itself, only its first characters).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct KeyRow {
    pub id: i64,
    pub name: String,
    pub owner: String,
    pub prefix: String,
    pub rate_per_hour: i64,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "k.id, k.name, k.owner, k.prefix, k.rate_per_hour, k.created_by, \
     a.display_name AS created_by_name, k.created_at, k.last_used_at, k.revoked_at";
const FROM: &str = "FROM open311_keys k JOIN accounts a ON a.id = k.created_by";

pub async fn list(db: &Db) -> sqlx::Result<Vec<KeyRow>> {
    db.read().fetch_all(&format!("SELECT {COLUMNS} {FROM} ORDER BY k.revoked_at IS NOT NULL, k.id DESC"), args![]).await
}

pub async fn get_tx(tx: &mut Tx, id: i64) -> sqlx::Result<Option<KeyRow>> {
    tx.fetch_optional(&format!("SELECT {COLUMNS} {FROM} WHERE k.id = $1"), args![id]).await
}

/// The key with this hash, revoked or not.
pub async fn by_hash(db: &Db, hash: &str) -> sqlx::Result<Option<KeyRow>> {
    db.read().fetch_optional(&format!("SELECT {COLUMNS} {FROM} WHERE k.key_hash = $1"), args![hash]).await
}

pub struct NewKey<'a> {
    pub name: &'a str,
    pub owner: &'a str,
    pub hash: &'a str,
    pub prefix: &'a str,
    pub rate_per_hour: i64,
    pub created_by: i64,
}

pub async fn insert(tx: &mut Tx, k: &NewKey<'_>, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO open311_keys (name, owner, key_hash, prefix, rate_per_hour, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![k.name, k.owner, k.hash, k.prefix, k.rate_per_hour, k.created_by, now],
        )
        .await?;
    Ok(id)
}

/// Revokes a live key; answers whether one was revoked.
pub async fn revoke(tx: &mut Tx, id: i64, by: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE open311_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
            args![now, by, id],
        )
        .await?;
    Ok(n == 1)
}

/// Counts one request against the key's fixed hourly window, in one conditional statement (so
/// several servers share the count); answers false when the window is full. Records the use.
pub async fn take_slot(db: &Db, id: i64, now: Millis) -> sqlx::Result<bool> {
    let fresh = "($1 - window_start >= $3 OR $1 < window_start)";
    let n = db
        .read()
        .execute(
            &format!(
                "UPDATE open311_keys SET \
                 window_count = CASE WHEN {fresh} THEN 1 ELSE window_count + 1 END, \
                 window_start = CASE WHEN {fresh} THEN $1 ELSE window_start END, \
                 last_used_at = $1 \
                 WHERE id = $2 AND revoked_at IS NULL AND ({fresh} OR window_count < rate_per_hour)"
            ),
            args![now, id, HOUR],
        )
        .await?;
    Ok(n == 1)
}

/// When the key's current hourly window started.
pub async fn window_start(db: &Db, id: i64) -> sqlx::Result<Millis> {
    let (at,): (i64,) = db.read().fetch_one("SELECT window_start FROM open311_keys WHERE id = $1", args![id]).await?;
    Ok(at)
}
