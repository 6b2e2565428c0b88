//! What the dashboard shows: counts with bars, register, events, activity, submissions, children, map and the whole answer.

use super::super::model::{Bin, Shade, bar};
use crate::clock::Millis;
use crate::db::Db;
use crate::domains::activity::model::ActivitySettings;
use crate::domains::activity::service::{self as activity, ActivityFigures, ActivityUnit, AreaRef};
use crate::error::AppResult;
use serde::Serialize;

/// How many overdue events the dashboard lists.
pub const OVERDUE_LIST: i64 = 10;
/// How many grids without a boundary are named (the rest are counted).
pub(super) const UNMAPPED_LIST: usize = 200;

/// A labelled count (events by state, special groups …).
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: i64,
    /// Bar length out of 100 against the largest in its list.
    pub bar: i64,
}

pub(super) fn with_bars(mut v: Vec<Count>) -> Vec<Count> {
    let max = v.iter().map(|c| c.count).max().unwrap_or(0);
    for c in &mut v {
        c.bar = bar(c.count, max, 100);
    }
    v
}

#[derive(Debug, Clone, Serialize)]
pub struct Register {
    pub people: i64,
    pub households: i64,
    pub houses: i64,
    pub rentals: i64,
    pub places: i64,
    pub special_total: i64,
    pub special: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverdueEvent {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub state_label: &'static str,
    pub card: String,
    pub card_label: &'static str,
    pub grid_name: Option<String>,
    pub deadline: Millis,
    pub deadline_text: String,
    /// Whole days past the deadline (0 on the day it fell due).
    pub days_overdue: i64,
    pub link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Events {
    pub open: i64,
    pub overdue: i64,
    pub reported_this_month: i64,
    pub closed_this_month: i64,
    pub by_state: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_card: Vec<Count>,
    pub overdue_list: Vec<OverdueEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    /// This month to date (`2026-12`), its threshold scaled to the working days elapsed.
    pub month: String,
    /// `2026年12月1日至6日（本月至今）`.
    pub label: String,
    pub min_days: i64,
    pub threshold_note: String,
    pub overall: ActivityUnit,
    pub units: Vec<ActivityUnit>,
    /// The last full month, as the monthly bulletin counts it.
    pub last_month: ActivityMonth,
}

/// The activity of a whole month.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityMonth {
    pub month: String,
    pub label: String,
    pub min_days: i64,
    pub overall: ActivityUnit,
    pub units: Vec<ActivityUnit>,
}

/// This month to date and the last full month, from the one activity code path.
pub(super) async fn activity_now_and_last(
    db: &Db,
    area: &AreaRef,
    now: Millis,
    s: &ActivitySettings,
) -> AppResult<(ActivityFigures, ActivityFigures)> {
    let to_date = activity::this_month_to_date(db, now, s).await?;
    let last = activity::last_full_month(now, s);
    Ok(tokio::try_join!(activity::figures(db, area, &to_date, s), activity::figures(db, area, &last, s))?)
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionKind {
    pub kind: String,
    pub label: &'static str,
    pub waiting: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Submissions {
    pub waiting: i64,
    pub overdue: i64,
    pub by_kind: Vec<SubmissionKind>,
}

/// The figures of one grid or child area.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Figures {
    pub people: i64,
    pub households: i64,
    pub houses: i64,
    pub rentals: i64,
    pub places: i64,
    pub open_events: i64,
    pub overdue_events: i64,
    pub overdue_visits: i64,
}

impl Figures {
    pub(super) fn add(&mut self, o: &Figures) {
        self.people += o.people;
        self.households += o.households;
        self.houses += o.houses;
        self.rentals += o.rentals;
        self.places += o.places;
        self.open_events += o.open_events;
        self.overdue_events += o.overdue_events;
        self.overdue_visits += o.overdue_visits;
    }

    /// The figure a map is shaded by (a rate comes from the activity, not from here).
    pub(super) fn get(&self, code: &str, rate: Option<f64>) -> Option<f64> {
        Some(match code {
            "people" => self.people,
            "households" => self.households,
            "houses" => self.houses,
            "rentals" => self.rentals,
            "places" => self.places,
            "open_events" => self.open_events,
            "overdue_events" => self.overdue_events,
            "overdue_visits" => self.overdue_visits,
            _ => return rate,
        } as f64)
    }
}

/// A child area (or, on a grid's dashboard, the grid itself) with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Child {
    pub id: i64,
    pub name: String,
    pub kind: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// This month to date (threshold scaled to the working days elapsed).
    pub activity_rate: Option<f64>,
    /// The last full month.
    pub last_month_activity_rate: Option<f64>,
    /// The chosen figure, and as shown.
    pub value: Option<f64>,
    pub shown: String,
    pub colour: &'static str,
    /// Grids under it that have a boundary (0: it is listed, not drawn).
    pub mapped_grids: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapGrid {
    pub id: i64,
    pub name: String,
    /// The child area it belongs to (where a click drills down to).
    pub child_id: Option<i64>,
    pub value: Option<f64>,
    pub shown: String,
    pub colour: &'static str,
    /// SVG path data (all rings; fill-rule evenodd).
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapOut {
    pub shade: Shade,
    /// The bins of the grids drawn (of the children when no grid has a boundary).
    pub legend: Vec<Bin>,
    /// The bins of the children's colours (their values are sums of many grids).
    pub children_legend: Vec<Bin>,
    pub width: f64,
    pub height: f64,
    pub grids: Vec<MapGrid>,
    /// Above a community: the children as regions (their grids' union), drawn instead of the grids.
    pub regions: Vec<super::super::regions::MapRegion>,
    /// Grids without a boundary (named up to 200) and how many there are.
    pub unmapped: Vec<(i64, String)>,
    pub unmapped_total: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub area_id: i64,
    pub area_name: String,
    pub area_kind: String,
    pub area_kind_label: &'static str,
    /// The parent area, when the caller may go up to it.
    pub parent: Option<(i64, String)>,
    pub today: String,
    pub register: Register,
    pub events: Events,
    pub overdue_visits: i64,
    pub activity: Activity,
    pub submissions: Submissions,
    pub children: Vec<Child>,
    pub map: MapOut,
}
