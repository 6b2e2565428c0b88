//! The county or town map's regions: each child area (town, community) drawn as the union of its
//! grids' outlines (`geo`), labelled and coloured by the child's figure. The unions are kept per
//! boundary version (the grid change counter `geo_generation`), so a view does not redo them.

use super::model::{Bin, Shade, colour_of, show};
use crate::db::Db;
use crate::domains::org::{locate, map};
use crate::error::{AppError, AppResult};
use crate::geo::union::union_geojson;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// A child area on the map.
#[derive(Debug, Clone, Serialize)]
pub struct MapRegion {
    pub id: i64,
    pub name: String,
    pub shown: String,
    pub colour: &'static str,
    /// SVG path data (fill-rule evenodd) and the label's position.
    pub path: String,
    pub x: f64,
    pub y: f64,
}

/// A child with its grids' boundaries.
pub struct Input<'a> {
    pub id: i64,
    pub name: &'a str,
    pub value: Option<f64>,
    pub grids: Vec<&'a Value>,
}

type Union = Option<(Value, (f64, f64))>;

/// Unions by child area, valid while the grid change counter has the value kept beside them.
static UNIONS: Mutex<Option<(i64, HashMap<i64, Union>)>> = Mutex::new(None);

/// The regions of the children that have grids with boundaries, in one projection: (width, height, regions).
pub async fn regions(
    db: &Db,
    shade: &Shade,
    bins: &[Bin],
    children: &[Input<'_>],
) -> AppResult<(f64, f64, Vec<MapRegion>)> {
    let generation = locate::boundaries_generation(db).await?;
    let unions: Vec<Union> = {
        let mut cache = UNIONS.lock().map_err(|_| AppError::Internal(anyhow::anyhow!("region cache poisoned")))?;
        if cache.as_ref().is_none_or(|(g, _)| *g != generation) {
            *cache = Some((generation, HashMap::new()));
        }
        let kept = &mut cache.get_or_insert_with(|| (generation, HashMap::new())).1;
        children.iter().map(|c| kept.entry(c.id).or_insert_with(|| union_geojson(&c.grids)).clone()).collect()
    };
    let drawn: Vec<(&Input, Value, (f64, f64))> =
        children.iter().zip(unions).filter_map(|(c, u)| u.map(|(g, l)| (c, g, l))).collect();
    let geoms: Vec<Value> = drawn.iter().map(|(_, g, _)| g.clone()).collect();
    let labels: Vec<(f64, f64)> = drawn.iter().map(|(_, _, l)| *l).collect();
    let Some((outline, points)) = map::outlines_labelled(&geoms, &labels, 0.5) else {
        return Ok((0.0, 0.0, Vec::new()));
    };
    let regions = drawn
        .iter()
        .zip(outline.paths)
        .zip(points)
        .map(|(((c, _, _), path), (x, y))| MapRegion {
            id: c.id,
            name: c.name.to_owned(),
            shown: show(shade, c.value),
            colour: colour_of(bins, c.value),
            path,
            x,
            y,
        })
        .collect();
    Ok((outline.width, outline.height, regions))
}
