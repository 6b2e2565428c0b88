//! SQL of the public side: resident reports and their tracking codes, the counts of the abuse-control
//! windows, the intake's system account, public replies, and the community office details.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx, Value};
use serde::Serialize;

/// The username of the per-deployment system account that reports residents' events.
pub const INTAKE_USERNAME: &str = "resident-intake";

/// The intake account's id, if it exists.
pub async fn intake_account(db: &Db) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> =
        db.read().fetch_optional("SELECT id FROM accounts WHERE username = $1", args![INTAKE_USERNAME]).await?;
    Ok(row.map(|r| r.0))
}

/// Creates the intake account: retired (nobody can sign in with it, and a retired account cannot be
/// changed back on any page), no usable password, bound to the first county. Answers its id, or
/// `None` when another request created it first.
pub async fn insert_intake_account(tx: &mut Tx, county_id: i64, now: Millis) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO accounts (username, display_name, role, area_id, password_hash, must_change_password, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, FALSE, 'retired', $6, $6) \
             ON CONFLICT (username) DO NOTHING RETURNING id",
            args![INTAKE_USERNAME, "群众反映（系统账号）", "county_center", county_id, "!", now],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// The first root of the area tree (the county a report without a grid goes to): (id, path).
pub async fn first_root(db: &Db) -> sqlx::Result<Option<(i64, String)>> {
    db.read()
        .fetch_optional(
            "SELECT id, path FROM areas WHERE parent_id IS NULL AND status = 'active' ORDER BY id LIMIT 1",
            args![],
        )
        .await
}

/// How many reports a client address (or a grid) sent since `since`, and when the oldest came.
const BY_CLIENT: &str =
    "SELECT COUNT(*), MIN(created_at) FROM public_reports WHERE client_key = $1 AND created_at >= $2";
const BY_GRID: &str = "SELECT COUNT(*), MIN(created_at) FROM public_reports WHERE grid_id = $1 AND created_at >= $2";

/// The key of a window: a client address (its keyed hash) or a grid.
#[derive(Clone, Debug)]
pub enum WindowKey<'a> {
    Client(&'a str),
    Grid(i64),
}

impl WindowKey<'_> {
    fn query(&self, since: Millis) -> (&'static str, Vec<Value>) {
        match self {
            WindowKey::Client(k) => (BY_CLIENT, args![*k, since]),
            WindowKey::Grid(g) => (BY_GRID, args![*g, since]),
        }
    }
}

pub async fn window_db(db: &Db, key: &WindowKey<'_>, since: Millis) -> sqlx::Result<(i64, Option<Millis>)> {
    let (sql, a) = key.query(since);
    db.read().fetch_one(sql, a).await
}

pub async fn window_tx(tx: &mut Tx, key: &WindowKey<'_>, since: Millis) -> sqlx::Result<(i64, Option<Millis>)> {
    let (sql, a) = key.query(since);
    tx.fetch_one(sql, a).await
}

/// An earlier report that may be the same problem.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecentRow {
    pub event_id: i64,
    pub tracking_code: String,
    pub grid_id: Option<i64>,
    pub category: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address_key: String,
    pub created_at: Millis,
}

fn recent_query(grid_id: Option<i64>, category: &str, since: Millis) -> (String, Vec<Value>) {
    let cols =
        "SELECT event_id, tracking_code, grid_id, category, lon, lat, address_key, created_at FROM public_reports";
    match grid_id {
        Some(g) => (
            format!("{cols} WHERE grid_id = $1 AND category = $2 AND created_at >= $3 ORDER BY created_at"),
            args![g, category, since],
        ),
        None => (
            format!("{cols} WHERE grid_id IS NULL AND category = $1 AND created_at >= $2 ORDER BY created_at"),
            args![category, since],
        ),
    }
}

/// Reports of a grid (or of no grid) and category since `since`, oldest first.
pub async fn recent_db(db: &Db, grid_id: Option<i64>, category: &str, since: Millis) -> sqlx::Result<Vec<RecentRow>> {
    let (sql, a) = recent_query(grid_id, category, since);
    db.read().fetch_all(&sql, a).await
}

pub async fn recent_tx(
    tx: &mut Tx,
    grid_id: Option<i64>,
    category: &str,
    since: Millis,
) -> sqlx::Result<Vec<RecentRow>> {
    let (sql, a) = recent_query(grid_id, category, since);
    tx.fetch_all(&sql, a).await
}

/// A report row to write with its event.
pub struct NewReport<'a> {
    pub event_id: i64,
    pub tracking_code: &'a str,
    pub source: &'a str,
    pub api_key_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub category: &'a str,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub address_key: &'a str,
    pub client_key: &'a str,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_masked: Option<String>,
    pub at: Millis,
}

pub async fn insert_report(tx: &mut Tx, r: &NewReport<'_>) -> sqlx::Result<i64> {
    let row: (i64,) = tx
        .fetch_one(
            "INSERT INTO public_reports (event_id, tracking_code, source, api_key_id, grid_id, category, lon, lat, \
             address_key, client_key, phone_enc, phone_masked, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            args![
                r.event_id,
                r.tracking_code,
                r.source,
                r.api_key_id,
                r.grid_id,
                r.category,
                Value::Float(r.lon),
                Value::Float(r.lat),
                r.address_key,
                r.client_key,
                Value::Bytes(r.phone_enc.clone()),
                r.phone_masked.clone(),
                r.at
            ],
        )
        .await?;
    Ok(row.0)
}

/// A resident report as the tracking page and the staff's event page need it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub event_id: i64,
    pub tracking_code: String,
    pub source: String,
    pub grid_id: Option<i64>,
    pub category: String,
    #[serde(skip)]
    pub phone_enc: Option<Vec<u8>>,
    pub phone_masked: Option<String>,
    pub created_at: Millis,
}

const REPORT_COLUMNS: &str = "SELECT id, event_id, tracking_code, source, grid_id, category, phone_enc, phone_masked, created_at FROM public_reports";

pub async fn report_by_code(db: &Db, code: &str) -> sqlx::Result<Option<ReportRow>> {
    db.read().fetch_optional(&format!("{REPORT_COLUMNS} WHERE tracking_code = $1"), args![code]).await
}

pub async fn report_by_event(db: &Db, event_id: i64) -> sqlx::Result<Option<ReportRow>> {
    db.read().fetch_optional(&format!("{REPORT_COLUMNS} WHERE event_id = $1"), args![event_id]).await
}

/// A public reply on an event.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReplyRow {
    pub id: i64,
    pub event_id: i64,
    pub body: String,
    pub unit_name: String,
    pub signed_name: String,
    pub created_at: Millis,
}

pub async fn replies_of(db: &Db, event_id: i64) -> sqlx::Result<Vec<ReplyRow>> {
    db.read()
        .fetch_all(
            "SELECT id, event_id, body, unit_name, signed_name, created_at FROM public_replies WHERE event_id = $1 ORDER BY id",
            args![event_id],
        )
        .await
}

pub async fn insert_reply(
    tx: &mut Tx,
    event_id: i64,
    body: &str,
    unit_name: &str,
    signed_name: &str,
    account_id: i64,
    at: Millis,
) -> sqlx::Result<i64> {
    let row: (i64,) = tx
        .fetch_one(
            "INSERT INTO public_replies (event_id, body, unit_name, signed_name, account_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![event_id, body, unit_name, signed_name, account_id, at],
        )
        .await?;
    Ok(row.0)
}

/// An event as the tracking page shows it: no text written by staff, no names of people.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrackedEvent {
    pub id: i64,
    pub state: String,
    pub category_name: String,
    pub grid_name: Option<String>,
    pub step: Option<String>,
    pub deadline: Option<Millis>,
    pub close_due_at: Option<Millis>,
    pub reported_at: Millis,
    pub closed_at: Option<Millis>,
}

pub async fn tracked_event(db: &Db, event_id: i64) -> sqlx::Result<Option<TrackedEvent>> {
    db.read()
        .fetch_optional(
            "SELECT e.id, e.state, c.name AS category_name, g.name AS grid_name, e.step, e.deadline, e.close_due_at, \
             e.reported_at, e.closed_at, e.merged_into FROM events e JOIN event_categories c ON c.code = e.category \
             LEFT JOIN areas g ON g.id = e.grid_id WHERE e.id = $1",
            args![event_id],
        )
        .await
}

/// The timeline as the public sees it: the action, the unit holding the event after it, and when
/// (never the note or who acted).
pub async fn public_steps(db: &Db, event_id: i64) -> sqlx::Result<Vec<(String, String, Millis)>> {
    db.read()
        .fetch_all("SELECT action, holder_label, at FROM event_steps WHERE event_id = $1 ORDER BY id", args![event_id])
        .await
}
