//! Photos the phone uploads ahead of the event report that uses them: checked like every photo
//! (type by content, size), kept under the phone's key so a re-sent upload answers the same id;
//! the account's abandoned uploads (older than `UPLOAD_KEEP_MS`) are removed on its next upload.

use super::{model, store};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::files::check_photo;
use crate::state::AppState;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct UploadOut {
    pub upload_id: String,
    pub size: i64,
    pub content_type: String,
}

pub async fn put(state: &AppState, actor: &Actor, key: &str, bytes: &[u8]) -> AppResult<UploadOut> {
    actor.require(Permission::ReportEvents)?;
    if !model::valid_key(key) {
        return Err(AppError::field("key", "照片编号应为 8–64 位字母、数字、- 或 _"));
    }
    if let Some(u) = store::upload_by_key(&state.db, actor.id, key).await? {
        return Ok(UploadOut { upload_id: u.id, size: u.size, content_type: u.content_type });
    }
    let kind = check_photo("file", bytes, state.config.max_photo_bytes)?;
    for file_id in store::expire_uploads(&state.db, actor.id, actor.now - model::UPLOAD_KEEP_MS).await? {
        state.files.remove(&file_id).await;
    }
    let file_id = state.files.put(bytes).await?;
    let row = store::UploadRow {
        id: hex::encode(crate::auth::secret::random_bytes(16)),
        file_id,
        content_type: kind.content_type().into(),
        size: bytes.len() as i64,
    };
    if !store::insert_upload(&state.db, actor.id, key, &row, actor.now).await? {
        // The same photo arrived twice at once: keep the first.
        state.files.remove(&row.file_id).await;
        let u = store::upload_by_key(&state.db, actor.id, key).await?.ok_or_else(|| AppError::not_found("照片"))?;
        return Ok(UploadOut { upload_id: u.id, size: u.size, content_type: u.content_type });
    }
    Ok(UploadOut { upload_id: row.id, size: row.size, content_type: row.content_type })
}
