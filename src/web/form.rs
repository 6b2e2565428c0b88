//! Helpers every page form uses: integers typed into a form field, URL-encoding for links.

use crate::error::{AppError, AppResult};

pub use super::pages::urlencode;

/// Parses an optional integer typed into a form ("" → none).
pub fn opt_i64(field: &str, v: &str) -> AppResult<Option<i64>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| AppError::field(field, "请填写整数"))
}

/// Parses a required integer typed into a form.
pub fn req_i64(field: &str, v: &str) -> AppResult<i64> {
    opt_i64(field, v)?.ok_or_else(|| AppError::field(field, "请填写此项"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_typed_into_forms() {
        assert_eq!(opt_i64("area", " 12 ").unwrap(), Some(12));
        assert_eq!(opt_i64("area", "").unwrap(), None);
        assert!(opt_i64("area", "十二").is_err());
        assert!(req_i64("area", " ").is_err());
        assert_eq!(req_i64("area", "7").unwrap(), 7);
    }
}
