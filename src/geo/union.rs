//! The outline of many shapes as one (a town from its grids' boundaries): `geo`'s union, answered
//! as a GeoJSON MultiPolygon (WGS-84) with a point inside it for a label.

use super::polygon::Shape;
use geo::{Area, InteriorPoint, LineString, MultiPolygon, unary_union};
use serde_json::{Value, json};

/// The union of GeoJSON Polygons / MultiPolygons, and a point inside its largest piece; None when
/// none of them has an area.
pub fn union_geojson(geoms: &[&Value]) -> Option<(Value, (f64, f64))> {
    let parts: Vec<MultiPolygon> =
        geoms.iter().filter_map(|g| Shape::from_geojson(g)).map(|s| s.region().clone()).collect();
    let all = unary_union(parts.iter());
    let largest = all.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let label = largest.interior_point()?;
    let ring = |r: &LineString| r.0.iter().map(|c| json!([c.x, c.y])).collect::<Vec<_>>();
    let polys: Vec<Value> = all
        .0
        .iter()
        .map(|p| {
            Value::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(|r| Value::Array(ring(r))).collect())
        })
        .collect();
    Some((json!({ "type": "MultiPolygon", "coordinates": polys }), label.x_y()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Value {
        json!({ "type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]] })
    }

    #[test]
    fn neighbours_merge_into_one_outline_with_a_label_inside() {
        let (a, b, far) = (square(104.0, 31.0, 0.01), square(104.01, 31.0, 0.01), square(105.0, 31.0, 0.001));
        let (u, (x, y)) = union_geojson(&[&a, &b, &far]).unwrap();
        let polys = u["coordinates"].as_array().unwrap();
        assert_eq!(polys.len(), 2, "{u}");
        // The label is inside the larger piece (the two merged squares).
        assert!((104.0..104.02).contains(&x) && (31.0..31.01).contains(&y), "({x}, {y})");
        let merged = Shape::from_geojson(&u).unwrap();
        assert!(
            merged.contains(104.005, 31.005) && merged.contains(104.015, 31.005) && !merged.contains(104.5, 31.005)
        );
        assert!(union_geojson(&[]).is_none());
    }
}
