//! A request posted through Open311 becomes a resident report: the grid comes from the coordinates
//! (or `attribute[grid]` for an address alone), the resident intake applies abuse control, duplicate
//! detection and files the event; then a token for the request is written with the key and audited.

use super::key_store::KeyRow;
use super::model::{GRID_ATTRIBUTE, Posted, quoted};
use super::render::Created;
use super::store::{self, NewPost};
use crate::audit::{self, AuditCtx};
use crate::domains::public::intake::{self, ResidentReport, Source};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::meta::RequestMeta;
use serde_json::json;

/// The answer and whether a new request was filed (`false`: the same problem was reported a short
/// while ago and the post joined it).
pub struct Outcome {
    pub created: Created,
    pub new: bool,
}

/// The intake names its own fields; an Open311 client knows the spec's.
fn spec_fields(err: AppError) -> AppError {
    match err {
        AppError::Invalid { fields, .. } if !fields.is_empty() => {
            let fields: FieldErrors = fields
                .into_iter()
                .map(|(k, v)| {
                    let k = match k.as_str() {
                        "category" => "service_code".to_owned(),
                        "location" => "lat".to_owned(),
                        "address" => "address_string".to_owned(),
                        "callback_phone" => "phone".to_owned(),
                        "grid_id" => format!("attribute[{GRID_ATTRIBUTE}]"),
                        _ => k,
                    };
                    (k, v)
                })
                .collect();
            AppError::fields(fields)
        }
        other => other,
    }
}

pub async fn create(state: &AppState, key: &KeyRow, p: &Posted, meta: &RequestMeta) -> AppResult<Outcome> {
    let service =
        super::service::services(state).await?.into_iter().find(|s| s.service_code == p.service_code).ok_or_else(
            || {
                AppError::field(
                    "service_code",
                    format!("service_code {} 不存在或不接受群众反映，见 services.json", quoted(&p.service_code)),
                )
            },
        )?;
    // Coordinates find the grid in the intake; an address alone needs the grid named.
    let grid_id = match (&p.grid_code, p.lat) {
        (Some(code), None) => Some(store::grid_by_code(&state.db, code).await?.ok_or_else(|| {
            AppError::field(
                &format!("attribute[{GRID_ATTRIBUTE}]"),
                format!("网格编码 {} 不存在或已撤销（见网格公示牌）", quoted(code)),
            )
        })?),
        _ => None,
    };
    let report = ResidentReport {
        grid_id,
        category: p.service_code.clone(),
        description: p.description.clone(),
        location: p.lon.zip(p.lat),
        address: p.address.clone(),
        photos: vec![],
        callback_phone: p.phone.clone(),
    };
    let source = Source::Open311 { api_key_id: key.id, meta: meta.clone() };
    let receipt = intake::accept(state, report, source).await.map_err(spec_fields)?;
    let token = crate::auth::secret::random_token();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let post = NewPost {
        token: &token,
        event_id: receipt.event_id,
        key_id: key.id,
        media_url: &p.media_url,
        duplicate: receipt.duplicate,
    };
    store::insert_post(&mut tx, &post, now).await?;
    let ctx = AuditCtx {
        account_id: None,
        username: format!("Open311：{}", key.name),
        ip: meta.ip.clone(),
        request_id: meta.request_id.clone(),
        now,
    };
    audit::record(
        &mut tx,
        &ctx,
        "open311_request_posted",
        "event",
        receipt.event_id,
        json!({ "api_key_id": key.id, "service_code": p.service_code, "duplicate": receipt.duplicate }),
    )
    .await?;
    tx.commit().await?;
    let service_notice = if receipt.duplicate {
        "同样的问题刚刚已有人反映，这次提交已并入同一件办理".to_owned()
    } else {
        format!("已收到，将按时限办理。{}", service.description)
    };
    let created = Created { service_request_id: receipt.tracking_code, token, service_notice, account_id: None };
    Ok(Outcome { created, new: !receipt.duplicate })
}
