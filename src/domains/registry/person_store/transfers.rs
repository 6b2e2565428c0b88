//! Transfers (迁移申请) between grids, and small counts and code lists.

use super::*;
use crate::args;
use crate::auth::scope::subtree_end;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TransferRow {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub id_masked: String,
    pub from_grid_id: i64,
    pub from_grid_name: String,
    pub to_grid_id: i64,
    pub to_grid_name: String,
    pub reason: String,
    pub status: String,
    pub requested_at: i64,
    pub decided_at: Option<i64>,
    pub decision_note: String,
}

const TRANSFER_SELECT: &str = "SELECT t.id, t.person_id, p.name AS person_name, p.id_masked, t.from_grid_id, fg.name AS from_grid_name, \
     t.to_grid_id, tg.name AS to_grid_name, t.reason, t.status, t.requested_at, t.decided_at, t.decision_note \
     FROM person_transfers t JOIN persons p ON p.id = t.person_id JOIN areas fg ON fg.id = t.from_grid_id \
     JOIN areas tg ON tg.id = t.to_grid_id";

pub async fn insert_transfer(
    tx: &mut Tx,
    person_id: i64,
    from: i64,
    to: i64,
    by: i64,
    reason: &str,
    now: Millis,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO person_transfers (person_id, from_grid_id, to_grid_id, requested_by, requested_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![person_id, from, to, by, now, reason],
        )
        .await?;
    Ok(id)
}

pub async fn pending_transfer_exists(tx: &mut Tx, person_id: i64) -> sqlx::Result<bool> {
    let r: Option<(i64,)> = tx
        .fetch_optional("SELECT id FROM person_transfers WHERE person_id = $1 AND status = 'pending'", args![person_id])
        .await?;
    Ok(r.is_some())
}

/// Transfers touching the subtree (into or out of it).
pub async fn transfers(db: &Db, path: &str, status: Option<&str>) -> sqlx::Result<Vec<TransferRow>> {
    let mut f = Filter::new();
    let end = subtree_end(path);
    f.and(
        "((fg.path >= ? AND fg.path < ?) OR (tg.path >= ? AND tg.path < ?))",
        vec![path.into(), end.clone().into(), path.into(), end.into()],
    );
    if let Some(s) = status {
        f.and1("t.status = ?", s);
    }
    db.read().fetch_all(&format!("{TRANSFER_SELECT}{} ORDER BY t.id DESC LIMIT 200", f.where_sql()), f.args()).await
}

pub async fn transfer(tx: &mut Tx, id: i64) -> sqlx::Result<Option<(TransferRow, String)>> {
    let row: Option<TransferRow> = tx.fetch_optional(&format!("{TRANSFER_SELECT} WHERE t.id = $1"), args![id]).await?;
    match row {
        Some(r) => {
            let (path,): (String,) =
                tx.fetch_one("SELECT path FROM areas WHERE id = $1", args![r.from_grid_id]).await?;
            Ok(Some((r, path)))
        }
        None => Ok(None),
    }
}

pub async fn decide_transfer(
    tx: &mut Tx,
    id: i64,
    status: &str,
    by: i64,
    note: &str,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE person_transfers SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5 AND status = 'pending'",
            args![status, by, now, note, id],
        )
        .await?;
    Ok(n == 1)
}

/// People (not deleted) under a path.
pub async fn count_under(db: &Db, path: &str) -> sqlx::Result<i64> {
    let mut f = Filter::new();
    f.and("g.path >= ? AND g.path < ?", vec![path.into(), subtree_end(path).into()]);
    f.and1("p.status <> ?", "deleted");
    let (n,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {FROM}{}", f.where_sql()), f.args()).await?;
    Ok(n)
}

/// The code tables, `(table, code, label)`.
pub async fn code_items(db: &Db) -> sqlx::Result<Vec<(String, String, String)>> {
    db.read().fetch_all("SELECT code_table, code, label FROM code_items ORDER BY code_table, sort", args![]).await
}
