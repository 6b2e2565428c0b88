//! The event figures of a period, as docs/METRICS.md defines them: completion rate (办结率), closing
//! rate (结案率), on-time closing rate (按期结案率), on-time acceptance rate (按时签收率), satisfaction —
//! computed from plain facts about each event, so they can be checked against hand-made fixtures.

use crate::clock::Millis;
use serde::Serialize;

/// What the figures need to know about one event.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct EventFacts {
    pub id: i64,
    pub area_path: String,
    pub category: String,
    /// The top-level category (the category itself when it has no parent).
    #[sqlx(skip)]
    pub top_category: String,
    /// The departments that held the event.
    #[sqlx(skip)]
    pub departments: Vec<i64>,
    pub state: String,
    pub reported_at: i64,
    pub accepted_at: Option<i64>,
    pub accepted_on_time: Option<bool>,
    pub closed_at: Option<i64>,
    pub closed_on_time: Option<bool>,
    pub close_due_at: Option<i64>,
    pub satisfaction: Option<i64>,
}

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

impl Period {
    pub fn holds(&self, t: Option<i64>) -> bool {
        t.is_some_and(|t| t >= self.from && t < self.to)
    }
}

/// The counts and rates of one unit (an area, a category, a department) over a period.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figures {
    /// Events reported in the period (cancelled and merged reports excluded).
    pub arrived: i64,
    /// Events closed in the period, whenever they arrived.
    pub closed: i64,
    /// 办结率 = closed ÷ arrived (may exceed 1 when a backlog is cleared); None without arrivals.
    pub completion_rate: Option<f64>,
    /// Events whose closing was due in the period.
    pub due: i64,
    /// Of those due, closed by the end of the period.
    pub due_closed: i64,
    /// Of those due, closed without a red card on any step.
    pub due_closed_on_time: i64,
    /// 结案率 = due_closed ÷ due.
    pub closing_rate: Option<f64>,
    /// 按期结案率 = due_closed_on_time ÷ due.
    pub on_time_closing_rate: Option<f64>,
    /// Events accepted (first signed for) in the period, and of those within the accept limit.
    pub accepted: i64,
    pub accepted_on_time: i64,
    /// 按时签收率 = accepted_on_time ÷ accepted.
    pub on_time_acceptance_rate: Option<f64>,
    /// Evaluations of events closed in the period: count, mean score (1–5), share scoring 4 or 5 (满意率).
    pub evaluated: i64,
    pub satisfaction_mean: Option<f64>,
    pub satisfaction_rate: Option<f64>,
}

fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl Figures {
    /// The figures of the events given.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a EventFacts>, p: Period) -> Figures {
        let mut f = Figures::default();
        let mut score_sum = 0;
        let mut satisfied = 0;
        for e in events {
            let invalid = matches!(e.state.as_str(), "cancelled" | "merged");
            if p.holds(Some(e.reported_at)) && !invalid {
                f.arrived += 1;
            }
            if p.holds(e.closed_at) {
                f.closed += 1;
                if let Some(s) = e.satisfaction {
                    f.evaluated += 1;
                    score_sum += s;
                    if s >= 4 {
                        satisfied += 1;
                    }
                }
            }
            if p.holds(e.close_due_at) && !invalid {
                f.due += 1;
                if e.closed_at.is_some_and(|c| c < p.to) {
                    f.due_closed += 1;
                    if e.closed_on_time == Some(true) {
                        f.due_closed_on_time += 1;
                    }
                }
            }
            if p.holds(e.accepted_at) {
                f.accepted += 1;
                if e.accepted_on_time == Some(true) {
                    f.accepted_on_time += 1;
                }
            }
        }
        f.completion_rate = rate(f.closed, f.arrived);
        f.closing_rate = rate(f.due_closed, f.due);
        f.on_time_closing_rate = rate(f.due_closed_on_time, f.due);
        f.on_time_acceptance_rate = rate(f.accepted_on_time, f.accepted);
        f.satisfaction_mean = (f.evaluated > 0).then(|| score_sum as f64 / f.evaluated as f64);
        f.satisfaction_rate = rate(satisfied, f.evaluated);
        f
    }
}

/// `85.0%`, or `—` when there is nothing to divide by.
pub fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn ev(state: &str, reported: i64, closed: Option<i64>, due: i64, on_time: Option<bool>) -> EventFacts {
        EventFacts {
            area_path: "/1/2/".into(),
            category: "0401".into(),
            state: state.into(),
            reported_at: reported,
            closed_at: closed,
            closed_on_time: on_time,
            close_due_at: Some(due),
            ..Default::default()
        }
    }

    /// March = days 31..62 (a 31-day month); a hand-computed fixture.
    #[test]
    fn march_by_hand() {
        let p = Period { from: 31 * DAY, to: 62 * DAY };
        let events = vec![
            // Arrived in March, closed in March on time, due in March.
            ev("closed", 32 * DAY, Some(33 * DAY), 35 * DAY, Some(true)),
            // Arrived in March, closed in March late (due in March).
            ev("closed", 40 * DAY, Some(50 * DAY), 45 * DAY, Some(false)),
            // Arrived in March, still open, due in April.
            ev("accepted", 60 * DAY, None, 65 * DAY, None),
            // February backlog closed in March (due in February).
            ev("evaluated", 20 * DAY, Some(35 * DAY), 25 * DAY, Some(false)),
            // Cancelled in March: not an arrival, not due.
            ev("cancelled", 41 * DAY, None, 44 * DAY, None),
            // Arrived in March, due in March, not closed.
            ev("in_progress", 42 * DAY, None, 50 * DAY, None),
        ];
        let mut events = events;
        events[0].satisfaction = Some(5);
        events[3].satisfaction = Some(3);
        events[0].accepted_at = Some(32 * DAY);
        events[0].accepted_on_time = Some(true);
        events[1].accepted_at = Some(41 * DAY);
        events[1].accepted_on_time = Some(false);
        let f = Figures::of(&events, p);
        assert_eq!(f.arrived, 4);
        assert_eq!(f.closed, 3);
        assert_eq!(f.completion_rate, Some(0.75));
        assert_eq!((f.due, f.due_closed, f.due_closed_on_time), (3, 2, 1));
        assert_eq!(percent(f.closing_rate), "66.7%");
        assert_eq!(percent(f.on_time_closing_rate), "33.3%");
        assert_eq!((f.accepted, f.accepted_on_time), (2, 1));
        assert_eq!(f.evaluated, 2);
        assert_eq!(f.satisfaction_mean, Some(4.0));
        assert_eq!(f.satisfaction_rate, Some(0.5));
    }

    #[test]
    fn clearing_a_backlog_goes_over_100_percent_and_empty_is_a_dash() {
        let p = Period { from: 31 * DAY, to: 62 * DAY };
        let events = [
            ev("closed", 40 * DAY, Some(41 * DAY), 42 * DAY, Some(true)),
            ev("closed", 10 * DAY, Some(45 * DAY), 12 * DAY, Some(false)),
        ];
        let f = Figures::of(&events, p);
        assert_eq!(percent(f.completion_rate), "200.0%");
        let none = Figures::of(&[], p);
        assert_eq!(percent(none.completion_rate), "—");
    }
}
