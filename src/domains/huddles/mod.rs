//! The daily huddle (日碰头会) of a community: problems grid workers could not solve (open events,
//! patrol findings, items raised by hand), the day's decision and who follows up, carried over day
//! to day until solved; printable.

pub mod api;
pub mod pages;
pub mod service;
mod store;
