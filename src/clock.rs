//! "Now" as a parameter: the system clock in production, a clock tests can move.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// China Standard Time, the zone every page shows.
pub const CST_OFFSET_SECONDS: i32 = 8 * 3600;

/// A source of the current time.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// A clock that only moves when told (tests).
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock starting at the given time.
    pub fn manual(start: Millis) -> Self {
        Clock::Manual(Arc::new(AtomicI64::new(start)))
    }

    pub fn now(&self) -> Millis {
        match self {
            Clock::System => chrono::Utc::now().timestamp_millis(),
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, by: Millis) {
        if let Clock::Manual(t) = self {
            t.fetch_add(by, Ordering::SeqCst);
        }
    }

    /// Today's date in China Standard Time.
    pub fn today(&self) -> chrono::NaiveDate {
        to_local(self.now()).date_naive()
    }
}

/// A timestamp in China Standard Time.
pub fn to_local(ms: Millis) -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::Offset;
    let tz = chrono::FixedOffset::east_opt(CST_OFFSET_SECONDS).unwrap_or_else(|| chrono::Utc.fix());
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&tz)
}

/// `2026-03-05 14:07` in China Standard Time.
pub fn format_local(ms: Millis) -> String {
    to_local(ms).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = Clock::manual(1_000);
        assert_eq!(c.now(), 1_000);
        c.advance(MINUTE);
        assert_eq!(c.now(), 61_000);
    }

    #[test]
    fn local_time_is_utc_plus_eight() {
        // 2026-01-01T00:00:00Z is 08:00 in Beijing.
        assert_eq!(format_local(1_767_225_600_000), "2026-01-01 08:00");
    }
}
