//! The day's check-in (签到): once a Beijing day, offline check-ins synced later.

use super::track::phone_time;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::patrols::model;
use crate::domains::patrols::store::{self, CheckInRow};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub accuracy: Option<f64>,
    /// When the phone checked in (offline check-ins sync later); absent: now.
    pub at: Option<i64>,
}

/// The day's check-in: the first one of a Beijing day is stored (answers `true`); a second one the
/// same day changes nothing and answers the first (`false`).
pub async fn check_in(state: &AppState, actor: &Actor, i: &CheckInInput) -> AppResult<(bool, CheckInRow)> {
    actor.require(Permission::FieldWork)?;
    let mut e = FieldErrors::new();
    model::check_position(i.lat, i.lng, &mut e);
    if let Some(a) = i.accuracy
        && (!a.is_finite() || a <= 0.0 || a > 100_000.0)
    {
        e.insert("accuracy".into(), "定位精度应为大于 0 的米数".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let at = phone_time("at", i.at, 0, actor.now)?;
    let day = model::day_of(at);
    let mut tx = state.db.begin().await?;
    if let Some(c) = store::check_in_tx(&mut tx, actor.id, &day).await? {
        return Ok((false, c));
    }
    let c = store::NewCheckIn {
        account_id: actor.id,
        day: &day,
        at,
        area_id: actor.scope.area_id(),
        area_path: actor.scope.path(),
        lat: i.lat,
        lng: i.lng,
        accuracy: i.accuracy,
    };
    store::insert_check_in(&mut tx, &c).await?;
    audit::record(&mut tx, &actor.audit(), "checked_in", "check_in", &day, json!({ "located": i.lat.is_some() }))
        .await?;
    let row = store::check_in_tx(&mut tx, actor.id, &day).await?.ok_or_else(|| AppError::not_found("签到"))?;
    tx.commit().await?;
    Ok((true, row))
}

/// The caller's check-in today, if any.
pub async fn my_check_in(state: &AppState, actor: &Actor) -> AppResult<Option<CheckInRow>> {
    Ok(store::check_in(&state.db, actor.id, &model::day_of(actor.now)).await?)
}
