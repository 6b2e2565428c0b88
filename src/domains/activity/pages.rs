//! Activity and supervision-settings pages: the activity of an area's units for a month or week
//! with the accounts not used; the thresholds and the assessment rules, for the county centre.

use super::service::{self, ActivityFigures, ActivityQuery, SettingsInput};
use crate::auth::{Actor, Permission};
use crate::domains::assessment::model::Rule;
use crate::domains::assessment::service::{self as assessment, RuleInput};
use crate::domains::events::figures::percent;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::pages::{Layout, MsgQuery, redirect, refusal, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    let settings = Access::Perm(Permission::ManageSupervisionSettings);
    vec![
        get(
            "/activity",
            Access::Perm(Permission::ReadSupervision),
            "账号活跃度页：下级单位和部门的活跃度、本期未使用的账号",
            page,
        ),
        get("/settings/supervision", settings, "督导设置页：活跃度门槛、考核规则", settings_page),
        post("/settings/supervision/activity", settings, "保存活跃度门槛（页面表单）", save_activity),
        post("/settings/supervision/rules/{code}", settings, "保存一条考核规则（页面表单）", save_rule),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(default)]
    area: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    week: String,
}

#[derive(Template)]
#[template(path = "activity/page.html")]
struct ActivityPage {
    l: Layout,
    f: ActivityFigures,
    /// `2026-11`: the last full month, for the link beside "this month to date".
    last_month: String,
}

impl ActivityPage {
    fn pct(&self, r: &Option<f64>) -> String {
        percent(*r)
    }
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<Query>) -> AppResult<Response> {
    let aq = ActivityQuery {
        area: crate::web::form::opt_i64("area", &q.area)?,
        month: Some(q.month).filter(|m| !m.is_empty()),
        week: Some(q.week).filter(|w| !w.is_empty()),
    };
    let f = service::report(&s, &a, &aq).await?;
    let today = crate::clock::to_local(a.now).date_naive();
    let last_month = super::model::ReportPeriod::month_of(today).previous().key();
    render(&ActivityPage { l: Layout::for_actor(&a, "账号活跃度"), f, last_month })
}

#[derive(Template)]
#[template(path = "activity/settings.html")]
struct SettingsPage {
    l: Layout,
    s: super::model::ActivitySettings,
    rules: Vec<Rule>,
    error: Option<String>,
}

impl SettingsPage {
    fn num(&self, x: &f64) -> String {
        if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }
    }
}

async fn view(s: &AppState, a: &Actor, msg: Option<&str>, error: Option<String>) -> AppResult<Response> {
    let l = Layout::for_actor(a, "督导设置").with_notice(msg);
    render(&SettingsPage { l, s: service::settings(&s.db).await?, rules: assessment::rules(s, a).await?, error })
}

async fn settings_page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<MsgQuery>) -> AppResult<Response> {
    view(&s, &a, q.msg.as_deref(), None).await
}

/// Shows the page again with the refusal.
async fn refused(s: &AppState, a: &Actor, e: AppError) -> AppResult<Response> {
    let (status, message) = refusal(e)?;
    let mut r = view(s, a, None, Some(message)).await?;
    *r.status_mut() = status;
    Ok(r.into_response())
}

fn number<T: std::str::FromStr>(field: &str, v: &str) -> AppResult<T> {
    v.trim().parse().map_err(|_| AppError::field(field, "请填写数字"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityForm {
    min_days_month: String,
    min_days_week: String,
    #[serde(default)]
    counts_reads: String,
}

async fn save_activity(
    State(s): State<AppState>,
    a: Actor,
    PageForm(f): PageForm<ActivityForm>,
) -> AppResult<Response> {
    let input = (|| {
        Ok::<_, AppError>(SettingsInput {
            min_days_month: Some(number("min_days_month", &f.min_days_month)?),
            min_days_week: Some(number("min_days_week", &f.min_days_week)?),
            counts_reads: Some(f.counts_reads == "on"),
        })
    })();
    match input {
        Ok(i) => match service::update_settings(&s, &a, &i).await {
            Ok(_) => Ok(redirect("/settings/supervision?msg=saved")),
            Err(e) => refused(&s, &a, e).await,
        },
        Err(e) => refused(&s, &a, e).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleForm {
    version: i64,
    name: String,
    points: String,
    max_points: String,
    #[serde(default)]
    enabled: String,
}

async fn save_rule(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(code): ApiPath<String>,
    PageForm(f): PageForm<RuleForm>,
) -> AppResult<Response> {
    let input = (|| {
        Ok::<_, AppError>(RuleInput {
            version: f.version,
            name: Some(f.name.clone()),
            points: Some(number("points", &f.points)?),
            max_points: Some(number("max_points", &f.max_points)?),
            enabled: Some(f.enabled == "on"),
        })
    })();
    let result = match input {
        Ok(i) => assessment::update_rule(&s, &a, &code, &i).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(redirect("/settings/supervision?msg=saved")),
        Err(e) => refused(&s, &a, e).await,
    }
}
