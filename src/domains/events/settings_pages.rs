//! The settings page of the closed loop (县综治中心, system administrator): each category's time
//! limits, card thresholds and required description parts, and the work calendar's overrides.

use super::model::DETAIL_PARTS;
use super::pages::{MixedForm, with_status};
use super::settings::{self, CategoryInput, DayInput};
use super::store::{CalendarDay, CategoryRow};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "events/settings.html")]
struct SettingsPage {
    l: Layout,
    categories: Vec<CategoryRow>,
    days: Vec<CalendarDay>,
    parts: &'static [(&'static str, &'static str)],
    error: Option<String>,
    errors: FieldErrors,
    /// The category code (or `calendar`) whose form came back with errors.
    failed: String,
}

impl SettingsPage {
    fn has_part(&self, c: &CategoryRow, part: &str) -> bool {
        c.required_fields.split(',').any(|p| p.trim() == part)
    }
    fn part_names(&self, c: &CategoryRow) -> String {
        DETAIL_PARTS.iter().filter(|(k, _)| self.has_part(c, k)).map(|(_, l)| *l).collect::<Vec<_>>().join("、")
    }
}

async fn view(
    s: &AppState,
    a: &Actor,
    notice: Option<&str>,
    error: Option<String>,
    errors: FieldErrors,
    failed: &str,
) -> AppResult<Response> {
    let mut l = Layout::for_actor(a, "事件设置");
    l.notice = match notice {
        Some("saved") => Some("类别时限已保存".into()),
        Some("day") => Some("工作日历已更新".into()),
        _ => None,
    };
    render(&SettingsPage {
        l,
        categories: settings::categories(s, a).await?,
        days: settings::calendar(s, a).await?,
        parts: &DETAIL_PARTS,
        error,
        errors,
        failed: failed.to_owned(),
    })
}

pub async fn settings_page(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    view(&s, &a, q.msg.as_deref(), None, FieldErrors::new(), "").await
}

/// Shows the page again with what went wrong in one form.
async fn refused(s: &AppState, a: &Actor, e: AppError, failed: &str) -> AppResult<Response> {
    match e {
        AppError::Invalid { message, fields } => {
            with_status(StatusCode::UNPROCESSABLE_ENTITY, view(s, a, None, Some(message), fields, failed).await)
        }
        AppError::Conflict(m) => {
            with_status(StatusCode::CONFLICT, view(s, a, None, Some(m), FieldErrors::new(), failed).await)
        }
        other => Err(other),
    }
}

fn number(e: &mut FieldErrors, field: &str, v: &str) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let n = v.parse().ok();
    if n.is_none() {
        e.insert(field.into(), "请填写整数".into());
    }
    n
}

pub async fn update_category(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(code): ApiPath<String>,
    f: MixedForm,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let text = |k: &str| Some(f.get(k).to_owned()).filter(|v| !v.is_empty());
    let input = CategoryInput {
        version: number(&mut errors, "version", f.get("version")),
        accept_limit: text("accept_limit"),
        handle_limit: text("handle_limit"),
        verify_limit: text("verify_limit"),
        yellow_pct: number(&mut errors, "yellow_pct", f.get("yellow_pct")),
        red_pct: number(&mut errors, "red_pct", f.get("red_pct")),
        required_fields: Some(f.all("required").join(",")),
        verifier_must_differ: Some(f.get("verifier_must_differ") == "1"),
    };
    let result = if errors.is_empty() {
        settings::update_category(&s, &a, &code, &input).await.map(|_| ())
    } else {
        Err(AppError::fields(errors))
    };
    match result {
        Ok(()) => Ok(redirect("/settings/events?msg=saved")),
        Err(e) => refused(&s, &a, e, &code).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayForm {
    day: String,
    working: String,
    #[serde(default)]
    note: String,
}

pub async fn set_day(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<DayForm>) -> AppResult<Response> {
    let working = match f.working.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let input = DayInput { day: f.day, working, note: Some(f.note.trim().to_owned()).filter(|n| !n.is_empty()) };
    match settings::set_day(&s, &a, &input).await {
        Ok(()) => Ok(redirect("/settings/events?msg=day")),
        Err(e) => refused(&s, &a, e, "calendar").await,
    }
}
