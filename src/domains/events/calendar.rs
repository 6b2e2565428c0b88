//! The work calendar: which days are working days (weekends, public holidays, make-up working days)
//! and time arithmetic in working minutes, so a Friday-evening report's clock starts on Monday.

use crate::clock::{CST_OFFSET_SECONDS, MINUTE, Millis};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use std::collections::BTreeMap;

/// The working hours of a working day, local time: 09:00–12:00 and 13:00–18:00 (8 hours).
pub const WINDOWS: [((u32, u32), (u32, u32)); 2] = [((9, 0), (12, 0)), ((13, 0), (18, 0))];
/// Working minutes in one working day; a limit of N working days is N × this.
pub const DAY_MINUTES: i64 = 8 * 60;

/// The official 2026 arrangement (国务院办公厅 2025-11-04): holidays off, make-up Saturdays/Sundays on.
pub const OFFICIAL_2026: &[(&str, bool, &str)] = &[
    ("2026-01-01", false, "元旦"),
    ("2026-01-02", false, "元旦"),
    ("2026-01-03", false, "元旦"),
    ("2026-01-04", true, "元旦调休上班"),
    ("2026-02-14", true, "春节调休上班"),
    ("2026-02-15", false, "春节"),
    ("2026-02-16", false, "春节"),
    ("2026-02-17", false, "春节"),
    ("2026-02-18", false, "春节"),
    ("2026-02-19", false, "春节"),
    ("2026-02-20", false, "春节"),
    ("2026-02-21", false, "春节"),
    ("2026-02-22", false, "春节"),
    ("2026-02-23", false, "春节"),
    ("2026-02-28", true, "春节调休上班"),
    ("2026-04-04", false, "清明节"),
    ("2026-04-05", false, "清明节"),
    ("2026-04-06", false, "清明节"),
    ("2026-05-01", false, "劳动节"),
    ("2026-05-02", false, "劳动节"),
    ("2026-05-03", false, "劳动节"),
    ("2026-05-04", false, "劳动节"),
    ("2026-05-05", false, "劳动节"),
    ("2026-05-09", true, "劳动节调休上班"),
    ("2026-06-19", false, "端午节"),
    ("2026-06-20", false, "端午节"),
    ("2026-06-21", false, "端午节"),
    ("2026-09-20", true, "国庆节调休上班"),
    ("2026-09-25", false, "中秋节"),
    ("2026-09-26", false, "中秋节"),
    ("2026-09-27", false, "中秋节"),
    ("2026-10-01", false, "国庆节"),
    ("2026-10-02", false, "国庆节"),
    ("2026-10-03", false, "国庆节"),
    ("2026-10-04", false, "国庆节"),
    ("2026-10-05", false, "国庆节"),
    ("2026-10-06", false, "国庆节"),
    ("2026-10-07", false, "国庆节"),
    ("2026-10-10", true, "国庆节调休上班"),
];

/// A time limit as configured: working hours or working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Hours(i64),
    Days(i64),
}

impl Limit {
    pub fn minutes(self) -> i64 {
        match self {
            Limit::Hours(h) => h * 60,
            Limit::Days(d) => d * DAY_MINUTES,
        }
    }

    /// `3 个工作日`, `5 个工作小时`.
    pub fn label(self) -> String {
        match self {
            Limit::Hours(h) => format!("{h} 个工作小时"),
            Limit::Days(d) => format!("{d} 个工作日"),
        }
    }

    /// Parses the stored form `5h` / `3d`.
    pub fn parse(s: &str) -> Option<Limit> {
        let s = s.trim();
        let (n, unit) = s.split_at(s.len().checked_sub(1)?);
        let n: i64 = n.parse().ok().filter(|n| (1..=3650).contains(n))?;
        match unit {
            "h" => Some(Limit::Hours(n)),
            "d" => Some(Limit::Days(n)),
            _ => None,
        }
    }

    pub fn stored(self) -> String {
        match self {
            Limit::Hours(h) => format!("{h}h"),
            Limit::Days(d) => format!("{d}d"),
        }
    }
}

/// Working days: Monday to Friday unless the calendar says otherwise for a date.
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    overrides: BTreeMap<NaiveDate, bool>,
}

fn local(ms: Millis) -> NaiveDateTime {
    crate::clock::to_local(ms).naive_local()
}

fn millis(t: NaiveDateTime) -> Millis {
    t.and_utc().timestamp_millis() - i64::from(CST_OFFSET_SECONDS) * 1000
}

fn at(date: NaiveDate, (h, m): (u32, u32)) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
}

impl WorkCalendar {
    /// A calendar from (date, is working day) overrides.
    pub fn new(overrides: impl IntoIterator<Item = (NaiveDate, bool)>) -> Self {
        WorkCalendar { overrides: overrides.into_iter().collect() }
    }

    /// A calendar from stored days (`2026-10-01`, is working day); unreadable dates are skipped.
    pub fn from_days<S: AsRef<str>>(days: impl IntoIterator<Item = (S, bool)>) -> Self {
        WorkCalendar::new(
            days.into_iter().filter_map(|(d, w)| Some((NaiveDate::parse_from_str(d.as_ref(), "%Y-%m-%d").ok()?, w))),
        )
    }

    /// The calendar with the official 2026 arrangement.
    pub fn official_2026() -> Self {
        WorkCalendar::from_days(OFFICIAL_2026.iter().map(|(d, w, _)| (*d, *w)))
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.overrides.get(&d).copied().unwrap_or(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The working windows of a date (empty on a day off).
    fn windows(&self, d: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        if !self.is_working_day(d) {
            return Vec::new();
        }
        WINDOWS.iter().map(|(a, b)| (at(d, *a), at(d, *b))).collect()
    }

    /// The moment `minutes` working minutes after `start` (a start outside working hours counts
    /// from the next working moment). Gives up after ten years of days off.
    pub fn add(&self, start: Millis, minutes: i64) -> Millis {
        let mut t = local(start);
        let mut left = minutes.max(0);
        let mut day = t.date();
        for _ in 0..3660 {
            for (a, b) in self.windows(day) {
                if t >= b {
                    continue;
                }
                let from = t.max(a);
                let room = (b - from).num_minutes();
                if left <= room {
                    return millis(from + TimeDelta::minutes(left));
                }
                left -= room;
                t = b;
            }
            day = day.succ_opt().unwrap_or(day);
            t = at(day, (0, 0));
        }
        millis(t)
    }

    /// The deadline of a limit that starts at `start`.
    pub fn deadline(&self, start: Millis, limit: Limit) -> Millis {
        self.add(start, limit.minutes())
    }

    /// Working minutes between two moments (0 when `to` is not after `from`).
    pub fn working_minutes(&self, from: Millis, to: Millis) -> i64 {
        if to <= from {
            return 0;
        }
        let (a0, b0) = (local(from), local(to));
        let mut total = 0;
        let mut day = a0.date();
        while day <= b0.date() {
            for (a, b) in self.windows(day) {
                let (s, e) = (a.max(a0), b.min(b0));
                if e > s {
                    total += (e - s).num_seconds();
                }
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        total / 60
    }

    /// How far along a step is: working minutes used out of its limit, as a share (1.0 = due).
    pub fn used_share(&self, start: Millis, now: Millis, limit: Limit) -> f64 {
        self.working_minutes(start, now) as f64 / limit.minutes().max(1) as f64
    }
}

/// Milliseconds of a minute count, for callers that add plain durations.
pub fn minutes_ms(m: i64) -> Millis {
    m * MINUTE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Millis {
        millis(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }
    fn show(ms: Millis) -> String {
        crate::clock::format_local(ms)
    }

    #[test]
    fn friday_evening_starts_on_monday() {
        let c = WorkCalendar::official_2026();
        // Friday 2026-03-06 19:30; 5 working hours → Monday 2026-03-09 15:00.
        assert_eq!(show(c.deadline(t("2026-03-06 19:30"), Limit::Hours(5))), "2026-03-09 15:00");
        // 1 working day → Monday 18:00.
        assert_eq!(show(c.deadline(t("2026-03-06 19:30"), Limit::Days(1))), "2026-03-09 18:00");
    }

    #[test]
    fn lunch_break_and_day_end_are_skipped() {
        let c = WorkCalendar::official_2026();
        assert_eq!(show(c.add(t("2026-03-10 11:30"), 60)), "2026-03-10 13:30");
        assert_eq!(show(c.add(t("2026-03-10 17:00"), 120)), "2026-03-11 10:00");
        assert_eq!(show(c.add(t("2026-03-10 12:30"), 0)), "2026-03-10 13:00");
    }

    #[test]
    fn holidays_and_make_up_days() {
        let c = WorkCalendar::official_2026();
        // National Day: reported 2026-09-30 17:00, 2 working hours → 1 h on 9-30, then 10-01..07 off,
        // 10-08 (Thursday) 10:00.
        assert_eq!(show(c.add(t("2026-09-30 17:00"), 120)), "2026-10-08 10:00");
        // Make-up Saturday 2026-10-10 is a working day; Sunday 2026-10-11 is not.
        assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
        assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 10, 11).unwrap()));
        assert_eq!(show(c.add(t("2026-10-09 17:00"), 120)), "2026-10-10 10:00");
        // Spring Festival: Friday 2026-02-13 17:00 + 2h → make-up Saturday 02-14 10:00; + 10h → 1 h on 02-13, 8 h on 02-14, 1 h on 02-24.
        assert_eq!(show(c.add(t("2026-02-13 17:00"), 120)), "2026-02-14 10:00");
        assert_eq!(show(c.add(t("2026-02-13 17:00"), 600)), "2026-02-24 10:00");
        // Without the calendar the Saturday would be a day off.
        let plain = WorkCalendar::default();
        assert_eq!(show(plain.add(t("2026-02-13 17:00"), 120)), "2026-02-16 10:00");
    }

    #[test]
    fn working_minutes_between_moments() {
        let c = WorkCalendar::official_2026();
        assert_eq!(c.working_minutes(t("2026-03-06 17:00"), t("2026-03-09 10:00")), 120);
        assert_eq!(c.working_minutes(t("2026-03-10 11:00"), t("2026-03-10 14:00")), 120);
        assert_eq!(c.working_minutes(t("2026-03-10 14:00"), t("2026-03-10 11:00")), 0);
        // The deadline and the minutes agree.
        let start = t("2026-04-03 16:20");
        let due = c.deadline(start, Limit::Days(3));
        assert_eq!(c.working_minutes(start, due), 3 * DAY_MINUTES);
        assert!((c.used_share(start, due, Limit::Days(3)) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn limits_parse_and_print() {
        assert_eq!(Limit::parse("5h"), Some(Limit::Hours(5)));
        assert_eq!(Limit::parse("15d"), Some(Limit::Days(15)));
        assert_eq!(Limit::parse("0d"), None);
        assert_eq!(Limit::parse("d"), None);
        assert_eq!(Limit::parse("3w"), None);
        assert_eq!(Limit::Days(15).stored(), "15d");
        assert_eq!(Limit::Hours(5).label(), "5 个工作小时");
    }
}
