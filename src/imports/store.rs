//! The `import_jobs` table: a job's row, its progress and totals, and the sweep after a restart.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
/// An import job as its owner sees it.
pub struct JobRow {
    pub id: i64,
    pub entity: String,
    pub account_id: i64,
    pub status: String,
    pub file_name: String,
    pub total: i64,
    pub processed: i64,
    pub imported: i64,
    pub unchanged: i64,
    pub failed: i64,
    pub error_file_id: Option<String>,
    pub message: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const JOB_COLUMNS: &str = "id, entity, account_id, status, file_name, total, processed, imported, unchanged, failed, error_file_id, message, created_at, updated_at";

/// A new job, `queued`.
pub async fn insert_job(
    tx: &mut Tx,
    entity: &str,
    account_id: i64,
    file_name: &str,
    total: i64,
    now: Millis,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO import_jobs (entity, account_id, file_name, total, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            args![entity, account_id, file_name, total, now],
        )
        .await?;
    Ok(id)
}

/// A job by its id.
pub async fn job(db: &Db, id: i64) -> sqlx::Result<Option<JobRow>> {
    db.read().fetch_optional(&format!("SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1"), args![id]).await
}

/// Sets a job's status, its counts (processed, imported, unchanged, failed), error file and message.
pub async fn update_job(
    db: &Db,
    id: i64,
    status: &str,
    counts: [i64; 4],
    error_file: Option<&str>,
    message: &str,
    now: Millis,
) -> sqlx::Result<()> {
    let [processed, imported, unchanged, failed] = counts;
    db.read()
        .execute(
            "UPDATE import_jobs SET status = $1, processed = $2, imported = $3, unchanged = $4, failed = $5, error_file_id = $6, \
             message = $7, updated_at = $8 WHERE id = $9",
            args![status, processed, imported, unchanged, failed, error_file, message, now, id],
        )
        .await
        .map(drop)
}

/// A running job's counts, written in the transaction of the batch they describe (so the page
/// never shows rows that are not committed, and the batch's commit carries them).
pub async fn job_progress(tx: &mut Tx, id: i64, counts: [i64; 4], now: Millis) -> sqlx::Result<()> {
    let [processed, imported, unchanged, failed] = counts;
    tx.execute(
        "UPDATE import_jobs SET processed = $1, imported = $2, unchanged = $3, failed = $4, updated_at = $5 WHERE id = $6",
        args![processed, imported, unchanged, failed, now, id],
    )
    .await
    .map(drop)
}

/// Sets a job's row count once the whole file is read (before, it is what the sheet declared).
pub async fn set_job_total(db: &Db, id: i64, total: i64) -> sqlx::Result<()> {
    db.read().execute("UPDATE import_jobs SET total = $1 WHERE id = $2", args![total, id]).await.map(drop)
}

/// Jobs cut off by a restart are marked failed, so nobody waits for them forever.
pub async fn fail_interrupted_jobs(db: &Db, now: Millis) -> sqlx::Result<u64> {
    db.read()
        .execute(
            "UPDATE import_jobs SET status = 'failed', message = '导入被中断（服务重启），已写入的行保留，请重新导入剩余部分', updated_at = $1 \
             WHERE status IN ('queued', 'running')",
            args![now],
        )
        .await
}
