//! The settings of the closed loop — category time limits and card thresholds, the work calendar —
//! and each account's in-app notifications.

use super::calendar::Limit;
use super::service::visibility;
use super::store::{self, CalendarDay, CategoryRow, NotificationRow};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::Deserialize;
use serde_json::json;

fn readable(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::ReadEvents) || actor.can(Permission::ManageEventSettings) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub async fn categories(state: &AppState, actor: &Actor) -> AppResult<Vec<CategoryRow>> {
    readable(actor)?;
    Ok(store::categories(&state.db).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub version: Option<i64>,
    pub accept_limit: Option<String>,
    pub handle_limit: Option<String>,
    pub verify_limit: Option<String>,
    pub yellow_pct: Option<i64>,
    pub red_pct: Option<i64>,
    pub required_fields: Option<String>,
    /// Verification must be by someone other than whoever completed the event (default `true`).
    pub verifier_must_differ: Option<bool>,
}

/// Changes a category's limits (`4h`, `3d`), card thresholds (percent of the limit) and required parts.
pub async fn update_category(state: &AppState, actor: &Actor, code: &str, i: &CategoryInput) -> AppResult<CategoryRow> {
    actor.require(Permission::ManageEventSettings)?;
    let cur = store::category(&state.db, code).await?.ok_or_else(|| AppError::not_found("事件类别"))?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let mut e = FieldErrors::new();
    let mut limit = |field: &str, v: &Option<String>, cur: &str| -> String {
        let v = v.clone().unwrap_or_else(|| cur.to_owned());
        if Limit::parse(&v).is_none() {
            e.insert(field.into(), "时限写作“数字+h”（工作小时）或“数字+d”（工作日），如 4h、3d".into());
        }
        v
    };
    let accept = limit("accept_limit", &i.accept_limit, &cur.accept_limit);
    let handle = limit("handle_limit", &i.handle_limit, &cur.handle_limit);
    let verify = limit("verify_limit", &i.verify_limit, &cur.verify_limit);
    let yellow = i.yellow_pct.unwrap_or(cur.yellow_pct);
    let red = i.red_pct.unwrap_or(cur.red_pct);
    if !(1..=500).contains(&yellow) || !(1..=500).contains(&red) || yellow > red {
        e.insert("yellow_pct".into(), "黄牌、红牌阈值为时限的百分比（1–500），黄牌不能晚于红牌".into());
    }
    let required = i.required_fields.clone().unwrap_or(cur.required_fields.clone());
    let parts: Vec<&str> = required.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| !super::model::DETAIL_PARTS.iter().any(|(k, _)| k == p)) || !parts.contains(&"what") {
        e.insert("required_fields".into(), "必填描述项只能是 what、where、when、who、how_many，且必须包含 what".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let required = parts.join(",");
    let differ = i.verifier_must_differ.unwrap_or(cur.verifier_must_differ);
    let mut tx = state.db.begin().await?;
    if !store::update_category_limits(
        &mut tx, code, version, &accept, &handle, &verify, yellow, red, &required, differ, actor.now,
    )
    .await?
    {
        return Err(AppError::Conflict("类别已被他人修改，请刷新后重试".into()));
    }
    let before = json!({ "accept_limit": cur.accept_limit, "handle_limit": cur.handle_limit, "verify_limit": cur.verify_limit,
        "yellow_pct": cur.yellow_pct, "red_pct": cur.red_pct, "required_fields": cur.required_fields,
        "verifier_must_differ": cur.verifier_must_differ });
    let after = json!({ "accept_limit": accept, "handle_limit": handle, "verify_limit": verify, "yellow_pct": yellow,
        "red_pct": red, "required_fields": required, "verifier_must_differ": differ });
    audit::record(
        &mut tx,
        &actor.audit(),
        "event_category_updated",
        "event_category",
        code,
        audit::changes(&before, &after),
    )
    .await?;
    tx.commit().await?;
    store::category(&state.db, code).await?.ok_or_else(|| AppError::not_found("事件类别"))
}

/// The work calendar with its stored days (for other domains that count working days).
pub async fn work_calendar(db: &crate::db::Db) -> AppResult<super::calendar::WorkCalendar> {
    Ok(store::calendar(db).await?)
}

pub async fn calendar(state: &AppState, actor: &Actor) -> AppResult<Vec<CalendarDay>> {
    readable(actor)?;
    Ok(store::calendar_days(&state.db).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayInput {
    pub day: String,
    /// `true` a working day, `false` a day off, absent: back to the weekday rule.
    pub working: Option<bool>,
    pub note: Option<String>,
}

pub async fn set_day(state: &AppState, actor: &Actor, i: &DayInput) -> AppResult<()> {
    actor.require(Permission::ManageEventSettings)?;
    let day = chrono::NaiveDate::parse_from_str(i.day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("day", "日期格式应为 年-月-日，如 2027-02-06"))?
        .to_string();
    let note = i.note.clone().unwrap_or_default();
    if note.chars().count() > 30 {
        return Err(AppError::field("note", "说明最多 30 个字"));
    }
    let mut tx = state.db.begin().await?;
    store::set_calendar_day(&mut tx, &day, i.working, &note, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "work_calendar_set",
        "work_calendar",
        &day,
        json!({ "working": i.working, "note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn notifications(
    state: &AppState,
    actor: &Actor,
    page: Option<i64>,
    per_page: Option<i64>,
) -> AppResult<Page<NotificationRow>> {
    visibility(actor)?;
    Ok(store::notifications(&state.db, actor.id, Paging::new(page, per_page)).await?)
}

pub async fn unread(state: &AppState, actor: &Actor) -> AppResult<i64> {
    Ok(store::unread_count(&state.db, actor.id).await?)
}

pub async fn mark_read(state: &AppState, actor: &Actor) -> AppResult<u64> {
    visibility(actor)?;
    Ok(store::mark_read(&state.db, actor.id, actor.now).await?)
}
