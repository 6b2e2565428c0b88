//! Supervision records (督办), the time-limit scan, who holds an event, notifications, and the close-time bookkeeping.

use super::super::calendar::WorkCalendar;
use super::*;
use crate::args;
use crate::auth::scope::{Scope, within};
use crate::clock::Millis;
use crate::db::Filter;
use crate::db::{Db, Tx, Value};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SupervisionRow {
    pub id: i64,
    pub event_id: i64,
    pub level: String,
    pub step: String,
    pub area_id: Option<i64>,
    pub account_id: Option<i64>,
    pub note: String,
    pub created_at: i64,
}

/// A supervision to record.
pub struct NewSupervision {
    pub event_id: i64,
    pub level: String,
    pub step: String,
    pub step_started_at: Millis,
    pub area_id: Option<i64>,
    pub account_id: Option<i64>,
    pub note: String,
}

/// Records supervisions; an automatic one (no account) is recorded once per event, level and step
/// (a unique index refuses the second).
pub async fn insert_supervisions(tx: &mut Tx, rows: &[NewSupervision], now: Millis) -> sqlx::Result<()> {
    let values = rows
        .iter()
        .map(|s| {
            args![
                s.event_id,
                s.level.as_str(),
                s.step.as_str(),
                s.step_started_at,
                s.area_id,
                s.account_id,
                s.note.as_str(),
                now
            ]
        })
        .collect();
    crate::db::bulk::insert_rows(
        tx,
        "supervisions",
        &["event_id", "level", "step", "step_started_at", "area_id", "account_id", "note", "created_at"],
        values,
    )
    .await?;
    Ok(())
}

/// A supervision in the list, with its event and who supervised.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupervisionListRow {
    pub id: i64,
    pub level: String,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub by_name: String,
    pub note: String,
    pub created_at: i64,
    pub event_id: i64,
    pub event_title: String,
    pub event_state: String,
    pub event_card: String,
    pub holder_name: Option<String>,
}

/// Supervisions addressed to an area of a subtree (for a department: those of the events it holds),
/// newest first; optionally of one level, optionally only of events still open.
pub async fn supervision_list(
    db: &Db,
    v: &Scope,
    level: Option<&str>,
    open_only: bool,
    paging: Paging,
) -> sqlx::Result<Page<SupervisionListRow>> {
    let mut f = Filter::new();
    v.restrict_supervisions(&mut f);
    if let Some(l) = level {
        f.and1("s.level = ?", l);
    }
    if open_only {
        f.and("e.state NOT IN ('closed', 'evaluated', 'cancelled', 'merged')", vec![]);
    }
    let from = "FROM supervisions s JOIN events e ON e.id = s.event_id LEFT JOIN areas a ON a.id = s.area_id";
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {from}{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!(
                "SELECT s.id, s.level, s.area_id, a.name AS area_name, COALESCE(acc.display_name, '系统') AS by_name, s.note, \
                 s.created_at, e.id AS event_id, e.title AS event_title, e.state AS event_state, e.card AS event_card, \
                 COALESCE(ha.name, hd.name) AS holder_name {from} LEFT JOIN accounts acc ON acc.id = s.account_id \
                 LEFT JOIN areas ha ON ha.id = e.holder_area_id LEFT JOIN departments hd ON hd.id = e.holder_department_id{w} \
                 ORDER BY s.created_at DESC, s.id DESC LIMIT {} OFFSET {}",
                m[0], m[1]
            ),
            a,
        )
        .await?;
    Ok(paging.page(items, total))
}

pub async fn supervisions_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<SupervisionRow>> {
    db.read()
        .fetch_all(
            "SELECT id, event_id, level, step, area_id, account_id, note, created_at FROM supervisions WHERE event_id = $1 ORDER BY id",
            args![event_id],
        )
        .await
}

/// Events whose next card is due at `now`, oldest first.
pub async fn due_events(db: &Db, now: Millis, limit: i64) -> sqlx::Result<Vec<EventRow>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.next_card_at IS NOT NULL AND e.next_card_at <= $1 \
                 ORDER BY e.next_card_at LIMIT $2"
            ),
            args![now, limit],
        )
        .await
}

/// Accounts that act for a holder: bound to the area at its level, or handlers of the department.
pub async fn holder_accounts(db: &Db, area_id: Option<i64>, department_id: Option<i64>) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = match (area_id, department_id) {
        (Some(a), _) => {
            db.read()
                .fetch_all(
                    "SELECT id FROM accounts WHERE area_id = $1 AND department_id IS NULL AND status = 'active' \
                     AND role IN ('grid_worker', 'grid_leader', 'community_staff', 'town_center', 'county_center')",
                    args![a],
                )
                .await?
        }
        (None, Some(d)) => {
            db.read()
                .fetch_all(
                    "SELECT id FROM accounts WHERE department_id = $1 AND status = 'active' AND role = 'department_handler'",
                    args![d],
                )
                .await?
        }
        _ => vec![],
    };
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn notify(
    tx: &mut Tx,
    account_ids: &[i64],
    event_id: i64,
    kind: &str,
    text: &str,
    now: Millis,
) -> sqlx::Result<()> {
    notify_many(tx, account_ids.iter().map(|a| (*a, event_id, kind.to_owned(), text.to_owned())).collect(), now).await
}

/// Notifications `(account, event, kind, text)` in one statement.
pub async fn notify_many(tx: &mut Tx, rows: Vec<(i64, i64, String, String)>, now: Millis) -> sqlx::Result<()> {
    let values = rows.into_iter().map(|(a, e, kind, text)| args![a, e, kind, text, now]).collect();
    crate::db::bulk::insert_rows(
        tx,
        "notifications",
        &["account_id", "event_id", "kind", "text", "created_at"],
        values,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NotificationRow {
    pub id: i64,
    pub event_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn notifications(db: &Db, account_id: i64, paging: Paging) -> sqlx::Result<Page<NotificationRow>> {
    let (total,): (i64,) =
        db.read().fetch_one("SELECT COUNT(*) FROM notifications WHERE account_id = $1", args![account_id]).await?;
    let items = db
        .read()
        .fetch_all(
            "SELECT id, event_id, kind, text, created_at, read_at FROM notifications WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
            args![account_id, paging.limit(), paging.offset()],
        )
        .await?;
    Ok(paging.page(items, total))
}

pub async fn unread_count(db: &Db, account_id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = db
        .read()
        .fetch_one("SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL", args![account_id])
        .await?;
    Ok(n)
}

pub async fn mark_read(db: &Db, account_id: i64, now: Millis) -> sqlx::Result<u64> {
    db.read()
        .execute(
            "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
            args![now, account_id],
        )
        .await
}

/// How many of the given register records (person, house or place) lie inside a scope.
pub async fn count_in_scope(db: &Db, kind: &str, ids: &[i64], scope_path: &str) -> sqlx::Result<i64> {
    let table = match kind {
        "person" => "persons",
        "house" => "houses",
        _ => "places",
    };
    let mut f = Filter::new();
    let marks = vec!["?"; ids.len()].join(", ");
    f.and(&format!("t.id IN ({marks})"), ids.iter().map(|i| Value::from(*i)).collect());
    f.and1("t.status <> ?", "deleted");
    within(&mut f, "g.path", scope_path);
    let (n,): (i64,) = db
        .read()
        .fetch_one(
            &format!("SELECT COUNT(*) FROM {table} t JOIN areas g ON g.id = t.grid_id{}", f.where_sql()),
            f.args(),
        )
        .await?;
    Ok(n)
}

pub async fn set_close_due(tx: &mut Tx, id: i64, at: Millis) -> sqlx::Result<()> {
    tx.execute("UPDATE events SET close_due_at = $1 WHERE id = $2", args![at, id]).await?;
    Ok(())
}

/// Moves the date an event is due to close by an approved extension.
pub async fn move_close_due(tx: &mut Tx, id: i64, minutes: i64, cal: &WorkCalendar) -> sqlx::Result<()> {
    let r: Option<(Option<i64>,)> =
        tx.fetch_optional("SELECT close_due_at FROM events WHERE id = $1", args![id]).await?;
    if let Some((Some(due),)) = r {
        set_close_due(tx, id, cal.add(due, minutes)).await?;
    }
    Ok(())
}

/// Red cards an event has had (any step).
pub async fn red_count(tx: &mut Tx, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        tx.fetch_one("SELECT COUNT(*) FROM supervisions WHERE event_id = $1 AND level = 'red'", args![id]).await?;
    Ok(n)
}

/// The name of an area or a department.
pub async fn holder_name(tx: &mut Tx, area: Option<i64>, department: Option<i64>) -> sqlx::Result<String> {
    let r: Option<(String,)> = match (area, department) {
        (Some(a), _) => tx.fetch_optional("SELECT name FROM areas WHERE id = $1", args![a]).await?,
        (None, Some(d)) => tx.fetch_optional("SELECT name FROM departments WHERE id = $1", args![d]).await?,
        _ => None,
    };
    Ok(r.map(|r| r.0).unwrap_or_default())
}
