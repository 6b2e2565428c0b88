//! Pure scoring (考核): a unit starts at the base score and each enabled rule deducts its points per
//! counted item, up to the rule's cap; the breakdown says where every point went. No I/O.

use serde::{Deserialize, Serialize};

/// What a rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Events due to close in the month and not closed on time (closed late, or still open).
    OverdueEvents,
    /// Submissions sent in the month and still waiting after their sign-off deadline at its end.
    UnsignedSubmissions,
    /// Accounts under the activity threshold (for a grid worker: the worker's own account).
    InactiveAccounts,
    /// Households and special-population files whose next visit was due before the month ended and not made.
    MissedVisits,
    /// 1 when the unit's completion rate (closed ÷ arrived) is under 50%.
    LowCompletion,
}

pub const METRICS: [Metric; 5] = [
    Metric::OverdueEvents,
    Metric::UnsignedSubmissions,
    Metric::InactiveAccounts,
    Metric::MissedVisits,
    Metric::LowCompletion,
];

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::OverdueEvents => "overdue_events",
            Metric::UnsignedSubmissions => "unsigned_submissions",
            Metric::InactiveAccounts => "inactive_accounts",
            Metric::MissedVisits => "missed_visits",
            Metric::LowCompletion => "low_completion",
        }
    }
    pub fn parse(s: &str) -> Option<Metric> {
        METRICS.into_iter().find(|m| m.as_str() == s)
    }
    /// How one counted item is called (`件`, `条` …).
    pub fn unit(self) -> &'static str {
        match self {
            Metric::OverdueEvents => "件",
            Metric::UnsignedSubmissions => "条",
            Metric::InactiveAccounts => "个",
            Metric::MissedVisits => "人",
            Metric::LowCompletion => "项",
        }
    }
}

/// A scoring rule as configured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub code: String,
    pub metric: Metric,
    pub name: String,
    /// Points deducted per counted item.
    pub points: f64,
    /// The most this rule deducts in a month.
    pub max_points: f64,
    pub enabled: bool,
    pub version: i64,
}

/// What was counted for one unit in a month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Measures {
    pub overdue_events: i64,
    pub unsigned_submissions: i64,
    pub inactive_accounts: i64,
    pub missed_visits: i64,
    pub arrived: i64,
    pub closed: i64,
}

impl Measures {
    pub fn count(&self, m: Metric) -> i64 {
        match m {
            Metric::OverdueEvents => self.overdue_events,
            Metric::UnsignedSubmissions => self.unsigned_submissions,
            Metric::InactiveAccounts => self.inactive_accounts,
            Metric::MissedVisits => self.missed_visits,
            Metric::LowCompletion => i64::from(self.arrived > 0 && self.closed * 2 < self.arrived),
        }
    }
    pub fn add(&mut self, o: &Measures) {
        self.overdue_events += o.overdue_events;
        self.unsigned_submissions += o.unsigned_submissions;
        self.inactive_accounts += o.inactive_accounts;
        self.missed_visits += o.missed_visits;
        self.arrived += o.arrived;
        self.closed += o.closed;
    }
}

/// One rule's part of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    pub code: String,
    pub name: String,
    pub count: i64,
    /// Points taken off (after the cap).
    pub points: f64,
    /// `3 件 × 2 分 = 6 分（上限 30 分）`.
    pub explain: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub score: f64,
    pub deductions: Vec<Deduction>,
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.1}") }
}

/// The score of one unit: base minus every enabled rule's capped deduction, never below zero.
pub fn score(base: f64, rules: &[Rule], m: &Measures) -> Score {
    let mut deductions = Vec::new();
    let mut total = 0.0;
    for r in rules.iter().filter(|r| r.enabled) {
        let count = m.count(r.metric);
        if count == 0 {
            continue;
        }
        let raw = count as f64 * r.points;
        let points = raw.min(r.max_points);
        let capped =
            if raw > r.max_points { format!("，已到上限 {} 分", num(r.max_points)) } else { String::new() };
        deductions.push(Deduction {
            code: r.code.clone(),
            name: r.name.clone(),
            count,
            points,
            explain: format!("{} {} × {} 分 = {} 分{capped}", count, r.metric.unit(), num(r.points), num(raw)),
        });
        total += points;
    }
    Score { score: (base - total).max(0.0), deductions }
}

/// Ranks by score, highest first; equal scores share a rank (1, 2, 2, 4).
pub fn ranks(scores: &[f64]) -> Vec<usize> {
    scores.iter().map(|s| 1 + scores.iter().filter(|o| *o > s).count()).collect()
}

/// Checks a rule change.
pub fn validate(points: f64, max_points: f64, name: &str) -> Result<(), (&'static str, &'static str)> {
    if !(0.0..=100.0).contains(&points) || points.is_nan() {
        return Err(("points", "每项扣分应在 0 到 100 分之间"));
    }
    if !(0.0..=100.0).contains(&max_points) || max_points.is_nan() {
        return Err(("max_points", "扣分上限应在 0 到 100 分之间"));
    }
    if name.trim().is_empty() || name.chars().count() > 30 {
        return Err(("name", "规则名称为 1 到 30 个字"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(code: &str, metric: Metric, points: f64, max: f64) -> Rule {
        Rule { code: code.into(), metric, name: code.into(), points, max_points: max, enabled: true, version: 1 }
    }

    #[test]
    fn deductions_are_capped_explained_and_add_up() {
        let rules = vec![
            rule("overdue", Metric::OverdueEvents, 2.0, 30.0),
            rule("inactive", Metric::InactiveAccounts, 3.0, 10.0),
            rule("low", Metric::LowCompletion, 10.0, 10.0),
            Rule { enabled: false, ..rule("visits", Metric::MissedVisits, 1.0, 20.0) },
        ];
        let m = Measures {
            overdue_events: 3,
            inactive_accounts: 5,
            missed_visits: 9,
            arrived: 10,
            closed: 4,
            ..Default::default()
        };
        let s = score(100.0, &rules, &m);
        let parts: Vec<(&str, i64, f64)> = s.deductions.iter().map(|d| (d.code.as_str(), d.count, d.points)).collect();
        assert_eq!(parts, [("overdue", 3, 6.0), ("inactive", 5, 10.0), ("low", 1, 10.0)]);
        assert_eq!(s.score, 74.0);
        assert_eq!(s.deductions[0].explain, "3 件 × 2 分 = 6 分");
        assert_eq!(s.deductions[1].explain, "5 个 × 3 分 = 15 分，已到上限 10 分");
        // Every point is accounted for.
        assert_eq!(100.0 - s.deductions.iter().map(|d| d.points).sum::<f64>(), s.score);
    }

    #[test]
    fn completion_at_half_is_not_low_and_scores_never_go_below_zero() {
        let low = rule("low", Metric::LowCompletion, 10.0, 10.0);
        let half = Measures { arrived: 4, closed: 2, ..Default::default() };
        assert!(score(100.0, std::slice::from_ref(&low), &half).deductions.is_empty());
        let none = Measures::default();
        assert_eq!(none.count(Metric::LowCompletion), 0, "no arrivals is not a low rate");
        let many = Measures { overdue_events: 500, ..Default::default() };
        assert_eq!(score(100.0, &[rule("o", Metric::OverdueEvents, 1.0, 1000.0)], &many).score, 0.0);
    }

    #[test]
    fn equal_scores_share_a_rank() {
        assert_eq!(ranks(&[90.0, 100.0, 90.0, 70.0]), [2, 1, 2, 4]);
        assert!(validate(2.0, 30.0, "超期").is_ok());
        assert_eq!(validate(-1.0, 30.0, "超期").unwrap_err().0, "points");
        assert_eq!(validate(1.0, 30.0, " ").unwrap_err().0, "name");
        assert_eq!(Metric::parse("missed_visits"), Some(Metric::MissedVisits));
    }
}
