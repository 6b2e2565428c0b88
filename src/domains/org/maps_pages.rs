//! Pages of the grid maps: the boundary editor of one grid, the GeoJSON import of a community
//! (upload, preview, confirm), the printable grid diagram (网格示意图, also as .svg), the map and
//! check shown on an area's page, and the optional tile background with its CSP.

use super::areas::{self, AreaOut};
use super::diagram::{self, DiagramGrid, Frame, Paper};
use super::map_store;
use super::maps::{self, CheckOut};
use super::model::AreaKind;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::geo::polygon::Shape;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::pages::{Layout, render};
use crate::web::routes::{Access, Entry, get};
use crate::xml::escape as esc;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;

const VIEW: Access = Access::Perm(Permission::ViewOrg);
const MANAGE: Access = Access::Perm(Permission::ManageAreas);

const JS: &str = include_str!("../../../static/maps.js");
const CSS: &str = include_str!("../../../static/maps.css");

pub fn routes() -> Vec<Entry> {
    vec![
        get("/areas/{id}/boundary", MANAGE, "绘制或修改网格边界", editor_page),
        get("/areas/{id}/boundaries/import", MANAGE, "导入社区网格边界（GeoJSON，预览后确认）", import_page),
        get("/areas/{id}/diagram", VIEW, "网格示意图（打印）", diagram_page).query("paper?, orientation?"),
        get("/areas/{id}/diagram.svg", VIEW, "下载网格示意图（SVG）", diagram_svg).query("paper?, orientation?"),
        get("/static/maps.js", Access::Public, "地图脚本", js),
        get("/static/maps.css", Access::Public, "地图样式", css),
    ]
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS)
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

/// Lets a page that shows tiles load them: its CSP allows the configured tile origin's images.
pub fn allow_tiles(state: &AppState, mut resp: Response) -> Response {
    if let Some(t) = &state.config.tiles
        && let Ok(v) = HeaderValue::from_str(&crate::web::middleware::csp_with_images_from(&t.origin))
    {
        resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// A grid on a page map.
struct MapGrid {
    id: i64,
    name: String,
    shape: Shape,
}

fn shape_of(text: Option<&str>) -> Option<Shape> {
    serde_json::from_str::<Value>(text?).ok().as_ref().and_then(Shape::from_geojson)
}

/// The drawing box for a WGS-84 box: 1000 units wide, as tall as the shape needs (300–1200).
fn frame_for(bbox: [f64; 4]) -> (Frame, f64) {
    let k = ((bbox[1] + bbox[3]) / 2.0).to_radians().cos().max(0.01);
    let ratio = (bbox[3] - bbox[1]).max(1e-7) / ((bbox[2] - bbox[0]) * k).max(1e-7);
    let height = (1000.0 * ratio).clamp(300.0, 1200.0);
    (Frame::fit(bbox, 0.0, 0.0, 1000.0, height), height)
}

/// Tile images under a map, when a tile source is configured.
fn tile_images(state: &AppState, frame: &Frame, bbox: [f64; 4], out: &mut String) {
    let Some(t) = &state.config.tiles else { return };
    // The whole drawing, not just the shapes' box.
    for (url, w, s, e, n) in t.covering(bbox, 4.0, 64) {
        let (x0, y0) = frame.point((w, n));
        let (x1, y1) = frame.point((e, s));
        let _ = write!(
            out,
            r#"<image class="tile" href="{}" x="{x0:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" preserveAspectRatio="none"/>"#,
            esc(&url),
            x1 - x0,
            y1 - y0
        );
    }
}

/// An SVG of grids (the highlighted one emphasised), labels optional, tiles under when configured.
fn map_svg(state: &AppState, grids: &[MapGrid], highlight: Option<i64>, labels: bool, id: &str) -> Option<String> {
    let bbox = diagram::bbox_of(grids.iter().map(|g| &g.shape))?;
    let (frame, height) = frame_for(bbox);
    let mut s = String::new();
    let _ =
        write!(s, r#"<svg id="{id}" class="gridmap" viewBox="0 0 1000 {height:.0}" role="img" aria-label="网格地图">"#);
    let view = frame_box(&frame, height);
    tile_images(state, &frame, view, &mut s);
    for g in grids {
        let class = if Some(g.id) == highlight { "grid current" } else { "grid" };
        let _ = write!(
            s,
            r#"<a href="/areas/{}"><path class="{class}" fill-rule="evenodd" d="{}"><title>{}</title></path></a>"#,
            g.id,
            frame.path(&g.shape),
            esc(&g.name)
        );
    }
    if labels {
        for g in grids {
            let (x, y) = frame.point(diagram::label_point(&g.shape));
            let _ = write!(s, r#"<text class="label" x="{x:.1}" y="{y:.1}">{}</text>"#, esc(&g.name));
        }
    }
    s.push_str("</svg>");
    Some(s)
}

/// The WGS-84 box a drawing of `height` units covers.
fn frame_box(f: &Frame, height: f64) -> [f64; 4] {
    let west = f.lon0 - f.left / f.sx;
    let east = f.lon0 + (1000.0 - f.left) / f.sx;
    let north = f.lat1 + f.top / f.sy;
    let south = f.lat1 - (height - f.top) / f.sy;
    [west, south, east, north]
}

/// What an area's page shows of the maps: the grids drawn together, the check, the links.
pub struct AreaMaps {
    pub svg: Option<String>,
    pub check: Option<CheckOut>,
    /// The area whose grids the map shows (a grid's community).
    pub map_area_id: i64,
    pub map_area_name: String,
    pub grids: usize,
    pub drawn: usize,
    pub can_manage: bool,
    pub is_grid: bool,
}

/// The maps part of an area's page (None for the county: too many grids to draw on one page).
pub async fn area_maps(state: &AppState, actor: &Actor, area: &AreaOut) -> AppResult<Option<AreaMaps>> {
    let kind = AreaKind::parse(&area.kind).unwrap_or(AreaKind::Grid);
    if kind == AreaKind::County || area.status != "active" {
        return Ok(None);
    }
    let map_area = maps::map_area(&state.db, actor, area.id).await?;
    let rows = map_store::grids_under(&state.db, &map_area.path).await?;
    let grids: Vec<MapGrid> = rows
        .iter()
        .filter_map(|g| shape_of(g.boundary.as_deref()).map(|shape| MapGrid { id: g.id, name: g.name.clone(), shape }))
        .collect();
    let is_grid = kind == AreaKind::Grid;
    let highlight = is_grid.then_some(area.id);
    let svg = map_svg(state, &grids, highlight, !is_grid, "area-map");
    let check = if is_grid { None } else { Some(maps::check_area(&state.db, actor, area.id, None).await?.1) };
    Ok(Some(AreaMaps {
        svg,
        check,
        map_area_id: map_area.id,
        map_area_name: map_area.name.clone(),
        grids: rows.len(),
        drawn: grids.len(),
        can_manage: actor.can(Permission::ManageAreas),
        is_grid,
    }))
}

#[derive(Template)]
#[template(path = "org/boundary_edit.html")]
struct EditorPage {
    l: Layout,
    area: AreaOut,
    community: AreaOut,
    svg: String,
    frame: String,
    ring: String,
    snap: String,
    height: String,
    has_tiles: bool,
    /// The stored geometry: holes and further polygons are kept when the first outer ring is saved.
    geom: String,
    other_parts: bool,
}

async fn editor_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let area = areas::get(&s.db, &a, id).await?;
    if area.kind != "grid" {
        return Err(AppError::NotFound("只有网格可以绘制边界，请从网格页进入".into()));
    }
    if area.status != "active" {
        return Err(AppError::Conflict("已撤销的网格不能修改边界".into()));
    }
    let community_row = maps::map_area(&s.db, &a, id).await?;
    let community = areas::get(&s.db, &a, community_row.id).await?;
    let rows = map_store::grids_under(&s.db, &community_row.path).await?;
    let neighbours: Vec<MapGrid> = rows
        .iter()
        .filter(|g| g.id != id)
        .filter_map(|g| shape_of(g.boundary.as_deref()).map(|shape| MapGrid { id: g.id, name: g.name.clone(), shape }))
        .collect();
    let own = area.boundary.as_ref().and_then(Shape::from_geojson);
    let outer = community.boundary.as_ref().and_then(Shape::from_geojson);
    let all = neighbours.iter().map(|g| &g.shape).chain(own.as_ref()).chain(outer.as_ref());
    let (frame, height, svg) = match diagram::bbox_of(all) {
        Some(b) => {
            // Room around the shapes for drawing outward.
            let pad = ((b[2] - b[0]).max(b[3] - b[1]) * 0.15).max(0.0005);
            let bbox = [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad];
            let (frame, height) = frame_for(bbox);
            let mut svg = String::new();
            tile_images(&s, &frame, frame_box(&frame, height), &mut svg);
            if let Some(o) = &outer {
                let _ = write!(svg, r#"<path class="outer" d="{}"/>"#, frame.path(o));
            }
            for g in &neighbours {
                let (x, y) = frame.point(diagram::label_point(&g.shape));
                let _ = write!(
                    svg,
                    r#"<path class="neighbour" fill-rule="evenodd" d="{}"/><text class="label" x="{x:.1}" y="{y:.1}">{}</text>"#,
                    frame.path(&g.shape),
                    esc(&g.name)
                );
            }
            (serde_json::to_string(&frame).unwrap_or_default(), height, svg)
        }
        None => (String::new(), 600.0, String::new()),
    };
    // The outer ring of the grid's first polygon is what the editor edits (other parts stay as drawn
    // only if the user does not save); neighbours' vertices are the snapping targets.
    let ring: Vec<[f64; 2]> = own
        .as_ref()
        .and_then(|s| s.rings.first())
        .map(|r| {
            let mut r: Vec<[f64; 2]> = r.iter().map(|p| [p.0, p.1]).collect();
            if r.len() > 1 && r.first() == r.last() {
                r.pop();
            }
            r
        })
        .unwrap_or_default();
    let snap: Vec<[f64; 2]> =
        neighbours.iter().flat_map(|g| g.shape.rings.iter().flatten()).map(|p| [p.0, p.1]).collect();
    let geom = area.boundary.as_ref().map(Value::to_string).unwrap_or_default();
    let other_parts = own.as_ref().is_some_and(|s| s.rings.len() > 1);
    let page = EditorPage {
        geom,
        other_parts,
        l: Layout::for_actor(&a, &format!("绘制边界 · {}", area.name)),
        has_tiles: s.config.tiles.is_some(),
        area,
        community,
        svg,
        frame,
        ring: json!(ring).to_string(),
        snap: json!(snap).to_string(),
        height: format!("{height:.0}"),
    };
    Ok(allow_tiles(&s, render(&page)?))
}

#[derive(Template)]
#[template(path = "org/boundary_import.html")]
struct ImportPage {
    l: Layout,
    area: AreaOut,
    grids: Vec<(String, String, bool)>,
}

async fn import_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let area = areas::get(&s.db, &a, id).await?;
    if area.kind == "grid" {
        return Err(AppError::NotFound("请在社区（或乡镇）页上导入其下全部网格的边界".into()));
    }
    let rows = map_store::grids_under(&s.db, &areas::row_in_scope(&s.db, &a, id).await?.path).await?;
    let grids = rows.into_iter().map(|g| (g.code, g.name, g.boundary.is_some())).collect();
    render(&ImportPage { l: Layout::for_actor(&a, &format!("导入网格边界 · {}", area.name)), area, grids })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DiagramQuery {
    #[serde(default)]
    paper: String,
    #[serde(default)]
    orientation: String,
}

/// The diagram of an area's grids for the paper asked for.
async fn build_diagram(
    s: &AppState,
    a: &Actor,
    id: i64,
    q: &DiagramQuery,
) -> AppResult<(AreaOut, Paper, bool, String)> {
    let paper = Paper::parse(&q.paper).ok_or_else(|| AppError::field("paper", "纸张只能是 A4 或 A3"))?;
    let landscape = match q.orientation.trim() {
        "" | "portrait" => false,
        "landscape" => true,
        _ => return Err(AppError::field("orientation", "方向只能是 portrait（纵向）或 landscape（横向）")),
    };
    let row = maps::map_area(&s.db, a, id).await?;
    let area = areas::get(&s.db, a, row.id).await?;
    let rows = map_store::grids_under(&s.db, &row.path).await?;
    let mut workers: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for (grid, name, duty) in map_store::grid_workers(&s.db, &row.path).await? {
        let e = workers.entry(grid).or_default();
        if duty == "leader" { e.0.push(name) } else { e.1.push(name) }
    }
    let grids: Vec<DiagramGrid> = rows
        .into_iter()
        .map(|g| {
            let (leaders, members) = workers.remove(&g.id).unwrap_or_default();
            let mut parts = Vec::new();
            if !leaders.is_empty() {
                parts.push(format!("网格长 {}", leaders.join("、")));
            }
            if !members.is_empty() {
                parts.push(format!("网格员 {}", members.join("、")));
            }
            DiagramGrid {
                shape: shape_of(g.boundary.as_deref()),
                name: g.name,
                code: g.code,
                workers: parts.join("；"),
            }
        })
        .collect();
    let outline = shape_of(row.boundary.as_deref());
    let title = format!("{}{}", area.path.last().map(|p| format!("{p} ")).unwrap_or_default(), area.name);
    let date = crate::clock::to_local(a.now).format("%Y年%m月%d日").to_string();
    let svg = diagram::render(&diagram::Diagram {
        title: &title,
        date: &date,
        paper,
        landscape,
        grids: &grids,
        outline: outline.as_ref(),
    });
    Ok((area, paper, landscape, svg))
}

#[derive(Template)]
#[template(path = "org/diagram.html")]
struct DiagramPage {
    area: AreaOut,
    paper: &'static str,
    landscape: bool,
    svg: String,
    /// (paper, orientation, label, chosen)
    choices: Vec<(&'static str, &'static str, &'static str, bool)>,
}

async fn diagram_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DiagramQuery>,
) -> AppResult<Response> {
    let (area, paper, landscape, svg) = build_diagram(&s, &a, id, &q).await?;
    let choices = [
        ("A4", "portrait", "A4 纵向"),
        ("A4", "landscape", "A4 横向"),
        ("A3", "portrait", "A3 纵向"),
        ("A3", "landscape", "A3 横向"),
    ]
    .into_iter()
    .map(|(p, o, label)| (p, o, label, p == paper.as_str() && (o == "landscape") == landscape))
    .collect();
    render(&DiagramPage { area, paper: paper.as_str(), landscape, svg, choices })
}

async fn diagram_svg(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DiagramQuery>,
) -> AppResult<Response> {
    let (area, paper, landscape, svg) = build_diagram(&s, &a, id, &q).await?;
    let o = if landscape { "横向" } else { "纵向" };
    let name = format!("{}-网格示意图-{}{o}.svg", area.name, paper.as_str());
    let disposition = crate::web::pages::attachment(&format!("diagram-{}.svg", area.code), &name);
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}"),
    )
        .into_response())
}
