//! The `Actor` extractor: who is calling (session cookie or bearer token), their role and scope.
//!
//! `PendingActor` is any signed-in caller; `Actor` is one who has also changed the initial
//! password and set up a required second factor. Unsafe methods over a session cookie must
//! carry the session's CSRF token (form field `_csrf`, query `_csrf` for uploads, or header
//! `X-CSRF-Token`); the web middleware puts what was sent into the request extensions.

use super::role::{Permission, Role};
use super::scope::Scope;
use super::store::{self, Credentials};
use super::{SESSION_COOKIE, secret};
use crate::audit::AuditCtx;
use crate::clock::{MINUTE, Millis};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::meta::{CsrfSubmitted, RequestMeta, cookie};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// How the caller proved who they are.
#[derive(Clone, Debug)]
pub enum Via {
    Session { id_hash: String, csrf: String },
    Token { token_id: i64 },
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub via: Via,
    pub meta: RequestMeta,
    pub now: Millis,
    pub must_change_password: bool,
    pub needs_totp_setup: bool,
    pub totp_enabled: bool,
    pub demo: bool,
}

/// A signed-in caller who may still owe a password change or a second-factor setup.
pub struct PendingActor(pub Actor);

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.role.has(p)
    }

    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.can(p) { Ok(()) } else { Err(AppError::forbidden()) }
    }

    pub fn audit(&self) -> AuditCtx {
        AuditCtx {
            account_id: Some(self.id),
            username: self.username.clone(),
            ip: self.meta.ip.clone(),
            request_id: self.meta.request_id.clone(),
            now: self.now,
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } => "",
        }
    }

    /// Builds the actor of an account row (shared by session and token sign-in, and by tests).
    pub fn from_credentials(
        c: &Credentials,
        via: Via,
        meta: RequestMeta,
        now: Millis,
        require_admin_totp: bool,
    ) -> AppResult<Actor> {
        let role =
            Role::parse(&c.role).ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown role {}", c.role)))?;
        let scope = match c.department_id {
            Some(department_id) => {
                let kind = c.department_kind.clone().unwrap_or_default();
                Scope::Department { department_id, kind, area_id: c.scope_area_id, path: c.scope_path.clone() }
            }
            None => Scope::Area { area_id: c.scope_area_id, path: c.scope_path.clone() },
        };
        Ok(Actor {
            id: c.id,
            username: c.username.clone(),
            display_name: c.display_name.clone(),
            role,
            scope,
            via,
            meta,
            now,
            must_change_password: c.must_change_password && !c.demo,
            needs_totp_setup: require_admin_totp && role.requires_totp() && !c.demo && !c.totp_enabled,
            totp_enabled: c.totp_enabled,
            demo: c.demo,
        })
    }
}

fn expired() -> AppError {
    AppError::Unauthenticated("登录已过期，请重新登录".into())
}

fn bearer(parts: &Parts) -> Option<&str> {
    let h = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    h.strip_prefix("Bearer ").map(str::trim)
}

impl FromRequestParts<AppState> for PendingActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The route guard may already have identified the caller.
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(PendingActor(actor.clone()));
        }
        let meta = parts.extensions.get::<RequestMeta>().cloned().unwrap_or_default();
        let now = state.clock.now();
        let (account_id, via) = if let Some(token) = bearer(parts) {
            let row = store::token_by_hash(&state.db, &secret::sha256_hex(token))
                .await?
                .ok_or_else(|| AppError::Unauthenticated("访问令牌无效".into()))?;
            if row.revoked_at.is_some() {
                return Err(AppError::Unauthenticated("访问令牌已被撤销".into()));
            }
            if now >= row.expires_at {
                return Err(AppError::Unauthenticated("访问令牌已过期".into()));
            }
            if row.last_used_at.is_none_or(|t| now - t > MINUTE) {
                store::touch_token(&state.db, row.id, now).await?;
            }
            (row.account_id, Via::Token { token_id: row.id })
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let id_hash = secret::sha256_hex(&token);
            let row = store::session(&state.db, &id_hash)
                .await?
                .ok_or_else(|| AppError::Unauthenticated("请先登录".into()))?;
            if now >= row.expires_at || now - row.last_seen_at >= state.config.idle_timeout {
                store::delete_session(&state.db, &id_hash).await?;
                return Err(expired());
            }
            if !parts.method.is_safe() {
                let sent = parts.extensions.get::<CsrfSubmitted>().map(|c| c.0.as_str()).unwrap_or("");
                if !secret::constant_time_eq(sent, &row.csrf_token) {
                    return Err(AppError::Csrf);
                }
            }
            if now - row.last_seen_at > MINUTE {
                store::touch_session(&state.db, &id_hash, now).await?;
            }
            (row.account_id, Via::Session { id_hash, csrf: row.csrf_token })
        } else {
            return Err(AppError::Unauthenticated("请先登录".into()));
        };
        let cred = store::credentials_by_id(&state.db, account_id).await?.ok_or_else(expired)?;
        if cred.status != "active" || cred.awaiting_activation {
            return Err(AppError::Unauthenticated("账号已被锁定或停用".into()));
        }
        let actor = Actor::from_credentials(&cred, via, meta, now, state.config.require_totp_for_admins)?;
        Ok(PendingActor(actor))
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let PendingActor(actor) = PendingActor::from_request_parts(parts, state).await?;
        if actor.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        if actor.needs_totp_setup {
            return Err(AppError::TotpSetupRequired);
        }
        Ok(actor)
    }
}
