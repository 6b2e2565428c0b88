//! Patrol pages: one patrol's record (track over the grid outline, checklist, findings) and the
//! figures; the patrol itself is done on the field app's one patrol screen.

use super::service::{self, Figures, FiguresQuery, ListQuery, PatrolDetail, PatrolOut, ReportFindingInput};
use crate::auth::{Actor, Permission};
use crate::domains::org::map;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, redirect, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

const FIELD: Access = Access::Perm(Permission::FieldWork);
const READ: Access = Access::AnyOf(&[Permission::FieldWork, Permission::ReadSupervision]);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/patrols", FIELD, "日巡查：转到外勤应用的巡查屏（签到、巡查、记下发现）", my_page),
        get("/patrols/figures", Access::Perm(Permission::ReadSupervision), "巡查统计", figures_page),
        get("/patrols/{id}", READ, "巡查记录：轨迹、检查清单、发现的问题", detail_page),
        post("/patrols/{id}/findings/{finding_id}/event", FIELD, "把发现转为事件", report_finding),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MsgQuery {
    #[serde(default)]
    msg: Option<String>,
}

/// The one patrol screen is the field app's (`/field/patrol`: check-in, start, track, checklist,
/// findings, end, recent patrols; works offline); `/patrols` stays as its address for bookmarks.
async fn my_page() -> Response {
    redirect("/field/patrol")
}

#[derive(Template)]
#[template(path = "patrols/detail.html")]
struct DetailPage {
    l: Layout,
    p: PatrolDetail,
    mine: bool,
    outline: Option<map::Outline>,
    track: String,
}

/// One patrol's record, read-only: track over the grid outline, checklist results, findings (an
/// own finding not yet reported can still become an event here).
async fn detail_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    let p = service::get(&s, &a, id).await?;
    let geom = p.boundary.as_deref().and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok());
    let pts: Vec<(f64, f64)> = p.track.iter().filter(|t| t.counted).map(|t| (t.lng, t.lat)).collect();
    let (outline, track) = match map::outline_with_track(geom.as_ref(), &pts) {
        Some((o, t)) => (Some(o), t),
        None => (None, String::new()),
    };
    let mine = p.patrol.row.account_id == a.id && a.can(Permission::FieldWork);
    let notice = q.msg.as_deref().filter(|m| *m == "reported").map(|_| "已上报为事件".to_owned());
    let mut l = Layout::for_actor(&a, "巡查详情");
    l.notice = notice;
    render(&DetailPage { l, p, mine, outline, track })
}

async fn report_finding(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, finding_id)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    service::report_finding(&s, &a, id, finding_id, &ReportFindingInput::default()).await?;
    Ok(redirect(&format!("/patrols/{id}?msg=reported")))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FiguresForm {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "patrols/figures.html")]
struct FiguresPage {
    l: Layout,
    f: Figures,
    area: String,
    recent: Vec<PatrolOut>,
}

impl FiguresPage {
    fn km(&self, metres: impl std::borrow::Borrow<i64>) -> String {
        format!("{:.2}", *metres.borrow() as f64 / 1000.0)
    }
}

async fn figures_page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<FiguresForm>) -> AppResult<Response> {
    let fq = FiguresQuery {
        area: opt_i64("area", &q.area)?,
        from: Some(q.from.clone()).filter(|s| !s.is_empty()),
        to: Some(q.to.clone()).filter(|s| !s.is_empty()),
    };
    let f = service::figures(&s, &a, &fq).await?;
    let lq = ListQuery { area: fq.area, from: fq.from, to: fq.to, per_page: Some(30), ..Default::default() };
    let recent = service::list(&s, &a, &lq).await?.items;
    render(&FiguresPage { l: Layout::for_actor(&a, "巡查统计"), f, area: q.area, recent })
}
