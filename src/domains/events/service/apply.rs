//! Writing an action: the holder moves, the step clock restarts, timeline, photos, audit and notices in one transaction.

use super::act::{ActionInput, NewHolder};
use super::{attach, stale};
use crate::audit;
use crate::auth::Actor;
use crate::db::{Tx, Value};
use crate::domains::events::calendar::{DAY_MINUTES, WorkCalendar};
use crate::domains::events::model::Card;
use crate::domains::events::store::{self, CategoryRow, EventRow, NewStep};
use crate::domains::events::timing::step_clock;
use crate::domains::events::workflow::{self, Action, Move, State};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// Columns an action sets on the event, in the order they are written.
type Sets = Vec<(&'static str, Value)>;

/// The step that ended with this action: which, its working minutes, its limit.
type Ended = Option<(workflow::Step, i64, i64)>;

#[allow(clippy::too_many_arguments)]
pub(super) async fn apply(
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
    let holder = next_holder(&mut tx, e, rule.holder, target).await?;
    let mut sets: Sets = vec![("state", to.as_str().into())];
    if let Some(h) = &holder {
        holder_sets(&mut tx, e, rule.holder, h, &mut sets).await?;
    }
    let ended = clock_sets(&cal, &category, e, action, to, holder.is_some(), now, &mut sets);
    action_sets(&mut tx, &cal, &category, e, action, i, actor, &mut sets).await?;
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
    let moved = (from, to, holder_label.as_str());
    let step_id = insert_action_step(&mut tx, actor, e, action, moved, note, &data, ended).await?;
    let stage = if matches!(action, Action::Complete | Action::Verify | Action::Reopen) { "after" } else { "before" };
    attach(&mut tx, actor, e.id, step_id, stage, files).await?;
    if action == Action::Supervise {
        supervise(&mut tx, actor, e, note).await?;
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
    let (to_accounts, text) = recipients(state, actor, e, action, holder.as_ref()).await?;
    store::notify(&mut tx, &to_accounts, e.id, action.as_str(), &text, now).await?;
    tx.commit().await?;
    state.notifier.send(&to_accounts, &text);
    Ok(e.version + 1)
}

/// Where the holder goes.
async fn next_holder(tx: &mut Tx, e: &EventRow, how: Move, target: Option<NewHolder>) -> AppResult<Option<NewHolder>> {
    Ok(match how {
        Move::Keep => None,
        Move::Target => target,
        Move::Sender => Some(NewHolder {
            area: e.sender_area_id,
            department: if e.sender_area_id.is_some() { None } else { e.sender_department_id },
            label: String::new(),
        }),
        Move::Parent => {
            let cur = tree::get_tx(tx, e.holder_area_id.unwrap_or(0)).await?;
            let parent = match cur.and_then(|c| c.parent_id) {
                Some(p) => tree::get_tx(tx, p).await?,
                None => None,
            };
            let p = parent.ok_or_else(|| AppError::Conflict("没有上级可上报".into()))?;
            Some(NewHolder { area: Some(p.id), department: None, label: p.name })
        }
    })
}

/// The new holder's columns; a department that takes the event is added to those that handled it.
async fn holder_sets(tx: &mut Tx, e: &EventRow, how: Move, h: &NewHolder, sets: &mut Sets) -> AppResult<()> {
    sets.push(("holder_area_id", h.area.into()));
    sets.push(("holder_department_id", h.department.into()));
    // The sender is who held it before; a return clears it.
    if how == Move::Sender {
        sets.push(("sender_area_id", Value::Int(None)));
        sets.push(("sender_department_id", Value::Int(None)));
    } else {
        sets.push(("sender_area_id", e.holder_area_id.into()));
        sets.push(("sender_department_id", e.holder_department_id.into()));
    }
    if let Some(d) = h.department {
        store::add_department(tx, e.id, d).await?;
    }
    Ok(())
}

/// The step clock: a new step, a new holder or a reopen restarts it; answers the step that ended.
#[allow(clippy::too_many_arguments)]
fn clock_sets(
    cal: &WorkCalendar,
    category: &CategoryRow,
    e: &EventRow,
    action: Action,
    to: State,
    holder_moves: bool,
    now: i64,
    sets: &mut Sets,
) -> Ended {
    let old_step = e.step.as_deref().and_then(workflow::Step::parse);
    let new_step = to.step();
    let restart = new_step.is_some() && (new_step != old_step || holder_moves || action == Action::Reopen);
    let mut ended: Ended = None;
    if let (Some(s), Some(started)) = (old_step, e.step_started_at)
        && (restart || new_step.is_none())
    {
        let limit = step_clock(cal, category, s, started, e.extension_minutes).limit_minutes;
        ended = Some((s, cal.working_minutes(started, now), limit));
    }
    if restart && let Some(s) = new_step {
        let c = step_clock(cal, category, s, now, 0);
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
    ended
}

/// The columns particular to the action (accepted, completed, closed, an extension, …).
#[allow(clippy::too_many_arguments)]
async fn action_sets(
    tx: &mut Tx,
    cal: &WorkCalendar,
    category: &CategoryRow,
    e: &EventRow,
    action: Action,
    i: &ActionInput,
    actor: &Actor,
    sets: &mut Sets,
) -> AppResult<()> {
    let now = actor.now;
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
            let reds = store::red_count(tx, e.id).await?;
            sets.push(("closed_at", now.into()));
            sets.push(("closed_on_time", (reds == 0 && e.card != "red").into()));
        }
        Action::Extend => sets.push(("extension_pending", i.days.into())),
        Action::RejectExtension => sets.push(("extension_pending", Value::Int(None))),
        Action::ApproveExtension => approve_extension(tx, cal, category, e, now, sets).await?,
        Action::Evaluate => sets.push(("satisfaction", i.satisfaction.into())),
        Action::Merge => sets.push(("merged_into", i.merge_into.into())),
        _ => {}
    }
    Ok(())
}

/// An approved extension moves the step's deadline and card times, and the close-by date.
async fn approve_extension(
    tx: &mut Tx,
    cal: &WorkCalendar,
    category: &CategoryRow,
    e: &EventRow,
    now: i64,
    sets: &mut Sets,
) -> AppResult<()> {
    let old_step = e.step.as_deref().and_then(workflow::Step::parse);
    let minutes = e.extension_minutes + e.extension_pending.unwrap_or(0) * DAY_MINUTES;
    let s = old_step.unwrap_or(workflow::Step::Handle);
    let c = step_clock(cal, category, s, e.step_started_at.unwrap_or(now), minutes);
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
    store::move_close_due(tx, e.id, e.extension_pending.unwrap_or(0) * DAY_MINUTES, cal).await?;
    Ok(())
}

/// The action's line in the timeline (with the step that ended, if any); answers its id.
#[allow(clippy::too_many_arguments)]
async fn insert_action_step(
    tx: &mut Tx,
    actor: &Actor,
    e: &EventRow,
    action: Action,
    (from, to, holder_label): (State, State, &str),
    note: &str,
    data: &serde_json::Value,
    ended: Ended,
) -> AppResult<i64> {
    Ok(store::insert_step(
        tx,
        &NewStep {
            event_id: e.id,
            action: action.as_str(),
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: Some(from.as_str()),
            to_state: to.as_str(),
            holder_label,
            note,
            data: data.to_string(),
            step: ended.map(|x| x.0.as_str()),
            step_minutes: ended.map(|x| x.1),
            limit_minutes: ended.map(|x| x.2),
            at: actor.now,
        },
    )
    .await?)
}

/// A supervision (督办) by the caller on the event's current step.
async fn supervise(tx: &mut Tx, actor: &Actor, e: &EventRow, note: &str) -> AppResult<()> {
    let now = actor.now;
    let supervision = store::NewSupervision {
        event_id: e.id,
        level: "ordinary".into(),
        step: e.step.clone().unwrap_or_default(),
        step_started_at: e.step_started_at.unwrap_or(now),
        area_id: Some(actor.scope.area_id()),
        account_id: Some(actor.id),
        note: note.to_owned(),
    };
    store::insert_supervisions(tx, &[supervision], now).await?;
    Ok(())
}

/// Who to tell, and what: the new holder, the holder being supervised or urged, the reporter when done.
async fn recipients(
    state: &AppState,
    actor: &Actor,
    e: &EventRow,
    action: Action,
    holder: Option<&NewHolder>,
) -> AppResult<(Vec<i64>, String)> {
    let (notify_area, notify_dept, text) = match action {
        Action::Supervise | Action::Urge => {
            (e.holder_area_id, e.holder_department_id, format!("{}：{}", action.label(), e.title))
        }
        Action::Complete => (None, None, String::new()),
        _ => match holder {
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
    Ok((to_accounts, text))
}
