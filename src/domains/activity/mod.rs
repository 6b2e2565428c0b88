//! Account activity (账号活跃度): days of use per account, rates per unit, thresholds.

pub mod api;
pub mod model;
pub mod pages;
pub mod reads;
pub mod service;
pub mod store;
