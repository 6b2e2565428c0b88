//! SQL of the field app: receipts of synced operations (claimed, then finished with their answer)
//! and photos uploaded ahead of the operation that uses them.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};

/// A receipt: the state of one operation of one account and the answer it got.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptRow {
    pub state: String,
    pub record_id: Option<i64>,
    pub result: String,
}

/// Claims an operation before it is applied; `false` when a receipt for it already exists.
pub async fn claim(db: &Db, account_id: i64, op_id: &str, kind: &str, now: Millis) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "INSERT INTO field_receipts (account_id, op_id, kind, state, created_at) VALUES ($1, $2, $3, 'pending', $4) \
             ON CONFLICT (account_id, op_id) DO NOTHING",
            args![account_id, op_id, kind, now],
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Takes over a claim left pending since `stale_before` (the server stopped mid-way); `false` if
/// another request holds it or it is finished.
pub async fn take_over(db: &Db, account_id: i64, op_id: &str, stale_before: Millis, now: Millis) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE field_receipts SET created_at = $1 WHERE account_id = $2 AND op_id = $3 AND state = 'pending' AND created_at < $4",
            args![now, account_id, op_id, stale_before],
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

pub async fn receipt(db: &Db, account_id: i64, op_id: &str) -> sqlx::Result<Option<ReceiptRow>> {
    db.read()
        .fetch_optional(
            "SELECT state, record_id, result, created_at FROM field_receipts WHERE account_id = $1 AND op_id = $2",
            args![account_id, op_id],
        )
        .await
}

/// Stores the answer of a claimed operation.
pub async fn finish(
    db: &Db,
    account_id: i64,
    op_id: &str,
    state: &str,
    record_id: Option<i64>,
    result: &str,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE field_receipts SET state = $1, record_id = $2, result = $3 WHERE account_id = $4 AND op_id = $5",
        args![state, record_id, result, account_id, op_id],
    )
    .await?;
    tx.commit().await
}

/// Marks a claimed operation applied inside the transaction that applies it (an event report), so
/// a server stopping between the commit and `finish` cannot leave the claim pending to be run twice.
pub async fn applied_in(tx: &mut Tx, account_id: i64, op_id: &str, record_id: i64, result: &str) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE field_receipts SET state = 'applied', record_id = $1, result = $2 WHERE account_id = $3 AND op_id = $4",
        args![record_id, result, account_id, op_id],
    )
    .await?;
    Ok(())
}

/// Drops a claim whose operation failed for a passing reason (so the phone may send it again).
pub async fn release(db: &Db, account_id: i64, op_id: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "DELETE FROM field_receipts WHERE account_id = $1 AND op_id = $2 AND state = 'pending'",
        args![account_id, op_id],
    )
    .await?;
    tx.commit().await
}

/// A photo uploaded ahead of its operation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub file_id: String,
    pub content_type: String,
    pub size: i64,
}

pub async fn upload_by_key(db: &Db, account_id: i64, client_key: &str) -> sqlx::Result<Option<UploadRow>> {
    db.read()
        .fetch_optional(
            "SELECT id, file_id, content_type, size FROM field_uploads WHERE account_id = $1 AND client_key = $2",
            args![account_id, client_key],
        )
        .await
}

pub async fn upload(db: &Db, account_id: i64, id: &str) -> sqlx::Result<Option<UploadRow>> {
    db.read()
        .fetch_optional(
            "SELECT id, file_id, content_type, size FROM field_uploads WHERE account_id = $1 AND id = $2",
            args![account_id, id],
        )
        .await
}

/// Records an upload; `false` when the same key was recorded meanwhile.
pub async fn insert_upload(
    db: &Db,
    account_id: i64,
    client_key: &str,
    row: &UploadRow,
    now: Millis,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "INSERT INTO field_uploads (id, account_id, client_key, file_id, content_type, size, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, client_key) DO NOTHING",
            args![
                row.id.as_str(),
                account_id,
                client_key,
                row.file_id.as_str(),
                row.content_type.as_str(),
                row.size,
                now
            ],
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Forgets uploads once their operation has stored the photos with the record.
pub async fn delete_uploads(db: &Db, account_id: i64, ids: &[String]) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    for id in ids {
        tx.execute("DELETE FROM field_uploads WHERE account_id = $1 AND id = $2", args![account_id, id.as_str()])
            .await?;
    }
    tx.commit().await
}

/// Removes an account's uploads made before `before` that no operation used; answers their files.
pub async fn expire_uploads(db: &Db, account_id: i64, before: Millis) -> sqlx::Result<Vec<String>> {
    let mut tx = db.begin().await?;
    let rows: Vec<(String,)> = tx
        .fetch_all(
            "DELETE FROM field_uploads WHERE account_id = $1 AND created_at < $2 RETURNING file_id",
            args![account_id, before],
        )
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|(f,)| f).collect())
}
