//! Reporting an event and taking actions on it: checks rights through the workflow table, moves the
//! holder, restarts the step clock, writes the timeline, photos, audit and notifications in one
//! transaction, version-checked so two people acting at once cannot both win.

use super::model::{CHANNELS, Card, Details, SEVERITIES, label_of};
use super::store::{self, EventRow, NewStep};
use super::timing::{step_clock, total_minutes};
use super::workflow::{self, Action, EventView, Holder, Move, State, Who};
use crate::audit;
use crate::auth::{Actor, Permission, Role, Scope};
use crate::clock::Millis;
use crate::db::{Tx, Value};
use crate::domains::org::{area_store, department_store};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::check_photo;
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

/// Photos per event step (each within the configured photo size limit).
pub const MAX_PHOTOS: usize = 6;

/// The caller as the workflow table sees them.
pub fn who(actor: &Actor) -> Who {
    let (area_id, department_id) = match &actor.scope {
        Scope::Area { area_id, .. } => (*area_id, None),
        Scope::Department { department_id, area_id, .. } => (*area_id, Some(*department_id)),
    };
    Who { account_id: actor.id, role: actor.role, area_id, area_path: actor.scope.path().to_owned(), department_id }
}

/// Which events the caller sees.
pub fn visibility(actor: &Actor) -> AppResult<Scope> {
    actor.require(Permission::ReadEvents)?;
    Ok(actor.scope.clone())
}

/// The table's view of a stored event.
pub fn view_of(e: &EventRow) -> EventView {
    let holder = match (e.holder_area_id, e.holder_department_id) {
        (Some(id), _) => Holder::Area {
            id,
            path: e.holder_path.clone().unwrap_or_default(),
            kind: e.holder_kind.clone().unwrap_or_default(),
        },
        (None, Some(id)) => Holder::Department { id },
        (None, None) => Holder::Department { id: 0 },
    };
    EventView {
        state: State::parse(&e.state).unwrap_or(State::Cancelled),
        holder,
        grid_path: if e.grid_id.is_some() { e.area_path.clone() } else { String::new() },
        reporter_account_id: e.reporter_account_id,
        has_sender: e.sender_area_id.is_some() || e.sender_department_id.is_some(),
        extension_pending: e.extension_pending.is_some(),
        completed_by: e.completed_by,
        verifier_must_differ: e.verifier_must_differ,
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub category: Option<String>,
    pub severity: Option<String>,
    pub channel: Option<String>,
    pub title: Option<String>,
    pub details: Option<Details>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub grid_id: Option<i64>,
    pub person_ids: Option<Vec<i64>>,
    pub house_ids: Option<Vec<i64>>,
    pub place_ids: Option<Vec<i64>>,
    /// The reporting grid worker accepts it at once to handle it in the grid (小事不出网格).
    pub handle_in_place: Option<bool>,
}

/// An uploaded photo: its bytes (checked here).
pub struct Photo(pub Vec<u8>);

fn gather<T>(e: &mut FieldErrors, r: AppResult<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(AppError::Invalid { fields, .. }) => {
            e.extend(fields);
            None
        }
        Err(other) => {
            e.insert("_".into(), other.to_string());
            None
        }
    }
}

/// Stores checked photos; answers (file id, content type, size). Files of a failed transaction are removed.
async fn store_photos(state: &AppState, photos: &[Photo]) -> AppResult<Vec<(String, &'static str, i64)>> {
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::field("photos", format!("每次最多上传 {MAX_PHOTOS} 张照片")));
    }
    let mut types = Vec::new();
    for p in photos {
        types.push(check_photo("photos", &p.0, state.config.max_photo_bytes)?);
    }
    let mut out = Vec::new();
    for (p, t) in photos.iter().zip(types) {
        out.push((state.files.put(&p.0).await?, t.content_type(), p.0.len() as i64));
    }
    Ok(out)
}

async fn attach(
    tx: &mut Tx,
    actor: &Actor,
    event_id: i64,
    step_id: i64,
    stage: &str,
    files: &[(String, &'static str, i64)],
) -> AppResult<()> {
    for (id, ct, size) in files {
        crate::files::insert_file_row(tx, id, "event_photo", ct, *size, actor.id, actor.now).await?;
        store::insert_file(tx, event_id, step_id, id, stage).await?;
    }
    Ok(())
}

async fn cleanup(state: &AppState, files: &[(String, &'static str, i64)]) {
    for (id, _, _) in files {
        state.files.remove(id).await;
    }
}

/// The grid of a report: the one named (active, in scope), else the one whose boundary holds the
/// coordinates, else the reporter's own grid; `None` when coordinates fall outside every grid.
async fn locate(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    e: &mut FieldErrors,
) -> AppResult<Option<(i64, String)>> {
    if let Some(g) = i.grid_id {
        let grid = area_store::get(&state.db, actor.scope.path(), g)
            .await?
            .filter(|a| a.kind == "grid" && a.status == "active");
        return match grid {
            Some(a) => Ok(Some((a.id, a.path))),
            None => {
                e.insert("grid_id".into(), "网格不存在、已撤销或不在您的管辖范围内".into());
                Ok(None)
            }
        };
    }
    if let (Some(lon), Some(lat)) = (i.lon, i.lat) {
        if let Err(msg) = crate::geo::coords::check(lon, lat) {
            e.insert("lon".into(), msg.into());
            return Ok(None);
        }
        return crate::domains::org::locate::grid_at_within(state, actor.scope.path(), lon, lat).await;
    }
    if matches!(actor.role, Role::GridWorker | Role::GridLeader) {
        return Ok(Some((actor.scope.area_id(), actor.scope.path().to_owned())));
    }
    e.insert("grid_id".into(), "请选择事件所在网格，或提供经纬度".into());
    Ok(None)
}

fn check_text(e: &mut FieldErrors, field: &str, label: &str, v: &str, min: usize, max: usize) -> String {
    let t = v.trim().to_owned();
    let n = t.chars().count();
    if n < min {
        e.insert(field.into(), if min <= 1 { format!("请填写{label}") } else { format!("{label}至少 {min} 个字") });
    } else if n > max {
        e.insert(field.into(), format!("{label}最多 {max} 个字"));
    } else if t.chars().any(|c| c.is_control() && c != '\n') {
        e.insert(field.into(), format!("{label}含有不可见字符"));
    }
    t
}

/// Rows another domain writes in the report's own transaction (the public intake's tracking code),
/// so the event and what depends on it are committed or rolled back together. It runs after the
/// event's audit row, i.e. while the transaction holds the audit chain's write lock: a check it
/// makes there sees every report committed before it.
pub trait ReportHook: Send {
    fn write(self, tx: &mut Tx, event_id: i64) -> impl std::future::Future<Output = AppResult<()>> + Send;
}

/// No extra rows.
pub struct NoHook;

impl ReportHook for NoHook {
    async fn write(self, _tx: &mut Tx, _event_id: i64) -> AppResult<()> {
        Ok(())
    }
}

/// Reports an event: validated, located, timed, linked to the register, with photos; holder = its grid.
pub async fn report(state: &AppState, actor: &Actor, i: &ReportInput, photos: Vec<Photo>) -> AppResult<i64> {
    report_with(state, actor, i, photos, NoHook).await
}

/// `report`, with a hook that writes more rows in the same transaction.
pub async fn report_with(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    photos: Vec<Photo>,
    hook: impl ReportHook,
) -> AppResult<i64> {
    actor.require(Permission::ReportEvents)?;
    let mut e = FieldErrors::new();
    let category = match i.category.as_deref().filter(|c| !c.is_empty()) {
        None => {
            e.insert("category".into(), "请选择事件类别".into());
            None
        }
        Some(c) => {
            let row = store::category(&state.db, c).await?.filter(|r| r.active);
            if row.is_none() {
                e.insert("category".into(), "事件类别不存在或已停用".into());
            }
            row
        }
    };
    let severity = i.severity.clone().unwrap_or_else(|| "normal".into());
    if label_of(&SEVERITIES, &severity).is_empty() {
        e.insert("severity".into(), "紧急程度只能是一般、较大或紧急".into());
    }
    let default_channel =
        if matches!(actor.role, Role::GridWorker | Role::GridLeader) { "grid_worker" } else { "upper_level" };
    let channel = i.channel.clone().unwrap_or_else(|| default_channel.into());
    if label_of(&CHANNELS, &channel).is_empty() {
        e.insert("channel".into(), "来源渠道不正确".into());
    }
    let title = check_text(&mut e, "title", "标题", i.title.as_deref().unwrap_or(""), 4, 60);
    let address = check_text(&mut e, "address", "地址", i.address.as_deref().unwrap_or(""), 0, 200);
    let mut details = i.details.clone().unwrap_or_default();
    if let Some(c) = &category {
        details.check(&c.required_fields, c.is_dispute, &mut e);
    }
    let located = locate(state, actor, i, &mut e).await?;
    let links: Vec<(&str, Vec<i64>)> = vec![
        ("person", i.person_ids.clone().unwrap_or_default()),
        ("house", i.house_ids.clone().unwrap_or_default()),
        ("place", i.place_ids.clone().unwrap_or_default()),
    ];
    for (kind, ids) in &links {
        if ids.len() > 50 {
            e.insert(format!("{kind}_ids"), "关联对象最多 50 个".into());
        } else if !ids.is_empty()
            && store::count_in_scope(&state.db, kind, ids, actor.scope.path()).await? != ids.len() as i64
        {
            e.insert(format!("{kind}_ids"), "有关联对象不存在或不在您的管辖范围内".into());
        }
    }
    let category = match category {
        Some(c) if e.is_empty() => c,
        _ => return Err(AppError::fields(e)),
    };
    let files = store_photos(state, &photos).await?;
    let result = write_report(
        state,
        actor,
        i,
        &category,
        (&severity, &channel, &title, &address),
        &details,
        located,
        &links,
        &files,
        hook,
    )
    .await;
    if result.is_err() {
        cleanup(state, &files).await;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn write_report(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    category: &store::CategoryRow,
    (severity, channel, title, address): (&str, &str, &str, &str),
    details: &Details,
    located: Option<(i64, String)>,
    links: &[(&str, Vec<i64>)],
    files: &[(String, &'static str, i64)],
    hook: impl ReportHook,
) -> AppResult<i64> {
    let now = actor.now;
    let cal = store::calendar(&state.db).await?;
    let (grid_id, area_id, area_path, needs_grid) = match located {
        Some((g, p)) => (Some(g), g, p, false),
        None => (None, actor.scope.area_id(), actor.scope.path().to_owned(), true),
    };
    let holder_area = match (grid_id, &actor.scope) {
        (Some(g), _) => g,
        (None, Scope::Area { area_id, .. }) => *area_id,
        (None, Scope::Department { .. }) => return Err(AppError::forbidden()),
    };
    let clock = step_clock(&cal, category, workflow::Step::Accept, now, 0);
    let close_due = cal.add(now, total_minutes(category));
    let values: Vec<Value> = vec![
        category.code.as_str().into(),
        severity.into(),
        channel.into(),
        title.into(),
        details.to_json().to_string().into(),
        address.into(),
        Value::Float(i.lon),
        Value::Float(i.lat),
        grid_id.into(),
        area_id.into(),
        area_path.as_str().into(),
        needs_grid.into(),
        State::Reported.as_str().into(),
        holder_area.into(),
        actor.id.into(),
        workflow::Step::Accept.as_str().into(),
        now.into(),
        clock.deadline.into(),
        clock.yellow_at.into(),
        clock.red_at.into(),
        Card::None.as_str().into(),
        clock.yellow_at.into(),
        now.into(),
        Value::Int(None),
        Value::Bool(None),
        now.into(),
        now.into(),
    ];
    let mut tx = state.db.begin().await?;
    let id = store::insert_event(&mut tx, values).await?;
    store::set_close_due(&mut tx, id, close_due).await?;
    let holder = area_store::get_tx(&mut tx, holder_area).await?.map(|a| a.name).unwrap_or_default();
    let step_id = store::insert_step(
        &mut tx,
        &NewStep {
            event_id: id,
            action: "report",
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: None,
            to_state: State::Reported.as_str(),
            holder_label: &holder,
            note: "",
            data: json!({ "channel": channel, "needs_grid": needs_grid }).to_string(),
            step: None,
            step_minutes: None,
            limit_minutes: None,
            at: now,
        },
    )
    .await?;
    attach(&mut tx, actor, id, step_id, "before", files).await?;
    for (kind, ids) in links {
        for t in ids {
            store::insert_link(&mut tx, id, kind, *t).await?;
        }
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "event_reported",
        "event",
        id,
        json!({ "category": category.code, "title": title, "grid_id": grid_id, "needs_grid": needs_grid, "photos": files.len() }),
    )
    .await?;
    let to = store::holder_accounts(&state.db, Some(holder_area), None).await?;
    let to: Vec<i64> = to.into_iter().filter(|a| *a != actor.id).collect();
    store::notify(&mut tx, &to, id, "new_event", &format!("新事件待受理：{title}"), now).await?;
    hook.write(&mut tx, id).await?;
    tx.commit().await?;
    if i.handle_in_place.unwrap_or(false)
        && matches!(actor.role, Role::GridWorker | Role::GridLeader)
        && grid_id == Some(actor.scope.area_id())
    {
        act(
            state,
            actor,
            id,
            &ActionInput { action: "accept".into(), note: Some("网格内自行处置".into()), ..Default::default() },
            vec![],
        )
        .await?;
    }
    Ok(id)
}

/// A target of a dispatch.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// `department` or `area`.
    pub kind: String,
    pub id: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: String,
    pub version: Option<i64>,
    pub note: Option<String>,
    pub target: Option<Target>,
    /// Working days asked for by `extend`.
    pub days: Option<i64>,
    /// 1–5, for `evaluate`.
    pub satisfaction: Option<i64>,
    /// The event this one duplicates, for `merge`.
    pub merge_into: Option<i64>,
}

/// Where the holder goes, and its name for the timeline.
struct NewHolder {
    area: Option<i64>,
    department: Option<i64>,
    label: String,
}

async fn resolve_target(state: &AppState, e: &EventRow, t: &Target) -> AppResult<NewHolder> {
    let holder_path = e.holder_path.clone().unwrap_or_default();
    match t.kind.as_str() {
        "department" => {
            // A department serves its own area: the event must lie inside it (a town's police station
            // takes the town's events, whoever in the town dispatches them).
            let d = department_store::get(&state.db, "/", t.id).await?.filter(|d| d.status == "active");
            let serves = match &d {
                Some(d) => {
                    area_store::get(&state.db, "/", d.area_id).await?.is_some_and(|a| e.area_path.starts_with(&a.path))
                }
                None => false,
            };
            match d {
                Some(d) if serves => Ok(NewHolder { area: None, department: Some(d.id), label: d.name }),
                _ => Err(AppError::field("target", "职能部门不存在、已撤销或不负责事件所在区域")),
            }
        }
        "area" => {
            let a = area_store::get(&state.db, &holder_path, t.id)
                .await?
                .filter(|a| a.status == "active" && a.path != holder_path)
                .ok_or_else(|| AppError::field("target", "只能交办给本级管辖范围内的下级"))?;
            if !e.area_path.starts_with(&a.path) {
                return Err(AppError::field("target", "只能交办给事件所在的下级区域"));
            }
            Ok(NewHolder { area: Some(a.id), department: None, label: a.name })
        }
        _ => Err(AppError::field("target", "交办对象只能是 department（职能部门）或 area（下级区域）")),
    }
}

/// Takes an action on an event; answers the new version.
pub async fn act(state: &AppState, actor: &Actor, id: i64, i: &ActionInput, photos: Vec<Photo>) -> AppResult<i64> {
    actor.require(Permission::HandleEvents)?;
    let vis = visibility(actor)?;
    let action =
        Action::parse(&i.action).ok_or_else(|| AppError::field("action", format!("未知的操作“{}”", i.action)))?;
    let e = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    if let Some(v) = i.version
        && v != e.version
    {
        return Err(stale());
    }
    let rule = workflow::decide(&who(actor), &view_of(&e), action).map_err(|r| AppError::Conflict(r.0))?;
    let mut errs = FieldErrors::new();
    let note =
        check_text(&mut errs, "note", "说明", i.note.as_deref().unwrap_or(""), usize::from(rule.needs.note), 1000);
    if rule.needs.days && !i.days.is_some_and(|d| (1..=30).contains(&d)) {
        errs.insert("days".into(), "请填写延期的工作日数（1–30）".into());
    }
    if rule.needs.satisfaction && !i.satisfaction.is_some_and(|s| (1..=5).contains(&s)) {
        errs.insert("satisfaction".into(), "请选择满意度（1–5）".into());
    }
    if rule.needs.target && i.target.is_none() {
        errs.insert("target".into(), "请选择交办对象".into());
    }
    if rule.needs.merge_into && i.merge_into.is_none() {
        errs.insert("merge_into".into(), "请填写保留的事件编号".into());
    }
    let new_holder = match (rule.holder, &i.target) {
        (Move::Target, Some(t)) => gather(&mut errs, resolve_target(state, &e, t).await),
        _ => None,
    };
    if let Some(m) = i.merge_into {
        let keep = store::get(&state.db, &vis, m).await?;
        if m == id || keep.as_ref().is_none_or(|k| State::parse(&k.state).is_none_or(State::is_finished)) {
            errs.insert("merge_into".into(), "保留的事件不存在、已办结或就是本事件".into());
        }
    }
    if !errs.is_empty() {
        return Err(AppError::fields(errs));
    }
    let files = store_photos(state, &photos).await?;
    let result = apply(state, actor, &e, action, rule, i, &note, new_holder, &files).await;
    if result.is_err() {
        cleanup(state, &files).await;
    }
    result
}

fn stale() -> AppError {
    AppError::Conflict("事件已被他人处理，请刷新后重试".into())
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    state: &AppState,
    actor: &Actor,
    e: &EventRow,
    action: Action,
    rule: &workflow::Rule,
    i: &ActionInput,
    note: &str,
    target: Option<NewHolder>,
    files: &[(String, &'static str, i64)],
) -> AppResult<i64> {
    let now = actor.now;
    let cal = store::calendar(&state.db).await?;
    let category = store::category(&state.db, &e.category).await?.ok_or_else(|| AppError::not_found("事件类别"))?;
    let from = State::parse(&e.state).unwrap_or(State::Cancelled);
    let to = rule.to.unwrap_or(from);
    let mut tx = state.db.begin().await?;
    // Where the holder goes.
    let holder = match rule.holder {
        Move::Keep => None,
        Move::Target => target,
        Move::Sender => Some(NewHolder {
            area: e.sender_area_id,
            department: if e.sender_area_id.is_some() { None } else { e.sender_department_id },
            label: String::new(),
        }),
        Move::Parent => {
            let cur = area_store::get_tx(&mut tx, e.holder_area_id.unwrap_or(0)).await?;
            let parent = match cur.and_then(|c| c.parent_id) {
                Some(p) => area_store::get_tx(&mut tx, p).await?,
                None => None,
            };
            let p = parent.ok_or_else(|| AppError::Conflict("没有上级可上报".into()))?;
            Some(NewHolder { area: Some(p.id), department: None, label: p.name })
        }
    };
    let mut sets: Vec<(&str, Value)> = vec![("state", to.as_str().into())];
    if let Some(h) = &holder {
        sets.push(("holder_area_id", h.area.into()));
        sets.push(("holder_department_id", h.department.into()));
        // The sender is who held it before; a return clears it.
        if rule.holder == Move::Sender {
            sets.push(("sender_area_id", Value::Int(None)));
            sets.push(("sender_department_id", Value::Int(None)));
        } else {
            sets.push(("sender_area_id", e.holder_area_id.into()));
            sets.push(("sender_department_id", e.holder_department_id.into()));
        }
        if let Some(d) = h.department {
            store::add_department(&mut tx, e.id, d).await?;
        }
    }
    // The step clock: a new step, a new holder or a reopen restarts it; an approved extension moves it.
    let old_step = e.step.as_deref().and_then(workflow::Step::parse);
    let new_step = to.step();
    let restart = new_step.is_some() && (new_step != old_step || holder.is_some() || action == Action::Reopen);
    let mut ended: Option<(workflow::Step, i64, i64)> = None;
    if let (Some(s), Some(started)) = (old_step, e.step_started_at)
        && (restart || new_step.is_none())
    {
        let limit = step_clock(&cal, &category, s, started, e.extension_minutes).limit_minutes;
        ended = Some((s, cal.working_minutes(started, now), limit));
    }
    if restart && let Some(s) = new_step {
        let c = step_clock(&cal, &category, s, now, 0);
        sets.extend([
            ("step", s.as_str().into()),
            ("step_started_at", now.into()),
            ("deadline", c.deadline.into()),
            ("yellow_at", c.yellow_at.into()),
            ("red_at", c.red_at.into()),
            ("card", Card::None.as_str().into()),
            ("next_card_at", c.yellow_at.into()),
            ("extension_minutes", 0i64.into()),
            ("extension_pending", Value::Int(None)),
        ]);
    } else if new_step.is_none() {
        sets.extend([
            ("step", Value::Text(None)),
            ("next_card_at", Value::Int(None)),
            ("card", Card::None.as_str().into()),
            ("deadline", Value::Int(None)),
        ]);
    }
    match action {
        Action::Accept if e.accepted_at.is_none() => {
            sets.push(("accepted_at", now.into()));
            sets.push(("accepted_on_time", e.deadline.is_none_or(|d| now <= d).into()));
        }
        Action::Complete => {
            sets.push(("completed_at", now.into()));
            sets.push(("completed_by", actor.id.into()));
        }
        Action::Close => {
            let reds = store::red_count(&mut tx, e.id).await?;
            sets.push(("closed_at", now.into()));
            sets.push(("closed_on_time", (reds == 0 && e.card != "red").into()));
        }
        Action::Extend => sets.push(("extension_pending", i.days.into())),
        Action::RejectExtension => sets.push(("extension_pending", Value::Int(None))),
        Action::ApproveExtension => {
            let minutes = e.extension_minutes + e.extension_pending.unwrap_or(0) * super::calendar::DAY_MINUTES;
            let s = old_step.unwrap_or(workflow::Step::Handle);
            let c = step_clock(&cal, &category, s, e.step_started_at.unwrap_or(now), minutes);
            let card = Card::at(now, Some(c.yellow_at), Some(c.red_at));
            sets.extend([
                ("extension_minutes", minutes.into()),
                ("extension_pending", Value::Int(None)),
                ("deadline", c.deadline.into()),
                ("yellow_at", c.yellow_at.into()),
                ("red_at", c.red_at.into()),
                ("card", card.as_str().into()),
                ("next_card_at", Card::next_at(card, Some(c.yellow_at), Some(c.red_at)).into()),
            ]);
            store::move_close_due(&mut tx, e.id, e.extension_pending.unwrap_or(0) * super::calendar::DAY_MINUTES, &cal)
                .await?;
        }
        Action::Evaluate => sets.push(("satisfaction", i.satisfaction.into())),
        Action::Merge => sets.push(("merged_into", i.merge_into.into())),
        _ => {}
    }
    if !store::update_event(&mut tx, e.id, e.version, &sets, now).await? {
        return Err(stale());
    }
    let holder_label = match &holder {
        Some(h) if !h.label.is_empty() => h.label.clone(),
        Some(h) => store::holder_name(&mut tx, h.area, h.department).await?,
        None => e.holder_name.clone().unwrap_or_default(),
    };
    let data = json!({
        "target": i.target.as_ref().map(|t| json!({ "kind": t.kind, "id": t.id })),
        "days": i.days, "satisfaction": i.satisfaction, "merge_into": i.merge_into,
    });
    let step_id = store::insert_step(
        &mut tx,
        &NewStep {
            event_id: e.id,
            action: action.as_str(),
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: Some(from.as_str()),
            to_state: to.as_str(),
            holder_label: &holder_label,
            note,
            data: data.to_string(),
            step: ended.map(|x| x.0.as_str()),
            step_minutes: ended.map(|x| x.1),
            limit_minutes: ended.map(|x| x.2),
            at: now,
        },
    )
    .await?;
    let stage = if matches!(action, Action::Complete | Action::Verify | Action::Reopen) { "after" } else { "before" };
    attach(&mut tx, actor, e.id, step_id, stage, files).await?;
    if action == Action::Supervise {
        let supervision = store::NewSupervision {
            event_id: e.id,
            level: "ordinary".into(),
            step: e.step.clone().unwrap_or_default(),
            step_started_at: e.step_started_at.unwrap_or(now),
            area_id: Some(actor.scope.area_id()),
            account_id: Some(actor.id),
            note: note.to_owned(),
        };
        store::insert_supervisions(&mut tx, &[supervision], now).await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        &format!("event_{}", action.as_str()),
        "event",
        e.id,
        json!({ "from": from.as_str(), "to": to.as_str(), "holder": holder_label, "note": note, "photos": files.len(), "data": data }),
    )
    .await?;
    // Tell whoever now has work: the new holder, the holder being supervised or urged, the reporter when done.
    let (notify_area, notify_dept, text) = match action {
        Action::Supervise | Action::Urge => {
            (e.holder_area_id, e.holder_department_id, format!("{}：{}", action.label(), e.title))
        }
        Action::Complete => (None, None, String::new()),
        _ => match &holder {
            Some(h) => (h.area, h.department, format!("{}：{}", action.label(), e.title)),
            None => (None, None, String::new()),
        },
    };
    let mut to_accounts = store::holder_accounts(&state.db, notify_area, notify_dept).await?;
    let mut text = text;
    if matches!(action, Action::Complete | Action::Close) {
        to_accounts.push(e.reporter_account_id);
        text = format!("{}：{}", action.label(), e.title);
    }
    to_accounts.retain(|a| *a != actor.id);
    to_accounts.sort_unstable();
    to_accounts.dedup();
    store::notify(&mut tx, &to_accounts, e.id, action.as_str(), &text, now).await?;
    tx.commit().await?;
    state.notifier.send(&to_accounts, &text);
    Ok(e.version + 1)
}

/// Puts an event that waits for a grid (or was placed wrongly) into a grid of the caller's scope.
pub async fn set_grid(state: &AppState, actor: &Actor, id: i64, version: i64, grid_id: i64) -> AppResult<()> {
    actor.require(Permission::HandleEvents)?;
    let vis = visibility(actor)?;
    let e = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    let view = view_of(&e);
    if view.state.is_finished() {
        return Err(AppError::Conflict("事件已办结，不能再改网格".into()));
    }
    if !workflow::is_party(&who(actor), &view, workflow::Party::Holder)
        && !workflow::is_party(&who(actor), &view, workflow::Party::Above)
    {
        return Err(AppError::Conflict("只有当前承办单位或其上级才能更改事件所在网格".into()));
    }
    let grid = area_store::get(&state.db, actor.scope.path(), grid_id)
        .await?
        .filter(|g| g.kind == "grid" && g.status == "active")
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))?;
    let mut tx = state.db.begin().await?;
    let sets: Vec<(&str, Value)> = vec![
        ("grid_id", grid.id.into()),
        ("area_id", grid.id.into()),
        ("area_path", grid.path.as_str().into()),
        ("needs_grid", false.into()),
    ];
    if !store::update_event(&mut tx, id, version, &sets, actor.now).await? {
        return Err(stale());
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "event_grid_set",
        "event",
        id,
        json!({ "grid_id": { "old": e.grid_id, "new": grid.id } }),
    )
    .await?;
    store::insert_step(
        &mut tx,
        &NewStep {
            event_id: id,
            action: "set_grid",
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: Some(&e.state),
            to_state: &e.state,
            holder_label: e.holder_name.as_deref().unwrap_or(""),
            note: &format!("所在网格改为 {}", grid.name),
            data: "{}".into(),
            step: None,
            step_minutes: None,
            limit_minutes: None,
            at: actor.now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The time an event waits at `now`, for pages that show a clock.
pub fn card_now(e: &EventRow, now: Millis) -> Card {
    if e.step.is_none() {
        return Card::None;
    }
    Card::at(now, e.yellow_at, e.red_at).max(Card::parse(&e.card))
}
