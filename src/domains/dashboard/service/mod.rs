//! The dashboard (驾驶舱) of an area: register counts, open events by state, category and card,
//! overdue events and visits, activity rates, submissions waiting for sign-off, and a shaded map of
//! the grids. Every count is summed by the database; Rust only rolls per-grid rows up to children.

mod actor;
mod build;
mod parts;
mod types;

pub use actor::*;
pub use build::*;
use parts::*;
pub use types::*;
