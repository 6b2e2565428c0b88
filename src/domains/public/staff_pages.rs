//! The staff's pages and JSON for the public side: printable contact cards of a grid, a community's
//! office hours form, and an event's resident report (tracking code, call-back phone, public replies).

use super::board_store::Office;
use super::office::{self, OfficeInput};
use super::replies::{self, ResidentInfo};
use super::{cards, cards::Cards};
use crate::auth::{Actor, Permission};
use crate::clock::format_local;
use crate::domains::org::tree::AreaRow;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, PageForm};
use crate::web::pages::{Layout, redirect, refusal, render};
use crate::web::routes::{Access, Entry, get, patch, post};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

const EDIT_OFFICE: Access = Access::AnyOf(&[Permission::ManageAreas, Permission::ManageStaff]);

pub fn routes() -> Vec<Entry> {
    vec![
        get(
            "/areas/{id}/contact-cards",
            Access::Perm(Permission::ReadRegister),
            "网格各户服务联系卡（打印）",
            cards_page,
        ),
        get("/areas/{id}/office", Access::Perm(Permission::ViewOrg), "社区办公时间和电话", office_page),
        post("/areas/{id}/office", EDIT_OFFICE, "保存社区办公时间和电话", office_submit),
        get("/api/v1/areas/{id}/office", Access::Perm(Permission::ViewOrg), "社区办公时间和电话", office_json),
        patch("/api/v1/areas/{id}/office", EDIT_OFFICE, "修改社区办公时间和电话", office_patch)
            .body("version, office_hours, office_phone?, office_address?"),
        get(
            "/events/{id}/public",
            Access::Perm(Permission::ReadEvents),
            "群众反映：追踪码、回访电话、公开答复",
            event_page,
        ),
        post("/events/{id}/public/replies", Access::Perm(Permission::HandleEvents), "发布公开答复", reply_submit),
        post(
            "/events/{id}/public/phone",
            Access::Perm(Permission::UnmaskPersonalData),
            "查看反映人的完整回访电话",
            phone_submit,
        ),
        get(
            "/api/v1/events/{id}/public",
            Access::Perm(Permission::ReadEvents),
            "群众反映：追踪码、脱敏回访电话、公开答复",
            event_json,
        ),
        post("/api/v1/events/{id}/public-replies", Access::Perm(Permission::HandleEvents), "发布公开答复", reply_json)
            .body("body, signed?"),
        post(
            "/api/v1/events/{id}/callback-phone",
            Access::Perm(Permission::UnmaskPersonalData),
            "查看完整回访电话（须说明原因）",
            phone_json,
        )
        .body("reason"),
    ]
}

#[derive(Template)]
#[template(path = "public/cards.html")]
struct CardsPage {
    title: String,
    c: Cards,
}

async fn cards_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let c = cards::for_grid(&s, &a, id).await?;
    render(&CardsPage { title: format!("{} 服务联系卡", c.board.grid_name), c })
}

struct RevisionView {
    at_text: String,
    actor_name: String,
    office_hours: String,
    office_phone: String,
    office_address: String,
}

#[derive(Template)]
#[template(path = "public/office.html")]
struct OfficePage {
    l: Layout,
    area: AreaRow,
    office: Office,
    revisions: Vec<RevisionView>,
    can_edit: bool,
    error: Option<String>,
}

async fn office_view(
    s: &AppState,
    a: &Actor,
    id: i64,
    error: Option<String>,
    typed: Option<Office>,
) -> AppResult<OfficePage> {
    let (area, office, revisions) = office::get(s, a, id).await?;
    let revisions = revisions
        .into_iter()
        .map(|r| RevisionView {
            at_text: format_local(r.at),
            actor_name: r.actor_name,
            office_hours: r.office_hours,
            office_phone: r.office_phone,
            office_address: r.office_address,
        })
        .collect();
    Ok(OfficePage {
        l: Layout::for_actor(a, "办公时间和电话"),
        area,
        office: typed.unwrap_or(office),
        revisions,
        can_edit: office::can_edit(a),
        error,
    })
}

async fn office_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    render(&office_view(&s, &a, id, None, None).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeForm {
    version: String,
    #[serde(default)]
    office_hours: String,
    #[serde(default)]
    office_phone: String,
    #[serde(default)]
    office_address: String,
}

async fn office_submit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<OfficeForm>,
) -> AppResult<Response> {
    let version = f.version.trim().parse().map_err(|_| AppError::field("version", "版本号不正确，请刷新后重试"))?;
    let input = OfficeInput {
        version,
        office_hours: f.office_hours.clone(),
        office_phone: f.office_phone.clone(),
        office_address: f.office_address.clone(),
    };
    match office::save(&s, &a, id, &input).await {
        Ok(_) => Ok(redirect(&format!("/areas/{id}/office"))),
        Err(e) => {
            let (status, msg) = refusal(e)?;
            let typed = Office {
                area_id: id,
                office_hours: f.office_hours,
                office_phone: f.office_phone,
                office_address: f.office_address,
                updated_at: 0,
                version,
            };
            let p = office_view(&s, &a, id, Some(msg), Some(typed)).await?;
            let html = p.render().map_err(|e| AppError::Internal(e.into()))?;
            Ok((status, Html(html)).into_response())
        }
    }
}

async fn office_json(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Office>> {
    Ok(Json(office::get(&s, &a, id).await?.1))
}

async fn office_patch(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<OfficeInput>,
) -> AppResult<Json<Office>> {
    Ok(Json(office::save(&s, &a, id, &i).await?))
}

#[derive(Template)]
#[template(path = "public/event_public.html")]
struct EventPage {
    l: Layout,
    info: ResidentInfo,
    full_phone: Option<String>,
    can_reveal: bool,
    can_reply: bool,
    error: Option<String>,
    draft: String,
}

async fn event_view(s: &AppState, a: &Actor, id: i64) -> AppResult<EventPage> {
    Ok(EventPage {
        l: Layout::for_actor(a, "群众反映"),
        info: replies::info(s, a, id).await?,
        full_phone: None,
        can_reveal: a.can(Permission::UnmaskPersonalData),
        can_reply: a.can(Permission::HandleEvents),
        error: None,
        draft: String::new(),
    })
}

async fn event_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    render(&event_view(&s, &a, id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyForm {
    #[serde(default)]
    body: String,
    signed: Option<String>,
}

async fn reply_submit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<ReplyForm>,
) -> AppResult<Response> {
    match replies::reply(&s, &a, id, &f.body, f.signed.is_some()).await {
        Ok(_) => Ok(redirect(&format!("/events/{id}/public"))),
        Err(e) => {
            let (status, msg) = refusal(e)?;
            let mut p = event_view(&s, &a, id).await?;
            p.error = Some(msg);
            p.draft = f.body;
            let html = p.render().map_err(|e| AppError::Internal(e.into()))?;
            Ok((status, Html(html)).into_response())
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhoneForm {
    #[serde(default)]
    reason: String,
}

async fn phone_submit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<PhoneForm>,
) -> AppResult<Response> {
    let mut p = event_view(&s, &a, id).await?;
    match replies::reveal_phone(&s, &a, id, &f.reason).await {
        Ok(phone) => {
            p.full_phone = Some(phone);
            render(&p)
        }
        Err(e) => {
            let (status, msg) = refusal(e)?;
            p.error = Some(msg);
            let html = p.render().map_err(|e| AppError::Internal(e.into()))?;
            Ok((status, Html(html)).into_response())
        }
    }
}

async fn event_json(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Json<ResidentInfo>> {
    Ok(Json(replies::info(&s, &a, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyInput {
    body: String,
    #[serde(default)]
    signed: bool,
}

async fn reply_json(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ReplyInput>,
) -> AppResult<(StatusCode, Json<super::store::ReplyRow>)> {
    Ok((StatusCode::CREATED, Json(replies::reply(&s, &a, id, &i.body, i.signed).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhoneInput {
    reason: String,
}

#[derive(Serialize)]
struct PhoneOut {
    callback_phone: String,
}

async fn phone_json(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<PhoneInput>,
) -> AppResult<Json<PhoneOut>> {
    Ok(Json(PhoneOut { callback_phone: replies::reveal_phone(&s, &a, id, &i.reason).await? }))
}
