//! Building the dashboard of an area: every figure, the children's rows and the shaded map.

use super::super::model::{Shade, colour_of, legend, show};
use super::super::store;
use super::*;
use crate::clock::Millis;
use crate::db::Db;
use crate::domains::activity::model::{ActivitySettings, ReportPeriod};
use crate::domains::activity::service::{ActivityFigures, AreaRef};
use crate::domains::org::map;
use crate::domains::org::model::AreaKind;
use crate::domains::org::tree::{self, AreaFilter};
use crate::error::{AppError, AppResult};
use crate::web::paging::Paging;
use std::collections::HashMap;

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
    let children = children_of(db, area, area_kind).await?;

    // Per grid: the register, overdue visits; open events per area path.
    let grids = store::grids(db, &area.path).await?;
    let today_key = today.to_string();
    let tally = tally(db, &area.path, now, &today_key, &grids, &children).await?;

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
    let child_rates: Vec<Option<f64>> = (0..children.len()).map(child_rate).collect();
    let last_child_rates: Vec<Option<f64>> = (0..children.len()).map(last_child_rate).collect();

    let shaded = shaded_map(db, area_kind, shade, &grids, &children, &tally, &child_rates).await?;
    let child_rows = child_rows(&children, &tally.per_child, &child_rates, &last_child_rates, &shaded);
    Ok(Dashboard {
        area_id: area.id,
        area_name: area.name.clone(),
        area_kind: area_kind.to_owned(),
        area_kind_label: AreaKind::parse(area_kind).map(|k| k.label()).unwrap_or(""),
        parent: None,
        today: today_key,
        register: register_counts(db, &area.path, &tally.total).await?,
        events: events(db, &area.path, now, &period, tally.total.overdue_events).await?,
        overdue_visits: tally.total.overdue_visits,
        activity: activity(act, last),
        submissions: submissions(db, &area.path, now).await?,
        children: child_rows,
        map: shaded.map,
    })
}

/// A child unit of the area: id, name, kind, path (the area itself when it is a grid).
type ChildUnit = (i64, String, String, String);

/// The child units the dashboard rows and regions are drawn for.
async fn children_of(db: &Db, area: &AreaRef, area_kind: &str) -> AppResult<Vec<ChildUnit>> {
    Ok(if area_kind == "grid" {
        vec![(area.id, area.name.clone(), "grid".to_owned(), area.path.clone())]
    } else {
        tree::list(
            db,
            &AreaFilter { scope_path: area.path.clone(), parent: Some(area.id), ..Default::default() },
            Paging::new(Some(1), Some(1000)),
        )
        .await?
        .items
        .into_iter()
        .map(|c| (c.id, c.name, c.kind, c.path))
        .collect()
    })
}

/// The child unit a path lies in.
fn child_of(children: &[ChildUnit], path: &str) -> Option<usize> {
    children.iter().position(|c| path.starts_with(c.3.as_str()))
}

/// The figures per grid, per child unit and in total.
struct Tally {
    per_grid: Vec<Figures>,
    per_child: Vec<Figures>,
    total: Figures,
}

/// Sums the register, overdue visits and open events per grid, and rolls them up to the children.
async fn tally(
    db: &Db,
    area_path: &str,
    now: Millis,
    today_key: &str,
    grids: &[store::GridRow],
    children: &[ChildUnit],
) -> AppResult<Tally> {
    let index: HashMap<i64, usize> = grids.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let by_path: HashMap<&str, usize> = grids.iter().enumerate().map(|(i, g)| (g.path.as_str(), i)).collect();
    let mut per_grid = vec![Figures::default(); grids.len()];
    for (grid, people, households, houses, rentals, places) in store::register_by_grid(db, area_path).await? {
        if let Some(&i) = index.get(&grid) {
            per_grid[i] = Figures { people, households, houses, rentals, places, ..Default::default() };
        }
    }
    for (grid, _, count) in crate::domains::visits::reads::overdue_by_grid(db, area_path, today_key).await? {
        if let Some(&i) = index.get(&grid) {
            per_grid[i].overdue_visits = count;
        }
    }
    let mut per_child = vec![Figures::default(); children.len()];
    let mut total = Figures::default();
    for (path, open, overdue) in store::open_events_by_path(db, area_path, now).await? {
        let f = Figures { open_events: open, overdue_events: overdue, ..Default::default() };
        total.add(&f);
        match by_path.get(path.as_str()) {
            Some(&i) => per_grid[i].add(&f),
            None => {
                if let Some(c) = child_of(children, &path) {
                    per_child[c].add(&f);
                }
            }
        }
    }
    for (g, f) in grids.iter().zip(&per_grid) {
        let events_counted = Figures { open_events: 0, overdue_events: 0, ..*f };
        total.add(&events_counted);
        if let Some(c) = child_of(children, &g.path) {
            per_child[c].add(f);
        }
    }
    Ok(Tally { per_grid, per_child, total })
}

/// The grids split into those with a boundary (drawn) and those without (listed).
struct Boundaries {
    drawn: Vec<(usize, serde_json::Value)>,
    unmapped: Vec<(i64, String)>,
    unmapped_total: i64,
    /// Grids drawn per child unit.
    mapped: Vec<i64>,
}

fn boundaries(grids: &[store::GridRow], children: &[ChildUnit]) -> Boundaries {
    let mut drawn: Vec<(usize, serde_json::Value)> = Vec::new();
    let mut unmapped = Vec::new();
    let mut unmapped_total = 0;
    let mut mapped = vec![0i64; children.len()];
    for (i, g) in grids.iter().enumerate() {
        match g.boundary.as_deref().and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok()) {
            Some(v) => {
                if let Some(c) = child_of(children, &g.path) {
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
    Boundaries { drawn, unmapped, unmapped_total, mapped }
}

/// The shaded map, with the children's values and drawn grids for their rows.
struct Shaded {
    map: MapOut,
    child_values: Vec<Option<f64>>,
    mapped: Vec<i64>,
}

/// The map: one path per grid with a boundary, in one projection; above a community, the children as regions.
async fn shaded_map(
    db: &Db,
    area_kind: &str,
    shade: Shade,
    grids: &[store::GridRow],
    children: &[ChildUnit],
    tally: &Tally,
    child_rates: &[Option<f64>],
) -> AppResult<Shaded> {
    let Boundaries { drawn, unmapped, unmapped_total, mapped } = boundaries(grids, children);
    let value_of_grid = |i: usize| {
        let c = child_of(children, &grids[i].path);
        tally.per_grid[i].get(shade.code, c.and_then(|c| child_rates[c]))
    };
    let child_values: Vec<Option<f64>> =
        (0..children.len()).map(|c| tally.per_child[c].get(shade.code, child_rates[c])).collect();
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
                child_id: child_of(children, &grids[*i].path).map(|c| children[c].0),
                value,
                shown: show(&shade, value),
                colour: colour_of(&bins, value),
                path,
            }
        })
        .collect();
    let (mut width, mut height, mut regions) = (width, height, Vec::new());
    if matches!(area_kind, "county" | "town") {
        let inputs: Vec<super::super::regions::Input> = children
            .iter()
            .enumerate()
            .map(|(c, (id, name, _, _))| super::super::regions::Input {
                id: *id,
                name,
                value: child_values[c],
                grids: drawn
                    .iter()
                    .filter(|(i, _)| child_of(children, &grids[*i].path) == Some(c))
                    .map(|(_, v)| v)
                    .collect(),
            })
            .collect();
        (width, height, regions) = super::super::regions::regions(db, &shade, &child_bins, &inputs).await?;
    }
    let map = MapOut {
        shade,
        legend: bins,
        children_legend: child_bins,
        width,
        height,
        grids: map_grids,
        regions,
        unmapped,
        unmapped_total,
    };
    Ok(Shaded { map, child_values, mapped })
}

/// One row per child unit: its figures, activity, value and colour on the map.
fn child_rows(
    children: &[ChildUnit],
    per_child: &[Figures],
    child_rates: &[Option<f64>],
    last_child_rates: &[Option<f64>],
    shaded: &Shaded,
) -> Vec<Child> {
    let (shade, child_bins, child_values) = (&shaded.map.shade, &shaded.map.children_legend, &shaded.child_values);
    children
        .iter()
        .enumerate()
        .map(|(c, (id, name, kind, _))| Child {
            id: *id,
            name: name.clone(),
            kind: kind.clone(),
            figures: per_child[c],
            activity_rate: child_rates[c],
            last_month_activity_rate: last_child_rates[c],
            value: child_values[c],
            shown: show(shade, child_values[c]),
            colour: colour_of(child_bins, child_values[c]),
            mapped_grids: shaded.mapped[c],
        })
        .collect()
}

/// This month's activity to date and the last full month's.
fn activity(act: ActivityFigures, last: ActivityFigures) -> Activity {
    Activity {
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
    }
}
