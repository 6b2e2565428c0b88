//! Pure rules of patrols: which sampled points count into the distance,
//! the checks of a point batch and of checklist results, the Beijing day of a timestamp.

use crate::clock::{MINUTE, Millis, to_local};
use crate::error::FieldErrors;
use crate::geo::distance::haversine_m;

/// A point whose reported accuracy is worse than this is stored (shown) but never counted.
pub const MAX_ACCURACY_M: f64 = 50.0;
/// A point closer than this to the last counted point does not move the anchor (GPS jitter
/// while standing still does not add up to kilometres).
pub const MIN_STEP_M: f64 = 10.0;
/// A step faster than this (43 km/h) is a jump of the fix, not walking or cycling; it is ignored.
pub const MAX_SPEED_MPS: f64 = 12.0;
/// Points of one batch at most.
pub const MAX_BATCH: usize = 500;

/// The results a checklist item may get.
pub const RESULTS: [(&str, &str); 3] = [("ok", "正常"), ("problem", "有问题"), ("na", "不涉及")];

pub fn result_label(r: &str) -> &'static str {
    RESULTS.iter().find(|(k, _)| *k == r).map(|(_, l)| *l).unwrap_or("")
}

/// A sampled position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lng: f64,
    pub accuracy: f64,
    pub at: Millis,
}

/// What one point does to the distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// The first good point: it becomes the anchor, adds nothing.
    Anchor,
    /// Counted: adds these metres, becomes the anchor.
    Count(f64),
    /// Not counted (poor accuracy, out of order, too close, or a jump); the anchor stays.
    Ignore,
}

/// The distance rule: a point counts when its accuracy is at most 50 m, it is later than the anchor,
/// at least 10 m from it, and reaching it from the anchor needs no more than 12 m/s. The metres of a
/// counted point are its great-circle distance from the anchor.
pub fn step(anchor: Option<Fix>, p: Fix) -> Step {
    if p.accuracy.is_nan() || p.accuracy > MAX_ACCURACY_M {
        return Step::Ignore;
    }
    let Some(a) = anchor else { return Step::Anchor };
    if p.at <= a.at {
        return Step::Ignore;
    }
    let d = haversine_m(a.lat, a.lng, p.lat, p.lng);
    if d < MIN_STEP_M {
        return Step::Ignore;
    }
    let secs = (p.at - a.at) as f64 / 1000.0;
    if d / secs > MAX_SPEED_MPS { Step::Ignore } else { Step::Count(d) }
}

/// Checks a batch of points against the patrol's window (`start` .. `now` + 1 minute of clock skew):
/// coordinates must be real degrees (and not the 0,0 of a failed fix), accuracy positive.
/// Errors name the field as `points[i].lat` etc.
pub fn check_points(points: &[Fix], start: Millis, now: Millis) -> FieldErrors {
    let mut e = FieldErrors::new();
    if points.is_empty() {
        e.insert("points".into(), "没有要上传的位置点".into());
    } else if points.len() > MAX_BATCH {
        e.insert("points".into(), format!("每次最多上传 {MAX_BATCH} 个位置点"));
    }
    for (i, p) in points.iter().enumerate().take(MAX_BATCH) {
        if let Err(msg) = crate::geo::coords::check(p.lng, p.lat) {
            e.insert(format!("points[{i}].lat"), msg.into());
        }
        if !p.accuracy.is_finite() || p.accuracy <= 0.0 || p.accuracy > 100_000.0 {
            e.insert(format!("points[{i}].accuracy"), "定位精度应为大于 0 的米数".into());
        }
        if p.at < start - MINUTE || p.at > now + MINUTE {
            e.insert(format!("points[{i}].at"), "定位时间不在本次巡查的时间内".into());
        }
    }
    e
}

/// Checks an optional position (check-in, finding): both or neither, in range.
pub fn check_position(lat: Option<f64>, lng: Option<f64>, e: &mut FieldErrors) {
    if let Err(msg) = crate::geo::coords::check_pair(lng, lat) {
        e.insert(
            if lat.is_none() {
                "lat"
            } else if lng.is_none() {
                "lng"
            } else {
                "lat"
            }
            .into(),
            msg.into(),
        );
    }
}

/// One checklist result as submitted.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub item_id: i64,
    pub result: String,
    pub note: String,
}

/// Checks checklist results against the active item ids: known items, each once, a known result,
/// a note of at most 200 characters (required when the result is "有问题").
pub fn check_results(results: &[CheckResult], active: &[i64]) -> FieldErrors {
    let mut e = FieldErrors::new();
    if results.is_empty() {
        e.insert("items".into(), "请至少填写一项检查结果".into());
    }
    let mut seen = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if !active.contains(&r.item_id) {
            e.insert(format!("items[{i}].item_id"), "检查项不存在或已停用".into());
        } else if seen.contains(&r.item_id) {
            e.insert(format!("items[{i}].item_id"), "同一检查项只能填写一次".into());
        }
        seen.push(r.item_id);
        if result_label(&r.result).is_empty() {
            e.insert(
                format!("items[{i}].result"),
                "检查结果只能是 ok（正常）、problem（有问题）或 na（不涉及）".into(),
            );
        }
        let n = r.note.trim().chars().count();
        if n > 200 {
            e.insert(format!("items[{i}].note"), "说明最多 200 字".into());
        } else if r.result == "problem" && n == 0 {
            e.insert(format!("items[{i}].note"), "有问题时请写明情况".into());
        }
    }
    e
}

/// The Beijing date of a timestamp, `YYYY-MM-DD`.
pub fn day_of(ms: Millis) -> String {
    to_local(ms).format("%Y-%m-%d").to_string()
}

/// Minutes of a patrol (whole minutes, cut down), 0 while it is open.
pub fn minutes(started_at: Millis, ended_at: Option<Millis>) -> i64 {
    ended_at.map(|e| (e - started_at).max(0) / MINUTE).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(lat: f64, lng: f64, accuracy: f64, at: Millis) -> Fix {
        Fix { lat, lng, accuracy, at }
    }

    #[test]
    fn the_distance_rule() {
        let a = fix(31.0, 104.0, 10.0, 0);
        assert_eq!(step(None, a), Step::Anchor);
        assert_eq!(step(None, fix(31.0, 104.0, 80.0, 0)), Step::Ignore, "poor accuracy never anchors");
        // 111 m in 60 s: counted.
        match step(Some(a), fix(31.001, 104.0, 10.0, 60_000)) {
            Step::Count(m) => assert!((m - 111.195).abs() < 0.01),
            s => panic!("{s:?}"),
        }
        // Too close (5.6 m), poor accuracy, earlier than the anchor: ignored.
        assert_eq!(step(Some(a), fix(31.00005, 104.0, 10.0, 60_000)), Step::Ignore);
        assert_eq!(step(Some(a), fix(31.001, 104.0, 51.0, 60_000)), Step::Ignore);
        assert_eq!(step(Some(fix(31.0, 104.0, 10.0, 100)), fix(31.001, 104.0, 10.0, 100)), Step::Ignore);
        // 1.1 km in 10 s is a jump of the fix.
        assert_eq!(step(Some(a), fix(31.01, 104.0, 10.0, 10_000)), Step::Ignore);
        assert_eq!(step(Some(a), fix(f64::NAN, 104.0, f64::NAN, 10_000)), Step::Ignore);
    }

    #[test]
    fn absurd_points_are_refused_by_field() {
        let now = 10 * MINUTE;
        let ok = fix(31.0, 104.0, 10.0, now);
        assert!(check_points(&[ok], 0, now).is_empty());
        let e = check_points(&[ok, fix(91.0, 104.0, 10.0, now), fix(0.0, 0.0, 5.0, now)], 0, now);
        assert!(e.contains_key("points[1].lat") && e.contains_key("points[2].lat"), "{e:?}");
        let e = check_points(&[fix(31.0, 181.0, -1.0, now + 2 * MINUTE)], 0, now);
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(check_points(&[], 0, now).contains_key("points"));
        assert!(check_points(&vec![ok; MAX_BATCH + 1], 0, now).contains_key("points"));
        let mut e = FieldErrors::new();
        check_position(Some(31.0), None, &mut e);
        assert!(e.contains_key("lng"));
    }

    #[test]
    fn checklist_results_are_checked() {
        let r = |item_id, result: &str, note: &str| CheckResult { item_id, result: result.into(), note: note.into() };
        assert!(check_results(&[r(1, "ok", ""), r(2, "problem", "楼道堆放杂物")], &[1, 2]).is_empty());
        let e = check_results(&[r(1, "ok", ""), r(1, "ok", ""), r(9, "bad", ""), r(2, "problem", " ")], &[1, 2]);
        assert!(e.contains_key("items[1].item_id"), "{e:?}");
        assert!(e.contains_key("items[2].item_id") && e.contains_key("items[2].result"), "{e:?}");
        assert!(e.contains_key("items[3].note"), "{e:?}");
        assert!(check_results(&[], &[1]).contains_key("items"));
    }

    #[test]
    fn days_and_minutes_in_beijing_time() {
        // 2026-03-02T16:30Z is 2026-03-03 00:30 in Beijing.
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-02T16:30:00Z").unwrap().timestamp_millis();
        assert_eq!(day_of(t), "2026-03-03");
        assert_eq!(day_of(t - 31 * MINUTE), "2026-03-02");
        assert_eq!(minutes(0, Some(90 * MINUTE + 59_000)), 90);
        assert_eq!(minutes(0, None), 0);
    }
}
