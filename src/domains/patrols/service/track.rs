//! Starting a patrol, posting its track points (distance counted here) and ending it.

use super::{CHANGED, PatrolOut, out, own};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::clock::Millis;
use crate::domains::org::model::check_text;
use crate::domains::org::tree;
use crate::domains::patrols::model::{self, Fix, Step};
use crate::domains::patrols::store::{self, PatrolRow};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    pub grid_id: Option<i64>,
    /// When the worker started, if earlier than now (the field app started it offline; Unix ms).
    pub started_at: Option<i64>,
}

/// The longest a patrol recorded offline may lie in the past when it reaches the server.
pub const OFFLINE_WINDOW: Millis = 12 * crate::clock::HOUR;

/// A time the phone recorded offline: not in the future, not older than `OFFLINE_WINDOW`, not before `floor`.
pub(super) fn phone_time(field: &str, at: Option<i64>, floor: Millis, now: Millis) -> AppResult<Millis> {
    match at {
        None => Ok(now),
        Some(t) if t > now + crate::clock::MINUTE => Err(AppError::field(field, "时间不能晚于现在")),
        Some(t) if t < now - OFFLINE_WINDOW || t < floor => {
            Err(AppError::field(field, "时间太早：离线记录须在 12 小时内同步，且结束不能早于开始"))
        }
        Some(t) => Ok(t.min(now)),
    }
}

/// Starts a patrol of a grid: the named one (in scope), else the caller's own grid.
pub async fn start(state: &AppState, actor: &Actor, i: &StartInput) -> AppResult<PatrolOut> {
    actor.require(Permission::FieldWork)?;
    let grid_id = match i.grid_id {
        Some(g) => g,
        None => {
            let own = tree::get(&state.db, actor.scope.path(), actor.scope.area_id()).await?;
            match own {
                Some(a) if a.kind == "grid" => a.id,
                _ => return Err(AppError::field("grid_id", "请选择要巡查的网格")),
            }
        }
    };
    let grid = tree::get(&state.db, actor.scope.path(), grid_id)
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))?;
    if store::open_patrol_of(&state.db, actor.id).await?.is_some() {
        return Err(AppError::Conflict("您有一次巡查尚未结束，请先结束再开始新的巡查".into()));
    }
    let now = phone_time("started_at", i.started_at, 0, actor.now)?;
    let day = model::day_of(now);
    let mut tx = state.db.begin().await?;
    let np = store::NewPatrol { account_id: actor.id, grid_id, grid_path: &grid.path, day: &day, started_at: now };
    let id = match store::insert_patrol(&mut tx, &np).await {
        Ok(id) => id,
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::Conflict("您有一次巡查尚未结束，请先结束再开始新的巡查".into()));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(&mut tx, &actor.audit(), "patrol_started", "patrol", id, json!({ "grid_id": grid_id, "day": day }))
        .await?;
    tx.commit().await?;
    let p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    Ok(out(p))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    pub lat: f64,
    pub lng: f64,
    pub accuracy: f64,
    /// Unix milliseconds of the fix.
    pub at: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsInput {
    pub points: Vec<PointInput>,
}

/// Appends a batch of track points to one's open patrol and adds the counted distance. The whole
/// batch is refused (nothing stored) if any point is absurd.
pub async fn add_points(state: &AppState, actor: &Actor, id: i64, i: &PointsInput) -> AppResult<PatrolOut> {
    let p = own(state, actor, id).await?;
    if p.ended_at.is_some() {
        return Err(AppError::Conflict("本次巡查已结束，不能再记录轨迹".into()));
    }
    let mut fixes: Vec<Fix> =
        i.points.iter().map(|q| Fix { lat: q.lat, lng: q.lng, accuracy: q.accuracy, at: q.at }).collect();
    let e = model::check_points(&fixes, p.started_at, actor.now);
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    fixes.sort_by_key(|f| f.at);
    add_fixes(state, actor, &p, &fixes).await?;
    let p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    Ok(out(p))
}

/// Stores checked fixes (in time order) and moves the distance on, version-checked.
async fn add_fixes(state: &AppState, actor: &Actor, p: &PatrolRow, fixes: &[Fix]) -> AppResult<()> {
    let mut anchor = match (p.last_lat, p.last_lng, p.last_at) {
        (Some(lat), Some(lng), Some(at)) => Some(Fix { lat, lng, accuracy: 0.0, at }),
        _ => None,
    };
    let mut metres = 0.0;
    let mut rows = Vec::with_capacity(fixes.len());
    for f in fixes {
        let counted = match model::step(anchor, *f) {
            Step::Anchor => true,
            Step::Count(m) => {
                metres += m;
                true
            }
            Step::Ignore => false,
        };
        if counted {
            anchor = Some(*f);
        }
        rows.push((f.lat, f.lng, f.accuracy, f.at, counted));
    }
    let mut tx = state.db.begin().await?;
    store::insert_points(&mut tx, p.id, &rows).await?;
    let new_anchor = anchor.map(|a| (a.lat, a.lng, a.at));
    if !store::add_progress(&mut tx, p, metres.round() as i64, rows.len() as i64, new_anchor, actor.now).await? {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    pub note: Option<String>,
    pub version: Option<i64>,
    /// The last points not yet sent.
    pub points: Option<Vec<PointInput>>,
    /// When the worker ended it, if earlier than now (ended offline; Unix ms).
    pub ended_at: Option<i64>,
}

/// Ends one's open patrol (with the last points, if any).
pub async fn end(state: &AppState, actor: &Actor, id: i64, i: &EndInput) -> AppResult<PatrolOut> {
    let mut p = own(state, actor, id).await?;
    if p.ended_at.is_some() {
        return Err(AppError::Conflict("本次巡查已经结束".into()));
    }
    if i.version.is_some_and(|v| v != p.version) {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    let note = check_text("note", "巡查小结", i.note.as_deref().unwrap_or(""), 500, false)?;
    let ended_at = phone_time("ended_at", i.ended_at, p.started_at, actor.now)?;
    if let Some(points) = i.points.as_ref().filter(|v| !v.is_empty()) {
        add_points(state, actor, id, &PointsInput { points: points.clone() }).await?;
        p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    }
    let mut tx = state.db.begin().await?;
    if !store::end_patrol(&mut tx, &p, &note, ended_at).await? {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    let minutes = model::minutes(p.started_at, Some(ended_at));
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_ended",
        "patrol",
        id,
        json!({ "minutes": minutes, "metres": p.metres, "points": p.points, "findings": p.findings }),
    )
    .await?;
    tx.commit().await?;
    let p = store::patrol(&state.db, "/", id).await?.ok_or_else(|| AppError::not_found("巡查"))?;
    Ok(out(p))
}
