//! Pure rules of account activity (账号活跃度): the reporting period (a month or an ISO week), the
//! threshold of active days, and the rate. No I/O.

use crate::clock::{CST_OFFSET_SECONDS, Millis};
use crate::domains::events::calendar::WorkCalendar;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// Whether a period is a calendar month or an ISO week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Week,
}

/// A reporting period in Beijing dates: `[first, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPeriod {
    pub kind: PeriodKind,
    pub first: NaiveDate,
    pub end: NaiveDate,
}

impl ReportPeriod {
    /// `2026-03` → March 2026.
    pub fn month(s: &str) -> Result<ReportPeriod, String> {
        let bad = || "月份格式应为 年-月，如 2026-03".to_owned();
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if !(2000..=2100).contains(&y) {
            return Err("月份的年份应在 2000 到 2100 之间".into());
        }
        let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
        Ok(ReportPeriod { kind: PeriodKind::Month, first, end: next_month(first) })
    }

    /// `2026-W10` (ISO week) → Monday to Sunday of that week.
    pub fn week(s: &str) -> Result<ReportPeriod, String> {
        let bad = || "周的格式应为 年-W周数，如 2026-W10".to_owned();
        let (y, w) = s.trim().split_once("-W").or_else(|| s.trim().split_once("-w")).ok_or_else(bad)?;
        let (y, w): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
        if !(2000..=2100).contains(&y) {
            return Err("周的年份应在 2000 到 2100 之间".into());
        }
        let first = NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon).ok_or_else(bad)?;
        Ok(ReportPeriod { kind: PeriodKind::Week, first, end: first + Duration::days(7) })
    }

    /// The month containing a day.
    pub fn month_of(day: NaiveDate) -> ReportPeriod {
        let first = day.with_day(1).unwrap_or(day);
        ReportPeriod { kind: PeriodKind::Month, first, end: next_month(first) }
    }

    /// The month or week before this one (for "compared with last month").
    pub fn previous(&self) -> ReportPeriod {
        match self.kind {
            PeriodKind::Month => {
                let last_day = self.first - Duration::days(1);
                ReportPeriod::month_of(last_day)
            }
            PeriodKind::Week => {
                ReportPeriod { kind: PeriodKind::Week, first: self.first - Duration::days(7), end: self.first }
            }
        }
    }

    /// `2026-03` or `2026-W10`.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::Month => self.first.format("%Y-%m").to_string(),
            PeriodKind::Week => {
                let w = self.first.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
        }
    }

    /// `2026年3月` or `2026年第10周`.
    pub fn title(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.first.year(), self.first.month()),
            PeriodKind::Week => {
                let w = self.first.iso_week();
                format!("{}年第{}周", w.year(), w.week())
            }
        }
    }

    /// `3月份` (how the bulletin names its month).
    pub fn short_title(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}月份", self.first.month()),
            PeriodKind::Week => self.title(),
        }
    }

    /// The first day as `YYYY-MM-DD` and the day after the last.
    pub fn day_keys(&self) -> (String, String) {
        (self.first.to_string(), self.end.to_string())
    }

    /// The period as a half-open time range (Beijing midnight to midnight).
    pub fn millis(&self) -> (Millis, Millis) {
        (midnight(self.first), midnight(self.end))
    }

    pub fn days(&self) -> i64 {
        (self.end - self.first).num_days()
    }
}

fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 { (first.year() + 1, 1) } else { (first.year(), first.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// Beijing midnight at the start of a day, as Unix milliseconds.
pub fn midnight(d: NaiveDate) -> Millis {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis() - i64::from(CST_OFFSET_SECONDS) * 1000
}

/// The thresholds in force (stored in `supervision_settings`, edited by the county centre).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActivitySettings {
    /// Active days an account needs in a month to count as active (default 20).
    pub min_days_month: i64,
    /// … in a week (default 5).
    pub min_days_week: i64,
    /// Whether a day on which the account only read counts (default: no — only business counts).
    pub counts_reads: bool,
}

impl Default for ActivitySettings {
    fn default() -> Self {
        ActivitySettings { min_days_month: 20, min_days_week: 5, counts_reads: false }
    }
}

impl ActivitySettings {
    /// The threshold for a period, never more than the period has days.
    pub fn min_days(&self, p: &ReportPeriod) -> i64 {
        let n = match p.kind {
            PeriodKind::Month => self.min_days_month,
            PeriodKind::Week => self.min_days_week,
        };
        n.clamp(1, p.days())
    }

    /// Reads the stored key/value pairs; unknown keys are ignored, bad values keep the default.
    pub fn from_pairs(pairs: &[(String, String)]) -> ActivitySettings {
        let mut s = ActivitySettings::default();
        for (k, v) in pairs {
            match k.as_str() {
                "activity_min_days_month" => s.min_days_month = v.parse().unwrap_or(s.min_days_month),
                "activity_min_days_week" => s.min_days_week = v.parse().unwrap_or(s.min_days_week),
                "activity_counts_reads" => s.counts_reads = v == "true",
                _ => {}
            }
        }
        s
    }

    /// Checks a change: a month threshold of 1–31 days, a week threshold of 1–7.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=31).contains(&self.min_days_month) {
            return Err(("min_days_month", "每月活跃天数门槛应在 1 到 31 天之间".into()));
        }
        if !(1..=7).contains(&self.min_days_week) {
            return Err(("min_days_week", "每周活跃天数门槛应在 1 到 7 天之间".into()));
        }
        Ok(())
    }
}

/// What an activity figure is measured over (docs/METRICS.md, 账号活跃度): the days counted,
/// `[period.first, through)`, and the threshold an account must reach in them. A whole period has
/// the period's threshold; the part of a period up to today ("month to date") has that threshold
/// scaled by the working days elapsed, so that early in a month the rate is not near 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub period: ReportPeriod,
    /// The day after the last day counted.
    pub through: NaiveDate,
    pub min_days: i64,
    /// For a period measured to date: (working days counted, working days of the whole period).
    pub working_days: Option<(i64, i64)>,
}

fn working_days(cal: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days().take_while(|d| *d < to).filter(|d| cal.is_working_day(*d)).count() as i64
}

impl Measure {
    /// A whole month or week with its threshold.
    pub fn whole(period: ReportPeriod, s: &ActivitySettings) -> Measure {
        Measure { through: period.end, min_days: s.min_days(&period), period, working_days: None }
    }

    /// The period from its first day through `today` (included). The threshold is the whole
    /// period's, times working days elapsed ÷ working days in the period, rounded up, at least 1
    /// and never more than the days counted. A period already over is measured whole.
    pub fn to_date(period: ReportPeriod, today: NaiveDate, s: &ActivitySettings, cal: &WorkCalendar) -> Measure {
        let through = today.succ_opt().unwrap_or(today);
        if through >= period.end || through <= period.first {
            return Measure::whole(period, s);
        }
        let full = s.min_days(&period);
        let (elapsed, all) = (working_days(cal, period.first, through), working_days(cal, period.first, period.end));
        let days = (through - period.first).num_days();
        let scaled = if all > 0 { (full * elapsed + all - 1) / all } else { full * days / period.days() };
        Measure { min_days: scaled.clamp(1, days), through, period, working_days: Some((elapsed, all)) }
    }

    /// Whether the days counted stop before the end of the period.
    pub fn is_to_date(&self) -> bool {
        self.working_days.is_some()
    }

    /// The first day counted as `YYYY-MM-DD` and the day after the last.
    pub fn day_keys(&self) -> (String, String) {
        (self.period.first.to_string(), self.through.to_string())
    }

    /// Beijing midnight after the last day counted (accounts opened before it count).
    pub fn end_millis(&self) -> Millis {
        midnight(self.through)
    }

    /// `2026年11月`, `2026年第10周`, or `2026年12月1日至7日（本月至今）`.
    pub fn label(&self) -> String {
        let last = self.through.pred_opt().unwrap_or(self.through);
        match (self.is_to_date(), self.period.kind) {
            (false, _) => self.period.title(),
            (true, PeriodKind::Month) => format!(
                "{}年{}月1日至{}日（本月至今）",
                self.period.first.year(),
                self.period.first.month(),
                last.day()
            ),
            (true, PeriodKind::Week) => format!("{}至{}（本周至今）", self.period.first, last),
        }
    }

    /// How the threshold was set, in a sentence for the page.
    pub fn threshold_note(&self, s: &ActivitySettings) -> String {
        let unit = if self.period.kind == PeriodKind::Month { "月" } else { "周" };
        match self.working_days {
            None => format!("全{unit}办理业务 {} 天及以上算活跃", self.min_days),
            Some((elapsed, all)) => format!(
                "全{unit}门槛 {} 天，按已过 {elapsed} 个工作日（全{unit} {all} 个）折算为 {} 天及以上算活跃",
                s.min_days(&self.period),
                self.min_days
            ),
        }
    }
}

/// Activity rate = active ÷ activated; None when a unit has no activated account.
pub fn rate(active: i64, total: i64) -> Option<f64> {
    (total > 0).then(|| active as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_weeks_and_their_predecessors() {
        let m = ReportPeriod::month("2026-03").unwrap();
        assert_eq!(m.day_keys(), ("2026-03-01".into(), "2026-04-01".into()));
        assert_eq!(
            (m.days(), m.title(), m.short_title(), m.key()),
            (31, "2026年3月".into(), "3月份".into(), "2026-03".into())
        );
        assert_eq!(m.previous().day_keys(), ("2026-02-01".into(), "2026-03-01".into()));
        let jan = ReportPeriod::month("2026-01").unwrap();
        assert_eq!(jan.previous().key(), "2025-12");
        assert_eq!(ReportPeriod::month("2025-12").unwrap().end.to_string(), "2026-01-01");
        let w = ReportPeriod::week("2026-W10").unwrap();
        assert_eq!(w.day_keys(), ("2026-03-02".into(), "2026-03-09".into()));
        assert_eq!((w.key(), w.previous().key()), ("2026-W10".into(), "2026-W09".into()));
        // Beijing midnight of 2026-03-01 is 16:00 UTC the day before.
        assert_eq!(m.millis().0, 1_772_294_400_000);
        for bad in ["2026-13", "2026", "26-03", "2026-3-1x", "1999-01"] {
            assert!(ReportPeriod::month(bad).is_err(), "{bad}");
        }
        assert!(ReportPeriod::week("2026-W60").is_err());
    }

    #[test]
    fn month_to_date_scales_the_threshold_by_working_days() {
        let s = ActivitySettings::default();
        let cal = WorkCalendar::official_2026();
        let dec = ReportPeriod::month("2026-12").unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        // December 2026 has 23 working days; 1–6 December holds 4 (Tue–Fri): 20 × 4 / 23 → 4 days.
        let m = Measure::to_date(dec.clone(), day(6), &s, &cal);
        assert_eq!((m.min_days, m.working_days, m.day_keys().1), (4, Some((4, 23)), "2026-12-07".to_owned()));
        assert_eq!(m.label(), "2026年12月1日至6日（本月至今）");
        assert!(
            m.threshold_note(&s).contains("按已过 4 个工作日（全月 23 个）折算为 4 天"),
            "{}",
            m.threshold_note(&s)
        );
        // The first day of a month: at least 1 day, never more than the days counted.
        let first = Measure::to_date(dec.clone(), day(1), &s, &cal);
        assert_eq!((first.min_days, first.working_days), (1, Some((1, 23))));
        // Near the end the threshold approaches the whole month's; on the last day it is the whole.
        assert_eq!(Measure::to_date(dec.clone(), day(30), &s, &cal).min_days, 20);
        let whole = Measure::to_date(dec.clone(), day(31), &s, &cal);
        assert_eq!(whole, Measure::whole(dec.clone(), &s));
        assert_eq!((whole.label(), whole.min_days, whole.is_to_date()), ("2026年12月".to_owned(), 20, false));
        // A month off for the whole first week (the National Day holiday) keeps 1 day.
        let oct = Measure::to_date(
            ReportPeriod::month("2026-10").unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 7).unwrap(),
            &s,
            &cal,
        );
        assert_eq!((oct.min_days, oct.working_days.map(|w| w.0)), (1, Some(0)));
    }

    #[test]
    fn thresholds_and_rates() {
        let s = ActivitySettings::default();
        let feb = ReportPeriod::month("2026-02").unwrap();
        assert_eq!(s.min_days(&feb), 20);
        let w = ReportPeriod::week("2026-W10").unwrap();
        assert_eq!(s.min_days(&w), 5);
        let odd = ActivitySettings { min_days_week: 9, ..s };
        assert_eq!(odd.min_days(&w), 7);
        assert!(odd.validate().is_err());
        let pairs = vec![
            ("activity_min_days_month".to_owned(), "15".to_owned()),
            ("activity_counts_reads".to_owned(), "true".to_owned()),
            ("activity_min_days_week".to_owned(), "x".to_owned()),
        ];
        let read = ActivitySettings::from_pairs(&pairs);
        assert_eq!((read.min_days_month, read.min_days_week, read.counts_reads), (15, 5, true));
        assert_eq!(rate(3, 4), Some(0.75));
        assert_eq!(rate(0, 0), None);
    }
}
