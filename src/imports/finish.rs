//! The end of an import job: the error workbook of the rows that failed, the totals and the message.

use super::store;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::excel;
use crate::state::AppState;

/// How a job ended: the file's rows (with its header row), the rows that failed and why, the
/// counts, why the file stopped being readable, if it did, and the job's import slot.
pub struct Ending<'a> {
    pub headers: &'a [String],
    pub rows: &'a [Vec<String>],
    pub errors: &'a [(usize, String)],
    pub imported: i64,
    pub unchanged: i64,
    pub failure: Option<&'a str>,
    pub slot: super::ImportSlot,
}

/// Ends a job: the error workbook when rows failed, the totals and the closing message. The slot is
/// freed before the job reads as ended, so whoever waits for that can start the next import at once.
pub async fn finish_job(state: &AppState, actor: &Actor, job: i64, end: Ending<'_>) -> AppResult<()> {
    let Ending { headers, rows, errors, imported, unchanged, failure, slot } = end;
    let error_file =
        if errors.is_empty() { None } else { Some(error_workbook(state, actor, headers, rows, errors).await?) };
    let mut msg = format!("共 {} 行：导入 {imported} 行，未变化 {unchanged} 行，有误 {} 行", rows.len(), errors.len());
    if let Some(f) = failure {
        msg = format!("{f}。{msg}");
    }
    store::set_job_total(&state.db, job, rows.len() as i64).await?;
    let counts = [rows.len() as i64, imported, unchanged, errors.len() as i64];
    let status = if failure.is_some() { "failed" } else { "done" };
    drop(slot);
    store::update_job(&state.db, job, status, counts, error_file.as_deref(), &msg, state.clock.now()).await?;
    Ok(())
}

/// The rows that failed, as they were, with the reason in a last column; stored as a file of the job.
async fn error_workbook(
    state: &AppState,
    actor: &Actor,
    headers: &[String],
    rows: &[Vec<String>],
    errors: &[(usize, String)],
) -> AppResult<String> {
    let mut out_headers = vec!["原行号".to_owned()];
    out_headers.extend(headers.iter().cloned());
    out_headers.push("错误原因".into());
    let out_rows: Vec<Vec<String>> = errors
        .iter()
        .map(|(i, msg)| {
            let mut r = vec![(i + 2).to_string()];
            r.extend(rows[*i].iter().cloned());
            r.resize(headers.len() + 1, String::new());
            r.push(msg.clone());
            r
        })
        .collect();
    let stamp = format!(
        "导入错误清单 · {}（{}） · {}",
        actor.display_name,
        actor.username,
        crate::clock::format_local(actor.now)
    );
    let bytes = excel::table("错误行", &stamp, &out_headers, &out_rows)?;
    // The rows carry ID numbers and phones: the file is kept encrypted like the register itself.
    let id = state.files.put(&state.keys.encrypt(&bytes)?).await?;
    let mut tx = state.db.begin().await?;
    crate::files::insert_file_row(
        &mut tx,
        &id,
        "import_errors",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes.len() as i64,
        actor.id,
        actor.now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
