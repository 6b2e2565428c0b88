//! The `files` table: what each stored file is for, its type and size, who stored it and when.

use crate::args;
use crate::clock::Millis;
use crate::db::Tx;

/// Records a stored file's row in the caller's transaction.
pub async fn insert_file_row(
    tx: &mut Tx,
    id: &str,
    purpose: &str,
    content_type: &str,
    size: i64,
    by: i64,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO files (id, purpose, content_type, size, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, '', $5, $6)",
        args![id, purpose, content_type, size, by, now],
    )
    .await
    .map(drop)
}
