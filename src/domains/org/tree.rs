//! The area tree and its departments as other domains read them (org's read face): one area or department in a
//! scope, lists, names, an area by its code, the grids under a path, who works in a grid. Other domains call
//! these, never the stores.

pub use super::area_store::{AreaFilter, AreaRow, get, get_by_code, get_tx, grids_under, list, names};
pub use super::department_store::{
    DepartmentFilter, DepartmentRow, get as department, list as departments, names as department_names,
};
pub use super::staff_store::{AssignmentRow, assignments_of_grid as grid_assignments};
