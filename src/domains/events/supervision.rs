//! The supervision list (督办): the yellow and red cards the job raised and the supervisions staff
//! made, as the level above sees them — newest first, by level, optionally only events still open —
//! through `GET /api/v1/supervisions` and the page `/supervisions`.

use super::service::visibility;
use super::store::{self, SupervisionListRow};
use super::workflow::State;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, render, urlencode};
use crate::web::paging::{Page, Paging};
use askama::Template;
use axum::Json;
use axum::extract::State as AxState;
use axum::response::Response;
use serde::{Deserialize, Serialize};

pub const LEVELS: [(&str, &str); 3] = [("red", "红牌超时"), ("yellow", "黄牌预警"), ("ordinary", "督办")];

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionQuery {
    /// `red`, `yellow` or `ordinary`.
    pub level: Option<String>,
    /// `true`: only events not yet closed, cancelled or merged.
    pub open: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupervisionOut {
    pub id: i64,
    pub level: String,
    pub level_label: &'static str,
    /// Who supervised: 系统 for a card, else the account's name.
    pub by: String,
    /// The area the supervision is addressed to (the level above the holder).
    pub area_id: Option<i64>,
    pub area_name: String,
    pub note: String,
    pub created_at: i64,
    pub at: String,
    pub event_id: i64,
    pub event_title: String,
    pub event_state: String,
    pub event_state_label: &'static str,
    pub event_card: String,
    pub holder: String,
}

fn label_of_level(level: &str) -> &'static str {
    LEVELS.iter().find(|(c, _)| *c == level).map(|(_, l)| *l).unwrap_or("督办")
}

fn out(r: SupervisionListRow) -> SupervisionOut {
    SupervisionOut {
        level_label: label_of_level(&r.level),
        at: crate::clock::format_local(r.created_at),
        event_state_label: State::parse(&r.event_state).map(State::label).unwrap_or(""),
        id: r.id,
        level: r.level,
        by: r.by_name,
        area_id: r.area_id,
        area_name: r.area_name.unwrap_or_default(),
        note: r.note,
        created_at: r.created_at,
        event_id: r.event_id,
        event_title: r.event_title,
        event_state: r.event_state,
        event_card: r.event_card,
        holder: r.holder_name.unwrap_or_default(),
    }
}

/// Supervisions addressed to an area of the caller's subtree (for a department: those of the
/// events it holds), newest first.
pub async fn list(state: &AppState, actor: &Actor, q: &SupervisionQuery) -> AppResult<Page<SupervisionOut>> {
    let v = visibility(actor)?;
    let level = q.level.as_deref().filter(|l| !l.is_empty());
    if let Some(l) = level
        && !LEVELS.iter().any(|(c, _)| *c == l)
    {
        return Err(AppError::field("level", "督办级别应为 red（红牌）、yellow（黄牌）或 ordinary（督办）"));
    }
    let paging = Paging::new(q.page, q.per_page);
    let page = store::supervision_list(&state.db, &v, level, q.open.unwrap_or(false), paging).await?;
    Ok(page.map(out))
}

pub async fn api_list(
    AxState(s): AxState<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<SupervisionQuery>,
) -> AppResult<Json<Page<SupervisionOut>>> {
    Ok(Json(list(&s, &a, &q).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(default)]
    level: String,
    #[serde(default)]
    open: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "events/supervisions.html")]
struct SupervisionsPage {
    l: Layout,
    levels: [(&'static str, &'static str); 3],
    level: String,
    open: bool,
    page: Page<SupervisionOut>,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn page(AxState(s): AxState<AppState>, a: Actor, ApiQuery(f): ApiQuery<PageQuery>) -> AppResult<Response> {
    let open = matches!(f.open.as_str(), "1" | "true" | "on");
    let q = SupervisionQuery {
        level: Some(f.level.clone()).filter(|x| !x.is_empty()),
        open: Some(open),
        page: opt_i64("page", &f.page)?,
        per_page: Some(30),
    };
    let page = list(&s, &a, &q).await?;
    let base = format!("/supervisions?level={}&open={}&", urlencode(&f.level), if open { "1" } else { "" });
    let (prev, next) = super::list_pages::pager(&page, &base);
    render(&SupervisionsPage {
        l: Layout::for_actor(&a, "督办"),
        levels: LEVELS,
        level: f.level,
        open,
        page,
        prev,
        next,
    })
}
