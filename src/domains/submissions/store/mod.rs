//! SQL of the report and sign-off stream: the kind → department mapping, submissions with their
//! scope, their history, to-do lists and counts. Every read takes the caller's visibility. This file
//! holds the mapping and where a submission goes (town, department, the person's kinds).

mod counts;
mod rows;
mod writes;

pub use counts::{
    ChildKindCounts, DepartmentKindCounts, PeriodCounts, StatRow, overdue_unsigned_by_grid, period_counts, stats,
};
pub use rows::{ListFilter, SubmissionRow, TodoSpec, get, get_tx, list, open_for, todo};
pub use writes::{NewStep, NewSubmission, StepRow, insert, insert_step, notify, steps_of, update};

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx, Value};
use crate::domains::events::calendar::WorkCalendar;
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MappingRow {
    pub kind: String,
    pub department_kind: String,
    pub sign_limit: String,
    pub yellow_pct: i64,
    pub enabled: bool,
    pub version: i64,
}

const MAPPING_COLUMNS: &str = "kind, department_kind, sign_limit, yellow_pct, enabled, version";

pub async fn mapping(db: &Db) -> sqlx::Result<Vec<MappingRow>> {
    db.read().fetch_all(&format!("SELECT {MAPPING_COLUMNS} FROM submission_mapping ORDER BY kind"), vec![]).await
}

pub async fn mapping_tx(tx: &mut Tx, kind: &str) -> sqlx::Result<Option<MappingRow>> {
    tx.fetch_optional(&format!("SELECT {MAPPING_COLUMNS} FROM submission_mapping WHERE kind = $1"), args![kind]).await
}

pub async fn update_mapping(tx: &mut Tx, m: &MappingRow, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE submission_mapping SET department_kind = $1, sign_limit = $2, yellow_pct = $3, enabled = $4, updated_at = $5, \
             version = version + 1 WHERE kind = $6 AND version = $7",
            args![m.department_kind.as_str(), m.sign_limit.as_str(), m.yellow_pct, m.enabled, now, m.kind.as_str(), m.version],
        )
        .await?;
    Ok(n == 1)
}

/// The work calendar, read inside the caller's transaction.
pub async fn calendar_tx(tx: &mut Tx) -> sqlx::Result<WorkCalendar> {
    let days: Vec<(String, bool)> = tx.fetch_all("SELECT day, working FROM work_calendar", vec![]).await?;
    Ok(WorkCalendar::from_days(days))
}

/// Where a grid lies: (grid path, town id, town path). A grid outside any town (not expected) falls
/// back to the root of its path.
pub async fn town_of(tx: &mut Tx, grid_id: i64) -> sqlx::Result<Option<(String, i64, String)>> {
    let Some((grid_path,)): Option<(String,)> =
        tx.fetch_optional("SELECT path FROM areas WHERE id = $1", args![grid_id]).await?
    else {
        return Ok(None);
    };
    let ids: Vec<i64> = grid_path.split('/').filter_map(|p| p.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let rows: Vec<(i64, String, String)> = tx
        .fetch_all(
            &format!("SELECT id, path, kind FROM areas WHERE id IN ({}) ORDER BY depth", marks.join(", ")),
            ids.iter().map(|i| Value::from(*i)).collect(),
        )
        .await?;
    let town = rows.iter().find(|(_, _, k)| k == "town").or(rows.first());
    Ok(town.map(|(id, path, _)| (grid_path.clone(), *id, path.clone())))
}

/// The town's active department of a kind (the oldest, if there are several).
pub async fn department_for(tx: &mut Tx, town_id: i64, kind: &str) -> sqlx::Result<Option<i64>> {
    let r: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM departments WHERE area_id = $1 AND kind = $2 AND status = 'active' ORDER BY id LIMIT 1",
            args![town_id, kind],
        )
        .await?;
    Ok(r.map(|r| r.0))
}

/// The special-population kinds a person has an active file of.
pub async fn special_kinds_of(tx: &mut Tx, person_id: i64) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = tx
        .fetch_all(
            "SELECT kind FROM special_files WHERE person_id = $1 AND status = 'active' ORDER BY kind",
            args![person_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
