//! The figures page: an area's event figures for a period, by child area (drill down), category and
//! department, with the step times — the same numbers as `GET /api/v1/stats/events` (docs/METRICS.md).

use super::figures::{Figures, percent};
use super::stats::{self, EventStats, StatsQuery};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, render};
use crate::web::routes::{Access, Entry, get};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![get("/stats/events", Access::Perm(Permission::ReadEvents), "事件统计（办结率、结案率、按期结案率等）", page)]
}

/// One line of a figures table, formatted.
pub struct Line {
    pub id: String,
    pub name: String,
    pub arrived: i64,
    pub closed: i64,
    pub completion: String,
    pub due: i64,
    pub closing: String,
    pub on_time_closing: String,
    pub on_time_acceptance: String,
    pub satisfaction: String,
}

fn line(id: &str, name: &str, f: &Figures) -> Line {
    Line {
        id: id.to_owned(),
        name: name.to_owned(),
        arrived: f.arrived,
        closed: f.closed,
        completion: percent(f.completion_rate),
        due: f.due,
        closing: percent(f.closing_rate),
        on_time_closing: percent(f.on_time_closing_rate),
        on_time_acceptance: percent(f.on_time_acceptance_rate),
        satisfaction: percent(f.satisfaction_rate),
    }
}

#[derive(Template)]
#[template(path = "events/stats.html")]
struct StatsPage {
    l: Layout,
    s: EventStats,
    totals: Vec<Line>,
    areas: Vec<Line>,
    categories: Vec<Line>,
    departments: Vec<Line>,
    steps: Vec<(String, i64, String, i64)>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<Query>) -> AppResult<Response> {
    let sq = StatsQuery {
        area: opt_i64("area", &q.area)?,
        from: Some(q.from).filter(|x| !x.is_empty()),
        to: Some(q.to).filter(|x| !x.is_empty()),
    };
    let st = stats::events(&s, &a, &sq).await?;
    let totals = vec![line("", "合计", &st.totals)];
    let areas = st.by_area.iter().map(|u| line(&u.id, &u.name, &u.figures)).collect();
    let categories = st.by_category.iter().map(|u| line(&u.id, &u.name, &u.figures)).collect();
    let departments = st.by_department.iter().map(|u| line(&u.id, &u.name, &u.figures)).collect();
    let steps = st
        .steps
        .iter()
        .map(|x| {
            (
                x.label.to_owned(),
                x.count,
                x.average_minutes.map(|m| format!("{:.1} 小时", m / 60.0)).unwrap_or_default(),
                x.over_limit,
            )
        })
        .collect();
    let title = format!("{} 事件统计", st.area_name);
    render(&StatsPage { l: Layout::for_actor(&a, &title), s: st, totals, areas, categories, departments, steps })
}
