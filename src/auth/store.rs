//! SQL for sign-in: credentials, sessions, API tokens and the failure counter.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};

/// The account as sign-in and the actor extractor need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub area_id: Option<i64>,
    pub department_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub demo: bool,
    pub status: String,
    /// Created by an administrator and not yet activated by another (三员分立).
    pub awaiting_activation: bool,
    /// The materialised path of the bound area (or of the department's area).
    pub scope_path: String,
    pub scope_area_id: i64,
    /// The department's kind (police, justice …), for a department's account.
    pub department_kind: Option<String>,
}

const CREDENTIALS: &str = "SELECT a.id, a.username, a.display_name, a.role, a.area_id, a.department_id, a.password_hash, \
     a.must_change_password, a.totp_secret, a.totp_enabled, a.totp_last_step, a.demo, a.status, a.awaiting_activation, \
     ar.path AS scope_path, ar.id AS scope_area_id, d.kind AS department_kind \
     FROM accounts a \
     LEFT JOIN departments d ON d.id = a.department_id \
     JOIN areas ar ON ar.id = COALESCE(a.area_id, d.area_id)";

pub async fn credentials_by_username(tx: &mut Tx, username: &str) -> sqlx::Result<Option<Credentials>> {
    tx.fetch_optional(&format!("{CREDENTIALS} WHERE a.username = $1"), args![username]).await
}

/// The same read outside a transaction (sign-in reads it before the slow password check).
pub async fn credentials_by_name(db: &Db, username: &str) -> sqlx::Result<Option<Credentials>> {
    db.read().fetch_optional(&format!("{CREDENTIALS} WHERE a.username = $1"), args![username]).await
}

pub async fn credentials_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Credentials>> {
    db.read().fetch_optional(&format!("{CREDENTIALS} WHERE a.id = $1"), args![id]).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailureRow {
    pub failures: i64,
    pub last_failed_at: i64,
    pub locked_until: Option<i64>,
}

pub async fn failures(tx: &mut Tx, key: &str) -> sqlx::Result<Option<FailureRow>> {
    tx.fetch_optional(
        "SELECT failures, last_failed_at, locked_until FROM login_failures WHERE username = $1",
        args![key],
    )
    .await
}

pub async fn clear_failures(tx: &mut Tx, key: &str) -> sqlx::Result<()> {
    tx.execute("DELETE FROM login_failures WHERE username = $1", args![key]).await.map(drop)
}

/// Counts one sign-in attempt before its password is checked: writes `count` (and the lock, if set)
/// only when the record is still as `seen` was read, so two racing attempts cannot both pass the gate
/// on the same count. Answers whether this attempt was counted.
pub async fn reserve_attempt(
    tx: &mut Tx,
    key: &str,
    seen: Option<&FailureRow>,
    count: i64,
    now: Millis,
    locked_until: Option<Millis>,
) -> sqlx::Result<bool> {
    let n = match seen {
        None => {
            tx.execute(
                "INSERT INTO login_failures (username, failures, last_failed_at, locked_until) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (username) DO NOTHING",
                args![key, count, now, locked_until],
            )
            .await?
        }
        Some(f) => {
            tx.execute(
                "UPDATE login_failures SET failures = $1, last_failed_at = $2, locked_until = $3 \
                 WHERE username = $4 AND failures = $5 AND last_failed_at = $6",
                args![count, now, locked_until, key, f.failures, f.last_failed_at],
            )
            .await?
        }
    };
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub account_id: i64,
    pub csrf_token: String,
    pub totp_verified: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_session(
    tx: &mut Tx,
    id_hash: &str,
    account_id: i64,
    csrf: &str,
    totp_verified: bool,
    now: Millis,
    expires_at: Millis,
    ip: &str,
    user_agent: &str,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO sessions (id, account_id, csrf_token, totp_verified, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
        args![id_hash, account_id, csrf, totp_verified, now, expires_at, ip, user_agent],
    )
    .await
    .map(drop)
}

pub async fn session(db: &Db, id_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    db.read()
        .fetch_optional(
            "SELECT id, account_id, csrf_token, totp_verified, created_at, last_seen_at, expires_at FROM sessions WHERE id = $1",
            args![id_hash],
        )
        .await
}

pub async fn touch_session(db: &Db, id_hash: &str, now: Millis) -> sqlx::Result<()> {
    db.read().execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", args![now, id_hash]).await.map(drop)
}

pub async fn delete_session(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    db.read().execute("DELETE FROM sessions WHERE id = $1", args![id_hash]).await.map(drop)
}

pub async fn delete_sessions_of(tx: &mut Tx, account_id: i64) -> sqlx::Result<()> {
    tx.execute("DELETE FROM sessions WHERE account_id = $1", args![account_id]).await.map(drop)
}

/// Revokes every live API token of an account (after a password change or reset); answers how many.
pub async fn revoke_tokens_of(tx: &mut Tx, account_id: i64, now: Millis) -> sqlx::Result<u64> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
        args![now, account_id],
    )
    .await
}

/// Ends every way into an account: its sessions and its API tokens.
pub async fn end_access(tx: &mut Tx, account_id: i64, now: Millis) -> sqlx::Result<()> {
    delete_sessions_of(tx, account_id).await?;
    revoke_tokens_of(tx, account_id, now).await.map(drop)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const TOKEN_COLUMNS: &str = "id, account_id, name, prefix, created_at, expires_at, last_used_at, revoked_at";

pub async fn token_by_hash(db: &Db, hash: &str) -> sqlx::Result<Option<TokenRow>> {
    db.read()
        .fetch_optional(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"), args![hash])
        .await
}

pub async fn touch_token(db: &Db, id: i64, now: Millis) -> sqlx::Result<()> {
    db.read().execute("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", args![now, id]).await.map(drop)
}

pub async fn insert_token(
    tx: &mut Tx,
    account_id: i64,
    name: &str,
    hash: &str,
    prefix: &str,
    now: Millis,
    expires_at: Millis,
) -> sqlx::Result<TokenRow> {
    tx.fetch_one(
        &format!(
            "INSERT INTO api_tokens (account_id, name, token_hash, prefix, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLUMNS}"
        ),
        args![account_id, name, hash, prefix, now, expires_at],
    )
    .await
}

pub async fn tokens_of(db: &Db, account_id: i64) -> sqlx::Result<Vec<TokenRow>> {
    db.read()
        .fetch_all(
            &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE account_id = $1 ORDER BY id DESC"),
            args![account_id],
        )
        .await
}

/// Revokes one of the owner's tokens; answers whether a live token was revoked.
pub async fn revoke_token(tx: &mut Tx, account_id: i64, token_id: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
            args![now, token_id, account_id],
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_password(
    tx: &mut Tx,
    account_id: i64,
    hash: &str,
    must_change: bool,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE accounts SET password_hash = $1, must_change_password = $2, updated_at = $3, version = version + 1 WHERE id = $4",
        args![hash, must_change, now, account_id],
    )
    .await
    .map(drop)
}

pub async fn set_totp(
    tx: &mut Tx,
    account_id: i64,
    secret: Option<&str>,
    enabled: bool,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE accounts SET totp_secret = $1, totp_enabled = $2, totp_last_step = NULL, updated_at = $3, version = version + 1 WHERE id = $4",
        args![secret, enabled, now, account_id],
    )
    .await
    .map(drop)
}

pub async fn set_totp_step(tx: &mut Tx, account_id: i64, step: i64) -> sqlx::Result<()> {
    tx.execute("UPDATE accounts SET totp_last_step = $1 WHERE id = $2", args![step, account_id]).await.map(drop)
}

pub async fn mark_login(tx: &mut Tx, account_id: i64, now: Millis) -> sqlx::Result<()> {
    tx.execute("UPDATE accounts SET last_login_at = $1 WHERE id = $2", args![now, account_id]).await.map(drop)
}

pub async fn verify_session_totp(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    db.read().execute("UPDATE sessions SET totp_verified = TRUE WHERE id = $1", args![id_hash]).await.map(drop)
}

/// Whether this is a demo installation (`wangge demo` made accounts flagged `demo`).
pub async fn is_demo_install(db: &Db) -> sqlx::Result<bool> {
    let (n,): (i64,) = db
        .read()
        .fetch_one("SELECT COUNT(*) FROM (SELECT 1 FROM accounts WHERE demo = TRUE LIMIT 1) d", crate::args![])
        .await?;
    Ok(n > 0)
}
