//! The daily huddle (日碰头会) of a community: holding it pulls the open problems onto the record;
//! each problem carries over day to day until a decision marks it solved; every day's decision is
//! a new entry (history kept). Reads need `ReadSupervision` or `RunHuddle`, writes `RunHuddle`.

use super::store::{self, Candidate, EntryRow, ItemRow, NewEntry, NewItem};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::clock::DAY;
use crate::domains::events::queries::day_start;
use crate::domains::org::model::check_text;
use crate::domains::org::tree::{self, AreaRow};
use crate::domains::patrols::model::day_of;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

const CHANGED: &str = "该问题已被他人更新，请刷新后重试";

fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::ReadSupervision) || actor.can(Permission::RunHuddle) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// The community of a request: the one named (in scope), else the caller's own community.
pub async fn community(state: &AppState, actor: &Actor, id: Option<i64>) -> AppResult<AreaRow> {
    let id = match id {
        Some(id) => id,
        None => actor.scope.area_id(),
    };
    let a = tree::get(&state.db, actor.scope.path(), id).await?;
    match a {
        Some(a) if a.kind == "community" => Ok(a),
        _ if id == actor.scope.area_id() => Err(AppError::field("community", "请选择社区")),
        _ => Err(AppError::field("community", "社区不存在或不在您的管辖范围内")),
    }
}

/// The caller's own community, or None when the caller works above (or beside) communities.
pub async fn own_community(state: &AppState, actor: &Actor) -> AppResult<Option<AreaRow>> {
    let a = tree::get(&state.db, actor.scope.path(), actor.scope.area_id()).await?;
    Ok(a.filter(|a| a.kind == "community"))
}

/// The communities in scope to pick from, grouped by town, with each one's figures of the day.
pub async fn overview(
    state: &AppState,
    actor: &Actor,
    day: Option<&str>,
) -> AppResult<(String, Vec<(String, Vec<store::CommunityDay>)>)> {
    may_read(actor)?;
    let (day, _) = self::day(actor, day)?;
    let mut groups: Vec<(String, Vec<store::CommunityDay>)> = Vec::new();
    for c in store::community_days(&state.db, actor.scope.path(), &day).await? {
        match groups.last_mut() {
            Some((town, list)) if *town == c.town_name => list.push(c),
            _ => groups.push((c.town_name.clone(), vec![c])),
        }
    }
    Ok((day, groups))
}

/// A day (`YYYY-MM-DD`, default today) no later than today; answers it and its end in milliseconds.
pub fn day(actor: &Actor, d: Option<&str>) -> AppResult<(String, i64)> {
    let today = day_of(actor.now);
    let d = d.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&today).to_owned();
    let start = day_start("day", &d)?;
    if d > today {
        return Err(AppError::field("day", "不能选择今天以后的日期"));
    }
    Ok((day_of(start), start + DAY))
}

/// A problem with its decisions up to the day.
#[derive(Debug, Clone, Serialize)]
pub struct ItemOut {
    #[serde(flatten)]
    pub item: ItemRow,
    pub source_label: &'static str,
    /// Raised on an earlier day and still open then: carried over.
    pub carried: bool,
    /// Solved on this day.
    pub solved_today: bool,
    pub history: Vec<EntryRow>,
    /// This day's decision, if any.
    pub today: Option<EntryRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HuddleView {
    pub community_id: i64,
    pub community_name: String,
    pub day: String,
    pub held_by: Option<String>,
    pub items: Vec<ItemOut>,
    /// Problems not yet on the record (holding the huddle pulls them in).
    pub candidates: Vec<Candidate>,
}

pub fn source_label(s: &str) -> &'static str {
    match s {
        "event" => "未办结事件",
        "finding" => "巡查发现",
        _ => "会上提出",
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewQuery {
    pub community: Option<i64>,
    pub day: Option<String>,
}

/// The huddle of a community on a day.
pub async fn view(state: &AppState, actor: &Actor, q: &ViewQuery) -> AppResult<HuddleView> {
    may_read(actor)?;
    let c = community(state, actor, q.community).await?;
    let (day, end) = day(actor, q.day.as_deref())?;
    let items = store::items_for_day(&state.db, c.id, &day).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let entries = store::entries_until(&state.db, &ids, &day).await?;
    let items = items
        .into_iter()
        .map(|item| {
            let history: Vec<EntryRow> = entries.iter().filter(|e| e.item_id == item.id).cloned().collect();
            let today = history.iter().rev().find(|e| e.day == day).cloned();
            ItemOut {
                source_label: source_label(&item.source),
                carried: item.first_day < day,
                solved_today: item.solved_day.as_deref() == Some(day.as_str()),
                history,
                today,
                item,
            }
        })
        .collect();
    let candidates = store::candidates(&state.db, c.id, &c.path, end).await?;
    let held_by = store::held(&state.db, c.id, &day).await?.map(|h| h.0);
    Ok(HuddleView { community_id: c.id, community_name: c.name, day, held_by, items, candidates })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    pub community_id: Option<i64>,
    pub day: Option<String>,
}

/// Holds the day's huddle: pulls the open problems onto the record (raised that day), and marks
/// solved the problems whose event is no longer open.
pub async fn hold(state: &AppState, actor: &Actor, i: &HoldInput) -> AppResult<HuddleView> {
    actor.require(Permission::RunHuddle)?;
    let c = community(state, actor, i.community_id).await?;
    let (day, end) = day(actor, i.day.as_deref())?;
    let candidates = store::candidates(&state.db, c.id, &c.path, end).await?;
    let now = actor.now;
    let mut tx = state.db.begin().await?;
    store::hold(&mut tx, c.id, &day, actor.id, now).await?;
    let mut pulled = Vec::new();
    for cand in &candidates {
        let title: String = cand.title.chars().take(100).collect();
        let ni = NewItem {
            community_id: c.id,
            community_path: &c.path,
            source: &cand.source,
            event_id: (cand.source == "event").then_some(cand.ref_id),
            finding_id: (cand.source == "finding").then_some(cand.ref_id),
            grid_id: cand.grid_id,
            title: &title,
            first_day: &day,
            created_by: actor.id,
            now,
        };
        pulled.push(store::insert_item(&mut tx, &ni).await?);
    }
    let finished = store::items_with_finished_events(&mut tx, c.id).await?;
    for (id, version, state) in &finished {
        let label = crate::domains::events::workflow::State::parse(state).map(|s| s.label()).unwrap_or("已办结");
        let e = NewEntry {
            item_id: *id,
            day: &day,
            decision: &format!("事件状态为“{label}”，自动销号"),
            follow_up_staff_id: None,
            follow_up_account_id: None,
            follow_up_name: "",
            solved: true,
            created_by: actor.id,
            now,
        };
        store::insert_entry(&mut tx, &e).await?;
        if !store::touch_item(&mut tx, *id, *version, Some(&day), actor.id, now).await? {
            return Err(AppError::Conflict(CHANGED.into()));
        }
    }
    let solved: Vec<i64> = finished.iter().map(|f| f.0).collect();
    audit::record(
        &mut tx,
        &actor.audit(),
        "huddle_held",
        "huddle",
        format!("{}:{day}", c.id),
        json!({ "community": c.id, "day": day, "pulled": pulled, "auto_solved": solved }),
    )
    .await?;
    tx.commit().await?;
    view(state, actor, &ViewQuery { community: Some(c.id), day: Some(day) }).await
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub community_id: Option<i64>,
    pub day: Option<String>,
    pub title: Option<String>,
    pub grid_id: Option<i64>,
}

/// Adds a problem raised at the huddle.
pub async fn add_item(state: &AppState, actor: &Actor, i: &ItemInput) -> AppResult<ItemRow> {
    actor.require(Permission::RunHuddle)?;
    let c = community(state, actor, i.community_id).await?;
    let mut e = FieldErrors::new();
    let (day, _) = match day(actor, i.day.as_deref()) {
        Ok(d) => d,
        Err(err) => {
            AppError::gather(&mut e, Err(err));
            (String::new(), 0)
        }
    };
    let title = AppError::gather(&mut e, check_text("title", "问题", i.title.as_deref().unwrap_or(""), 100, true));
    if let Some(g) = i.grid_id
        && tree::get(&state.db, &c.path, g).await?.filter(|a| a.kind == "grid").is_none()
    {
        e.insert("grid_id".into(), "网格不在该社区内".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let mut tx = state.db.begin().await?;
    let ni = NewItem {
        community_id: c.id,
        community_path: &c.path,
        source: "manual",
        event_id: None,
        finding_id: None,
        grid_id: i.grid_id,
        title: &title,
        first_day: &day,
        created_by: actor.id,
        now: actor.now,
    };
    let id = store::insert_item(&mut tx, &ni).await?;
    store::hold(&mut tx, c.id, &day, actor.id, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "huddle_item_added",
        "huddle_item",
        id,
        json!({ "title": title, "day": day }),
    )
    .await?;
    let row = store::item_tx(&mut tx, "/", id).await?.ok_or_else(|| AppError::not_found("问题"))?;
    tx.commit().await?;
    Ok(row)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub day: Option<String>,
    pub decision: Option<String>,
    pub follow_up_staff_id: Option<i64>,
    pub follow_up_account_id: Option<i64>,
    pub follow_up_name: Option<String>,
    pub solved: Option<bool>,
    pub version: Option<i64>,
}

/// Who follows up: a staff member or account of the community (their name), else a name typed;
/// required unless the problem is solved.
async fn follow_up(
    state: &AppState,
    i: &DecisionInput,
    path: &str,
    solved: bool,
    e: &mut FieldErrors,
) -> AppResult<String> {
    let mut name = AppError::gather(
        e,
        check_text("follow_up_name", "跟进人", i.follow_up_name.as_deref().unwrap_or(""), 50, false),
    );
    if let Some(sid) = i.follow_up_staff_id {
        match store::person_in(&state.db, "staff", sid, path).await? {
            Some(n) => name = n,
            None => {
                e.insert("follow_up_staff_id".into(), "跟进人不是本社区在职的工作人员".into());
            }
        }
    }
    if let Some(aid) = i.follow_up_account_id {
        match store::person_in(&state.db, "accounts", aid, path).await? {
            Some(n) => name = n,
            None => {
                e.insert("follow_up_account_id".into(), "跟进人不是本社区的账号".into());
            }
        }
    }
    if !solved && name.is_empty() && !e.contains_key("follow_up_staff_id") && !e.contains_key("follow_up_account_id") {
        e.insert("follow_up_name".into(), "请指定跟进人".into());
    }
    Ok(name)
}

/// Records the day's decision on a problem and who follows up; `solved` closes it (it no longer
/// carries over). Earlier decisions stay as they were.
pub async fn decide(state: &AppState, actor: &Actor, id: i64, i: &DecisionInput) -> AppResult<ItemRow> {
    actor.require(Permission::RunHuddle)?;
    let mut tx = state.db.begin().await?;
    let item = store::item_tx(&mut tx, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("问题"))?;
    tx.commit().await?;
    let c = community(state, actor, Some(item.community_id)).await?;
    let mut e = FieldErrors::new();
    let (day, _) = match day(actor, i.day.as_deref()) {
        Ok(d) => d,
        Err(err) => {
            AppError::gather(&mut e, Err(err));
            (String::new(), 0)
        }
    };
    if !day.is_empty() && day < item.first_day {
        e.insert("day".into(), format!("该问题 {} 才提出，不能早于这一天", item.first_day));
    }
    let decision =
        AppError::gather(&mut e, check_text("decision", "会议决定", i.decision.as_deref().unwrap_or(""), 500, true));
    let solved = i.solved.unwrap_or(false);
    let name = follow_up(state, i, &c.path, solved, &mut e).await?;
    let version = match i.version {
        Some(v) => v,
        None => {
            e.insert("version".into(), "缺少版本号".into());
            0
        }
    };
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    if item.state == "solved" {
        return Err(AppError::Conflict("该问题已经销号".into()));
    }
    let mut tx = state.db.begin().await?;
    let entry = NewEntry {
        item_id: id,
        day: &day,
        decision: &decision,
        follow_up_staff_id: i.follow_up_staff_id,
        follow_up_account_id: i.follow_up_account_id,
        follow_up_name: &name,
        solved,
        created_by: actor.id,
        now: actor.now,
    };
    let entry_id = store::insert_entry(&mut tx, &entry).await?;
    if !store::touch_item(&mut tx, id, version, solved.then_some(day.as_str()), actor.id, actor.now).await? {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    store::hold(&mut tx, c.id, &day, actor.id, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "huddle_decision",
        "huddle_item",
        id,
        json!({ "entry": entry_id, "day": day, "decision": decision, "follow_up": name, "solved": solved }),
    )
    .await?;
    let row = store::item_tx(&mut tx, "/", id).await?.ok_or_else(|| AppError::not_found("问题"))?;
    tx.commit().await?;
    Ok(row)
}

/// Communities and staff for the page's choices.
pub async fn choices(
    state: &AppState,
    actor: &Actor,
    c: Option<&AreaRow>,
) -> AppResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let communities = store::communities_under(&state.db, actor.scope.path()).await?;
    let staff = match c {
        Some(c) => store::staff_under(&state.db, &c.path).await?,
        None => vec![],
    };
    Ok((communities, staff))
}
