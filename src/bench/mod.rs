//! `wangge bench …`: the performance figures the issues ask for, measured on this machine and printed.

mod bulletin;
mod events;
mod geo;
mod geo_old;
mod public;
mod register;
mod sync;
mod upload;

pub use bulletin::bulletin;
pub use events::events;
pub use geo::geo;
pub use public::public;
pub use register::register;
pub use sync::sync;
pub use upload::upload;

/// Percentiles of a set of durations, in milliseconds.
pub struct Stats {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

pub fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms.get(((ms.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    Stats { p50: at(0.50), p95: at(0.95), p99: at(0.99), max: ms.last().copied().unwrap_or(0.0) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles() {
        let s = super::stats((1..=100).map(f64::from).collect());
        assert_eq!((s.p50, s.p99, s.max), (51.0, 99.0, 100.0));
    }
}
