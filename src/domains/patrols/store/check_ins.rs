//! SQL of the daily check-ins.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};
use serde::Serialize;

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
