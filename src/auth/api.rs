//! JSON API of the caller's own account: sign-in, sign-out, who am I, password, second factor, tokens.

use super::login::{self, ChangePassword, LoginInput, NewToken};
use super::{Actor, PendingActor, SESSION_COOKIE, store};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::meta::{RequestMeta, clear_cookie, set_cookie};
use crate::web::routes::{Access, Entry, delete, get, post};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Vec<Entry> {
    vec![
        post("/api/v1/auth/login", Access::Public, "登录（成功后设置会话 Cookie）", api_login)
            .body("username, password, totp?"),
        post("/api/v1/auth/setup", Access::Public, "用一次性设置码设置自己的密码（之后再登录）", api_setup)
            .body("username, setup_code, new_password, confirm_password?"),
        post("/api/v1/auth/logout", Access::Pending, "退出登录", api_logout),
        get("/api/v1/auth/me", Access::Pending, "当前账号", api_me),
        post("/api/v1/auth/password", Access::Pending, "修改密码", api_password)
            .body("old_password, new_password, confirm_password?"),
        post("/api/v1/auth/totp/setup", Access::Pending, "开始设置动态口令（返回密钥）", api_totp_setup),
        post("/api/v1/auth/totp/confirm", Access::Pending, "确认动态口令", api_totp_confirm).body("code"),
        get("/api/v1/auth/tokens", Access::SignedIn, "我的访问令牌", api_tokens),
        post("/api/v1/auth/tokens", Access::SignedIn, "新建访问令牌（只显示一次）", api_create_token)
            .body("name, expires_in_days?"),
        delete("/api/v1/auth/tokens/{id}", Access::SignedIn, "撤销访问令牌", api_revoke_token),
    ]
}

/// The caller's account as the API shows it.
pub fn me_json(a: &Actor) -> Value {
    json!({
        "id": a.id,
        "username": a.username,
        "display_name": a.display_name,
        "role": a.role,
        "role_label": a.role.label(),
        "area_id": a.scope.area_id(),
        "department_id": match a.scope { super::Scope::Department { department_id, .. } => Some(department_id), _ => None },
        "must_change_password": a.must_change_password,
        "needs_totp_setup": a.needs_totp_setup,
        "totp_enabled": a.totp_enabled,
    })
}

async fn api_login(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(input): ApiJson<LoginInput>,
) -> AppResult<Response> {
    let session = login::login(&s, &input, &meta).await?;
    let cred = store::credentials_by_id(&s.db, session.account_id)
        .await?
        .ok_or_else(|| crate::error::AppError::not_found("账号"))?;
    let via = super::actor::Via::Session { id_hash: String::new(), csrf: session.csrf.clone() };
    let actor = Actor::from_credentials(&cred, via, meta, s.clock.now(), s.config.require_totp_for_admins)?;
    let body = json!({ "account": me_json(&actor), "csrf_token": session.csrf });
    Ok(([(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &session.token, s.config.secure_cookies))], Json(body))
        .into_response())
}

async fn api_setup(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(input): ApiJson<crate::domains::org::duties::SetupInput>,
) -> AppResult<StatusCode> {
    let ctx = crate::audit::AuditCtx {
        account_id: None,
        username: input.username.trim().to_lowercase(),
        ip: meta.ip,
        request_id: meta.request_id,
        now: s.clock.now(),
    };
    crate::domains::org::duties::set_up(&s.db, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_logout(State(s): State<AppState>, PendingActor(a): PendingActor) -> AppResult<Response> {
    login::logout(&s, &a).await?;
    Ok((
        [
            (header::SET_COOKIE, clear_cookie(SESSION_COOKIE)),
            (header::HeaderName::from_static("clear-site-data"), super::pages::CLEAR_SITE_DATA.to_owned()),
        ],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

async fn api_me(PendingActor(a): PendingActor) -> Json<Value> {
    Json(json!({ "account": me_json(&a), "csrf_token": a.csrf() }))
}

async fn api_password(
    State(s): State<AppState>,
    PendingActor(a): PendingActor,
    ApiJson(i): ApiJson<ChangePassword>,
) -> AppResult<StatusCode> {
    login::change_password(&s, &a, &i).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_totp_setup(State(s): State<AppState>, PendingActor(a): PendingActor) -> AppResult<Json<Value>> {
    let (secret, uri) = login::totp_begin(&s, &a).await?;
    Ok(Json(json!({ "secret": secret, "otpauth_uri": uri })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Code {
    code: String,
}

async fn api_totp_confirm(
    State(s): State<AppState>,
    PendingActor(a): PendingActor,
    ApiJson(c): ApiJson<Code>,
) -> AppResult<StatusCode> {
    login::totp_confirm(&s, &a, &c.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_tokens(State(s): State<AppState>, a: Actor) -> AppResult<Json<Value>> {
    let items = store::tokens_of(&s.db, a.id).await?;
    let n = items.len();
    Ok(Json(json!({ "items": items, "total": n, "page": 1, "per_page": n.max(1) })))
}

async fn api_create_token(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<NewToken>,
) -> AppResult<(StatusCode, Json<login::CreatedToken>)> {
    Ok((StatusCode::CREATED, Json(login::create_token(&s, &a, &i).await?)))
}

async fn api_revoke_token(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    login::revoke_token(&s, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
