//! Reading events: one event with its timeline (each step's time against its limit), photos, links
//! and supervision; filtered lists; the to-do, done and reported-by-me lists; notifications.

use super::model::{Card, DETAIL_PARTS};
use super::service::{card_now, view_of, visibility, who};
use super::store::{self, EventFilter, EventRow, StepRow, SupervisionRow, TodoSpec};
use super::workflow::{self, State};
use crate::audit;
use crate::auth::{Actor, Permission, Role, Scope};
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// An event as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EventOut {
    pub id: i64,
    /// The number people quote: report date and id, e.g. `SJ20260305-000123`.
    pub no: String,
    pub state: String,
    pub state_label: &'static str,
    pub category: String,
    pub category_name: String,
    pub severity: String,
    pub channel: String,
    pub title: String,
    /// The structured description in one readable paragraph.
    pub description: String,
    pub details: Value,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub grid_id: Option<i64>,
    pub grid_name: Option<String>,
    pub needs_grid: bool,
    pub holder: String,
    pub holder_area_id: Option<i64>,
    pub holder_department_id: Option<i64>,
    pub reporter: String,
    pub step: Option<String>,
    pub deadline: Option<i64>,
    pub deadline_text: String,
    pub card: &'static str,
    pub extension_pending_days: Option<i64>,
    pub satisfaction: Option<i64>,
    pub merged_into: Option<i64>,
    pub reported_at: i64,
    pub closed_at: Option<i64>,
    pub version: i64,
}

pub fn event_no(e: &EventRow) -> String {
    format!("SJ{}-{:06}", crate::clock::to_local(e.reported_at).format("%Y%m%d"), e.id)
}

fn description(details: &Value) -> String {
    DETAIL_PARTS
        .iter()
        .filter_map(|(k, label)| {
            let v = details.get(*k)?;
            let text = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            (!text.is_empty()).then(|| format!("{label}：{text}"))
        })
        .collect::<Vec<_>>()
        .join("；")
}

pub fn out(e: &EventRow, now: i64) -> EventOut {
    let details: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
    let card = card_now(e, now);
    EventOut {
        id: e.id,
        no: event_no(e),
        state: e.state.clone(),
        state_label: State::parse(&e.state).map(State::label).unwrap_or(""),
        category: e.category.clone(),
        category_name: e.category_name.clone(),
        severity: e.severity.clone(),
        channel: e.channel.clone(),
        title: e.title.clone(),
        description: description(&details),
        details,
        address: e.address.clone(),
        lon: e.lon,
        lat: e.lat,
        grid_id: e.grid_id,
        grid_name: e.grid_name.clone(),
        needs_grid: e.needs_grid,
        holder: e.holder_name.clone().unwrap_or_default(),
        holder_area_id: e.holder_area_id,
        holder_department_id: e.holder_department_id,
        reporter: e.reporter_name.clone(),
        step: e.step.clone(),
        deadline: e.deadline,
        deadline_text: e.deadline.map(format_local).unwrap_or_default(),
        card: card.as_str(),
        extension_pending_days: e.extension_pending,
        satisfaction: e.satisfaction,
        merged_into: e.merged_into,
        reported_at: e.reported_at,
        closed_at: e.closed_at,
        version: e.version,
    }
}

/// A timeline line with its step time against the limit, in words.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineStep {
    #[serde(flatten)]
    pub row: StepRow,
    pub action_label: String,
    pub at_text: String,
    /// e.g. `受理用时 2.5 小时（时限 4 小时）`, or empty.
    pub took: String,
    pub overran: bool,
}

fn hours(m: i64) -> String {
    if m % 60 == 0 { format!("{} 小时", m / 60) } else { format!("{:.1} 小时", m as f64 / 60.0) }
}

fn timeline_step(s: StepRow) -> TimelineStep {
    let action_label = match s.action.as_str() {
        "report" => "上报".to_owned(),
        "set_grid" => "更改所在网格".to_owned(),
        "card_yellow" => "黄牌预警（系统）".to_owned(),
        "card_red" => "红牌超时（系统）".to_owned(),
        a => workflow::Action::parse(a).map(|a| a.label().to_owned()).unwrap_or_else(|| a.to_owned()),
    };
    let (took, overran) = match (s.step.as_deref().and_then(workflow::Step::parse), s.step_minutes, s.limit_minutes) {
        (Some(step), Some(m), Some(l)) => (format!("{}用时 {}（时限 {}）", step.label(), hours(m), hours(l)), m > l),
        _ => (String::new(), false),
    };
    TimelineStep { at_text: format_local(s.at), action_label, took, overran, row: s }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventDetail {
    #[serde(flatten)]
    pub event: EventOut,
    pub timeline: Vec<TimelineStep>,
    pub photos: Vec<store::FileRow>,
    pub links: Vec<Value>,
    pub supervisions: Vec<SupervisionRow>,
    /// The actions the caller may take now.
    pub actions: Vec<&'static str>,
}

/// One event with everything about it; the read is audited (events name people).
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<EventDetail> {
    let vis = visibility(actor)?;
    let e = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    let timeline = store::steps_of(&state.db, id).await?.into_iter().map(timeline_step).collect();
    let photos = store::files_of(&state.db, id).await?;
    let links = store::links_of(&state.db, id).await?.into_iter().map(|(k, t)| json!({ "kind": k, "id": t })).collect();
    let supervisions = store::supervisions_of(&state.db, id).await?;
    let actions = if actor.can(Permission::HandleEvents) {
        workflow::allowed(&who(actor), &view_of(&e)).into_iter().map(workflow::Action::as_str).collect()
    } else {
        vec![]
    };
    let mut tx = state.db.begin().await?;
    audit::record(&mut tx, &actor.audit(), "event_read", "event", id, json!({})).await?;
    tx.commit().await?;
    Ok(EventDetail { event: out(&e, actor.now), timeline, photos, links, supervisions, actions })
}

/// A photo of an event the caller may see.
pub async fn photo(state: &AppState, actor: &Actor, id: i64, file_id: &str) -> AppResult<(Vec<u8>, String)> {
    let vis = visibility(actor)?;
    store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    let f = store::files_of(&state.db, id)
        .await?
        .into_iter()
        .find(|f| f.file_id == file_id)
        .ok_or_else(|| AppError::not_found("照片"))?;
    Ok((state.files.get(&f.file_id).await?, f.content_type))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// One state or several separated by commas.
    pub state: Option<String>,
    pub area: Option<i64>,
    pub category: Option<String>,
    pub card: Option<String>,
    pub overdue: Option<bool>,
    pub q: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `2026-03-01` as the start of that day in Beijing.
pub fn day_start(field: &str, s: &str) -> AppResult<i64> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "日期格式应为 年-月-日，如 2026-03-01"))?;
    let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(t.and_utc().timestamp_millis() - i64::from(crate::clock::CST_OFFSET_SECONDS) * 1000)
}

pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<EventOut>> {
    let vis = visibility(actor)?;
    let mut ef =
        EventFilter { category: q.category.clone().filter(|c| !c.is_empty()), q: q.q.clone(), ..Default::default() };
    if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
        for part in s.split(',') {
            let st =
                State::parse(part.trim()).ok_or_else(|| AppError::field("state", format!("未知的状态“{part}”")))?;
            ef.states.push(st.as_str().to_owned());
        }
    }
    if let Some(c) = q.card.as_deref().filter(|c| !c.is_empty()) {
        if !matches!(c, "none" | "yellow" | "red") {
            return Err(AppError::field("card", "card 只能是 none、yellow 或 red"));
        }
        ef.card = Some(c.to_owned());
    }
    if q.overdue == Some(true) {
        ef.overdue_at = Some(actor.now);
    }
    if let Some(a) = q.area {
        let scope = actor.scope.path();
        let area = crate::domains::org::tree::get(&state.db, scope, a)
            .await?
            .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
        ef.area_path = Some(area.path);
    }
    if let Some(f) = q.from.as_deref().filter(|s| !s.is_empty()) {
        ef.reported_from = Some(day_start("from", f)?);
    }
    if let Some(t) = q.to.as_deref().filter(|s| !s.is_empty()) {
        ef.reported_to = Some(day_start("to", t)? + crate::clock::DAY);
    }
    let page = store::list(&state.db, &vis, &ef, Paging::new(q.page, q.per_page)).await?;
    Ok(map_page(page, actor.now))
}

fn map_page(p: Page<EventRow>, now: i64) -> Page<EventOut> {
    Page { items: p.items.iter().map(|e| out(e, now)).collect(), total: p.total, page: p.page, per_page: p.per_page }
}

/// 待办 (`todo`), 已办 (`done`) or 我上报的 (`mine`).
pub async fn todo(
    state: &AppState,
    actor: &Actor,
    which: &str,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<EventOut>> {
    visibility(actor)?;
    let paging = Paging::new(page, per_page);
    let p = match which {
        "" | "todo" => {
            let spec = match (&actor.scope, actor.role) {
                (Scope::Department { department_id, .. }, _) => TodoSpec {
                    holder_area: None,
                    holder_department: Some(*department_id),
                    verify_path: None,
                    account_id: actor.id,
                    close_path: None,
                },
                (Scope::Area { area_id, path }, role) => TodoSpec {
                    holder_area: matches!(
                        role,
                        Role::GridWorker
                            | Role::GridLeader
                            | Role::CommunityStaff
                            | Role::TownCenter
                            | Role::CountyCenter
                    )
                    .then_some(*area_id),
                    holder_department: None,
                    verify_path: matches!(role, Role::GridWorker | Role::GridLeader | Role::CommunityStaff)
                        .then(|| path.clone()),
                    account_id: actor.id,
                    close_path: matches!(role, Role::CommunityStaff | Role::TownCenter | Role::CountyCenter)
                        .then(|| path.clone()),
                },
            };
            store::todo(&state.db, &spec, paging).await?
        }
        "done" => store::done_by(&state.db, actor.id, paging).await?,
        "mine" => {
            let vis = visibility(actor)?;
            let ef = EventFilter { reporter: Some(actor.id), ..Default::default() };
            store::list(&state.db, &vis, &ef, paging).await?
        }
        _ => return Err(AppError::field("list", "list 只能是 todo（待办）、done（已办）或 mine（我上报的）")),
    };
    Ok(map_page(p, actor.now))
}

/// Card counts of a page, for the to-do header.
pub fn card_counts(items: &[EventOut]) -> (usize, usize) {
    let y = items.iter().filter(|e| e.card == Card::Yellow.as_str()).count();
    let r = items.iter().filter(|e| e.card == Card::Red.as_str()).count();
    (y, r)
}

/// Somewhere an event may be dispatched to: a department serving its area, or the lower area of the
/// holder that contains it.
#[derive(Debug, Clone, Serialize)]
pub struct TargetOption {
    /// `department` or `area`.
    pub kind: &'static str,
    pub id: i64,
    pub label: String,
}

/// The dispatch targets the holder of an event may choose from (empty unless the caller may dispatch).
pub async fn dispatch_targets(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<TargetOption>> {
    let vis = visibility(actor)?;
    let e = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    if workflow::decide(&who(actor), &view_of(&e), workflow::Action::Dispatch).is_err() {
        return Ok(vec![]);
    }
    let mut out: Vec<TargetOption> = store::departments_serving(&state.db, &e.area_path)
        .await?
        .into_iter()
        .map(|(id, name, area)| TargetOption { kind: "department", id, label: format!("{name}（{area}）") })
        .collect();
    if let (Some(holder), Some(path)) = (e.holder_area_id, e.holder_path.as_deref()) {
        let filter = crate::domains::org::tree::AreaFilter {
            scope_path: path.to_owned(),
            parent: Some(holder),
            ..Default::default()
        };
        let children = crate::domains::org::tree::list(&state.db, &filter, Paging::new(Some(1), Some(200))).await?;
        out.extend(children.items.into_iter().filter(|a| e.area_path.starts_with(&a.path)).map(|a| TargetOption {
            kind: "area",
            id: a.id,
            label: a.name,
        }));
    }
    Ok(out)
}
