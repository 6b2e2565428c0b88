//! The closed loop: events reported, accepted, dispatched, handled, verified, closed and evaluated
//! against time limits on a work calendar.

pub mod calendar;
pub mod model;
pub mod workflow;
