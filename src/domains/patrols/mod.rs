//! Daily patrols (日巡查) and check-ins (签到): a grid worker starts and ends a patrol, the phone's
//! track is sampled along the way (distance computed here), a configurable checklist and findings
//! that become events in one tap; figures per worker and grid.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
