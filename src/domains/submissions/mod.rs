//! The special-population report and sign-off stream (报送/签收): registering or changing a floating
//! person or a special-population file sends a submission to the town's department of the mapped kind,
//! which signs it off or returns it with a reason within a time limit on the work calendar.

pub mod api;
pub mod hooks;
pub mod model;
pub mod pages;
pub mod reads;
pub mod service;
pub mod store;
