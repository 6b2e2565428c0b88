//! Sign-off, return and resend of one submission: version-checked, refused as 409 with the reason,
//! with its history step, audit line and the notifications sent after the commit.

use super::{party, view};
use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::db::Tx;
use crate::db::Value as Arg;
use crate::domains::events::service::visibility;
use crate::domains::org::model::{check_text, department_kind_label};
use crate::domains::submissions::hooks::{self, Outbox};
use crate::domains::submissions::model::{self, Action};
use crate::domains::submissions::store::{self, NewStep, SubmissionRow};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

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
    let action = parse_action(i)?;
    let mut tx = state.db.begin().await?;
    let s = store::get_tx(&mut tx, &vis, id).await?.ok_or_else(|| AppError::not_found("报送"))?;
    if i.version.is_some_and(|v| v != s.version) {
        return Err(AppError::Conflict("报送已被他人处理，请刷新后重试".into()));
    }
    model::check(action, &party(actor), &view(&s)).map_err(AppError::Conflict)?;
    let note = check_note(action, i)?;
    let mut outbox = Outbox::default();
    let done = match action {
        Action::Sign => sign(&mut tx, actor, &s).await?,
        Action::Return => return_back(state, &mut tx, &mut outbox, actor, &s, &note).await?,
        Action::Resend => resend(state, &mut tx, &mut outbox, actor, &s).await?,
    };
    record(&mut tx, actor, &s, &done, &note).await?;
    tx.commit().await?;
    outbox.deliver(state);
    Ok(())
}

fn parse_action(i: &ActionInput) -> AppResult<Action> {
    Action::parse(i.action.as_deref().unwrap_or(""))
        .ok_or_else(|| AppError::field("action", "action 只能是 sign（签收）、return（退回）或 resend（重新报送）"))
}

/// The note: a reason, required, for a return; an optional remark otherwise.
fn check_note(action: Action, i: &ActionInput) -> AppResult<String> {
    check_text(
        "note",
        if action == Action::Return { "退回原因" } else { "说明" },
        i.note.as_deref().unwrap_or(""),
        200,
        action == Action::Return,
    )
}

/// What an action did: its history step, the state it left and the department it now lies with.
struct Done {
    step: &'static str,
    to_state: &'static str,
    department_id: Option<i64>,
}

async fn sign(tx: &mut Tx, actor: &Actor, s: &SubmissionRow) -> AppResult<Done> {
    let now = actor.now;
    let sets: Vec<(&str, Arg)> =
        vec![("state", "signed".into()), ("signed_by", actor.id.into()), ("signed_at", now.into())];
    update(tx, s, &sets, now).await?;
    Ok(Done { step: "sign", to_state: "signed", department_id: s.department_id })
}

async fn return_back(
    state: &AppState,
    tx: &mut Tx,
    outbox: &mut Outbox,
    actor: &Actor,
    s: &SubmissionRow,
    note: &str,
) -> AppResult<Done> {
    let now = actor.now;
    let sets: Vec<(&str, Arg)> = vec![
        ("state", "returned".into()),
        ("returned_by", actor.id.into()),
        ("returned_at", now.into()),
        ("return_reason", note.into()),
    ];
    update(tx, s, &sets, now).await?;
    hooks::tell_returned(state, tx, outbox, s, note, now).await?;
    Ok(Done { step: "return", to_state: "returned", department_id: s.department_id })
}

/// Sends again along the mapping as it is now; refused while waiting if the town still has no
/// department of the kind.
async fn resend(
    state: &AppState,
    tx: &mut Tx,
    outbox: &mut Outbox,
    actor: &Actor,
    s: &SubmissionRow,
) -> AppResult<Done> {
    let now = actor.now;
    let m = store::mapping_tx(tx, &s.kind).await?.ok_or_else(|| AppError::not_found("报送类别"))?;
    let cal = store::calendar_tx(tx).await?;
    let route = hooks::route(tx, &cal, &m, s.town_id, now).await?;
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
    update(tx, s, &sets, now).await?;
    let sent = store::get_tx(tx, &vis_all(), s.id).await?.ok_or_else(|| AppError::not_found("报送"))?;
    hooks::tell_waiting(state, tx, outbox, &sent, &route, now).await?;
    Ok(Done { step: "resend", to_state: "waiting", department_id: route.department_id })
}

/// The history step and the audit line of an action on `s` (as it was before).
async fn record(tx: &mut Tx, actor: &Actor, s: &SubmissionRow, done: &Done, note: &str) -> AppResult<()> {
    store::insert_step(
        tx,
        &NewStep {
            submission_id: s.id,
            action: done.step,
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: Some(&s.state),
            to_state: done.to_state,
            department_id: done.department_id,
            note,
            data: "{}".into(),
            at: actor.now,
        },
    )
    .await?;
    audit::record(
        tx,
        &actor.audit(),
        &format!("submission_{}", done.step),
        "submission",
        s.id,
        json!({ "person": s.person_id, "kind": s.kind, "note": note }),
    )
    .await?;
    Ok(())
}

fn vis_all() -> Scope {
    Scope::everything()
}

async fn update(tx: &mut Tx, s: &SubmissionRow, sets: &[(&str, Arg)], now: i64) -> AppResult<()> {
    if store::update(tx, s.id, s.version, sets, now).await? {
        Ok(())
    } else {
        Err(AppError::Conflict("报送已被他人处理，请刷新后重试".into()))
    }
}
