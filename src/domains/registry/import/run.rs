//! The person import's background run. Rows are read, validated and encrypted a few chunks ahead of
//! the writer (`validate`), which writes each group of chunks as it comes and commits every
//! `import_batch_rows` rows (a setting, 50,000 by default: each commit writes every index page the
//! batch touched, and few rows share a page of the ID number's index) with one audit row and the
//! job's progress.

use super::super::observe::{self, PersonWritten, Subject};
use super::super::person_store::{self as store, PersonWrite};
use super::batch::Batch;
use super::validate::{Prepared, PreparedChunk, WRITE_GROUP, spawn_validation};
use crate::auth::Actor;
use crate::db::Value;
use crate::error::{AppError, AppResult};
use crate::excel;
use crate::imports::{self, Ending};
use crate::state::AppState;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use tokio::sync::mpsc::Receiver;

/// Time spent in each phase of an import, logged at the end (no personal data).
#[derive(Default)]
struct Phases {
    waiting_for_validation: f64,
    lookup: f64,
    write: f64,
    commit: f64,
}

/// A valid row waiting to be written: its index in the file, the write and its new row's values.
type Good = (usize, PersonWrite, Vec<Value>);

/// Where a run stands: the rows read, what became of them, the open batch and its log writes.
struct Run<'a> {
    state: &'a AppState,
    actor: &'a Actor,
    job: i64,
    scope_path: String,
    rows: Vec<Vec<String>>,
    seen: HashMap<String, usize>,
    imported: i64,
    unchanged: i64,
    processed: i64,
    errors: Vec<(usize, String)>,
    unreadable: Option<AppError>,
    open: Option<Batch>,
    syncs: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
    phases: Phases,
}

/// Runs the import of `first` and the rest of `sheet` into job `job`.
pub(super) async fn run_person_import(
    state: &AppState,
    actor: &Actor,
    job: i64,
    h: HashMap<&'static str, usize>,
    first: Vec<Vec<String>>,
    mut sheet: excel::SheetStream,
    slot: imports::ImportSlot,
) -> AppResult<()> {
    let started = Instant::now();
    let _pause = crate::db::CheckpointPause::start();
    let codes = super::super::codes::Codes::load(&state.db).await?;
    let scope_path = actor.scope.path().to_owned();
    let grids: HashMap<String, i64> = crate::domains::org::locate::grid_ids_by_code(&state.db, &scope_path).await?;
    let headers = std::mem::take(&mut sheet.headers);
    let mut run = Run::new(state, actor, job, scope_path, sheet.declared_rows);
    imports::progress(state, job, [0; 4]).await?;
    let (producer, mut prepared) = spawn_validation(state, actor.now, codes, grids, h, first, sheet);
    while let Some(group) = next_group(&mut prepared, &mut run.phases).await {
        let (len, good) = run.absorb(group);
        if len == 0 {
            break;
        }
        run.write(good, len).await?;
    }
    run.close(producer).await?;
    // A file that stops being readable part-way keeps the rows before that point (importing the
    // mended file again changes nothing for them) and says where it stopped.
    let failure = run.unreadable.take().map(|e| {
        format!("表格读到第 {} 行后无法继续读取（{e}），之前的行已处理；请修正文件后重新导入", run.rows.len() + 1)
    });
    let end = Ending {
        headers: &headers,
        rows: &run.rows,
        errors: &run.errors,
        imported: run.imported,
        unchanged: run.unchanged,
        failure: failure.as_deref(),
        slot,
    };
    imports::finish_job(state, actor, job, end).await?;
    let p = &run.phases;
    tracing::info!(
        job,
        rows = run.rows.len(),
        seconds = started.elapsed().as_secs_f64(),
        waiting_for_validation = p.waiting_for_validation,
        lookup = p.lookup,
        write = p.write,
        commit = p.commit,
        "person import finished"
    );
    Ok(())
}

/// The next chunk, with those validated meanwhile: one sorted pass through the ID number's index
/// then touches each of its pages once instead of once per chunk. `None` after the last.
async fn next_group(prepared: &mut Receiver<PreparedChunk>, phases: &mut Phases) -> Option<Vec<PreparedChunk>> {
    let t = Instant::now();
    let next = prepared.recv().await?;
    phases.waiting_for_validation += t.elapsed().as_secs_f64();
    let mut grouped = next.as_ref().map_or(0, |(c, _)| c.len());
    let mut group = vec![next];
    while grouped < WRITE_GROUP {
        let Ok(more) = prepared.try_recv() else { break };
        grouped += more.as_ref().map_or(0, |(c, _)| c.len());
        group.push(more);
    }
    Some(group)
}

/// The rows in file order by blind index, through a list of positions (the rows are large to
/// move): their indexes, writes and values.
fn sorted(good: Vec<Good>) -> (Vec<usize>, Vec<PersonWrite>, Vec<Vec<Value>>) {
    let mut order: Vec<usize> = (0..good.len()).collect();
    order.sort_unstable_by(|&a, &b| good[a].1.id_bidx.cmp(&good[b].1.id_bidx));
    let mut slots: Vec<Option<_>> = good.into_iter().map(Some).collect();
    let mut rows_of = Vec::with_capacity(slots.len());
    let mut writes = Vec::with_capacity(slots.len());
    let mut values = Vec::with_capacity(slots.len());
    for (i, w, v) in order.into_iter().filter_map(|k| slots[k].take()) {
        rows_of.push(i);
        writes.push(w);
        values.push(v);
    }
    (rows_of, writes, values)
}

impl<'a> Run<'a> {
    fn new(state: &'a AppState, actor: &'a Actor, job: i64, scope_path: String, declared: usize) -> Self {
        Run {
            state,
            actor,
            job,
            scope_path,
            rows: Vec::with_capacity(declared),
            seen: HashMap::new(),
            imported: 0,
            unchanged: 0,
            processed: 0,
            errors: Vec::new(),
            unreadable: None,
            open: None,
            syncs: Vec::new(),
            phases: Phases::default(),
        }
    }

    /// Takes in a group of chunks: keeps the rows, notes the failed and repeated ones, and answers
    /// how many rows came and the valid ones. The reader stops at an error: nothing follows it.
    fn absorb(&mut self, group: Vec<PreparedChunk>) -> (usize, Vec<Good>) {
        let mut len = 0;
        let mut good = Vec::new();
        for item in group {
            let (chunk, prepared): (Vec<Vec<String>>, Vec<Prepared>) = match item {
                Ok(c) => c,
                Err(e) => {
                    self.unreadable = Some(e);
                    break;
                }
            };
            len += chunk.len();
            self.rows.extend(chunk);
            for (i, r) in prepared {
                match r {
                    Err(msg) => self.errors.push((i, msg)),
                    Ok((w, values)) => match self.seen.get(&w.id_bidx) {
                        Some(first) => self.errors.push((i, format!("证件号码与第 {} 行重复", first + 2))),
                        None => {
                            self.seen.insert(w.id_bidx.clone(), i);
                            good.push((i, w, values));
                        }
                    },
                }
            }
        }
        (len, good)
    }

    /// Writes a group's valid rows into the open batch (opening one if needed): new people go
    /// straight in (the unique index skips those already registered); only the skipped ones are
    /// looked up, to update them or to say where they are registered. Commits when the batch is full.
    async fn write(&mut self, good: Vec<Good>, len: usize) -> AppResult<()> {
        let t = Instant::now();
        if self.open.is_none() {
            // Every reference an import writes (grid, department) comes from the caller's scope.
            self.open = Some(Batch::open(self.state).await?);
        }
        let (rows_of, writes, values) = sorted(good);
        let batch = self.open.as_mut().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no open batch")))?;
        let inserted = store::insert_new(&mut batch.tx, values).await?;
        self.phases.write += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let fresh: HashSet<&str> = inserted.iter().map(|(_, b)| b.as_str()).collect();
        let skipped: Vec<(usize, &PersonWrite)> =
            rows_of.into_iter().zip(&writes).filter(|(_, w)| !fresh.contains(w.id_bidx.as_str())).collect();
        batch.created.extend(inserted.iter().map(|(id, _)| *id));
        // Floating people go to the town's department for sign-off (报送), as when registered by hand.
        let floating: HashSet<&str> =
            writes.iter().filter(|w| w.kind == "floating").map(|w| w.id_bidx.as_str()).collect();
        for (id, _) in inserted.iter().filter(|(_, b)| floating.contains(b.as_str())) {
            let subject = Subject::Person { was_floating: false };
            let detail = json!({ "import_job": self.job });
            let written = PersonWritten { person_id: *id, subject, action: "created", detail };
            batch.outbox.append(observe::person_written(self.state, &mut batch.tx, self.actor, written).await?);
        }
        self.update_skipped(skipped).await?;
        self.phases.lookup += t.elapsed().as_secs_f64();
        self.processed += len as i64;
        let held = self.open.as_mut().map(|b| {
            b.held += len as i64;
            b.held
        });
        if held.unwrap_or(0) >= self.state.config.import_batch_rows as i64 {
            self.commit_batch().await?;
        }
        Ok(())
    }

    /// The rows whose ID number is already registered: unchanged, updated (by version), or refused
    /// with where the person is registered when that is outside the caller's scope.
    async fn update_skipped(&mut self, skipped: Vec<(usize, &PersonWrite)>) -> AppResult<()> {
        let Some(batch) = self.open.as_mut() else { return Ok(()) };
        let bidxs: Vec<String> = skipped.iter().map(|(_, w)| w.id_bidx.clone()).collect();
        let existing: HashMap<String, store::ImportExisting> = store::existing_for_import(&mut batch.tx, &bidxs)
            .await?
            .into_iter()
            .map(|e| (e.id_bidx.clone(), e))
            .collect();
        for (i, w) in skipped {
            match existing.get(&w.id_bidx) {
                None => self.errors.push((i, "此人正被他人登记，请稍后重试".into())),
                Some(e) if !e.grid_path.starts_with(&self.scope_path) => self
                    .errors
                    .push((i, format!("证件号码 {} 已在“{}”登记，请在系统中申请迁入", e.id_masked, e.grid_name))),
                Some(e) if e.same_as(w) => self.unchanged += 1,
                Some(e) => {
                    if store::update_from_import(&mut batch.tx, e.id, e.version, w, self.actor.now).await? {
                        batch.updated.push(e.id);
                        let subject = Subject::Person { was_floating: e.kind == "floating" };
                        let detail = json!({ "import_job": self.job });
                        let written = PersonWritten { person_id: e.id, subject, action: "changed", detail };
                        let after = observe::person_written(self.state, &mut batch.tx, self.actor, written).await?;
                        batch.outbox.append(after);
                    } else {
                        self.errors.push((i, "此人正被他人修改，请稍后重试".into()));
                    }
                }
            }
        }
        Ok(())
    }

    /// Commits the open batch with the job's progress and goes on with an empty one; the batch
    /// reaches the disk while the next one is written.
    async fn commit_batch(&mut self) -> AppResult<()> {
        let t = Instant::now();
        let Some(batch) = self.open.as_mut() else { return Ok(()) };
        // The progress goes with the batch: an update of its own would be an ordinary commit, which
        // waits for the disk to take the whole batch before the next starts.
        let counts = [self.processed, self.imported + batch.people(), self.unchanged, self.errors.len() as i64];
        imports::job_progress(&mut batch.tx, self.job, counts, self.state.clock.now()).await?;
        self.imported += batch.commit_and_continue(self.state, self.actor, self.job).await?;
        let db = self.state.db.clone();
        self.syncs.push(tokio::spawn(async move { db.sync_log().await }));
        self.phases.commit += t.elapsed().as_secs_f64();
        Ok(())
    }

    /// Commits the last batch and waits until everything reported imported is on disk: the earlier
    /// batches' log writes, then the last batch's (whose commit, like all bulk commits, did not wait).
    async fn close(&mut self, producer: tokio::task::JoinHandle<()>) -> AppResult<()> {
        if let Some(batch) = self.open.take() {
            let t = Instant::now();
            self.imported += batch.commit(self.state, self.actor, self.job).await?;
            self.phases.commit += t.elapsed().as_secs_f64();
        }
        producer.await.map_err(|e| AppError::Internal(e.into()))?;
        for s in self.syncs.drain(..) {
            s.await.map_err(|e| AppError::Internal(e.into()))?.map_err(|e| AppError::Internal(e.into()))?;
        }
        self.state.db.sync_log().await.map_err(|e| AppError::Internal(e.into()))?;
        // A large import changes how many people each grid and name has: PostgreSQL plans the
        // searches from its statistics, which autovacuum would refresh only later.
        if self.imported >= 10_000 {
            self.state.db.refresh_statistics(&["persons"], crate::db::Statistics::default()).await?;
        }
        Ok(())
    }
}
