//! Writing events: new rows and updates, their steps (timeline), files, links and dispatched departments.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx, Value};
use serde::Serialize;

/// The columns an insert of a new event writes, in order.
pub const INSERT_COLUMNS: [&str; 27] = [
    "category",
    "severity",
    "channel",
    "title",
    "details",
    "address",
    "lon",
    "lat",
    "grid_id",
    "area_id",
    "area_path",
    "needs_grid",
    "state",
    "holder_area_id",
    "reporter_account_id",
    "step",
    "step_started_at",
    "deadline",
    "yellow_at",
    "red_at",
    "card",
    "next_card_at",
    "reported_at",
    "accepted_at",
    "accepted_on_time",
    "created_at",
    "updated_at",
];

pub async fn insert_event(tx: &mut Tx, values: Vec<Value>) -> sqlx::Result<i64> {
    crate::db::bulk::insert_one(tx, "events", &INSERT_COLUMNS, values).await
}

/// Sets the named columns of an event if its version is still `version`; bumps the version.
pub async fn update_event(
    tx: &mut Tx,
    id: i64,
    version: i64,
    sets: &[(&str, Value)],
    now: Millis,
) -> sqlx::Result<bool> {
    crate::db::bulk::update_versioned(tx, "events", id, version, sets, now).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub id: i64,
    pub action: String,
    pub account_id: Option<i64>,
    pub actor_name: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub holder_label: String,
    pub note: String,
    pub data: String,
    pub step: Option<String>,
    pub step_minutes: Option<i64>,
    pub limit_minutes: Option<i64>,
    pub at: i64,
}

/// One line of the timeline.
pub struct NewStep<'a> {
    pub event_id: i64,
    pub action: &'a str,
    pub account_id: Option<i64>,
    pub actor_name: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub holder_label: &'a str,
    pub note: &'a str,
    pub data: String,
    pub step: Option<&'a str>,
    pub step_minutes: Option<i64>,
    pub limit_minutes: Option<i64>,
    pub at: Millis,
}

/// The columns of a timeline line, in the order of `step_values` (the bench writes rows in it too).
pub const STEP_COLUMNS: [&str; 13] = [
    "event_id",
    "action",
    "account_id",
    "actor_name",
    "from_state",
    "to_state",
    "holder_label",
    "note",
    "data",
    "step",
    "step_minutes",
    "limit_minutes",
    "at",
];

fn step_values(s: &NewStep<'_>) -> Vec<Value> {
    args![
        s.event_id,
        s.action,
        s.account_id,
        s.actor_name,
        s.from_state,
        s.to_state,
        s.holder_label,
        s.note,
        s.data.as_str(),
        s.step,
        s.step_minutes,
        s.limit_minutes,
        s.at
    ]
}

pub async fn insert_step(tx: &mut Tx, s: &NewStep<'_>) -> sqlx::Result<i64> {
    crate::db::bulk::insert_one(tx, "event_steps", &STEP_COLUMNS, step_values(s)).await
}

/// Several timeline lines in one statement (the card job).
pub async fn insert_steps(tx: &mut Tx, steps: &[NewStep<'_>]) -> sqlx::Result<()> {
    crate::db::bulk::insert_rows(tx, "event_steps", &STEP_COLUMNS, steps.iter().map(step_values).collect()).await?;
    Ok(())
}

pub async fn steps_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<StepRow>> {
    db.read()
        .fetch_all(
            "SELECT id, action, account_id, actor_name, from_state, to_state, holder_label, note, data, step, step_minutes, \
             limit_minutes, at FROM event_steps WHERE event_id = $1 ORDER BY id",
            args![event_id],
        )
        .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FileRow {
    pub file_id: String,
    pub step_id: Option<i64>,
    pub stage: String,
    pub content_type: String,
    pub size: i64,
}

pub async fn insert_file(tx: &mut Tx, event_id: i64, step_id: i64, file_id: &str, stage: &str) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO event_files (event_id, step_id, file_id, stage) VALUES ($1, $2, $3, $4)",
        args![event_id, step_id, file_id, stage],
    )
    .await?;
    Ok(())
}

pub async fn files_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<FileRow>> {
    db.read()
        .fetch_all(
            "SELECT ef.file_id, ef.step_id, ef.stage, f.content_type, f.size FROM event_files ef JOIN files f ON f.id = ef.file_id \
             WHERE ef.event_id = $1 ORDER BY ef.step_id, ef.file_id",
            args![event_id],
        )
        .await
}

/// The event a file belongs to, if it is an event photo.
pub async fn event_of_file(db: &Db, file_id: &str) -> sqlx::Result<Option<i64>> {
    let r: Option<(i64,)> =
        db.read().fetch_optional("SELECT event_id FROM event_files WHERE file_id = $1", args![file_id]).await?;
    Ok(r.map(|r| r.0))
}

pub async fn insert_link(tx: &mut Tx, event_id: i64, kind: &str, target: i64) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO event_links (event_id, kind, target_id) VALUES ($1, $2, $3)",
        args![event_id, kind, target],
    )
    .await?;
    Ok(())
}

pub async fn links_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<(String, i64)>> {
    db.read()
        .fetch_all(
            "SELECT kind, target_id FROM event_links WHERE event_id = $1 ORDER BY kind, target_id",
            args![event_id],
        )
        .await
}

pub async fn add_department(tx: &mut Tx, event_id: i64, department_id: i64) -> sqlx::Result<()> {
    let have: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT event_id FROM event_departments WHERE event_id = $1 AND department_id = $2",
            args![event_id, department_id],
        )
        .await?;
    if have.is_none() {
        tx.execute(
            "INSERT INTO event_departments (event_id, department_id) VALUES ($1, $2)",
            args![event_id, department_id],
        )
        .await?;
    }
    Ok(())
}
