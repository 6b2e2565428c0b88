//! SQL of the patrol checklist items.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};
use serde::Serialize;

/// One item of the patrol checklist.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ItemRow {
    pub id: i64,
    pub name: String,
    pub hint: String,
    pub event_category: String,
    pub sort: i64,
    pub active: bool,
    pub version: i64,
}

const ITEM_COLUMNS: &str = "id, name, hint, event_category, sort, active, version";

pub async fn checklist(db: &Db) -> sqlx::Result<Vec<ItemRow>> {
    db.read().fetch_all(&format!("SELECT {ITEM_COLUMNS} FROM patrol_checklist_items ORDER BY sort, id"), vec![]).await
}

pub async fn item_tx(tx: &mut Tx, id: i64) -> sqlx::Result<Option<ItemRow>> {
    tx.fetch_optional(&format!("SELECT {ITEM_COLUMNS} FROM patrol_checklist_items WHERE id = $1"), args![id]).await
}

pub async fn active_item_ids_tx(tx: &mut Tx) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        tx.fetch_all("SELECT id FROM patrol_checklist_items WHERE active = $1", args![true]).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn insert_item(tx: &mut Tx, i: &ItemRow, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO patrol_checklist_items (name, hint, event_category, sort, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![i.name.as_str(), i.hint.as_str(), i.event_category.as_str(), i.sort, i.active, now],
        )
        .await?;
    Ok(id)
}

/// Updates an item if its version still matches.
pub async fn update_item(tx: &mut Tx, i: &ItemRow, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE patrol_checklist_items SET name = $1, hint = $2, event_category = $3, sort = $4, active = $5, \
             updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
            args![i.name.as_str(), i.hint.as_str(), i.event_category.as_str(), i.sort, i.active, now, i.id, i.version],
        )
        .await?;
    Ok(n == 1)
}
