//! The card job: turns events yellow and red as their step's time runs out, records the supervision
//! (督办) for the level above, urges the holder, and writes the timeline — once per card, even when
//! several servers run the job at the same moment (version-checked update + a unique index).

use super::model::Card;
use super::service::card_now;
use super::store::{self, EventRow, NewStep, Visibility};
use crate::audit::{self, AuditCtx};
use crate::clock::Millis;
use crate::db::Tx;
use crate::domains::org::area_store;
use crate::error::AppResult;
use crate::state::AppState;
use serde_json::json;
use std::time::Duration;

/// Events looked at per pass.
const BATCH: i64 = 500;

/// Fires every card due at `now`; answers how many cards this runner fired. Due events are taken
/// in batches, each batch in one transaction; if a batch fails (another runner raced it to a card),
/// its events are taken again one by one.
pub async fn scan(state: &AppState, now: Millis) -> AppResult<usize> {
    let mut fired = 0;
    loop {
        let due = store::due_cards(&state.db, now, BATCH).await?;
        let n = due.len();
        let mut tx = state.db.begin().await?;
        let mut sent = Vec::new();
        let mut failed = false;
        for (id, _) in &due {
            match fire_in(state, &mut tx, *id, now).await {
                Ok(Outcome::Fired(to, text)) => sent.push((to, text)),
                Ok(Outcome::Unchanged) => {}
                Ok(Outcome::Raced) | Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            drop(tx);
            for (id, _) in &due {
                if fire(state, *id, now).await? {
                    fired += 1;
                }
            }
        } else {
            tx.commit().await?;
            fired += sent.len();
            for (to, text) in sent {
                state.notifier.send(&to, &text);
            }
        }
        if (n as i64) < BATCH {
            return Ok(fired);
        }
    }
}

/// Fires one event's card in its own transaction (the slow path after a failed batch).
async fn fire(state: &AppState, id: i64, now: Millis) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    match fire_in(state, &mut tx, id, now).await? {
        Outcome::Fired(to, text) => {
            tx.commit().await?;
            state.notifier.send(&to, &text);
            Ok(true)
        }
        Outcome::Unchanged => {
            tx.commit().await?;
            Ok(false)
        }
        Outcome::Raced => Ok(false),
    }
}

/// The area above a holder: the parent of a holding area, or for a department the area that sent it
/// (else the event's own area).
async fn level_above(tx: &mut Tx, e: &EventRow) -> AppResult<Option<i64>> {
    if let Some(a) = e.holder_area_id {
        return Ok(area_store::get_tx(tx, a).await?.and_then(|a| a.parent_id));
    }
    Ok(e.sender_area_id.or(Some(e.area_id)))
}

/// Works out an event's card at `now` inside `tx`; when it changed for the worse, records the
/// supervision, the timeline line, the audit row and the notifications, and answers who to tell what.
async fn fire_in(state: &AppState, tx: &mut Tx, id: i64, now: Millis) -> AppResult<Outcome> {
    let Some(e) = store::get_tx(tx, &Visibility::Area("/".into()), id).await? else { return Ok(Outcome::Unchanged) };
    let card = card_now(&e, now);
    let old = Card::parse(&e.card);
    let next = Card::next_at(card, e.yellow_at, e.red_at).filter(|_| e.step.is_some());
    let sets = vec![("card", card.as_str().into()), ("next_card_at", next.into())];
    // Another runner that got here first has bumped the version: this update then changes nothing.
    if !store::update_event(tx, e.id, e.version, &sets, now).await? {
        return Ok(Outcome::Raced);
    }
    if card <= old {
        return Ok(Outcome::Unchanged);
    }
    let step = e.step.clone().unwrap_or_default();
    let above = level_above(tx, &e).await?;
    let note = format!(
        "{}：{}（{}时限 {}）",
        card.label(),
        e.title,
        step_label(&step),
        crate::clock::format_local(e.deadline.unwrap_or(now))
    );
    if let Err(err) = store::insert_supervision(
        tx,
        e.id,
        card.as_str(),
        &step,
        e.step_started_at.unwrap_or(0),
        above,
        None,
        &note,
        now,
    )
    .await
    {
        // Another runner recorded this very card between our read and our write.
        return if crate::db::is_unique_violation(&err) { Ok(Outcome::Raced) } else { Err(err.into()) };
    }
    store::insert_step(
        tx,
        &NewStep {
            event_id: e.id,
            action: &format!("card_{}", card.as_str()),
            account_id: None,
            actor_name: "系统",
            from_state: Some(&e.state),
            to_state: &e.state,
            holder_label: e.holder_name.as_deref().unwrap_or(""),
            note: &note,
            data: json!({ "card": card.as_str(), "step": step }).to_string(),
            step: None,
            step_minutes: None,
            limit_minutes: None,
            at: now,
        },
    )
    .await?;
    audit::record(
        tx,
        &AuditCtx::job("cards", now),
        "event_card",
        "event",
        e.id,
        json!({ "card": card.as_str(), "step": step }),
    )
    .await?;
    let mut to = store::holder_accounts(&state.db, e.holder_area_id, e.holder_department_id).await?;
    to.extend(store::holder_accounts(&state.db, above, None).await?);
    to.sort_unstable();
    to.dedup();
    let text = format!("催办：{note}");
    store::notify(tx, &to, e.id, &format!("card_{}", card.as_str()), &text, now).await?;
    Ok(Outcome::Fired(to, text))
}

/// What happened to one due event.
enum Outcome {
    /// A new card: who to tell, and what.
    Fired(Vec<i64>, String),
    /// No new card (only the next check time moved, or nothing to do).
    Unchanged,
    /// Another runner got there first; this transaction must not commit.
    Raced,
}

fn step_label(step: &str) -> &'static str {
    super::workflow::Step::parse(step).map(super::workflow::Step::label).unwrap_or("")
}

/// Runs the card job every minute for the life of the server.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match scan(&state, state.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cards = n, "event cards fired"),
                Err(e) => tracing::error!(error = %e, "event card job failed"),
            }
        }
    });
}
