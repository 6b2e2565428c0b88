//! The dashboard (驾驶舱) of an area: register counts, open events by state, category and card,
//! overdue events and visits, activity rates, submissions waiting for sign-off, and a shaded map of
//! the grids. Every count is summed by the database; Rust only rolls per-grid rows up to children.

use super::model::{Bin, Shade, bar, colour_of, legend, show};
use super::store;
use crate::auth::{Actor, Permission};
use crate::clock::{DAY, Millis};
use crate::db::Db;
use crate::domains::activity::model::{ActivitySettings, ReportPeriod};
use crate::domains::activity::service::{self as activity, ActivityFigures, ActivityUnit, AreaRef};
use crate::domains::events::model::Card;
use crate::domains::events::workflow::State as EventState;
use crate::domains::org::area_store::{self, AreaFilter};
use crate::domains::org::map;
use crate::domains::org::model::AreaKind;
use crate::domains::registry::model::special_label;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::Paging;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How many overdue events the dashboard lists.
pub const OVERDUE_LIST: i64 = 10;
/// How many grids without a boundary are named (the rest are counted).
const UNMAPPED_LIST: usize = 200;

/// A labelled count (events by state, special groups …).
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: i64,
    /// Bar length out of 100 against the largest in its list.
    pub bar: i64,
}

fn with_bars(mut v: Vec<Count>) -> Vec<Count> {
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
async fn activity_now_and_last(
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
    fn add(&mut self, o: &Figures) {
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
    fn get(&self, code: &str, rate: Option<f64>) -> Option<f64> {
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
    pub regions: Vec<super::regions::MapRegion>,
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

/// The dashboard of an area shaded by open events (the benchmark's entry point; no actor).
pub async fn dashboard(
    db: &Db,
    area: &AreaRef,
    area_kind: &str,
    now: Millis,
    settings: &ActivitySettings,
) -> AppResult<Dashboard> {
    let shade = Shade::parse("").ok_or_else(|| AppError::Internal(anyhow::anyhow!("no default shade")))?;
    dashboard_shaded(db, area, area_kind, now, settings, shade).await
}

/// The dashboard of an area with its map shaded by `shade`.
pub async fn dashboard_shaded(
    db: &Db,
    area: &AreaRef,
    area_kind: &str,
    now: Millis,
    settings: &ActivitySettings,
    shade: Shade,
) -> AppResult<Dashboard> {
    let today = crate::clock::to_local(now).date_naive();
    let period = ReportPeriod::month_of(today);
    let children: Vec<(i64, String, String, String)> = if area_kind == "grid" {
        vec![(area.id, area.name.clone(), "grid".to_owned(), area.path.clone())]
    } else {
        area_store::list(
            db,
            &AreaFilter { scope_path: area.path.clone(), parent: Some(area.id), ..Default::default() },
            Paging::new(Some(1), Some(1000)),
        )
        .await?
        .items
        .into_iter()
        .map(|c| (c.id, c.name, c.kind, c.path))
        .collect()
    };
    let child_of = |path: &str| children.iter().position(|c| path.starts_with(c.3.as_str()));

    // Per grid: the register, overdue visits; open events per area path.
    let grids = store::grids(db, &area.path).await?;
    let index: HashMap<i64, usize> = grids.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let by_path: HashMap<&str, usize> = grids.iter().enumerate().map(|(i, g)| (g.path.as_str(), i)).collect();
    let mut per_grid = vec![Figures::default(); grids.len()];
    for (grid, people, households, houses, rentals, places) in store::register_by_grid(db, &area.path).await? {
        if let Some(&i) = index.get(&grid) {
            per_grid[i] = Figures { people, households, houses, rentals, places, ..Default::default() };
        }
    }
    let today_key = today.to_string();
    for (grid, _, count) in crate::domains::visits::store::overdue_by_grid(db, &area.path, &today_key).await? {
        if let Some(&i) = index.get(&grid) {
            per_grid[i].overdue_visits = count;
        }
    }
    let mut per_child = vec![Figures::default(); children.len()];
    let mut total = Figures::default();
    for (path, open, overdue) in store::open_events_by_path(db, &area.path, now).await? {
        let f = Figures { open_events: open, overdue_events: overdue, ..Default::default() };
        total.add(&f);
        match by_path.get(path.as_str()) {
            Some(&i) => per_grid[i].add(&f),
            None => {
                if let Some(c) = child_of(&path) {
                    per_child[c].add(&f);
                }
            }
        }
    }
    for (g, f) in grids.iter().zip(&per_grid) {
        let events_counted = Figures { open_events: 0, overdue_events: 0, ..*f };
        total.add(&events_counted);
        if let Some(c) = child_of(&g.path) {
            per_child[c].add(f);
        }
    }

    // Activity of the child units: this month to date and the last full month.
    let (act, last) = activity_now_and_last(db, area, now, settings).await?;
    let rates = |f: &ActivityFigures| -> HashMap<i64, Option<f64>> {
        f.areas.iter().filter_map(|u| Some((u.area_id?, u.rate))).collect()
    };
    let (rate_of_child, last_rate_of_child) = (rates(&act), rates(&last));
    let child_rate = |c: usize| {
        if area_kind == "grid" { act.overall.rate } else { rate_of_child.get(&children[c].0).copied().flatten() }
    };
    let last_child_rate = |c: usize| {
        if area_kind == "grid" { last.overall.rate } else { last_rate_of_child.get(&children[c].0).copied().flatten() }
    };

    // The map: one path per grid with a boundary, in one projection.
    let mut drawn: Vec<(usize, serde_json::Value)> = Vec::new();
    let mut unmapped = Vec::new();
    let mut unmapped_total = 0;
    let mut mapped = vec![0i64; children.len()];
    for (i, g) in grids.iter().enumerate() {
        match g.boundary.as_deref().and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok()) {
            Some(v) => {
                if let Some(c) = child_of(&g.path) {
                    mapped[c] += 1;
                }
                drawn.push((i, v));
            }
            None => {
                unmapped_total += 1;
                if unmapped.len() < UNMAPPED_LIST {
                    unmapped.push((g.id, g.name.clone()));
                }
            }
        }
    }
    let value_of_grid = |i: usize| {
        let c = child_of(&grids[i].path);
        per_grid[i].get(shade.code, c.and_then(child_rate))
    };
    let child_values: Vec<Option<f64>> =
        (0..children.len()).map(|c| per_child[c].get(shade.code, child_rate(c))).collect();
    // The map's legend spans the grids drawn; the children (sums of their grids) get their own bins.
    let child_bins = legend(&shade, &child_values.iter().flatten().copied().collect::<Vec<_>>());
    let bins = if drawn.is_empty() {
        child_bins.clone()
    } else {
        legend(&shade, &drawn.iter().filter_map(|(i, _)| value_of_grid(*i)).collect::<Vec<_>>())
    };
    let min_step = match drawn.len() {
        0..=200 => 0.3,
        201..=1000 => 1.0,
        _ => 2.0,
    };
    let geoms: Vec<serde_json::Value> = drawn.iter().map(|(_, v)| v.clone()).collect();
    let outline = map::outlines(&geoms, min_step);
    let (width, height) = outline.as_ref().map(|o| (o.width, o.height)).unwrap_or((0.0, 0.0));
    let paths = outline.map(|o| o.paths).unwrap_or_default();
    let map_grids = drawn
        .iter()
        .zip(paths)
        .filter(|(_, p)| !p.is_empty())
        .map(|((i, _), path)| {
            let value = value_of_grid(*i);
            MapGrid {
                id: grids[*i].id,
                name: grids[*i].name.clone(),
                child_id: child_of(&grids[*i].path).map(|c| children[c].0),
                value,
                shown: show(&shade, value),
                colour: colour_of(&bins, value),
                path,
            }
        })
        .collect();
    let (mut width, mut height, mut regions) = (width, height, Vec::new());
    if matches!(area_kind, "county" | "town") {
        let inputs: Vec<super::regions::Input> = children
            .iter()
            .enumerate()
            .map(|(c, (id, name, _, _))| super::regions::Input {
                id: *id,
                name,
                value: child_values[c],
                grids: drawn.iter().filter(|(i, _)| child_of(&grids[*i].path) == Some(c)).map(|(_, v)| v).collect(),
            })
            .collect();
        (width, height, regions) = super::regions::regions(db, &shade, &child_bins, &inputs).await?;
    }
    let child_rows = children
        .iter()
        .enumerate()
        .map(|(c, (id, name, kind, _))| Child {
            id: *id,
            name: name.clone(),
            kind: kind.clone(),
            figures: per_child[c],
            activity_rate: child_rate(c),
            last_month_activity_rate: last_child_rate(c),
            value: child_values[c],
            shown: show(&shade, child_values[c]),
            colour: colour_of(&child_bins, child_values[c]),
            mapped_grids: mapped[c],
        })
        .collect();

    Ok(Dashboard {
        area_id: area.id,
        area_name: area.name.clone(),
        area_kind: area_kind.to_owned(),
        area_kind_label: AreaKind::parse(area_kind).map(|k| k.label()).unwrap_or(""),
        parent: None,
        today: today_key,
        register: register_counts(db, &area.path, &total).await?,
        events: events(db, &area.path, now, &period, total.overdue_events).await?,
        overdue_visits: total.overdue_visits,
        activity: Activity {
            month: act.period,
            label: act.period_label,
            min_days: act.min_days,
            threshold_note: act.threshold_note,
            overall: act.overall,
            units: act.areas,
            last_month: ActivityMonth {
                month: last.period,
                label: last.period_label,
                min_days: last.min_days,
                overall: last.overall,
                units: last.areas,
            },
        },
        submissions: submissions(db, &area.path, now).await?,
        children: child_rows,
        map: MapOut {
            shade,
            legend: bins,
            children_legend: child_bins,
            width,
            height,
            grids: map_grids,
            regions,
            unmapped,
            unmapped_total,
        },
    })
}

async fn register_counts(db: &Db, path: &str, t: &Figures) -> AppResult<Register> {
    let special: Vec<Count> = store::special_counts(db, path)
        .await?
        .into_iter()
        .map(|(kind, count)| Count { label: special_label(&kind).to_owned(), code: kind, count, bar: 0 })
        .collect();
    Ok(Register {
        people: t.people,
        households: t.households,
        houses: t.houses,
        rentals: t.rentals,
        places: t.places,
        special_total: special.iter().map(|c| c.count).sum(),
        special: with_bars(special),
    })
}

/// Adds a count to a labelled list, keeping the list's order of first appearance.
fn bump(list: &mut Vec<Count>, code: &str, label: impl FnOnce() -> String, n: i64) {
    match list.iter_mut().find(|c| c.code == code) {
        Some(c) => c.count += n,
        None => list.push(Count { code: code.to_owned(), label: label(), count: n, bar: 0 }),
    }
}

async fn events(db: &Db, path: &str, now: Millis, period: &ReportPeriod, overdue_total: i64) -> AppResult<Events> {
    let categories = crate::domains::events::store::categories(db).await?;
    let parent: HashMap<&str, (&str, Option<&str>)> =
        categories.iter().map(|c| (c.code.as_str(), (c.name.as_str(), c.parent_code.as_deref()))).collect();
    // The top-level category of a code (walking up at most a few levels).
    let top = |code: &str| -> (String, String) {
        let mut at = code;
        for _ in 0..5 {
            match parent.get(at) {
                Some((_, Some(p))) => at = p,
                _ => break,
            }
        }
        (at.to_owned(), parent.get(at).map(|(n, _)| (*n).to_owned()).unwrap_or_else(|| at.to_owned()))
    };
    let (mut by_state, mut by_category, mut by_card) = (Vec::new(), Vec::new(), Vec::new());
    let mut open = 0;
    for (state, category, card, n) in store::open_events(db, path).await? {
        open += n;
        let state_label = EventState::parse(&state).map(|s| s.label()).unwrap_or("");
        bump(&mut by_state, &state, || state_label.to_owned(), n);
        let (code, name) = top(&category);
        bump(&mut by_category, &code, || name, n);
        let card_label = match Card::parse(&card) {
            Card::None => "未亮牌",
            c => c.label(),
        };
        bump(&mut by_card, &card, || card_label.to_owned(), n);
    }
    // States in the order of the life cycle, categories and cards by size.
    by_state.sort_by_key(|c| {
        crate::domains::events::workflow::STATES.iter().position(|s| s.as_str() == c.code).unwrap_or(99)
    });
    by_category.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    by_card.sort_by_key(|c| match c.code.as_str() {
        "red" => 0,
        "yellow" => 1,
        _ => 2,
    });
    let overdue_list = store::overdue_events(db, path, now, OVERDUE_LIST)
        .await?
        .into_iter()
        .map(|r| OverdueEvent {
            link: format!("/events/{}", r.id),
            category: top(&r.category).1,
            state_label: EventState::parse(&r.state).map(|s| s.label()).unwrap_or(""),
            card_label: Card::parse(&r.card).label(),
            deadline_text: crate::clock::format_local(r.deadline),
            days_overdue: (now - r.deadline).max(0) / DAY,
            id: r.id,
            title: r.title,
            card: r.card,
            grid_name: r.grid_name,
            deadline: r.deadline,
        })
        .collect();
    let (from, to) = period.millis();
    let (reported, closed) = store::month_counts(db, path, from, to).await?;
    Ok(Events {
        open,
        overdue: overdue_total,
        reported_this_month: reported,
        closed_this_month: closed,
        by_state: with_bars(by_state),
        by_category: with_bars(by_category),
        by_card: with_bars(by_card),
        overdue_list,
    })
}

async fn submissions(db: &Db, path: &str, now: Millis) -> AppResult<Submissions> {
    let by_kind: Vec<SubmissionKind> = store::waiting_submissions(db, path, now)
        .await?
        .into_iter()
        .map(|(kind, waiting, overdue)| SubmissionKind {
            label: crate::domains::submissions::model::kind_label(&kind),
            kind,
            waiting,
            overdue,
        })
        .collect();
    Ok(Submissions {
        waiting: by_kind.iter().map(|k| k.waiting).sum(),
        overdue: by_kind.iter().map(|k| k.overdue).sum(),
        by_kind,
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    pub area: Option<i64>,
    pub shade: Option<String>,
}

/// The dashboard for a caller: `ReadSupervision`, an area inside their scope (default their own).
pub async fn for_actor(state: &AppState, actor: &Actor, q: &DashboardQuery) -> AppResult<Dashboard> {
    actor.require(Permission::ReadSupervision)?;
    let shade = Shade::parse(q.shade.as_deref().unwrap_or("")).ok_or_else(|| {
        AppError::field(
            "shade",
            "地图着色只能是 open_events、overdue_events、overdue_visits、people、households、houses、rentals、places 或 activity_rate",
        )
    })?;
    let row = area_store::get(&state.db, actor.scope.path(), q.area.unwrap_or(actor.scope.area_id()))
        .await?
        .filter(|a| a.status == "active")
        .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
    let settings = activity::settings(&state.db).await?;
    let area = AreaRef { id: row.id, name: row.name.clone(), path: row.path.clone() };
    let mut d = dashboard_shaded(&state.db, &area, &row.kind, actor.now, &settings, shade).await?;
    if let Some(p) = row.parent_id
        && let Some(parent) = area_store::get(&state.db, actor.scope.path(), p).await?
    {
        d.parent = Some((parent.id, parent.name));
    }
    Ok(d)
}
