//! Draws a grid boundary (GeoJSON) as SVG path data, with no map tiles and no internet.

use serde_json::Value;

/// An SVG drawing: its view box size and one path per polygon.
pub struct Outline {
    pub width: f64,
    pub height: f64,
    pub paths: Vec<String>,
}

fn rings(geom: &Value) -> Vec<Vec<(f64, f64)>> {
    let polys: Vec<&Value> = match geom.get("type").and_then(Value::as_str) {
        Some("Polygon") => geom.get("coordinates").into_iter().collect(),
        Some("MultiPolygon") => {
            geom.get("coordinates").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
        }
        _ => vec![],
    };
    polys
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_array)
        .map(|ring| ring.iter().filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect())
        .collect()
}

/// Projects the outline into a box 1000 units wide (equirectangular, corrected for latitude).
pub fn outline(geom: &Value) -> Option<Outline> {
    let rings = rings(geom);
    if rings.iter().all(Vec::is_empty) {
        return None;
    }
    draw(&rings, &[]).map(|(o, _)| o)
}

/// The outline (if any) with a track of (lon, lat) points drawn over it in the same projection; the
/// box holds both. Answers the drawing and the track as SVG polyline points (`x,y x,y …`).
pub fn outline_with_track(geom: Option<&Value>, track: &[(f64, f64)]) -> Option<(Outline, String)> {
    let rings = geom.map(rings).unwrap_or_default();
    draw(&rings, track)
}

fn draw(rings: &[Vec<(f64, f64)>], track: &[(f64, f64)]) -> Option<(Outline, String)> {
    let pts: Vec<(f64, f64)> = rings.iter().flatten().chain(track.iter()).copied().collect();
    if pts.is_empty() {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in &pts {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos().max(0.01);
    let w = ((x1 - x0) * k).max(1e-9);
    let h = (y1 - y0).max(1e-9);
    let scale = 1000.0 / w;
    let (width, height) = (1000.0, (h * scale).clamp(100.0, 1500.0));
    let pad = 20.0;
    let project = |x: f64, y: f64| {
        (
            pad + (x - x0) * k * scale * (width - 2.0 * pad) / width,
            pad + (y1 - y) * scale * (height - 2.0 * pad) / height.max(1.0),
        )
    };
    let paths = rings
        .iter()
        .filter(|ring| !ring.is_empty())
        .map(|ring| {
            let mut d = String::new();
            for (i, (x, y)) in ring.iter().enumerate() {
                let (px, py) = project(*x, *y);
                d.push_str(&format!("{}{px:.1} {py:.1} ", if i == 0 { "M" } else { "L" }));
            }
            d.push('Z');
            d
        })
        .collect();
    let line = track
        .iter()
        .map(|(x, y)| {
            let (px, py) = project(*x, *y);
            format!("{px:.1},{py:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some((Outline { width, height, paths }, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn draws_a_square() {
        let g = json!({"type": "Polygon", "coordinates": [[[104.0, 31.0], [104.01, 31.0], [104.01, 31.01], [104.0, 31.0]]]});
        let o = outline(&g).unwrap();
        assert_eq!(o.paths.len(), 1);
        assert!(o.paths[0].starts_with("M20.0 "));
        assert!(o.paths[0].ends_with('Z'));
        assert!(outline(&json!({"type": "Point"})).is_none());
    }

    #[test]
    fn draws_a_track_in_the_outline_projection() {
        let g = json!({"type": "Polygon", "coordinates": [[[104.0, 31.0], [104.01, 31.0], [104.01, 31.01], [104.0, 31.0]]]});
        let (o, line) = outline_with_track(Some(&g), &[(104.0, 31.01), (104.005, 31.005)]).unwrap();
        assert_eq!(o.paths[0], outline(&g).unwrap().paths[0], "the track inside does not move the outline");
        assert!(line.starts_with("20.0,20.0 "), "{line}");
        // A track alone is drawn in its own box; nothing at all draws nothing.
        assert!(outline_with_track(None, &[(104.0, 31.0), (104.001, 31.0)]).unwrap().0.paths.is_empty());
        assert!(outline_with_track(None, &[]).is_none());
    }
}

/// Whether a point (lon, lat) lies inside a Polygon or MultiPolygon (even–odd rule, so holes count).
pub fn contains(geom: &Value, lon: f64, lat: f64) -> bool {
    let mut inside = false;
    for ring in rings(geom) {
        let n = ring.len();
        for i in 0..n {
            let (xi, yi) = ring[i];
            let (xj, yj) = ring[(i + n - 1) % n];
            if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod contains_tests {
    #[test]
    fn point_in_polygon_with_a_hole() {
        let g = serde_json::json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]],
            [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]]});
        assert!(super::contains(&g, 1.0, 1.0));
        assert!(!super::contains(&g, 5.0, 5.0));
        assert!(!super::contains(&g, 11.0, 5.0));
    }
}
