//! Activity as other domains read it (the activity room's read face): each business account's active
//! days in a period, which the assessment scores. Other domains call this, never `activity::store`.

pub use super::store::{AccountDays, account_days};
