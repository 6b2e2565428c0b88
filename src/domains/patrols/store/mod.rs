//! SQL of patrols: the checklist, patrols with their points, checks and findings, check-ins, and
//! the figures per worker and grid. Every read of patrol data is bounded by an area path.

mod check_ins;
mod checklist;
mod figures;
mod findings;

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};
use crate::web::paging::{Page, Paging};
pub use check_ins::{CheckInRow, NewCheckIn, check_in, check_in_tx, check_ins, insert_check_in};
pub use checklist::{ItemRow, active_item_ids_tx, checklist, insert_item, item_tx, update_item};
pub use figures::{GridFigures, WorkerFigures, grid_figures, grids_under, names, worker_figures};
pub use findings::{
    CheckRow, FindingRow, NewFinding, checks_of, finding, findings_of, insert_finding, link_event, upsert_check,
};
use serde::Serialize;

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
