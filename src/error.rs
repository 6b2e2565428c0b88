//! The one error type of the application, mapped once to an HTTP answer `{code, message, fields}`.
//!
//! Messages are Chinese and meant for people; the internal cause of a 500 goes only to the log,
//! tagged with the request id. Page routes turn the same answer into an HTML page (see `web::errors`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

/// Field name → Chinese message.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Invalid { message: String, fields: FieldErrors },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("请先修改初始密码")]
    PasswordChangeRequired,
    #[error("请先设置动态口令（两步验证）")]
    TotpSetupRequired,
    #[error("页面已过期或来源不明，请刷新页面后重试")]
    Csrf,
    #[error("{0}")]
    TooManyRequests(String),
    /// Too many requests, with how long to wait (sent as `Retry-After`).
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: i64 },
    #[error("不支持该请求方法")]
    MethodNotAllowed,
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedType(String),
    /// The address (path and query) is longer than any page or search needs.
    #[error("网址太长（超过 {0} 个字符），请缩短搜索内容后重试")]
    UriTooLong(usize),
    #[error("系统内部错误，请稍后再试")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// The JSON error body every API client sees.
#[derive(Debug, Serialize, Clone)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    pub fields: FieldErrors,
}

impl AppError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), message.clone());
        AppError::Invalid { message, fields }
    }

    /// A validation error on several fields at once.
    pub fn fields(fields: FieldErrors) -> Self {
        let message = fields.values().next().cloned().unwrap_or_else(|| "输入有误".into());
        let message =
            if fields.len() > 1 { format!("{message}（另有 {} 处错误）", fields.len() - 1) } else { message };
        AppError::Invalid { message, fields }
    }

    /// Keeps a validated value, or adds its field errors to `errors` and answers an empty one,
    /// so a form reports every bad field at once.
    pub fn gather(errors: &mut FieldErrors, r: AppResult<String>) -> String {
        match r {
            Ok(v) => v,
            Err(AppError::Invalid { fields, .. }) => {
                errors.extend(fields);
                String::new()
            }
            Err(_) => String::new(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what}不存在或无权查看"))
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("无权进行此操作".into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::PasswordChangeRequired | AppError::TotpSetupRequired => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { .. } => "invalid_input",
            AppError::NotFound(_) => "not_found",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::TotpSetupRequired => "totp_setup_required",
            AppError::Csrf => "csrf_failed",
            AppError::TooManyRequests(_) | AppError::RateLimited { .. } => "too_many_requests",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedType(_) => "unsupported_type",
            AppError::UriTooLong(_) => "uri_too_long",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        let fields = match self {
            AppError::Invalid { fields, .. } => fields.clone(),
            _ => FieldErrors::new(),
        };
        ErrorBody { code: self.code(), message: self.to_string(), fields }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::db::is_unique_violation(&e) {
            return AppError::Conflict("数据已存在（编码或名称重复）".into());
        }
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let body = self.body();
        let mut resp = (self.status(), Json(body.clone())).into_response();
        if let AppError::RateLimited { retry_after_secs, .. } = &self {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(*retry_after_secs));
        }
        resp.extensions_mut().insert(body);
        resp
    }
}
