//! Visits (走访): household visits with notes and the next visit due, the joint list with
//! special-population visits, and the overdue lists.

pub mod api;
pub mod model;
pub mod pages;
pub mod reads;
pub mod service;
mod store;
