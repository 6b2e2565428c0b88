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
