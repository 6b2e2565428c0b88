//! The area tree and its departments as other domains read them (org's read face): one area or department in a
//! scope, lists, names, an area by its code, the grids under a path. Other domains call these, never the stores.

use super::area_store;
use crate::db::{Db, Tx};
use crate::web::paging::{Page, Paging};

pub use super::area_store::{AreaFilter, AreaRow};

/// The area `id` if it lies in the subtree at `scope_path` ("/" for the server's own reads).
pub async fn get(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<AreaRow>> {
    area_store::get(db, scope_path, id).await
}

/// The area `id` (any scope), read inside a transaction.
pub async fn get_tx(tx: &mut Tx, id: i64) -> sqlx::Result<Option<AreaRow>> {
    area_store::get_tx(tx, id).await
}

/// The area with this code (any scope): the public board's and the import's way in.
pub async fn get_by_code(db: &Db, code: &str) -> sqlx::Result<Option<AreaRow>> {
    area_store::get_by_code(db, code).await
}

/// Areas by the filter (its `scope_path` bounds them), a page at a time.
pub async fn list(db: &Db, filter: &AreaFilter, paging: Paging) -> sqlx::Result<Page<AreaRow>> {
    area_store::list(db, filter, paging).await
}

/// The names of areas by id.
pub async fn names(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    area_store::names(db, ids).await
}

/// The active grids under `path`, `(id, code)`, in code order.
pub async fn grids_under(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String)>> {
    area_store::grids_under(db, path).await
}

pub use super::department_store::{DepartmentFilter, DepartmentRow};

/// The department `id` if its area lies in the subtree at `scope_path`.
pub async fn department(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<DepartmentRow>> {
    super::department_store::get(db, scope_path, id).await
}

/// Departments by the filter, a page at a time.
pub async fn departments(db: &Db, filter: &DepartmentFilter, paging: Paging) -> sqlx::Result<Page<DepartmentRow>> {
    super::department_store::list(db, filter, paging).await
}

/// The names of departments by id.
pub async fn department_names(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    super::department_store::names(db, ids).await
}

pub use super::staff_store::AssignmentRow;

/// Who works in the grid: its assignments (current and ended), with the staff's names.
pub async fn grid_assignments(db: &Db, grid_id: i64) -> sqlx::Result<Vec<AssignmentRow>> {
    super::staff_store::assignments_of_grid(db, grid_id).await
}
