//! The clock of a timed step: from a category's limits, the work calendar, the step's start and any
//! approved extension, when the step is due and when it turns yellow and red.

use super::calendar::{Limit, WorkCalendar};
use super::store::CategoryRow;
use super::workflow::Step;
use crate::clock::Millis;

/// The limit of a step for a category (a malformed stored limit falls back to one working day).
pub fn limit_of(c: &CategoryRow, step: Step) -> Limit {
    let text = match step {
        Step::Accept => &c.accept_limit,
        Step::Handle => &c.handle_limit,
        Step::Verify => &c.verify_limit,
    };
    Limit::parse(text).unwrap_or(Limit::Days(1))
}

/// When a step started at `start` is due, and turns yellow and red.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepClock {
    pub limit_minutes: i64,
    pub deadline: Millis,
    pub yellow_at: Millis,
    pub red_at: Millis,
}

pub fn step_clock(cal: &WorkCalendar, c: &CategoryRow, step: Step, start: Millis, extension_minutes: i64) -> StepClock {
    let limit_minutes = limit_of(c, step).minutes() + extension_minutes.max(0);
    StepClock {
        limit_minutes,
        deadline: cal.add(start, limit_minutes),
        yellow_at: cal.add(start, limit_minutes * c.yellow_pct.clamp(1, 500) / 100),
        red_at: cal.add(start, limit_minutes * c.red_pct.clamp(1, 500) / 100),
    }
}

/// The working minutes of all three steps: the whole time an event may take, report to close.
pub fn total_minutes(c: &CategoryRow) -> i64 {
    [Step::Accept, Step::Handle, Step::Verify].iter().map(|s| limit_of(c, *s).minutes()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> CategoryRow {
        CategoryRow {
            code: "0401".into(),
            parent_code: Some("04".into()),
            name: "暴露垃圾".into(),
            sort: 1,
            required_fields: "what,where".into(),
            is_dispute: false,
            accept_limit: "4h".into(),
            handle_limit: "1d".into(),
            verify_limit: "1d".into(),
            yellow_pct: 75,
            red_pct: 100,
            active: true,
            verifier_must_differ: true,
            version: 1,
        }
    }

    #[test]
    fn yellow_before_red_and_extensions_move_all_three() {
        let cal = WorkCalendar::official_2026();
        // Monday 2026-03-09 09:00 Beijing = 01:00 UTC.
        let start = 1_773_018_000_000;
        assert_eq!(crate::clock::format_local(start), "2026-03-09 09:00");
        let c = step_clock(&cal, &cat(), Step::Handle, start, 0);
        assert_eq!(c.limit_minutes, 480);
        assert_eq!(crate::clock::format_local(c.yellow_at), "2026-03-09 16:00");
        assert_eq!(crate::clock::format_local(c.red_at), "2026-03-09 18:00");
        assert_eq!(c.deadline, c.red_at);
        let e = step_clock(&cal, &cat(), Step::Handle, start, 480);
        assert_eq!(crate::clock::format_local(e.deadline), "2026-03-10 18:00");
        assert_eq!(total_minutes(&cat()), 4 * 60 + 480 + 480);
    }
}
