//! The area tree service: list, read, create, edit, move and retire areas and grids, inside the caller's subtree.

mod change;
mod create;

use super::area_store::{self as store, AreaFilter, AreaRow};
use super::model::{AreaKind, path_ids};
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::web::paging::{Page, Paging};
pub use change::{MoveAreaInput, RetireInput, UpdateAreaInput, move_area, retire, update};
pub use create::{NewAreaInput, create};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// An area as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AreaOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub subkind: String,
    pub subkind_label: &'static str,
    pub parent_id: Option<i64>,
    /// Names of the ancestors, root first.
    pub path: Vec<String>,
    pub status: String,
    pub boundary: Option<Value>,
    pub households: Option<i64>,
    pub area_note: Option<String>,
    pub note: Option<String>,
    pub children: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub retired_at: Option<i64>,
    pub version: i64,
}

/// Turns rows into API shapes, fetching ancestor names and child counts in two queries.
pub async fn present(db: &Db, rows: Vec<AreaRow>) -> AppResult<Vec<AreaOut>> {
    let mut ids: Vec<i64> = rows.iter().flat_map(|r| path_ids(&r.path)).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = store::names(db, &ids).await?.into_iter().collect();
    let own: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<i64, i64> = store::child_counts(db, &own).await?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let kind = AreaKind::parse(&r.kind).unwrap_or(AreaKind::Grid);
            let path =
                path_ids(&r.path).into_iter().filter(|i| *i != r.id).filter_map(|i| names.get(&i).cloned()).collect();
            AreaOut {
                id: r.id,
                kind_label: kind.label(),
                subkind_label: kind.subkind_label(&r.subkind),
                children: counts.get(&r.id).copied().unwrap_or(0),
                boundary: r.boundary.as_deref().and_then(|b| serde_json::from_str(b).ok()),
                code: r.code,
                name: r.name,
                kind: r.kind,
                subkind: r.subkind,
                parent_id: r.parent_id,
                path,
                status: r.status,
                households: r.households,
                area_note: r.area_note,
                note: r.note,
                created_at: r.created_at,
                updated_at: r.updated_at,
                retired_at: r.retired_at,
                version: r.version,
            }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    pub parent: Option<i64>,
    pub ancestor: Option<i64>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub async fn list(db: &Db, actor: &Actor, q: &AreaQuery) -> AppResult<Page<AreaOut>> {
    let mut filter = AreaFilter { scope_path: actor.scope.path().to_owned(), parent: q.parent, ..Default::default() };
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        AreaKind::parse(k).ok_or_else(|| AppError::field("kind", "区域类型只能是 county、town、community 或 grid"))?;
        filter.kind = Some(k.to_owned());
    }
    if let Some(anc) = q.ancestor {
        let a = store::get(db, actor.scope.path(), anc).await?.ok_or_else(|| AppError::not_found("上级区域"))?;
        filter.ancestor_path = Some(a.path);
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(s, "active" | "retired" | "all") {
            return Err(AppError::field("status", "状态只能是 active、retired 或 all"));
        }
        filter.status = Some(s.to_owned());
    }
    filter.q = q.q.clone();
    let page = store::list(db, &filter, Paging::new(q.page, q.per_page)).await?;
    let items = present(db, page.items).await?;
    Ok(Page { items, total: page.total, page: page.page, per_page: page.per_page })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<AreaOut> {
    let row = store::get(db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("区域"))?;
    Ok(present(db, vec![row]).await?.remove(0))
}

/// The grid boundaries under an area (a community, a town …) as one GeoJSON FeatureCollection in
/// WGS-84: a feature per active grid with its id, code, name and parent; grids without a drawn
/// boundary are included with a null geometry, so the export lists every grid.
pub async fn boundaries(db: &Db, actor: &Actor, id: i64) -> AppResult<(AreaRow, Value)> {
    let area = row_in_scope(db, actor, id).await?;
    let features: Vec<Value> = store::grid_boundaries(db, &area.path)
        .await?
        .into_iter()
        .map(|(id, code, name, parent_id, boundary)| {
            let geometry = boundary.and_then(|b| serde_json::from_str::<Value>(&b).ok()).unwrap_or(Value::Null);
            json!({ "type": "Feature", "id": id, "geometry": geometry,
                    "properties": { "id": id, "code": code, "name": name, "parent_id": parent_id } })
        })
        .collect();
    Ok((area, json!({ "type": "FeatureCollection", "features": features })))
}

/// The row of an area inside the caller's scope.
pub async fn row_in_scope(db: &Db, actor: &Actor, id: i64) -> AppResult<AreaRow> {
    store::get(db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("区域"))
}
