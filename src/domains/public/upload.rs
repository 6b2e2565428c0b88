//! Reading a resident's multipart upload: short text fields and up to a few photos, with the size
//! limits applied while reading (nothing larger than allowed is buffered).

use super::model::{MAX_PHOTOS, MAX_TOTAL_PHOTO_BYTES};
use crate::domains::events::service::Photo;
use crate::error::{AppError, AppResult};
use axum::extract::Multipart;
use std::collections::HashMap;

/// Largest text field (a description of 1000 Chinese characters is about 3 KB).
const MAX_TEXT_BYTES: usize = 8 * 1024;
/// Text fields at most (the form has a handful).
const MAX_FIELDS: usize = 20;

/// The text fields (last one wins) and the non-empty `photos` files of a form.
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub photos: Vec<Photo>,
}

impl Upload {
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Reads the form; a photo over `max_photo` bytes, too many photos or too many bytes together are
/// refused on the `photos` field.
pub async fn read(mut mp: Multipart, max_photo: usize) -> AppResult<Upload> {
    let broken = || AppError::field("photos", "上传没有完成，请重新提交");
    let mut fields = HashMap::new();
    let mut photos = Vec::new();
    let mut total = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(|_| broken())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photos" {
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
                if buf.len() + chunk.len() > max_photo {
                    return Err(AppError::field("photos", format!("每张照片不能超过 {} MB", max_photo / 1024 / 1024)));
                }
                total += chunk.len();
                if total > MAX_TOTAL_PHOTO_BYTES {
                    return Err(AppError::field(
                        "photos",
                        format!("照片合计不能超过 {} MB", MAX_TOTAL_PHOTO_BYTES / 1024 / 1024),
                    ));
                }
                buf.extend_from_slice(&chunk);
            }
            if buf.is_empty() {
                continue; // a file input left empty
            }
            if photos.len() == MAX_PHOTOS {
                return Err(AppError::field("photos", format!("最多上传 {MAX_PHOTOS} 张照片")));
            }
            photos.push(Photo(buf));
            continue;
        }
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
            if buf.len() + chunk.len() > MAX_TEXT_BYTES {
                return Err(AppError::field(&name, "填写的内容太长"));
            }
            buf.extend_from_slice(&chunk);
        }
        if fields.len() >= MAX_FIELDS {
            return Err(AppError::field("_", "提交的内容不正确"));
        }
        let text = String::from_utf8(buf).map_err(|_| AppError::field(&name, "填写的内容不是有效的文字"))?;
        fields.insert(name, text);
    }
    Ok(Upload { fields, photos })
}

/// A coordinate from two optional text fields: both empty is none; anything else must parse.
pub fn location(lon: &str, lat: &str) -> AppResult<Option<(f64, f64)>> {
    let (lon, lat) = (lon.trim(), lat.trim());
    if lon.is_empty() && lat.is_empty() {
        return Ok(None);
    }
    match (lon.parse::<f64>(), lat.parse::<f64>()) {
        (Ok(x), Ok(y)) if x.is_finite() && y.is_finite() => Ok(Some((x, y))),
        _ => Err(AppError::field("location", "位置不正确，请重新定位或写清地点")),
    }
}
