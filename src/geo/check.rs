//! The overlap and gap check of neighbouring grids: pairs of grids whose areas overlap (with the
//! overlap in m²), and uncovered pieces enclosed by the grids (or inside the community's own
//! boundary when it has one), and neighbours that come within a few metres of each other without
//! meeting (an open strip between them belongs to no grid). Pure geometry on WGS-84 shapes, in
//! metres of a local projection; pieces smaller than the tolerance (digitising noise) are left out.

use super::polygon::Shape;
use geo::{Area, BooleanOps, BoundingRect, Centroid, Coord, LineString, MultiPolygon, Polygon, Rect, unary_union};
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

/// A planar point (metres of a local projection, or degrees).
pub type Pt = (f64, f64);

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

    fn coord_degrees(&self, c: Coord) -> Pt {
        self.to_degrees((c.x, c.y))
    }

    /// A shape in metres as a clean multipolygon: even–odd over all its rings (as `Shape::contains`
    /// decides), so ring orientation and which ring is a hole do not matter.
    pub fn region(&self, shape: &Shape) -> MultiPolygon {
        let rings: Vec<Polygon> = shape
            .rings
            .iter()
            .filter(|r| r.len() >= 3)
            .map(|r| Polygon::new(LineString::from(r.iter().map(|p| self.to_metres(*p)).collect::<Vec<_>>()), vec![]))
            .collect();
        MultiPolygon::new(rings).union(&MultiPolygon::new(vec![]))
    }
}

/// Two grids overlapping.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Overlap {
    pub a: i64,
    pub b: i64,
    /// The overlap, square metres (rounded to 0.1).
    pub area_m2: f64,
    /// Where it is: the overlap's centroid (WGS-84 longitude, latitude).
    pub at: (f64, f64),
}

/// An uncovered piece.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Gap {
    pub area_m2: f64,
    pub at: (f64, f64),
    /// The piece's outline (WGS-84), for drawing.
    pub ring: Vec<(f64, f64)>,
}

/// Two grids that come close but never meet: the strip between them belongs to neither (found
/// when the community has no boundary of its own; with one, such strips are gaps inside it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Report {
    pub overlaps: Vec<Overlap>,
    pub gaps: Vec<Gap>,
    pub seams: Vec<Seam>,
    /// Whether the gaps were sought inside the community's own boundary (else: enclosed by grids).
    pub within_boundary: bool,
    pub tolerance_m2: f64,
}

impl Report {
    /// The same report at a coarser tolerance: overlaps and gaps whose area (as shown, to 0.1 m²)
    /// is under it are left out. Seams do not depend on the tolerance.
    pub fn at_tolerance(mut self, tolerance_m2: f64) -> Report {
        self.overlaps.retain(|o| o.area_m2 >= tolerance_m2);
        self.gaps.retain(|g| g.area_m2 >= tolerance_m2);
        self.tolerance_m2 = tolerance_m2.max(self.tolerance_m2);
        self
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// One grid in metres, with its box.
struct Grid {
    id: i64,
    shape: MultiPolygon,
    bbox: Rect,
}

/// Checks grids (id, WGS-84 shape) against each other, and against `outer` (the community's
/// boundary) when given. Pieces under `tolerance_m2` are not reported. Candidate pairs come from an
/// R-tree of the grids' boxes and every geometric step is a sweep (`geo`'s boolean operations,
/// R-trees of edges), so the time grows near-linearly with the vertices, not with their square.
pub fn check(grids: &[(i64, Shape)], outer: Option<&Shape>, tolerance_m2: f64) -> Report {
    let mut report = Report { within_boundary: outer.is_some(), tolerance_m2, ..Default::default() };
    let Some(first) = grids.first().map(|(_, s)| s.bbox).or(outer.map(|s| s.bbox)) else {
        return report;
    };
    let local = Local::around((first[0] + first[2]) / 2.0, (first[1] + first[3]) / 2.0);
    let regions: Vec<Grid> = grids
        .iter()
        .filter_map(|(id, s)| {
            let shape = local.region(s);
            let bbox = shape.bounding_rect()?;
            Some(Grid { id: *id, shape, bbox })
        })
        .collect();
    // The union first: when the grids' areas add up to the union's (less than the tolerance apart),
    // no two of them can overlap by the tolerance, and no pair needs intersecting.
    let covered = unary_union(regions.iter().map(|g| &g.shape));
    let summed: f64 = regions.iter().map(|g| g.shape.unsigned_area()).sum();
    let may_overlap = summed - covered.unsigned_area() >= tolerance_m2.max(f64::MIN_POSITIVE);
    let mut edges: Vec<Option<RTree<Line<[f64; 2]>>>> = regions.iter().map(|_| None).collect();
    for (i, j) in candidate_pairs(&regions) {
        let (ga, gb) = (&regions[i], &regions[j]);
        let (a, b) = (ga.id.min(gb.id), ga.id.max(gb.id));
        let apart = box_distance(&ga.bbox, &gb.bbox);
        let mut overlapping = false;
        if apart <= 0.0 && may_overlap {
            let both = ga.shape.intersection(&gb.shape);
            let area = both.unsigned_area();
            if area >= tolerance_m2
                && area > 0.0
                && let Some(c) = both.centroid()
            {
                overlapping = true;
                report.overlaps.push(Overlap { a, b, area_m2: round1(area), at: local.to_degrees(c.x_y()) });
            }
        }
        if outer.is_none() && !overlapping {
            let (d, mid) = closest_approach(&regions, &mut edges, i, j);
            if d > SEAM_MIN_M && d <= SEAM_MAX_M {
                report.seams.push(Seam { a, b, distance_m: round1(d), at: local.to_degrees(mid) });
            }
        }
    }
    let pieces: Vec<(f64, Polygon)> = match outer {
        // Pieces of the community not covered by any grid (islands of cover inside a piece are its holes).
        Some(o) => local.region(o).difference(&covered).0.into_iter().map(|p| (p.unsigned_area(), p)).collect(),
        // Holes of the union, turned the right way round.
        None => covered
            .0
            .iter()
            .flat_map(|p| p.interiors())
            .map(|h| {
                let mut ring = h.clone();
                ring.0.reverse();
                let p = Polygon::new(ring, vec![]);
                (p.unsigned_area(), p)
            })
            .collect(),
    };
    report.gaps = pieces
        .into_iter()
        .filter(|(area, _)| *area >= tolerance_m2 && *area > 0.0)
        .filter_map(|(area, p)| {
            let centre = Polygon::new(p.exterior().clone(), vec![]).centroid()?;
            let pts = &p.exterior().0;
            let ring = pts[..pts.len().saturating_sub(1)].iter().map(|c| local.coord_degrees(*c)).collect();
            Some(Gap { area_m2: round1(area), at: local.to_degrees(centre.x_y()), ring })
        })
        .collect();
    report.overlaps.sort_by(|x, y| y.area_m2.total_cmp(&x.area_m2));
    report.gaps.sort_by(|x, y| y.area_m2.total_cmp(&x.area_m2));
    report.seams.sort_by(|x, y| x.distance_m.total_cmp(&y.distance_m));
    report
}

/// Pairs of grids (indices, first < second) whose boxes come within `SEAM_MAX_M` of each other,
/// found through an R-tree of the boxes: about four per grid in a tiling, never all pairs.
fn candidate_pairs(regions: &[Grid]) -> Vec<(usize, usize)> {
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = regions
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (lo, hi) = (g.bbox.min(), g.bbox.max());
            GeomWithData::new(Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]), i)
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut pairs = Vec::new();
    for (i, g) in regions.iter().enumerate() {
        let (lo, hi) = (g.bbox.min(), g.bbox.max());
        let near = AABB::from_corners([lo.x - SEAM_MAX_M, lo.y - SEAM_MAX_M], [hi.x + SEAM_MAX_M, hi.y + SEAM_MAX_M]);
        pairs.extend(tree.locate_in_envelope_intersecting(&near).map(|c| c.data).filter(|&j| j > i).map(|j| (i, j)));
    }
    pairs.sort_unstable();
    pairs.retain(|&(i, j)| box_distance(&regions[i].bbox, &regions[j].bbox) <= SEAM_MAX_M);
    pairs
}

/// How far apart two boxes are (0 or less when they touch or overlap).
fn box_distance(a: &Rect, b: &Rect) -> f64 {
    let (a0, a1, b0, b1) = (a.min(), a.max(), b.min(), b.max());
    let dx = (b0.x - a1.x).max(a0.x - b1.x).max(0.0);
    let dy = (b0.y - a1.y).max(a0.y - b1.y).max(0.0);
    if dx == 0.0 && dy == 0.0 {
        // Touching or overlapping boxes: report how deep, as a non-positive number.
        return -((a1.x.min(b1.x) - a0.x.max(b0.x)).min(a1.y.min(b1.y) - a0.y.max(b0.y)));
    }
    dx.hypot(dy)
}

/// An R-tree of a region's edges, for nearest-edge queries.
fn edge_tree(shape: &MultiPolygon) -> RTree<Line<[f64; 2]>> {
    let rings = shape.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    let lines = rings.flat_map(|r| r.lines().map(|l| Line::new([l.start.x, l.start.y], [l.end.x, l.end.y])));
    RTree::bulk_load(lines.collect())
}

/// How close two grids' boundaries come (metres, up to `SEAM_MAX_M`; beyond it: infinity), and the
/// middle of that closest approach. The closest approach of two polygons that do not cross is
/// always at a vertex of one of them: each vertex near the other's box (a sparse pass first) asks the other's edge tree
/// for its nearest edge, and the search stops once they are found to meet.
fn closest_approach(regions: &[Grid], edges: &mut [Option<RTree<Line<[f64; 2]>>>], i: usize, j: usize) -> (f64, Pt) {
    for k in [i, j] {
        if edges[k].is_none() {
            edges[k] = Some(edge_tree(&regions[k].shape));
        }
    }
    let mut best = (f64::INFINITY, (0.0, 0.0));
    for (from, to) in [(i, j), (j, i)] {
        let Some(tree) = edges[to].as_ref() else { continue };
        let (lo, hi) = (regions[to].bbox.min(), regions[to].bbox.max());
        let near = |c: &&Coord| {
            c.x >= lo.x - SEAM_MAX_M && c.x <= hi.x + SEAM_MAX_M && c.y >= lo.y - SEAM_MAX_M && c.y <= hi.y + SEAM_MAX_M
        };
        let rings = regions[from].shape.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
        let vertices: Vec<&Coord> = rings.flat_map(|r| r.0.iter()).filter(near).collect();
        // Every 32nd vertex first: neighbours sharing an edge are found to meet after a few queries.
        let sparse = vertices.iter().step_by(32);
        for c in sparse.chain(vertices.iter()) {
            let p = [c.x, c.y];
            let Some(line) = tree.nearest_neighbor(&p) else { continue };
            let q = line.nearest_point(&p);
            let d = (p[0] - q[0]).hypot(p[1] - q[1]);
            if d < best.0 {
                best = (d, ((p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0));
                if d <= SEAM_MIN_M {
                    return best;
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

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
        let cell = Local::around(104.0, 31.0).region(&missing.1).unsigned_area();
        let r = check(&grids, None, 1.0);
        assert!(r.overlaps.is_empty(), "{:?}", r.overlaps);
        assert_eq!(r.gaps.len(), 1, "{:?}", r.gaps);
        assert!((r.gaps[0].area_m2 - cell).abs() / cell < 0.01, "{} vs {cell}", r.gaps[0].area_m2);
    }
}
