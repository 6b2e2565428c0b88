//! The account service: create accounts inside one's subtree with grantable roles, edit, lock, reset, retire.

use super::account_store::{self as store, AccountFilter, AccountRow, NewAccount};
use super::model::{AreaKind, check_text, check_username};
use super::{duties, duty_store};
use crate::audit;
use crate::auth::role::{Binding, Role};
use crate::auth::{Actor, Permission, password};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Serialize)]
pub struct AccountOut {
    #[serde(flatten)]
    pub row: AccountRow,
    pub role_label: &'static str,
}

fn present(row: AccountRow) -> AccountOut {
    AccountOut { role_label: Role::parse(&row.role).map(Role::label).unwrap_or(""), row }
}

fn require_view(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::ManageAccounts) || actor.can(Permission::AccountSecurity) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    pub area: Option<i64>,
    pub role: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub async fn list(db: &Db, actor: &Actor, q: &AccountQuery) -> AppResult<Page<AccountOut>> {
    require_view(actor)?;
    let mut af = AccountFilter { scope_path: actor.scope.path().to_owned(), q: q.q.clone(), ..Default::default() };
    if let Some(a) = q.area {
        af.area_path = Some(super::areas::row_in_scope(db, actor, a).await?.path);
    }
    if let Some(r) = q.role.as_deref().filter(|r| !r.is_empty()) {
        Role::parse(r).ok_or_else(|| AppError::field("role", "角色不正确"))?;
        af.role = Some(r.to_owned());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(s, "active" | "locked" | "retired") {
            return Err(AppError::field("status", "状态只能是 active、locked 或 retired"));
        }
        af.status = Some(s.to_owned());
    }
    Ok(store::list(db, &af, Paging::new(q.page, q.per_page)).await?.map(present))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<AccountOut> {
    if id != actor.id {
        require_view(actor)?;
    }
    store::get(db, actor.scope.path(), id).await?.map(present).ok_or_else(|| AppError::not_found("账号"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub area_id: Option<i64>,
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default)]
    pub staff_id: Option<i64>,
    /// The initial password; when absent one is generated and answered once.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CreatedAccount {
    pub account: AccountOut,
    /// The initial password (only when generated); the holder must change it at first sign-in.
    pub initial_password: Option<String>,
}

/// A readable random initial password: 4 letters + 4 digits.
fn generate_password() -> String {
    let bytes = crate::auth::secret::random_bytes(8);
    let letters = b"abcdefghjkmnpqrstuvwxyz";
    let mut s = String::new();
    for b in &bytes[..4] {
        s.push(letters[*b as usize % letters.len()] as char);
    }
    for b in &bytes[4..] {
        s.push(char::from(b'0' + b % 10));
    }
    s
}

pub async fn create(db: &Db, actor: &Actor, input: &NewAccountInput) -> AppResult<CreatedAccount> {
    actor.require(Permission::ManageAccounts)?;
    let mut errors = FieldErrors::new();
    let username = match check_username(&input.username) {
        Ok(u) => u,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let display_name = match check_text("display_name", "姓名或名称", &input.display_name, 32, true) {
        Ok(v) => v,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let role = check_role(actor, &input.role, &mut errors);
    // Binding: an area of the right kind, or a department, inside the caller's subtree.
    if let Some(r) = role {
        check_binding(db, actor, r, input, &mut errors).await;
    }
    if let Some(staff_id) = input.staff_id
        && super::staff_store::get(db, actor.scope.path(), staff_id).await?.is_none()
    {
        errors.insert("staff_id".into(), "工作人员不存在或不在您的管辖范围内".into());
    }
    let by_admin = actor.role.is_admin();
    let initial = initial_password(by_admin, input, &username, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let Some(role) = role else { return Err(AppError::field("role", "角色不正确")) };
    let hash = match by_admin {
        true => duties::unknown_password_hash().await?,
        false => {
            password::hash_blocking(initial.clone().or_else(|| input.password.clone()).unwrap_or_default()).await?
        }
    };
    let mut tx = db.begin().await?;
    if let Some(staff_id) = input.staff_id {
        check_duties(&mut tx, staff_id, role).await?;
    }
    let names = (username.as_str(), display_name.as_str());
    let id = insert_account(&mut tx, actor, input, names, role, &hash, by_admin).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "account_created",
        "account",
        id,
        json!({ "username": username, "role": role.as_str(), "area_id": input.area_id, "department_id": input.department_id, "staff_id": input.staff_id, "awaiting_activation": by_admin }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedAccount { account: get(db, actor, id).await?, initial_password: initial })
}

/// The role asked for, if it exists and the caller may grant it.
fn check_role(actor: &Actor, role: &str, errors: &mut FieldErrors) -> Option<Role> {
    let role = Role::parse(role);
    match role {
        None => {
            errors.insert("role".into(), "角色不正确".into());
        }
        Some(r) if !actor.role.may_grant(r) => {
            errors.insert("role".into(), format!("您不能授予“{}”角色", r.label()));
        }
        _ => {}
    }
    role
}

/// The account's binding: an area of a kind the role binds to, or a department, in the caller's subtree.
async fn check_binding(db: &Db, actor: &Actor, r: Role, input: &NewAccountInput, errors: &mut FieldErrors) {
    match (r.binding(), input.area_id, input.department_id) {
        (Binding::Area(kinds), Some(area_id), None) => match super::areas::row_in_scope(db, actor, area_id).await {
            Ok(a) if !kinds.contains(&a.kind.as_str()) => {
                let want: Vec<&str> = kinds.iter().filter_map(|k| AreaKind::parse(k)).map(AreaKind::label).collect();
                errors.insert("area_id".into(), format!("“{}”账号应绑定到{}", r.label(), want.join("或")));
            }
            Ok(a) if a.status != "active" => {
                errors.insert("area_id".into(), "该区域已撤销".into());
            }
            Ok(_) => {}
            Err(_) => {
                errors.insert("area_id".into(), "区域不存在或不在您的管辖范围内".into());
            }
        },
        (Binding::Department, None, Some(dep)) => match super::departments::get(db, actor, dep).await {
            Ok(d) if d.row.status != "active" => {
                errors.insert("department_id".into(), "该部门已撤销".into());
            }
            Ok(_) => {}
            Err(_) => {
                errors.insert("department_id".into(), "部门不存在或不在您的管辖范围内".into());
            }
        },
        (Binding::Area(_), _, _) => {
            errors.insert("area_id".into(), format!("“{}”账号应绑定到一个区域（且只绑定区域）", r.label()));
        }
        (Binding::Department, _, _) => {
            errors.insert("department_id".into(), "职能部门账号应绑定到一个部门（且只绑定部门）".into());
        }
    }
}

/// The initial password: generated, unless one was given (it must pass the policy) or an
/// administrator creates the account (none: another administrator issues a one-time code).
fn initial_password(
    by_admin: bool,
    input: &NewAccountInput,
    username: &str,
    errors: &mut FieldErrors,
) -> Option<String> {
    match input.password.as_deref().filter(|p| !p.is_empty()) {
        Some(_) if by_admin => {
            errors.insert(
                "password".into(),
                "三员分立：管理员建立的账号不设初始密码，由另一位管理员启用时签发一次性设置码".into(),
            );
            None
        }
        None if by_admin => None,
        Some(p) => {
            if let Err(AppError::Invalid { fields, .. }) = password::check_policy("password", p, username) {
                errors.extend(fields);
            }
            None
        }
        None => Some(generate_password()),
    }
}

/// Separation of duties: the staff member may not hold two of the three administrator roles.
async fn check_duties(tx: &mut Tx, staff_id: i64, role: Role) -> AppResult<()> {
    duties::check_sides(tx, staff_id, role, 0).await?;
    let held = store::roles_of_staff(tx, staff_id, 0).await?;
    if role.is_admin() && held.iter().any(|(r,)| r != role.as_str()) {
        return Err(AppError::field("staff_id", "三员分立：同一人不能同时担任系统、安全、审计管理员中的两个"));
    }
    Ok(())
}

/// Inserts the account and marks who created it (and, unless by an administrator, the issue of its password).
async fn insert_account(
    tx: &mut Tx,
    actor: &Actor,
    input: &NewAccountInput,
    (username, display_name): (&str, &str),
    role: Role,
    hash: &str,
    by_admin: bool,
) -> AppResult<i64> {
    let new = NewAccount {
        username,
        display_name,
        role: role.as_str(),
        area_id: input.area_id,
        department_id: input.department_id,
        staff_id: input.staff_id,
        password_hash: hash,
        must_change_password: true,
        demo: false,
    };
    let id = store::insert(tx, &new, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("username", format!("用户名 {username} 已被使用"))
        } else {
            e.into()
        }
    })?;
    duty_store::mark_created(tx, id, Some(actor.id), by_admin).await?;
    if !by_admin {
        duty_store::issue(tx, id, "created", Some(actor.id), actor.now, None, None).await?;
    }
    Ok(id)
}

/// The account, if the caller may manage it: in scope, and either of a role the caller may grant
/// or (for security actions) the caller is the security administrator.
async fn managed(db: &Db, actor: &Actor, id: i64, security_action: bool) -> AppResult<AccountOut> {
    let a = store::get(db, actor.scope.path(), id).await?.map(present).ok_or_else(|| AppError::not_found("账号"))?;
    let role = Role::parse(&a.row.role).ok_or_else(AppError::forbidden)?;
    let allowed = actor.role.may_grant(role) || (security_action && actor.can(Permission::AccountSecurity));
    if !allowed {
        return Err(AppError::forbidden());
    }
    if a.row.id == actor.id {
        return Err(AppError::Forbidden("不能对自己的账号进行此操作".into()));
    }
    Ok(a)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountInput {
    pub version: i64,
    pub display_name: String,
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: &UpdateAccountInput) -> AppResult<AccountOut> {
    actor.require(Permission::ManageAccounts)?;
    let before = managed(db, actor, id, false).await?;
    let name = check_text("display_name", "姓名或名称", &input.display_name, 32, true)?;
    let mut tx = db.begin().await?;
    if !store::update_profile(&mut tx, id, input.version, &name, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "account_updated",
        "account",
        id,
        audit::changes(&json!({ "display_name": before.row.display_name }), &json!({ "display_name": name })),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Lock, unlock or retire an account. Locking and retiring end its sessions.
pub async fn set_status(db: &Db, actor: &Actor, id: i64, status: &str) -> AppResult<AccountOut> {
    let security = matches!(status, "locked" | "active");
    if !(actor.can(Permission::ManageAccounts) || (security && actor.can(Permission::AccountSecurity))) {
        return Err(AppError::forbidden());
    }
    let before = managed(db, actor, id, security).await?;
    if before.row.status == "retired" {
        return Err(AppError::Conflict("账号已停用，不能再更改".into()));
    }
    if before.row.status == status {
        return Err(AppError::Conflict("账号已是该状态".into()));
    }
    let mut tx = db.begin().await?;
    store::set_status(&mut tx, id, status, actor.now).await?;
    if status != "active" {
        crate::auth::store::delete_sessions_of(&mut tx, id).await?;
    } else {
        store::clear_failures(&mut tx, &before.row.username).await?;
    }
    let action = match status {
        "locked" => "account_locked",
        "active" => "account_unlocked",
        _ => "account_retired",
    };
    audit::record(
        &mut tx,
        &actor.audit(),
        action,
        "account",
        id,
        audit::changes(&json!({ "status": before.row.status }), &json!({ "status": status })),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// What a reset hands out: an administrator gets a one-time setup code for the holder (三员分立);
/// another manager (a business role) a new initial password the holder must change at next sign-in.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ResetOut {
    Code(duties::SetupCode),
    Password { initial_password: String },
}

/// Resets an account's password; every session and API token of it ends.
pub async fn reset_password(db: &Db, actor: &Actor, id: i64) -> AppResult<ResetOut> {
    if !(actor.can(Permission::ManageAccounts) || actor.can(Permission::AccountSecurity)) {
        return Err(AppError::forbidden());
    }
    managed(db, actor, id, true).await?;
    let plain = (!actor.role.is_admin()).then(generate_password);
    let hash = match &plain {
        Some(p) => password::hash_blocking(p.clone()).await?,
        None => duties::unknown_password_hash().await?,
    };
    let mut tx = db.begin().await?;
    crate::auth::store::set_password(&mut tx, id, &hash, true, actor.now).await?;
    crate::auth::store::end_access(&mut tx, id, actor.now).await?;
    let out = match plain {
        Some(p) => {
            duty_store::issue(&mut tx, id, "reset", Some(actor.id), actor.now, None, None).await?;
            ResetOut::Password { initial_password: p }
        }
        None => ResetOut::Code(duties::issue_code(&mut tx, id, "reset", actor.id, actor.now).await?),
    };
    let detail = json!({ "setup_code": matches!(out, ResetOut::Code(_)) });
    audit::record(&mut tx, &actor.audit(), "password_reset", "account", id, detail).await?;
    tx.commit().await?;
    Ok(out)
}

/// Clears a lost second factor (security administrator only); the holder sets it up again at next sign-in.
pub async fn reset_totp(db: &Db, actor: &Actor, id: i64) -> AppResult<AccountOut> {
    actor.require(Permission::AccountSecurity)?;
    let acc = managed(db, actor, id, true).await?;
    if !acc.row.totp_enabled {
        return Err(AppError::Conflict("该账号未启用动态口令".into()));
    }
    let mut tx = db.begin().await?;
    crate::auth::store::set_totp(&mut tx, id, None, false, actor.now).await?;
    crate::auth::store::end_access(&mut tx, id, actor.now).await?;
    audit::record(&mut tx, &actor.audit(), "totp_reset", "account", id, json!({})).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_meet_policy() {
        for _ in 0..50 {
            let p = super::generate_password();
            assert!(crate::auth::password::check_policy("p", &p, "someone").is_ok(), "{p}");
        }
    }
}

/// How an account is named to people: display name, role and unit.
#[derive(Debug, Clone, Serialize)]
pub struct AccountName {
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
}

/// The names of accounts by id (unknown ids are left out); for the audit trail, which has no scope.
pub async fn names(db: &Db, ids: &[i64]) -> AppResult<std::collections::HashMap<i64, AccountName>> {
    let rows = store::names_of(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name, role, unit_name)| {
            let role_label = crate::auth::Role::parse(&role).map(|r| r.label()).unwrap_or("");
            (id, AccountName { display_name, role_label, unit_name })
        })
        .collect())
}
