//! Draws grid boundaries (GeoJSON) as SVG paths — one grid, or many in one projection — no tiles, no internet.

use serde_json::Value;

/// An SVG drawing: its view box size and one path per polygon.
pub struct Outline {
    pub width: f64,
    pub height: f64,
    pub paths: Vec<String>,
}

fn rings(geom: &Value) -> Vec<Vec<(f64, f64)>> {
    crate::geo::polygon::Shape::from_geojson(geom).map(|s| s.rings).unwrap_or_default()
}

/// Longitude/latitude → SVG units: equirectangular, corrected for latitude, 1000 units wide.
struct Projection {
    x0: f64,
    y1: f64,
    k: f64,
    scale: f64,
    width: f64,
    height: f64,
}

const PAD: f64 = 20.0;

impl Projection {
    fn of(pts: impl Iterator<Item = (f64, f64)>) -> Option<Projection> {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let mut any = false;
        for (x, y) in pts {
            any = true;
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if !any {
            return None;
        }
        let k = ((y0 + y1) / 2.0).to_radians().cos().max(0.01);
        let w = ((x1 - x0) * k).max(1e-9);
        let h = (y1 - y0).max(1e-9);
        let scale = 1000.0 / w;
        Some(Projection { x0, y1, k, scale, width: 1000.0, height: (h * scale).clamp(100.0, 1500.0) })
    }

    fn point(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let px = PAD + (x - self.x0) * self.k * self.scale * (self.width - 2.0 * PAD) / self.width;
        let py = PAD + (self.y1 - y) * self.scale * (self.height - 2.0 * PAD) / self.height.max(1.0);
        (px, py)
    }

    /// One ring as path data; points closer than `min_step` units to the last one drawn are left out.
    fn ring(&self, ring: &[(f64, f64)], min_step: f64, d: &mut String) {
        let mut last: Option<(f64, f64)> = None;
        let mut drawn = 0;
        for (i, p) in ring.iter().enumerate() {
            let (px, py) = self.point(*p);
            let is_last = i + 1 == ring.len();
            if let Some((lx, ly)) = last
                && !is_last
                && (px - lx).abs() < min_step
                && (py - ly).abs() < min_step
            {
                continue;
            }
            d.push_str(&format!("{}{px:.1} {py:.1} ", if drawn == 0 { "M" } else { "L" }));
            drawn += 1;
            last = Some((px, py));
        }
        if drawn > 0 {
            d.push('Z');
        }
    }
}

/// Projects the outline into a box 1000 units wide (equirectangular, corrected for latitude).
pub fn outline(geom: &Value) -> Option<Outline> {
    outline_with_track(Some(geom), &[]).map(|(o, _)| o)
}

/// The outline (if any) with a track of (lon, lat) points drawn over it in the same projection; the
/// box holds both. Answers the drawing and the track as SVG polyline points (`x,y x,y …`).
pub fn outline_with_track(geom: Option<&Value>, track: &[(f64, f64)]) -> Option<(Outline, String)> {
    let rings = geom.map(rings).unwrap_or_default();
    let p = Projection::of(rings.iter().flatten().chain(track.iter()).copied())?;
    let paths = rings
        .iter()
        .map(|ring| {
            let mut d = String::new();
            p.ring(ring, 0.0, &mut d);
            d
        })
        .collect();
    let line = track
        .iter()
        .map(|pt| {
            let (x, y) = p.point(*pt);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some((Outline { width: p.width, height: p.height, paths }, line))
}

/// Many shapes (the grids of a town …) in one projection: one path per shape holding all its rings
/// (draw with `fill-rule="evenodd"`), points closer than `min_step` units apart left out so that a
/// map of thousands of grids stays small. A shape without polygons gets an empty path.
pub fn outlines(geoms: &[Value], min_step: f64) -> Option<Outline> {
    let all: Vec<Vec<Vec<(f64, f64)>>> = geoms.iter().map(rings).collect();
    let p = Projection::of(all.iter().flatten().flatten().copied())?;
    let paths = all
        .iter()
        .map(|rings| {
            let mut d = String::new();
            for ring in rings {
                p.ring(ring, min_step, &mut d);
            }
            d
        })
        .collect();
    Some(Outline { width: p.width, height: p.height, paths })
}

/// Like `outlines`, with points (labels) projected the same way.
pub fn outlines_labelled(geoms: &[Value], labels: &[(f64, f64)], min_step: f64) -> Option<(Outline, Vec<(f64, f64)>)> {
    let all: Vec<Vec<Vec<(f64, f64)>>> = geoms.iter().map(rings).collect();
    let p = Projection::of(all.iter().flatten().flatten().copied())?;
    let paths = all
        .iter()
        .map(|rings| {
            let mut d = String::new();
            for ring in rings {
                p.ring(ring, min_step, &mut d);
            }
            d
        })
        .collect();
    Some((Outline { width: p.width, height: p.height, paths }, labels.iter().map(|l| p.point(*l)).collect()))
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

    #[test]
    fn draws_many_shapes_in_one_projection_and_thins_points() {
        let a = json!({"type": "Polygon", "coordinates": [[[104.0, 31.0], [104.01, 31.0], [104.01, 31.01], [104.0, 31.0]]]});
        let b = json!({"type": "MultiPolygon", "coordinates": [
            [[[104.02, 31.0], [104.03, 31.0], [104.03, 31.01], [104.02, 31.0]]],
            [[[104.04, 31.0], [104.040001, 31.0], [104.05, 31.0], [104.05, 31.01], [104.04, 31.0]]]]});
        let o = outlines(&[a, b, json!({"type": "Point"})], 2.0).unwrap();
        assert_eq!(o.paths.len(), 3);
        assert!(o.paths[0].starts_with("M20.0 "), "the westmost shape starts at the left edge");
        assert_eq!(o.paths[1].matches('M').count(), 2, "one path, two rings");
        assert_eq!(o.paths[1].matches('L').count(), 6, "the point a hair away from the last is left out");
        assert!(o.paths[2].is_empty());
        assert!(outlines(&[json!({"type": "Point"})], 1.0).is_none());
    }
}

/// Whether a point (lon, lat) lies inside a Polygon or MultiPolygon (even–odd rule, so holes count).
pub fn contains(geom: &Value, lon: f64, lat: f64) -> bool {
    crate::geo::polygon::Shape::from_geojson(geom).is_some_and(|s| s.contains(lon, lat))
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
