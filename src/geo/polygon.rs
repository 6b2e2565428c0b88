//! Polygons parsed once from GeoJSON (Polygon or MultiPolygon, holes included) with their bounding
//! box, and the even–odd point-in-polygon test.

use serde_json::Value;

/// A bounding box: (min lon, min lat, max lon, max lat).
pub type BBox = [f64; 4];

/// One shape: every ring of every polygon (outer rings and holes alike; even–odd decides).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub rings: Vec<Vec<(f64, f64)>>,
    pub bbox: BBox,
}

impl Shape {
    /// The shape of a GeoJSON Polygon or MultiPolygon; None for anything else or no points.
    pub fn from_geojson(geom: &Value) -> Option<Shape> {
        let polys: Vec<&Value> = match geom.get("type").and_then(Value::as_str) {
            Some("Polygon") => geom.get("coordinates").into_iter().collect(),
            Some("MultiPolygon") => geom.get("coordinates")?.as_array()?.iter().collect(),
            _ => return None,
        };
        let rings: Vec<Vec<(f64, f64)>> = polys
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_array)
            .map(|ring| ring.iter().filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect())
            .filter(|r: &Vec<(f64, f64)>| r.len() >= 3)
            .collect();
        Shape::new(rings)
    }

    pub fn new(rings: Vec<Vec<(f64, f64)>>) -> Option<Shape> {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &(x, y) in rings.iter().flatten() {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        (b[0] <= b[2]).then_some(Shape { rings, bbox: b })
    }

    /// Whether (lon, lat) lies inside (even–odd rule: a point in a hole is outside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let b = &self.bbox;
        if lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3] {
            return false;
        }
        let mut inside = false;
        for ring in &self.rings {
            let n = ring.len();
            let mut j = n - 1;
            for i in 0..n {
                let ((xi, yi), (xj, yj)) = (ring[i], ring[j]);
                if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
                    inside = !inside;
                }
                j = i;
            }
        }
        inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn holes_multipolygons_and_edges() {
        let g = json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]],
            [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]]});
        let s = Shape::from_geojson(&g).unwrap();
        assert_eq!(s.bbox, [0.0, 0.0, 10.0, 10.0]);
        assert!(s.contains(1.0, 1.0) && !s.contains(5.0, 5.0) && !s.contains(11.0, 5.0) && !s.contains(5.0, -0.1));
        let m = json!({"type": "MultiPolygon", "coordinates": [
            [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
            [[[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 5.0]]]]});
        let m = Shape::from_geojson(&m).unwrap();
        assert!(m.contains(0.9, 0.1) && m.contains(5.9, 5.1) && !m.contains(3.0, 3.0));
        // A concave (L-shaped) polygon: the notch is outside.
        let l = Shape::new(vec![vec![(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0)]]).unwrap();
        assert!(l.contains(0.5, 1.5) && l.contains(1.5, 0.5) && !l.contains(1.5, 1.5));
        assert!(Shape::from_geojson(&json!({"type": "Point", "coordinates": [1, 2]})).is_none());
        assert!(Shape::from_geojson(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})).is_none());
    }
}
