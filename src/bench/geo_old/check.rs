//! The overlap and gap check as it was before `geo` (pairwise over every pair of boxes, quadratic in
//! the vertices of each pair, hand-made overlay): kept only so `wangge bench geo` can print old vs new.

use super::overlay::{self, Op, Pt, Region};
use crate::geo::check::{Gap, Local, Overlap, Report, SEAM_MAX_M, SEAM_MIN_M, Seam};
use crate::geo::polygon::Shape;

fn region(local: &Local, shape: &Shape) -> Region {
    Region::new(shape.rings.iter().map(|r| r.iter().map(|p| local.to_metres(*p)).collect()).collect())
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Checks grids (id, WGS-84 shape) against each other, and against `outer` (the community's
/// boundary) when given. Pieces under `tolerance_m2` are not reported.
pub fn check(grids: &[(i64, Shape)], outer: Option<&Shape>, tolerance_m2: f64) -> Report {
    let mut report = Report { within_boundary: outer.is_some(), tolerance_m2, ..Default::default() };
    let Some(first) = grids.first().map(|(_, s)| s.bbox).or(outer.map(|s| s.bbox)) else {
        return report;
    };
    let local = Local::around((first[0] + first[2]) / 2.0, (first[1] + first[3]) / 2.0);
    let regions: Vec<(i64, Region, [f64; 4])> = grids
        .iter()
        .map(|(id, s)| {
            let r = region(&local, s);
            let b = metre_box(&r);
            (*id, r, b)
        })
        .filter(|(_, r, _)| !r.is_empty())
        .collect();
    for (i, (a, ra, ba)) in regions.iter().enumerate() {
        for (b, rb, bb) in &regions[i + 1..] {
            let apart = box_distance(ba, bb);
            if apart > SEAM_MAX_M {
                continue;
            }
            let mut overlapping = false;
            if apart <= 0.0 {
                let (area, centre) = overlay::overlap(ra, rb);
                if area >= tolerance_m2
                    && let Some(c) = centre
                {
                    overlapping = true;
                    let at = local.to_degrees(c);
                    report.overlaps.push(Overlap { a: *a.min(b), b: *a.max(b), area_m2: round1(area), at });
                }
            }
            if outer.is_none() && !overlapping {
                let (d, mid) = closest_approach(ra, rb);
                if d > SEAM_MIN_M && d <= SEAM_MAX_M {
                    let at = local.to_degrees(mid);
                    report.seams.push(Seam { a: *a.min(b), b: *a.max(b), distance_m: round1(d), at });
                }
            }
        }
    }
    let all: Vec<Region> = regions.into_iter().map(|(_, r, _)| r).collect();
    let covered = overlay::union_all(&all);
    let rings: Vec<Vec<Pt>> = match outer {
        // Pieces of the community not covered by any grid: the outer rings of the difference.
        Some(o) => overlay::apply(&region(&local, o), &covered, Op::Difference).rings,
        // Holes of the union, turned the right way round.
        None => covered
            .rings
            .into_iter()
            .filter(|r| overlay::ring_area_centroid(r).0 < 0.0)
            .map(|mut r| {
                r.reverse();
                r
            })
            .collect(),
    };
    // Rings turning clockwise inside a piece are islands of cover within it: subtract them.
    let (pieces, islands): (Vec<_>, Vec<_>) =
        rings.iter().map(|r| (r, overlay::ring_area_centroid(r))).partition(|(_, (a, _))| *a > 0.0);
    for (ring, (area, centre)) in pieces {
        let inside = Region { rings: vec![ring.clone()] };
        let holes: f64 = islands.iter().filter(|(r, _)| inside.contains(r[0])).map(|(_, (a, _))| -a).sum();
        let area = area - holes;
        if area >= tolerance_m2 {
            let ring = ring.iter().map(|p| local.to_degrees(*p)).collect();
            report.gaps.push(Gap { area_m2: round1(area), at: local.to_degrees(centre), ring });
        }
    }
    report.overlaps.sort_by(|x, y| y.area_m2.total_cmp(&x.area_m2));
    report.gaps.sort_by(|x, y| y.area_m2.total_cmp(&x.area_m2));
    report.seams.sort_by(|x, y| x.distance_m.total_cmp(&y.distance_m));
    report
}

/// A region's bounding box in metres: [min x, min y, max x, max y].
fn metre_box(r: &Region) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for &(x, y) in r.rings.iter().flatten() {
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

/// How far apart two boxes are (0 or less when they touch or overlap).
fn box_distance(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let dx = (b[0] - a[2]).max(a[0] - b[2]).max(0.0);
    let dy = (b[1] - a[3]).max(a[1] - b[3]).max(0.0);
    if dx == 0.0 && dy == 0.0 {
        // Touching or overlapping boxes: report how deep, as a non-positive number.
        return -((a[2].min(b[2]) - a[0].max(b[0])).min(a[3].min(b[3]) - a[1].max(b[1])));
    }
    dx.hypot(dy)
}

/// The closest point of segment a–b to p, and its distance.
fn to_segment(p: Pt, a: Pt, b: Pt) -> (f64, Pt) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let q = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - q.0).hypot(p.1 - q.1), q)
}

/// How close two regions' boundaries come (metres), and the middle of that closest approach. The
/// closest approach of two polygons that do not cross is always at a vertex of one of them.
fn closest_approach(ra: &Region, rb: &Region) -> (f64, Pt) {
    let mut best = (f64::INFINITY, (0.0, 0.0));
    for (from, to) in [(ra, rb), (rb, ra)] {
        for &p in from.rings.iter().flatten() {
            for ring in &to.rings {
                let n = ring.len();
                for i in 0..n {
                    let (d, q) = to_segment(p, ring[i], ring[(i + 1) % n]);
                    if d < best.0 {
                        best = (d, ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0));
                    }
                }
            }
        }
    }
    best
}
