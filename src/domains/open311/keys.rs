//! The Open311 API keys (county centre, system administrator): issue one (shown once), list,
//! revoke — each change audited; and the check of a key a third-party app posts with.

use super::key_store::{self, KeyRow, NewKey};
use super::model::new_key;
use crate::audit;
use crate::auth::{Actor, Permission, secret};
use crate::clock::Millis;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Requests one key may post per hour unless its issuer says otherwise.
pub const DEFAULT_RATE_PER_HOUR: i64 = 60;
pub const MAX_RATE_PER_HOUR: i64 = 100_000;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyInput {
    /// What the key is for (e.g. the app's name).
    pub name: String,
    /// Who holds it (the organisation running the app).
    pub owner: String,
    pub rate_per_hour: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub row: KeyRow,
    /// The key itself: shown only this once.
    pub key: String,
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<KeyRow>> {
    actor.require(Permission::ManageOpen311Keys)?;
    Ok(key_store::list(&state.db).await?)
}

fn check_name(e: &mut FieldErrors, field: &str, label: &str, v: &str, max: usize) -> String {
    let t = v.trim().to_owned();
    let n = t.chars().count();
    if n == 0 {
        e.insert(field.into(), format!("请填写{label}"));
    } else if n > max {
        e.insert(field.into(), format!("{label}最多 {max} 个字"));
    } else if t.chars().any(char::is_control) {
        e.insert(field.into(), format!("{label}含有不可见字符"));
    }
    t
}

pub async fn create(state: &AppState, actor: &Actor, i: &KeyInput) -> AppResult<CreatedKey> {
    actor.require(Permission::ManageOpen311Keys)?;
    let mut e = FieldErrors::new();
    let name = check_name(&mut e, "name", "名称", &i.name, 50);
    let owner = check_name(&mut e, "owner", "使用单位", &i.owner, 100);
    let rate = i.rate_per_hour.unwrap_or(DEFAULT_RATE_PER_HOUR);
    if !(1..=MAX_RATE_PER_HOUR).contains(&rate) {
        e.insert("rate_per_hour".into(), format!("每小时上限应为 1–{MAX_RATE_PER_HOUR}"));
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let (key, hash, prefix) = new_key();
    let mut tx = state.db.begin().await?;
    let new =
        NewKey { name: &name, owner: &owner, hash: &hash, prefix: &prefix, rate_per_hour: rate, created_by: actor.id };
    let id = key_store::insert(&mut tx, &new, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "open311_key_created",
        "open311_key",
        id,
        json!({ "name": name, "owner": owner, "prefix": prefix, "rate_per_hour": rate }),
    )
    .await?;
    let row = key_store::get_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("API 密钥"))?;
    tx.commit().await?;
    Ok(CreatedKey { row, key })
}

pub async fn revoke(state: &AppState, actor: &Actor, id: i64) -> AppResult<KeyRow> {
    actor.require(Permission::ManageOpen311Keys)?;
    let mut tx = state.db.begin().await?;
    if !key_store::revoke(&mut tx, id, actor.id, actor.now).await? {
        return Err(AppError::NotFound("API 密钥不存在或已撤销".into()));
    }
    let row = key_store::get_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("API 密钥"))?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "open311_key_revoked",
        "open311_key",
        id,
        json!({ "name": row.name, "owner": row.owner, "prefix": row.prefix }),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The live key a request was posted with, one request counted against its hourly limit:
/// a missing, unknown or revoked key is refused (403), a full window answers 429.
pub async fn admit(state: &AppState, raw: Option<&str>, now: Millis) -> AppResult<KeyRow> {
    let refused = || AppError::Forbidden("api_key 无效或已被撤销，不能提交（请向县综治中心申请 API 密钥）".into());
    let raw = raw.map(str::trim).filter(|k| !k.is_empty()).ok_or_else(refused)?;
    let key = key_store::by_hash(&state.db, &secret::sha256_hex(raw)).await?.ok_or_else(refused)?;
    if key.revoked_at.is_some() {
        return Err(refused());
    }
    if !key_store::take_slot(&state.db, key.id, now).await? {
        let opens = key_store::window_start(&state.db, key.id).await? + crate::clock::HOUR;
        return Err(AppError::RateLimited {
            message: format!("该 api_key 每小时最多提交 {} 件，请稍后再试", key.rate_per_hour),
            retry_after_secs: ((opens - now).max(1000) + 999) / 1000,
        });
    }
    Ok(key)
}
