//! The grid index as it was before `rstar` (hand-made sort-tile-recursive R-tree, 16 entries a
//! node, and the hand-made even–odd ray test): kept only so `wangge bench geo` can print old vs new.

use crate::geo::polygon::{BBox, Shape};

const FANOUT: usize = 16;

/// One node level: boxes and, per box, the range of children (or shapes at the leaf level).
struct Level {
    boxes: Vec<BBox>,
    spans: Vec<(u32, u32)>,
}

/// Grids by their boundaries.
pub struct GridIndex {
    shapes: Vec<(i64, Shape)>,
    /// From the leaves (boxes over shapes) up to the root.
    levels: Vec<Level>,
}

fn union(boxes: &[BBox]) -> BBox {
    boxes.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |a, b| {
        [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
    })
}

fn holds(b: &BBox, x: f64, y: f64) -> bool {
    x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]
}

/// The old point-in-polygon test: even–odd ray crossing over every ring (half-open on edges).
fn even_odd(shape: &Shape, lon: f64, lat: f64) -> bool {
    let b = &shape.bbox;
    if lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3] {
        return false;
    }
    let mut inside = false;
    for ring in &shape.rings {
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

/// Sort-tile-recursive order of boxes: vertical slices by centre x, each sorted by centre y.
fn str_order(boxes: &[BBox]) -> Vec<usize> {
    let n = boxes.len();
    let pages = n.div_ceil(FANOUT).max(1);
    let slices = (pages as f64).sqrt().ceil() as usize;
    let per_slice = slices * FANOUT;
    let cx = |i: usize| boxes[i][0] + boxes[i][2];
    let cy = |i: usize| boxes[i][1] + boxes[i][3];
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| cx(*a).total_cmp(&cx(*b)));
    for slice in order.chunks_mut(per_slice.max(1)) {
        slice.sort_by(|a, b| cy(*a).total_cmp(&cy(*b)));
    }
    order
}

impl GridIndex {
    /// Builds the index of (grid id, shape) pairs.
    pub fn new(shapes: Vec<(i64, Shape)>) -> GridIndex {
        let boxes: Vec<BBox> = shapes.iter().map(|(_, s)| s.bbox).collect();
        let order = str_order(&boxes);
        let shapes: Vec<(i64, Shape)> = {
            let mut slots: Vec<Option<(i64, Shape)>> = shapes.into_iter().map(Some).collect();
            order.iter().filter_map(|&i| slots[i].take()).collect()
        };
        let mut levels = Vec::new();
        let mut below: Vec<BBox> = shapes.iter().map(|(_, s)| s.bbox).collect();
        loop {
            let mut level = Level { boxes: Vec::new(), spans: Vec::new() };
            for (k, chunk) in below.chunks(FANOUT).enumerate() {
                level.boxes.push(union(chunk));
                let start = (k * FANOUT) as u32;
                level.spans.push((start, start + chunk.len() as u32));
            }
            let done = level.boxes.len() <= 1;
            below = level.boxes.clone();
            levels.push(level);
            if done {
                break;
            }
            // Keep parents over spatially close children: order the next level's entries too.
            let order = str_order(&below);
            let last = levels.len() - 1;
            let (boxes, spans) = (&levels[last].boxes, &levels[last].spans);
            let reordered = Level {
                boxes: order.iter().map(|&i| boxes[i]).collect(),
                spans: order.iter().map(|&i| spans[i]).collect(),
            };
            below = reordered.boxes.clone();
            levels[last] = reordered;
        }
        GridIndex { shapes, levels }
    }

    /// The grid whose boundary holds (lon, lat) in WGS-84; the first found where boundaries overlap.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<i64> {
        let top = self.levels.len().checked_sub(1)?;
        let mut stack: Vec<(usize, u32)> = Vec::with_capacity(32);
        for i in 0..self.levels[top].boxes.len() as u32 {
            stack.push((top, i));
        }
        while let Some((lvl, i)) = stack.pop() {
            let level = &self.levels[lvl];
            if !holds(&level.boxes[i as usize], lon, lat) {
                continue;
            }
            let (a, b) = level.spans[i as usize];
            if lvl == 0 {
                for (id, shape) in &self.shapes[a as usize..b as usize] {
                    if even_odd(shape, lon, lat) {
                        return Some(*id);
                    }
                }
            } else {
                for c in a..b {
                    stack.push((lvl - 1, c));
                }
            }
        }
        None
    }
}
