//! The business domains; each has pure `model`, `service` functions taking the actor, `store` SQL, and thin `api`/`pages`.

pub mod activity;
pub mod assessment;
pub mod bulletins;
pub mod dashboard;
pub mod events;
pub mod field;
pub mod huddles;
pub mod open311;
pub mod org;
pub mod patrols;
pub mod public;
pub mod registry;
pub mod submissions;
pub mod visits;

/// Connects the domains that listen to others (once per state; a second call changes nothing):
/// submissions follow the register, account activity follows the requests served.
pub fn wire(state: &crate::state::AppState) {
    registry::observe::observe_persons(state, submissions::hooks::on_person_written);
    state.observe_requests(activity::service::on_request_served);
}
