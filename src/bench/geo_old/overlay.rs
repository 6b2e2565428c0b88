//! The hand-made polygon overlay the check used before `geo` (edge classification), kept only as
//! the old side of `wangge bench geo`: every edge of one region is split where it meets the other.

use std::collections::HashMap;

pub type Pt = (f64, f64);

/// Closeness below which two points or a point and a line count as touching (planar units).
const EPS: f64 = 1e-7;

/// A region: closed rings without the repeated last point; outer rings counter-clockwise, holes
/// clockwise (set by `Region::new` from nesting, so input orientation does not matter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Region {
    pub rings: Vec<Vec<Pt>>,
}

/// Twice the signed area of a ring (positive when counter-clockwise).
fn twice_area(ring: &[Pt]) -> f64 {
    let n = ring.len();
    (0..n).map(|i| cross(ring[i], ring[(i + 1) % n])).sum()
}

fn cross(a: Pt, b: Pt) -> f64 {
    a.0 * b.1 - a.1 * b.0
}

fn sub(a: Pt, b: Pt) -> Pt {
    (a.0 - b.0, a.1 - b.1)
}

/// Whether p lies inside one ring (crossing count).
fn inside_ring(ring: &[Pt], p: Pt) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let ((xi, yi), (xj, yj)) = (ring[i], ring[j]);
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Even–odd point-in-rings test.
fn inside_rings(rings: &[Vec<Pt>], p: Pt) -> bool {
    rings.iter().filter(|r| !r.is_empty() && inside_ring(r, p)).count() % 2 == 1
}

impl Region {
    /// A region from rings in any orientation (repeated closing points and repeated vertices are
    /// dropped; rings with fewer than 3 points or no area are left out). Nesting depth decides
    /// which rings are holes (even–odd, as GeoJSON readers and `Shape::contains` do).
    pub fn new(rings: Vec<Vec<Pt>>) -> Region {
        let mut clean: Vec<Vec<Pt>> = rings
            .into_iter()
            .map(|r| {
                let mut out: Vec<Pt> = Vec::with_capacity(r.len());
                for p in r {
                    if out.last() != Some(&p) {
                        out.push(p);
                    }
                }
                while out.len() > 1 && out.first() == out.last() {
                    out.pop();
                }
                out
            })
            .filter(|r| r.len() >= 3 && twice_area(r).abs() > EPS)
            .collect();
        let holes: Vec<bool> = (0..clean.len())
            .map(|i| {
                let probe = interior_probe(&clean[i]);
                let depth = (0..clean.len()).filter(|&j| j != i && inside_ring(&clean[j], probe)).count();
                depth % 2 == 1
            })
            .collect();
        for (ring, hole) in clean.iter_mut().zip(holes) {
            let ccw = twice_area(ring) > 0.0;
            if ccw == hole {
                ring.reverse();
            }
        }
        Region { rings: clean }
    }

    pub fn is_empty(&self) -> bool {
        self.rings.is_empty()
    }

    pub fn contains(&self, p: Pt) -> bool {
        inside_rings(&self.rings, p)
    }

    fn edges(&self) -> impl Iterator<Item = (Pt, Pt)> + '_ {
        self.rings.iter().flat_map(|r| (0..r.len()).map(move |i| (r[i], r[(i + 1) % r.len()])))
    }

    fn bbox(&self) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &(x, y) in self.rings.iter().flatten() {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        b
    }
}

/// A point just inside a ring near its first edge's middle (for nesting tests): the edge midpoint
/// nudged a hair to either side, whichever lies inside the ring.
fn interior_probe(ring: &[Pt]) -> Pt {
    let (a, b) = (ring[0], ring[1]);
    let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let d = sub(b, a);
    let len = d.0.hypot(d.1).max(EPS);
    let step = (len * 1e-6).max(EPS * 10.0);
    let n = (-d.1 / len * step, d.0 / len * step);
    let left = (mid.0 + n.0, mid.1 + n.1);
    if inside_ring(ring, left) { left } else { (mid.0 - n.0, mid.1 - n.1) }
}

/// Where a piece of one region's boundary lies relative to the other region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Inside,
    Outside,
    /// On the other's boundary, running the same way (both regions on the same side).
    SharedSame,
    /// On the other's boundary, running the opposite way (the regions on either side: they touch).
    SharedOpposite,
}

/// A directed piece of boundary.
type Seg = (Pt, Pt);

/// Distance from p to segment ab.
fn dist_to_segment(p: Pt, a: Pt, b: Pt) -> f64 {
    let d = sub(b, a);
    let len2 = d.0 * d.0 + d.1 * d.1;
    let t = if len2 == 0.0 { 0.0 } else { (((p.0 - a.0) * d.0 + (p.1 - a.1) * d.1) / len2).clamp(0.0, 1.0) };
    let q = (a.0 + t * d.0, a.1 + t * d.1);
    (p.0 - q.0).hypot(p.1 - q.1)
}

/// The points where segment ab meets segment cd: endpoints of either lying on the other, and a
/// proper crossing. Endpoints are answered exactly as given, so both sides split at identical points.
fn meeting_points(a: Pt, b: Pt, c: Pt, d: Pt, out: &mut Vec<Pt>) {
    let before = out.len();
    for (p, s, e) in [(a, c, d), (b, c, d), (c, a, b), (d, a, b)] {
        if dist_to_segment(p, s, e) <= EPS {
            out.push(p);
        }
    }
    if out.len() > before {
        return;
    }
    let r = sub(b, a);
    let s = sub(d, c);
    let denom = cross(r, s);
    if denom.abs() <= f64::EPSILON * (r.0.abs() + r.1.abs()) * (s.0.abs() + s.1.abs()) {
        return;
    }
    let qp = sub(c, a);
    let t = cross(qp, s) / denom;
    let u = cross(qp, r) / denom;
    if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) {
        // The same formula whichever segment comes first: order the pair so both sides agree.
        let (p, q) = if (a, b) <= (c, d) { ((a, r), t) } else { ((c, s), u) };
        out.push((p.0.0 + q * p.1.0, p.0.1 + q * p.1.1));
    }
}

/// Splits every edge of `of` where it meets `other`'s boundary and classifies each piece.
fn classify(of: &Region, other: &Region) -> Vec<(Seg, Side)> {
    let ob = other.bbox();
    let other_edges: Vec<Seg> = other.edges().collect();
    let mut out = Vec::new();
    for (a, b) in of.edges() {
        let (minx, maxx) = (a.0.min(b.0) - EPS, a.0.max(b.0) + EPS);
        let (miny, maxy) = (a.1.min(b.1) - EPS, a.1.max(b.1) + EPS);
        let mut cuts = vec![a, b];
        if !(maxx < ob[0] || minx > ob[2] || maxy < ob[1] || miny > ob[3]) {
            for &(c, d) in &other_edges {
                if c.0.max(d.0) < minx || c.0.min(d.0) > maxx || c.1.max(d.1) < miny || c.1.min(d.1) > maxy {
                    continue;
                }
                meeting_points(a, b, c, d, &mut cuts);
            }
        }
        let dir = sub(b, a);
        let len2 = dir.0 * dir.0 + dir.1 * dir.1;
        let param = |p: Pt| ((p.0 - a.0) * dir.0 + (p.1 - a.1) * dir.1) / len2;
        cuts.sort_by(|p, q| param(*p).total_cmp(&param(*q)));
        cuts.dedup_by(|p, q| (p.0 - q.0).hypot(p.1 - q.1) <= EPS);
        // Keep the exact end point last (dedup may have kept a cut a hair away from it).
        if let Some(last) = cuts.last_mut() {
            *last = b;
        }
        if let Some(first) = cuts.first_mut() {
            *first = a;
        }
        for w in cuts.windows(2) {
            let (p, q) = (w[0], w[1]);
            if (p.0 - q.0).hypot(p.1 - q.1) <= EPS {
                continue;
            }
            let mid = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
            let on = other_edges.iter().find(|(c, d)| dist_to_segment(mid, *c, *d) <= EPS * 10.0);
            let side = match on {
                Some((c, d)) => {
                    let (u, v) = (sub(q, p), sub(*d, *c));
                    if u.0 * v.0 + u.1 * v.1 > 0.0 { Side::SharedSame } else { Side::SharedOpposite }
                }
                None if other.contains(mid) => Side::Inside,
                None => Side::Outside,
            };
            out.push(((p, q), side));
        }
    }
    out
}

/// The boolean operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Intersection,
    Union,
    Difference,
}

/// The directed boundary pieces of `a op b`.
fn pieces(a: &Region, b: &Region, op: Op) -> Vec<Seg> {
    let mut out = Vec::new();
    for (seg, side) in classify(a, b) {
        let keep = match op {
            Op::Intersection => matches!(side, Side::Inside | Side::SharedSame),
            Op::Union => matches!(side, Side::Outside | Side::SharedSame),
            Op::Difference => matches!(side, Side::Outside | Side::SharedOpposite),
        };
        if keep {
            out.push(seg);
        }
    }
    for ((p, q), side) in classify(b, a) {
        match (op, side) {
            (Op::Intersection, Side::Inside) | (Op::Union, Side::Outside) => out.push((p, q)),
            (Op::Difference, Side::Inside) => out.push((q, p)),
            _ => {}
        }
    }
    out
}

/// The area and the centroid of `a ∩ b` (centroid `None` when they do not overlap).
pub fn overlap(a: &Region, b: &Region) -> (f64, Option<Pt>) {
    let segs = pieces(a, b, Op::Intersection);
    let (mut twice, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (p, q) in &segs {
        let c = cross(*p, *q);
        twice += c;
        cx += (p.0 + q.0) * c;
        cy += (p.1 + q.1) * c;
    }
    let area = twice / 2.0;
    let centre = (area.abs() > EPS).then(|| (cx / (3.0 * twice), cy / (3.0 * twice)));
    (area, centre)
}

/// `a op b` as a region (rings traced from the kept pieces).
pub fn apply(a: &Region, b: &Region, op: Op) -> Region {
    Region { rings: trace(pieces(a, b, op)) }
}

/// Joins directed pieces into closed rings. At a vertex with several ways on, the sharpest left
/// turn is taken, which keeps regions that only touch at a point in separate rings.
fn trace(segs: Vec<Seg>) -> Vec<Vec<Pt>> {
    let key = |p: Pt| ((p.0 / EPS).round() as i64, (p.1 / EPS).round() as i64);
    let mut from: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, (p, _)) in segs.iter().enumerate() {
        from.entry(key(*p)).or_default().push(i);
    }
    let mut used = vec![false; segs.len()];
    let mut rings = Vec::new();
    for start in 0..segs.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring = vec![segs[start].0];
        let mut cur = start;
        let start_key = key(segs[start].0);
        loop {
            let (p, q) = segs[cur];
            if key(q) == start_key {
                break;
            }
            ring.push(q);
            let back = (p.1 - q.1).atan2(p.0 - q.0);
            let next = from.get(&key(q)).and_then(|cands| {
                cands
                    .iter()
                    .copied()
                    .filter(|&i| !used[i])
                    .map(|i| {
                        let (s, e) = segs[i];
                        let out = (e.1 - s.1).atan2(e.0 - s.0);
                        let mut turn = back - out;
                        while turn <= 0.0 {
                            turn += std::f64::consts::TAU;
                        }
                        (turn, i)
                    })
                    .min_by(|x, y| x.0.total_cmp(&y.0))
                    .map(|(_, i)| i)
            });
            match next {
                Some(i) => {
                    used[i] = true;
                    cur = i;
                }
                // An open chain (rounding left a piece dangling): drop it.
                None => {
                    ring.clear();
                    break;
                }
            }
        }
        if ring.len() >= 3 && twice_area(&ring).abs() > EPS {
            rings.push(ring);
        }
    }
    rings
}

/// The union of many regions, one after another.
pub fn union_all(regions: &[Region]) -> Region {
    let mut acc = Region::default();
    for r in regions {
        acc = if acc.is_empty() { r.clone() } else { apply(&acc, r, Op::Union) };
    }
    acc
}

/// A ring's signed area and centroid.
pub fn ring_area_centroid(ring: &[Pt]) -> (f64, Pt) {
    let n = ring.len();
    let (mut twice, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let c = cross(p, q);
        twice += c;
        cx += (p.0 + q.0) * c;
        cy += (p.1 + q.1) * c;
    }
    if twice.abs() <= EPS {
        return (0.0, ring.first().copied().unwrap_or((0.0, 0.0)));
    }
    (twice / 2.0, (cx / (3.0 * twice), cy / (3.0 * twice)))
}
