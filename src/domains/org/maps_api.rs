//! JSON API of the grid maps: import a community's boundaries (GeoJSON), save one grid's drawn
//! boundary, check overlaps and gaps. Thin: parse, call `maps`, answer.

use super::maps;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::routes::{Access, Entry, get, put};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;

const VIEW: Access = Access::Perm(Permission::ViewOrg);
const AREAS: Access = Access::Perm(Permission::ManageAreas);

pub fn routes() -> Vec<Entry> {
    vec![
        put(
            "/api/v1/areas/{id}/boundaries.geojson",
            AREAS,
            "导入区域下网格的边界（GeoJSON FeatureCollection，按 properties.code 或 id 对应网格；全部成功或全部不写）",
            import,
        )
        .query("datum?, dry_run?, tolerance?"),
        get("/api/v1/areas/{id}/boundaries/check", VIEW, "检查区域下网格边界的重叠与缝隙", check).query("tolerance?"),
        put("/api/v1/areas/{id}/boundary", AREAS, "保存一个网格的边界（带版本号）", set_boundary)
            .body("version, boundary, datum?"),
    ]
}

async fn import(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<maps::ImportQuery>,
    ApiJson(body): ApiJson<Value>,
) -> AppResult<Json<maps::ImportOut>> {
    Ok(Json(maps::import(&s.db, &a, id, &q, &body).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckQuery {
    tolerance: Option<f64>,
}

async fn check(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CheckQuery>,
) -> AppResult<Json<maps::CheckOut>> {
    Ok(Json(maps::check_area(&s.db, &a, id, q.tolerance).await?.1))
}

async fn set_boundary(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<maps::BoundaryInput>,
) -> AppResult<Json<maps::BoundaryOut>> {
    Ok(Json(maps::set_boundary(&s.db, &a, id, &i).await?))
}
