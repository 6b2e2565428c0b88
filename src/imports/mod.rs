//! Import jobs, shared by every entity's import: the upload's first read and header check, the job
//! row and its progress, running in the background, the error workbook, one import per account and
//! a few per server, and the sweep of jobs a restart cut off. What a row means is the entity's own.

mod finish;
mod slots;
mod store;

pub use finish::{Ending, finish_job};
pub use slots::{ImportSlot, take as take_slot};
pub use store::{JobRow, fail_interrupted_jobs, job_progress};

use crate::audit;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::excel::{self, Column};
use crate::state::AppState;
use serde_json::json;
use std::collections::HashMap;

/// Which column holds which header; a missing required header refuses the file.
pub fn header_map(columns: &[Column], headers: &[String]) -> AppResult<HashMap<&'static str, usize>> {
    let mut map = HashMap::new();
    for c in columns.iter() {
        if let Some(i) = headers.iter().position(|h| h == c.header) {
            map.insert(c.header, i);
        }
    }
    let missing: Vec<&str> =
        columns.iter().filter(|c| c.required && !map.contains_key(c.header)).map(|c| c.header).collect();
    if !missing.is_empty() {
        return Err(AppError::field("file", format!("表头不对：缺少“{}”列。请下载最新模板填写", missing.join("”“"))));
    }
    Ok(map)
}

/// A checked upload whose job exists: the rows, and which column holds which header.
pub struct Upload {
    pub job: i64,
    pub headers: Vec<String>,
    pub map: HashMap<&'static str, usize>,
    pub rows: Vec<Vec<String>>,
    /// The import's place among those running, freed when the job ends (`finish_job`).
    pub slot: ImportSlot,
}

/// Reads the whole file and checks its headers (nothing is written for a bad one), then creates the
/// job. The caller has checked the actor may import; the upload holds an import slot until its job ends.
pub async fn open_job(
    state: &AppState,
    actor: &Actor,
    entity: &str,
    columns: &[Column],
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Upload> {
    let slot = take_slot(state, actor.id)?;
    let (headers, rows) = tokio::task::spawn_blocking(move || excel::read_first_sheet(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let map = header_map(columns, &headers)?;
    if rows.is_empty() {
        return Err(AppError::field("file", "表格中没有数据行"));
    }
    let id = create_job(state, actor, entity, file_name, rows.len()).await?;
    Ok(Upload { job: id, headers, map, rows, slot })
}

/// Records a new import job of `rows` rows (as far as known) and its audit row.
pub async fn create_job(state: &AppState, actor: &Actor, entity: &str, file_name: &str, rows: usize) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    let name: String = file_name.chars().take(100).collect();
    let id = store::insert_job(&mut tx, entity, actor.id, &name, rows as i64, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "import_started",
        "import_job",
        id,
        json!({ "entity": entity, "file": name, "rows": rows }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Runs an import in the background; an error marks the job failed. The work owns the job's import
/// slot and hands it to `finish_job`; on an error it is freed with the work, before the job is marked.
pub fn spawn_job(state: &AppState, id: i64, work: impl Future<Output = AppResult<()>> + Send + 'static) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = work.await {
            tracing::error!(job = id, error = %e, "import failed");
            let now = state.clock.now();
            let _ = store::update_job(&state.db, id, "failed", [0; 4], None, &format!("导入失败：{e}"), now).await;
        }
    });
}

/// A running job's counts so far: processed, imported, unchanged, failed.
pub async fn progress(state: &AppState, job: i64, counts: [i64; 4]) -> AppResult<()> {
    Ok(store::update_job(&state.db, job, "running", counts, None, "", state.clock.now()).await?)
}

/// A job, to its owner only.
pub async fn job(state: &AppState, actor: &Actor, id: i64) -> AppResult<JobRow> {
    store::job(&state.db, id).await?.filter(|j| j.account_id == actor.id).ok_or_else(|| AppError::not_found("导入任务"))
}

/// The error workbook of a job, to its owner only.
pub async fn error_file(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    let j = job(state, actor, id).await?;
    let f = j.error_file_id.ok_or_else(|| AppError::not_found("错误清单"))?;
    Ok(state.keys.decrypt(&state.files.get(&f).await?)?)
}
