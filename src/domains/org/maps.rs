//! Grid maps service: import a community's grid boundaries from one GeoJSON FeatureCollection (all
//! or nothing, converted to WGS-84 at the edge, each change versioned and audited), save one grid's
//! drawn boundary, and check the grids for overlaps and gaps.

use super::area_store::AreaRow;
use super::areas::{self, AreaOut};
use super::map_store::{self as store, GridShape};
use super::model::AreaKind;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::clock::Millis;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::geo::boundary;
use crate::geo::check::{self, Report};
use crate::geo::coords::Datum;
use crate::geo::polygon::Shape;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Overlaps and gaps smaller than this (m²) are digitising noise unless the caller asks otherwise.
pub const DEFAULT_TOLERANCE_M2: f64 = 1.0;

/// Parses the `datum` a caller names (none: WGS-84).
pub fn datum_of(field: &str, v: Option<&str>) -> AppResult<Datum> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Datum::Wgs84),
        Some(v) => Datum::parse(v)
            .ok_or_else(|| AppError::field(field, format!("坐标系 {v} 不支持，只能是 wgs84、cgcs2000 或 gcj02"))),
    }
}

/// The area whose grids a map covers: a community, town or county (a grid answers its community,
/// or itself when the caller's scope is the grid alone, as for a grid worker).
pub async fn map_area(db: &Db, actor: &Actor, id: i64) -> AppResult<AreaRow> {
    let row = areas::row_in_scope(db, actor, id).await?;
    match (AreaKind::parse(&row.kind), row.parent_id) {
        (Some(AreaKind::Grid), Some(parent)) => {
            Ok(super::area_store::get(db, actor.scope.path(), parent).await?.unwrap_or(row))
        }
        _ => Ok(row),
    }
}

/// A check result with the grids' codes and names.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOut {
    pub overlaps: Vec<OverlapOut>,
    pub gaps: Vec<check::Gap>,
    /// Neighbours that come within a few metres without meeting.
    pub seams: Vec<SeamOut>,
    pub within_boundary: bool,
    pub tolerance_m2: f64,
    /// Grids without a boundary (not checked), by name.
    pub undrawn: Vec<String>,
    /// When this result was computed (it is kept until a boundary under the area changes).
    pub checked_at: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverlapOut {
    pub a: i64,
    pub a_name: String,
    pub b: i64,
    pub b_name: String,
    pub area_m2: f64,
    pub at: (f64, f64),
}

#[derive(Debug, Clone, Serialize)]
pub struct SeamOut {
    pub a: i64,
    pub a_name: String,
    pub b: i64,
    pub b_name: String,
    pub distance_m: f64,
    pub at: (f64, f64),
}

impl CheckOut {
    pub fn is_clean(&self) -> bool {
        self.overlaps.is_empty() && self.gaps.is_empty() && self.seams.is_empty()
    }
}

fn shape_of(text: Option<&str>) -> Option<Shape> {
    serde_json::from_str::<Value>(text?).ok().as_ref().and_then(Shape::from_geojson)
}

/// Checks grids (with boundaries as given, GeoJSON text) inside an area: the bare geometry.
fn compute(area: &AreaRow, grids: &[(i64, String, Option<String>)], tolerance: f64) -> Report {
    let shapes: Vec<(i64, Shape)> =
        grids.iter().filter_map(|(id, _, b)| shape_of(b.as_deref()).map(|s| (*id, s))).collect();
    let outer = if area.kind == "grid" { None } else { shape_of(area.boundary.as_deref()) };
    check::check(&shapes, outer.as_ref(), tolerance)
}

/// A report with the grids' names (`grids`: id, name, has a boundary).
fn describe(report: Report, grids: &[(i64, &str, bool)], checked_at: Millis) -> CheckOut {
    let names: HashMap<i64, &str> = grids.iter().map(|(id, name, _)| (*id, *name)).collect();
    let undrawn = grids.iter().filter(|(_, _, drawn)| !drawn).map(|(_, n, _)| n.to_string()).collect();
    let Report { overlaps, gaps, seams, within_boundary, tolerance_m2 } = report;
    let name = |id: i64| names.get(&id).map(|n| n.to_string()).unwrap_or_default();
    let overlaps = overlaps
        .into_iter()
        .map(|o| OverlapOut { a: o.a, a_name: name(o.a), b: o.b, b_name: name(o.b), area_m2: o.area_m2, at: o.at })
        .collect();
    let seams = seams
        .into_iter()
        .map(|m| SeamOut { a: m.a, a_name: name(m.a), b: m.b, b_name: name(m.b), distance_m: m.distance_m, at: m.at })
        .collect();
    CheckOut { overlaps, gaps, seams, within_boundary, tolerance_m2, undrawn, checked_at }
}

fn run_check(area: &AreaRow, grids: &[(i64, String, Option<String>)], tolerance: f64, now: Millis) -> CheckOut {
    let named: Vec<(i64, &str, bool)> = grids.iter().map(|(id, n, b)| (*id, n.as_str(), b.is_some())).collect();
    describe(compute(area, grids, tolerance), &named, now)
}

fn tolerance_of(t: Option<f64>) -> AppResult<f64> {
    match t {
        None => Ok(DEFAULT_TOLERANCE_M2),
        Some(t) if t.is_finite() && (0.0..=1_000_000.0).contains(&t) => Ok(t),
        Some(_) => Err(AppError::field("tolerance", "容差应为 0–1000000 平方米")),
    }
}

/// The stored check keeps pieces from this size (m²) up; a finer tolerance is computed live.
const STORED_FLOOR_M2: f64 = 0.01;
/// Changes when the check's algorithm does, so checks stored by an older one are recomputed.
const CHECK_ALGORITHM: &str = "geo-1";

/// What a stored check was computed from: the area's and its grids' versions (every boundary
/// change bumps the grid's version), in code order.
fn fingerprint(area: &AreaRow, grids: impl Iterator<Item = (i64, i64)>) -> String {
    let mut text = format!("{CHECK_ALGORITHM};{}:{}:{};", area.id, area.version, area.kind);
    for (id, version) in grids {
        text.push_str(&format!("{id}:{version};"));
    }
    crate::auth::secret::sha256_hex(&text)
}

/// The overlap and gap check of the grids under an area (a grid: its community's grids). Computed
/// once per boundary version and stored; a view reads the stored result while its fingerprint holds.
pub async fn check_area(db: &Db, actor: &Actor, id: i64, tolerance: Option<f64>) -> AppResult<(AreaRow, CheckOut)> {
    let tolerance = tolerance_of(tolerance)?;
    let area = map_area(db, actor, id).await?;
    if tolerance >= STORED_FLOOR_M2 {
        let stamps = store::grid_stamps(db, &area.path).await?;
        let print = fingerprint(&area, stamps.iter().map(|(id, _, v, _)| (*id, *v)));
        if let Some((f, text, at)) = store::stored_check(db, area.id).await?
            && f == print
            && let Ok(report) = serde_json::from_str::<Report>(&text)
        {
            let named: Vec<(i64, &str, bool)> = stamps.iter().map(|(id, n, _, b)| (*id, n.as_str(), *b)).collect();
            return Ok((area, describe(report.at_tolerance(tolerance), &named, at)));
        }
    }
    let grids = store::grids_under(db, &area.path).await?;
    let print = fingerprint(&area, grids.iter().map(|g| (g.id, g.version)));
    let grids: Vec<(i64, String, Option<String>)> = grids.into_iter().map(|g| (g.id, g.name, g.boundary)).collect();
    if tolerance < STORED_FLOOR_M2 {
        return Ok((area.clone(), run_check(&area, &grids, tolerance, actor.now)));
    }
    let report = compute(&area, &grids, STORED_FLOOR_M2);
    let text = serde_json::to_string(&report).map_err(|e| AppError::Internal(e.into()))?;
    store::save_check(db, area.id, &print, &text, actor.now).await?;
    let named: Vec<(i64, &str, bool)> = grids.iter().map(|(id, n, b)| (*id, n.as_str(), b.is_some())).collect();
    Ok((area, describe(report.at_tolerance(tolerance), &named, actor.now)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    pub datum: Option<String>,
    /// `true`: check and answer what would change, write nothing.
    pub dry_run: Option<bool>,
    pub tolerance: Option<f64>,
}

/// One grid an import changes.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Whether the grid had a boundary before.
    pub replaced: bool,
    /// The version after the import (the current one in a dry run).
    pub version: i64,
    pub boundary: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportOut {
    pub dry_run: bool,
    pub changed: Vec<Change>,
    /// Features matched to grids whose boundary is already the same (or whose geometry is null).
    pub unchanged: usize,
    /// The grids' overlaps and gaps as they are after the import.
    pub check: CheckOut,
}

/// How a feature names its grid: `properties.code`, else `properties.id` or the feature's `id`.
fn feature_key(f: &Value) -> Option<(Option<String>, Option<i64>)> {
    let props = f.get("properties").filter(|p| p.is_object());
    let code = props.and_then(|p| p.get("code")).and_then(|c| match c {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let id = props.and_then(|p| p.get("id")).or(f.get("id")).and_then(|i| match i {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    (code.is_some() || id.is_some()).then_some((code, id))
}

/// Imports the boundaries of a FeatureCollection into the grids under an area.
pub async fn import(db: &Db, actor: &Actor, id: i64, q: &ImportQuery, body: &Value) -> AppResult<ImportOut> {
    actor.require(Permission::ManageAreas)?;
    let tolerance = tolerance_of(q.tolerance)?;
    let area = areas::row_in_scope(db, actor, id).await?;
    if area.kind == "grid" {
        return Err(AppError::field("id", "请在社区（或乡镇）上导入其下全部网格的边界"));
    }
    if area.status != "active" {
        return Err(AppError::Conflict("已撤销的区域不能导入边界".into()));
    }
    let default_datum = datum_of("datum", q.datum.as_deref())?;
    let features = features_of(body)?;
    let grids = store::grids_under(db, &area.path).await?;
    let (new, mut unchanged) = read_features(features, &grids, &area.name, default_datum).map_err(AppError::fields)?;
    let mut changed = changes(&grids, &new, &mut unchanged);
    let after = boundaries_after(&grids, &changed);
    let check = run_check(&area, &after, tolerance, actor.now);
    let dry_run = q.dry_run.unwrap_or(false);
    if dry_run || changed.is_empty() {
        return Ok(ImportOut { dry_run, changed, unchanged, check });
    }
    write_changes(db, actor, &area, &grids, &mut changed).await?;
    Ok(ImportOut { dry_run, changed, unchanged, check })
}

/// The features of an uploaded FeatureCollection (at least one, at most 5000).
fn features_of(body: &Value) -> AppResult<&Vec<Value>> {
    if body.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(AppError::field("type", "请上传 GeoJSON FeatureCollection（type 应为 FeatureCollection）"));
    }
    let features = body
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::field("features", "缺少要素列表（features）"))?;
    if features.is_empty() {
        return Err(AppError::field("features", "文件中没有任何要素"));
    }
    if features.len() > 5_000 {
        return Err(AppError::field("features", "一次最多导入 5000 个网格"));
    }
    Ok(features)
}

/// Each feature's grid (by code or id) and its boundary (`null`: none in the file), and how many
/// came without one; or the errors of the first 50 features refused.
fn read_features(
    features: &[Value],
    grids: &[GridShape],
    area_name: &str,
    default_datum: Datum,
) -> Result<(HashMap<i64, Value>, usize), FieldErrors> {
    let by_code: HashMap<&str, &GridShape> = grids.iter().map(|g| (g.code.as_str(), g)).collect();
    let by_id: HashMap<i64, &GridShape> = grids.iter().map(|g| (g.id, g)).collect();
    let mut errors = FieldErrors::new();
    let mut new: HashMap<i64, Value> = HashMap::new();
    let mut unchanged = 0usize;
    for (i, f) in features.iter().enumerate() {
        let field = format!("features[{i}]");
        let mut fail = |label: String, msg: String| {
            if errors.len() < 50 {
                errors.insert(field.clone(), format!("第 {} 个要素{label}：{msg}", i + 1));
            }
        };
        if f.get("type").and_then(Value::as_str) != Some("Feature") {
            fail(String::new(), "不是 Feature".into());
            continue;
        }
        let Some((code, fid)) = feature_key(f) else {
            fail(String::new(), "缺少网格编码（properties.code）或编号（properties.id）".into());
            continue;
        };
        let label = match (&code, fid) {
            (Some(c), _) => format!("（编码 {c}）"),
            (None, Some(n)) => format!("（编号 {n}）"),
            _ => String::new(),
        };
        let grid = match (&code, fid) {
            (Some(c), _) => by_code.get(c.as_str()).copied(),
            (None, Some(n)) => by_id.get(&n).copied(),
            _ => None,
        };
        let Some(grid) = grid else {
            fail(label, format!("{}下没有这个网格（或已撤销）", area_name));
            continue;
        };
        if new.contains_key(&grid.id) {
            fail(label, format!("网格“{}”在文件中出现了不止一次", grid.name));
            continue;
        }
        let datum = match f.get("properties").and_then(|p| p.get("datum")).and_then(Value::as_str) {
            Some(d) => match Datum::parse(d) {
                Some(d) => d,
                None => {
                    fail(label, format!("坐标系 {d} 不支持，只能是 wgs84、cgcs2000 或 gcj02"));
                    continue;
                }
            },
            None => default_datum,
        };
        let geom = f.get("geometry").unwrap_or(&Value::Null);
        if geom.is_null() {
            // An exported grid without a boundary: nothing to change.
            unchanged += 1;
            new.insert(grid.id, Value::Null);
            continue;
        }
        match boundary::check_grid_cap(geom).and_then(|_| boundary::parse(geom, datum)) {
            Ok(g) => {
                new.insert(grid.id, g);
            }
            Err(e) => fail(format!("（网格“{}”）", grid.name), e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((new, unchanged))
}

/// The grids whose boundary the file changes (a boundary equal to the stored one counts as unchanged).
fn changes(grids: &[GridShape], new: &HashMap<i64, Value>, unchanged: &mut usize) -> Vec<Change> {
    let mut changed: Vec<Change> = Vec::new();
    for g in grids {
        let Some(b) = new.get(&g.id).filter(|b| !b.is_null()) else { continue };
        let old = g.boundary.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok());
        if old.as_ref() == Some(b) {
            *unchanged += 1;
            continue;
        }
        changed.push(Change {
            id: g.id,
            code: g.code.clone(),
            name: g.name.clone(),
            replaced: old.is_some(),
            version: g.version,
            boundary: b.clone(),
        });
    }
    changed
}

/// Every grid with the boundary it would have after the import.
fn boundaries_after(grids: &[GridShape], changed: &[Change]) -> Vec<(i64, String, Option<String>)> {
    grids
        .iter()
        .map(|g| {
            let b = match changed.iter().find(|c| c.id == g.id) {
                Some(c) => Some(c.boundary.to_string()),
                None => g.boundary.clone(),
            };
            (g.id, g.name.clone(), b)
        })
        .collect()
}

/// Writes the changed boundaries (version-checked), each with its audit row, in one transaction.
async fn write_changes(
    db: &Db,
    actor: &Actor,
    area: &AreaRow,
    grids: &[GridShape],
    changed: &mut [Change],
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    store::forget_checks(&mut tx, &area.path).await?;
    for c in changed.iter_mut() {
        let before = grids.iter().find(|g| g.id == c.id).and_then(|g| g.boundary.clone());
        let text = c.boundary.to_string();
        if !store::set_boundary(&mut tx, c.id, c.version, Some(&text), actor.now).await? {
            return Err(AppError::Conflict(format!("网格“{}”刚被他人修改，请刷新后重新导入", c.name)));
        }
        c.version += 1;
        let detail = json!({
            "via": "geojson_import",
            "area_id": area.id,
            "boundary": { "from": before.and_then(|b| serde_json::from_str::<Value>(&b).ok()), "to": c.boundary },
        });
        audit::record(&mut tx, &actor.audit(), "area_boundary_imported", "area", c.id, detail).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundaryInput {
    pub version: i64,
    /// A Polygon or MultiPolygon (or a Feature of one); `null` clears the boundary.
    pub boundary: Option<Value>,
    #[serde(default)]
    pub datum: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoundaryOut {
    pub area: AreaOut,
    /// The overlaps and gaps of the grid's community after the change.
    pub check: CheckOut,
}

/// Saves one grid's boundary (drawn in the browser or sent by a client) with its version.
pub async fn set_boundary(db: &Db, actor: &Actor, id: i64, input: &BoundaryInput) -> AppResult<BoundaryOut> {
    actor.require(Permission::ManageAreas)?;
    let row = areas::row_in_scope(db, actor, id).await?;
    if row.kind != "grid" {
        return Err(AppError::field("id", "只能为网格绘制边界"));
    }
    if row.status != "active" {
        return Err(AppError::Conflict("已撤销的网格不能修改边界".into()));
    }
    let datum = datum_of("datum", input.datum.as_deref())?;
    let new = match input.boundary.as_ref().filter(|b| !b.is_null()) {
        None => None,
        Some(b) => Some(
            boundary::check_grid_cap(b)
                .and_then(|_| boundary::parse(b, datum))
                .map_err(|e| AppError::field("boundary", e))?,
        ),
    };
    let before = row.boundary.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok());
    let mut tx = db.begin().await?;
    store::forget_checks(&mut tx, &row.path).await?;
    let text = new.as_ref().map(Value::to_string);
    if !store::set_boundary(&mut tx, id, input.version, text.as_deref(), actor.now).await? {
        return Err(AppError::Conflict("该网格的边界已被他人修改，请刷新页面后重新绘制".into()));
    }
    let detail = json!({ "via": "drawn", "boundary": { "from": before, "to": new } });
    audit::record(&mut tx, &actor.audit(), "area_boundary_set", "area", id, detail).await?;
    tx.commit().await?;
    let area = areas::get(db, actor, id).await?;
    let (_, check) = check_area(db, actor, id, None).await?;
    Ok(BoundaryOut { area, check })
}
