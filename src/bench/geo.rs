//! `wangge bench geo`: the grid of a coordinate among `--grids` grid polygons (a jittered lattice
//! that tiles the plane, like real neighbouring grids), on one core: lookups per second through
//! the `rstar` R-tree and `geo`'s point-in-polygon test against the hand-made index they replaced
//! (old and new in the same rounds), both checked against a full scan on a sample; then the overlap and gap check of 30 and
//! 300 neighbouring grids, and of a community at the limits (26 grids of `MAX_GRID_VERTICES` each),
//! old (hand-made, quadratic) against new (`geo`, near-linear).

use crate::cli::BenchGeoArgs;
use crate::demo::names::Rng;
use crate::geo::index::GridIndex;
use crate::geo::polygon::Shape;
use std::time::Instant;

pub fn geo(args: BenchGeoArgs) -> anyhow::Result<()> {
    let side = (args.grids as f64).sqrt().ceil() as usize;
    let step = 0.004; // about 400 m: a grid of a few hundred households
    let (x0, y0) = (104.0, 31.0);
    let mut rng = Rng::new(2026);
    let mut jitter = || (rng.below(1000) as f64 / 1000.0 - 0.5) * step * 0.6;
    // Shared corner points, jittered, so neighbouring cells meet without gaps or overlaps.
    let corners: Vec<Vec<(f64, f64)>> = (0..=side)
        .map(|i| (0..=side).map(|j| (x0 + i as f64 * step + jitter(), y0 + j as f64 * step + jitter())).collect())
        .collect();
    let mut shapes = Vec::with_capacity(args.grids);
    'outer: for i in 0..side {
        for j in 0..side {
            if shapes.len() == args.grids {
                break 'outer;
            }
            let ring = vec![corners[i][j], corners[i + 1][j], corners[i + 1][j + 1], corners[i][j + 1]];
            if let Some(s) = Shape::new(vec![ring]) {
                shapes.push(((i * side + j) as i64, s));
            }
        }
    }
    let scan = shapes.clone();
    let t = Instant::now();
    let old = super::geo_old::index::GridIndex::new(shapes.clone());
    let old_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let index = GridIndex::new(shapes);
    println!(
        "== wangge bench geo · {} grid polygons, index built in {:.1} ms (rstar; old hand-made: {old_ms:.1} ms)",
        index.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let extent = side as f64 * step;
    let points: Vec<(f64, f64)> = (0..args.lookups)
        .map(|_| (x0 + rng.below(1_000_000) as f64 / 1e6 * extent, y0 + rng.below(1_000_000) as f64 / 1e6 * extent))
        .collect();
    // Correctness on a sample: the same answers as trying every polygon.
    for p in points.iter().take(2_000) {
        let want = scan.iter().find(|(_, s)| s.contains(p.0, p.1)).map(|(id, _)| *id);
        anyhow::ensure!(index.locate(p.0, p.1) == want, "index and scan disagree at {p:?}");
        anyhow::ensure!(old.locate(p.0, p.1).is_some() == want.is_some(), "old index and scan disagree at {p:?}");
    }
    for round in 1..=3 {
        let (new_rate, found) = rate(&points, |x, y| index.locate(x, y));
        let (old_rate, _) = rate(&points, |x, y| old.locate(x, y));
        println!(
            "  round {round}: {} lookups, new (rstar + geo) {new_rate:.0}/s, old (hand-made) {old_rate:.0}/s on one core \
             ({:.1}% inside a grid)  (target ≥ 1,000,000/s)",
            points.len(),
            found as f64 * 100.0 / points.len() as f64
        );
    }
    // The overlap and gap check (`geo::check`) of a community's and a town's worth of neighbours.
    for n in [30usize, 300] {
        let part: Vec<(i64, Shape)> = scan.iter().take(n).cloned().collect();
        let t = Instant::now();
        let r = crate::geo::check::check(&part, None, 1.0);
        println!(
            "  overlap/gap check of {} neighbouring grids: {:.1} ms ({} overlaps, {} gaps: a tiling has none)",
            part.len(),
            t.elapsed().as_secs_f64() * 1000.0,
            r.overlaps.len(),
            r.gaps.len()
        );
    }
    worst_case()
}

/// Lookups per second through `locate`, and how many points it placed in a grid.
fn rate(points: &[(f64, f64)], locate: impl Fn(f64, f64) -> Option<i64>) -> (f64, u64) {
    let t = Instant::now();
    let found: u64 = points.iter().map(|&(x, y)| u64::from(locate(x, y).is_some())).sum();
    (points.len() as f64 / t.elapsed().as_secs_f64(), found)
}

/// A community at the limits: `grids` cells of a jittered 6-wide lattice whose shared edges carry
/// `per_edge` wiggled vertices each (the same points seen from both sides, so the cells still tile).
fn detailed_tiling(grids: usize, per_edge: usize) -> Vec<(i64, Shape)> {
    let (cols, rows) = (6usize, grids.div_ceil(6));
    let step = 0.004;
    let mut rng = Rng::new(7);
    let mut jitter = || (rng.below(1000) as f64 / 1000.0 - 0.5) * step * 0.5;
    let corners: Vec<Vec<(f64, f64)>> = (0..=cols)
        .map(|i| (0..=rows).map(|j| (104.0 + i as f64 * step + jitter(), 31.0 + j as f64 * step + jitter())).collect())
        .collect();
    // An edge from corner p to q with its inner points; the wiggle depends on the pair, not the direction.
    let edge = |p: (usize, usize), q: (usize, usize)| -> Vec<(f64, f64)> {
        let (lo, hi, flip) = if p <= q { (p, q, false) } else { (q, p, true) };
        let (a, b) = (corners[lo.0][lo.1], corners[hi.0][hi.1]);
        let (nx, ny) = (-(b.1 - a.1), b.0 - a.0);
        let mut pts: Vec<(f64, f64)> = (0..per_edge)
            .map(|k| {
                let t = k as f64 / per_edge as f64;
                let w = 0.002 * (t * std::f64::consts::PI * 40.0).sin() * t * (1.0 - t);
                (a.0 + (b.0 - a.0) * t + nx * w, a.1 + (b.1 - a.1) * t + ny * w)
            })
            .collect();
        if flip {
            pts.push(b);
            pts.reverse();
            pts.pop();
        }
        pts
    };
    let mut out = Vec::new();
    for j in 0..rows {
        for i in 0..cols {
            if out.len() == grids {
                return out;
            }
            let c = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let ring: Vec<(f64, f64)> = (0..4).flat_map(|k| edge(c[k], c[(k + 1) % 4])).collect();
            if let Some(s) = Shape::new(vec![ring]) {
                out.push(((j * cols + i) as i64, s));
            }
        }
    }
    out
}

/// The check at the limits, old against new; the old one only on the input it was measured on
/// (8 grids × 4,000 vertices took 19 s a page view) since at the limits it takes many minutes.
fn worst_case() -> anyhow::Result<()> {
    let cap = crate::geo::boundary::MAX_GRID_VERTICES;
    for (grids, vertices, old) in [(8usize, 4_000usize, true), (26, cap, false)] {
        let shapes = detailed_tiling(grids, vertices / 4 - 1);
        let n: usize = shapes.iter().map(|(_, s)| s.rings.iter().map(Vec::len).sum::<usize>()).sum();
        let t = Instant::now();
        let new = crate::geo::check::check(&shapes, None, 1.0);
        let new_s = t.elapsed().as_secs_f64();
        let findings = new.overlaps.len() + new.gaps.len() + new.seams.len();
        let old_s = if old {
            let t = Instant::now();
            super::geo_old::check::check(&shapes, None, 1.0);
            format!("{:.2} s", t.elapsed().as_secs_f64())
        } else {
            "not run (minutes)".into()
        };
        println!(
            "  check of {grids} grids × {} vertices ({n} in all): new {:.3} s, old {old_s} ({findings} findings: a tiling has none)",
            n / grids.max(1),
            new_s
        );
        anyhow::ensure!(findings == 0, "the detailed tiling should be clean: {new:?}");
    }
    Ok(())
}
