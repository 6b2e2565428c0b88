//! Map drawing for the grid pages: a projection of WGS-84 into a drawing box (shared by the
//! printable grid diagram, the boundary editor and the import preview), label points inside
//! polygons, and the printable grid diagram (网格示意图) itself as one SVG sized for A4/A3 paper
//! with outlines, labels, north arrow, scale bar, legend of grid workers, title and date.

use crate::geo::check::Local;
use crate::geo::polygon::Shape;
use crate::xml::escape as esc;
use std::fmt::Write;

/// Longitude/latitude → drawing units inside a box, keeping shapes true (equirectangular,
/// corrected for latitude) and centred.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Frame {
    /// West longitude and north latitude of the drawing's top-left.
    pub lon0: f64,
    pub lat1: f64,
    /// Drawing units per degree of longitude and of latitude.
    pub sx: f64,
    pub sy: f64,
    /// The box's top-left.
    pub left: f64,
    pub top: f64,
}

impl Frame {
    /// Fits a WGS-84 box into the drawing box (left, top, width, height), with 4% room around.
    pub fn fit(bbox: [f64; 4], left: f64, top: f64, width: f64, height: f64) -> Frame {
        let k = ((bbox[1] + bbox[3]) / 2.0).to_radians().cos().max(0.01);
        let (w, h) = (((bbox[2] - bbox[0]) * k).max(1e-7), (bbox[3] - bbox[1]).max(1e-7));
        let s = (width / w).min(height / h) * 0.92;
        let (dw, dh) = (w * s, h * s);
        Frame {
            lon0: bbox[0],
            lat1: bbox[3],
            sx: s * k,
            sy: s,
            left: left + (width - dw) / 2.0,
            top: top + (height - dh) / 2.0,
        }
    }

    pub fn point(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (self.left + (lon - self.lon0) * self.sx, self.top + (self.lat1 - lat) * self.sy)
    }

    /// SVG path data of a shape's rings (draw with `fill-rule="evenodd"`).
    pub fn path(&self, shape: &Shape) -> String {
        let mut d = String::new();
        for ring in &shape.rings {
            for (i, p) in ring.iter().enumerate() {
                let (x, y) = self.point(*p);
                let _ = write!(d, "{}{x:.2} {y:.2} ", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        d
    }

    /// Metres on the ground per drawing unit (east–west).
    pub fn metres_per_unit(&self) -> f64 {
        111_320.0 / self.sy
    }
}

/// The union of shapes' boxes.
pub fn bbox_of<'a>(shapes: impl Iterator<Item = &'a Shape>) -> Option<[f64; 4]> {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let mut any = false;
    for s in shapes {
        any = true;
        b = [b[0].min(s.bbox[0]), b[1].min(s.bbox[1]), b[2].max(s.bbox[2]), b[3].max(s.bbox[3])];
    }
    any.then_some(b)
}

/// A good place for a label: the sampled point inside the shape farthest from its edges (so it
/// falls inside concave and holed shapes, unlike the centroid).
pub fn label_point(shape: &Shape) -> (f64, f64) {
    let b = shape.bbox;
    let local = Local::around((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let rings: Vec<Vec<(f64, f64)>> =
        shape.rings.iter().map(|r| r.iter().map(|p| local.to_metres(*p)).collect()).collect();
    let clearance = |p: (f64, f64)| -> f64 {
        let mut best = f64::MAX;
        for r in &rings {
            for i in 0..r.len() {
                let (a, c) = (r[i], r[(i + 1) % r.len()]);
                let d = (c.0 - a.0, c.1 - a.1);
                let len2 = d.0 * d.0 + d.1 * d.1;
                let t =
                    if len2 == 0.0 { 0.0 } else { (((p.0 - a.0) * d.0 + (p.1 - a.1) * d.1) / len2).clamp(0.0, 1.0) };
                best = best.min((p.0 - a.0 - t * d.0).hypot(p.1 - a.1 - t * d.1));
            }
        }
        best
    };
    const N: usize = 24;
    let mut best: Option<((f64, f64), f64)> = None;
    for i in 0..N {
        for j in 0..N {
            let lon = b[0] + (b[2] - b[0]) * (i as f64 + 0.5) / N as f64;
            let lat = b[1] + (b[3] - b[1]) * (j as f64 + 0.5) / N as f64;
            if !shape.contains(lon, lat) {
                continue;
            }
            let c = clearance(local.to_metres((lon, lat)));
            if best.is_none_or(|(_, bc)| c > bc) {
                best = Some(((lon, lat), c));
            }
        }
    }
    best.map(|(p, _)| p).unwrap_or(((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0))
}

/// Paper sizes (portrait, millimetres).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    pub fn parse(s: &str) -> Option<Paper> {
        match s.trim().to_ascii_uppercase().as_str() {
            "" | "A4" => Some(Paper::A4),
            "A3" => Some(Paper::A3),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A3 => "A3",
        }
    }
    /// (width, height) in mm.
    pub fn size(self, landscape: bool) -> (f64, f64) {
        let (w, h) = match self {
            Paper::A4 => (210.0, 297.0),
            Paper::A3 => (297.0, 420.0),
        };
        if landscape { (h, w) } else { (w, h) }
    }
}

/// One grid on the diagram.
pub struct DiagramGrid {
    pub name: String,
    pub code: String,
    pub shape: Option<Shape>,
    /// "网格长 张三；网格员 李四、王五" (empty: no one serving).
    pub workers: String,
}

/// What the diagram shows.
pub struct Diagram<'a> {
    pub title: &'a str,
    pub date: &'a str,
    pub paper: Paper,
    pub landscape: bool,
    pub grids: &'a [DiagramGrid],
    /// The area's own outline, drawn under the grids.
    pub outline: Option<&'a Shape>,
}

const FILLS: [&str; 8] = ["#dbeafe", "#dcfce7", "#fef9c3", "#fce7f3", "#ede9fe", "#ffedd5", "#cffafe", "#f1f5f9"];

/// A round length for the scale bar near `metres` (1, 2 or 5 × 10ⁿ).
fn nice(metres: f64) -> f64 {
    let p = 10f64.powf(metres.max(1.0).log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|v| *v <= metres).unwrap_or(p)
}

/// The diagram as one SVG document in millimetres.
pub fn render(d: &Diagram) -> String {
    let l = layout(d);
    let Layout { w, m, map_top, map_w, map_h, .. } = l;
    let mut s = String::new();
    header(&mut s, d, &l);
    let _ = write!(
        s,
        r##"<rect x="{m}" y="{map_top}" width="{map_w}" height="{map_h}" fill="none" stroke="#999" stroke-width="0.3"/>"##
    );
    let shapes = d.grids.iter().filter_map(|g| g.shape.as_ref()).chain(d.outline);
    if let Some(bbox) = bbox_of(shapes) {
        let f = Frame::fit(bbox, m, map_top, map_w, map_h);
        draw_grids(&mut s, d, &f, l.fs);
        north_arrow(&mut s, &l);
        scale_bar(&mut s, &f, &l);
    } else {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="5" text-anchor="middle" fill="#666">尚未绘制任何网格边界</text>"##,
            w / 2.0,
            map_top + map_h / 2.0
        );
    }
    legend(&mut s, d, &l);
    s.push_str("</svg>");
    s
}

/// Where things go on the page, in millimetres.
#[derive(Clone, Copy)]
struct Layout {
    w: f64,
    h: f64,
    /// The margin.
    m: f64,
    /// The font scale (A3 is larger).
    fs: f64,
    /// Legend columns, line height, rows and height.
    cols: usize,
    line: f64,
    rows: usize,
    legend_h: f64,
    map_top: f64,
    map_h: f64,
    map_w: f64,
}

fn layout(d: &Diagram) -> Layout {
    let (w, h) = d.paper.size(d.landscape);
    let m = 10.0;
    let big = d.paper == Paper::A3;
    let fs = if big { 1.3 } else { 1.0 };
    // Legend rows: one per grid; columns by paper width.
    let cols = if w > 250.0 { 3 } else { 2 };
    let line = 4.2 * fs;
    let legend_rows_max = ((h * 0.22) / line).floor() as usize;
    let rows_needed = d.grids.len().div_ceil(cols);
    let rows = rows_needed.min(legend_rows_max.max(1));
    let legend_h = rows as f64 * line + 8.0 * fs;
    let map_top = m + 18.0 * fs;
    let map_h = h - map_top - legend_h - m - 4.0;
    let map_w = w - 2.0 * m;
    Layout { w, h, m, fs, cols, line, rows, legend_h, map_top, map_h, map_w }
}

/// The document's start, the white page, the title and the line under it.
fn header(s: &mut String, d: &Diagram, l: &Layout) {
    let Layout { w, h, m, fs, .. } = *l;
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" font-family="Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, sans-serif" role="img" aria-label="{}网格示意图">"#,
        esc(d.title)
    );
    let _ = write!(s, r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>"##);
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="{:.1}" font-weight="bold" text-anchor="middle">{}网格示意图</text>"#,
        w / 2.0,
        m + 7.0 * fs,
        7.0 * fs,
        esc(d.title)
    );
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="{:.1}" text-anchor="middle" fill="#444">共 {} 个网格 · 制图日期 {}</text>"##,
        w / 2.0,
        m + 13.0 * fs,
        3.2 * fs,
        d.grids.len(),
        esc(d.date)
    );
}

/// The area's outline, each grid filled in its colour, and the grids' names and codes.
fn draw_grids(s: &mut String, d: &Diagram, f: &Frame, fs: f64) {
    if let Some(o) = d.outline {
        let _ = write!(
            s,
            r##"<path d="{}" fill="none" stroke="#b91c1c" stroke-width="0.6" stroke-dasharray="2 1"/>"##,
            f.path(o)
        );
    }
    for (i, g) in d.grids.iter().enumerate() {
        if let Some(shape) = &g.shape {
            let _ = write!(
                s,
                r##"<path d="{}" fill="{}" fill-rule="evenodd" stroke="#1e3a8a" stroke-width="0.5"/>"##,
                f.path(shape),
                FILLS[i % FILLS.len()]
            );
        }
    }
    for g in d.grids {
        if let Some(shape) = &g.shape {
            let (x, y) = f.point(label_point(shape));
            let _ = write!(
                s,
                r##"<text x="{x:.2}" y="{y:.2}" font-size="{:.1}" text-anchor="middle" font-weight="bold" class="grid-label">{}</text><text x="{x:.2}" y="{:.2}" font-size="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
                3.0 * fs,
                esc(&g.name),
                y + 3.2 * fs,
                2.0 * fs,
                esc(&g.code)
            );
        }
    }
}

/// North arrow, top right of the map.
fn north_arrow(s: &mut String, l: &Layout) {
    let Layout { m, map_top, map_w, .. } = *l;
    let (nx, ny) = (m + map_w - 10.0, map_top + 6.0);
    let _ = write!(
        s,
        r##"<g aria-label="指北针"><path d="M{nx} {ny} L{} {} L{nx} {} L{} {} Z" fill="#111"/><text x="{nx}" y="{}" font-size="4" text-anchor="middle" font-weight="bold">北</text></g>"##,
        nx + 3.0,
        ny + 10.0,
        ny + 7.5,
        nx - 3.0,
        ny + 10.0,
        ny - 1.0
    );
}

/// Scale bar, bottom left: a round length about a fifth of the map's width.
fn scale_bar(s: &mut String, f: &Frame, l: &Layout) {
    let Layout { m, map_top, map_w, map_h, .. } = *l;
    let per_mm = f.metres_per_unit();
    let metres = nice(map_w / 5.0 * per_mm);
    let len = metres / per_mm;
    let (sx, sy) = (m + 5.0, map_top + map_h - 6.0);
    let label = if metres >= 1000.0 { format!("{} 千米", metres / 1000.0) } else { format!("{metres} 米") };
    let _ = write!(
        s,
        r##"<g aria-label="比例尺"><rect x="{sx}" y="{sy}" width="{len:.2}" height="1.5" fill="#111"/><rect x="{sx}" y="{sy}" width="{:.2}" height="1.5" fill="#fff" stroke="#111" stroke-width="0.2"/><text x="{sx}" y="{}" font-size="3">0</text><text x="{:.2}" y="{}" font-size="3" text-anchor="end">{label}</text></g>"##,
        len / 2.0,
        sy - 1.0,
        sx + len,
        sy - 1.0
    );
}

/// Legend of grid workers: one line per grid in columns, and how many are left out.
fn legend(s: &mut String, d: &Diagram, l: &Layout) {
    let Layout { w, h, m, fs, cols, line, rows, legend_h, map_w, .. } = *l;
    let ly = h - m - legend_h + 4.0 * fs;
    let _ =
        write!(s, r#"<text x="{m}" y="{ly}" font-size="{:.1}" font-weight="bold">图例：网格与网格员</text>"#, 3.5 * fs);
    let col_w = map_w / cols as f64;
    let shown = rows * cols;
    for (i, g) in d.grids.iter().take(shown).enumerate() {
        let (c, r) = (i / rows, i % rows);
        let (x, y) = (m + c as f64 * col_w, ly + 4.5 * fs + r as f64 * line);
        let who = if g.workers.is_empty() { "暂无网格员".to_owned() } else { g.workers.clone() };
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{:.2}" width="3" height="3" fill="{}" stroke="#1e3a8a" stroke-width="0.3"/><text x="{:.2}" y="{y:.2}" font-size="{:.1}">{}：{}</text>"##,
            y - 2.6 * fs,
            FILLS[i % FILLS.len()],
            x + 4.0,
            2.8 * fs,
            esc(&g.name),
            esc(&who)
        );
    }
    if d.grids.len() > shown {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="2.8" text-anchor="end" fill="#444">另有 {} 个网格未列出，请用 A3 纸或分社区打印</text>"##,
            w - m,
            h - m + 2.0,
            d.grids.len() - shown
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x: f64, y: f64, s: f64) -> Shape {
        Shape::new(vec![vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]]).unwrap()
    }

    #[test]
    fn label_points_fall_inside_concave_shapes() {
        // A U shape: its centroid is in the notch; the label point is not.
        let u = Shape::new(vec![vec![
            (0.0, 0.0),
            (0.03, 0.0),
            (0.03, 0.03),
            (0.02, 0.03),
            (0.02, 0.01),
            (0.01, 0.01),
            (0.01, 0.03),
            (0.0, 0.03),
            (0.0, 0.0),
        ]])
        .unwrap();
        let (x, y) = label_point(&u);
        assert!(u.contains(x, y), "({x}, {y})");
        assert_eq!(nice(730.0), 500.0);
        assert_eq!(nice(1999.0), 1000.0);
        assert_eq!(nice(2.5), 2.0);
    }

    #[test]
    fn the_diagram_has_every_label_north_arrow_scale_and_legend() {
        let grids = vec![
            DiagramGrid {
                name: "一<网格>".into(),
                code: "510725101001001".into(),
                shape: Some(sq(104.70, 31.70, 0.01)),
                workers: "网格员 张三".into(),
            },
            DiagramGrid {
                name: "二网格".into(),
                code: "510725101001002".into(),
                shape: Some(sq(104.71, 31.70, 0.01)),
                workers: String::new(),
            },
            DiagramGrid {
                name: "三网格".into(), code: "510725101001003".into(), shape: None, workers: String::new()
            },
        ];
        let svg = render(&Diagram {
            title: "嫩水社区",
            date: "2026-12-05",
            paper: Paper::A3,
            landscape: true,
            grids: &grids,
            outline: None,
        });
        assert!(svg.starts_with("<svg") && svg.contains(r#"width="420mm" height="297mm""#));
        assert!(svg.contains("一&lt;网格&gt;") && svg.contains("二网格") && svg.contains("510725101001002"));
        assert!(svg.contains("指北针") && svg.contains("比例尺") && svg.contains("网格员 张三"));
        assert!(svg.contains("三网格：暂无网格员"));
        assert_eq!(svg.matches("class=\"grid-label\"").count(), 2, "grids without a boundary get no label on the map");
    }
}
