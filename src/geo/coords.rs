//! Coordinate systems at the edges: phones give WGS-84, 天地图 uses CGCS2000 (within centimetres of
//! WGS-84, treated as the same), 高德 and 腾讯 use GCJ-02 (the published offset on the Krasovsky
//! ellipsoid). Everything is stored as WGS-84; outside China GCJ-02 equals WGS-84.

use std::f64::consts::PI;

/// The semi-major axis and eccentricity² GCJ-02 is defined on (Krasovsky 1940).
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// The coordinate systems a deployment meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datum {
    Wgs84,
    /// 天地图 and national surveying: treated as WGS-84 (they differ by centimetres).
    Cgcs2000,
    /// 高德, 腾讯: the offset "Mars" coordinates.
    Gcj02,
}

impl Datum {
    pub fn parse(s: &str) -> Option<Datum> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "gps" => Some(Datum::Wgs84),
            "cgcs2000" | "tianditu" => Some(Datum::Cgcs2000),
            "gcj02" | "gcj-02" | "amap" | "gaode" | "tencent" => Some(Datum::Gcj02),
            _ => None,
        }
    }
}

/// Why a coordinate a person or a device gave is refused (one sentence for every entry point).
pub const OUTSIDE_CHINA: &str =
    "位置不在中国境内（经度应在 72–138、纬度在 0.8–56 之间；0,0 是定位未成功），请重新定位或填写地点";
/// Why half a coordinate is refused.
pub const HALF: &str = "经度和纬度须同时提供";

/// The one rule for a coordinate given by a person, a phone or a client (events, 随手拍, Open311,
/// patrol points and findings, houses and places): WGS-84 longitude and latitude, finite, inside
/// China's box (which refuses 0,0, the "no fix" of many phones, with everything abroad).
pub fn check(lon: f64, lat: f64) -> Result<(f64, f64), &'static str> {
    if lon.is_finite() && lat.is_finite() && !out_of_china(lon, lat) { Ok((lon, lat)) } else { Err(OUTSIDE_CHINA) }
}

/// An optional coordinate: both or neither; a given one follows `check`.
pub fn check_pair(lon: Option<f64>, lat: Option<f64>) -> Result<Option<(f64, f64)>, &'static str> {
    match (lon, lat) {
        (None, None) => Ok(None),
        (Some(x), Some(y)) => check(x, y).map(Some),
        _ => Err(HALF),
    }
}

/// Whether a point lies outside the box GCJ-02 applies to (it is then left as it is).
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 → GCJ-02.
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let d_lat = offset_lat(lon - 105.0, lat - 35.0);
    let d_lon = offset_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad.cos() * PI);
    (lon + d_lon, lat + d_lat)
}

/// GCJ-02 → WGS-84: the forward offset has no closed inverse, so it is solved by iteration
/// (each step moves by the remaining error; converges below 1e-9 degrees, about 0.1 mm).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let (mut x, mut y) = (lon, lat);
    for _ in 0..30 {
        let (gx, gy) = wgs84_to_gcj02(x, y);
        let (dx, dy) = (gx - lon, gy - lat);
        x -= dx;
        y -= dy;
        if dx.abs() < 1e-10 && dy.abs() < 1e-10 {
            break;
        }
    }
    (x, y)
}

/// A point given in `from` as WGS-84 (what is stored).
pub fn to_wgs84(from: Datum, lon: f64, lat: f64) -> (f64, f64) {
    match from {
        Datum::Wgs84 | Datum::Cgcs2000 => (lon, lat),
        Datum::Gcj02 => gcj02_to_wgs84(lon, lat),
    }
}

/// A stored WGS-84 point as `to` expects it (for drawing on a 高德 or 腾讯 base map).
pub fn from_wgs84(to: Datum, lon: f64, lat: f64) -> (f64, f64) {
    match to {
        Datum::Wgs84 | Datum::Cgcs2000 => (lon, lat),
        Datum::Gcj02 => wgs84_to_gcj02(lon, lat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64), eps: f64) -> bool {
        (a.0 - b.0).abs() < eps && (a.1 - b.1).abs() < eps
    }

    #[test]
    fn one_rule_for_given_coordinates() {
        assert_eq!(check(104.7, 31.7), Ok((104.7, 31.7)));
        for (x, y) in
            [(0.0, 0.0), (2.35, 48.85), (-104.7, 31.7), (31.7, 104.7), (f64::NAN, 31.0), (104.0, f64::INFINITY)]
        {
            assert_eq!(check(x, y), Err(OUTSIDE_CHINA), "({x}, {y})");
        }
        assert_eq!(check_pair(None, None), Ok(None));
        assert_eq!(check_pair(Some(104.7), None), Err(HALF));
        assert_eq!(check_pair(Some(0.0), Some(0.0)), Err(OUTSIDE_CHINA));
    }

    #[test]
    fn matches_the_published_reference_point() {
        // The reference pair most GCJ-02 libraries test against (天安门, WGS-84 116.404, 39.915).
        let gcj = wgs84_to_gcj02(116.404, 39.915);
        assert!(close(gcj, (116.410_244_499_169_38, 39.916_404_281_501_64), 1e-12), "{gcj:?}");
        // The iteration takes it back to where it started, to well under a millimetre.
        assert!(close(gcj02_to_wgs84(gcj.0, gcj.1), (116.404, 39.915), 1e-9));
        // The one-step approximation libraries publish (2·gcj − f(gcj)) lands within a metre of it.
        let one_step = (116.397_755_500_830_61, 39.913_595_718_498_36);
        assert!(close(gcj02_to_wgs84(116.404, 39.915), one_step, 1e-5));
    }

    #[test]
    fn the_offset_is_hundreds_of_metres_in_china_and_nothing_abroad() {
        // 绵阳 (near the demo county): the offset is a few hundred metres, mostly eastwards.
        let (lon, lat) = (104.68, 31.47);
        let (glon, glat) = wgs84_to_gcj02(lon, lat);
        let metres = ((glon - lon) * 111_320.0 * lat.to_radians().cos()).hypot((glat - lat) * 110_540.0);
        assert!((100.0..800.0).contains(&metres), "{metres} m");
        for p in [(2.35, 48.85), (139.69, 35.68), (-74.0, 40.7)] {
            assert_eq!(wgs84_to_gcj02(p.0, p.1), p);
            assert_eq!(gcj02_to_wgs84(p.0, p.1), p);
        }
        // Round trips over the country stay within 1e-8 degrees (about a millimetre).
        for (lon, lat) in [(75.99, 39.47), (126.64, 45.76), (121.47, 31.23), (108.94, 34.34), (110.35, 20.02)] {
            let (g0, g1) = from_wgs84(Datum::Gcj02, lon, lat);
            assert!(close(to_wgs84(Datum::Gcj02, g0, g1), (lon, lat), 1e-8));
        }
        assert_eq!(to_wgs84(Datum::Cgcs2000, 104.0, 31.0), (104.0, 31.0));
        assert_eq!(Datum::parse("GCJ-02"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("bd09"), None);
    }
}
