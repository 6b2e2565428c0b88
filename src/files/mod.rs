//! File storage: a trait-shaped local-filesystem store under the data dir, and content checks for uploads.
//!
//! Files are stored under generated names, never the client's; the type is decided from the bytes,
//! not from the name or the header the client sent.

mod store;
pub use store::insert_file_row;

use crate::error::{AppError, AppResult};
use std::path::PathBuf;

/// The image types accepted for photos.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
}

impl ImageType {
    /// Recognises an image by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.len() >= 3 && bytes[..3] == [0xFF, 0xD8, 0xFF] {
            Some(ImageType::Jpeg)
        } else if bytes.len() >= 8 && bytes[..8] == [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A] {
            Some(ImageType::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }
}

/// Checks an uploaded photo: not empty, not too big, really a JPEG, PNG or WebP.
pub fn check_photo(field: &str, bytes: &[u8], max: usize) -> AppResult<ImageType> {
    if bytes.is_empty() {
        return Err(AppError::field(field, "请选择照片文件"));
    }
    if bytes.len() > max {
        return Err(AppError::TooLarge(format!("照片不能超过 {} MB", max / (1024 * 1024))));
    }
    ImageType::sniff(bytes).ok_or_else(|| AppError::UnsupportedType("照片只能是 JPEG、PNG 或 WebP 图片".into()))
}

/// Files on the local disk, under `<data-dir>/files/ab/abcdef…`.
#[derive(Clone, Debug)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: PathBuf) -> Self {
        LocalFiles { root }
    }

    fn path_of(&self, id: &str) -> AppResult<PathBuf> {
        if id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(AppError::not_found("文件"));
        }
        Ok(self.root.join(&id[..2]).join(id))
    }

    /// Stores bytes under a new random name and answers that name.
    pub async fn put(&self, bytes: &[u8]) -> AppResult<String> {
        let id = hex::encode(crate::auth::secret::random_bytes(16));
        let path = self.path_of(&id)?;
        if let Some(dir) = path.parent() {
            let dir = dir.to_owned();
            tokio::task::spawn_blocking(move || crate::crypto::create_private_dir(&dir))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
                .map_err(AppError::Internal)?;
        }
        // Readable by its owner only: photos and exports carry personal data.
        let tmp = path.with_extension("part");
        let (part, owned) = (tmp.clone(), bytes.to_vec());
        tokio::task::spawn_blocking(move || crate::crypto::write_private(&part, &owned))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(AppError::Internal)?;
        tokio::fs::rename(&tmp, &path).await.map_err(|e| AppError::Internal(e.into()))?;
        Ok(id)
    }

    pub async fn get(&self, id: &str) -> AppResult<Vec<u8>> {
        let path = self.path_of(id)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::not_found("文件")),
            Err(e) => Err(AppError::Internal(e.into())),
        }
    }

    /// Removes a stored file (used when the transaction that referenced it failed).
    pub async fn remove(&self, id: &str) {
        if let Ok(path) = self.path_of(id) {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_images_by_content() {
        assert_eq!(ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageType::Jpeg));
        assert_eq!(ImageType::sniff(b"\x89PNG\r\n\x1a\nxxxx"), Some(ImageType::Png));
        assert_eq!(ImageType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(ImageType::sniff(b"<html><script>"), None);
        assert!(check_photo("photo", b"", 10).is_err());
        assert!(matches!(check_photo("photo", &[0xFF, 0xD8, 0xFF, 0, 0], 4), Err(AppError::TooLarge(_))));
        assert!(matches!(check_photo("photo", b"GIF89a....", 100), Err(AppError::UnsupportedType(_))));
    }

    #[tokio::test]
    async fn stores_under_generated_names() {
        let dir = tempfile::tempdir().unwrap();
        let files = LocalFiles::new(dir.path().to_path_buf());
        let id = files.put(b"hello").await.unwrap();
        assert_eq!(files.get(&id).await.unwrap(), b"hello");
        assert!(files.get("../../etc/passwd").await.is_err());
    }
}
