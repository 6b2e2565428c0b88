//! The great-circle distance between two WGS-84 points (haversine), for patrol tracks and for
//! telling whether two resident reports are at the same place.

/// Mean earth radius in metres (the usual haversine constant).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Distance in metres between two (lat, lng) points in degrees.
pub fn haversine_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude is about 111.2 km; 0.001° of latitude about 111.2 m.
        let d = haversine_m(31.0, 104.0, 32.0, 104.0);
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        let d = haversine_m(31.0, 104.0, 31.001, 104.0);
        assert!((d - 111.195).abs() < 0.01, "{d}");
        // Along a parallel the distance shrinks with cos(latitude): at 60° it is half.
        let d = haversine_m(60.0, 0.0, 60.0, 1.0);
        assert!((d - 55_597.0).abs() < 20.0, "{d}");
        assert_eq!(haversine_m(31.0, 104.0, 31.0, 104.0), 0.0);
    }
}
