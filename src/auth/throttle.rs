//! Growing delay and temporary lock after failed sign-ins — pure arithmetic over the failure record.

use crate::clock::{Millis, SECOND};

/// What a new sign-in attempt for a username may do now.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    Allowed,
    /// Too soon after the last failure; wait this long.
    Wait(Millis),
    /// Locked after too many failures; this long remains.
    Locked(Millis),
}

/// The delay required after `failures` consecutive failures: none for the first,
/// then 1 s, 2 s, 4 s … (capped at 30 s).
pub fn delay_after(failures: i64) -> Millis {
    if failures < 2 { 0 } else { (SECOND << (failures - 2).min(5)).min(30 * SECOND) }
}

pub fn gate(failures: i64, last_failed_at: Millis, locked_until: Option<Millis>, now: Millis) -> Gate {
    if let Some(until) = locked_until {
        if now < until {
            return Gate::Locked(until - now);
        }
        return Gate::Allowed;
    }
    let ready = last_failed_at + delay_after(failures);
    if now < ready { Gate::Wait(ready - now) } else { Gate::Allowed }
}

/// Chinese text for a wait, rounded up: "3 秒" / "15 分钟".
pub fn describe_wait(ms: Millis) -> String {
    if ms >= 60 * SECOND {
        format!("{} 分钟", (ms + 60 * SECOND - 1) / (60 * SECOND))
    } else {
        format!("{} 秒", ((ms + SECOND - 1) / SECOND).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows() {
        assert_eq!(delay_after(1), 0);
        assert_eq!(delay_after(2), SECOND);
        assert_eq!(delay_after(3), 2 * SECOND);
        assert_eq!(delay_after(4), 4 * SECOND);
        assert_eq!(delay_after(40), 30 * SECOND);
    }

    #[test]
    fn gate_states() {
        assert_eq!(gate(1, 0, None, 1), Gate::Allowed);
        assert_eq!(gate(3, 0, None, 500), Gate::Wait(1500));
        assert_eq!(gate(3, 0, None, 2000), Gate::Allowed);
        assert_eq!(gate(5, 0, Some(900_000), 100), Gate::Locked(899_900));
        assert_eq!(gate(5, 0, Some(900_000), 900_000), Gate::Allowed);
        assert_eq!(describe_wait(1), "1 秒");
        assert_eq!(describe_wait(899_900), "15 分钟");
    }
}
