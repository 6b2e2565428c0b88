//! Patrol pages: my day (check-in, start a patrol, recent patrols), one patrol (track over the grid
//! outline, checklist, findings with one-tap reporting, end), and the figures.

use super::model::RESULTS;
use super::service::{
    self, CheckInInput, CheckInput, ChecksInput, EndInput, Figures, FiguresQuery, FindingInput, ListQuery,
    PatrolDetail, PatrolOut, ReportFindingInput, StartInput,
};
use super::store::{self, CheckInRow, ItemRow};
use crate::auth::{Actor, Permission};
use crate::domains::org::map;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, redirect, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

const FIELD: Access = Access::Perm(Permission::FieldWork);
const READ: Access = Access::AnyOf(&[Permission::FieldWork, Permission::ReadSupervision]);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/patrols", FIELD, "日巡查：签到、开始巡查、我的巡查记录", my_page),
        post("/patrols/check-in", FIELD, "签到", check_in),
        post("/patrols", FIELD, "开始巡查", start),
        get("/patrols/figures", Access::Perm(Permission::ReadSupervision), "巡查统计", figures_page),
        get("/patrols/{id}", READ, "巡查详情：轨迹、检查清单、发现的问题", detail_page),
        post("/patrols/{id}/end", FIELD, "结束巡查", end),
        post("/patrols/{id}/checks", FIELD, "填写检查清单", checks),
        post("/patrols/{id}/findings", FIELD, "记录发现的问题（可同时上报事件）", finding),
        post("/patrols/{id}/findings/{finding_id}/event", FIELD, "把发现转为事件", report_finding),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MsgQuery {
    #[serde(default)]
    msg: Option<String>,
}

#[derive(Template)]
#[template(path = "patrols/mine.html")]
struct MyPage {
    l: Layout,
    check_in: Option<CheckInRow>,
    current: Option<PatrolOut>,
    grids: Vec<(i64, String)>,
    recent: Vec<PatrolOut>,
}

async fn my_page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<MsgQuery>) -> AppResult<Response> {
    let current = service::current(&s, &a).await?;
    let check_in = service::my_check_in(&s, &a).await?;
    let grids = store::grids_under(&s.db, a.scope.path()).await?;
    let lq = ListQuery { account: Some(a.id), per_page: Some(20), ..Default::default() };
    let recent = service::list(&s, &a, &lq).await?.items;
    let notice = q.msg.as_deref().map(|m| match m {
        "checked_in" => "签到成功",
        "already" => "今天已经签到过了，不重复记录",
        "ended" => "巡查已结束",
        _ => "",
    });
    let mut l = Layout::for_actor(&a, "日巡查");
    l.notice = notice.filter(|n| !n.is_empty()).map(str::to_owned);
    render(&MyPage { l, check_in, current, grids, recent })
}

impl MyPage {
    fn when(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        crate::clock::format_local(*ms.borrow())
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CheckInForm {
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    accuracy: String,
}

fn opt_f64(field: &str, v: &str) -> AppResult<Option<f64>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| AppError::field(field, "请填写数字"))
}

async fn check_in(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<CheckInForm>) -> AppResult<Response> {
    let i = CheckInInput {
        lat: opt_f64("lat", &f.lat)?,
        lng: opt_f64("lng", &f.lng)?,
        accuracy: opt_f64("accuracy", &f.accuracy)?,
    };
    let (created, _) = service::check_in(&s, &a, &i).await?;
    Ok(redirect(if created { "/patrols?msg=checked_in" } else { "/patrols?msg=already" }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StartForm {
    #[serde(default)]
    grid_id: String,
}

async fn start(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<StartForm>) -> AppResult<Response> {
    let p = service::start(&s, &a, &StartInput { grid_id: opt_i64("grid_id", &f.grid_id)?, started_at: None }).await?;
    Ok(redirect(&format!("/patrols/{}", p.row.id)))
}

#[derive(Template)]
#[template(path = "patrols/detail.html")]
struct DetailPage {
    l: Layout,
    p: PatrolDetail,
    mine: bool,
    outline: Option<map::Outline>,
    track: String,
    results: &'static [(&'static str, &'static str)],
    items: Vec<ItemRow>,
}

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
    let items = p.checklist.iter().filter(|c| c.item.active).map(|c| c.item.clone()).collect();
    let notice = q.msg.as_deref().map(|m| match m {
        "started" => "巡查已开始，请保持本页面打开以记录轨迹",
        "checked" => "检查结果已保存",
        "finding" => "已记录发现的问题",
        "reported" => "已上报为事件",
        _ => "",
    });
    let mut l = Layout::for_actor(&a, "巡查详情");
    l.notice = notice.filter(|n| !n.is_empty()).map(str::to_owned);
    render(&DetailPage { l, p, mine, outline, track, results: &RESULTS, items })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EndForm {
    #[serde(default)]
    note: String,
}

async fn end(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<EndForm>,
) -> AppResult<Response> {
    // The page's script sends the last points just before this form (no version: they bump it).
    service::end(&s, &a, id, &EndInput { note: Some(f.note), version: None, points: None, ended_at: None }).await?;
    Ok(redirect(&format!("/patrols/{id}?msg=ended")))
}

async fn checks(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut items = Vec::new();
    for (k, v) in &f {
        if let Some(item) = k.strip_prefix("result_") {
            let item_id: i64 = item.parse().map_err(|_| AppError::field(k, "检查项不正确"))?;
            let note = f.get(&format!("note_{item_id}")).cloned();
            items.push(CheckInput { item_id, result: v.clone(), note });
        }
    }
    items.sort_by_key(|c| c.item_id);
    service::record_checks(&s, &a, id, &ChecksInput { items }).await?;
    Ok(redirect(&format!("/patrols/{id}?msg=checked")))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FindingForm {
    #[serde(default)]
    item_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lng: String,
    #[serde(default)]
    report: String,
}

async fn finding(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<FindingForm>,
) -> AppResult<Response> {
    let report = !f.report.is_empty();
    let i = FindingInput {
        item_id: opt_i64("item_id", &f.item_id)?,
        description: Some(f.description),
        address: Some(f.address),
        lat: opt_f64("lat", &f.lat)?,
        lng: opt_f64("lng", &f.lng)?,
        report: Some(report),
        category: None,
    };
    service::add_finding(&s, &a, id, &i).await?;
    Ok(redirect(&format!("/patrols/{id}?msg={}", if report { "reported" } else { "finding" })))
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
