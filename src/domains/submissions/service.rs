//! The stream as callers use it: lists in scope, one submission with its history, sign / return /
//! resend (version-checked, refusals as 409 with the reason), the to-do list with cards, the counts
//! per town, kind and department, and the kind → department mapping.

use super::hooks::{self, Outbox};
use super::model::{self, Action, Party, View, action_label, kind_label, state_label, step_label};
use super::store::{self, ListFilter, MappingRow, NewStep, StatRow, StepRow, SubmissionRow, TodoSpec};
use crate::audit;
use crate::auth::{Actor, Permission, Role, Scope};
use crate::clock::{DAY, format_local};
use crate::db::Value as Arg;
use crate::domains::events::calendar::Limit;
use crate::domains::events::queries::day_start;
use crate::domains::events::service::visibility;
use crate::domains::org::model::{DEPARTMENT_KINDS, check_text, department_kind_label};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The label of a submission without a department.
pub const NO_DEPARTMENT: &str = "无对应部门";

/// A submission as the API shows it (the snapshot is masked).
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionOut {
    pub id: i64,
    /// The number people quote: first-sent date and id, e.g. `BS20260302-000012`.
    pub no: String,
    pub person_id: i64,
    pub person_name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub action: String,
    pub action_label: &'static str,
    pub town_id: i64,
    pub town_name: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub department_kind: String,
    pub department_kind_label: &'static str,
    pub department_id: Option<i64>,
    /// The department's name, or 无对应部门.
    pub department_name: String,
    pub no_department: bool,
    pub state: String,
    pub state_label: &'static str,
    pub sent_by: String,
    pub sent_at: i64,
    pub last_sent_at: i64,
    pub limit_minutes: i64,
    pub deadline: i64,
    pub deadline_text: String,
    pub card: &'static str,
    pub overdue: bool,
    pub signed_by: Option<String>,
    pub signed_at: Option<i64>,
    pub signed_on_time: Option<bool>,
    pub return_reason: String,
    pub resends: i64,
    pub snapshot: Value,
    pub version: i64,
    /// The actions the caller may take now.
    pub actions: Vec<&'static str>,
}

/// A stored submission as the caller sees it.
pub fn out(s: &SubmissionRow, actor: &Actor) -> SubmissionOut {
    let card = model::card(&s.state, s.yellow_at, s.deadline, actor.now);
    let actions =
        if actor.can(Permission::HandleEvents) { model::allowed(&party(actor), &view(s)) } else { Vec::new() };
    SubmissionOut {
        id: s.id,
        no: format!("BS{}-{:06}", crate::clock::to_local(s.sent_at).format("%Y%m%d"), s.id),
        person_id: s.person_id,
        person_name: s.person_name.clone(),
        kind: s.kind.clone(),
        kind_label: kind_label(&s.kind),
        action: s.action.clone(),
        action_label: action_label(&s.action),
        town_id: s.town_id,
        town_name: s.town_name.clone(),
        grid_id: s.grid_id,
        grid_name: s.grid_name.clone(),
        department_kind: s.department_kind.clone(),
        department_kind_label: department_kind_label(&s.department_kind),
        department_id: s.department_id,
        department_name: s.department_name.clone().unwrap_or_else(|| NO_DEPARTMENT.into()),
        no_department: s.no_department,
        state: s.state.clone(),
        state_label: state_label(&s.state),
        sent_by: s.sent_by_name.clone(),
        sent_at: s.sent_at,
        last_sent_at: s.last_sent_at,
        limit_minutes: s.limit_minutes,
        deadline: s.deadline,
        deadline_text: format_local(s.deadline),
        card,
        overdue: card == "red",
        signed_by: s.signed_by_name.clone(),
        signed_at: s.signed_at,
        signed_on_time: s.signed_at.map(|t| t <= s.deadline),
        return_reason: s.return_reason.clone(),
        resends: s.resends,
        snapshot: serde_json::from_str(&s.snapshot).unwrap_or(Value::Null),
        version: s.version,
        actions,
    }
}

fn party(actor: &Actor) -> Party {
    match &actor.scope {
        Scope::Department { department_id, .. } => Party::Department(*department_id),
        Scope::Area { path, .. } => Party::Area { role: actor.role, path: path.clone() },
    }
}

fn view(s: &SubmissionRow) -> View<'_> {
    View {
        state: &s.state,
        department_id: s.department_id,
        department_name: s.department_name.as_deref().unwrap_or(NO_DEPARTMENT),
        grid_path: &s.grid_path,
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub town: Option<i64>,
    pub department: Option<i64>,
    pub overdue: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn check_kind(field: &str, k: &str) -> AppResult<()> {
    if kind_label(k).is_empty() {
        return Err(AppError::field(
            field,
            "类别只能是 floating、released_prisoner、community_correction、drug_user、mental_disorder 或 at_risk_youth",
        ));
    }
    Ok(())
}

/// Submissions in the caller's scope (departments: those sent to them); the people shown are audited.
pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<SubmissionOut>> {
    let vis = visibility(actor)?;
    let mut lf = ListFilter { town_id: q.town, department_id: q.department, ..Default::default() };
    if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
        if state_label(s).is_empty() {
            return Err(AppError::field(
                "state",
                "状态只能是 waiting（待签收）、signed（已签收）或 returned（已退回）",
            ));
        }
        lf.state = Some(s.to_owned());
    }
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        check_kind("kind", k)?;
        lf.kind = Some(k.to_owned());
    }
    if q.overdue == Some(true) {
        lf.overdue_at = Some(actor.now);
    }
    let page = store::list(&state.db, &vis, &lf, Paging::new(q.page, q.per_page)).await?;
    audit_list(state, actor, &page).await?;
    Ok(page.map(|s| out(&s, actor)))
}

async fn audit_list(state: &AppState, actor: &Actor, page: &Page<SubmissionRow>) -> AppResult<()> {
    if page.items.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = page.items.iter().map(|s| s.id).collect();
    let mut tx = state.db.begin().await?;
    audit::record(&mut tx, &actor.audit(), "submission_list_read", "submission", "list", json!({ "ids": ids })).await?;
    tx.commit().await?;
    Ok(())
}

/// A history line in words.
#[derive(Debug, Clone, Serialize)]
pub struct StepOut {
    #[serde(flatten)]
    pub row: StepRow,
    pub action_label: &'static str,
    pub at_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionDetail {
    #[serde(flatten)]
    pub submission: SubmissionOut,
    pub history: Vec<StepOut>,
}

/// One submission with its history; the read is audited.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<SubmissionDetail> {
    let vis = visibility(actor)?;
    let s = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("报送"))?;
    let history = store::steps_of(&state.db, id)
        .await?
        .into_iter()
        .map(|r| StepOut { action_label: step_label(&r.action), at_text: format_local(r.at), row: r })
        .collect();
    let mut tx = state.db.begin().await?;
    audit::record(&mut tx, &actor.audit(), "submission_read", "submission", id, json!({ "person": s.person_id }))
        .await?;
    tx.commit().await?;
    Ok(SubmissionDetail { submission: out(&s, actor), history })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: Option<String>,
    pub note: Option<String>,
    pub version: Option<i64>,
}

/// Signs off, returns (with a reason) or resends a submission.
pub async fn act(state: &AppState, actor: &Actor, id: i64, i: &ActionInput) -> AppResult<()> {
    let vis = visibility(actor)?;
    actor.require(Permission::HandleEvents)?;
    let action = Action::parse(i.action.as_deref().unwrap_or(""))
        .ok_or_else(|| AppError::field("action", "action 只能是 sign（签收）、return（退回）或 resend（重新报送）"))?;
    let now = actor.now;
    let mut tx = state.db.begin().await?;
    let s = store::get_tx(&mut tx, &vis, id).await?.ok_or_else(|| AppError::not_found("报送"))?;
    if i.version.is_some_and(|v| v != s.version) {
        return Err(AppError::Conflict("报送已被他人处理，请刷新后重试".into()));
    }
    model::check(action, &party(actor), &view(&s)).map_err(AppError::Conflict)?;
    let note = check_text(
        "note",
        if action == Action::Return { "退回原因" } else { "说明" },
        i.note.as_deref().unwrap_or(""),
        200,
        action == Action::Return,
    )?;
    let mut outbox = Outbox::default();
    let (step, to_state, department_id) = match action {
        Action::Sign => {
            let sets: Vec<(&str, Arg)> =
                vec![("state", "signed".into()), ("signed_by", actor.id.into()), ("signed_at", now.into())];
            update(&mut tx, &s, &sets, now).await?;
            ("sign", "signed", s.department_id)
        }
        Action::Return => {
            let sets: Vec<(&str, Arg)> = vec![
                ("state", "returned".into()),
                ("returned_by", actor.id.into()),
                ("returned_at", now.into()),
                ("return_reason", note.as_str().into()),
            ];
            update(&mut tx, &s, &sets, now).await?;
            hooks::tell_returned(state, &mut tx, &mut outbox, &s, &note, now).await?;
            ("return", "returned", s.department_id)
        }
        Action::Resend => {
            let m = store::mapping_tx(&mut tx, &s.kind).await?.ok_or_else(|| AppError::not_found("报送类别"))?;
            let cal = store::calendar_tx(&mut tx).await?;
            let route = hooks::route(&mut tx, &cal, &m, s.town_id, now).await?;
            if s.state == "waiting" && route.department_id.is_none() {
                return Err(AppError::Conflict(format!(
                    "{}仍没有在用的{}，请先设立部门再重新报送",
                    s.town_name,
                    department_kind_label(&m.department_kind)
                )));
            }
            let mut sets = route.sets(now);
            sets.push(("department_kind", m.department_kind.as_str().into()));
            if s.state == "returned" {
                sets.push(("resends", (s.resends + 1).into()));
            }
            update(&mut tx, &s, &sets, now).await?;
            let s = store::get_tx(&mut tx, &vis_all(), id).await?.ok_or_else(|| AppError::not_found("报送"))?;
            hooks::tell_waiting(state, &mut tx, &mut outbox, &s, &route, now).await?;
            ("resend", "waiting", route.department_id)
        }
    };
    store::insert_step(
        &mut tx,
        &NewStep {
            submission_id: id,
            action: step,
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: Some(&s.state),
            to_state,
            department_id,
            note: &note,
            data: "{}".into(),
            at: now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        &format!("submission_{step}"),
        "submission",
        id,
        json!({ "person": s.person_id, "kind": s.kind, "note": note }),
    )
    .await?;
    tx.commit().await?;
    outbox.deliver(state);
    Ok(())
}

fn vis_all() -> Scope {
    Scope::everything()
}

async fn update(tx: &mut crate::db::Tx, s: &SubmissionRow, sets: &[(&str, Arg)], now: i64) -> AppResult<()> {
    if store::update(tx, s.id, s.version, sets, now).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("报送已被他人处理，请刷新后重试".into()))
    }
}

/// What waits for the caller, most urgent first: a department's submissions to sign; the grid side's
/// returned ones to fix and resend; a town centre's ones that found no department.
pub async fn todo(
    state: &AppState,
    actor: &Actor,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<SubmissionOut>> {
    visibility(actor)?;
    let spec = match (&actor.scope, actor.role) {
        (Scope::Department { department_id, .. }, _) => {
            TodoSpec { department_id: Some(*department_id), ..Default::default() }
        }
        (Scope::Area { path, .. }, Role::GridWorker | Role::GridLeader | Role::CommunityStaff) => {
            TodoSpec { returned_path: Some(path.clone()), ..Default::default() }
        }
        (Scope::Area { path, .. }, Role::TownCenter) => {
            TodoSpec { returned_path: Some(path.clone()), no_department_path: Some(path.clone()), ..Default::default() }
        }
        _ => TodoSpec::default(),
    };
    let page = store::todo(&state.db, &spec, Paging::new(page, per_page)).await?;
    audit_list(state, actor, &page).await?;
    Ok(page.map(|s| out(&s, actor)))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub area: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One line of the counts, with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct StatOut {
    #[serde(flatten)]
    pub row: StatRow,
    pub kind_label: &'static str,
    pub department: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StatTotals {
    pub sent: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub returned: i64,
    pub waiting: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub items: Vec<StatOut>,
    pub totals: StatTotals,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Counts per town × kind × department of the submissions first sent in the period (`from`, `to`
/// inclusive dates), by their state now: sent, signed (on time), returned, waiting, overdue.
pub async fn stats(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<Stats> {
    let vis = visibility(actor)?;
    let area_path = match q.area {
        Some(a) => Some(
            tree::get(&state.db, actor.scope.path(), a)
                .await?
                .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?
                .path,
        ),
        None => None,
    };
    let from = q.from.as_deref().filter(|s| !s.is_empty());
    let to = q.to.as_deref().filter(|s| !s.is_empty());
    let from_ms = from.map(|f| day_start("from", f)).transpose()?;
    let to_ms = to.map(|t| day_start("to", t).map(|t| t + DAY)).transpose()?;
    let rows = store::stats(&state.db, &vis, area_path.as_deref(), from_ms, to_ms, actor.now).await?;
    let mut totals = StatTotals::default();
    for r in &rows {
        totals.sent += r.sent;
        totals.signed += r.signed;
        totals.signed_on_time += r.signed_on_time;
        totals.returned += r.returned;
        totals.waiting += r.waiting;
        totals.overdue += r.overdue;
    }
    let items = rows
        .into_iter()
        .map(|r| StatOut {
            kind_label: kind_label(&r.kind),
            department: r.department_name.clone().unwrap_or_else(|| NO_DEPARTMENT.into()),
            row: r,
        })
        .collect();
    Ok(Stats { items, totals, from: from.map(str::to_owned), to: to.map(str::to_owned) })
}

/// A mapping line with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct MappingOut {
    #[serde(flatten)]
    pub row: MappingRow,
    pub kind_label: &'static str,
    pub department_kind_label: &'static str,
    pub sign_limit_label: String,
}

fn mapping_out(row: MappingRow) -> MappingOut {
    MappingOut {
        kind_label: kind_label(&row.kind),
        department_kind_label: department_kind_label(&row.department_kind),
        sign_limit_label: Limit::parse(&row.sign_limit).map(Limit::label).unwrap_or_default(),
        row,
    }
}

pub async fn mapping(state: &AppState, actor: &Actor) -> AppResult<Vec<MappingOut>> {
    if !actor.can(Permission::ReadEvents) && !actor.can(Permission::ManageEventSettings) {
        return Err(AppError::forbidden());
    }
    Ok(store::mapping(&state.db).await?.into_iter().map(mapping_out).collect())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    pub kind: Option<String>,
    pub version: Option<i64>,
    pub department_kind: Option<String>,
    pub sign_limit: Option<String>,
    pub yellow_pct: Option<i64>,
    pub enabled: Option<bool>,
}

/// Changes which department kind signs a kind, its sign-off limit (`3d`, `8h`), the yellow-card
/// share of the limit, or whether the kind is submitted at all. Applies to submissions sent afterwards.
pub async fn update_mapping(state: &AppState, actor: &Actor, i: &MappingInput) -> AppResult<MappingOut> {
    actor.require(Permission::ManageEventSettings)?;
    let kind = i.kind.clone().unwrap_or_default();
    check_kind("kind", &kind)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur = store::mapping(&state.db)
        .await?
        .into_iter()
        .find(|m| m.kind == kind)
        .ok_or_else(|| AppError::not_found("报送类别"))?;
    let mut e = FieldErrors::new();
    let next = MappingRow {
        kind: kind.clone(),
        department_kind: i.department_kind.clone().unwrap_or_else(|| cur.department_kind.clone()),
        sign_limit: i.sign_limit.clone().map(|s| s.trim().to_owned()).unwrap_or_else(|| cur.sign_limit.clone()),
        yellow_pct: i.yellow_pct.unwrap_or(cur.yellow_pct),
        enabled: i.enabled.unwrap_or(cur.enabled),
        version,
    };
    if !DEPARTMENT_KINDS.iter().any(|(k, _)| *k == next.department_kind) {
        e.insert(
            "department_kind".into(),
            "部门类型只能是 police_station、justice_office、health_center 等部门类型之一".into(),
        );
    }
    if Limit::parse(&next.sign_limit).is_none() {
        e.insert("sign_limit".into(), "时限写作“数字+h”（工作小时）或“数字+d”（工作日），如 3d".into());
    }
    if !(1..=100).contains(&next.yellow_pct) {
        e.insert("yellow_pct".into(), "黄牌阈值为时限的百分比（1–100）".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let mut tx = state.db.begin().await?;
    if !store::update_mapping(&mut tx, &next, actor.now).await? {
        return Err(AppError::Conflict("报送设置已被他人修改，请刷新后重试".into()));
    }
    let view = |m: &MappingRow| json!({ "department_kind": m.department_kind, "sign_limit": m.sign_limit, "yellow_pct": m.yellow_pct, "enabled": m.enabled });
    audit::record(
        &mut tx,
        &actor.audit(),
        "submission_mapping_updated",
        "submission_mapping",
        &kind,
        audit::changes(&view(&cur), &view(&next)),
    )
    .await?;
    tx.commit().await?;
    store::mapping(&state.db)
        .await?
        .into_iter()
        .find(|m| m.kind == kind)
        .map(mapping_out)
        .ok_or_else(|| AppError::not_found("报送类别"))
}
