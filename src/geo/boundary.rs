//! A grid boundary as it comes in (GeoJSON Polygon or MultiPolygon, or a Feature of one, in
//! WGS-84, CGCS2000 or GCJ-02): checked — closed rings, no self-intersecting ring, inside China —
//! and converted to WGS-84, the only datum stored. Errors are plain Chinese sentences.

use super::coords::{Datum, out_of_china, to_wgs84};
use serde_json::{Value, json};

/// Most vertices one boundary may have (a community's or a town's own outline).
pub const MAX_VERTICES: usize = 20_000;

/// Most vertices one grid's boundary may have. A grid is a few hundred households; even a rural
/// grid covering a whole village has an outline of at most ~10 km, and a vertex every 2 m along it
/// (finer than any survey or 天地图 tracing of a field boundary) is 5,000. The cap bounds the overlap
/// and gap check of a community (26 grids × 5,000 vertices, see `wangge bench geo`).
pub const MAX_GRID_VERTICES: usize = 5_000;

/// Refuses a grid boundary (GeoJSON geometry or Feature) with more vertices than `MAX_GRID_VERTICES`.
pub fn check_grid_cap(value: &Value) -> Result<(), String> {
    let geom = value.get("geometry").filter(|_| value.get("type").and_then(Value::as_str) == Some("Feature"));
    let n = count_vertices(geom.unwrap_or(value).get("coordinates").unwrap_or(&Value::Null));
    if n > MAX_GRID_VERTICES {
        return Err(format!(
            "网格边界的坐标点过多（{n} 个，一个网格最多 {MAX_GRID_VERTICES} 个）：请在制图软件中简化边界（如容差 1 米的抽稀）后再导入"
        ));
    }
    Ok(())
}

/// Positions in nested GeoJSON coordinates (a position is an array whose first item is a number).
fn count_vertices(v: &Value) -> usize {
    match v.as_array() {
        Some(a) if a.first().is_some_and(Value::is_number) => 1,
        Some(a) => a.iter().map(count_vertices).sum(),
        None => 0,
    }
}

/// The boundary in WGS-84, ready to store, or why it cannot be.
pub fn parse(value: &Value, datum: Datum) -> Result<Value, String> {
    let geom = match value.get("type").and_then(Value::as_str) {
        Some("Feature") => value.get("geometry").filter(|g| !g.is_null()).ok_or("缺少几何图形（geometry）")?,
        Some("Polygon" | "MultiPolygon") => value,
        Some(other) => return Err(format!("几何类型应为 Polygon 或 MultiPolygon，而不是 {other}")),
        None => return Err("不是有效的 GeoJSON（缺少 type）".into()),
    };
    let kind = geom.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = geom.get("coordinates").ok_or("缺少坐标（coordinates）")?;
    let polygons: Vec<&Value> = match kind {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords.as_array().ok_or("MultiPolygon 的坐标应为数组")?.iter().collect(),
        other => return Err(format!("几何类型应为 Polygon 或 MultiPolygon，而不是 {other}")),
    };
    if polygons.is_empty() {
        return Err("没有多边形".into());
    }
    let mut vertices = 0usize;
    let mut out_polys = Vec::with_capacity(polygons.len());
    for (pi, poly) in polygons.iter().enumerate() {
        let rings = poly.as_array().ok_or("多边形应为环的数组")?;
        if rings.is_empty() {
            return Err("多边形没有外环".into());
        }
        let mut out_rings = Vec::with_capacity(rings.len());
        for (ri, ring) in rings.iter().enumerate() {
            let which = ring_name(polygons.len(), pi, ri);
            let pts = ring.as_array().ok_or_else(|| format!("{which}应为坐标数组"))?;
            let mut parsed: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
            for p in pts {
                let xy =
                    p.as_array().filter(|a| a.len() >= 2).ok_or_else(|| format!("{which}的坐标应为 [经度, 纬度]"))?;
                let (Some(x), Some(y)) = (xy[0].as_f64(), xy[1].as_f64()) else {
                    return Err(format!("{which}的经纬度应为数字"));
                };
                if !x.is_finite() || !y.is_finite() || out_of_china(x, y) {
                    return Err(format!(
                        "{which}有坐标（{x}, {y}）超出中国范围（经度 72–138，纬度 0.8–56；请确认经纬度顺序为 [经度, 纬度]）"
                    ));
                }
                parsed.push(to_wgs84(datum, x, y));
            }
            if parsed.len() < 4 {
                return Err(format!("{which}至少需要 4 个坐标点（首尾相同）"));
            }
            if pts.first() != pts.last() {
                return Err(format!("{which}的首尾坐标必须相同（闭合）"));
            }
            // The converted ring closes exactly too (conversion is deterministic, but be sure).
            let n = parsed.len();
            parsed[n - 1] = parsed[0];
            if let Some((i, j)) = self_intersection(&parsed) {
                return Err(format!("{which}自相交（第 {} 条边与第 {} 条边相交），请修正后再导入", i + 1, j + 1));
            }
            vertices += parsed.len();
            out_rings.push(parsed.into_iter().map(|(x, y)| json!([round7(x), round7(y)])).collect::<Vec<_>>());
        }
        out_polys.push(out_rings);
    }
    if vertices > MAX_VERTICES {
        return Err(format!("坐标点过多（{vertices} 个，最多 {MAX_VERTICES} 个）"));
    }
    Ok(match kind {
        "Polygon" => json!({ "type": "Polygon", "coordinates": out_polys.remove(0) }),
        _ => json!({ "type": "MultiPolygon", "coordinates": out_polys }),
    })
}

/// About 1 cm: more digits are noise after a datum conversion.
fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

fn ring_name(polys: usize, pi: usize, ri: usize) -> String {
    let ring = if ri == 0 { "外环".to_owned() } else { format!("第 {ri} 个内环") };
    if polys > 1 { format!("第 {} 个多边形的{ring}", pi + 1) } else { ring }
}

/// The first pair of edges of a closed ring that cross or touch other than at their shared vertex
/// (edges indexed from 0). Edges sorted by their left end, each tested against those it overlaps in x.
pub fn self_intersection(ring: &[(f64, f64)]) -> Option<(usize, usize)> {
    let n = ring.len().saturating_sub(1);
    if n < 3 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let minx = |i: usize| ring[i].0.min(ring[i + 1].0);
    let maxx = |i: usize| ring[i].0.max(ring[i + 1].0);
    order.sort_by(|a, b| minx(*a).total_cmp(&minx(*b)));
    let mut found: Option<(usize, usize)> = None;
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if minx(j) > maxx(i) {
                break;
            }
            let adjacent = i.abs_diff(j) == 1 || i.abs_diff(j) == n - 1;
            if segments_meet(ring[i], ring[i + 1], ring[j], ring[j + 1], adjacent) {
                let pair = (i.min(j), i.max(j));
                found = Some(found.map_or(pair, |f| f.min(pair)));
            }
        }
    }
    found
}

fn orient(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

fn on_segment(a: (f64, f64), b: (f64, f64), p: (f64, f64)) -> bool {
    p.0 >= a.0.min(b.0) && p.0 <= a.0.max(b.0) && p.1 >= a.1.min(b.1) && p.1 <= a.1.max(b.1)
}

/// Whether segments ab and cd meet; neighbours (`adjacent`) may share their common vertex only.
fn segments_meet(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64), adjacent: bool) -> bool {
    let (d1, d2, d3, d4) = (orient(c, d, a), orient(c, d, b), orient(a, b, c), orient(a, b, d));
    if adjacent {
        // They share a vertex; they only overlap if they run back along each other.
        let shared = if b == c || b == d { b } else { a };
        let other_ab = if shared == a { b } else { a };
        let other_cd = if shared == c { d } else { c };
        return orient(shared, other_ab, other_cd) == 0.0
            && (other_ab.0 - shared.0) * (other_cd.0 - shared.0) + (other_ab.1 - shared.1) * (other_cd.1 - shared.1)
                > 0.0;
    }
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0)) && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0)) {
        return true;
    }
    (d1 == 0.0 && on_segment(c, d, a))
        || (d2 == 0.0 && on_segment(c, d, b))
        || (d3 == 0.0 && on_segment(a, b, c))
        || (d4 == 0.0 && on_segment(a, b, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]})
    }

    #[test]
    fn converts_gcj02_to_wgs84_at_the_edge() {
        // The published reference point: WGS-84 (116.404, 39.915) is GCJ-02 (116.410244…, 39.916404…).
        let (gx, gy) = (116.410_244_499_169_38, 39.916_404_281_501_64);
        let g = parse(&square(gx, gy, 0.001), Datum::Gcj02).unwrap();
        let p = &g["coordinates"][0][0];
        assert!((p[0].as_f64().unwrap() - 116.404).abs() < 2e-7, "{p}");
        assert!((p[1].as_f64().unwrap() - 39.915).abs() < 2e-7, "{p}");
        // The ring still closes exactly after conversion.
        assert_eq!(g["coordinates"][0][0], g["coordinates"][0][4]);
        // WGS-84 and CGCS2000 are stored as given.
        let sq = json!({"type": "Polygon", "coordinates": [[[104.7, 31.7], [104.71, 31.7], [104.71, 31.71], [104.7, 31.7]]]});
        assert_eq!(parse(&sq, Datum::Cgcs2000).unwrap(), sq);
        let f = json!({"type": "Feature", "properties": {}, "geometry": sq});
        assert_eq!(parse(&f, Datum::Wgs84).unwrap(), sq);
    }

    #[test]
    fn refuses_bad_shapes_with_a_reason() {
        let bow = json!({"type": "Polygon", "coordinates": [[[104.0, 31.0], [104.1, 31.1], [104.1, 31.0], [104.0, 31.1], [104.0, 31.0]]]});
        let e = parse(&bow, Datum::Wgs84).unwrap_err();
        assert!(e.contains("自相交"), "{e}");
        let swapped = square(31.7, 104.7, 0.01);
        assert!(parse(&swapped, Datum::Wgs84).unwrap_err().contains("超出中国范围"));
        assert!(parse(&square(2.35, 48.85, 0.01), Datum::Wgs84).unwrap_err().contains("超出中国范围"));
        let open =
            json!({"type": "Polygon", "coordinates": [[[104.0, 31.0], [104.1, 31.0], [104.1, 31.1], [104.0, 31.1]]]});
        assert!(parse(&open, Datum::Wgs84).unwrap_err().contains("闭合"));
        assert!(parse(&json!({"type": "Point", "coordinates": [104.0, 31.0]}), Datum::Wgs84).is_err());
        assert!(parse(&json!({"type": "Feature", "geometry": null}), Datum::Wgs84).is_err());
        let hole_bad = json!({"type": "Polygon", "coordinates": [
            [[104.0, 31.0], [104.1, 31.0], [104.1, 31.1], [104.0, 31.1], [104.0, 31.0]],
            [[104.02, 31.02], [104.05, 31.05], [104.05, 31.02], [104.02, 31.05], [104.02, 31.02]]]});
        assert!(parse(&hole_bad, Datum::Wgs84).unwrap_err().contains("第 1 个内环自相交"));
    }

    #[test]
    fn self_intersection_of_rings() {
        let sq = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)];
        assert_eq!(self_intersection(&sq), None);
        let concave = [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0), (0.0, 0.0)];
        assert_eq!(self_intersection(&concave), None);
        let bow = [(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)];
        assert_eq!(self_intersection(&bow), Some((0, 2)));
        // A ring touching itself at a vertex (a pinch) is refused too.
        let pinch = [(0.0, 0.0), (2.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0), (0.0, 0.0)];
        assert!(self_intersection(&pinch).is_some());
        // A spike going back along its own edge.
        let spike = [(0.0, 0.0), (2.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)];
        assert!(self_intersection(&spike).is_some());
    }
}
