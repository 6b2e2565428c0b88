//! Visits as other domains read them (the visits room's read face): the overdue counts per grid that
//! the assessment and the dashboard show. Other domains call this, never `visits::store`.

pub use super::store::overdue_by_grid;
