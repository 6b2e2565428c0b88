//! SQL for special-population files and their visits.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub data_enc: Vec<u8>,
    pub next_visit_due: Option<String>,
    pub status: String,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub visited_on: String,
    pub visitor: String,
    pub note_enc: Vec<u8>,
    pub next_visit_due: Option<String>,
}

pub async fn files_of(db: &Db, person_id: i64) -> sqlx::Result<Vec<FileRow>> {
    db.read()
        .fetch_all(
            "SELECT id, person_id, kind, data_enc, next_visit_due, status, updated_at, version FROM special_files \
             WHERE person_id = $1 AND status <> 'deleted' ORDER BY id",
            args![person_id],
        )
        .await
}

pub async fn visits_of(db: &Db, file_id: i64) -> sqlx::Result<Vec<VisitRow>> {
    db.read()
        .fetch_all(
            "SELECT v.id, v.visited_on, a.display_name AS visitor, v.note_enc, v.next_visit_due FROM special_visits v \
             JOIN accounts a ON a.id = v.account_id WHERE v.file_id = $1 ORDER BY v.visited_on DESC, v.id DESC",
            args![file_id],
        )
        .await
}

pub async fn file_of_kind(tx: &mut Tx, person_id: i64, kind: &str) -> sqlx::Result<Option<(i64,)>> {
    tx.fetch_optional(
        "SELECT id FROM special_files WHERE person_id = $1 AND kind = $2 AND status <> 'deleted'",
        args![person_id, kind],
    )
    .await
}

pub async fn insert_file(
    tx: &mut Tx,
    person_id: i64,
    kind: &str,
    data_enc: &[u8],
    due: Option<&str>,
    now: Millis,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO special_files (person_id, kind, data_enc, next_visit_due, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            args![person_id, kind, data_enc.to_vec(), due, now],
        )
        .await?;
    Ok(id)
}

/// Records a visit and moves the file's next visit due, in the caller's transaction.
pub async fn insert_visit(
    tx: &mut Tx,
    file_id: i64,
    visited_on: &str,
    account_id: i64,
    note_enc: &[u8],
    due: Option<&str>,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO special_visits (file_id, visited_on, account_id, note_enc, next_visit_due, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![file_id, visited_on, account_id, note_enc.to_vec(), due, now],
    )
    .await?;
    tx.execute(
        "UPDATE special_files SET next_visit_due = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        args![due, now, file_id],
    )
    .await
    .map(drop)
}
