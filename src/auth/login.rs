//! Sign-in, sign-out, password change, second-factor setup and API tokens — the caller's own account.

use super::actor::{Actor, Via};
use super::throttle::{Gate, describe_wait, gate};
use super::{password, secret, store, totp};
use crate::audit::{self, AuditCtx};
use crate::clock::DAY;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::meta::RequestMeta;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub totp: Option<String>,
}

/// A new session: the cookie value (shown once) and the account it belongs to.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub account_id: i64,
}

const BAD_CREDENTIALS: &str = "用户名或密码错误";

/// Signs in with username, password and (when enabled) a one-time code.
/// The answer for a wrong password is the same whether or not the user exists. The attempt is
/// counted before the password is checked (see `reserve`), so parallel guesses cannot outrun the lock.
pub async fn login(state: &AppState, input: &LoginInput, meta: &RequestMeta) -> AppResult<NewSession> {
    let now = state.clock.now();
    let username = input.username.trim().to_lowercase();
    if username.is_empty() || username.chars().count() > 64 {
        return Err(AppError::field("username", "请输入用户名"));
    }
    if input.password.is_empty() || input.password.chars().count() > 128 {
        return Err(AppError::field("password", "请输入密码"));
    }
    let ctx = |account_id: Option<i64>| AuditCtx {
        account_id,
        username: username.clone(),
        ip: meta.ip.clone(),
        request_id: meta.request_id.clone(),
        now,
    };
    let attempt = reserve(state, &username, now).await?;
    let cred = store::credentials_by_name(&state.db, &username).await?;
    let hash = cred.as_ref().map(|c| c.password_hash.clone()).unwrap_or_else(|| password::dummy_hash().to_owned());
    let password_ok = password::verify_blocking(input.password.clone(), hash).await? && cred.is_some();

    let mut tx = state.db.begin().await?;
    let failure = match (&cred, password_ok) {
        (Some(c), true) if c.status == "retired" => Some("账号已停用"),
        (Some(c), true) if c.status == "locked" => Some("账号已被锁定"),
        (Some(c), true) if c.awaiting_activation => Some("账号尚未启用"),
        (Some(c), true) if c.totp_enabled => {
            let code = input.totp.as_deref().unwrap_or("").trim();
            if code.is_empty() {
                tx.commit().await?;
                return Err(AppError::field("totp", "请输入动态口令（6 位数字）"));
            }
            match totp::verify(c.totp_secret.as_deref().unwrap_or(""), code, now, c.totp_last_step) {
                Some(step) => {
                    store::set_totp_step(&mut tx, c.id, step).await?;
                    None
                }
                None => Some("动态口令错误"),
            }
        }
        (Some(_), true) => None,
        _ => Some(BAD_CREDENTIALS),
    };

    if let Some(reason) = failure {
        let account_id = cred.as_ref().map(|c| c.id);
        let detail = json!({ "reason": reason, "failures": attempt });
        audit::record(&mut tx, &ctx(account_id), "login_failed", "account", account_id.unwrap_or(0), detail).await?;
        tx.commit().await?;
        return Err(match reason {
            "账号已被锁定" => AppError::Forbidden("账号已被锁定，请联系安全管理员".into()),
            "账号已停用" => AppError::Forbidden("账号已停用".into()),
            "账号尚未启用" => AppError::Forbidden("账号尚未启用：须由另一位管理员启用".into()),
            "动态口令错误" => AppError::field("totp", "动态口令错误"),
            _ => AppError::Unauthenticated(BAD_CREDENTIALS.into()),
        });
    }
    let Some(c) = cred else {
        return Err(AppError::Unauthenticated(BAD_CREDENTIALS.into()));
    };
    store::clear_failures(&mut tx, &username).await?;
    let session = open_session(state, &mut tx, &c, now, meta).await?;
    let watched = crate::domains::org::duties::watch_sign_in(&mut tx, c.id, now, &meta.ip).await?;
    let mut detail = json!({ "via": "password", "totp": c.totp_enabled });
    if watched.as_array().is_some_and(|w| !w.is_empty()) {
        detail["first_after_issue"] = watched;
    }
    audit::record(&mut tx, &ctx(Some(c.id)), "login", "account", c.id, detail).await?;
    tx.commit().await?;
    Ok(session)
}

/// Passes the gate (delay, lock) and counts this attempt in one step; answers the attempt's number.
/// An attempt that finds the record changed under it (a parallel attempt counted first) reads it again.
async fn reserve(state: &AppState, username: &str, now: crate::clock::Millis) -> AppResult<i64> {
    for _ in 0..3 {
        let mut tx = state.db.begin().await?;
        let seen = store::failures(&mut tx, username).await?;
        let mut count = 1;
        if let Some(f) = &seen {
            match gate(f.failures, f.last_failed_at, f.locked_until, now) {
                Gate::Locked(left) => {
                    return Err(AppError::TooManyRequests(format!("尝试次数过多，请 {} 后再试", describe_wait(left))));
                }
                Gate::Wait(left) => {
                    return Err(AppError::TooManyRequests(format!("请 {} 后再试", describe_wait(left))));
                }
                // A lock that has run out starts the count again.
                Gate::Allowed if f.locked_until.is_some() => {}
                Gate::Allowed => count = f.failures + 1,
            }
        }
        let lock = (count >= state.config.lock_after_failures).then_some(now + state.config.lock_duration);
        if store::reserve_attempt(&mut tx, username, seen.as_ref(), count, now, lock).await? {
            tx.commit().await?;
            return Ok(count);
        }
    }
    Err(AppError::TooManyRequests("登录尝试过于频繁，请稍后再试".into()))
}

async fn open_session(
    state: &AppState,
    tx: &mut crate::db::Tx,
    c: &store::Credentials,
    now: crate::clock::Millis,
    meta: &RequestMeta,
) -> AppResult<NewSession> {
    let token = secret::random_token();
    let csrf = secret::random_token();
    store::insert_session(
        tx,
        &secret::sha256_hex(&token),
        c.id,
        &csrf,
        c.totp_enabled,
        now,
        now + state.config.absolute_timeout,
        &meta.ip,
        &meta.user_agent,
    )
    .await?;
    store::mark_login(tx, c.id, now).await?;
    Ok(NewSession { token, csrf, account_id: c.id })
}

/// Ends the caller's session (server-side) or revokes the bearer token used.
pub async fn logout(state: &AppState, actor: &Actor) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    match &actor.via {
        Via::Session { id_hash, .. } => {
            tx.execute("DELETE FROM sessions WHERE id = $1", crate::args![id_hash.as_str()]).await?;
        }
        Via::Token { token_id } => {
            store::revoke_token(&mut tx, actor.id, *token_id, actor.now).await?;
        }
    }
    audit::record(&mut tx, &actor.audit(), "logout", "account", actor.id, json!({})).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub old_password: String,
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: Option<String>,
}

/// Changes the caller's own password; other sessions and every API token of the account end.
pub async fn change_password(state: &AppState, actor: &Actor, input: &ChangePassword) -> AppResult<()> {
    if let Some(confirm) = &input.confirm_password
        && confirm != &input.new_password
    {
        return Err(AppError::field("confirm_password", "两次输入的新密码不一致"));
    }
    password::check_policy("new_password", &input.new_password, &actor.username)?;
    if input.new_password == input.old_password {
        return Err(AppError::field("new_password", "新密码不能与原密码相同"));
    }
    let cred = store::credentials_by_id(&state.db, actor.id).await?.ok_or_else(|| AppError::not_found("账号"))?;
    if !password::verify_blocking(input.old_password.clone(), cred.password_hash).await? {
        return Err(AppError::field("old_password", "原密码不正确"));
    }
    let hash = password::hash_blocking(input.new_password.clone()).await?;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, actor.id, &hash, false, actor.now).await?;
    match &actor.via {
        Via::Session { id_hash, .. } => {
            tx.execute(
                "DELETE FROM sessions WHERE account_id = $1 AND id <> $2",
                crate::args![actor.id, id_hash.as_str()],
            )
            .await?;
        }
        Via::Token { .. } => store::delete_sessions_of(&mut tx, actor.id).await?,
    }
    // Tokens were issued under the old password: they end too (the owner issues new ones).
    let tokens = store::revoke_tokens_of(&mut tx, actor.id, actor.now).await?;
    audit::record(&mut tx, &actor.audit(), "password_change", "account", actor.id, json!({ "tokens_revoked": tokens }))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts second-factor setup: a new secret is stored (not yet enabled) and returned to show once.
pub async fn totp_begin(state: &AppState, actor: &Actor) -> AppResult<(String, String)> {
    if actor.totp_enabled {
        return Err(AppError::Conflict("已启用动态口令；如需更换请先停用".into()));
    }
    let secret = totp::new_secret();
    let mut tx = state.db.begin().await?;
    store::set_totp(&mut tx, actor.id, Some(&secret), false, actor.now).await?;
    audit::record(&mut tx, &actor.audit(), "totp_setup_started", "account", actor.id, json!({})).await?;
    tx.commit().await?;
    let uri = totp::provisioning_uri(&secret, &actor.username);
    Ok((secret, uri))
}

/// Confirms setup with a first code from the authenticator app.
pub async fn totp_confirm(state: &AppState, actor: &Actor, code: &str) -> AppResult<()> {
    let cred = store::credentials_by_id(&state.db, actor.id).await?.ok_or_else(|| AppError::not_found("账号"))?;
    let secret =
        cred.totp_secret.filter(|_| !cred.totp_enabled).ok_or_else(|| AppError::Conflict("请先生成密钥".into()))?;
    let step = totp::verify(&secret, code, actor.now, None)
        .ok_or_else(|| AppError::field("code", "动态口令错误，请检查手机时间后重试"))?;
    let mut tx = state.db.begin().await?;
    store::set_totp(&mut tx, actor.id, Some(&secret), true, actor.now).await?;
    store::set_totp_step(&mut tx, actor.id, step).await?;
    audit::record(&mut tx, &actor.audit(), "totp_enabled", "account", actor.id, json!({})).await?;
    tx.commit().await?;
    if let Via::Session { id_hash, .. } = &actor.via {
        store::verify_session_totp(&state.db, id_hash).await?;
    }
    Ok(())
}

/// Turns the second factor off (not allowed where it is required).
pub async fn totp_disable(state: &AppState, actor: &Actor, password_input: &str) -> AppResult<()> {
    if actor.role.requires_totp() && state.config.require_totp_for_admins && !actor.demo {
        return Err(AppError::Forbidden("管理员账号必须使用动态口令，不能停用".into()));
    }
    let cred = store::credentials_by_id(&state.db, actor.id).await?.ok_or_else(|| AppError::not_found("账号"))?;
    if !password::verify_blocking(password_input.to_owned(), cred.password_hash).await? {
        return Err(AppError::field("password", "密码不正确"));
    }
    let mut tx = state.db.begin().await?;
    store::set_totp(&mut tx, actor.id, None, false, actor.now).await?;
    audit::record(&mut tx, &actor.audit(), "totp_disabled", "account", actor.id, json!({})).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// Days until expiry (default 90, at most 365).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// The bearer token itself; shown only this once.
    pub token: String,
    pub expires_at: i64,
}

pub async fn create_token(state: &AppState, actor: &Actor, input: &NewToken) -> AppResult<CreatedToken> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AppError::field("name", "令牌名称应为 1–50 个字"));
    }
    let max_days = state.config.token_max_ttl / DAY;
    let ttl = match input.expires_in_days {
        None => state.config.token_default_ttl,
        Some(d) if (1..=max_days).contains(&d) => d * DAY,
        Some(_) => return Err(AppError::field("expires_in_days", format!("有效期应为 1–{max_days} 天"))),
    };
    let token = format!("wg_{}", secret::random_token());
    let mut tx = state.db.begin().await?;
    let row = store::insert_token(
        &mut tx,
        actor.id,
        name,
        &secret::sha256_hex(&token),
        &token[..9],
        actor.now,
        actor.now + ttl,
    )
    .await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "token_created",
        "api_token",
        row.id,
        json!({ "name": name, "expires_at": row.expires_at }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedToken { id: row.id, name: row.name, token, expires_at: row.expires_at })
}

pub async fn revoke_token(state: &AppState, actor: &Actor, token_id: i64) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !store::revoke_token(&mut tx, actor.id, token_id, actor.now).await? {
        return Err(AppError::not_found("令牌"));
    }
    audit::record(&mut tx, &actor.audit(), "token_revoked", "api_token", token_id, json!({})).await?;
    tx.commit().await?;
    Ok(())
}
