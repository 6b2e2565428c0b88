//! An optional tile background for maps: a configured URL template with {z}/{x}/{y} (web-Mercator
//! tiles, e.g. 天地图 with a key in WGS-84/CGCS2000, 高德 in GCJ-02) and the tiles covering a box,
//! with each tile's corners in WGS-84 so it can be placed under boundaries drawn in WGS-84.

use super::coords::{Datum, from_wgs84, to_wgs84};
use std::f64::consts::PI;

/// A configured tile source.
#[derive(Debug, Clone, PartialEq)]
pub struct TileSource {
    pub template: String,
    /// `scheme://host[:port]`, the only origin the pages' CSP then allows images from.
    pub origin: String,
    pub datum: Datum,
}

impl TileSource {
    /// Checks a template: http(s), a host, and {z}, {x} and {y} placeholders ({s} is not supported).
    pub fn parse(template: &str, datum: &str) -> Result<TileSource, String> {
        let template = template.trim();
        let datum =
            Datum::parse(datum).ok_or_else(|| format!("瓦片坐标系 {datum} 不支持（wgs84、cgcs2000 或 gcj02）"))?;
        let rest = template
            .strip_prefix("https://")
            .map(|r| ("https", r))
            .or_else(|| template.strip_prefix("http://").map(|r| ("http", r)));
        let Some((scheme, rest)) = rest else {
            return Err("瓦片地址应以 https:// 或 http:// 开头".into());
        };
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')) {
            return Err("瓦片地址的主机名不正确".into());
        }
        for p in ["{z}", "{x}", "{y}"] {
            if !template.contains(p) {
                return Err(format!("瓦片地址缺少 {p}"));
            }
        }
        if template.contains(['"', '\'', '<', '>', ' ']) {
            return Err("瓦片地址含有不允许的字符".into());
        }
        Ok(TileSource { template: template.to_owned(), origin: format!("{scheme}://{host}"), datum })
    }

    pub fn url(&self, z: u32, x: u32, y: u32) -> String {
        self.template.replace("{z}", &z.to_string()).replace("{x}", &x.to_string()).replace("{y}", &y.to_string())
    }

    /// The tiles covering a WGS-84 box (min lon, min lat, max lon, max lat), at the zoom where the
    /// box spans about `across` tiles, at most `max` tiles: `(url, west, south, east, north)` with
    /// the corners in WGS-84.
    pub fn covering(&self, bbox: [f64; 4], across: f64, max: usize) -> Vec<(String, f64, f64, f64, f64)> {
        // The box as the tiles' datum has it.
        let (w, s) = from_wgs84(self.datum, bbox[0], bbox[1]);
        let (e, n) = from_wgs84(self.datum, bbox[2], bbox[3]);
        let bbox = [w, s, e, n];
        let width = (bbox[2] - bbox[0]).max(1e-6);
        let mut z = ((360.0 * across / width).log2().floor() as i64).clamp(1, 18) as u32;
        loop {
            let (x0, y0) = tile_of(bbox[0], bbox[3], z);
            let (x1, y1) = tile_of(bbox[2], bbox[1], z);
            let count = ((x1 - x0 + 1) * (y1 - y0 + 1)) as usize;
            if count <= max || z == 1 {
                let mut out = Vec::with_capacity(count);
                for y in y0..=y1 {
                    for x in x0..=x1 {
                        let (w, n) = self.corner(x, y, z);
                        let (e, s) = self.corner(x + 1, y + 1, z);
                        out.push((self.url(z, x, y), w, s, e, n));
                    }
                }
                return out;
            }
            z -= 1;
        }
    }

    /// A tile corner in WGS-84 (tiles in GCJ-02 have their corners in GCJ-02).
    fn corner(&self, x: u32, y: u32, z: u32) -> (f64, f64) {
        let (lon, lat) = lonlat_of(x, y, z);
        to_wgs84(self.datum, lon, lat)
    }
}

/// The tile holding (lon, lat) at zoom z (web Mercator).
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.clamp(-85.05, 85.05).to_radians();
    let x = ((lon + 180.0) / 360.0 * n).floor().clamp(0.0, n - 1.0);
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * n).floor().clamp(0.0, n - 1.0);
    (x as u32, y as u32)
}

/// The north-west corner of tile (x, y) at zoom z.
fn lonlat_of(x: u32, y: u32, z: u32) -> (f64, f64) {
    let n = f64::from(1u32 << z);
    let lon = f64::from(x) / n * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * f64::from(y) / n)).sinh().atan().to_degrees();
    (lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_templates_and_covers_a_box() {
        let t = TileSource::parse("https://t0.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY", "cgcs2000")
            .unwrap();
        assert_eq!(t.origin, "https://t0.tianditu.gov.cn");
        assert_eq!(t.url(3, 1, 2), "https://t0.tianditu.gov.cn/DataServer?T=vec_w&x=1&y=2&l=3&tk=KEY");
        assert!(TileSource::parse("ftp://x/{z}/{x}/{y}", "wgs84").is_err());
        assert!(TileSource::parse("https://x/{z}/{x}", "wgs84").is_err());
        assert!(TileSource::parse("https://x/{z}/{x}/{y}", "bd09").is_err());
        // 天安门 at zoom 10 (slippy-map numbering): the tile's corners hold the point.
        assert_eq!(tile_of(116.397, 39.908, 10), (843, 388));
        let ((w, n), (e, s)) = (lonlat_of(843, 388, 10), lonlat_of(844, 389, 10));
        assert!(w <= 116.397 && 116.397 < e && s < 39.908 && 39.908 <= n);
        assert_eq!(lonlat_of(0, 0, 1).0, -180.0);
        let tiles = t.covering([104.70, 31.70, 104.72, 31.71], 4.0, 64);
        assert!(!tiles.is_empty() && tiles.len() <= 64);
        let (_, w, s, e, n) = &tiles[0];
        assert!(w < e && s < n && *w <= 104.70 && *n >= 31.71);
        // GCJ-02 tiles: their corners are moved to WGS-84 (by the few hundred metres of the offset).
        let g =
            TileSource::parse("https://wprd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=7", "gcj02").unwrap();
        let gt = g.covering([104.70, 31.70, 104.72, 31.71], 4.0, 64);
        assert!(!gt.is_empty());
        let (raw, moved) = (lonlat_of(51_000, 27_000, 16), g.corner(51_000, 27_000, 16));
        assert_eq!(moved, to_wgs84(Datum::Gcj02, raw.0, raw.1));
        assert!(moved != raw && (moved.0 - raw.0).abs() < 0.01 && (moved.1 - raw.1).abs() < 0.01, "{raw:?} {moved:?}");
    }
}
