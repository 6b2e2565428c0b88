//! Submissions as other domains read them (the submissions room's read face): the kind → department
//! mapping and the period counts the bulletin and the assessment use. Other domains call these, never
//! `submissions::store`.

pub use super::store::{
    ChildKindCounts, DepartmentKindCounts, MappingRow, PeriodCounts, mapping, overdue_unsigned_by_grid, period_counts,
};
