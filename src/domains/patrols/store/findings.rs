//! SQL of a patrol's checklist results and findings (and their link to an event).

use super::PatrolRow;
use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};
use serde::Serialize;

/// A checklist result of a patrol.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CheckRow {
    pub item_id: i64,
    pub result: String,
    pub note: String,
    pub checked_at: i64,
}

pub async fn upsert_check(
    tx: &mut Tx,
    patrol_id: i64,
    item_id: i64,
    result: &str,
    note: &str,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO patrol_checks (patrol_id, item_id, result, note, checked_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (patrol_id, item_id) DO UPDATE SET result = excluded.result, note = excluded.note, \
         checked_at = excluded.checked_at",
        args![patrol_id, item_id, result, note, now],
    )
    .await
    .map(drop)
}

pub async fn checks_of(db: &Db, patrol_id: i64) -> sqlx::Result<Vec<CheckRow>> {
    db.read()
        .fetch_all(
            "SELECT item_id, result, note, checked_at FROM patrol_checks WHERE patrol_id = $1 ORDER BY item_id",
            args![patrol_id],
        )
        .await
}

/// A finding of a patrol.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub patrol_id: i64,
    pub item_id: Option<i64>,
    pub item_name: Option<String>,
    pub item_category: Option<String>,
    pub account_id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub found_at: i64,
    pub event_id: Option<i64>,
    pub event_state: Option<String>,
    pub version: i64,
}

const FINDING_COLUMNS: &str = "f.id, f.patrol_id, f.item_id, i.name AS item_name, i.event_category AS item_category, \
     f.account_id, f.grid_id, g.name AS grid_name, f.grid_path, f.description, f.address, f.lat, f.lng, f.found_at, \
     f.event_id, e.state AS event_state, f.version";

const FINDING_FROM: &str = "FROM patrol_findings f LEFT JOIN patrol_checklist_items i ON i.id = f.item_id \
     JOIN areas g ON g.id = f.grid_id LEFT JOIN events e ON e.id = f.event_id";

pub struct NewFinding<'a> {
    pub patrol: &'a PatrolRow,
    pub item_id: Option<i64>,
    pub description: &'a str,
    pub address: &'a str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub now: Millis,
}

/// Inserts a finding and counts it on its patrol.
pub async fn insert_finding(tx: &mut Tx, f: &NewFinding<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO patrol_findings (patrol_id, item_id, account_id, grid_id, grid_path, description, address, lat, lng, \
             found_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10) RETURNING id",
            args![
                f.patrol.id,
                f.item_id,
                f.patrol.account_id,
                f.patrol.grid_id,
                f.patrol.grid_path.as_str(),
                f.description,
                f.address,
                Value::Float(f.lat),
                Value::Float(f.lng),
                f.now
            ],
        )
        .await?;
    tx.execute("UPDATE patrols SET findings = findings + 1 WHERE id = $1", args![f.patrol.id]).await?;
    Ok(id)
}

pub async fn findings_of(db: &Db, patrol_id: i64) -> sqlx::Result<Vec<FindingRow>> {
    db.read()
        .fetch_all(
            &format!("SELECT {FINDING_COLUMNS} {FINDING_FROM} WHERE f.patrol_id = $1 ORDER BY f.id"),
            args![patrol_id],
        )
        .await
}

/// One finding inside a scope.
pub async fn finding(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<FindingRow>> {
    let mut f = Filter::new();
    f.and1("f.id = ?", id);
    within(&mut f, "f.grid_path", scope_path);
    db.read().fetch_optional(&format!("SELECT {FINDING_COLUMNS} {FINDING_FROM}{}", f.where_sql()), f.args()).await
}

/// Links a finding to the event made of it, if it has none yet and its version still matches.
pub async fn link_event(tx: &mut Tx, id: i64, version: i64, event_id: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE patrol_findings SET event_id = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND version = $4 AND event_id IS NULL",
            args![event_id, now, id, version],
        )
        .await?;
    Ok(n == 1)
}
