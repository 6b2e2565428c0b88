//! The event figures of a period, as docs/METRICS.md defines them: completion rate (办结率), closing
//! rate (结案率), on-time closing rate (按期结案率), on-time acceptance rate (按时签收率), satisfaction.
//! Each count is defined once, as the SQL condition an event meets to be counted (the database sums
//! them, so a whole city's month is added up where the rows are); the rates are derived here.

use crate::clock::Millis;
use serde::Serialize;

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

/// The sums the figures are made of, for one unit.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct Counts {
    pub arrived: i64,
    pub closed: i64,
    pub evaluated: i64,
    pub score_sum: i64,
    pub satisfied: i64,
    pub due: i64,
    pub due_closed: i64,
    pub due_closed_on_time: i64,
    pub accepted: i64,
    pub accepted_on_time: i64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.arrived += o.arrived;
        self.closed += o.closed;
        self.evaluated += o.evaluated;
        self.score_sum += o.score_sum;
        self.satisfied += o.satisfied;
        self.due += o.due;
        self.due_closed += o.due_closed;
        self.due_closed_on_time += o.due_closed_on_time;
        self.accepted += o.accepted;
        self.accepted_on_time += o.accepted_on_time;
    }
}

/// The select list that sums every count over events `e` for a period: `SUM(CASE WHEN … THEN … END)
/// AS arrived, …`, in the order of [`Counts`]. The period's bounds are numbers written into the SQL.
pub fn counts_sql(p: Period) -> String {
    counts_sql_of(p, &[])
}

/// The select list of some of the counts only (all of them when `names` is empty), for queries
/// that need a few: `SUM(CASE WHEN … END) AS arrived, …` in the order of [`Counts`].
pub fn counts_sql_of(p: Period, names: &[&str]) -> String {
    let (from, to) = (p.from, p.to);
    let inside = |col: &str| format!("e.{col} >= {from} AND e.{col} < {to}");
    let valid = "e.state NOT IN ('cancelled', 'merged')";
    let closed = inside("closed_at");
    let due = format!("{} AND {valid}", inside("close_due_at"));
    let counts: [(&str, String, &str); 10] = [
        // Reported in the period (cancelled and merged reports are not arrivals).
        ("arrived", format!("{} AND {valid}", inside("reported_at")), "1"),
        // Closed in the period, whenever reported.
        ("closed", closed.clone(), "1"),
        // Of those closed, evaluated: how many, the sum of scores (1–5), how many scored 4 or 5.
        ("evaluated", format!("{closed} AND e.satisfaction IS NOT NULL"), "1"),
        ("score_sum", format!("{closed} AND e.satisfaction IS NOT NULL"), "e.satisfaction"),
        ("satisfied", format!("{closed} AND e.satisfaction >= 4"), "1"),
        // Due to close in the period; of those, closed before its end; and closed without a red card.
        ("due", due.clone(), "1"),
        ("due_closed", format!("{due} AND e.closed_at < {to}"), "1"),
        ("due_closed_on_time", format!("{due} AND e.closed_at < {to} AND e.closed_on_time"), "1"),
        // First accepted in the period; and within the accept limit.
        ("accepted", inside("accepted_at"), "1"),
        ("accepted_on_time", format!("{} AND e.accepted_on_time", inside("accepted_at")), "1"),
    ];
    counts
        .iter()
        .filter(|(name, _, _)| names.is_empty() || names.contains(name))
        .map(|(name, when, value)| {
            format!("CAST(COALESCE(SUM(CASE WHEN {when} THEN {value} ELSE 0 END), 0) AS BIGINT) AS {name}")
        })
        .collect::<Vec<_>>()
        .join(", ")
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
    /// The figures of a unit from its counts.
    pub fn of(c: &Counts) -> Figures {
        Figures {
            arrived: c.arrived,
            closed: c.closed,
            completion_rate: rate(c.closed, c.arrived),
            due: c.due,
            due_closed: c.due_closed,
            due_closed_on_time: c.due_closed_on_time,
            closing_rate: rate(c.due_closed, c.due),
            on_time_closing_rate: rate(c.due_closed_on_time, c.due),
            accepted: c.accepted,
            accepted_on_time: c.accepted_on_time,
            on_time_acceptance_rate: rate(c.accepted_on_time, c.accepted),
            evaluated: c.evaluated,
            satisfaction_mean: (c.evaluated > 0).then(|| c.score_sum as f64 / c.evaluated as f64),
            satisfaction_rate: rate(c.satisfied, c.evaluated),
        }
    }
}

/// `85.0%`, or `—` when there is nothing to divide by.
pub fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqlitePool;

    const DAY: i64 = 86_400_000;

    /// (state, reported, accepted, accepted on time, closed, closed on time, due, satisfaction)
    type Fact = (&'static str, i64, Option<i64>, Option<bool>, Option<i64>, Option<bool>, i64, Option<i64>);

    /// Sums the counts of hand-made events with the production SQL, on an in-memory SQLite table.
    async fn counts(events: &[Fact], p: Period) -> Counts {
        let db = SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query(
            "CREATE TABLE events (state TEXT, reported_at INTEGER, accepted_at INTEGER, accepted_on_time BOOLEAN, \
             closed_at INTEGER, closed_on_time BOOLEAN, close_due_at INTEGER, satisfaction INTEGER)",
        )
        .execute(&db)
        .await
        .unwrap();
        for (state, reported, accepted, acc_ok, closed, closed_ok, due, score) in events {
            sqlx::query("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(state)
                .bind(reported)
                .bind(accepted)
                .bind(acc_ok)
                .bind(closed)
                .bind(closed_ok)
                .bind(due)
                .bind(score)
                .execute(&db)
                .await
                .unwrap();
        }
        let sql = format!("SELECT {} FROM events e", counts_sql(p));
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&db).await.unwrap()
    }

    /// March = days 31..62 (a 31-day month); a hand-computed fixture.
    #[tokio::test]
    async fn march_by_hand() {
        let p = Period { from: 31 * DAY, to: 62 * DAY };
        let events: [Fact; 6] = [
            // Arrived in March, accepted on time, closed in March on time, due in March, scored 5.
            ("closed", 32 * DAY, Some(32 * DAY), Some(true), Some(33 * DAY), Some(true), 35 * DAY, Some(5)),
            // Arrived in March, accepted late, closed in March late (due in March).
            ("closed", 40 * DAY, Some(41 * DAY), Some(false), Some(50 * DAY), Some(false), 45 * DAY, None),
            // Arrived in March, still open, due in April.
            ("accepted", 60 * DAY, None, None, None, None, 65 * DAY, None),
            // February backlog closed in March (due in February), scored 3.
            ("evaluated", 20 * DAY, None, None, Some(35 * DAY), Some(false), 25 * DAY, Some(3)),
            // Cancelled in March: not an arrival, not due.
            ("cancelled", 41 * DAY, None, None, None, None, 44 * DAY, None),
            // Arrived in March, due in March, not closed.
            ("in_progress", 42 * DAY, None, None, None, None, 50 * DAY, None),
        ];
        let c = counts(&events, p).await;
        let f = Figures::of(&c);
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
        // Counts of two units add up.
        let mut twice = c.clone();
        twice.add(&c);
        assert_eq!((twice.arrived, twice.score_sum), (8, 16));
    }

    #[tokio::test]
    async fn clearing_a_backlog_goes_over_100_percent_and_empty_is_a_dash() {
        let p = Period { from: 31 * DAY, to: 62 * DAY };
        let events: [Fact; 2] = [
            ("closed", 40 * DAY, None, None, Some(41 * DAY), Some(true), 42 * DAY, None),
            ("closed", 10 * DAY, None, None, Some(45 * DAY), Some(false), 12 * DAY, None),
        ];
        let f = Figures::of(&counts(&events, p).await);
        assert_eq!(percent(f.completion_rate), "200.0%");
        let none = Figures::of(&counts(&[], p).await);
        assert_eq!(percent(none.completion_rate), "—");
    }
}
