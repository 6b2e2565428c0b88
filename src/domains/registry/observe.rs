//! What the register tells other domains, inside its own transaction: a person was registered or
//! changed, or a special-population file was created. Other domains subscribe (`observe_persons`,
//! wired once in `domains::wire`), so the register names none of them; what a subscriber writes
//! lands with the register's change or not at all, and what it sends waits for the commit.

use crate::auth::Actor;
use crate::db::Tx;
use crate::error::AppResult;
use crate::state::AppState;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;

/// What happened in the register.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    /// The person was registered, changed or changed status (`was_floating`: before the change).
    Person { was_floating: bool },
    /// A special-population file of this kind was created.
    File(&'a str),
}

/// One write to the register, as subscribers see it.
#[derive(Clone, Debug)]
pub struct PersonWritten<'a> {
    pub person_id: i64,
    pub subject: Subject<'a>,
    /// `created` or `changed`.
    pub action: &'a str,
    /// What changed (masked), or `{}` for a registration.
    pub detail: Value,
}

/// One piece of work for after the commit.
type Later = Box<dyn FnOnce(&AppState) + Send>;

/// Work to do once the transaction has committed (messages for the outside sender).
#[derive(Default)]
#[must_use]
pub struct AfterCommit(Vec<Later>);

impl AfterCommit {
    pub fn then(&mut self, f: impl FnOnce(&AppState) + Send + 'static) {
        self.0.push(Box::new(f));
    }

    pub fn append(&mut self, other: AfterCommit) {
        self.0.extend(other.0);
    }

    /// Runs everything, after the commit.
    pub fn run(self, state: &AppState) {
        for f in self.0 {
            f(state);
        }
    }
}

/// A subscriber: called in the register's transaction for each write.
pub type PersonObserver = for<'a> fn(
    &'a AppState,
    &'a mut Tx,
    &'a Actor,
    &'a PersonWritten<'a>,
) -> Pin<Box<dyn Future<Output = AppResult<AfterCommit>> + Send + 'a>>;

#[derive(Default)]
struct Observers(RwLock<Vec<PersonObserver>>);

/// Subscribes to register writes (once per subscriber; a second call with it is ignored).
pub fn observe_persons(state: &AppState, o: PersonObserver) {
    let obs = state.cache::<Observers>();
    if let Ok(mut v) = obs.0.write()
        && !v.iter().any(|x| std::ptr::fn_addr_eq(*x, o))
    {
        v.push(o);
    }
}

/// Tells every subscriber of a write, in the caller's transaction.
pub(super) async fn person_written(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    written: PersonWritten<'_>,
) -> AppResult<AfterCommit> {
    let list: Vec<PersonObserver> = state.cache::<Observers>().0.read().map(|v| v.clone()).unwrap_or_default();
    let mut after = AfterCommit::default();
    for o in list {
        after.append(o(state, tx, actor, &written).await?);
    }
    Ok(after)
}

/// The person's stored row (`person_tx`), read inside the observer's transaction.
pub use super::person_store::{PersonRow, get_tx as person_tx};
