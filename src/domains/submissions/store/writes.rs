//! What the stream writes: a new submission, a versioned update, the history steps and in-app
//! notifications.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx, Value};
use serde::Serialize;

/// The columns an insert writes, in order.
pub struct NewSubmission<'a> {
    pub person_id: i64,
    pub kind: &'a str,
    pub action: &'a str,
    pub town_id: i64,
    pub town_path: &'a str,
    pub grid_id: i64,
    pub grid_path: &'a str,
    pub department_kind: &'a str,
    pub department_id: Option<i64>,
    pub sent_by: i64,
    pub limit_minutes: i64,
    pub yellow_at: Millis,
    pub deadline: Millis,
    pub snapshot: String,
    pub now: Millis,
}

pub async fn insert(tx: &mut Tx, n: &NewSubmission<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO submissions (person_id, kind, action, town_id, town_path, grid_id, grid_path, department_kind, department_id, \
             no_department, state, sent_by, sent_at, last_sent_at, limit_minutes, yellow_at, deadline, snapshot, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'waiting', $11, $12, $12, $13, $14, $15, $16, $12, $12) RETURNING id",
            args![
                n.person_id,
                n.kind,
                n.action,
                n.town_id,
                n.town_path,
                n.grid_id,
                n.grid_path,
                n.department_kind,
                n.department_id,
                n.department_id.is_none(),
                n.sent_by,
                n.now,
                n.limit_minutes,
                n.yellow_at,
                n.deadline,
                n.snapshot.as_str()
            ],
        )
        .await?;
    Ok(id)
}

/// Sets the named columns if the version is still `version`; bumps the version.
pub async fn update(tx: &mut Tx, id: i64, version: i64, sets: &[(&str, Value)], now: Millis) -> sqlx::Result<bool> {
    crate::db::bulk::update_versioned(tx, "submissions", id, version, sets, now).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub id: i64,
    pub action: String,
    pub account_id: Option<i64>,
    pub actor_name: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub department_id: Option<i64>,
    pub note: String,
    pub data: String,
    pub at: i64,
}

pub struct NewStep<'a> {
    pub submission_id: i64,
    pub action: &'a str,
    pub account_id: Option<i64>,
    pub actor_name: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub department_id: Option<i64>,
    pub note: &'a str,
    pub data: String,
    pub at: Millis,
}

pub async fn insert_step(tx: &mut Tx, s: &NewStep<'_>) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO submission_steps (submission_id, action, account_id, actor_name, from_state, to_state, department_id, note, data, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            s.submission_id,
            s.action,
            s.account_id,
            s.actor_name,
            s.from_state,
            s.to_state,
            s.department_id,
            s.note,
            s.data.as_str(),
            s.at
        ],
    )
    .await?;
    Ok(())
}

pub async fn steps_of(db: &Db, id: i64) -> sqlx::Result<Vec<StepRow>> {
    db.read()
        .fetch_all(
            "SELECT id, action, account_id, actor_name, from_state, to_state, department_id, note, data, at FROM submission_steps \
             WHERE submission_id = $1 ORDER BY id",
            args![id],
        )
        .await
}

/// In-app notifications about a submission (not tied to an event).
pub async fn notify(tx: &mut Tx, account_ids: &[i64], kind: &str, text: &str, now: Millis) -> sqlx::Result<()> {
    for a in account_ids {
        tx.execute(
            "INSERT INTO notifications (account_id, event_id, kind, text, created_at) VALUES ($1, NULL, $2, $3, $4)",
            args![*a, kind, text, now],
        )
        .await?;
    }
    Ok(())
}
