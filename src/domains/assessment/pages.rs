//! The assessment page: the month's ranking with each score's breakdown, and the rules.

use super::service::{self, Ranking, RankingQuery};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::pages::{Layout, render};
use crate::web::routes::{Access, Entry, get};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![get("/assessment", Access::Perm(Permission::ReadSupervision), "月度考核排名页", page)]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(default)]
    area: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    level: String,
}

#[derive(Template)]
#[template(path = "assessment/page.html")]
struct AssessmentPage {
    l: Layout,
    r: Ranking,
}

impl AssessmentPage {
    fn points(&self, x: &f64) -> String {
        if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.1}") }
    }
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<Query>) -> AppResult<Response> {
    let rq = RankingQuery {
        area: crate::web::form::opt_i64("area", &q.area)?,
        month: Some(q.month).filter(|m| !m.is_empty()),
        level: Some(q.level).filter(|m| !m.is_empty()),
    };
    let r = service::ranking(&s, &a, &rq).await?;
    render(&AssessmentPage { l: Layout::for_actor(&a, "月度考核"), r })
}
