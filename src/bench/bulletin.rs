//! `wangge bench bulletin`: a city-scale month (the synthetic city's 20,000 grids and their
//! accounts, `--events` events reported in the month, `--people` people, `--submissions` reports
//! of the key groups, and every account's days of use), then the times of a county's monthly
//! bulletin as JSON, as a Word file and as a workbook, a town's bulletin, all ten counties' bulletins,
//! the assessment rankings — and beside them the plain SQL aggregations the figures come from.

use super::events::insert_generated;
use super::register::actor;
use super::stats;
use crate::auth::Actor;
use crate::auth::password;
use crate::cli::BenchBulletinArgs;
use crate::clock::{Clock, DAY, HOUR, Millis};
use crate::crypto::Keys;
use crate::db::Value;
use crate::db::bulk::insert_rows;
use crate::demo::names::Rng;
use crate::domains::activity::model::{ActivitySettings, ReportPeriod, midnight};
use crate::domains::activity::service::AreaRef;
use crate::domains::activity::store as activity_store;
use crate::domains::assessment::service::{self as assessment, RankingQuery};
use crate::domains::bulletins::exports;
use crate::domains::bulletins::service::{self as bulletins, MonthlyQuery};
use crate::domains::dashboard::service::dashboard;
use crate::domains::events::figures::Period;
use crate::domains::events::store as event_store;
use crate::domains::submissions::store as submission_store;
use crate::state::AppState;
use anyhow::anyhow;
use std::time::Instant;

/// Runs `f` `n` times and answers the times in milliseconds and the last result.
macro_rules! timed {
    ($n:expr, $f:expr) => {{
        let mut ms = Vec::new();
        let mut last = None;
        for _ in 0..$n {
            let t = Instant::now();
            last = Some($f);
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        (ms, last)
    }};
}

fn line(label: &str, ms: Vec<f64>, note: &str) {
    let s = stats(ms);
    println!("  {label:<46} p50 {:>8.1} ms  max {:>8.1} ms  {note}", s.p50, s.max);
}

pub async fn bulletin(args: BenchBulletinArgs) -> anyhow::Result<()> {
    let (state, month, now) = open(&args).await?;
    seed(&state, &args, &month, now).await?;

    let n = args.samples;
    let county = actor(&state, "s001").await?;
    let town = actor(&state, "s001.t1").await?;
    let q = MonthlyQuery { area: None, month: Some(month.key()) };
    let settings = crate::domains::activity::service::settings(&state.db).await.map_err(|e| anyhow!("{e}"))?;
    println!("times ({n} samples each):");
    time_bulletins(&state, n, &county, &town, &q).await?;
    time_rankings(&state, n, &county, &month).await?;
    time_dashboards(&state, n, &county, &town, &settings).await?;
    time_sql(&state, n, &county, &month, &settings).await?;
    state.db.close().await;
    Ok(())
}

/// The state and the month measured (the last whole one).
async fn open(args: &BenchBulletinArgs) -> anyhow::Result<(AppState, ReportPeriod, Millis)> {
    let (db, config) = crate::startup::open(&args.data).await?;
    let keys = Keys::load(&args.data.data_dir)?;
    let state = AppState::new(db, Clock::System, config, keys);
    let backend = state.db.backend().name();
    let now = state.clock.now();
    let month = ReportPeriod::month_of(crate::clock::to_local(now).date_naive()).previous();
    println!(
        "== wangge bench bulletin · {backend} · {} · 目标 {} 件事件、{} 人、{} 条报送",
        month.key(),
        args.events,
        args.people,
        args.submissions
    );
    Ok((state, month, now))
}

/// The city, its people, the month's events, submissions and days of use, with fresh statistics.
async fn seed(state: &AppState, args: &BenchBulletinArgs, month: &ReportPeriod, now: Millis) -> anyhow::Result<()> {
    let t = Instant::now();
    let hash = password::hash("Bench-2026-pw")?;
    crate::demo::seed_synthetic(&state.db, &hash, 10, now).await?;
    println!("city tree ready in {:.1} s", t.elapsed().as_secs_f64());
    if args.people > 0 {
        let t = Instant::now();
        let n = crate::demo::people::generate(&state.db, &state.keys, 10, args.people, now).await?;
        if n > 0 {
            println!("people: {n} generated in {:.1} s", t.elapsed().as_secs_f64());
        }
    }
    let (from, to) = month.millis();
    seed_events(state, args.events as u64, from, to).await?;
    seed_submissions(state, args.submissions as u64, from, to).await?;
    seed_activity(state, month).await?;
    let tables = ["events", "submissions", "account_activity", "accounts", "persons"];
    state.db.refresh_statistics(&tables, crate::db::Statistics { vacuum: true, sqlite: true }).await?;
    let counts: (i64, i64, i64) = state
        .db
        .read()
        .fetch_one(
            "SELECT (SELECT COUNT(*) FROM events WHERE reported_at >= $1 AND reported_at < $2), \
             (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM persons)",
            crate::args![from, to],
        )
        .await?;
    println!("month {}: {} events reported; {} accounts; {} people", month.key(), counts.0, counts.1, counts.2);
    Ok(())
}

/// The county's bulletin as JSON, .docx and .xlsx, the town's, and all ten counties' in a row.
async fn time_bulletins(
    state: &AppState,
    n: usize,
    county: &Actor,
    town: &Actor,
    q: &MonthlyQuery,
) -> anyhow::Result<()> {
    let (ms, b) = timed!(n, bulletins::monthly(state, county, q).await.map_err(|e| anyhow!("{e}"))?);
    let b = b.ok_or_else(|| anyhow!("no sample"))?;
    let json = serde_json::to_vec(&b)?;
    line(
        "county bulletin (JSON)",
        ms,
        &format!(
            "(target < 3 s; {} towns, {} departments, arrived {}, {} KB)",
            b.figures.activity.towns.len(),
            b.figures.activity.departments.len(),
            b.figures.completion.overall.arrived,
            json.len() / 1024
        ),
    );
    let (ms, size) = timed!(n, {
        let b = bulletins::monthly(state, county, q).await.map_err(|e| anyhow!("{e}"))?;
        exports::docx(&b, county.now).map_err(|e| anyhow!("{e}"))?.len()
    });
    line("county bulletin (.docx)", ms, &format!("(target < 5 s; {} KB)", size.unwrap_or(0) / 1024));
    let (ms, _) = timed!(n, {
        let b = bulletins::monthly(state, county, q).await.map_err(|e| anyhow!("{e}"))?;
        exports::xlsx(&b).map_err(|e| anyhow!("{e}"))?.len()
    });
    line("county bulletin (.xlsx)", ms, "");
    let (ms, _) = timed!(n, bulletins::monthly(state, town, q).await.map_err(|e| anyhow!("{e}"))?);
    line("town bulletin (JSON)", ms, "");
    // All ten counties one after the other: every event of the month goes through a bulletin.
    let t = Instant::now();
    let mut arrived = 0;
    for c in 1..=10 {
        let a = actor(state, &format!("s{c:03}")).await?;
        arrived +=
            bulletins::monthly(state, &a, q).await.map_err(|e| anyhow!("{e}"))?.figures.completion.overall.arrived;
    }
    println!(
        "  all ten counties' bulletins, one after another  {:>8.1} ms  (arrived {arrived} in all)",
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

async fn time_rankings(state: &AppState, n: usize, county: &Actor, month: &ReportPeriod) -> anyhow::Result<()> {
    let rq = |level: &str| RankingQuery { area: None, month: Some(month.key()), level: Some(level.into()) };
    let (ms, r) = timed!(n, assessment::ranking(state, county, &rq("town")).await.map_err(|e| anyhow!("{e}"))?);
    line("assessment: county's towns", ms, &format!("({} ranked)", r.map(|r| r.items.len()).unwrap_or(0)));
    let (ms, r) = timed!(n, assessment::ranking(state, county, &rq("grid_worker")).await.map_err(|e| anyhow!("{e}"))?);
    line("assessment: county's grid workers", ms, &format!("({} ranked)", r.map(|r| r.items.len()).unwrap_or(0)));
    Ok(())
}

/// Dashboards (驾驶舱) of the first town and of the county, as the page asks for them.
async fn time_dashboards(
    state: &AppState,
    n: usize,
    county: &Actor,
    town: &Actor,
    settings: &ActivitySettings,
) -> anyhow::Result<()> {
    let town_area = AreaRef { id: town.scope.area_id(), name: "第1镇".into(), path: town.scope.path().to_owned() };
    let county_area =
        AreaRef { id: county.scope.area_id(), name: "合成县001".into(), path: county.scope.path().to_owned() };
    let now = state.clock.now();
    let (ms, d) = timed!(n, dashboard(&state.db, &town_area, "town", now, settings).await.map_err(|e| anyhow!("{e}"))?);
    let people = d.map(|d| serde_json::to_value(&d).map(|v| v["register"]["people"].clone()).unwrap_or_default());
    line("town dashboard", ms, &format!("(target < 200 ms; people {})", people.unwrap_or_default()));
    let (ms, _) =
        timed!(n, dashboard(&state.db, &county_area, "county", now, settings).await.map_err(|e| anyhow!("{e}"))?);
    line("county dashboard", ms, "");
    Ok(())
}

/// The plain SQL the bulletin's figures come from (this month and last, as the bulletin runs them).
async fn time_sql(
    state: &AppState,
    n: usize,
    county: &Actor,
    month: &ReportPeriod,
    settings: &ActivitySettings,
) -> anyhow::Result<()> {
    println!("plain SQL aggregations for county s001 (this month and last):");
    let path = county.scope.path().to_owned();
    let before = month.previous();
    let (ms, rows) = timed!(n, {
        let mut rows = 0;
        for p in [month, &before] {
            let (f, e) = p.day_keys();
            rows += activity_store::account_days(&state.db, &path, &f, &e, p.millis().1, settings.counts_reads)
                .await?
                .len();
        }
        rows
    });
    line("account activity (days per account)", ms, &format!("({} account rows)", rows.unwrap_or(0)));
    let (ms, _) = timed!(n, {
        for p in [month, &before] {
            let (f, t) = p.millis();
            event_store::completion_counts(&state.db, &path, Period { from: f, to: t }).await?;
        }
    });
    line("events arrived and closed per town", ms, "");
    let (from, to) = month.millis();
    let (ms, _) = timed!(n, submission_store::period_counts(&state.db, &path, from, to).await?);
    line("submissions per town × kind, per department", ms, "");
    Ok(())
}

/// Events reported in the month, spread over every grid (kept for later runs).
async fn seed_events(state: &AppState, want: u64, from: i64, to: i64) -> anyhow::Result<()> {
    let (have,): (i64,) = state
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM events WHERE reported_at >= $1 AND reported_at < $2", crate::args![from, to])
        .await?;
    if have as u64 >= want {
        return Ok(());
    }
    let grids = event_store::grids_with_workers(&state.db).await?;
    anyhow::ensure!(!grids.is_empty(), "no synthetic grids");
    insert_generated(state, &grids, have as u64, want, (from, to - HOUR), None).await?;
    Ok(())
}

/// Reports of the key groups sent in the month from every town, most signed by the town's
/// department of the mapped kind, some returned, some waiting.
async fn seed_submissions(state: &AppState, want: u64, from: i64, to: i64) -> anyhow::Result<()> {
    let (have,): (i64,) = state
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM submissions WHERE sent_at >= $1 AND sent_at < $2", crate::args![from, to])
        .await?;
    if have as u64 >= want || want == 0 {
        return Ok(());
    }
    let grids = event_store::grids_with_workers(&state.db).await?;
    let departments: Vec<(i64, i64, String)> =
        state.db.read().fetch_all("SELECT id, area_id, kind FROM departments", vec![]).await?;
    let (low, high): (Option<i64>, Option<i64>) =
        state.db.read().fetch_one("SELECT MIN(id), MAX(id) FROM persons", vec![]).await?;
    let (low, high) = (low.ok_or_else(|| anyhow!("bench bulletin needs people (--people)"))?, high.unwrap_or(0));
    let mut rng = Rng::new(97);
    let mut i = have as u64;
    while i < want {
        let end = (i + 20_000).min(want);
        let mut rows = Vec::new();
        for n in i..end {
            rows.push(submission_row(&mut rng, n, &grids, &departments, (low, high), (from, to)));
        }
        let mut tx = state.db.begin().await?;
        insert_rows(&mut tx, "submissions", &COLUMNS, rows).await?;
        tx.commit().await?;
        i = end;
    }
    println!("  {} submissions in the month", want);
    Ok(())
}

/// The kinds reported and the department kind that signs each (the first is six in ten).
const KINDS: [(&str, &str); 5] = [
    ("floating", "police_station"),
    ("drug_user", "police_station"),
    ("mental_disorder", "health_center"),
    ("community_correction", "justice_office"),
    ("released_prisoner", "justice_office"),
];

/// The columns `seed_submissions` writes, in order.
const COLUMNS: [&str; 23] = [
    "person_id",
    "kind",
    "action",
    "town_id",
    "town_path",
    "grid_id",
    "grid_path",
    "department_kind",
    "department_id",
    "no_department",
    "state",
    "sent_by",
    "sent_at",
    "last_sent_at",
    "limit_minutes",
    "yellow_at",
    "deadline",
    "signed_by",
    "signed_at",
    "returned_at",
    "snapshot",
    "created_at",
    "updated_at",
];

/// One submission of the month: a grid picked by `n`, a kind, its town's department, a time in the
/// month and a fate (seven in ten signed, one returned, two waiting).
fn submission_row(
    rng: &mut Rng,
    n: u64,
    grids: &[(i64, String, i64, i64, String)],
    departments: &[(i64, i64, String)],
    (low, high): (i64, i64),
    (from, to): (i64, i64),
) -> Vec<Value> {
    let (grid_id, path, _, reporter, _) = &grids[(n as usize * 104_729) % grids.len()];
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let town_id: i64 = segs.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let town_path = format!("/{}/{}/", segs.first().unwrap_or(&""), segs.get(1).unwrap_or(&""));
    let (kind, dept_kind) = KINDS[if rng.below(10) < 6 { 0 } else { 1 + rng.below(4) }];
    let dept = departments.iter().find(|d| d.1 == town_id && d.2 == dept_kind).map(|d| d.0);
    let sent = from + rng.below(((to - from) / 60_000) as usize) as i64 * 60_000;
    let deadline = sent + 3 * DAY;
    let fate = rng.below(10);
    let (state_, signed_at, returned_at) = match fate {
        0..=6 => ("signed", Some(sent + (2 + rng.below(60) as i64) * HOUR), None),
        7 => ("returned", None, Some(sent + DAY)),
        _ => ("waiting", None, None),
    };
    let person = low + ((n as i64 * 7_919) % (high - low + 1).max(1));
    vec![
        person.into(),
        kind.into(),
        "created".into(),
        town_id.into(),
        town_path.into(),
        (*grid_id).into(),
        path.as_str().into(),
        dept_kind.into(),
        dept.into(),
        dept.is_none().into(),
        state_.into(),
        (*reporter).into(),
        sent.into(),
        sent.into(),
        (3 * 8 * 60i64).into(),
        (sent + 2 * DAY).into(),
        deadline.into(),
        signed_at.and(dept).into(),
        signed_at.into(),
        returned_at.into(),
        "{}".into(),
        sent.into(),
        sent.into(),
    ]
}

/// Every counted account's days of use in the month and the month before (kept for later runs).
async fn seed_activity(state: &AppState, month: &ReportPeriod) -> anyhow::Result<()> {
    let before = month.previous();
    let (first, _) = before.day_keys();
    let (_, end) = month.day_keys();
    let (have,): (i64,) = state
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM account_activity WHERE day >= $1 AND day < $2", crate::args![first, end])
        .await?;
    if have > 0 {
        return Ok(());
    }
    let ids: Vec<(i64,)> = state
        .db
        .read()
        .fetch_all(&format!("SELECT id FROM accounts WHERE role IN {}", activity_store::COUNTED_ROLES), vec![])
        .await?;
    let t = Instant::now();
    let mut rng = Rng::new(41);
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut total = 0;
    for (id,) in &ids {
        for p in [&before, month] {
            // Most accounts work most days; some hardly at all.
            let want = if rng.below(10) < 7 { 15 + rng.below(12) } else { rng.below(8) } as i64;
            let mut day = p.first;
            let mut k = 0;
            while day < p.end && k < want {
                rows.push(vec![
                    (*id).into(),
                    day.to_string().into(),
                    "write".into(),
                    (midnight(day) + 9 * HOUR).into(),
                ]);
                k += 1;
                day = day.succ_opt().unwrap_or(p.end);
            }
        }
        if rows.len() >= 50_000 {
            total += rows.len();
            let mut tx = state.db.begin().await?;
            insert_rows(
                &mut tx,
                "account_activity",
                &["account_id", "day", "kind", "first_at"],
                std::mem::take(&mut rows),
            )
            .await?;
            tx.commit().await?;
        }
    }
    total += rows.len();
    let mut tx = state.db.begin().await?;
    insert_rows(&mut tx, "account_activity", &["account_id", "day", "kind", "first_at"], rows).await?;
    tx.commit().await?;
    // The synthetic accounts were opened before the months measured.
    state
        .db
        .read()
        .execute(
            "UPDATE accounts SET created_at = $1 WHERE created_at > $1",
            crate::args![midnight(before.first) - DAY],
        )
        .await?;
    println!("  {total} account-days for {} accounts in {:.1} s", ids.len(), t.elapsed().as_secs_f64());
    Ok(())
}
