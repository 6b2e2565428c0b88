//! Pure parts of the dashboard (驾驶舱): the figures a map can be shaded by, legend bins and their
//! colours. No I/O.

use serde::Serialize;

/// The figures the map can be shaded by: (code, label, whether it is a rate, whether higher is worse).
pub const SHADES: [(&str, &str, bool, bool); 9] = [
    ("open_events", "未办结事件", false, true),
    ("overdue_events", "超时事件", false, true),
    ("overdue_visits", "走访逾期", false, true),
    ("people", "实有人口", false, false),
    ("households", "户", false, false),
    ("houses", "实有房屋", false, false),
    ("rentals", "出租房屋", false, false),
    ("places", "重点场所", false, false),
    ("activity_rate", "账号活跃度", true, false),
];

/// A figure the map is shaded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shade {
    pub code: &'static str,
    pub label: &'static str,
    pub is_rate: bool,
    pub higher_is_worse: bool,
}

impl Shade {
    /// `None` when the code is unknown; an empty code means the default (open events).
    pub fn parse(code: &str) -> Option<Shade> {
        let code = if code.trim().is_empty() { "open_events" } else { code.trim() };
        SHADES.iter().find(|(c, _, _, _)| *c == code).map(|&(code, label, is_rate, higher_is_worse)| Shade {
            code,
            label,
            is_rate,
            higher_is_worse,
        })
    }

    /// The palette from the lowest bin to the highest.
    fn palette(&self) -> &'static [&'static str; 5] {
        if self.is_rate {
            // Low activity is the problem: red → green.
            &["#d7301f", "#fc8d59", "#fdcc8a", "#a6d96a", "#1a9641"]
        } else if self.higher_is_worse {
            &["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
        } else {
            &["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
        }
    }
}

/// The colour of a grid with no value (no accounts for a rate).
pub const NO_DATA: &str = "#d9d9d9";

/// One legend bin: values `from <= v < to` (the last bin includes `to`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub label: String,
    pub colour: &'static str,
}

/// A round step (1, 2 or 5 times a power of ten) of at least `raw`, never below 1.
fn nice_step(raw: f64) -> f64 {
    if raw <= 1.0 {
        return 1.0;
    }
    let pow = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * pow >= raw {
            return m * pow;
        }
    }
    10.0 * pow
}

/// The legend of a figure over the values shown: five fixed bins of 20% for a rate; for counts,
/// up to five bins of a round width from 0 to the largest value.
pub fn legend(shade: &Shade, values: &[f64]) -> Vec<Bin> {
    let palette = shade.palette();
    if shade.is_rate {
        return (0..5)
            .map(|i| Bin {
                from: i as f64 * 0.2,
                to: (i + 1) as f64 * 0.2,
                label: format!("{}%–{}%", i * 20, (i + 1) * 20),
                colour: palette[i],
            })
            .collect();
    }
    let max = values.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 {
        return vec![Bin { from: 0.0, to: 0.0, label: "0".into(), colour: palette[0] }];
    }
    let step = nice_step((max + 1.0) / 5.0);
    let n = (((max + 1.0) / step).ceil() as usize).clamp(1, 5);
    (0..n)
        .map(|i| {
            let (from, to) = (i as f64 * step, (i + 1) as f64 * step);
            let label = if step <= 1.0 { format!("{from}") } else { format!("{from}–{}", to - 1.0) };
            // Spread fewer bins over the whole palette, so the top bin is always the darkest.
            let colour = palette[if n == 1 { 4 } else { i * 4 / (n - 1) }];
            Bin { from, to, label, colour }
        })
        .collect()
}

/// The bin a value falls in (the last bin includes its upper bound; above it: the last bin).
pub fn bin_of(bins: &[Bin], value: f64) -> Option<usize> {
    if bins.is_empty() || !value.is_finite() {
        return None;
    }
    Some(bins.iter().position(|b| value >= b.from && value < b.to).unwrap_or(bins.len() - 1))
}

/// The fill colour of a value (`None`: no data).
pub fn colour_of(bins: &[Bin], value: Option<f64>) -> &'static str {
    match value.and_then(|v| bin_of(bins, v)) {
        Some(i) => bins[i].colour,
        None => NO_DATA,
    }
}

/// A value as a legend and a tooltip show it.
pub fn show(shade: &Shade, value: Option<f64>) -> String {
    match value {
        None => "无数据".into(),
        Some(v) if shade.is_rate => format!("{:.0}%", v * 100.0),
        Some(v) => format!("{v:.0}"),
    }
}

/// The width of a bar of `value` against the largest `max`, out of `full` units (at least 1 when > 0).
pub fn bar(value: i64, max: i64, full: i64) -> i64 {
    if value <= 0 || max <= 0 {
        return 0;
    }
    (value * full / max).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_parse_with_a_default() {
        assert_eq!(Shade::parse("").unwrap().code, "open_events");
        assert_eq!(Shade::parse("people").unwrap().label, "实有人口");
        assert!(Shade::parse("activity_rate").unwrap().is_rate);
        assert!(Shade::parse("salary").is_none());
    }

    #[test]
    fn count_bins_are_round_and_cover_the_largest_value() {
        let people = Shade::parse("people").unwrap();
        let bins = legend(&people, &[0.0, 3.0, 120.0, 47.0]);
        assert_eq!(bins.iter().map(|b| b.from).collect::<Vec<_>>(), vec![0.0, 50.0, 100.0]);
        assert_eq!((bins[0].label.as_str(), bins[2].label.as_str()), ("0–49", "100–149"));
        assert_eq!(bin_of(&bins, 120.0), Some(2));
        assert_eq!(bin_of(&bins, 49.0), Some(0));
        assert_eq!(bins[2].colour, "#08519c", "the top bin is the darkest");
        // Small counts: one per bin, labelled by the value itself.
        let open = Shade::parse("open_events").unwrap();
        let bins = legend(&open, &[0.0, 1.0, 2.0]);
        assert_eq!(bins.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), vec!["0", "1", "2"]);
        assert_eq!(colour_of(&bins, Some(2.0)), "#7f2704");
        assert_eq!(colour_of(&bins, Some(0.0)), "#fff5eb");
        // Nothing at all: a single bin.
        assert_eq!(legend(&open, &[0.0, 0.0]).len(), 1);
        assert_eq!(legend(&open, &[]).len(), 1);
        // Never more than five bins.
        assert!(legend(&people, &[99_999.0]).len() <= 5);
    }

    #[test]
    fn rate_bins_are_fixed_fifths_and_no_data_is_grey() {
        let rate = Shade::parse("activity_rate").unwrap();
        let bins = legend(&rate, &[0.5]);
        assert_eq!(bins.len(), 5);
        assert_eq!(bins[4].label, "80%–100%");
        assert_eq!(bin_of(&bins, 1.0), Some(4), "100% falls in the last bin");
        assert_eq!(bin_of(&bins, 0.0), Some(0));
        assert_eq!(bin_of(&bins, 0.2), Some(1));
        assert_eq!(colour_of(&bins, None), NO_DATA);
        assert_eq!((show(&rate, Some(0.756)), show(&rate, None)), ("76%".into(), "无数据".into()));
    }

    #[test]
    fn bars_scale_to_the_largest() {
        assert_eq!((bar(5, 10, 200), bar(1, 1000, 200), bar(0, 10, 200), bar(3, 0, 200)), (100, 1, 0, 0));
    }
}
