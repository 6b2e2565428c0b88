//! Excel in and out for people: the template, the background import (validate every row, upsert by
//! ID number so the same file twice changes nothing, an error workbook with a reason per row), and
//! exports of any filtered list (masked unless unmasked with a reason; audited; stamped). The job
//! machinery (open, run in the background, finish with the error workbook) and the choice of entity
//! are shared with the house, household, rental and place imports (`house_import`).

use super::codes::Codes;
use super::house_import;
use super::model::PERSON_KINDS;
use super::observe::{self, AfterCommit, PersonWritten, Subject};
use super::person_store::{self as store, PersonWrite};
use super::persons::{self, PersonInput, PersonQuery};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::org::area_store;
use crate::error::{AppError, AppResult};
use crate::excel::{self, Column};
use crate::state::AppState;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

const fn col(header: &'static str, required: bool, codes: Option<&'static str>, width: f64) -> Column {
    Column { header, required, codes, width }
}

/// The person template's columns; the header row is the contract of the import.
pub const PERSON_COLUMNS: [Column; 22] = [
    col("姓名", true, None, 10.0),
    col("证件号码", true, None, 22.0),
    col("联系电话", false, None, 14.0),
    col("人员类别", true, Some("person_kind"), 10.0),
    col("所属网格编码", true, None, 18.0),
    col("现住址", false, None, 30.0),
    col("民族", false, Some("ethnicity"), 8.0),
    col("学历", false, Some("education"), 10.0),
    col("政治面貌", false, Some("political_status"), 12.0),
    col("婚姻状况", false, Some("marital_status"), 10.0),
    col("与户主关系", false, Some("relation"), 10.0),
    col("职业", false, None, 10.0),
    col("户籍地详址", false, None, 30.0),
    col("居住证件类型", false, Some("permit_type"), 12.0),
    col("流入原因", false, None, 10.0),
    col("来源地", false, None, 16.0),
    col("流入日期", false, None, 12.0),
    col("留守类型", false, Some("left_behind_type"), 10.0),
    col("外文姓名", false, None, 14.0),
    col("国籍", false, None, 10.0),
    col("来华目的", false, None, 10.0),
    col("入境日期", false, None, 12.0),
];

const CODE_TABLES: [&str; 7] =
    ["ethnicity", "education", "political_status", "marital_status", "relation", "permit_type", "left_behind_type"];

pub fn person_template(codes: &Codes) -> AppResult<Vec<u8>> {
    let mut lists: Vec<(&'static str, Vec<String>)> =
        vec![("person_kind", PERSON_KINDS.iter().map(|(_, l)| (*l).to_owned()).collect())];
    for t in CODE_TABLES {
        lists.push((t, codes.items(t).into_iter().map(|(_, l)| l).collect()));
    }
    excel::template(
        &PERSON_COLUMNS,
        &lists,
        "所属网格编码填写网格的完整编码（如 510725101001001）；流动人口须填居住证件类型、流入原因、来源地、流入日期；日期格式 2026-03-01；\
         同一证件号码已在本辖区登记的会按表格内容更新，重复导入同一文件不会产生重复记录。",
    )
}

/// Which column holds which header; a missing required header refuses the file.
fn header_map(columns: &[Column], headers: &[String]) -> AppResult<HashMap<&'static str, usize>> {
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

/// Builds the service input of one row.
fn row_input(
    row: &[String],
    h: &HashMap<&'static str, usize>,
    grids: &HashMap<String, i64>,
) -> Result<PersonInput, String> {
    let get = |name: &str| h.get(name).and_then(|i| row.get(*i)).map(|s| s.trim().to_owned()).unwrap_or_default();
    let opt = |name: &str| Some(get(name)).filter(|s| !s.is_empty());
    let kind_text = get("人员类别");
    let kind = PERSON_KINDS
        .iter()
        .find(|(k, l)| {
            *k == kind_text || *l == kind_text || l.trim_end_matches("人口").trim_end_matches("人员") == kind_text
        })
        .map(|(k, _)| (*k).to_owned())
        .ok_or_else(|| format!("人员类别“{kind_text}”不正确（户籍人口、流动人口、境外人员、留守人员）"))?;
    let grid_code = get("所属网格编码");
    let grid_id = *grids.get(&grid_code).ok_or_else(|| format!("网格编码“{grid_code}”不存在或不在您的管辖范围内"))?;
    let mut extra = Map::new();
    let mut put = |key: &str, col: &str| {
        if let Some(v) = opt(col) {
            extra.insert(key.to_owned(), Value::String(v));
        }
    };
    match kind.as_str() {
        "floating" => {
            put("permit_type", "居住证件类型");
            put("reason", "流入原因");
            put("from_place", "来源地");
            put("arrived_on", "流入日期");
        }
        "left_behind" => put("left_behind_type", "留守类型"),
        "foreigner" => {
            put("foreign_name", "外文姓名");
            put("nationality", "国籍");
            put("purpose", "来华目的");
            put("arrived_on", "入境日期");
        }
        _ => {}
    }
    Ok(PersonInput {
        kind: Some(kind),
        name: opt("姓名"),
        id_number: opt("证件号码"),
        phone: opt("联系电话"),
        grid_id: Some(grid_id),
        address: opt("现住址"),
        ethnicity: opt("民族"),
        education: opt("学历"),
        political_status: opt("政治面貌"),
        marital_status: opt("婚姻状况"),
        relation_to_head: opt("与户主关系"),
        occupation: opt("职业"),
        registered_address: opt("户籍地详址"),
        extra: Some(Value::Object(extra)),
        ..Default::default()
    })
}

/// Field names of the service mapped back to the template's headers, for error messages.
fn header_of(field: &str) -> &str {
    match field {
        "name" => "姓名",
        "id_number" => "证件号码",
        "phone" => "联系电话",
        "kind" => "人员类别",
        "grid_id" => "所属网格编码",
        "address" => "现住址",
        "ethnicity" => "民族",
        "education" => "学历",
        "political_status" => "政治面貌",
        "marital_status" => "婚姻状况",
        "relation_to_head" => "与户主关系",
        "occupation" => "职业",
        "registered_address" => "户籍地详址",
        "extra.permit_type" => "居住证件类型",
        "extra.reason" => "流入原因",
        "extra.from_place" => "来源地",
        "extra.arrived_on" => "流入日期/入境日期",
        "extra.left_behind_type" => "留守类型",
        "extra.foreign_name" => "外文姓名",
        "extra.nationality" => "国籍",
        "extra.purpose" => "来华目的",
        other => other,
    }
}

/// Checks the file (nothing is written for a bad one: not an xlsx, wrong headers, no rows, an
/// unreadable start), creates the job and runs it in the background while the rest is read.
pub async fn start_person_import(state: &AppState, actor: &Actor, file_name: &str, bytes: Vec<u8>) -> AppResult<i64> {
    actor.require(Permission::EditRegister)?;
    let slot = super::import_slots::take(state, actor.id)?;
    let mut sheet = excel::SheetStream::open(bytes, CHUNK).await?;
    let map = header_map(&PERSON_COLUMNS, &sheet.headers)?;
    let first = match sheet.next_chunk().await {
        Some(chunk) => chunk?,
        None => return Err(AppError::field("file", "表格中没有数据行")),
    };
    let expected = sheet.declared_rows.max(first.len());
    let id = create_job(state, actor, "persons", file_name, expected).await?;
    let (state2, actor2) = (state.clone(), actor.clone());
    spawn_job(state, id, slot, async move { run_person_import(&state2, &actor2, id, map, first, sheet).await });
    Ok(id)
}

/// The template of an import: `persons`, or one of `houses`, `households`, `rentals`, `places`.
pub fn template(entity: &str, codes: &Codes) -> AppResult<Vec<u8>> {
    match entity {
        "persons" => person_template(codes),
        other => house_import::template(house_import::Entity::parse(other)?, codes),
    }
}

/// The Chinese name of an importable entity; an unknown one is not found.
pub fn entity_label(entity: &str) -> AppResult<&'static str> {
    match entity {
        "persons" => Ok("人员"),
        other => Ok(house_import::Entity::parse(other)?.label()),
    }
}

/// Starts the import of an entity (see `template`).
pub async fn start_import(
    state: &AppState,
    actor: &Actor,
    entity: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<i64> {
    match entity {
        "persons" => start_person_import(state, actor, file_name, bytes).await,
        other => house_import::start(state, actor, house_import::Entity::parse(other)?, file_name, bytes).await,
    }
}

/// A checked upload whose job exists: the rows, and which column holds which header.
pub(super) struct Upload {
    pub job: i64,
    pub headers: Vec<String>,
    pub map: HashMap<&'static str, usize>,
    pub rows: Vec<Vec<String>>,
    /// The import's place among those running (taken out when the job starts).
    pub slot: Option<super::import_slots::ImportSlot>,
}

/// Reads the file and checks its headers (nothing is written for a bad one), then creates the job.
/// The upload holds an import slot (`import_slots`) until its job ends.
pub(super) async fn open_job(
    state: &AppState,
    actor: &Actor,
    entity: &str,
    columns: &[Column],
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Upload> {
    actor.require(Permission::EditRegister)?;
    let slot = super::import_slots::take(state, actor.id)?;
    let (headers, rows) = tokio::task::spawn_blocking(move || excel::read_first_sheet(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let map = header_map(columns, &headers)?;
    if rows.is_empty() {
        return Err(AppError::field("file", "表格中没有数据行"));
    }
    let id = create_job(state, actor, entity, file_name, rows.len()).await?;
    Ok(Upload { job: id, headers, map, rows, slot: Some(slot) })
}

/// Records a new import job of `rows` rows (as far as known) and its audit row.
async fn create_job(state: &AppState, actor: &Actor, entity: &str, file_name: &str, rows: usize) -> AppResult<i64> {
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

/// Runs an import in the background; an error marks the job failed.
pub(super) fn spawn_job(
    state: &AppState,
    id: i64,
    slot: super::import_slots::ImportSlot,
    work: impl Future<Output = AppResult<()>> + Send + 'static,
) {
    let state = state.clone();
    tokio::spawn(async move {
        let result = work.await;
        drop(slot);
        if let Err(e) = result {
            tracing::error!(job = id, error = %e, "import failed");
            let now = state.clock.now();
            let _ = store::update_job(&state.db, id, "failed", 0, 0, 0, 0, None, &format!("导入失败：{e}"), now).await;
        }
    });
}

/// Rows validated at a time: the writer starts on the first chunk while the next are validated.
const CHUNK: usize = 5_000;

/// Most rows written in one go: the chunks already validated when the writer is ready, together.
const WRITE_GROUP: usize = 20_000;

/// One row after validation: its index and what to write (the values of its new row built here,
/// off the writer's path), or the reason it failed.
type Prepared = (usize, Result<(PersonWrite, Vec<crate::db::Value>), String>);

/// Validates and encrypts the rows `base..base + chunk.len()` on all cores but one (the writer's).
fn prepare_chunk(
    state: &AppState,
    codes: &Codes,
    grids: &HashMap<String, i64>,
    h: &HashMap<&'static str, usize>,
    now: crate::clock::Millis,
    base: usize,
    chunk: &[Vec<String>],
) -> Vec<Prepared> {
    let one = |offset: usize, part: &[Vec<String>]| -> Vec<Prepared> {
        part.iter()
            .enumerate()
            .map(|(i, row)| {
                let r = row_input(row, h, grids).and_then(|input| {
                    let w = persons::prepare_import(state, codes, &input).map_err(|fields| {
                        fields.iter().map(|(f, m)| format!("{}：{m}", header_of(f))).collect::<Vec<_>>().join("；")
                    })?;
                    let values = store::new_row(&w, now);
                    Ok((w, values))
                });
                (base + offset + i, r)
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).saturating_sub(1).max(1);
    let per = chunk.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = chunk
            .chunks(per)
            .enumerate()
            .map(|(k, part)| {
                let one = &one;
                // Below the writer's priority: validation keeps ahead of it anyway.
                (
                    k * per,
                    part.len(),
                    scope.spawn(move || {
                        crate::background::lower_this_thread();
                        one(k * per, part)
                    }),
                )
            })
            .collect();
        // A part whose thread failed is reported row by row rather than lost.
        parts
            .into_iter()
            .flat_map(|(offset, len, p)| {
                p.join().unwrap_or_else(|_| {
                    (0..len).map(|i| (base + offset + i, Err("校验这一行时程序出错，请重新导入".to_owned()))).collect()
                })
            })
            .collect()
    })
}

/// Time spent in each phase of an import, logged at the end (no personal data).
#[derive(Default)]
struct Phases {
    waiting_for_validation: f64,
    lookup: f64,
    write: f64,
    commit: f64,
}

/// A chunk of rows as read, with each row validated and encrypted, or why the file stopped being readable.
type PreparedChunk = AppResult<(Vec<Vec<String>>, Vec<Prepared>)>;

/// Rows are read, validated and encrypted on blocking threads a few chunks ahead of the writer,
/// which writes each chunk as it comes and commits every `import_batch_rows` rows (a setting,
/// 50,000 by default: each commit writes every index page the batch touched, and few rows share
/// a page of the ID number's index) with one audit row and the job's progress.
async fn run_person_import(
    state: &AppState,
    actor: &Actor,
    job: i64,
    h: HashMap<&'static str, usize>,
    first: Vec<Vec<String>>,
    mut sheet: excel::SheetStream,
) -> AppResult<()> {
    let started = std::time::Instant::now();
    let _pause = crate::db::CheckpointPause::start();
    let codes = Codes::load(&state.db).await?;
    let scope_path = actor.scope.path().to_owned();
    let grids: HashMap<String, i64> =
        area_store::grids_under(&state.db, &scope_path).await?.into_iter().map(|(id, code)| (code, id)).collect();
    let headers = std::mem::take(&mut sheet.headers);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(sheet.declared_rows);
    let (mut imported, mut unchanged, mut processed) = (0i64, 0i64, 0i64);
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut phases = Phases::default();
    let mut unreadable: Option<AppError> = None;
    store::update_job(&state.db, job, "running", 0, 0, 0, 0, None, "", state.clock.now()).await?;
    let (sender, mut prepared_chunks) = tokio::sync::mpsc::channel::<PreparedChunk>(4);
    let producer = {
        let (state, now) = (state.clone(), actor.now);
        tokio::task::spawn_blocking(move || {
            let mut next = Some(Ok(first));
            let mut base = 0;
            while let Some(chunk) = next.take().or_else(|| sheet.blocking_next_chunk()) {
                let item = chunk.map(|chunk| {
                    let prepared = prepare_chunk(&state, &codes, &grids, &h, now, base, &chunk);
                    base += chunk.len();
                    (chunk, prepared)
                });
                let stop = item.is_err();
                if sender.blocking_send(item).is_err() || stop {
                    break;
                }
            }
        })
    };
    let mut open: Option<Batch> = None;
    let mut syncs = Vec::new();
    loop {
        let t = std::time::Instant::now();
        let Some(next) = prepared_chunks.recv().await else { break };
        phases.waiting_for_validation += t.elapsed().as_secs_f64();
        // The chunks validated meanwhile are written with this one: one sorted pass through the
        // ID number's index touches each of its pages once instead of once per chunk.
        let mut group = vec![next];
        let mut grouped = group[0].as_ref().map_or(0, |(c, _)| c.len());
        while grouped < WRITE_GROUP {
            let Ok(more) = prepared_chunks.try_recv() else { break };
            grouped += more.as_ref().map_or(0, |(c, _)| c.len());
            group.push(more);
        }
        let mut len = 0;
        let mut good = Vec::new();
        for item in group {
            let (chunk, prepared) = match item {
                Ok(c) => c,
                // The reader stops at an error: nothing follows it.
                Err(e) => {
                    unreadable = Some(e);
                    break;
                }
            };
            len += chunk.len();
            rows.extend(chunk);
            for (i, r) in prepared {
                match r {
                    Err(msg) => errors.push((i, msg)),
                    Ok((w, values)) => match seen.get(&w.id_bidx) {
                        Some(first) => errors.push((i, format!("证件号码与第 {} 行重复", first + 2))),
                        None => {
                            seen.insert(w.id_bidx.clone(), i);
                            good.push((i, w, values));
                        }
                    },
                }
            }
        }
        if len == 0 {
            break;
        }
        let t = std::time::Instant::now();
        let Batch { tx, held, created: created_ids, updated: updated_ids, outbox } = match open.as_mut() {
            Some(o) => o,
            None => open.insert(Batch {
                // Every reference an import writes (grid, department) comes from the caller's scope.
                tx: state.db.begin_bulk().await?,
                held: 0,
                created: Vec::new(),
                updated: Vec::new(),
                outbox: AfterCommit::default(),
            }),
        };
        // New people go straight in (the unique index skips those already registered); only the
        // skipped ones are looked up, to update them or to say where they are registered.
        // Sorted by blind index through a list of positions (the rows themselves are large to move).
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
        let inserted = store::insert_new(tx, values).await?;
        phases.write += t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let fresh: HashSet<&str> = inserted.iter().map(|(_, b)| b.as_str()).collect();
        let skipped: Vec<(usize, &PersonWrite)> =
            rows_of.into_iter().zip(&writes).filter(|(_, w)| !fresh.contains(w.id_bidx.as_str())).collect();
        created_ids.extend(inserted.iter().map(|(id, _)| *id));
        // Floating people go to the town's department for sign-off (报送), as when registered by hand.
        let floating: HashSet<&str> =
            writes.iter().filter(|w| w.kind == "floating").map(|w| w.id_bidx.as_str()).collect();
        for (id, _) in inserted.iter().filter(|(_, b)| floating.contains(b.as_str())) {
            let subject = Subject::Person { was_floating: false };
            let written =
                PersonWritten { person_id: *id, subject, action: "created", detail: json!({ "import_job": job }) };
            outbox.append(observe::person_written(state, tx, actor, written).await?);
        }
        let bidxs: Vec<String> = skipped.iter().map(|(_, w)| w.id_bidx.clone()).collect();
        let existing: HashMap<String, store::ImportExisting> =
            store::existing_for_import(tx, &bidxs).await?.into_iter().map(|e| (e.id_bidx.clone(), e)).collect();
        for (i, w) in skipped {
            match existing.get(&w.id_bidx) {
                None => errors.push((i, "此人正被他人登记，请稍后重试".into())),
                Some(e) if !e.grid_path.starts_with(&scope_path) => {
                    errors.push((i, format!("证件号码 {} 已在“{}”登记，请在系统中申请迁入", e.id_masked, e.grid_name)))
                }
                Some(e) if e.same_as(w) => unchanged += 1,
                Some(e) => {
                    if store::update_from_import(tx, e.id, e.version, w, actor.now).await? {
                        updated_ids.push(e.id);
                        let subject = Subject::Person { was_floating: e.kind == "floating" };
                        let detail = json!({ "import_job": job });
                        let written = PersonWritten { person_id: e.id, subject, action: "changed", detail };
                        outbox.append(observe::person_written(state, tx, actor, written).await?);
                    } else {
                        errors.push((i, "此人正被他人修改，请稍后重试".into()));
                    }
                }
            }
        }
        phases.lookup += t.elapsed().as_secs_f64();
        *held += len as i64;
        processed += len as i64;
        if *held >= state.config.import_batch_rows as i64 {
            let t = std::time::Instant::now();
            if let Some(batch) = open.as_mut() {
                // The progress goes with the batch: an update of its own would be an ordinary
                // commit, which waits for the disk to take the whole batch before the next starts.
                let counts = [processed, imported + batch.people(), unchanged, errors.len() as i64];
                store::job_progress(&mut batch.tx, job, counts, state.clock.now()).await?;
                imported += batch.commit_and_continue(state, actor, job).await?;
                // The batch reaches the disk while the next one is written.
                let db = state.db.clone();
                syncs.push(tokio::spawn(async move { db.sync_log().await }));
            }
            phases.commit += t.elapsed().as_secs_f64();
        }
    }
    if let Some(batch) = open.take() {
        let t = std::time::Instant::now();
        imported += batch.commit(state, actor, job).await?;
        phases.commit += t.elapsed().as_secs_f64();
    }
    producer.await.map_err(|e| AppError::Internal(e.into()))?;
    // Nothing is reported imported before it is on disk: the earlier batches' log writes, then
    // the last batch's (whose commit, like all bulk commits, did not wait for the disk).
    for s in syncs {
        s.await.map_err(|e| AppError::Internal(e.into()))?.map_err(|e| AppError::Internal(e.into()))?;
    }
    state.db.sync_log().await.map_err(|e| AppError::Internal(e.into()))?;
    // A large import changes how many people each grid and name has: PostgreSQL plans the searches
    // from its statistics, which autovacuum would refresh only later.
    if imported >= 10_000 {
        state.db.refresh_statistics(&["persons"], crate::db::Statistics::default()).await?;
    }
    // A file that stops being readable part-way keeps the rows before that point (importing the
    // mended file again changes nothing for them) and says where it stopped.
    let failure = unreadable.map(|e| {
        format!("表格读到第 {} 行后无法继续读取（{e}），之前的行已处理；请修正文件后重新导入", rows.len() + 1)
    });
    finish_job(state, actor, job, &headers, &rows, &errors, imported, unchanged, failure.as_deref()).await?;
    tracing::info!(
        job,
        rows = rows.len(),
        seconds = started.elapsed().as_secs_f64(),
        waiting_for_validation = phases.waiting_for_validation,
        lookup = phases.lookup,
        write = phases.write,
        commit = phases.commit,
        "person import finished"
    );
    Ok(())
}

/// An import's open transaction: the rows it holds, the people it created and updated, and the
/// notifications its submissions send once it commits.
struct Batch {
    tx: crate::db::Tx,
    held: i64,
    created: Vec<i64>,
    updated: Vec<i64>,
    outbox: AfterCommit,
}

impl Batch {
    /// The people the batch created or updated.
    fn people(&self) -> i64 {
        (self.created.len() + self.updated.len()) as i64
    }

    /// Records the batch's audit row, commits it, sends its notifications and goes on with an
    /// empty batch on the same connection; answers how many people it imported.
    async fn commit_and_continue(&mut self, state: &AppState, actor: &Actor, job: i64) -> AppResult<i64> {
        let n = self.audit(actor, job).await?;
        self.tx.commit_and_continue().await?;
        std::mem::take(&mut self.outbox).run(state);
        self.created.clear();
        self.updated.clear();
        self.held = 0;
        Ok(n)
    }

    /// The same for the import's last batch, ending its transaction.
    async fn commit(mut self, state: &AppState, actor: &Actor, job: i64) -> AppResult<i64> {
        let n = self.audit(actor, job).await?;
        self.tx.commit().await?;
        self.outbox.run(state);
        Ok(n)
    }

    /// The audit row of the people the batch created and updated (none when it has none).
    async fn audit(&mut self, actor: &Actor, job: i64) -> AppResult<i64> {
        let n = self.people();
        if n > 0 {
            let detail = json!({ "created": self.created, "updated": self.updated });
            audit::record(&mut self.tx, &actor.audit(), "person_imported", "import_job", job, detail).await?;
        }
        Ok(n)
    }
}

/// Ends a job: the error workbook when rows failed, the totals and the closing message.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish_job(
    state: &AppState,
    actor: &Actor,
    job: i64,
    headers: &[String],
    rows: &[Vec<String>],
    errors: &[(usize, String)],
    imported: i64,
    unchanged: i64,
    failure: Option<&str>,
) -> AppResult<()> {
    let error_file =
        if errors.is_empty() { None } else { Some(error_workbook(state, actor, headers, rows, errors).await?) };
    let mut msg = format!("共 {} 行：导入 {imported} 行，未变化 {unchanged} 行，有误 {} 行", rows.len(), errors.len());
    if let Some(f) = failure {
        msg = format!("{f}。{msg}");
    }
    store::set_job_total(&state.db, job, rows.len() as i64).await?;
    store::update_job(
        &state.db,
        job,
        if failure.is_some() { "failed" } else { "done" },
        rows.len() as i64,
        imported,
        unchanged,
        errors.len() as i64,
        error_file.as_deref(),
        &msg,
        state.clock.now(),
    )
    .await?;
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
    store::insert_file_row(
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

/// A job, to its owner only.
pub async fn job(state: &AppState, actor: &Actor, id: i64) -> AppResult<store::JobRow> {
    store::job(&state.db, id).await?.filter(|j| j.account_id == actor.id).ok_or_else(|| AppError::not_found("导入任务"))
}

/// The error workbook of a job, to its owner only.
pub async fn error_file(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<u8>> {
    let j = job(state, actor, id).await?;
    let f = j.error_file_id.ok_or_else(|| AppError::not_found("错误清单"))?;
    Ok(state.keys.decrypt(&state.files.get(&f).await?)?)
}

/// Exports a filtered list as xlsx or csv: masked unless unmasked with a reason; audited; stamped.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    q: &PersonQuery,
    unmask: Option<&str>,
    csv: bool,
) -> AppResult<Vec<u8>> {
    let reason = match unmask {
        Some(r) => {
            actor.require(Permission::UnmaskPersonalData)?;
            Some(crate::domains::org::model::check_text("reason", "导出完整号码的原因", r, 200, true)?)
        }
        None => None,
    };
    let codes = Codes::load(&state.db).await?;
    let mut rows = Vec::new();
    let mut page = 1;
    let limit = 100_000usize;
    loop {
        let q2 = PersonQuery { page: Some(page), per_page: Some(200), ..q.clone() };
        let (items, total) = persons::search_rows(state, actor, &q2).await?;
        for r in &items {
            let (id_number, phone) = if reason.is_some() {
                persons::reveal_row(state, r)?
            } else {
                (r.id_masked.clone(), r.phone_masked.clone())
            };
            rows.push(vec![
                r.name.clone(),
                id_number,
                phone,
                super::model::kind_label(&r.kind).to_owned(),
                if r.sex == "male" {
                    "男"
                } else if r.sex == "female" {
                    "女"
                } else {
                    "未知"
                }
                .to_owned(),
                r.birth_date.clone(),
                codes.label("ethnicity", &r.ethnicity),
                r.grid_name.clone(),
                r.address.clone(),
                super::model::status_label(&r.status).to_owned(),
            ]);
        }
        if rows.len() >= limit {
            return Err(AppError::field("q", format!("一次最多导出 {limit} 条，请缩小范围")));
        }
        if items.is_empty() || page * 200 >= total {
            break;
        }
        page += 1;
    }
    let headers: Vec<String> =
        ["姓名", "证件号码", "联系电话", "人员类别", "性别", "出生日期", "民族", "网格", "现住址", "状态"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
    let stamp = format!(
        "实有人口 · 导出人：{}（{}） · 导出时间：{} · 共 {} 条{}",
        actor.display_name,
        actor.username,
        crate::clock::format_local(actor.now),
        rows.len(),
        if reason.is_some() { " · 含完整号码，注意保密" } else { " · 号码已脱敏" }
    );
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "person_export",
        "person",
        "export",
        json!({ "rows": rows.len(), "format": if csv { "csv" } else { "xlsx" }, "unmasked": reason.is_some(), "reason": reason, "q": q.q, "grid": q.grid, "kind": q.kind, "area": q.area }),
    )
    .await?;
    tx.commit().await?;
    if csv { Ok(excel::csv(&stamp, &headers, &rows)) } else { excel::table("实有人口", &stamp, &headers, &rows) }
}
