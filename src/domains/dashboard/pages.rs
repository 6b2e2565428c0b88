//! The dashboard page (/dashboard): number tiles, bars and a shaded map as inline SVG, drill-down.

use super::api::READ;
use super::model::SHADES;
use super::service::{self, Child, Dashboard, DashboardQuery};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::pages::{Layout, render};
use crate::web::routes::{Entry, get};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![get("/dashboard", READ, "驾驶舱", page)]
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    area: String,
    #[serde(default)]
    shade: String,
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
struct Page {
    l: Layout,
    d: Dashboard,
    shades: Vec<(&'static str, &'static str)>,
}

impl Page {
    fn pct(&self, r: &Option<f64>) -> String {
        crate::domains::events::figures::percent(*r)
    }
    /// Whether the map's figure is one the table has no column of its own for (else the column
    /// of that figure carries the colour swatch, so nothing is listed twice).
    fn shade_has_own_column(&self) -> bool {
        !matches!(
            self.d.map.shade.code,
            "people" | "open_events" | "overdue_events" | "overdue_visits" | "activity_rate"
        )
    }
    /// The map colour beside the figure the map is shaded by.
    fn swatch(&self, code: &str, c: &Child) -> String {
        if self.d.map.shade.code == code {
            format!(
                "<svg viewBox=\"0 0 10 10\" width=\"12\" height=\"12\"><rect width=\"10\" height=\"10\" fill=\"{}\"></rect></svg> ",
                c.colour
            )
        } else {
            String::new()
        }
    }
    fn rate_bar(&self, r: &Option<f64>) -> i64 {
        r.map(|r| (r * 100.0).round().clamp(0.0, 100.0) as i64).unwrap_or(0)
    }
    fn dim(&self, v: &f64) -> String {
        format!("{v:.0}")
    }
    fn drill(&self, child: &Option<i64>) -> Option<String> {
        child.filter(|c| *c != self.d.area_id).map(|c| format!("/dashboard?area={c}&shade={}", self.d.map.shade.code))
    }
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<Params>) -> AppResult<Response> {
    let area = crate::web::form::opt_i64("area", &p.area)?;
    let q = DashboardQuery { area, shade: Some(p.shade.clone()).filter(|s| !s.is_empty()) };
    let d = service::for_actor(&s, &a, &q).await?;
    let l = Layout::for_actor(&a, &format!("驾驶舱 · {}", d.area_name));
    render(&Page { l, d, shades: SHADES.iter().map(|(c, l, _, _)| (*c, *l)).collect() })
}
