//! The field app (外勤, a PWA) for grid workers on a phone: the app shell and its offline service
//! worker, the device snapshot of the worker's grid, photo uploads and the sync of queued operations.

pub mod api;
pub mod model;
pub mod pages;
pub mod snapshot;
mod store;
pub mod sync;
pub mod uploads;
