//! The overlap and gap check of neighbouring grids: pairs of grids whose areas overlap (with the
//! overlap in m²), and uncovered pieces enclosed by the grids (or inside the community's own
//! boundary when it has one). Pure geometry on WGS-84 shapes, in metres of a local projection;
//! pieces smaller than the tolerance (digitising noise) are left out.

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

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Report {
    pub overlaps: Vec<Overlap>,
    pub gaps: Vec<Gap>,
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
    let regions: Vec<(i64, Region, [f64; 4])> =
        grids.iter().map(|(id, s)| (*id, local.region(s), s.bbox)).filter(|(_, r, _)| !r.is_empty()).collect();
    for (i, (a, ra, ba)) in regions.iter().enumerate() {
        for (b, rb, bb) in &regions[i + 1..] {
            if ba[2] < bb[0] || bb[2] < ba[0] || ba[3] < bb[1] || bb[3] < ba[1] {
                continue;
            }
            let (area, centre) = overlay::overlap(ra, rb);
            if area >= tolerance_m2
                && let Some(c) = centre
            {
                let at = local.to_degrees(c);
                report.overlaps.push(Overlap { a: *a.min(b), b: *a.max(b), area_m2: round1(area), at });
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
    report
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
        assert!(r.overlaps.is_empty() && r.gaps.is_empty(), "{:?}", (r.overlaps.len(), r.gaps.len()));
        // Leave out an inner cell: exactly one gap, the size of that cell.
        let missing = grids.remove(3 * n + 4);
        let cell = Local::around(104.0, 31.0).region(&missing.1).area();
        let r = check(&grids, None, 1.0);
        assert!(r.overlaps.is_empty(), "{:?}", r.overlaps);
        assert_eq!(r.gaps.len(), 1, "{:?}", r.gaps);
        assert!((r.gaps[0].area_m2 - cell).abs() / cell < 0.01, "{} vs {cell}", r.gaps[0].area_m2);
    }
}
