//! Middleware on every request: request id and client address, CSRF token pick-up,
//! security headers, and turning error answers into pages for browsers.

use super::meta::{CsrfSubmitted, RequestMeta};
use crate::error::ErrorBody;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Largest form body the CSRF reader buffers (uploads use multipart and are not buffered here).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

pub const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
     connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a page that shows images from one more origin (a configured map tile server).
pub fn csp_with_images_from(origin: &str) -> String {
    CSP.replacen("img-src 'self' data: blob:;", &format!("img-src 'self' data: blob: {origin};"), 1)
}

/// Stamps the request id and client address, and pulls the CSRF token out of forms.
pub async fn request_meta(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = hex::encode(crate::auth::secret::random_bytes(8));
    let forwarded = state
        .config
        .trust_proxy
        .then(|| req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().chars().take(64).collect::<String>())
        .filter(|v| !v.is_empty());
    let ip = forwarded.unwrap_or_else(|| {
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    });
    let user_agent =
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect();
    req.extensions_mut().insert(RequestMeta { request_id: request_id.clone(), ip, user_agent });

    if !req.method().is_safe() {
        req = match pick_up_csrf(req).await {
            Ok(r) => r,
            Err(resp) => return resp,
        };
    }

    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let mut resp = next.run(req).await;
    // Only the path is logged: query strings may carry personal data.
    // Requests at debug (`WANGGE_LOG=debug` shows them); a server error stays a warning.
    let (status, ms) = (resp.status().as_u16(), started.elapsed().as_millis() as u64);
    if status >= 500 {
        tracing::warn!(%method, %path, status, ms, request_id = %request_id, "request");
    } else {
        tracing::debug!(%method, %path, status, ms, request_id = %request_id, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

async fn pick_up_csrf(req: Request) -> Result<Request, Response> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let from_header = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let from_query = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v)
    });
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let (mut parts, body) = req.into_parts();
        let bytes = to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| crate::error::AppError::TooLarge("提交的内容过大".into()).into_response())?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let token = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.clone());
        let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "_csrf").collect();
        let body = serde_urlencoded::to_string(rest).unwrap_or_default();
        if let Some(t) = token.or(from_header).or(from_query) {
            parts.extensions.insert(CsrfSubmitted(t));
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        return Ok(Request::from_parts(parts, Body::from(body)));
    }
    let mut req = req;
    if let Some(t) = from_header.or(from_query) {
        req.extensions_mut().insert(CsrfSubmitted(t));
    }
    Ok(req)
}

/// Security headers on every answer; pages and API answers are never cached.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    // Public boards (no personal data beyond what is posted on the wall) set their own caching.
    let is_public = req.uri().path().starts_with("/public/grids/");
    let mut resp = next.run(req).await;
    let own_cache = is_public && resp.headers().contains_key(header::CACHE_CONTROL);
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // A page may set its own policy (a map page allows the configured tile host's images).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert("permissions-policy", HeaderValue::from_static("geolocation=(self), camera=(self), microphone=()"));
    let cache = if is_static { "public, max-age=86400" } else { "no-store" };
    if !own_cache {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    resp
}

/// For browser pages: sign-in redirects and a Chinese error page instead of JSON.
pub async fn page_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/open311/");
    let method = req.method().clone();
    let target = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let resp = next.run(req).await;
    if is_api {
        return resp;
    }
    let Some(body) = resp.extensions().get::<ErrorBody>().cloned() else {
        return resp;
    };
    let status = resp.status();
    match body.code {
        "unauthenticated" => {
            let next = if method == Method::GET { target } else { "/".into() };
            let loc = format!("/login?next={}", super::pages::urlencode(&next));
            super::pages::redirect(&loc)
        }
        "password_change_required" => super::pages::redirect("/account/password"),
        "totp_setup_required" => super::pages::redirect("/account/totp"),
        _ => super::pages::error_page(status, &body),
    }
}

/// The answer for a known path called with a method it does not take.
pub async fn method_not_allowed() -> Response {
    crate::error::AppError::MethodNotAllowed.into_response()
}

/// Longest path and query served. Hyper itself answers a bare 414 only past 64 KB, so everything
/// between a real search and that limit gets a Chinese answer here (on pages as an error page).
pub const MAX_URI_BYTES: usize = 8 * 1024;

pub async fn uri_limit(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map(|p| p.as_str().len()).unwrap_or(0);
    if len > MAX_URI_BYTES {
        return crate::error::AppError::UriTooLong(MAX_URI_BYTES).into_response();
    }
    next.run(req).await
}

/// The answer for a path nobody serves.
pub async fn not_found() -> Response {
    crate::error::AppError::NotFound("页面不存在".into()).into_response()
}
