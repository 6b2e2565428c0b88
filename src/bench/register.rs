//! `wangge bench register`: a city-scale register (synthetic, `--people N`), then exact lookup by ID
//! number, name and pinyin-initial searches, a grid's people list, and a 100,000-row xlsx import
//! with beside it the raw read and raw insert speeds of the same rows.

use super::stats;
use crate::auth::actor::{Actor, Via};
use crate::auth::{password, store as auth_store};
use crate::cli::BenchRegisterArgs;
use crate::clock::Clock;
use crate::crypto::Keys;
use crate::db::Value;
use crate::db::bulk::insert_rows;
use crate::demo::names::Rng;
use crate::demo::people::{self, synthetic};
use crate::domains::org::area_store;
use crate::domains::registry::person_store;
use crate::domains::registry::persons::{self, PersonQuery};
use crate::state::AppState;
use crate::web::meta::RequestMeta;
use anyhow::{Context, anyhow};
use std::time::Instant;

pub(super) async fn actor(state: &AppState, username: &str) -> anyhow::Result<Actor> {
    let cred = auth_store::credentials_by_username(&mut state.db.begin().await?, username)
        .await?
        .ok_or_else(|| anyhow!("no account {username}"))?;
    let meta = RequestMeta { request_id: "bench".into(), ip: "local".into(), user_agent: String::new() };
    Actor::from_credentials(&cred, Via::Token { token_id: 0 }, meta, state.clock.now(), false)
        .map_err(|e| anyhow!("{e}"))
}

pub async fn register(args: BenchRegisterArgs) -> anyhow::Result<()> {
    let (state, keys) = open(&args).await?;
    let now = state.clock.now();
    seed_city(&state, now).await?;

    // People spread over all synthetic grids (person n in grid n mod len), generated once.
    let grids = people::synthetic_grids(&state.db, 10).await?;
    let want = args.people as u64;
    people::generate(&state.db, &keys, 10, want, now).await?;
    println!("register: {} people", person_store::count_under(&state.db, "/").await?);

    lookups(&state, &grids, want, args.samples).await?;

    // Import of a fresh 100,000-row file into a town no earlier run imported into (repeated
    // imports into one town would leave its grids with thousands of people each, which a real
    // town does not have): the n-th run takes the n-th of the city's 100 towns.
    let rows = args.import_rows;
    let (last_before,): (i64,) = state.db.read().fetch_one("SELECT COALESCE(MAX(id), 0) FROM persons", vec![]).await?;
    let runs = imports(&state, rows, args.imports).await?;
    beside(&state, &keys, rows, runs).await?;
    // The people just imported go again, so every run measures a register of `--people`
    // (the audit trail and the job keep the record that they came and went).
    let t = Instant::now();
    let removed = state.db.read().execute("DELETE FROM persons WHERE id > $1", crate::args![last_before]).await?;
    println!("removed the {removed} imported people again in {:.1} s", t.elapsed().as_secs_f64());
    state.db.close().await;
    Ok(())
}

async fn open(args: &BenchRegisterArgs) -> anyhow::Result<(AppState, Keys)> {
    let (db, config) = crate::startup::open(&args.data).await?;
    let keys = Keys::load(&args.data.data_dir)?;
    let state = AppState::new(db, Clock::System, config, keys.clone());
    let backend = state.db.backend().name();
    println!("== wangge bench register · {backend} · 目标 {} 人", args.people);
    Ok((state, keys))
}

async fn seed_city(state: &AppState, now: crate::clock::Millis) -> anyhow::Result<()> {
    let t = Instant::now();
    let hash = password::hash("Bench-2026-pw")?;
    crate::demo::seed_synthetic(&state.db, &hash, 10, now).await?;
    println!(
        "city tree (10 counties, 100 towns, 2,000 communities, 20,000 grids) ready in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Lookups as the first county's centre (its scope: 2,000 grids): exact ID number, name, pinyin
/// initials and a grid's people, `samples` of each, with their percentiles.
async fn lookups(state: &AppState, grids: &[(i64, String)], want: u64, samples: usize) -> anyhow::Result<()> {
    let county = actor(state, "s001").await?;
    let county_grids: Vec<(usize, i64)> =
        grids.iter().enumerate().filter(|(_, (_, c))| c == "511001").map(|(i, (g, _))| (i, *g)).collect();
    let mut rng = Rng::new(99);
    let mut pick_rng = Rng::new(7);
    let rounds = (want as usize / grids.len()).max(1);
    let mut pick = || {
        // A person of the first county: index ≡ grid index (mod number of grids).
        let (gi, _) = county_grids[pick_rng.below(county_grids.len())];
        (gi + pick_rng.below(rounds) * grids.len()) as u64
    };
    let mut exact = Vec::new();
    let mut name = Vec::new();
    let mut initials = Vec::new();
    let mut grid_page = Vec::new();
    for _ in 0..samples {
        let n = pick();
        let (id, nm, _) = synthetic(n, "511001");
        let t = Instant::now();
        let page = persons::search(state, &county, &PersonQuery { q: Some(id), ..Default::default() }).await?;
        exact.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(page.total == 1, "exact lookup found {}", page.total);
        let t = Instant::now();
        persons::search(state, &county, &PersonQuery { q: Some(nm.clone()), ..Default::default() }).await?;
        name.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        persons::search(
            state,
            &county,
            &PersonQuery { q: Some(crate::domains::registry::model::initials(&nm)), ..Default::default() },
        )
        .await?;
        initials.push(t.elapsed().as_secs_f64() * 1000.0);
        let g = county_grids[rng.below(county_grids.len())].1;
        let t = Instant::now();
        persons::search(state, &county, &PersonQuery { grid: Some(g), ..Default::default() }).await?;
        grid_page.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("lookups ({samples} each, ms; each call includes its audit row):");
    for (label, v, target) in [
        ("exact ID number", exact, 5.0),
        ("name, first page", name, 50.0),
        ("pinyin initials, first page", initials, 50.0),
        ("a grid's people, first page", grid_page, 30.0),
    ] {
        let s = stats(v);
        println!(
            "  {label:<30} p50 {:>7.2}  p95 {:>7.2}  p99 {:>7.2}  max {:>7.2}  (target p99 < {target})",
            s.p50, s.p95, s.p99, s.max
        );
    }
    Ok(())
}

/// What the import runs leave for the measurements beside them.
struct ImportRuns {
    /// Seconds of each full import.
    full: Vec<f64>,
    /// The last run's file, its first synthetic index, its town's grids and its job.
    file: Vec<u8>,
    offset: u64,
    grids: Vec<(i64, String)>,
    done: crate::imports::JobRow,
}

/// `imports` (at least one) full imports of `rows` rows, each into the next town.
async fn imports(state: &AppState, rows: usize, imports: usize) -> anyhow::Result<ImportRuns> {
    let mut full = Vec::new();
    let (mut f2, mut done, mut offset, mut grids_for_floor) = (Vec::new(), None, 0, Vec::new());
    for _ in 0..imports.max(1) {
        let (runs,): (i64,) =
            state.db.read().fetch_one("SELECT COUNT(*) FROM import_jobs WHERE entity = 'persons'", vec![]).await?;
        let town_name = format!("s{:03}.t{}", (runs / 10) % 10 + 1, runs % 10 + 1);
        println!("import into town {town_name} (run {})", runs + 1);
        let town = actor(state, &town_name).await?;
        let town_grids = area_store::grids_under(&state.db, town.scope.path()).await?;
        grids_for_floor = town_grids.clone();
        offset = 20_000_000u64 + person_store::count_under(&state.db, "/").await? as u64;
        let t = Instant::now();
        let file = tokio::task::spawn_blocking(move || import_file(offset, rows, &town_grids)).await??;
        println!(
            "import file: {rows} rows, {:.1} MB, written in {:.2} s",
            file.len() as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        // The import first, on a quiet machine: the measurements beside it leave work behind (freeing
        // their rows, rolling back, closing their connection) that would otherwise run during it.
        f2 = file.clone();
        let t = Instant::now();
        done = Some(import_once(state, &town, file).await?);
        full.push(t.elapsed().as_secs_f64());
    }
    let done = done.context("no import ran")?;
    Ok(ImportRuns { full, file: f2, offset, grids: grids_for_floor, done })
}

/// Starts one import and waits for its job to end.
async fn import_once(state: &AppState, town: &Actor, file: Vec<u8>) -> anyhow::Result<crate::imports::JobRow> {
    let job = crate::domains::registry::import::start_person_import(state, town, "bench.xlsx", file)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    loop {
        let j = crate::imports::job(state, town, job).await.map_err(|e| anyhow!("{e}"))?;
        if j.status == "done" || j.status == "failed" {
            return Ok(j);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Beside the imports: the raw read of the file, the raw insert of its rows and the prepared insert
/// into persons; then the rates of all of them.
async fn beside(state: &AppState, keys: &Keys, rows: usize, runs: ImportRuns) -> anyhow::Result<()> {
    let ImportRuns { full, file: f2, offset, grids: grids_for_floor, done } = runs;
    let t = Instant::now();
    let (_, data) =
        tokio::task::spawn_blocking(move || crate::excel::read_first_sheet(&f2)).await?.map_err(|e| anyhow!("{e}"))?;
    let read_s = t.elapsed().as_secs_f64();
    let raw_s = raw_insert(state, &data).await?;
    let floor_s = indexed_insert(state, keys, offset + rows as u64, rows, &grids_for_floor).await?;
    println!("import of {rows} rows (status {}: imported {}, failed {}):", done.status, done.imported, done.failed);
    println!("  read the xlsx only              {:>9.0} rows/s  ({read_s:.2} s)", rows as f64 / read_s);
    println!("  insert rows raw (no checks)     {:>9.0} rows/s  ({raw_s:.2} s)", rows as f64 / raw_s);
    println!(
        "  insert into persons, prepared   {:>9.0} rows/s  ({floor_s:.2} s; encrypted rows, all indexes, rolled back)",
        rows as f64 / floor_s
    );
    for (k, full_s) in full.iter().enumerate() {
        let which = if full.len() > 1 { format!(" (import {})", k + 1) } else { String::new() };
        println!(
            "  full import end to end{which:<11}{:>9.0} rows/s  ({full_s:.2} s; target ≥ 20,000 rows/s)",
            rows as f64 / full_s
        );
    }
    Ok(())
}

fn import_file(offset: u64, rows: usize, grids: &[(i64, String)]) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let headers = ["姓名", "证件号码", "联系电话", "人员类别", "所属网格编码", "现住址", "民族", "学历"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for r in 0..rows {
        let (id, name, phone) = synthetic(offset + r as u64, "511001");
        let grid = &grids[r % grids.len()].1;
        let vals = [name.as_str(), &id, &phone, "户籍人口", grid, "合成路1号", "汉族", "大学专科"];
        for (c, v) in vals.iter().enumerate() {
            ws.write_string(1 + r as u32, c as u16, *v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Inserts the file's people, already validated and encrypted, into the real table with all its
/// indexes in batches like the import's, then rolls back: the floor under the import's write time.
async fn indexed_insert(
    state: &AppState,
    keys: &Keys,
    offset: u64,
    rows: usize,
    grids: &[(i64, String)],
) -> anyhow::Result<f64> {
    let mut prepared = Vec::with_capacity(rows);
    for r in 0..rows {
        let (id, name, phone) = synthetic(offset + r as u64, "511001");
        prepared.push(people::write_of(keys, grids[r % grids.len()].0, &id, &name, &phone)?);
    }
    let now = state.clock.now();
    prepared.sort_by(|a, b| a.id_bidx.cmp(&b.id_bidx));
    let rows: Vec<_> = prepared.iter().map(|p| person_store::new_row(p, now)).collect();
    let t = Instant::now();
    let mut tx = state.db.begin_bulk().await?;
    for chunk in rows.chunks(state.config.import_batch_rows) {
        person_store::insert_new(&mut tx, chunk.to_vec()).await?;
    }
    let s = t.elapsed().as_secs_f64();
    drop(tx);
    Ok(s)
}

/// Inserts the file's rows as plain text into a scratch table (no validation, no encryption).
async fn raw_insert(state: &AppState, data: &[Vec<String>]) -> anyhow::Result<f64> {
    let db = &state.db;
    db.read().execute("DROP TABLE IF EXISTS bench_raw", vec![]).await?;
    db.read()
        .execute(
            "CREATE TABLE bench_raw (c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, c7 TEXT, c8 TEXT)",
            vec![],
        )
        .await?;
    let t = Instant::now();
    let mut tx = db.begin().await?;
    for chunk in data.chunks(1000) {
        let rows: Vec<Vec<Value>> = chunk
            .iter()
            .map(|r| (0..8).map(|i| Value::from(r.get(i).cloned().unwrap_or_default())).collect())
            .collect();
        insert_rows(&mut tx, "bench_raw", &["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"], rows).await?;
    }
    tx.commit().await?;
    let s = t.elapsed().as_secs_f64();
    db.read().execute("DROP TABLE bench_raw", vec![]).await?;
    Ok(s)
}
