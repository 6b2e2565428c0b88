//! Polygons parsed once from GeoJSON (`geojson`: Polygon or MultiPolygon, holes included) into a
//! `geo` multipolygon with their bounding box; the point-in-polygon test is `geo`'s.

use geo::{BooleanOps, Coord, CoordinatePosition, LineString, MultiPolygon, Polygon, coordinate_position::CoordPos};
use serde_json::Value;
use std::sync::OnceLock;

/// A bounding box: (min lon, min lat, max lon, max lat).
pub type BBox = [f64; 4];

/// One shape: every ring of every polygon as given (outer rings and holes alike), and the region
/// they bound under the even–odd rule (a point in a hole is outside; ring orientation does not matter).
/// The region is built on first use: drawing a map needs only the rings.
#[derive(Debug, Clone)]
pub struct Shape {
    pub rings: Vec<Vec<(f64, f64)>>,
    pub bbox: BBox,
    region: OnceLock<MultiPolygon>,
}

/// Equal rings make equal shapes (the region follows from them, built or not).
impl PartialEq for Shape {
    fn eq(&self, other: &Shape) -> bool {
        self.rings == other.rings && self.bbox == other.bbox
    }
}

/// The rings of a parsed GeoJSON geometry: None unless it is a Polygon or MultiPolygon.
fn geojson_rings(geom: &Value) -> Option<Vec<Vec<Vec<f64>>>> {
    let parsed = geojson::Geometry::from_json_value(geom.clone()).ok()?;
    match parsed.value {
        geojson::Value::Polygon(rings) => Some(rings),
        geojson::Value::MultiPolygon(polys) => Some(polys.into_iter().flatten().collect()),
        _ => None,
    }
}

impl Shape {
    /// The shape of a GeoJSON Polygon or MultiPolygon; None for anything else, a malformed one, or
    /// one without a ring of three points.
    pub fn from_geojson(geom: &Value) -> Option<Shape> {
        let rings: Vec<Vec<(f64, f64)>> = geojson_rings(geom)?
            .into_iter()
            .map(|ring| ring.iter().filter_map(|p| Some((*p.first()?, *p.get(1)?))).collect())
            .filter(|r: &Vec<(f64, f64)>| r.len() >= 3)
            .collect();
        Shape::new(rings)
    }

    /// A shape of rings in (lon, lat); None when no ring has a point.
    pub fn new(rings: Vec<Vec<(f64, f64)>>) -> Option<Shape> {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &(x, y) in rings.iter().flatten() {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        (b[0] <= b[2]).then_some(Shape { rings, bbox: b, region: OnceLock::new() })
    }

    /// The region in degrees, clean (no overlapping rings, holes as interiors).
    pub fn region(&self) -> &MultiPolygon {
        self.region.get_or_init(|| {
            let polys: Vec<Polygon> = self
                .rings
                .iter()
                .filter(|r| r.len() >= 3)
                .map(|r| Polygon::new(LineString::from(r.clone()), vec![]))
                .collect();
            // `geo`'s boolean operations fill even–odd: the union with nothing makes the rings one clean region.
            MultiPolygon::new(polys).union(&MultiPolygon::new(vec![]))
        })
    }

    /// Whether (lon, lat) lies inside or on the boundary (a point in a hole is outside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.position(lon, lat) != CoordPos::Outside
    }

    /// Where (lon, lat) lies: inside, on the boundary, or outside (the bounding box decides first).
    pub fn position(&self, lon: f64, lat: f64) -> CoordPos {
        let b = &self.bbox;
        if lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3] {
            return CoordPos::Outside;
        }
        self.region().coordinate_position(&Coord { x: lon, y: lat })
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

    #[test]
    fn malformed_geojson_is_no_shape_and_the_boundary_is_inside() {
        for bad in [
            json!({"type": "Polygon", "coordinates": "x"}),
            json!({"type": "Polygon"}),
            json!({"coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}),
            json!({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0]]]]}),
            json!("Polygon"),
        ] {
            assert!(Shape::from_geojson(&bad).is_none(), "{bad}");
        }
        // Two overlapping rings: even–odd, as the shapes were always read.
        let two = Shape::new(vec![
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)],
            vec![(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0)],
        ])
        .unwrap();
        assert!(two.contains(0.5, 0.5) && two.contains(2.5, 2.5) && !two.contains(1.5, 1.5));
        let sq = Shape::new(vec![vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]]).unwrap();
        assert!(sq.contains(1.0, 0.5) && sq.contains(0.0, 0.0) && !sq.contains(1.000_001, 0.5));
    }
}
