//! SQL of patrols: the checklist, patrols with their points, checks and findings, check-ins, and
//! the figures per worker and grid. Every read of patrol data is bounded by an area path.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

/// One item of the patrol checklist.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ItemRow {
    pub id: i64,
    pub name: String,
    pub hint: String,
    pub event_category: String,
    pub sort: i64,
    pub active: bool,
    pub version: i64,
}

const ITEM_COLUMNS: &str = "id, name, hint, event_category, sort, active, version";

pub async fn checklist(db: &Db) -> sqlx::Result<Vec<ItemRow>> {
    db.read().fetch_all(&format!("SELECT {ITEM_COLUMNS} FROM patrol_checklist_items ORDER BY sort, id"), vec![]).await
}

pub async fn item_tx(tx: &mut Tx, id: i64) -> sqlx::Result<Option<ItemRow>> {
    tx.fetch_optional(&format!("SELECT {ITEM_COLUMNS} FROM patrol_checklist_items WHERE id = $1"), args![id]).await
}

pub async fn active_item_ids_tx(tx: &mut Tx) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        tx.fetch_all("SELECT id FROM patrol_checklist_items WHERE active = $1", args![true]).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn insert_item(tx: &mut Tx, i: &ItemRow, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO patrol_checklist_items (name, hint, event_category, sort, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![i.name.as_str(), i.hint.as_str(), i.event_category.as_str(), i.sort, i.active, now],
        )
        .await?;
    Ok(id)
}

/// Updates an item if its version still matches.
pub async fn update_item(tx: &mut Tx, i: &ItemRow, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE patrol_checklist_items SET name = $1, hint = $2, event_category = $3, sort = $4, active = $5, \
             updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
            args![i.name.as_str(), i.hint.as_str(), i.event_category.as_str(), i.sort, i.active, now, i.id, i.version],
        )
        .await?;
    Ok(n == 1)
}

/// A patrol with the names pages show.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PatrolRow {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub day: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub metres: i64,
    pub points: i64,
    pub findings: i64,
    pub last_lat: Option<f64>,
    pub last_lng: Option<f64>,
    pub last_at: Option<i64>,
    pub note: String,
    pub version: i64,
}

const PATROL_COLUMNS: &str = "p.id, p.account_id, ac.display_name AS account_name, p.grid_id, g.name AS grid_name, \
     p.grid_path, p.day, p.started_at, p.ended_at, p.metres, p.points, p.findings, p.last_lat, p.last_lng, p.last_at, \
     p.note, p.version";
const PATROL_FROM: &str = "FROM patrols p JOIN accounts ac ON ac.id = p.account_id JOIN areas g ON g.id = p.grid_id";

pub struct NewPatrol<'a> {
    pub account_id: i64,
    pub grid_id: i64,
    pub grid_path: &'a str,
    pub day: &'a str,
    pub started_at: Millis,
}

pub async fn insert_patrol(tx: &mut Tx, p: &NewPatrol<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO patrols (account_id, grid_id, grid_path, day, started_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id",
            args![p.account_id, p.grid_id, p.grid_path, p.day, p.started_at],
        )
        .await?;
    Ok(id)
}

/// One patrol inside a scope.
pub async fn patrol(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<PatrolRow>> {
    let mut f = Filter::new();
    f.and1("p.id = ?", id);
    within(&mut f, "p.grid_path", scope_path);
    db.read().fetch_optional(&format!("SELECT {PATROL_COLUMNS} {PATROL_FROM}{}", f.where_sql()), f.args()).await
}

/// One patrol inside a scope, read in the caller's transaction.
pub async fn patrol_tx(tx: &mut Tx, scope_path: &str, id: i64) -> sqlx::Result<Option<PatrolRow>> {
    let mut f = Filter::new();
    f.and1("p.id = ?", id);
    within(&mut f, "p.grid_path", scope_path);
    tx.fetch_optional(&format!("SELECT {PATROL_COLUMNS} {PATROL_FROM}{}", f.where_sql()), f.args()).await
}

/// The account's patrol in progress, if any.
pub async fn open_patrol_of(db: &Db, account_id: i64) -> sqlx::Result<Option<PatrolRow>> {
    db.read()
        .fetch_optional(
            &format!("SELECT {PATROL_COLUMNS} {PATROL_FROM} WHERE p.account_id = $1 AND p.ended_at IS NULL"),
            args![account_id],
        )
        .await
}

/// Filters of the patrol list.
#[derive(Debug, Default, Clone)]
pub struct PatrolFilter {
    pub scope_path: String,
    pub account_id: Option<i64>,
    pub from: Option<Millis>,
    pub to: Option<Millis>,
}

pub async fn list(db: &Db, pf: &PatrolFilter, paging: Paging) -> sqlx::Result<Page<PatrolRow>> {
    let mut f = Filter::new();
    within(&mut f, "p.grid_path", &pf.scope_path);
    if let Some(a) = pf.account_id {
        f.and1("p.account_id = ?", a);
    }
    if let Some(t) = pf.from {
        f.and1("p.started_at >= ?", t);
    }
    if let Some(t) = pf.to {
        f.and1("p.started_at < ?", t);
    }
    let (total,): (i64,) =
        db.read().fetch_one(&format!("SELECT COUNT(*) FROM patrols p{}", f.where_sql()), f.args()).await?;
    let (args, marks) = f.args_with(vec![paging.limit().into(), paging.offset().into()]);
    let items = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {PATROL_COLUMNS} {PATROL_FROM}{} ORDER BY p.started_at DESC, p.id DESC LIMIT {} OFFSET {}",
                f.where_sql(),
                marks[0],
                marks[1]
            ),
            args,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// A stored point of a track.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PointRow {
    pub lat: f64,
    pub lng: f64,
    pub accuracy: f64,
    pub at: i64,
    pub counted: bool,
}

/// Appends points: (lat, lng, accuracy, at, counted).
pub async fn insert_points(tx: &mut Tx, patrol_id: i64, points: &[(f64, f64, f64, Millis, bool)]) -> sqlx::Result<()> {
    for chunk in points.chunks(100) {
        let mut values = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        for (lat, lng, acc, at, counted) in chunk {
            let n = args.len();
            values.push(format!("(${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6));
            args.extend([
                Value::from(patrol_id),
                Value::Float(Some(*lat)),
                Value::Float(Some(*lng)),
                Value::Float(Some(*acc)),
                Value::from(*at),
                Value::from(*counted),
            ]);
        }
        tx.execute(
            &format!(
                "INSERT INTO patrol_points (patrol_id, lat, lng, accuracy, at, counted) VALUES {}",
                values.join(", ")
            ),
            args,
        )
        .await?;
    }
    Ok(())
}

/// Adds to the distance and point count and moves the anchor, if the version still matches.
pub async fn add_progress(
    tx: &mut Tx,
    p: &PatrolRow,
    metres: i64,
    points: i64,
    anchor: Option<(f64, f64, Millis)>,
    now: Millis,
) -> sqlx::Result<bool> {
    let (lat, lng, at) = match anchor {
        Some((a, b, c)) => (Some(a), Some(b), Some(c)),
        None => (p.last_lat, p.last_lng, p.last_at),
    };
    let n = tx
        .execute(
            "UPDATE patrols SET metres = $1, points = $2, last_lat = $3, last_lng = $4, last_at = $5, updated_at = $6, \
             version = version + 1 WHERE id = $7 AND version = $8 AND ended_at IS NULL",
            args![p.metres + metres, p.points + points, Value::Float(lat), Value::Float(lng), at, now, p.id, p.version],
        )
        .await?;
    Ok(n == 1)
}

/// Ends a patrol if its version still matches and it is open.
pub async fn end_patrol(tx: &mut Tx, p: &PatrolRow, note: &str, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE patrols SET ended_at = $1, note = $2, updated_at = $1, version = version + 1 \
             WHERE id = $3 AND version = $4 AND ended_at IS NULL",
            args![now, note, p.id, p.version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn points_of(db: &Db, patrol_id: i64) -> sqlx::Result<Vec<PointRow>> {
    db.read()
        .fetch_all(
            "SELECT lat, lng, accuracy, at, counted FROM patrol_points WHERE patrol_id = $1 ORDER BY at, id",
            args![patrol_id],
        )
        .await
}

/// A checklist result of a patrol.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CheckRow {
    pub item_id: i64,
    pub result: String,
    pub note: String,
    pub checked_at: i64,
}

pub async fn upsert_check(
    tx: &mut Tx,
    patrol_id: i64,
    item_id: i64,
    result: &str,
    note: &str,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO patrol_checks (patrol_id, item_id, result, note, checked_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (patrol_id, item_id) DO UPDATE SET result = excluded.result, note = excluded.note, \
         checked_at = excluded.checked_at",
        args![patrol_id, item_id, result, note, now],
    )
    .await
    .map(drop)
}

pub async fn checks_of(db: &Db, patrol_id: i64) -> sqlx::Result<Vec<CheckRow>> {
    db.read()
        .fetch_all(
            "SELECT item_id, result, note, checked_at FROM patrol_checks WHERE patrol_id = $1 ORDER BY item_id",
            args![patrol_id],
        )
        .await
}

/// A finding of a patrol.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub patrol_id: i64,
    pub item_id: Option<i64>,
    pub item_name: Option<String>,
    pub item_category: Option<String>,
    pub account_id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub found_at: i64,
    pub event_id: Option<i64>,
    pub event_state: Option<String>,
    pub version: i64,
}

const FINDING_COLUMNS: &str = "f.id, f.patrol_id, f.item_id, i.name AS item_name, i.event_category AS item_category, \
     f.account_id, f.grid_id, g.name AS grid_name, f.grid_path, f.description, f.address, f.lat, f.lng, f.found_at, \
     f.event_id, e.state AS event_state, f.version";
const FINDING_FROM: &str = "FROM patrol_findings f LEFT JOIN patrol_checklist_items i ON i.id = f.item_id \
     JOIN areas g ON g.id = f.grid_id LEFT JOIN events e ON e.id = f.event_id";

pub struct NewFinding<'a> {
    pub patrol: &'a PatrolRow,
    pub item_id: Option<i64>,
    pub description: &'a str,
    pub address: &'a str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub now: Millis,
}

/// Inserts a finding and counts it on its patrol.
pub async fn insert_finding(tx: &mut Tx, f: &NewFinding<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO patrol_findings (patrol_id, item_id, account_id, grid_id, grid_path, description, address, lat, lng, \
             found_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10) RETURNING id",
            args![
                f.patrol.id,
                f.item_id,
                f.patrol.account_id,
                f.patrol.grid_id,
                f.patrol.grid_path.as_str(),
                f.description,
                f.address,
                Value::Float(f.lat),
                Value::Float(f.lng),
                f.now
            ],
        )
        .await?;
    tx.execute("UPDATE patrols SET findings = findings + 1 WHERE id = $1", args![f.patrol.id]).await?;
    Ok(id)
}

pub async fn findings_of(db: &Db, patrol_id: i64) -> sqlx::Result<Vec<FindingRow>> {
    db.read()
        .fetch_all(
            &format!("SELECT {FINDING_COLUMNS} {FINDING_FROM} WHERE f.patrol_id = $1 ORDER BY f.id"),
            args![patrol_id],
        )
        .await
}

/// One finding inside a scope.
pub async fn finding(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<FindingRow>> {
    let mut f = Filter::new();
    f.and1("f.id = ?", id);
    within(&mut f, "f.grid_path", scope_path);
    db.read().fetch_optional(&format!("SELECT {FINDING_COLUMNS} {FINDING_FROM}{}", f.where_sql()), f.args()).await
}

/// Links a finding to the event made of it, if it has none yet and its version still matches.
pub async fn link_event(tx: &mut Tx, id: i64, version: i64, event_id: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE patrol_findings SET event_id = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND version = $4 AND event_id IS NULL",
            args![event_id, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

/// A check-in of an account on a day.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CheckInRow {
    pub account_id: i64,
    pub account_name: String,
    pub day: String,
    pub at: i64,
    pub area_id: i64,
    pub area_name: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub accuracy: Option<f64>,
}

const CHECK_IN_SELECT: &str = "SELECT c.account_id, ac.display_name AS account_name, c.day, c.at, c.area_id, \
     a.name AS area_name, c.lat, c.lng, c.accuracy FROM check_ins c JOIN accounts ac ON ac.id = c.account_id \
     JOIN areas a ON a.id = c.area_id";

pub async fn check_in_tx(tx: &mut Tx, account_id: i64, day: &str) -> sqlx::Result<Option<CheckInRow>> {
    tx.fetch_optional(&format!("{CHECK_IN_SELECT} WHERE c.account_id = $1 AND c.day = $2"), args![account_id, day])
        .await
}

pub async fn check_in(db: &Db, account_id: i64, day: &str) -> sqlx::Result<Option<CheckInRow>> {
    db.read()
        .fetch_optional(&format!("{CHECK_IN_SELECT} WHERE c.account_id = $1 AND c.day = $2"), args![account_id, day])
        .await
}

pub struct NewCheckIn<'a> {
    pub account_id: i64,
    pub day: &'a str,
    pub at: Millis,
    pub area_id: i64,
    pub area_path: &'a str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub accuracy: Option<f64>,
}

pub async fn insert_check_in(tx: &mut Tx, c: &NewCheckIn<'_>) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO check_ins (account_id, day, at, area_id, area_path, lat, lng, accuracy) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            c.account_id,
            c.day,
            c.at,
            c.area_id,
            c.area_path,
            Value::Float(c.lat),
            Value::Float(c.lng),
            Value::Float(c.accuracy)
        ],
    )
    .await
    .map(drop)
}

/// Check-ins inside a subtree between two dates (inclusive), newest first (at most 1,000).
pub async fn check_ins(db: &Db, path: &str, from_day: &str, to_day: &str) -> sqlx::Result<Vec<CheckInRow>> {
    let mut f = Filter::new();
    within(&mut f, "c.area_path", path);
    f.and1("c.day >= ?", from_day);
    f.and1("c.day <= ?", to_day);
    db.read()
        .fetch_all(&format!("{CHECK_IN_SELECT}{} ORDER BY c.day DESC, c.at DESC LIMIT 1000", f.where_sql()), f.args())
        .await
}

/// Patrol figures of one worker in one grid.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct WorkerFigures {
    pub account_id: i64,
    pub grid_id: i64,
    pub patrol_days: i64,
    pub minutes: i64,
    pub metres: i64,
    pub findings: i64,
}

/// Patrol figures of one grid (patrol days: days on which anyone patrolled it).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct GridFigures {
    pub grid_id: i64,
    pub patrols: i64,
    pub patrol_days: i64,
    pub minutes: i64,
    pub metres: i64,
    pub findings: i64,
}

/// The sums shared by both groupings: a patrol counts for the day it started; minutes are whole
/// minutes per ended patrol (an open patrol has none yet).
const SUMS: &str = "COUNT(DISTINCT p.day) AS patrol_days, \
     CAST(COALESCE(SUM(CASE WHEN p.ended_at IS NULL THEN 0 ELSE (p.ended_at - p.started_at) / 60000 END), 0) AS BIGINT) AS minutes, \
     CAST(COALESCE(SUM(p.metres), 0) AS BIGINT) AS metres, CAST(COALESCE(SUM(p.findings), 0) AS BIGINT) AS findings";

/// Patrols started in `[from, to)` in grids under `area_path`.
fn started_in(area_path: &str, from: Millis, to: Millis) -> Filter {
    let mut f = Filter::new();
    within(&mut f, "p.grid_path", area_path);
    f.and1("p.started_at >= ?", from);
    f.and1("p.started_at < ?", to);
    f
}

/// Figures per worker and grid of the patrols started in `[from, to)` in grids under `area_path`.
pub async fn worker_figures(db: &Db, area_path: &str, from: Millis, to: Millis) -> sqlx::Result<Vec<WorkerFigures>> {
    let f = started_in(area_path, from, to);
    db.read()
        .fetch_all(
            &format!(
                "SELECT p.account_id, p.grid_id, {SUMS} FROM patrols p{} GROUP BY p.account_id, p.grid_id \
                 ORDER BY p.grid_id, p.account_id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Figures per grid of the patrols started in `[from, to)` in grids under `area_path`.
pub async fn grid_figures(db: &Db, area_path: &str, from: Millis, to: Millis) -> sqlx::Result<Vec<GridFigures>> {
    let f = started_in(area_path, from, to);
    db.read()
        .fetch_all(
            &format!(
                "SELECT p.grid_id, COUNT(*) AS patrols, {SUMS} FROM patrols p{} GROUP BY p.grid_id ORDER BY p.grid_id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Names of accounts and areas, for the figures (id → name).
pub async fn names(db: &Db, table: &str, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (table, col) = if table == "accounts" { ("accounts", "display_name") } else { ("areas", "name") };
    let mut f = Filter::new();
    f.and_in("id", ids);
    db.read().fetch_all(&format!("SELECT id, {col} FROM {table}{}", f.where_sql()), f.args()).await
}

/// Active grids under a path (for the start form of community staff).
pub async fn grids_under(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let mut f = Filter::new();
    within(&mut f, "path", path);
    f.and1("kind = ?", "grid");
    f.and1("status = ?", "active");
    db.read().fetch_all(&format!("SELECT id, name FROM areas{} ORDER BY code LIMIT 500", f.where_sql()), f.args()).await
}
