//! The closed loop: events reported, accepted, dispatched, handled, verified, closed and evaluated
//! against time limits on a work calendar.

pub mod api;
pub mod calendar;
pub mod cards;
pub mod event_pages;
pub mod figures;
pub mod list_pages;
pub mod model;
pub mod pages;
pub mod queries;
pub mod reads;
pub mod service;
pub mod settings;
pub mod settings_pages;
pub mod stats;
pub mod stats_pages;
pub mod store;
pub mod supervision;
pub mod timing;
pub mod workflow;
