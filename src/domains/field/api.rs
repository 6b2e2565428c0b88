//! JSON API of the field app: the device snapshot, photo uploads ahead of a report, and the sync
//! of queued operations. Thin: parse, call the service, answer.

use super::model::Batch;
use super::{snapshot, sync, uploads};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::routes::{Access, Entry, get, post};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::Deserialize;

const FIELD: Access = Access::Perm(Permission::FieldWork);

pub fn routes() -> Vec<Entry> {
    vec![
        get(
            "/api/v1/field/snapshot",
            FIELD,
            "外勤离线缓存：本人网格的待办、人员（脱敏）、房屋、户、出租房屋、重点场所（带版本号），会话到期时间",
            snapshot_view,
        ),
        post(
            "/api/v1/field/photos",
            FIELD,
            "外勤先传照片（multipart 字段 file；key 为手机生成的照片编号，重复上传返回同一个 upload_id）",
            upload,
        )
        .query("key"),
        post(
            "/api/v1/field/sync",
            FIELD,
            "外勤同步：一批离线操作，每条含 op_id、kind、id 或 ref_op、base_version、data、data_refs、photos；\
             逐条答复 applied / conflict（附系统中的当前记录）/ rejected（中文原因）/ retry",
            sync_batch,
        )
        .body("ops"),
    ]
}

async fn snapshot_view(State(s): State<AppState>, a: Actor) -> AppResult<Json<snapshot::Snapshot>> {
    Ok(Json(snapshot::take(&s, &a).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyQuery {
    key: String,
}

async fn upload(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<KeyQuery>,
    mut mp: Multipart,
) -> AppResult<(StatusCode, Json<uploads::UploadOut>)> {
    let mut bytes = None;
    while let Some(field) = mp.next_field().await.map_err(|_| AppError::field("file", "上传内容不完整或过大"))?
    {
        if field.name() == Some("file") {
            bytes = Some(field.bytes().await.map_err(|_| AppError::TooLarge("照片过大".into()))?);
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(|| AppError::field("file", "请选择照片"))?;
    Ok((StatusCode::CREATED, Json(uploads::put(&s, &a, &q.key, &bytes).await?)))
}

async fn sync_batch(State(s): State<AppState>, a: Actor, ApiJson(b): ApiJson<Batch>) -> AppResult<Json<sync::SyncOut>> {
    Ok(Json(sync::run(&s, &a, &b).await?))
}
