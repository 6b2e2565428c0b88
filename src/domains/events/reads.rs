//! Events as other domains read them (the events room's read face): the category catalogue, one
//! event in a scope, the per-child and per-path counts that bulletins and assessment rank by, and the
//! accounts that act for a holder. Other domains call these, never `events::store`.

pub use super::store::{
    CategoryRow, EventRow, PathCounts, assessment_counts, categories, category, completion_counts, get, holder_accounts,
};
