//! `wangge bench events`: a city of synthetic events (`--events N` over the last year, across the
//! 20,000 grids of the synthetic city), then an action's latency (transition + timeline + audit), a
//! to-do page, a month's figures for a county and for the whole city, and the card scan.

use super::register::actor;
use super::stats;
use crate::auth::password;
use crate::cli::BenchEventsArgs;
use crate::clock::{Clock, DAY, HOUR, MINUTE};
use crate::crypto::Keys;
use crate::db::Value;
use crate::db::bulk::{insert_rows, max_id, sync_sequence};
use crate::demo::names::Rng;
use crate::domains::events::model::Card;
use crate::domains::events::queries;
use crate::domains::events::service::{self, ActionInput};
use crate::domains::events::stats::{self as event_stats, StatsQuery};
use crate::domains::events::{cards, store};
use crate::state::AppState;
use anyhow::anyhow;
use std::time::Instant;

const LEAVES: [&str; 12] =
    ["0401", "0402", "0403", "0501", "0502", "0503", "0301", "0302", "0102", "0103", "0701", "09"];

/// One event of the synthetic city, as a row, and whether it is still open at the grid.
struct Generated {
    row: Vec<Value>,
    steps: Vec<Vec<Value>>,
    open_at_grid: bool,
}

/// Where a generated event stands: closed (on time or not) at its grid, or open at the grid or its
/// community with its card and the next card's time.
struct Fate {
    state: &'static str,
    holder: i64,
    step: Option<&'static str>,
    started: Option<i64>,
    card: Card,
    next_card: Option<i64>,
    closed_at: Option<i64>,
    on_time: Option<bool>,
    completed: Option<i64>,
}

/// The sign-off limit of every generated event.
const LIMIT: i64 = 3 * DAY;

#[allow(clippy::too_many_arguments)]
fn generate(
    n: u64,
    id: i64,
    grid: &(i64, String, i64, i64, String),
    year_start: i64,
    now: i64,
    due_now: bool,
    total: u64,
) -> Generated {
    let mut rng = Rng::new(n + 17);
    let (grid_id, _, community, reporter, _) = grid;
    let span = now - year_start;
    let reported = year_start + (n as i64 * span / total as i64) + rng.below(8) as i64 * HOUR;
    let reported = reported.min(now - MINUTE);
    let recent = now - reported < 10 * DAY;
    let closed = !due_now && rng.below(100) < if recent { 40 } else { 93 };
    let category = LEAVES[rng.below(LEAVES.len())];
    let fate = if closed {
        closed_fate(&mut rng, *grid_id, reported, now)
    } else {
        open_fate(&mut rng, *grid_id, *community, reported, now, due_now)
    };
    let row = event_row(n, id, grid, category, reported, closed, &fate);
    let steps = event_steps(&mut rng, id, *reporter, reported, fate.closed_at);
    Generated { row, steps, open_at_grid: fate.state == "reported" && !due_now }
}

fn closed_fate(rng: &mut Rng, grid_id: i64, reported: i64, now: i64) -> Fate {
    let c = reported + (4 + rng.below(120) as i64) * HOUR;
    let c = c.min(now - MINUTE);
    let on_time = c - reported <= 4 * DAY;
    let state = if rng.below(3) == 0 { "closed" } else { "evaluated" };
    Fate {
        state,
        holder: grid_id,
        step: None,
        started: None,
        card: Card::None,
        next_card: None,
        closed_at: Some(c),
        on_time: Some(on_time),
        completed: Some(c - HOUR),
    }
}

fn open_fate(rng: &mut Rng, grid_id: i64, community: i64, reported: i64, now: i64, due_now: bool) -> Fate {
    let at_community = rng.below(4) == 0;
    let (yellow, red) = (reported + LIMIT * 3 / 4, reported + LIMIT);
    let card = Card::at(now, Some(yellow), Some(red));
    // A few cards fall due right now, for the scan to fire.
    let next =
        if due_now { Some(now - rng.below(60) as i64 * 1000) } else { Card::next_at(card, Some(yellow), Some(red)) };
    let card = if due_now { Card::None } else { card };
    Fate {
        state: if at_community { "accepted" } else { "reported" },
        holder: if at_community { community } else { grid_id },
        step: Some(if at_community { "handle" } else { "accept" }),
        started: Some(reported),
        card,
        next_card: next,
        closed_at: None,
        on_time: None,
        completed: None,
    }
}

/// The event's row in the order of `insert_generated`'s columns.
fn event_row(
    n: u64,
    id: i64,
    grid: &(i64, String, i64, i64, String),
    category: &str,
    reported: i64,
    closed: bool,
    f: &Fate,
) -> Vec<Value> {
    let (grid_id, path, _, reporter, _) = grid;
    let Fate { state, holder, step, started, card, next_card, closed_at, on_time, completed } = *f;
    let deadline = started.map(|s| s + LIMIT);
    vec![
        id.into(),
        category.into(),
        "normal".into(),
        "grid_worker".into(),
        format!("合成事件{n}").into(),
        r#"{"what":"合成事件的事情经过，用于性能测试","where":"合成路"}"#.into(),
        "合成路".into(),
        Value::Float(None),
        Value::Float(None),
        (*grid_id).into(),
        (*grid_id).into(),
        path.as_str().into(),
        false.into(),
        state.into(),
        holder.into(),
        (*reporter).into(),
        step.into(),
        started.into(),
        deadline.into(),
        started.map(|s| s + LIMIT * 3 / 4).into(),
        deadline.into(),
        card.as_str().into(),
        next_card.into(),
        reported.into(),
        (closed || state == "accepted").then_some(reported + HOUR).into(),
        (closed || state == "accepted").then_some(true).into(),
        reported.into(),
        closed_at.unwrap_or(reported).into(),
        closed_at.into(),
        on_time.into(),
        (reported + 20 * HOUR).into(),
        (state == "evaluated").then_some(5i64).into(),
        completed.into(),
    ]
}

/// The report step, and the closing step of a closed event.
fn event_steps(rng: &mut Rng, id: i64, reporter: i64, reported: i64, closed_at: Option<i64>) -> Vec<Vec<Value>> {
    let mut steps = vec![vec![
        id.into(),
        "report".into(),
        reporter.into(),
        "合成网格员".into(),
        Value::Text(None),
        "reported".into(),
        "".into(),
        "".into(),
        "{}".into(),
        Value::Text(None),
        Value::Int(None),
        Value::Int(None),
        reported.into(),
    ]];
    if let Some(c) = closed_at {
        steps.push(vec![
            id.into(),
            "close".into(),
            reporter.into(),
            "合成社区".into(),
            "verified".into(),
            "closed".into(),
            "".into(),
            "".into(),
            "{}".into(),
            "verify".into(),
            (60 + rng.below(600) as i64).into(),
            480i64.into(),
            c.into(),
        ]);
    }
    steps
}

/// Inserts events `have..want` of the synthetic city reported in `[span.0, span.1)` (every
/// `due_every`-th with a card falling due now), 20,000 per transaction; answers the ones still
/// open at their grid, with the grid's index.
pub(super) async fn insert_generated(
    state: &AppState,
    grids: &[(i64, String, i64, i64, String)],
    have: u64,
    want: u64,
    span: (i64, i64),
    due_every: Option<u64>,
) -> anyhow::Result<Vec<(i64, usize)>> {
    let t = Instant::now();
    let mut open_at_grid = Vec::new();
    let mut cols: Vec<&str> = vec!["id"];
    cols.extend(store::INSERT_COLUMNS);
    cols.extend(["closed_at", "closed_on_time", "close_due_at", "satisfaction", "completed_at"]);
    let mut i = have;
    while i < want {
        let end = (i + 20_000).min(want);
        let mut tx = state.db.begin().await?;
        let first = max_id(&mut tx, "events").await? + 1;
        let (mut rows, mut steps) = (Vec::new(), Vec::new());
        for n in i..end {
            let gi = (n as usize * 7919) % grids.len();
            let due_now = due_every.is_some_and(|k| n % k == 0);
            let g = generate(n, first + (n - i) as i64, &grids[gi], span.0, span.1, due_now, want);
            if g.open_at_grid {
                open_at_grid.push((first + (n - i) as i64, gi));
            }
            rows.push(g.row);
            steps.extend(g.steps);
        }
        insert_rows(&mut tx, "events", &cols, rows).await?;
        sync_sequence(&mut tx, "events").await?;
        insert_rows(&mut tx, "event_steps", &store::STEP_COLUMNS, steps).await?;
        tx.commit().await?;
        i = end;
        if i.is_multiple_of(200_000) || i == want {
            println!("  {i} events ({:.0} rows/s)", (i - have) as f64 / t.elapsed().as_secs_f64());
        }
    }
    Ok(open_at_grid)
}

pub async fn events(args: BenchEventsArgs) -> anyhow::Result<()> {
    let (db, config) = crate::startup::open(&args.data).await?;
    let keys = Keys::load(&args.data.data_dir)?;
    let state = AppState::new(db, Clock::System, config, keys);
    let backend = state.db.backend().name();
    println!("== wangge bench events · {backend} · 目标 {} 件事件", args.events);
    let now = state.clock.now();
    let t = Instant::now();
    let hash = password::hash("Bench-2026-pw")?;
    crate::demo::seed_synthetic(&state.db, &hash, 10, now).await?;
    println!("city tree (10 counties, 20,000 grids) ready in {:.1} s", t.elapsed().as_secs_f64());
    let grids = store::grids_with_workers(&state.db).await?;
    anyhow::ensure!(!grids.is_empty(), "no synthetic grids");
    let open_at_grid = seed(&state, &grids, args.events as u64, now).await?;
    let (total,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM events", vec![]).await?;
    println!("events: {total}");
    latency(&state, &grids, open_at_grid, args.samples).await?;
    month_figures(&state, now).await?;
    card_scan(&state, now).await?;
    state.db.close().await;
    Ok(())
}

/// Generates the events up to `want` (or, in a kept city, finds open events at grids again);
/// answers the events open at a grid, with the grid's index.
async fn seed(
    state: &AppState,
    grids: &[(i64, String, i64, i64, String)],
    want: u64,
    now: i64,
) -> anyhow::Result<Vec<(i64, usize)>> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM events", vec![]).await?;
    let mut open_at_grid: Vec<(i64, usize)> = Vec::new();
    let year_start = now - 365 * DAY;
    if (have as u64) < want {
        open_at_grid = insert_generated(state, grids, have as u64, want, (year_start, now), Some(2000)).await?;
        let stats = crate::db::Statistics { vacuum: true, sqlite: false };
        state.db.refresh_statistics(&["events", "event_steps"], stats).await?;
    } else {
        // A kept city: find open events at grids again.
        let rows: Vec<(i64, i64)> = state
            .db
            .read()
            .fetch_all(
                "SELECT id, holder_area_id FROM events WHERE state = 'reported' ORDER BY id DESC LIMIT 5000",
                vec![],
            )
            .await?;
        for (id, holder) in rows {
            if let Some(gi) = grids.iter().position(|g| g.0 == holder) {
                open_at_grid.push((id, gi));
            }
        }
    }
    Ok(open_at_grid)
}

/// Actions through the service (accept, then complete, by the grid's worker) and to-do pages of
/// grid workers and community staff, with their percentiles.
async fn latency(
    state: &AppState,
    grids: &[(i64, String, i64, i64, String)],
    mut open_at_grid: Vec<(i64, usize)>,
    samples_wanted: usize,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(5);
    let samples = samples_wanted.min(open_at_grid.len());
    let (mut accept, mut complete) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let (id, gi) = open_at_grid.swap_remove(rng.below(open_at_grid.len()));
        let worker = actor(state, &grids[gi].4).await?;
        let t = Instant::now();
        service::act(state, &worker, id, &ActionInput { action: "accept".into(), ..Default::default() }, vec![])
            .await
            .map_err(|e| anyhow!("accept {id}: {e}"))?;
        accept.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let input =
            ActionInput { action: "complete".into(), note: Some("已处理完毕".into()), ..Default::default() };
        service::act(state, &worker, id, &input, vec![]).await.map_err(|e| anyhow!("complete {id}: {e}"))?;
        complete.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // To-do pages of grid workers and community staff.
    let mut todo = Vec::new();
    for _ in 0..samples_wanted {
        let g = &grids[rng.below(grids.len())];
        let worker = actor(state, &g.4).await?;
        let t = Instant::now();
        queries::todo(state, &worker, "todo", None, None).await.map_err(|e| anyhow!("{e}"))?;
        todo.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("latency ({samples} actions each, {} to-do pages; ms):", samples_wanted);
    for (label, v, target) in [
        ("action: accept", accept, 20.0),
        ("action: complete (with note)", complete, 20.0),
        ("to-do list, first page", todo, 30.0),
    ] {
        let s = stats(v);
        println!(
            "  {label:<30} p50 {:>7.2}  p95 {:>7.2}  p99 {:>7.2}  max {:>7.2}  (target p99 < {target})",
            s.p50, s.p95, s.p99, s.max
        );
    }

    Ok(())
}

/// A month's figures: one county through the API's service, and the whole city from the same facts.
async fn month_figures(state: &AppState, now: i64) -> anyhow::Result<()> {
    let county = actor(state, "s001").await?;
    let month = crate::clock::to_local(now - 30 * DAY).format("%Y-%m").to_string();
    let q = StatsQuery { area: None, from: Some(format!("{month}-01")), to: Some(format!("{month}-28")) };
    let t = Instant::now();
    let s = event_stats::events(state, &county, &q).await.map_err(|e| anyhow!("{e}"))?;
    let county_s = t.elapsed().as_secs_f64();
    let (_, _, period) = event_stats::period_of(&county, &q).map_err(|e| anyhow!("{e}"))?;
    // The whole city (ten county roots): the same roll-up, by county, category and department.
    let counties: Vec<event_stats::Child> = state
        .db
        .read()
        .fetch_all::<(i64, String, String)>(
            "SELECT id, name, path FROM areas WHERE parent_id IS NULL ORDER BY id",
            vec![],
        )
        .await?
        .into_iter()
        .map(|(id, name, path)| event_stats::Child { id, name, path })
        .collect();
    let t = Instant::now();
    let city = event_stats::figures_under(&state.db, "/", &counties, period).await.map_err(|e| anyhow!("{e}"))?;
    let city_s = t.elapsed().as_secs_f64();
    println!(
        "month figures {month}: county s001 {:.3} s (arrived {}, closed {}); whole city {:.3} s (arrived {}, closed {}; {} counties, {} categories)  (target < 1 s)",
        county_s,
        s.totals.arrived,
        s.totals.closed,
        city_s,
        city.totals.arrived,
        city.totals.closed,
        city.by_area.len(),
        city.by_category.len()
    );
    Ok(())
}

/// The card scan with the cards that fell due this minute, then with nothing due.
async fn card_scan(state: &AppState, now: i64) -> anyhow::Result<()> {
    let t = Instant::now();
    let fired = cards::scan(state, now + MINUTE).await.map_err(|e| anyhow!("{e}"))?;
    println!("card scan: {fired} cards fired in {:.3} s  (target < 1 s)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let again = cards::scan(state, now + MINUTE).await.map_err(|e| anyhow!("{e}"))?;
    println!("card scan with nothing due: {again} fired in {:.3} s", t.elapsed().as_secs_f64());
    Ok(())
}
