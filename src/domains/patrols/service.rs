//! Patrols as callers use them: start and end one's own patrol, post track points (distance computed
//! here by the rule in `model::step`), record the checklist and findings, turn a finding into an
//! event; check in once a day; lists and figures within the caller's scope; edit the checklist.

use super::model::{self, CheckResult, Fix, Step};
use super::store::{self, CheckInRow, CheckRow, FindingRow, ItemRow, PatrolFilter, PatrolRow, PointRow};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::clock::{DAY, Millis, format_local};
use crate::domains::events::model::{Details, WHAT_MIN_CHARS};
use crate::domains::events::queries::day_start;
use crate::domains::events::service::{self as events, ReportInput};
use crate::domains::events::store as event_store;
use crate::domains::org::area_store;
use crate::domains::org::model::check_text;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

const CHANGED: &str = "巡查记录已被更新，请刷新后重试";

/// A patrol as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PatrolOut {
    #[serde(flatten)]
    pub row: PatrolRow,
    pub open: bool,
    pub minutes: i64,
    pub started_text: String,
    pub ended_text: String,
    pub km: String,
}

pub fn out(row: PatrolRow) -> PatrolOut {
    PatrolOut {
        open: row.ended_at.is_none(),
        minutes: model::minutes(row.started_at, row.ended_at),
        started_text: format_local(row.started_at),
        ended_text: row.ended_at.map(format_local).unwrap_or_default(),
        km: format!("{:.2}", row.metres as f64 / 1000.0),
        row,
    }
}

/// A checklist item with this patrol's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOut {
    pub item: ItemRow,
    pub result: Option<CheckRow>,
    pub result_label: &'static str,
}

/// A finding with its time in words.
#[derive(Debug, Clone, Serialize)]
pub struct FindingOut {
    #[serde(flatten)]
    pub row: FindingRow,
    pub found_text: String,
}

fn finding_out(row: FindingRow) -> FindingOut {
    FindingOut { found_text: format_local(row.found_at), row }
}

#[derive(Debug, Clone, Serialize)]
pub struct PatrolDetail {
    #[serde(flatten)]
    pub patrol: PatrolOut,
    pub track: Vec<PointRow>,
    pub checklist: Vec<CheckOut>,
    pub findings: Vec<FindingOut>,
    /// The grid boundary (GeoJSON), if drawn.
    #[serde(skip)]
    pub boundary: Option<String>,
}

fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::FieldWork) || actor.can(Permission::ReadSupervision) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// One patrol in the caller's scope with its track, checklist and findings.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<PatrolDetail> {
    may_read(actor)?;
    let p = store::patrol(&state.db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    let track = store::points_of(&state.db, id).await?;
    let checks = store::checks_of(&state.db, id).await?;
    let checklist = store::checklist(&state.db)
        .await?
        .into_iter()
        .filter(|i| i.active || checks.iter().any(|c| c.item_id == i.id))
        .map(|item| {
            let result = checks.iter().find(|c| c.item_id == item.id).cloned();
            let result_label = result.as_ref().map(|r| model::result_label(&r.result)).unwrap_or("未检查");
            CheckOut { item, result, result_label }
        })
        .collect();
    let findings = store::findings_of(&state.db, id).await?.into_iter().map(finding_out).collect();
    let boundary = area_store::get(&state.db, "/", p.grid_id).await?.and_then(|a| a.boundary);
    Ok(PatrolDetail { patrol: out(p), track, checklist, findings, boundary })
}

/// The caller's own patrol in progress.
pub async fn current(state: &AppState, actor: &Actor) -> AppResult<Option<PatrolOut>> {
    actor.require(Permission::FieldWork)?;
    Ok(store::open_patrol_of(&state.db, actor.id).await?.map(out))
}

/// A patrol the caller may write to: in scope, their own.
async fn own(state: &AppState, actor: &Actor, id: i64) -> AppResult<PatrolRow> {
    actor.require(Permission::FieldWork)?;
    let p = store::patrol(&state.db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    if p.account_id != actor.id {
        return Err(AppError::Forbidden("只能记录本人的巡查".into()));
    }
    Ok(p)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    pub grid_id: Option<i64>,
    /// When the worker started, if earlier than now (the field app started it offline; Unix ms).
    pub started_at: Option<i64>,
}

/// The longest a patrol recorded offline may lie in the past when it reaches the server.
pub const OFFLINE_WINDOW: Millis = 12 * crate::clock::HOUR;

/// A time the phone recorded offline: not in the future, not older than `OFFLINE_WINDOW`, not before `floor`.
fn phone_time(field: &str, at: Option<i64>, floor: Millis, now: Millis) -> AppResult<Millis> {
    match at {
        None => Ok(now),
        Some(t) if t > now + crate::clock::MINUTE => Err(AppError::field(field, "时间不能晚于现在")),
        Some(t) if t < now - OFFLINE_WINDOW || t < floor => {
            Err(AppError::field(field, "时间太早：离线记录须在 12 小时内同步，且结束不能早于开始"))
        }
        Some(t) => Ok(t.min(now)),
    }
}

/// Starts a patrol of a grid: the named one (in scope), else the caller's own grid.
pub async fn start(state: &AppState, actor: &Actor, i: &StartInput) -> AppResult<PatrolOut> {
    actor.require(Permission::FieldWork)?;
    let grid_id = match i.grid_id {
        Some(g) => g,
        None => {
            let own = area_store::get(&state.db, actor.scope.path(), actor.scope.area_id()).await?;
            match own {
                Some(a) if a.kind == "grid" => a.id,
                _ => return Err(AppError::field("grid_id", "请选择要巡查的网格")),
            }
        }
    };
    let grid = area_store::get(&state.db, actor.scope.path(), grid_id)
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))?;
    if store::open_patrol_of(&state.db, actor.id).await?.is_some() {
        return Err(AppError::Conflict("您有一次巡查尚未结束，请先结束再开始新的巡查".into()));
    }
    let now = phone_time("started_at", i.started_at, 0, actor.now)?;
    let day = model::day_of(now);
    let mut tx = state.db.begin().await?;
    let np = store::NewPatrol { account_id: actor.id, grid_id, grid_path: &grid.path, day: &day, started_at: now };
    let id = match store::insert_patrol(&mut tx, &np).await {
        Ok(id) => id,
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::Conflict("您有一次巡查尚未结束，请先结束再开始新的巡查".into()));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(&mut tx, &actor.audit(), "patrol_started", "patrol", id, json!({ "grid_id": grid_id, "day": day }))
        .await?;
    tx.commit().await?;
    let p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    Ok(out(p))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    pub lat: f64,
    pub lng: f64,
    pub accuracy: f64,
    /// Unix milliseconds of the fix.
    pub at: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsInput {
    pub points: Vec<PointInput>,
}

/// Appends a batch of track points to one's open patrol and adds the counted distance. The whole
/// batch is refused (nothing stored) if any point is absurd.
pub async fn add_points(state: &AppState, actor: &Actor, id: i64, i: &PointsInput) -> AppResult<PatrolOut> {
    let p = own(state, actor, id).await?;
    if p.ended_at.is_some() {
        return Err(AppError::Conflict("本次巡查已结束，不能再记录轨迹".into()));
    }
    let mut fixes: Vec<Fix> =
        i.points.iter().map(|q| Fix { lat: q.lat, lng: q.lng, accuracy: q.accuracy, at: q.at }).collect();
    let e = model::check_points(&fixes, p.started_at, actor.now);
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    fixes.sort_by_key(|f| f.at);
    add_fixes(state, actor, &p, &fixes).await?;
    let p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    Ok(out(p))
}

/// Stores checked fixes (in time order) and moves the distance on, version-checked.
async fn add_fixes(state: &AppState, actor: &Actor, p: &PatrolRow, fixes: &[Fix]) -> AppResult<()> {
    let mut anchor = match (p.last_lat, p.last_lng, p.last_at) {
        (Some(lat), Some(lng), Some(at)) => Some(Fix { lat, lng, accuracy: 0.0, at }),
        _ => None,
    };
    let mut metres = 0.0;
    let mut rows = Vec::with_capacity(fixes.len());
    for f in fixes {
        let counted = match model::step(anchor, *f) {
            Step::Anchor => true,
            Step::Count(m) => {
                metres += m;
                true
            }
            Step::Ignore => false,
        };
        if counted {
            anchor = Some(*f);
        }
        rows.push((f.lat, f.lng, f.accuracy, f.at, counted));
    }
    let mut tx = state.db.begin().await?;
    store::insert_points(&mut tx, p.id, &rows).await?;
    let new_anchor = anchor.map(|a| (a.lat, a.lng, a.at));
    if !store::add_progress(&mut tx, p, metres.round() as i64, rows.len() as i64, new_anchor, actor.now).await? {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    pub note: Option<String>,
    pub version: Option<i64>,
    /// The last points not yet sent.
    pub points: Option<Vec<PointInput>>,
    /// When the worker ended it, if earlier than now (ended offline; Unix ms).
    pub ended_at: Option<i64>,
}

/// Ends one's open patrol (with the last points, if any).
pub async fn end(state: &AppState, actor: &Actor, id: i64, i: &EndInput) -> AppResult<PatrolOut> {
    let mut p = own(state, actor, id).await?;
    if p.ended_at.is_some() {
        return Err(AppError::Conflict("本次巡查已经结束".into()));
    }
    if i.version.is_some_and(|v| v != p.version) {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    let note = check_text("note", "巡查小结", i.note.as_deref().unwrap_or(""), 500, false)?;
    let ended_at = phone_time("ended_at", i.ended_at, p.started_at, actor.now)?;
    if let Some(points) = i.points.as_ref().filter(|v| !v.is_empty()) {
        add_points(state, actor, id, &PointsInput { points: points.clone() }).await?;
        p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    }
    let mut tx = state.db.begin().await?;
    if !store::end_patrol(&mut tx, &p, &note, ended_at).await? {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    let minutes = model::minutes(p.started_at, Some(ended_at));
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_ended",
        "patrol",
        id,
        json!({ "minutes": minutes, "metres": p.metres, "points": p.points, "findings": p.findings }),
    )
    .await?;
    tx.commit().await?;
    let p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    Ok(out(p))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    pub item_id: i64,
    pub result: String,
    pub note: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksInput {
    pub items: Vec<CheckInput>,
}

/// Records (or corrects) checklist results of one's patrol; all or nothing.
pub async fn record_checks(state: &AppState, actor: &Actor, id: i64, i: &ChecksInput) -> AppResult<()> {
    let p = own(state, actor, id).await?;
    let results: Vec<CheckResult> = i
        .items
        .iter()
        .map(|c| CheckResult {
            item_id: c.item_id,
            result: c.result.trim().to_owned(),
            note: c.note.clone().unwrap_or_default().trim().to_owned(),
        })
        .collect();
    let mut tx = state.db.begin().await?;
    let active = store::active_item_ids_tx(&mut tx).await?;
    let e = model::check_results(&results, &active);
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    for r in &results {
        store::upsert_check(&mut tx, p.id, r.item_id, &r.result, &r.note, actor.now).await?;
    }
    let detail: Vec<_> = results.iter().map(|r| json!({ "item_id": r.item_id, "result": r.result })).collect();
    audit::record(&mut tx, &actor.audit(), "patrol_checked", "patrol", id, json!({ "items": detail })).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    pub item_id: Option<i64>,
    pub description: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Report it as an event at once (一键上报).
    pub report: Option<bool>,
    /// The event category (default: the checklist item's).
    pub category: Option<String>,
}

/// A finding checked, before anything is written.
struct CheckedFinding {
    item: Option<ItemRow>,
    description: String,
    address: String,
}

async fn check_finding(state: &AppState, i: &FindingInput) -> AppResult<CheckedFinding> {
    let mut e = FieldErrors::new();
    let description = AppError::gather(
        &mut e,
        check_text("description", "发现的问题", i.description.as_deref().unwrap_or(""), 500, true),
    );
    if !description.is_empty() && description.chars().count() < WHAT_MIN_CHARS {
        e.insert("description".into(), format!("请把问题写清楚（至少 {WHAT_MIN_CHARS} 个字）"));
    }
    let address =
        AppError::gather(&mut e, check_text("address", "地点", i.address.as_deref().unwrap_or(""), 200, false));
    model::check_position(i.lat, i.lng, &mut e);
    let mut item = None;
    if let Some(item_id) = i.item_id {
        let mut tx = state.db.begin().await?;
        item = store::item_tx(&mut tx, item_id).await?.filter(|it| it.active);
        tx.commit().await?;
        if item.is_none() {
            e.insert("item_id".into(), "检查项不存在或已停用".into());
        }
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(CheckedFinding { item, description, address })
}

/// Reports a finding as an event of channel `patrol` in the patrol's grid; answers the event id.
#[allow(clippy::too_many_arguments)]
async fn report_event(
    state: &AppState,
    actor: &Actor,
    grid: (i64, &str),
    item: Option<&ItemRow>,
    description: &str,
    address: &str,
    position: (Option<f64>, Option<f64>),
    found_at: i64,
    category: Option<&str>,
) -> AppResult<i64> {
    let category = category
        .filter(|c| !c.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| item.map(|i| i.event_category.clone()))
        .unwrap_or_else(|| "09".into());
    let title = match item {
        Some(i) => format!("巡查发现：{}", i.name),
        None => format!("巡查发现：{}", description.chars().take(20).collect::<String>()),
    };
    let r#where = if address.is_empty() { format!("{}（巡查途中）", grid.1) } else { address.to_owned() };
    let input = ReportInput {
        category: Some(category),
        channel: Some("patrol".into()),
        title: Some(title),
        details: Some(Details {
            what: description.to_owned(),
            r#where,
            when: format_local(found_at),
            ..Default::default()
        }),
        address: Some(address.to_owned()),
        lon: position.1,
        lat: position.0,
        grid_id: Some(grid.0),
        ..Default::default()
    };
    events::report(state, actor, &input, vec![]).await
}

/// Records a finding on one's patrol; with `report`, it becomes an event first (if the event is
/// refused, nothing is written).
pub async fn add_finding(state: &AppState, actor: &Actor, id: i64, i: &FindingInput) -> AppResult<FindingOut> {
    let p = own(state, actor, id).await?;
    let c = check_finding(state, i).await?;
    let now = actor.now;
    let event_id = if i.report.unwrap_or(false) {
        let pos = (i.lat, i.lng);
        let grid = (p.grid_id, p.grid_name.as_str());
        Some(
            report_event(
                state,
                actor,
                grid,
                c.item.as_ref(),
                &c.description,
                &c.address,
                pos,
                now,
                i.category.as_deref(),
            )
            .await?,
        )
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    let nf = store::NewFinding {
        patrol: &p,
        item_id: c.item.as_ref().map(|it| it.id),
        description: &c.description,
        address: &c.address,
        lat: i.lat,
        lng: i.lng,
        now,
    };
    let fid = store::insert_finding(&mut tx, &nf).await?;
    if let Some(ev) = event_id {
        store::link_event(&mut tx, fid, 1, ev, now).await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_finding_added",
        "patrol_finding",
        fid,
        json!({ "patrol": id, "item_id": nf.item_id, "event_id": event_id }),
    )
    .await?;
    tx.commit().await?;
    store::finding(&state.db, "/", fid).await?.map(finding_out).ok_or_else(|| AppError::not_found("巡查发现"))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFindingInput {
    pub category: Option<String>,
    pub version: Option<i64>,
}

/// Turns an earlier finding of one's own into an event (one tap).
pub async fn report_finding(
    state: &AppState,
    actor: &Actor,
    patrol_id: i64,
    finding_id: i64,
    i: &ReportFindingInput,
) -> AppResult<FindingOut> {
    actor.require(Permission::FieldWork)?;
    let f = store::finding(&state.db, actor.scope.path(), finding_id)
        .await?
        .filter(|f| f.patrol_id == patrol_id)
        .ok_or_else(|| AppError::not_found("巡查发现"))?;
    if f.account_id != actor.id {
        return Err(AppError::Forbidden("只能上报本人巡查中的发现".into()));
    }
    if let Some(ev) = f.event_id {
        return Err(AppError::Conflict(format!("该发现已转为事件（编号 {ev}）")));
    }
    if i.version.is_some_and(|v| v != f.version) {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    let mut tx = state.db.begin().await?;
    let item = match f.item_id {
        Some(it) => store::item_tx(&mut tx, it).await?,
        None => None,
    };
    tx.commit().await?;
    let grid = (f.grid_id, f.grid_name.as_str());
    let pos = (f.lat, f.lng);
    let ev = report_event(
        state,
        actor,
        grid,
        item.as_ref(),
        &f.description,
        &f.address,
        pos,
        f.found_at,
        i.category.as_deref(),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    if !store::link_event(&mut tx, f.id, f.version, ev, actor.now).await? {
        return Err(AppError::Conflict(format!("该发现已被同时上报，本次生成的事件编号 {ev} 请作废")));
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_finding_reported",
        "patrol_finding",
        f.id,
        json!({ "patrol": f.patrol_id, "event_id": ev }),
    )
    .await?;
    tx.commit().await?;
    store::finding(&state.db, "/", f.id).await?.map(finding_out).ok_or_else(|| AppError::not_found("巡查发现"))
}

/// Resolves `area` (in scope) to its path; the caller's scope when absent.
async fn area_path(state: &AppState, actor: &Actor, area: Option<i64>) -> AppResult<String> {
    match area {
        Some(a) => Ok(area_store::get(&state.db, actor.scope.path(), a)
            .await?
            .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?
            .path),
        None => Ok(actor.scope.path().to_owned()),
    }
}

/// `from`/`to` dates (inclusive) to `[from, to)` in milliseconds; default the last 30 days.
pub fn period(actor: &Actor, from: Option<&str>, to: Option<&str>) -> AppResult<(i64, i64, String, String)> {
    let today = model::day_of(actor.now);
    let to_s = to.filter(|s| !s.trim().is_empty()).unwrap_or(&today).trim().to_owned();
    let to_ms = day_start("to", &to_s)? + DAY;
    let from_s = match from.filter(|s| !s.trim().is_empty()) {
        Some(f) => f.trim().to_owned(),
        None => model::day_of(to_ms - 30 * DAY),
    };
    let from_ms = day_start("from", &from_s)?;
    if from_ms >= to_ms {
        return Err(AppError::field("from", "开始日期不能晚于结束日期"));
    }
    if to_ms - from_ms > 400 * DAY {
        return Err(AppError::field("from", "一次最多统计 400 天"));
    }
    Ok((from_ms, to_ms, from_s, to_s))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub area: Option<i64>,
    pub account: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Patrols in the caller's scope, newest first.
pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<PatrolOut>> {
    may_read(actor)?;
    let path = area_path(state, actor, q.area).await?;
    let (from, to, _, _) = period(actor, q.from.as_deref(), q.to.as_deref())?;
    let pf = PatrolFilter { scope_path: path, account_id: q.account, from: Some(from), to: Some(to) };
    Ok(store::list(&state.db, &pf, Paging::new(q.page, q.per_page)).await?.map(out))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    pub area: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkerLine {
    #[serde(flatten)]
    pub f: store::WorkerFigures,
    pub account_name: String,
    pub grid_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GridLine {
    #[serde(flatten)]
    pub f: store::GridFigures,
    pub grid_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub from: String,
    pub to: String,
    pub workers: Vec<WorkerLine>,
    pub grids: Vec<GridLine>,
}

/// Patrol days, minutes, metres and findings per worker (in each grid) and per grid, of the patrols
/// started between `from` and `to` (Beijing dates, inclusive) in the area.
pub async fn figures(state: &AppState, actor: &Actor, q: &FiguresQuery) -> AppResult<Figures> {
    actor.require(Permission::ReadSupervision)?;
    let path = area_path(state, actor, q.area).await?;
    let (from, to, from_s, to_s) = period(actor, q.from.as_deref(), q.to.as_deref())?;
    let w = store::worker_figures(&state.db, &path, from, to).await?;
    let g = store::grid_figures(&state.db, &path, from, to).await?;
    let accounts: Vec<i64> = w.iter().map(|x| x.account_id).collect();
    let grids: Vec<i64> = g.iter().map(|x| x.grid_id).collect();
    let an = store::names(&state.db, "accounts", &accounts).await?;
    let gn = store::names(&state.db, "areas", &grids).await?;
    let name = |v: &[(i64, String)], id: i64| v.iter().find(|(i, _)| *i == id).map(|x| x.1.clone()).unwrap_or_default();
    Ok(Figures {
        from: from_s,
        to: to_s,
        workers: w
            .into_iter()
            .map(|f| WorkerLine { account_name: name(&an, f.account_id), grid_name: name(&gn, f.grid_id), f })
            .collect(),
        grids: g.into_iter().map(|f| GridLine { grid_name: name(&gn, f.grid_id), f }).collect(),
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub accuracy: Option<f64>,
    /// When the phone checked in (offline check-ins sync later); absent: now.
    pub at: Option<i64>,
}

/// The day's check-in: the first one of a Beijing day is stored (answers `true`); a second one the
/// same day changes nothing and answers the first (`false`).
pub async fn check_in(state: &AppState, actor: &Actor, i: &CheckInInput) -> AppResult<(bool, CheckInRow)> {
    actor.require(Permission::FieldWork)?;
    let mut e = FieldErrors::new();
    model::check_position(i.lat, i.lng, &mut e);
    if let Some(a) = i.accuracy
        && (!a.is_finite() || a <= 0.0 || a > 100_000.0)
    {
        e.insert("accuracy".into(), "定位精度应为大于 0 的米数".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let at = phone_time("at", i.at, 0, actor.now)?;
    let day = model::day_of(at);
    let mut tx = state.db.begin().await?;
    if let Some(c) = store::check_in_tx(&mut tx, actor.id, &day).await? {
        return Ok((false, c));
    }
    let c = store::NewCheckIn {
        account_id: actor.id,
        day: &day,
        at,
        area_id: actor.scope.area_id(),
        area_path: actor.scope.path(),
        lat: i.lat,
        lng: i.lng,
        accuracy: i.accuracy,
    };
    store::insert_check_in(&mut tx, &c).await?;
    audit::record(&mut tx, &actor.audit(), "checked_in", "check_in", &day, json!({ "located": i.lat.is_some() }))
        .await?;
    let row = store::check_in_tx(&mut tx, actor.id, &day).await?.ok_or_else(|| AppError::not_found("签到"))?;
    tx.commit().await?;
    Ok((true, row))
}

/// The caller's check-in today, if any.
pub async fn my_check_in(state: &AppState, actor: &Actor) -> AppResult<Option<CheckInRow>> {
    Ok(store::check_in(&state.db, actor.id, &model::day_of(actor.now)).await?)
}

/// Check-ins in the caller's scope (or an area in it) between two dates.
pub async fn check_ins(state: &AppState, actor: &Actor, q: &FiguresQuery) -> AppResult<Vec<CheckInRow>> {
    actor.require(Permission::ReadSupervision)?;
    let path = area_path(state, actor, q.area).await?;
    let (_, _, from, to) = period(actor, q.from.as_deref(), q.to.as_deref())?;
    Ok(store::check_ins(&state.db, &path, &from, &to).await?)
}

/// The checklist (active and retired items).
pub async fn checklist(state: &AppState, actor: &Actor) -> AppResult<Vec<ItemRow>> {
    if !actor.can(Permission::FieldWork)
        && !actor.can(Permission::ReadSupervision)
        && !actor.can(Permission::ManageSupervisionSettings)
    {
        return Err(AppError::forbidden());
    }
    Ok(store::checklist(&state.db).await?)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub name: Option<String>,
    pub hint: Option<String>,
    pub event_category: Option<String>,
    pub sort: Option<i64>,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

async fn check_item(state: &AppState, cur: Option<&ItemRow>, i: &ItemInput) -> AppResult<ItemRow> {
    let mut e = FieldErrors::new();
    let name = i.name.clone().or_else(|| cur.map(|c| c.name.clone())).unwrap_or_default();
    let name = AppError::gather(&mut e, check_text("name", "检查项名称", &name, 30, true));
    let hint = i.hint.clone().or_else(|| cur.map(|c| c.hint.clone())).unwrap_or_default();
    let hint = AppError::gather(&mut e, check_text("hint", "检查要点", &hint, 200, false));
    let category = i.event_category.clone().or_else(|| cur.map(|c| c.event_category.clone())).unwrap_or_default();
    if category.is_empty() {
        e.insert("event_category".into(), "请选择发现问题时上报的事件类别".into());
    } else if event_store::category(&state.db, &category).await?.filter(|c| c.active).is_none() {
        e.insert("event_category".into(), "事件类别不存在或已停用".into());
    }
    let sort = i.sort.or(cur.map(|c| c.sort)).unwrap_or(100);
    if !(0..=10_000).contains(&sort) {
        e.insert("sort".into(), "排序应在 0–10000 之间".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(ItemRow {
        id: cur.map(|c| c.id).unwrap_or(0),
        name,
        hint,
        event_category: category,
        sort,
        active: i.active.or(cur.map(|c| c.active)).unwrap_or(true),
        version: i.version.unwrap_or(0),
    })
}

/// Adds a checklist item.
pub async fn add_item(state: &AppState, actor: &Actor, i: &ItemInput) -> AppResult<ItemRow> {
    actor.require(Permission::ManageSupervisionSettings)?;
    let item = check_item(state, None, i).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert_item(&mut tx, &item, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("name", "已有同名的检查项") } else { e.into() }
    })?;
    audit::record(&mut tx, &actor.audit(), "patrol_item_created", "patrol_item", id, json!({ "name": item.name }))
        .await?;
    let row = store::item_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("检查项"))?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a checklist item (version-checked); `active: false` retires it (past results are kept).
pub async fn update_item(state: &AppState, actor: &Actor, id: i64, i: &ItemInput) -> AppResult<ItemRow> {
    actor.require(Permission::ManageSupervisionSettings)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let mut tx = state.db.begin().await?;
    let cur = store::item_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("检查项"))?;
    tx.commit().await?;
    let mut next = check_item(state, Some(&cur), i).await?;
    next.version = version;
    let mut tx = state.db.begin().await?;
    let ok = store::update_item(&mut tx, &next, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("name", "已有同名的检查项") } else { e.into() }
    })?;
    if !ok {
        return Err(AppError::Conflict("检查项已被他人修改，请刷新后重试".into()));
    }
    let view = |m: &ItemRow| json!({ "name": m.name, "hint": m.hint, "event_category": m.event_category, "sort": m.sort, "active": m.active });
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_item_updated",
        "patrol_item",
        id,
        audit::changes(&view(&cur), &view(&next)),
    )
    .await?;
    let row = store::item_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("检查项"))?;
    tx.commit().await?;
    Ok(row)
}
