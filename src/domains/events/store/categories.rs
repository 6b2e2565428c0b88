//! Event categories with their time limits, and the work calendar (working days and holidays).

use super::super::calendar::WorkCalendar;
use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CategoryRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub name: String,
    pub sort: i64,
    pub required_fields: String,
    pub is_dispute: bool,
    pub accept_limit: String,
    pub handle_limit: String,
    pub verify_limit: String,
    pub yellow_pct: i64,
    pub red_pct: i64,
    pub active: bool,
    /// Verification (核查) must be by an account other than the one that completed the event.
    pub verifier_must_differ: bool,
    pub version: i64,
}

const CATEGORY_COLUMNS: &str = "code, parent_code, name, sort, required_fields, is_dispute, accept_limit, handle_limit, \
     verify_limit, yellow_pct, red_pct, active, verifier_must_differ, version";

pub async fn categories(db: &Db) -> sqlx::Result<Vec<CategoryRow>> {
    db.read().fetch_all(&format!("SELECT {CATEGORY_COLUMNS} FROM event_categories ORDER BY sort, code"), vec![]).await
}

pub async fn category(db: &Db, code: &str) -> sqlx::Result<Option<CategoryRow>> {
    db.read()
        .fetch_optional(&format!("SELECT {CATEGORY_COLUMNS} FROM event_categories WHERE code = $1"), args![code])
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn update_category_limits(
    tx: &mut Tx,
    code: &str,
    version: i64,
    accept: &str,
    handle: &str,
    verify: &str,
    yellow_pct: i64,
    red_pct: i64,
    required: &str,
    verifier_must_differ: bool,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE event_categories SET accept_limit = $1, handle_limit = $2, verify_limit = $3, yellow_pct = $4, red_pct = $5, \
             required_fields = $6, verifier_must_differ = $7, updated_at = $8, version = version + 1 \
             WHERE code = $9 AND version = $10",
            args![accept, handle, verify, yellow_pct, red_pct, required, verifier_must_differ, now, code, version],
        )
        .await?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CalendarDay {
    pub day: String,
    pub working: bool,
    pub note: String,
}

pub async fn calendar_days(db: &Db) -> sqlx::Result<Vec<CalendarDay>> {
    db.read().fetch_all("SELECT day, working, note FROM work_calendar ORDER BY day", vec![]).await
}

/// The work calendar with every stored override.
pub async fn calendar(db: &Db) -> sqlx::Result<WorkCalendar> {
    let days = calendar_days(db).await?;
    Ok(WorkCalendar::from_days(days.into_iter().map(|d| (d.day, d.working))))
}

pub async fn set_calendar_day(
    tx: &mut Tx,
    day: &str,
    working: Option<bool>,
    note: &str,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute("DELETE FROM work_calendar WHERE day = $1", args![day]).await?;
    if let Some(w) = working {
        tx.execute(
            "INSERT INTO work_calendar (day, working, note, updated_at) VALUES ($1, $2, $3, $4)",
            args![day, w, note, now],
        )
        .await?;
    }
    Ok(())
}
