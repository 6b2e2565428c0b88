//! The audit search page (audit administrators only).

use super::{AuditQuery, AuditRow, search};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::pages::{Layout, render};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![get("/audit", Access::Perm(Permission::ReadAudit), "审计记录检索", audit_page)]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Form {
    #[serde(default)]
    username: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object_type: String,
    #[serde(default)]
    object_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "audit/search.html")]
struct AuditPage {
    l: Layout,
    f: Form,
    list: Page<AuditRow>,
    prev: Option<String>,
    next: Option<String>,
}

impl AuditPage {
    fn when(&self, ms: &i64) -> String {
        crate::clock::format_local(*ms)
    }
}

/// The start of a local (UTC+8) day in milliseconds.
fn day_start(date: &str) -> AppResult<Option<i64>> {
    if date.trim().is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| crate::error::AppError::field("from", "日期格式应为 年-月-日"))?;
    let tz = chrono::FixedOffset::east_opt(crate::clock::CST_OFFSET_SECONDS)
        .ok_or_else(|| crate::error::AppError::Internal(anyhow::anyhow!("offset")))?;
    Ok(d.and_hms_opt(0, 0, 0).and_then(|t| tz.from_local_datetime(&t).single()).map(|t| t.timestamp_millis()))
}

async fn audit_page(State(s): State<AppState>, a: Actor, ApiQuery(f): ApiQuery<Form>) -> AppResult<Response> {
    let q = AuditQuery {
        username: Some(f.username.clone()),
        action: Some(f.action.clone()),
        object_type: Some(f.object_type.clone()),
        object_id: Some(f.object_id.clone()),
        from: day_start(&f.from)?,
        to: day_start(&f.to)?.map(|t| t + crate::clock::DAY),
        page: crate::web::form::opt_i64("page", &f.page)?,
        per_page: Some(50),
    };
    let list = search(&s.db, &q).await?;
    let enc = crate::web::form::urlencode;
    let base = format!(
        "/audit?username={}&action={}&object_type={}&object_id={}&from={}&to={}",
        enc(&f.username),
        enc(&f.action),
        enc(&f.object_type),
        enc(&f.object_id),
        enc(&f.from),
        enc(&f.to)
    );
    let prev = list.has_prev().then(|| format!("{base}&page={}", list.page - 1));
    let next = list.has_next().then(|| format!("{base}&page={}", list.page + 1));
    render(&AuditPage { l: Layout::for_actor(&a, "审计记录"), f, list, prev, next })
}
