//! The audit search page (audit administrators only).

use super::labels::{self, Line};
use super::{AuditQuery, AuditRow, search};
use crate::auth::{Actor, Permission};
use crate::domains::org::accounts::AccountName;
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
use std::collections::HashMap;

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
    rows: Vec<RowView>,
    actions: &'static [(&'static str, &'static str)],
    objects: &'static [(&'static str, &'static str)],
    prev: Option<String>,
    next: Option<String>,
}

/// One row as the audit administrator reads it.
struct RowView {
    id: i64,
    at: String,
    /// `张三（网格员 · 嫩水社区第一网格）`, or what a system actor is.
    who: String,
    username: String,
    action: String,
    action_code: String,
    object: String,
    lines: Vec<Line>,
    ip: String,
}

fn view(r: &AuditRow, names: &HashMap<i64, AccountName>) -> RowView {
    let who = match r.account_id.and_then(|id| names.get(&id)) {
        _ if let Some(sys) = labels::system_actor_label(&r.username) => sys.to_owned(),
        Some(n) if n.unit_name.is_empty() => format!("{}（{}）", n.display_name, n.role_label),
        Some(n) => format!("{}（{} · {}）", n.display_name, n.role_label, n.unit_name),
        None => r.username.clone(),
    };
    let named = (r.object_type == "account").then(|| r.object_id.parse::<i64>().ok()).flatten();
    let object = match (r.object_id.as_str(), named.and_then(|id| names.get(&id))) {
        ("", _) => labels::object_label(&r.object_type).to_owned(),
        (id, Some(n)) => format!("账号 {id}（{}）", n.display_name),
        (id, None) => format!("{} {id}", labels::object_label(&r.object_type)),
    };
    RowView {
        id: r.id,
        at: crate::clock::format_local(r.at),
        who,
        username: r.username.clone(),
        action: labels::action_label(&r.action).to_owned(),
        action_code: r.action.clone(),
        object,
        lines: labels::describe(&r.detail),
        ip: r.ip.clone(),
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
    let mut ids: Vec<i64> = list.items.iter().filter_map(|r| r.account_id).collect();
    ids.extend(
        list.items.iter().filter(|r| r.object_type == "account").filter_map(|r| r.object_id.parse::<i64>().ok()),
    );
    ids.sort_unstable();
    ids.dedup();
    let names = crate::domains::org::accounts::names(&s.db, &ids).await?;
    let rows = list.items.iter().map(|r| view(r, &names)).collect();
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
    let (actions, objects) = (labels::ACTIONS, labels::objects());
    render(&AuditPage { l: Layout::for_actor(&a, "审计记录"), f, list, rows, actions, objects, prev, next })
}
