//! Demo patrols: a week of morning patrols by 嫩水社区's grid workers (check-in, a walk round the
//! inside of the grid outline, the checklist, a finding now and then, some reported as events), and
//! the community's daily huddles of yesterday and today.

use super::events::actor;
use crate::args;
use crate::clock::{DAY, HOUR, MINUTE, Millis};
use crate::domains::huddles::service as huddles;
use crate::domains::patrols::model::day_of;
use crate::domains::patrols::service::{
    self as patrols, CheckInInput, CheckInput, ChecksInput, EndInput, FindingInput, PointInput, PointsInput, StartInput,
};
use crate::domains::patrols::store;
use crate::state::AppState;

const FINDINGS: &[&str] = &[
    "单元门口和电线杆上贴满办证、开锁小广告",
    "5 栋楼下消防通道停放多辆电动车，消防车无法通行",
    "菜市场路口有三个流动摊点占道经营，影响通行",
    "小区东门垃圾收集点垃圾满溢，当天未清运",
    "临街一家门店把货架摆到人行道上经营",
];

/// The corner box of a grid outline (min lon, min lat, max lon, max lat), else a box near the seed town.
fn bbox(boundary: Option<&str>) -> (f64, f64, f64, f64) {
    let fallback = (104.60, 31.50, 104.6036, 31.5027);
    let Some(v) = boundary.and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok()) else { return fallback };
    let pts: Vec<(f64, f64)> = v["coordinates"][0]
        .as_array()
        .map(|r| r.iter().filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?))).collect())
        .unwrap_or_default();
    if pts.is_empty() {
        return fallback;
    }
    pts.iter().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |(a, b, c, d), (x, y)| {
        (a.min(*x), b.min(*y), c.max(*x), d.max(*y))
    })
}

/// A walk of 24 points round the inside of the box (a fifth in from each side), one a minute.
fn walk(b: (f64, f64, f64, f64), start: Millis, wiggle: f64) -> Vec<PointInput> {
    let (x0, y0, x1, y1) = b;
    let (dx, dy) = ((x1 - x0) / 5.0, (y1 - y0) / 5.0);
    let corners = [(x0 + dx, y0 + dy), (x1 - dx, y0 + dy), (x1 - dx, y1 - dy), (x0 + dx, y1 - dy)];
    (0..24)
        .map(|i| {
            let (a, c) = (corners[(i / 6) % 4], corners[(i / 6 + 1) % 4]);
            let f = (i % 6) as f64 / 6.0;
            let w = wiggle * ((i * 7 % 5) as f64 - 2.0) * 1e-5;
            PointInput {
                lat: a.1 + (c.1 - a.1) * f + w,
                lng: a.0 + (c.0 - a.0) * f - w,
                accuracy: 8.0 + (i % 4) as f64 * 3.0,
                at: start + (i as i64 + 1) * MINUTE,
            }
        })
        .collect()
}

/// Creates the demo patrols, check-ins and huddles (once); answers how many patrols were made.
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM patrols", args![]).await?;
    if have > 0 {
        return Ok(0);
    }
    let workers: Vec<(String, Option<String>)> = state
        .db
        .read()
        .fetch_all(
            "SELECT ac.username, g.boundary FROM accounts ac JOIN areas g ON g.id = ac.area_id \
             WHERE ac.role = 'grid_worker' AND ac.username LIKE 'heshan.c1.g%' ORDER BY ac.id LIMIT 6",
            args![],
        )
        .await?;
    let items = store::checklist(&state.db).await?;
    let today_start =
        crate::domains::events::queries::day_start("day", &day_of(now)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut n = 0u64;
    for days_ago in (0..7i64).rev() {
        let day0 = today_start - days_ago * DAY;
        for (k, (username, boundary)) in workers.iter().enumerate() {
            // Today only the patrols already over by now.
            let start = day0 + 8 * HOUR + 30 * MINUTE + k as i64 * 7 * MINUTE;
            if start + 40 * MINUTE > now || (days_ago + k as i64) % 5 == 4 {
                continue;
            }
            let w = actor(state, username, start - 10 * MINUTE).await?;
            let ci = CheckInInput { lat: None, lng: None, accuracy: None, at: None };
            patrols::check_in(state, &w, &ci).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let w = actor(state, username, start).await?;
            let p = patrols::start(state, &w, &StartInput::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = p.row.id;
            let pts = walk(bbox(boundary.as_deref()), start, (k + 1) as f64);
            let w = actor(state, username, start + 25 * MINUTE).await?;
            patrols::add_points(state, &w, id, &PointsInput { points: pts })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let checks = items
                .iter()
                .filter(|i| i.active)
                .map(|i| CheckInput { item_id: i.id, result: "ok".into(), note: None })
                .collect();
            patrols::record_checks(state, &w, id, &ChecksInput { items: checks })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if (days_ago as usize + k).is_multiple_of(3) {
                let text = FINDINGS[(days_ago as usize + k) % FINDINGS.len()];
                let f = FindingInput {
                    item_id: None,
                    description: Some(text.into()),
                    report: Some(k % 2 == 0),
                    ..Default::default()
                };
                patrols::add_finding(state, &w, id, &f).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            let w = actor(state, username, start + 40 * MINUTE).await?;
            patrols::end(state, &w, id, &EndInput::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            n += 1;
        }
    }
    seed_huddles(state, now, today_start).await?;
    Ok(n)
}

/// The community's huddles: yesterday's with decisions, then today's (the open ones carry over).
async fn seed_huddles(state: &AppState, now: Millis, today_start: Millis) -> anyhow::Result<()> {
    let yesterday = today_start - DAY + 17 * HOUR;
    let cs = actor(state, "heshan.c1", yesterday).await?;
    let h = huddles::hold(state, &cs, &huddles::HoldInput::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, it) in h.items.iter().take(6).enumerate() {
        let d = huddles::DecisionInput {
            decision: Some(if i % 3 == 0 {
                "已协调处理完毕".into()
            } else {
                "由网格员督促整改，明日复查".into()
            }),
            follow_up_name: Some("网格员".into()),
            solved: Some(i % 3 == 0),
            version: Some(it.item.version),
            ..Default::default()
        };
        huddles::decide(state, &cs, it.item.id, &d).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    if now >= today_start + 17 * HOUR {
        let cs = actor(state, "heshan.c1", now).await?;
        huddles::hold(state, &cs, &huddles::HoldInput::default()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
