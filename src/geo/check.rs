//! The overlap and gap check of neighbouring grids: pairs of grids whose areas overlap (with the
//! overlap in m²), and uncovered pieces enclosed by the grids (or inside the community's own
//! boundary when it has one), and neighbours that come within a few metres of each other without
//! meeting (an open strip between them belongs to no grid). Pure geometry on WGS-84 shapes, in
//! metres of a local projection; pieces smaller than the tolerance (digitising noise) are left out.

use super::overlay::{self, Op, Pt, Region};
use super::polygon::Shape;
use serde::Serialize;

/// Metres per degree of latitude, and of longitude at the equator (good to a fraction of a percent
/// over a community or a town).
const M_PER_DEG_LAT: f64 = 110_574.0;
const M_PER_DEG_LON: f64 = 111_320.0;

/// A local equirectangular projection around a reference point: degrees ↔ metres.
#[derive(Debug, Clone, Copy)]
pub struct Local {
    lon0: f64,
    lat0: f64,
    kx: f64,
}

impl Local {
    pub fn around(lon0: f64, lat0: f64) -> Local {
        Local { lon0, lat0, kx: M_PER_DEG_LON * lat0.to_radians().cos() }
    }

    pub fn to_metres(&self, (lon, lat): Pt) -> Pt {
        ((lon - self.lon0) * self.kx, (lat - self.lat0) * M_PER_DEG_LAT)
    }

    pub fn to_degrees(&self, (x, y): Pt) -> Pt {
        (self.lon0 + x / self.kx, self.lat0 + y / M_PER_DEG_LAT)
    }

    pub fn region(&self, shape: &Shape) -> Region {
        Region::new(shape.rings.iter().map(|r| r.iter().map(|p| self.to_metres(*p)).collect()).collect())
    }
}

/// Two grids overlapping.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Overlap {
    pub a: i64,
    pub b: i64,
    /// The overlap, square metres (rounded to 0.1).
    pub area_m2: f64,
    /// Where it is: the overlap's centroid (WGS-84 longitude, latitude).
    pub at: (f64, f64),
}

/// An uncovered piece.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gap {
    pub area_m2: f64,
    pub at: (f64, f64),
    /// The piece's outline (WGS-84), for drawing.
    pub ring: Vec<(f64, f64)>,
}

/// Two grids that come close but never meet: the strip between them belongs to neither (found
/// when the community has no boundary of its own; with one, such strips are gaps inside it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Seam {
    pub a: i64,
    pub b: i64,
    /// Where they come closest, metres (rounded to 0.1).
    pub distance_m: f64,
    /// The middle of that closest approach (WGS-84 longitude, latitude).
    pub at: (f64, f64),
}

/// Closer than this the grids are taken to meet (digitising noise).
pub const SEAM_MIN_M: f64 = 0.05;
/// Further apart than this they are not neighbours that were meant to meet.
pub const SEAM_MAX_M: f64 = 10.0;

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Report {
    pub overlaps: Vec<Overlap>,
    pub gaps: Vec<Gap>,
    pub seams: Vec<Seam>,
    /// Whether the gaps were sought inside the community's own boundary (else: enclosed by grids).
    pub within_boundary: bool,
    pub tolerance_m2: f64,
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
            let r = local.region(s);
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
        Some(o) => overlay::apply(&local.region(o), &covered, Op::Difference).rings,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A square `side` metres wide whose south-west corner is `(dx, dy)` metres from (104.7, 31.7).
    fn square(dx: f64, dy: f64, w: f64, h: f64) -> Shape {
        let local = Local::around(104.7, 31.7);
        let pts = [(dx, dy), (dx + w, dy), (dx + w, dy + h), (dx, dy + h), (dx, dy)];
        Shape::new(vec![pts.iter().map(|p| local.to_degrees(*p)).collect()]).unwrap()
    }

    #[test]
    fn overlapping_squares_report_the_overlap_in_square_metres() {
        let grids = vec![(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(90.0, 0.0, 100.0, 100.0))];
        let r = check(&grids, None, 1.0);
        assert_eq!(r.overlaps.len(), 1, "{r:?}");
        let o = &r.overlaps[0];
        assert_eq!((o.a, o.b), (1, 2));
        assert!((o.area_m2 - 1000.0).abs() < 5.0, "10 m × 100 m: {}", o.area_m2);
        assert!(r.gaps.is_empty());
    }

    #[test]
    fn touching_squares_are_clean() {
        let grids = vec![
            (1, square(0.0, 0.0, 100.0, 100.0)),
            (2, square(100.0, 0.0, 100.0, 100.0)),
            (3, square(0.0, 100.0, 200.0, 50.0)),
        ];
        let r = check(&grids, None, 1.0);
        assert!(r.overlaps.is_empty() && r.gaps.is_empty(), "{r:?}");
        // Inside a community boundary they exactly cover, nothing is missing either.
        let r = check(&grids, Some(&square(0.0, 0.0, 200.0, 150.0)), 1.0);
        assert!(r.overlaps.is_empty() && r.gaps.is_empty(), "{r:?}");
    }

    #[test]
    fn a_sliver_gap_is_found_and_noise_is_not() {
        // Two grids half a metre apart across 100 m, in a community that covers both: 50 m².
        let grids = vec![(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(100.5, 0.0, 100.0, 100.0))];
        let community = square(0.0, 0.0, 200.5, 100.0);
        let r = check(&grids, Some(&community), 1.0);
        assert!(r.within_boundary);
        assert_eq!(r.gaps.len(), 1, "{r:?}");
        assert!((r.gaps[0].area_m2 - 50.0).abs() < 1.0, "{}", r.gaps[0].area_m2);
        // With a tolerance above it, it is taken as noise.
        assert!(check(&grids, Some(&community), 100.0).gaps.is_empty());
        // A millimetre-wide sliver overlap is noise at the default tolerance.
        let grids = vec![(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(99.999, 0.0, 100.0, 100.0))];
        assert!(check(&grids, None, 1.0).overlaps.is_empty());
    }

    #[test]
    fn neighbours_that_never_meet_leave_a_seam_and_touching_ones_do_not() {
        // Three metres apart across the whole side, in a community with no boundary: an open
        // strip no enclosed-gap test can see.
        let grids = vec![(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(103.0, 0.0, 100.0, 100.0))];
        let r = check(&grids, None, 1.0);
        assert!(r.gaps.is_empty() && r.overlaps.is_empty(), "{r:?}");
        assert_eq!(r.seams.len(), 1, "{r:?}");
        let s = &r.seams[0];
        assert_eq!((s.a, s.b), (1, 2));
        assert!((s.distance_m - 3.0).abs() < 0.05, "{}", s.distance_m);
        let mid = Local::around(104.7, 31.7).to_degrees((101.5, 0.0));
        assert!((s.at.0 - mid.0).abs() < 1e-6, "{:?} vs {mid:?}", s.at);
        // A slanted neighbour that comes within 2 m at one corner only.
        let local = Local::around(104.7, 31.7);
        let kite = Shape::new(vec![
            [(102.0, 50.0), (150.0, 0.0), (200.0, 50.0), (150.0, 100.0), (102.0, 50.0)]
                .iter()
                .map(|p| local.to_degrees(*p))
                .collect(),
        ])
        .unwrap();
        let r = check(&[(1, square(0.0, 0.0, 100.0, 100.0)), (2, kite)], None, 1.0);
        assert_eq!(r.seams.len(), 1, "{r:?}");
        assert!((r.seams[0].distance_m - 2.0).abs() < 0.05, "{}", r.seams[0].distance_m);
        // Touching, a few centimetres of noise, or far apart: no seam.
        for dx in [100.0, 100.02, 130.0] {
            let grids = vec![(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(dx, 0.0, 100.0, 100.0))];
            assert!(check(&grids, None, 1.0).seams.is_empty(), "dx {dx}");
        }
        // Overlapping neighbours are an overlap, not a seam.
        let grids = vec![(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(90.0, 0.0, 100.0, 100.0))];
        let r = check(&grids, None, 1.0);
        assert_eq!((r.overlaps.len(), r.seams.len()), (1, 0));
        // Inside a community boundary the strip is a gap instead.
        let r = check(
            &[(1, square(0.0, 0.0, 100.0, 100.0)), (2, square(103.0, 0.0, 100.0, 100.0))],
            Some(&square(0.0, 0.0, 203.0, 100.0)),
            1.0,
        );
        assert!(r.seams.is_empty() && r.gaps.len() == 1, "{r:?}");
    }

    #[test]
    fn a_hole_enclosed_by_grids_is_a_gap_and_a_grid_with_a_hole_is_not_overlapped_by_its_filler() {
        // Eight squares around an empty middle: one enclosed gap of 100 m × 100 m.
        let mut grids = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                if (i, j) != (1, 1) {
                    grids.push((i * 3 + j, square(i as f64 * 100.0, j as f64 * 100.0, 100.0, 100.0)));
                }
            }
        }
        let r = check(&grids, None, 1.0);
        assert!(r.overlaps.is_empty(), "{r:?}");
        assert_eq!(r.gaps.len(), 1, "{r:?}");
        assert!((r.gaps[0].area_m2 - 10_000.0).abs() < 20.0);
        let (lon, lat) = r.gaps[0].at;
        let mid = Local::around(104.7, 31.7).to_degrees((150.0, 150.0));
        assert!((lon - mid.0).abs() < 1e-6 && (lat - mid.1).abs() < 1e-6);
        // A grid with a hole and a grid filling the hole exactly: clean.
        let local = Local::around(104.7, 31.7);
        let ring = |x0: f64, y0: f64, s: f64| -> Vec<(f64, f64)> {
            [(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)].iter().map(|p| local.to_degrees(*p)).collect()
        };
        let donut = Shape::new(vec![ring(0.0, 0.0, 300.0), ring(100.0, 100.0, 100.0)]).unwrap();
        let filler = Shape::new(vec![ring(100.0, 100.0, 100.0)]).unwrap();
        let r = check(&[(1, donut.clone()), (2, filler)], None, 1.0);
        assert!(r.overlaps.is_empty() && r.gaps.is_empty(), "{r:?}");
        // The donut alone: its hole is a gap enclosed by grids.
        let r = check(&[(1, donut)], None, 1.0);
        assert_eq!(r.gaps.len(), 1);
    }

    #[test]
    fn a_jittered_tiling_is_clean_and_a_missing_cell_is_the_one_gap() {
        // 8 × 8 cells of ~400 m sharing jittered corners (slanted shared edges, like real grids).
        let n = 8;
        let mut seed = 7u64;
        let mut jitter = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % 1000) as f64 / 1000.0 * 0.0024 - 0.0012
        };
        let corners: Vec<Vec<(f64, f64)>> = (0..=n)
            .map(|i| {
                (0..=n).map(|j| (104.0 + i as f64 * 0.004 + jitter(), 31.0 + j as f64 * 0.004 + jitter())).collect()
            })
            .collect();
        let mut grids = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let ring =
                    vec![corners[i][j], corners[i + 1][j], corners[i + 1][j + 1], corners[i][j + 1], corners[i][j]];
                grids.push(((i * n + j) as i64, Shape::new(vec![ring]).unwrap()));
            }
        }
        let r = check(&grids, None, 1.0);
        assert!(
            r.overlaps.is_empty() && r.gaps.is_empty() && r.seams.is_empty(),
            "{:?}",
            (r.overlaps.len(), r.gaps.len(), r.seams.len())
        );
        // Leave out an inner cell: exactly one gap, the size of that cell.
        let missing = grids.remove(3 * n + 4);
        let cell = Local::around(104.0, 31.0).region(&missing.1).area();
        let r = check(&grids, None, 1.0);
        assert!(r.overlaps.is_empty(), "{:?}", r.overlaps);
        assert_eq!(r.gaps.len(), 1, "{:?}", r.gaps);
        assert!((r.gaps[0].area_m2 - cell).abs() / cell < 0.01, "{} vs {cell}", r.gaps[0].area_m2);
    }
}
