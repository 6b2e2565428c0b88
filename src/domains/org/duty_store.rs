//! SQL for 三员分立: activation of accounts, issued credentials (one-time setup codes) and the watch list.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};
use serde::Serialize;

/// Who created an account and whether it still waits for activation.
pub async fn activation_of(tx: &mut Tx, id: i64) -> sqlx::Result<Option<(Option<i64>, bool)>> {
    tx.fetch_optional("SELECT created_by, awaiting_activation FROM accounts WHERE id = $1", args![id]).await
}

pub async fn mark_created(tx: &mut Tx, id: i64, created_by: Option<i64>, awaiting: bool) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE accounts SET created_by = $1, awaiting_activation = $2 WHERE id = $3",
        args![created_by, awaiting, id],
    )
    .await
    .map(drop)
}

pub async fn activate(tx: &mut Tx, id: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE accounts SET awaiting_activation = FALSE, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND awaiting_activation",
            args![now, id],
        )
        .await?;
    Ok(n == 1)
}

/// Records a creation or reset. With a code hash the credential is a one-time setup code (earlier
/// unused codes of the account end); without, the holder was given an initial password (used at once).
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    tx: &mut Tx,
    account_id: i64,
    kind: &str,
    issued_by: Option<i64>,
    now: Millis,
    code_hash: Option<&str>,
    expires_at: Option<Millis>,
) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE credential_issues SET expires_at = $1 WHERE account_id = $2 AND used_at IS NULL AND expires_at > $1",
        args![now, account_id],
    )
    .await?;
    let used_at = if code_hash.is_some() { None } else { Some(now) };
    tx.execute(
        "INSERT INTO credential_issues (account_id, kind, issued_by, issued_at, code_hash, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![account_id, kind, issued_by, now, code_hash, expires_at, used_at],
    )
    .await
    .map(drop)
}

/// Spends a live setup code of the account; answers whether one matched.
pub async fn spend_code(tx: &mut Tx, account_id: i64, code_hash: &str, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE credential_issues SET used_at = $1 \
             WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $1",
            args![now, account_id, code_hash],
        )
        .await?;
    Ok(n == 1)
}

/// Notes the first sign-in after the account's spent credentials; answers who issued them.
pub async fn note_first_sign_in(
    tx: &mut Tx,
    account_id: i64,
    now: Millis,
    ip: &str,
) -> sqlx::Result<Vec<(Option<i64>, String)>> {
    tx.fetch_all(
        "UPDATE credential_issues SET first_login_at = $1, first_login_ip = $2 \
         WHERE account_id = $3 AND used_at IS NOT NULL AND first_login_at IS NULL RETURNING issued_by, kind",
        args![now, ip, account_id],
    )
    .await
}

/// One line of the audit administrator's watch list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct WatchRow {
    pub id: i64,
    pub account_id: i64,
    pub username: String,
    pub role: String,
    pub kind: String,
    pub issued_by: Option<i64>,
    /// Who issued it (`命令行` for the console).
    pub issued_by_username: Option<String>,
    pub issued_at: i64,
    pub used_at: Option<i64>,
    pub first_login_at: Option<i64>,
    pub first_login_ip: Option<String>,
}

/// Creations and resets, newest first, with the first sign-in after each.
pub async fn watch_list(db: &Db, limit: i64) -> sqlx::Result<Vec<WatchRow>> {
    db.read()
        .fetch_all(
            "SELECT c.id, c.account_id, a.username, a.role, c.kind, c.issued_by, b.username AS issued_by_username, \
             c.issued_at, c.used_at, c.first_login_at, c.first_login_ip \
             FROM credential_issues c JOIN accounts a ON a.id = c.account_id LEFT JOIN accounts b ON b.id = c.issued_by \
             ORDER BY c.issued_at DESC, c.id DESC LIMIT $1",
            args![limit],
        )
        .await
}
