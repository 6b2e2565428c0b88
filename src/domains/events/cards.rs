//! The card job: turns events yellow and red as their step's time runs out, records the supervision
//! (督办) for the level above, urges the holder, and writes the timeline — once per card, even when
//! several servers run the job at the same moment (version-checked update + a unique index).

use super::model::Card;
use super::service::card_now;
use super::store::{self, EventRow, NewStep, NewSupervision};
use crate::audit::{self, AuditCtx};
use crate::clock::Millis;
use crate::db::Tx;
use crate::domains::org::tree;
use crate::error::AppResult;
use crate::state::AppState;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

/// Events looked at per pass.
const BATCH: i64 = 500;

/// Fires every card due at `now`; answers how many cards this runner fired. Due events are read
/// in batches and each batch is written in one transaction with one statement per table; if a
/// batch loses a race to another runner, its events are taken again one by one.
pub async fn scan(state: &AppState, now: Millis) -> AppResult<usize> {
    let mut fired = 0;
    let mut lookups = Lookups::default();
    loop {
        let due = store::due_events(&state.db, now, BATCH).await?;
        match fire_all(state, &mut lookups, &due, now).await? {
            Some(n) => fired += n,
            None => {
                for e in &due {
                    let Some(e) = store::get(&state.db, &crate::auth::Scope::everything(), e.id).await? else {
                        continue;
                    };
                    fired += fire_all(state, &mut lookups, std::slice::from_ref(&e), now).await?.unwrap_or(0);
                }
            }
        }
        if (due.len() as i64) < BATCH {
            return Ok(fired);
        }
    }
}

/// What the job looks up again and again during one scan: the parent of an area, and the accounts
/// that act for a holder.
#[derive(Default)]
struct Lookups {
    parents: HashMap<i64, Option<i64>>,
    holders: HashMap<(Option<i64>, Option<i64>), Vec<i64>>,
}

impl Lookups {
    /// The area above a holder: the parent of a holding area, or for a department the area that
    /// sent it (else the event's own area).
    async fn level_above(&mut self, tx: &mut Tx, e: &EventRow) -> AppResult<Option<i64>> {
        let Some(a) = e.holder_area_id else { return Ok(e.sender_area_id.or(Some(e.area_id))) };
        if let Some(p) = self.parents.get(&a) {
            return Ok(*p);
        }
        let p = tree::get_tx(tx, a).await?.and_then(|a| a.parent_id);
        self.parents.insert(a, p);
        Ok(p)
    }

    async fn accounts(&mut self, state: &AppState, area: Option<i64>, department: Option<i64>) -> AppResult<&[i64]> {
        let key = (area, department);
        if let Entry::Vacant(slot) = self.holders.entry(key) {
            slot.insert(store::holder_accounts(&state.db, area, department).await?);
        }
        Ok(self.holders.get(&key).map(Vec::as_slice).unwrap_or_default())
    }
}

/// Works out the cards of `events` at `now` in one transaction; for each that changed for the
/// worse, records the supervision, the timeline line, the audit row and the notifications, then
/// sends them. Answers how many fired, or None (nothing written) when another runner got to one
/// of these events first.
async fn fire_all(
    state: &AppState,
    lookups: &mut Lookups,
    events: &[EventRow],
    now: Millis,
) -> AppResult<Option<usize>> {
    if events.is_empty() {
        return Ok(Some(0));
    }
    let mut tx = state.db.begin().await?;
    let (mut supervisions, mut steps, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    let mut sends: Vec<(Vec<i64>, String)> = Vec::new();
    for e in events {
        let card = card_now(e, now);
        let old = Card::parse(&e.card);
        let next = Card::next_at(card, e.yellow_at, e.red_at).filter(|_| e.step.is_some());
        let sets = vec![("card", card.as_str().into()), ("next_card_at", next.into())];
        // Another runner that got here first has bumped the version: this update then changes nothing.
        if !store::update_event(&mut tx, e.id, e.version, &sets, now).await? {
            return Ok(None);
        }
        if card <= old {
            continue;
        }
        let step = e.step.clone().unwrap_or_default();
        let above = lookups.level_above(&mut tx, e).await?;
        let note = format!(
            "{}：{}（{}时限 {}）",
            card.label(),
            e.title,
            step_label(&step),
            crate::clock::format_local(e.deadline.unwrap_or(now))
        );
        let mut to = lookups.accounts(state, e.holder_area_id, e.holder_department_id).await?.to_vec();
        to.extend_from_slice(lookups.accounts(state, above, None).await?);
        to.sort_unstable();
        to.dedup();
        let text = format!("催办：{note}");
        let kind = format!("card_{}", card.as_str());
        notes.extend(to.iter().map(|a| (*a, e.id, kind.clone(), text.clone())));
        supervisions.push(NewSupervision {
            event_id: e.id,
            level: card.as_str().to_owned(),
            step: step.clone(),
            step_started_at: e.step_started_at.unwrap_or(0),
            area_id: above,
            account_id: None,
            note: note.clone(),
        });
        steps.push((e, kind, note, json!({ "card": card.as_str(), "step": step })));
        sends.push((to, text));
    }
    if let Err(err) = store::insert_supervisions(&mut tx, &supervisions, now).await {
        // Another runner recorded one of these cards between our read and our write.
        return if crate::db::is_unique_violation(&err) { Ok(None) } else { Err(err.into()) };
    }
    let timeline = timeline(&steps, now);
    store::insert_steps(&mut tx, &timeline).await?;
    // The audit row of each card carries the same detail as its timeline line.
    let entries: Vec<(&str, &str, String, &Value)> =
        steps.iter().map(|(e, _, _, data)| ("event_card", "event", e.id.to_string(), data)).collect();
    audit::record_many(&mut tx, &AuditCtx::job("cards", now), &entries).await?;
    store::notify_many(&mut tx, notes, now).await?;
    tx.commit().await?;
    for (to, text) in &sends {
        state.notifier.send(to, text);
    }
    Ok(Some(sends.len()))
}

/// The timeline line of each card: (event, kind, note, detail).
fn timeline<'a>(steps: &'a [(&'a EventRow, String, String, Value)], now: Millis) -> Vec<NewStep<'a>> {
    steps
        .iter()
        .map(|(e, kind, note, data)| NewStep {
            event_id: e.id,
            action: kind,
            account_id: None,
            actor_name: "系统",
            from_state: Some(&e.state),
            to_state: &e.state,
            holder_label: e.holder_name.as_deref().unwrap_or(""),
            note,
            data: data.to_string(),
            step: None,
            step_minutes: None,
            limit_minutes: None,
            at: now,
        })
        .collect()
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
                Ok(n) => tracing::info!(cards = n, "黄牌红牌已触发"),
                Err(e) => tracing::error!(error = %e, "event card job failed"),
            }
        }
    });
}
