//! The stream as callers use it: lists in scope, one submission with its history, sign / return /
//! resend (version-checked, refusals as 409 with the reason), the to-do list with cards, the counts
//! per town, kind and department, and the kind → department mapping.

mod act;
mod counts;
mod mapping;

pub use act::{ActionInput, act};
pub use counts::{StatOut, StatTotals, Stats, StatsQuery, stats};
pub use mapping::{MappingInput, MappingOut, mapping, update_mapping};

use super::model::{self, Party, View, action_label, kind_label, state_label, step_label};
use super::store::{self, ListFilter, StepRow, SubmissionRow, TodoSpec};
use crate::audit;
use crate::auth::{Actor, Permission, Role, Scope};
use crate::clock::format_local;
use crate::domains::events::service::visibility;
use crate::domains::org::model::department_kind_label;
use crate::error::{AppError, AppResult};
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

pub(super) fn party(actor: &Actor) -> Party {
    match &actor.scope {
        Scope::Department { department_id, .. } => Party::Department(*department_id),
        Scope::Area { path, .. } => Party::Area { role: actor.role, path: path.clone() },
    }
}

pub(super) fn view(s: &SubmissionRow) -> View<'_> {
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

pub(super) fn check_kind(field: &str, k: &str) -> AppResult<()> {
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
