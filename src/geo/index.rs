//! The grid of a coordinate: an `rstar` R-tree over the grids' bounding boxes, bulk-loaded once,
//! then the exact point-in-polygon test on the few shapes whose boxes hold the point. Read-only
//! after building; rebuild when boundaries change.

use super::polygon::Shape;
use geo::coordinate_position::CoordPos;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// A grid's box in the tree, with the grid's position in the input.
type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Grids by their boundaries.
pub struct GridIndex {
    shapes: Vec<(i64, Shape)>,
    tree: RTree<Entry>,
}

impl GridIndex {
    /// Builds the index of (grid id, shape) pairs.
    pub fn new(shapes: Vec<(i64, Shape)>) -> GridIndex {
        // Every region built here, once, so that no lookup pays for it.
        for (_, s) in &shapes {
            s.region();
        }
        let entries: Vec<Entry> = shapes
            .iter()
            .enumerate()
            .map(|(i, (_, s))| {
                let b = s.bbox;
                GeomWithData::new(Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]), i as u32)
            })
            .collect();
        GridIndex { shapes, tree: RTree::bulk_load(entries) }
    }

    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// The grid whose boundary holds (lon, lat) in WGS-84. A point on an edge that grids share goes to
    /// the one given first; where grids overlap (a drawing error the check reports), to any of them.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<i64> {
        self.locate_where(lon, lat, |_| true)
    }

    /// The grid whose boundary holds (lon, lat) and that `wanted` accepts (a scope, …), as `locate`.
    pub fn locate_where(&self, lon: f64, lat: f64, mut wanted: impl FnMut(i64) -> bool) -> Option<i64> {
        // Strictly inside: that grid at once. On an edge: the first given of the grids that share it.
        let mut on_edge: Option<u32> = None;
        for hit in self.tree.locate_all_at_point(&[lon, lat]) {
            let pos = hit.data;
            let (id, shape) = &self.shapes[pos as usize];
            match shape.position(lon, lat) {
                CoordPos::Inside if wanted(*id) => return Some(*id),
                CoordPos::OnBoundary if on_edge.is_none_or(|b| pos < b) && wanted(*id) => on_edge = Some(pos),
                _ => {}
            }
        }
        on_edge.map(|p| self.shapes[p as usize].0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, side: f64) -> Shape {
        Shape::new(vec![vec![(x, y), (x + side, y), (x + side, y + side), (x, y + side)]]).unwrap()
    }

    #[test]
    fn finds_the_grid_of_every_point_like_a_full_scan() {
        // 37 × 29 squares (more than two levels), ids by position; probes on a finer lattice.
        let mut shapes = Vec::new();
        for i in 0..37 {
            for j in 0..29 {
                shapes.push((i * 100 + j, square(104.0 + i as f64 * 0.01, 31.0 + j as f64 * 0.01, 0.01)));
            }
        }
        let scan = shapes.clone();
        let index = GridIndex::new(shapes);
        assert_eq!(index.len(), 37 * 29);
        for a in 0..80 {
            for b in 0..70 {
                let (x, y) = (103.995 + a as f64 * 0.00491, 30.995 + b as f64 * 0.00437);
                let want = scan.iter().find(|(_, s)| s.contains(x, y)).map(|(id, _)| *id);
                assert_eq!(index.locate(x, y), want, "({x}, {y})");
            }
        }
        assert_eq!(index.locate(104.015, 31.025), Some(102));
        assert_eq!(index.locate(120.0, 31.0), None);
        assert!(GridIndex::new(vec![]).locate(104.0, 31.0).is_none());
    }
}
