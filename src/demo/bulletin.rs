//! Demo history for the monthly bulletin: each account's days of use over the last three months
//! (patterned on the seed's March bulletin: 宏仁乡 all active, 长卿、双峰、双板 idle, a few
//! departments active), events reported and closed in every other town through the real workflow
//! (some towns clearing last month's backlog, some closing under half), and floating people reported
//! from towns other than 鹤山镇, signed by only one police station.

use super::events::{SAMPLES, act_at, actor, working_time};
use crate::args;
use crate::clock::{DAY, HOUR, Millis};
use crate::db::bulk::insert_rows;
use crate::demo::names::{Rng, person_name};
use crate::domains::activity::model::ReportPeriod;
use crate::domains::events::model::Details;
use crate::domains::events::service::{self, ReportInput};
use crate::domains::events::store;
use crate::domains::registry::id_number::make;
use crate::domains::registry::persons::{self, PersonInput};
use crate::domains::submissions::service::{self as submissions, ActionInput, ListQuery};
use crate::state::AppState;
use anyhow::anyhow;
use serde_json::json;

/// Towns whose accounts are all active (the seed's 宏仁乡), mostly active, or never used.
const FULL: &[&str] = &["宏仁乡"];
const GOOD: &[&str] = &[
    "鹤山镇",
    "文昌镇",
    "经开区",
    "卧龙镇",
    "玛瑙镇",
    "石牛镇",
    "仁和镇",
    "石台镇",
    "仙鹅镇",
    "文兴镇",
    "豢龙镇",
    "交泰镇",
    "马迎镇",
    "二洞镇",
    "七曲山镇",
];
const IDLE: &[&str] = &["长卿镇", "双峰镇", "双板镇"];
/// The departments whose accounts were used (the seed's list, plus the one that signs the demo's reports).
const ACTIVE_DEPARTMENTS: &[&str] = &[
    "鹤山派出所",
    "文兴派出所",
    "文兴司法所",
    "文兴卫生院",
    "仙峰司法所",
    "宏仁司法所",
    "二洞卫生院",
    "马迎卫生院",
    "石台卫生院",
    "双板卫生院",
    "自强卫生院",
];
/// Towns that close more than arrives (clearing a backlog), and towns that close under half.
const OVER: &[&str] = &[
    "文昌镇",
    "卧龙镇",
    "小垭镇",
    "石台镇",
    "文兴镇",
    "大新镇",
    "三泉镇",
    "宏仁乡",
    "白云镇",
    "豢龙镇",
    "马迎镇",
    "二洞镇",
    "宝石镇",
    "七曲山镇",
];
const UNDER: &[&str] = &["经开区", "许州镇", "玛瑙镇", "自强镇", "建兴镇", "东石镇", "马鸣镇", "定远镇"];

/// Seeds the history once (while no account has any activity); answers (activity days, events).
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<(u64, u64)> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM account_activity", args![]).await?;
    if have > 0 {
        return Ok((0, 0));
    }
    let days = activity(state, now).await?;
    let events = town_events(state, now).await?;
    floating_elsewhere(state, now).await?;
    Ok((days, events))
}

/// Days of use: this month so far and the two before; the earlier month a little quieter, so the
/// bulletin reports an improvement.
async fn activity(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = state
        .db
        .read()
        .fetch_all(
            "SELECT a.id, a.role, t.name, d.name FROM accounts a \
             LEFT JOIN areas ar ON ar.id = a.area_id \
             LEFT JOIN areas t ON t.kind = 'town' AND ar.path >= t.path AND ar.path < t.path || '~' \
             LEFT JOIN departments d ON d.id = a.department_id \
             WHERE a.demo = TRUE AND a.role IN ('grid_worker', 'grid_leader', 'community_staff', 'town_center', 'department_handler') \
             AND (t.name IS NOT NULL OR d.name IS NOT NULL)",
            args![],
        )
        .await?;
    let today = crate::clock::to_local(now).date_naive();
    let this = ReportPeriod::month_of(today);
    let months = [(this.previous().previous(), 0.6), (this.previous(), 1.0), (this.clone(), 1.0)];
    let mut rng = Rng::new(20_260_301);
    let mut out = Vec::new();
    for (id, _role, town, dept) in &rows {
        for (m, keen) in &months {
            let share = match (town.as_deref(), dept.as_deref()) {
                (_, Some(d)) if ACTIVE_DEPARTMENTS.contains(&d) => 1.0,
                (_, Some(_)) => 0.0,
                (Some(t), _) if FULL.contains(&t) => {
                    if *keen < 1.0 {
                        0.5
                    } else {
                        1.0
                    }
                }
                (Some(t), _) if IDLE.contains(&t) => 0.0,
                (Some(t), _) if GOOD.contains(&t) => 0.8 * keen,
                _ => 0.3 * keen,
            };
            let active = (rng.below(1000) as f64) < share * 1000.0;
            let last = if *m == this { today.succ_opt().unwrap_or(today) } else { m.end };
            let span = (last - m.first).num_days().max(1) as usize;
            // Active accounts work most days; the others look in now and then.
            let want = if active {
                (span * 4 / 5).max(span.min(20))
            } else if share > 0.0 {
                rng.below(6)
            } else {
                0
            };
            let mut day = m.first;
            let mut placed = 0;
            while day < last && placed < want {
                if active || rng.below(span) < want * 2 {
                    out.push(vec![
                        (*id).into(),
                        day.to_string().into(),
                        "write".into(),
                        (crate::domains::activity::model::midnight(day) + 9 * HOUR).into(),
                    ]);
                    placed += 1;
                }
                day = day.succ_opt().unwrap_or(last);
            }
        }
    }
    let n = out.len() as u64;
    let mut tx = state.db.begin().await?;
    // The demo's accounts were opened before the history starts (activity counts opened accounts).
    let opened = crate::domains::activity::model::midnight(months[0].0.first) - DAY;
    tx.execute("UPDATE accounts SET created_at = $1 WHERE demo = TRUE AND created_at > $1", args![opened]).await?;
    insert_rows(&mut tx, "account_activity", &["account_id", "day", "kind", "first_at"], out).await?;
    tx.commit().await?;
    Ok(n)
}

/// Events in every town but 鹤山镇 (which has its own) and the idle ones, over the last two months.
async fn town_events(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let towns: Vec<(String, String)> = state
        .db
        .read()
        .fetch_all(
            "SELECT t.name, MIN(a.username) FROM areas t JOIN areas g ON g.kind = 'grid' AND g.path >= t.path AND g.path < t.path || '~' \
             JOIN accounts a ON a.area_id = g.id AND a.role = 'grid_worker' AND a.demo = TRUE \
             WHERE t.kind = 'town' AND t.name <> '鹤山镇' GROUP BY t.name, t.path ORDER BY t.path",
            args![],
        )
        .await?;
    let cal = store::calendar(&state.db).await?;
    let today = crate::clock::to_local(now).date_naive();
    let last = ReportPeriod::month_of(today).previous();
    let before = last.previous();
    let mut rng = Rng::new(303);
    let mut n = 0;
    for (town, worker) in towns.iter().filter(|(t, _)| !IDLE.contains(&t.as_str())) {
        let community = worker.rsplit_once('.').map(|(c, _)| c.to_owned()).unwrap_or_default();
        // The month before: three reports, one closed that month, two carried over.
        let mut carried = Vec::new();
        for k in 0..3 {
            let t = working_time(&cal, &mut rng, crate::domains::activity::model::midnight(before.first), 0)
                + (3 + 7 * k) * DAY;
            let id = report(state, worker, t, &mut rng).await?;
            n += 1;
            if k == 0 {
                close(state, id, worker, &community, t + 2 * HOUR).await?;
            } else {
                carried.push(id);
            }
        }
        // Last month: three reports; how many close depends on the town.
        let month_start = crate::domains::activity::model::midnight(last.first);
        let closing = if OVER.contains(&town.as_str()) {
            3
        } else if UNDER.contains(&town.as_str()) {
            1
        } else {
            2
        };
        for k in 0..3 {
            let t = working_time(&cal, &mut rng, month_start, 0) + (2 + 8 * k) * DAY;
            let id = report(state, worker, t, &mut rng).await?;
            n += 1;
            if k < closing {
                close(state, id, worker, &community, t + 3 * HOUR).await?;
            }
        }
        if OVER.contains(&town.as_str()) {
            for (k, id) in carried.into_iter().enumerate() {
                close(state, id, worker, &community, month_start + (25 + k as i64) * DAY).await?;
            }
        }
    }
    Ok(n)
}

async fn report(state: &AppState, worker: &str, at: Millis, rng: &mut Rng) -> anyhow::Result<i64> {
    let (cat, title, what, place) = SAMPLES[rng.below(SAMPLES.len())];
    let input = ReportInput {
        category: Some(cat.into()),
        title: Some(title.into()),
        details: Some(Details {
            what: what.into(),
            r#where: place.into(),
            when: crate::clock::to_local(at - 2 * HOUR).format("%Y-%m-%d %H:%M").to_string(),
            who: "周边住户".into(),
            how_many: Some(1 + rng.below(10) as i64),
            ..Default::default()
        }),
        address: Some(place.into()),
        ..Default::default()
    };
    let w = actor(state, worker, at).await?;
    service::report(state, &w, &input, vec![]).await.map_err(|e| anyhow!("{e}"))
}

/// Accept and handle in the grid; the community verifies (not whoever completed it) and closes.
async fn close(state: &AppState, id: i64, worker: &str, community: &str, at: Millis) -> anyhow::Result<()> {
    act_at(state, id, actor(state, worker, at).await?, "accept", "", json!({})).await?;
    act_at(state, id, actor(state, worker, at + HOUR).await?, "complete", "网格内已处理完毕", json!({})).await?;
    act_at(state, id, actor(state, community, at + 2 * HOUR).await?, "verify", "现场核查，已整改到位", json!({}))
        .await?;
    act_at(state, id, actor(state, community, at + 3 * HOUR).await?, "close", "", json!({})).await?;
    Ok(())
}

/// Floating people reported last month from 文昌、仙鹅、二洞 and 文兴; only 文兴派出所 signs.
async fn floating_elsewhere(state: &AppState, now: Millis) -> anyhow::Result<()> {
    let today = crate::clock::to_local(now).date_naive();
    let start = crate::domains::activity::model::midnight(ReportPeriod::month_of(today).previous().first);
    let mut rng = Rng::new(419);
    let mut seq = 800;
    for (town, count) in [("wenchang", 5), ("xiane", 3), ("erdong", 3), ("wenxing", 2)] {
        let worker = format!("{town}.c1.g1");
        for k in 0..count {
            let at = start + (3 + 4 * k) * DAY + 10 * HOUR;
            let w = actor(state, &worker, at).await?;
            seq += 1;
            let birth = chrono::NaiveDate::from_ymd_opt(1980 + seq % 20, 1 + (seq % 12) as u32, 3).unwrap_or_default();
            let input = PersonInput {
                kind: Some("floating".into()),
                name: Some(person_name(&mut rng)),
                id_number: Some(make("510623", birth, seq as u32)),
                phone: Some(format!("1398161{:04}", seq)),
                grid_id: Some(w.scope.area_id()),
                address: Some(format!("出租屋 {} 号", 10 + k)),
                occupation: Some("务工".into()),
                extra: Some(json!({ "permit_type": "1", "reason": "务工", "from_place": "四川省德阳市中江县",
                                    "arrived_on": crate::clock::to_local(at - 3 * DAY).format("%Y-%m-%d").to_string() })),
                ..Default::default()
            };
            persons::create(state, &w, &input).await.map_err(|e| anyhow!("floating person: {e}"))?;
        }
    }
    let police = actor(state, "wenxing.police", start + 27 * DAY).await?;
    let page = submissions::list(state, &police, &ListQuery { per_page: Some(100), ..Default::default() })
        .await
        .map_err(|e| anyhow!("{e}"))?;
    for s in page.items.iter().filter(|s| s.state == "waiting") {
        let input = ActionInput { action: Some("sign".into()), note: None, version: None };
        submissions::act(state, &police, s.id, &input).await.map_err(|e| anyhow!("sign: {e}"))?;
    }
    Ok(())
}
