//! 三员分立 (等保 separation of duties): no single administrator obtains a working sign-in to an account.
//! An administrator's new account waits for another administrator's activation; activation and an
//! administrator's reset hand out a one-time setup code (24 h) that only sets the holder's password;
//! the first sign-in after each creation or reset goes on the audit administrator's watch list.

use super::account_store as accounts;
use super::duty_store as store;
use crate::audit::{self, AuditCtx};
use crate::auth::role::Role;
use crate::auth::{Actor, Permission, password, secret};
use crate::clock::{DAY, Millis};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long a setup code stays usable.
pub const CODE_TTL: Millis = DAY;

/// A one-time setup code handed to the holder (shown once).
#[derive(Debug, Serialize)]
pub struct SetupCode {
    pub setup_code: String,
    pub expires_at: i64,
}

/// 16 characters without look-alikes, grouped for reading aloud: `k7mq-2x9p-…`.
fn new_code() -> String {
    let alphabet = b"abcdefghjkmnpqrstuvwxyz23456789";
    let raw: String = secret::random_bytes(16).iter().map(|b| alphabet[*b as usize % alphabet.len()] as char).collect();
    raw.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect::<Vec<_>>().join("-")
}

fn code_hash(code: &str) -> String {
    secret::sha256_hex(&code.trim().to_lowercase().replace([' ', '-'], ""))
}

/// Issues a setup code for the account (earlier unused codes end).
pub async fn issue_code(tx: &mut Tx, account_id: i64, kind: &str, by: i64, now: Millis) -> AppResult<SetupCode> {
    let code = new_code();
    store::issue(tx, account_id, kind, Some(by), now, Some(&code_hash(&code)), Some(now + CODE_TTL)).await?;
    Ok(SetupCode { setup_code: code, expires_at: now + CODE_TTL })
}

/// A password nobody knows: the account cannot be signed into until its holder spends a setup code.
pub async fn unknown_password_hash() -> AppResult<String> {
    password::hash_blocking(format!("Zz9{}", secret::random_token())).await
}

/// An administrator may not hold a business role, nor a business account an administrator role: the
/// person behind a staff record (other live accounts) keeps to one side.
pub async fn check_sides(tx: &mut Tx, staff_id: i64, role: Role, except_account: i64) -> AppResult<()> {
    let held = accounts::roles_of_staff(tx, staff_id, except_account).await?;
    let mixed = held.iter().filter_map(|(r,)| Role::parse(r)).find(|r| r.is_admin() != role.is_admin());
    if let Some(other) = mixed {
        return Err(AppError::field(
            "staff_id",
            format!("三员分立：管理员不能同时持有业务角色（该工作人员已有“{}”账号）", other.label()),
        ));
    }
    Ok(())
}

/// Activates an account an administrator created: only another system or security administrator may.
pub async fn activate(db: &Db, actor: &Actor, id: i64) -> AppResult<SetupCode> {
    actor.require(Permission::ActivateAccounts)?;
    let acc = accounts::get(db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("账号"))?;
    let mut tx = db.begin().await?;
    let (created_by, awaiting) = store::activation_of(&mut tx, id).await?.ok_or_else(|| AppError::not_found("账号"))?;
    if !awaiting {
        return Err(AppError::Conflict("该账号无需启用".into()));
    }
    if created_by == Some(actor.id) || acc.id == actor.id {
        return Err(AppError::Forbidden("三员分立：不能启用自己建立的账号，须由另一位管理员启用".into()));
    }
    if !store::activate(&mut tx, id, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    let code = issue_code(&mut tx, id, "created", actor.id, actor.now).await?;
    let detail = json!({ "created_by": created_by, "code_expires_at": code.expires_at });
    audit::record(&mut tx, &actor.audit(), "account_activated", "account", id, detail).await?;
    tx.commit().await?;
    Ok(code)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupInput {
    pub username: String,
    pub setup_code: String,
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: Option<String>,
}

const BAD_CODE: &str = "用户名或设置码不正确，或设置码已过期（有效期 24 小时），请联系管理员重新签发";

/// Spends a setup code: sets the holder's own password (nothing else); the holder then signs in.
pub async fn set_up(db: &Db, ctx: &AuditCtx, input: &SetupInput) -> AppResult<()> {
    let username = input.username.trim().to_lowercase();
    if let Some(c) = &input.confirm_password
        && c != &input.new_password
    {
        return Err(AppError::field("confirm_password", "两次输入的新密码不一致"));
    }
    password::check_policy("new_password", &input.new_password, &username)?;
    let acc = accounts::get_by_username(db, &username).await?;
    let Some(acc) = acc.filter(|a| a.status == "active") else {
        return Err(AppError::field("setup_code", BAD_CODE));
    };
    let hash = password::hash_blocking(input.new_password.clone()).await?;
    let mut tx = db.begin().await?;
    // An account not yet activated has no live code; the answer is the same as for a wrong one.
    if matches!(store::activation_of(&mut tx, acc.id).await?, Some((_, true))) {
        return Err(AppError::field("setup_code", BAD_CODE));
    }
    if !store::spend_code(&mut tx, acc.id, &code_hash(&input.setup_code), ctx.now).await? {
        tx.commit().await?;
        return Err(AppError::field("setup_code", BAD_CODE));
    }
    crate::auth::store::set_password(&mut tx, acc.id, &hash, false, ctx.now).await?;
    crate::auth::store::end_access(&mut tx, acc.id, ctx.now).await?;
    let ctx = AuditCtx { account_id: Some(acc.id), username: acc.username.clone(), ..ctx.clone() };
    audit::record(&mut tx, &ctx, "setup_code_used", "account", acc.id, json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// After a successful sign-in: the first one after a creation or reset goes on the watch list.
/// Answers who issued the credentials and what kind (for the sign-in's audit row).
pub async fn watch_sign_in(tx: &mut Tx, account_id: i64, now: Millis, ip: &str) -> AppResult<serde_json::Value> {
    let rows = store::note_first_sign_in(tx, account_id, now, ip).await?;
    Ok(json!(rows.into_iter().map(|(by, kind)| json!({ "issued_by": by, "kind": kind })).collect::<Vec<_>>()))
}

/// The audit administrator's watch list: the latest creations and resets and the first sign-in after each.
pub async fn watch_list(db: &Db, actor: &Actor) -> AppResult<Vec<store::WatchRow>> {
    actor.require(Permission::ReadAudit)?;
    Ok(store::watch_list(db, 200).await?)
}
