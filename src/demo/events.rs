//! Demo events: three months of reports across the demo county, driven through the real workflow
//! with the clock of each step set in the past — handled in the grid, escalated to the community,
//! dispatched to a department, verified, closed and evaluated, and some left waiting or overdue.

use crate::args;
use crate::auth::actor::{Actor, Via};
use crate::auth::store as auth_store;
use crate::clock::{DAY, HOUR, MINUTE, Millis};
use crate::demo::names::Rng;
use crate::domains::events::calendar::WorkCalendar;
use crate::domains::events::model::Details;
use crate::domains::events::service::{self, ActionInput, ReportInput, Target};
use crate::domains::events::{cards, store};
use crate::state::AppState;
use crate::web::meta::RequestMeta;
use anyhow::anyhow;
use serde_json::json;

/// What residents and workers report, per category: (category, title, what happened, where).
pub(super) const SAMPLES: &[(&str, &str, &str, &str)] = &[
    (
        "0401",
        "垃圾桶满溢无人清运",
        "小区门口两个垃圾桶满溢，垃圾散落地面，已有两天无人清运，气味较大",
        "小区东门垃圾收集点",
    ),
    ("0402", "路面油污未清扫", "菜市场出口路面有大片油污和菜叶，行人容易滑倒", "菜市场北出口"),
    ("0403", "污水井盖外溢", "雨后污水井冒水，污水流到人行道上，周边住户反映强烈", "人行道污水井"),
    ("0501", "流动摊贩占道经营", "早上七点至九点有三四个流动摊点在路口摆摊，影响车辆和行人通行", "十字路口西侧"),
    ("0502", "商铺店外经营", "一家餐馆把桌椅摆到门外人行道上经营，占用盲道", "商业街 12 号门前"),
    ("0503", "电线杆乱贴小广告", "单元门口和电线杆上贴满办证、开锁小广告，多次清理后又出现", "3 栋单元门口"),
    ("0301", "消防通道被占用", "楼下消防通道停放多辆电动车和私家车，消防车无法通行", "5 栋楼下消防通道"),
    ("0302", "燃气管道有异味", "住户反映楼道里有燃气味，疑似管道接口老化漏气", "2 栋 1 单元楼道"),
    ("0303", "危房墙体开裂", "一户老旧土坯房外墙出现较长裂缝，雨季有倒塌风险，家中有老人居住", "三组老院子"),
    ("0201", "可疑人员多次出现", "近几天夜里有陌生人在小区停车场逗留，查看车辆，住户担心", "小区地下停车场入口"),
    ("06", "楼顶违章搭建彩钢棚", "有住户在楼顶加盖彩钢棚约二十平方米，未见审批手续", "8 栋楼顶"),
    ("0701", "老人咨询养老保险缴费", "七十岁老人不清楚城乡居民养老保险如何续缴，需要上门讲解", "五组"),
    ("0704", "困难家庭申请临时救助", "一户家庭主要劳动力因病住院，家庭生活困难，希望申请临时救助", "二组"),
    ("08", "社区矫正对象未按时报到", "一名社区矫正对象本周未按时到司法所报到，电话联系不上", "嫩水路附近"),
    ("09", "群众建议增设路灯", "多名居民反映小区后门道路没有路灯，夜间出行不便", "小区后门道路"),
];

/// Disputes with their parties, handled in the grid or by mediation.
const DISPUTES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "0102",
        "邻里漏水纠纷",
        "楼上住户卫生间漏水到楼下，双方多次争吵，楼下要求赔偿",
        "4 栋 302 与 202",
        "王某（楼上）、李某（楼下）",
    ),
    ("0103", "宅基地边界争议", "两户因宅基地边界的一排树归属发生争执，有推搡", "六组", "张某、陈某两户"),
    (
        "0104",
        "工地拖欠工资",
        "十余名工人反映工地老板拖欠两个月工资，聚集在工地门口",
        "新区工地",
        "工人代表赵某、包工头刘某",
    ),
];

pub(super) async fn actor(state: &AppState, username: &str, now: Millis) -> anyhow::Result<Actor> {
    let cred = auth_store::credentials_by_username(&mut state.db.begin().await?, username)
        .await?
        .ok_or_else(|| anyhow!("no demo account {username}"))?;
    let meta = RequestMeta { request_id: "demo".into(), ip: "local".into(), user_agent: String::new() };
    Actor::from_credentials(&cred, Via::Token { token_id: 0 }, meta, now, false).map_err(|e| anyhow!("{e}"))
}

/// A time inside working hours on a working day, `days_ago` days before `now`.
pub(super) fn working_time(cal: &WorkCalendar, rng: &mut Rng, now: Millis, days_ago: u64) -> Millis {
    let base = now - days_ago as i64 * DAY;
    cal.add(base, rng.below(8 * 60) as i64)
}

/// Creates the demo events (once); answers how many were created.
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM events", args![]).await?;
    if have > 0 {
        return Ok(0);
    }
    // The seed town's grid workers (嫩水社区 and the next two communities) and who they hand up to.
    let workers = grid_workers(state).await?;
    anyhow::ensure!(!workers.is_empty(), "no demo grid workers");
    let cal = store::calendar(&state.db).await?;
    let police: (i64,) = state
        .db
        .read()
        .fetch_one(
            "SELECT d.id FROM departments d JOIN areas a ON a.id = d.area_id WHERE a.name = '鹤山镇' AND d.kind = 'police_station'",
            args![],
        )
        .await?;
    let mut rng = Rng::new(2026);
    let mut n = 0u64;
    for i in 0..240u64 {
        let (worker, community) = &workers[rng.below(workers.len())];
        let days_ago = 90 - (i * 90 / 240);
        let t0 = working_time(&cal, &mut rng, now, days_ago);
        let w = actor(state, worker, t0).await?;
        let report = sample_report(&mut rng, i, t0);
        let id = service::report(state, &w, &report, vec![]).await.map_err(|e| anyhow!("{e}"))?;
        n += 1;
        // How far this one gets: most are finished, the latest ones are still on their way.
        let fate = if days_ago < 4 { rng.below(4) } else { 4 + rng.below(10) };
        let event = DemoEvent { id, t0, worker, community, police: police.0, fate };
        drive(state, &cal, &mut rng, now, &event).await?;
    }
    cards::scan(state, now).await.map_err(|e| anyhow!("{e}"))?;
    Ok(n)
}

/// The demo grid workers of the first three communities of the seed town, with their community's account.
async fn grid_workers(state: &AppState) -> anyhow::Result<Vec<(String, String)>> {
    let names: Vec<(String,)> = state
        .db
        .read()
        .fetch_all(
            "SELECT username FROM accounts WHERE role = 'grid_worker' AND username LIKE 'heshan.c%' ORDER BY id",
            args![],
        )
        .await?;
    let workers: Vec<(String, String)> = names
        .into_iter()
        .filter_map(|(u,)| {
            let community = u.rsplit_once('.')?.0.to_owned();
            Some((u, community))
        })
        .filter(|(_, c)| ["heshan.c1", "heshan.c2", "heshan.c3"].contains(&c.as_str()))
        .collect();
    Ok(workers)
}

/// The `i`-th report: a dispute with its parties every eighth time, else a sample of a category.
fn sample_report(rng: &mut Rng, i: u64, t0: Millis) -> ReportInput {
    if i.is_multiple_of(8) {
        let (cat, title, what, place, parties) = DISPUTES[rng.below(DISPUTES.len())];
        ReportInput {
            category: Some(cat.into()),
            title: Some(title.into()),
            details: Some(Details {
                what: what.into(),
                r#where: place.into(),
                who: parties.into(),
                how_many: Some(2 + rng.below(10) as i64),
                parties: parties.into(),
                ..Default::default()
            }),
            address: Some(place.into()),
            ..Default::default()
        }
    } else {
        let (cat, title, what, place) = SAMPLES[rng.below(SAMPLES.len())];
        let when = crate::clock::to_local(t0 - 2 * HOUR).format("%Y-%m-%d %H:%M").to_string();
        ReportInput {
            category: Some(cat.into()),
            title: Some(title.into()),
            details: Some(Details {
                what: what.into(),
                r#where: place.into(),
                when,
                who: "周边住户".into(),
                how_many: Some(1 + rng.below(20) as i64),
                ..Default::default()
            }),
            address: Some(place.into()),
            ..Default::default()
        }
    }
}

/// A reported demo event and how far it is to get.
struct DemoEvent<'a> {
    id: i64,
    t0: Millis,
    worker: &'a str,
    community: &'a str,
    police: i64,
    fate: usize,
}

/// Takes the event through the workflow as far as its fate says, each step a while after the last.
async fn drive(
    state: &AppState,
    cal: &WorkCalendar,
    rng: &mut Rng,
    now: Millis,
    e: &DemoEvent<'_>,
) -> anyhow::Result<()> {
    let DemoEvent { id, t0, worker, community, police, fate } = *e;
    let mut t = t0;
    let mut step = |hours: u64| {
        t = cal.add(t, (30 + rng.below(hours as usize * 60) as u64) as i64);
        t.min(now - MINUTE)
    };
    let act = |who: Actor, action: &'static str, note: &'static str, extra: serde_json::Value| {
        act_at(state, id, who, action, note, extra)
    };
    if fate == 0 {
        return Ok(()); // still waiting for the grid to accept
    }
    act(actor(state, worker, step(2)).await?, "accept", "", json!({})).await?;
    if fate == 1 {
        return Ok(()); // being handled in the grid
    }
    let via_department = fate % 3 == 0;
    // Whoever completes it does not verify it: the grid worker verifies on site what the community or
    // the police station completed, the community what the grid worker completed.
    let mut verifier = worker;
    if via_department || fate % 3 == 1 {
        act(actor(state, worker, step(4)).await?, "escalate", "网格内无法解决，请社区协调", json!({})).await?;
        act(actor(state, community, step(2)).await?, "accept", "", json!({})).await?;
        if fate == 2 {
            return Ok(()); // at the community
        }
        if via_department {
            let target = Target { kind: "department".into(), id: police };
            act(
                actor(state, community, step(2)).await?,
                "dispatch",
                "请派出所协助处置",
                json!({ "target": target_json(&target) }),
            )
            .await?;
            act(actor(state, "heshan.police", step(4)).await?, "accept", "", json!({})).await?;
            if fate == 3 {
                return Ok(()); // in progress at the police station
            }
            act(actor(state, "heshan.police", step(20)).await?, "complete", "已到现场处置，当事人已整改", json!({}))
                .await?;
        } else {
            act(actor(state, community, step(16)).await?, "complete", "社区已协调相关单位处理完毕", json!({})).await?;
        }
    } else {
        act(actor(state, worker, step(10)).await?, "complete", "网格内已处理完毕，附整改情况", json!({})).await?;
        verifier = community;
    }
    if fate == 4 {
        return Ok(()); // waiting for verification
    }
    act(actor(state, verifier, step(3)).await?, "verify", "现场核查，已整改到位", json!({})).await?;
    act(actor(state, community, step(2)).await?, "close", "", json!({})).await?;
    if fate >= 7 {
        act(actor(state, worker, step(8)).await?, "evaluate", "", json!({ "satisfaction": 3 + (fate % 3) as i64 }))
            .await?;
    }
    Ok(())
}

/// One action at the actor's moment, after the cards that fell due before it.
pub(super) async fn act_at(
    state: &AppState,
    id: i64,
    who: Actor,
    action: &'static str,
    note: &'static str,
    extra: serde_json::Value,
) -> anyhow::Result<i64> {
    cards::scan(state, who.now).await.map_err(|e| anyhow!("cards: {e}"))?;
    let mut body = extra;
    body["action"] = json!(action);
    if !note.is_empty() {
        body["note"] = json!(note);
    }
    let input: ActionInput = serde_json::from_value(body)?;
    service::act(state, &who, id, &input, vec![]).await.map_err(|e| anyhow!("{action}: {e}"))
}

fn target_json(t: &Target) -> serde_json::Value {
    json!({ "kind": t.kind, "id": t.id })
}
