//! The staff's side of a resident report: its tracking code and the call-back phone (masked; the
//! full number only with a stated reason, audited), and public replies (公开答复) that the tracking
//! page shows — signed by the unit, and by the writer's name only if they choose.

use super::model::display_code;
use super::store::{self, ReplyRow};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::events::reads::{self as event_reads, EventRow};
use crate::domains::events::service::visibility;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Serialize;
use serde_json::json;

/// What staff see of a resident report on an event.
#[derive(Debug, Clone, Serialize)]
pub struct ResidentInfo {
    pub event_id: i64,
    pub title: String,
    pub tracking_code: String,
    pub code_text: String,
    pub source: String,
    pub callback_phone_masked: Option<String>,
    pub replies: Vec<ReplyRow>,
}

/// The event (visible to the caller) and its resident report.
async fn visible(state: &AppState, actor: &Actor, event_id: i64) -> AppResult<(EventRow, store::ReportRow)> {
    let vis = visibility(actor)?;
    let e = event_reads::get(&state.db, &vis, event_id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    let r = store::report_by_event(&state.db, event_id)
        .await?
        .ok_or_else(|| AppError::NotFound("这件事件不是群众通过随手拍或接口反映的".into()))?;
    Ok((e, r))
}

pub async fn info(state: &AppState, actor: &Actor, event_id: i64) -> AppResult<ResidentInfo> {
    let (e, r) = visible(state, actor, event_id).await?;
    Ok(ResidentInfo {
        event_id,
        title: e.title,
        code_text: display_code(&r.tracking_code),
        tracking_code: r.tracking_code,
        source: r.source,
        callback_phone_masked: r.phone_masked,
        replies: store::replies_of(&state.db, event_id).await?,
    })
}

/// The full call-back phone, for calling the resident back: needs `UnmaskPersonalData` and a
/// reason; the reading is audited.
pub async fn reveal_phone(state: &AppState, actor: &Actor, event_id: i64, reason: &str) -> AppResult<String> {
    actor.require(Permission::UnmaskPersonalData)?;
    let reason = reason.trim();
    if reason.chars().count() < 2 || reason.chars().count() > 200 {
        return Err(AppError::field("reason", "请说明查看完整号码的原因（2–200 字）"));
    }
    let (_, r) = visible(state, actor, event_id).await?;
    let enc = r.phone_enc.ok_or_else(|| AppError::NotFound("反映人没有留电话".into()))?;
    let phone = state.keys.decrypt_str(&enc).map_err(AppError::Internal)?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "callback_phone_revealed",
        "event",
        event_id,
        json!({ "reason": reason, "phone": r.phone_masked }),
    )
    .await?;
    tx.commit().await?;
    Ok(phone)
}

/// Publishes a reply on the tracking page. Staff who may handle events and see the event may write
/// one; replies are never edited (a correction is a new reply).
pub async fn reply(state: &AppState, actor: &Actor, event_id: i64, body: &str, signed: bool) -> AppResult<ReplyRow> {
    actor.require(Permission::HandleEvents)?;
    let body = body.trim();
    let n = body.chars().count();
    if n < 5 {
        return Err(AppError::field("body", "答复至少 5 个字"));
    }
    if n > 1000 {
        return Err(AppError::field("body", "答复最多 1000 字"));
    }
    if body.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(AppError::field("body", "答复含有不可见字符"));
    }
    visible(state, actor, event_id).await?;
    let unit = unit_of(state, actor).await?;
    let signed_name = if signed { actor.display_name.clone() } else { String::new() };
    let mut tx = state.db.begin().await?;
    let id = store::insert_reply(&mut tx, event_id, body, &unit, &signed_name, actor.id, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "public_reply_published",
        "event",
        event_id,
        json!({ "reply_id": id, "body": body, "signed": signed }),
    )
    .await?;
    tx.commit().await?;
    Ok(ReplyRow { id, event_id, body: body.to_owned(), unit_name: unit, signed_name, created_at: actor.now })
}

/// The unit a reply is signed with: the writer's department or area.
async fn unit_of(state: &AppState, actor: &Actor) -> AppResult<String> {
    use crate::auth::Scope;
    Ok(match &actor.scope {
        Scope::Department { department_id, .. } => {
            crate::domains::org::tree::department(&state.db, "/", *department_id).await?.map(|d| d.name)
        }
        Scope::Area { area_id, .. } => crate::domains::org::tree::get(&state.db, "/", *area_id).await?.map(|a| a.name),
    }
    .unwrap_or_else(|| "承办单位".into()))
}
