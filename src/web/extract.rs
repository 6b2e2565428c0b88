//! Request extractors that answer bad input with the one error shape, in Chinese.

use crate::error::AppError;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Translates a serde message into a Chinese one, naming the field where possible.
pub fn explain(detail: &str) -> AppError {
    let field_of = |s: &str| s.split('`').nth(1).map(str::to_owned);
    if detail.contains("unknown field")
        && let Some(f) = field_of(detail)
    {
        return AppError::field(&f, format!("不认识的字段 {f}"));
    }
    if detail.contains("missing field")
        && let Some(f) = field_of(detail)
    {
        return AppError::field(&f, format!("缺少必填字段 {f}"));
    }
    if detail.contains("invalid type") || detail.contains("invalid digit") || detail.contains("invalid value") {
        // "Failed to deserialize …: FIELD: invalid type …" — the field sits between the first two colons.
        let field = detail.split(": ").nth(1).unwrap_or("").trim().to_owned();
        let msg = "字段类型不正确（例如应为数字）";
        if !field.is_empty()
            && field.len() < 40
            && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return AppError::field(&field, msg);
        }
        return AppError::Invalid { message: msg.into(), fields: Default::default() };
    }
    AppError::Invalid { message: "请求内容格式不正确".into(), fields: Default::default() }
}

/// JSON body with `deny_unknown_fields`-style errors turned into `{code, message, fields}`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(explain(&e.body_text())),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::UnsupportedType("请以 JSON 格式提交（Content-Type: application/json）".into()))
            }
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::TooLarge("提交的内容过大".into())),
            Err(_) => Err(AppError::Invalid { message: "JSON 格式不正确".into(), fields: Default::default() }),
        }
    }
}

/// Query string parsed into `T`, errors in the one shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(explain(&e.body_text())),
            Err(_) => {
                Err(AppError::Invalid { message: "查询参数格式不正确".into(), fields: Default::default() })
            }
        }
    }
}

/// A urlencoded form (the CSRF field already removed by the middleware).
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(FormRejection::FailedToDeserializeForm(e)) => Err(explain(&e.body_text())),
            Err(FormRejection::FailedToDeserializeFormBody(e)) => Err(explain(&e.body_text())),
            Err(_) => Err(AppError::Invalid { message: "表单内容不正确".into(), fields: Default::default() }),
        }
    }
}

/// Reads one file field from a multipart upload, refusing anything bigger than `max` bytes.
pub async fn read_file_field(mp: axum::extract::Multipart, field_name: &str, max: usize) -> Result<Vec<u8>, AppError> {
    read_named_file(mp, field_name, max).await.map(|(_, b)| b)
}

/// Reads one file field and the file name the client gave it.
pub async fn read_named_file(
    mut mp: axum::extract::Multipart,
    field_name: &str,
    max: usize,
) -> Result<(String, Vec<u8>), AppError> {
    let too_large = || AppError::TooLarge(format!("文件不能超过 {} MB", max / (1024 * 1024)));
    while let Some(mut field) = mp.next_field().await.map_err(|_| AppError::field(field_name, "上传内容不完整"))?
    {
        if field.name() != Some(field_name) {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_owned();
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
            if buf.len() + chunk.len() > max {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        return Ok((name, buf));
    }
    Err(AppError::field(field_name, "请选择要上传的文件"))
}
/// Path parameters; a malformed one (e.g. letters where an id belongs) answers in the one error shape.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => Err(AppError::Invalid {
                message: "地址中的编号格式不正确".into(), fields: Default::default()
            }),
        }
    }
}
