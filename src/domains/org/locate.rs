//! Which grid a coordinate lies in, through a cached R-tree of every active grid's boundary.
//! The cache is rebuilt when the database's change counter of grids moved (bumped by triggers in the
//! same transaction as any change of a grid, made by this server, another one, or any code path), so
//! a lookup never answers from a stale index. `grid_at` is the entry point for other domains;
//! `grid_ids_by_code` finds the grids an import may name, `chosen_area` / `active_grid_in_scope` one area.

use super::map_store;
use crate::error::AppResult;
use crate::geo::index::GridIndex;
use crate::geo::polygon::Shape;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// One built index and what it was built from.
struct Built {
    marker: i64,
    index: GridIndex,
    paths: HashMap<i64, String>,
}

/// The cached index (one per process: `state.cache::<GridCache>()`).
#[derive(Default)]
pub struct GridCache {
    current: RwLock<Option<Arc<Built>>>,
    /// One rebuild at a time; others wait for it and use its result.
    rebuilding: tokio::sync::Mutex<()>,
}

impl GridCache {
    /// How many grids the current index holds (none built yet: 0).
    pub fn len(&self) -> usize {
        self.current.read().ok().and_then(|c| c.as_ref().map(|b| b.index.len())).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn fresh(&self, marker: i64) -> Option<Arc<Built>> {
        let cur = self.current.read().ok()?;
        cur.as_ref().filter(|b| b.marker == marker).cloned()
    }
}

/// The current index, rebuilt first if grids changed since it was built.
async fn current(state: &AppState) -> AppResult<Arc<Built>> {
    let cache = state.cache::<GridCache>();
    let marker = map_store::geo_generation(&state.db).await?;
    if let Some(b) = cache.fresh(marker) {
        return Ok(b);
    }
    let _one = cache.rebuilding.lock().await;
    if let Some(b) = cache.fresh(marker) {
        return Ok(b);
    }
    let rows = map_store::located_grids(&state.db).await?;
    let mut shapes = Vec::with_capacity(rows.len());
    let mut paths = HashMap::with_capacity(rows.len());
    for (id, path, boundary) in rows {
        if let Some(shape) =
            serde_json::from_str::<serde_json::Value>(&boundary).ok().as_ref().and_then(Shape::from_geojson)
        {
            shapes.push((id, shape));
            paths.insert(id, path);
        }
    }
    let built = Arc::new(Built { marker, index: GridIndex::new(shapes), paths });
    if let Ok(mut cur) = cache.current.write() {
        *cur = Some(built.clone());
    }
    Ok(built)
}

/// The active grid whose boundary holds (lon, lat), WGS-84, anywhere in the deployment; `None`
/// outside every drawn grid. For callers that are not bound to a scope (resident reports).
pub async fn grid_at(state: &AppState, lon: f64, lat: f64) -> AppResult<Option<i64>> {
    Ok(current(state).await?.index.locate(lon, lat))
}

/// The active grid inside the subtree at `scope_path` whose boundary holds (lon, lat), with its
/// path; where grids overlap, the first inside the scope.
pub async fn grid_at_within(
    state: &AppState,
    scope_path: &str,
    lon: f64,
    lat: f64,
) -> AppResult<Option<(i64, String)>> {
    let built = current(state).await?;
    let in_scope = |id: i64| built.paths.get(&id).is_some_and(|p| p.starts_with(scope_path));
    Ok(built.index.locate_where(lon, lat, in_scope).and_then(|id| built.paths.get(&id).map(|p| (id, p.clone()))))
}

/// The change counter of grid boundaries: moves with every change of any grid (for other domains'
/// caches of drawn shapes, such as the dashboard's regions).
pub async fn boundaries_generation(db: &crate::db::Db) -> AppResult<i64> {
    Ok(map_store::geo_generation(db).await?)
}

/// The active grids under `path` (an area path of the caller's scope) by their full code, as the
/// imports name them.
pub async fn grid_ids_by_code(db: &crate::db::Db, path: &str) -> AppResult<HashMap<String, i64>> {
    Ok(super::area_store::grids_under(db, path).await?.into_iter().map(|(id, code)| (code, id)).collect())
}

/// An area inside the scope `path`, or none.
/// An area by id, name and path (what a report or a list filter is about).
#[derive(Debug, Clone)]
pub struct AreaRef {
    pub id: i64,
    pub name: String,
    pub path: String,
}

/// The area a caller chose (default: their own), inside their scope; otherwise the one Chinese refusal on `area`.
pub async fn chosen_area(db: &crate::db::Db, scope: &crate::auth::Scope, area: Option<i64>) -> AppResult<AreaRef> {
    let a = super::area_store::get(db, scope.path(), area.unwrap_or(scope.area_id()))
        .await?
        .ok_or_else(|| crate::error::AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
    Ok(AreaRef { id: a.id, name: a.name, path: a.path })
}

/// The id of an active grid inside the scope `path`; a community, a retired grid or one outside is
/// refused on the field `grid_id`.
pub async fn active_grid_in_scope(db: &crate::db::Db, path: &str, id: i64) -> AppResult<i64> {
    super::area_store::get(db, path, id)
        .await?
        .filter(|g| g.kind == "grid" && g.status == "active")
        .map(|g| g.id)
        .ok_or_else(|| crate::error::AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))
}

/// The names of areas by id, for history lines.
pub async fn area_names(db: &crate::db::Db, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    Ok(super::area_store::names(db, ids).await?)
}
