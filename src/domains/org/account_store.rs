//! SQL for accounts (management view); reads bounded by the caller's subtree.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, like_contains};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub area_id: Option<i64>,
    pub department_id: Option<i64>,
    pub unit_name: String,
    pub staff_id: Option<i64>,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub status: String,
    pub demo: bool,
    /// Created by an administrator and not yet activated by another (三员分立).
    pub awaiting_activation: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    pub version: i64,
}

const COLUMNS: &str = "a.id, a.username, a.display_name, a.role, a.area_id, a.department_id, \
     COALESCE(d.name, ar.name) AS unit_name, a.staff_id, a.must_change_password, a.totp_enabled, a.status, a.demo, \
     a.awaiting_activation, a.created_at, a.updated_at, a.last_login_at, a.version";
const FROM: &str = "FROM accounts a LEFT JOIN departments d ON d.id = a.department_id JOIN areas ar ON ar.id = COALESCE(a.area_id, d.area_id)";

#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub scope_path: String,
    pub area_path: Option<String>,
    pub role: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
}

pub async fn list(db: &Db, af: &AccountFilter, paging: Paging) -> sqlx::Result<Page<AccountRow>> {
    let mut f = Filter::new();
    within(&mut f, "ar.path", &af.scope_path);
    if let Some(p) = &af.area_path {
        within(&mut f, "ar.path", p);
    }
    if let Some(r) = &af.role {
        f.and1("a.role = ?", r.as_str());
    }
    if let Some(q) = af.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = like_contains(q);
        f.and(
            "(LOWER(a.username) LIKE LOWER(?) ESCAPE '\\' OR LOWER(a.display_name) LIKE LOWER(?) ESCAPE '\\')",
            vec![pat.clone().into(), pat.into()],
        );
    }
    if let Some(s) = &af.status {
        f.and1("a.status = ?", s.as_str());
    }
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {FROM}{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT {COLUMNS} {FROM}{w} ORDER BY ar.path, a.username LIMIT {} OFFSET {}", m[0], m[1]),
            a,
        )
        .await?;
    Ok(paging.page(items, total))
}

pub async fn get(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<AccountRow>> {
    let mut f = Filter::new();
    f.and1("a.id = ?", id);
    within(&mut f, "ar.path", scope_path);
    db.read().fetch_optional(&format!("SELECT {COLUMNS} {FROM}{}", f.where_sql()), f.args()).await
}

pub async fn get_by_username(db: &Db, username: &str) -> sqlx::Result<Option<AccountRow>> {
    db.read().fetch_optional(&format!("SELECT {COLUMNS} {FROM} WHERE a.username = $1"), args![username]).await
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub area_id: Option<i64>,
    pub department_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub demo: bool,
}

pub async fn insert(tx: &mut Tx, a: &NewAccount<'_>, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO accounts (username, display_name, role, area_id, department_id, staff_id, password_hash, must_change_password, demo, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            args![a.username, a.display_name, a.role, a.area_id, a.department_id, a.staff_id, a.password_hash, a.must_change_password, a.demo, now],
        )
        .await?;
    Ok(id)
}

/// Roles already held by the person behind a staff record (other live accounts).
pub async fn roles_of_staff(tx: &mut Tx, staff_id: i64, except_account: i64) -> sqlx::Result<Vec<(String,)>> {
    tx.fetch_all(
        "SELECT role FROM accounts WHERE staff_id = $1 AND id <> $2 AND status <> 'retired'",
        args![staff_id, except_account],
    )
    .await
}

pub async fn update_profile(tx: &mut Tx, id: i64, version: i64, display_name: &str, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE accounts SET display_name = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
            args![display_name, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_status(tx: &mut Tx, id: i64, status: &str, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE accounts SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        args![status, now, id],
    )
    .await
    .map(drop)
}

/// Clears the sign-in failure counter of a username (on unlock).
pub async fn clear_failures(tx: &mut Tx, username: &str) -> sqlx::Result<()> {
    tx.execute("DELETE FROM login_failures WHERE username = $1", args![username]).await.map(drop)
}

/// Display name, role and unit of accounts by id, whatever their status (for the audit trail).
pub async fn names_of(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<(i64, String, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let args = ids.iter().map(|i| crate::db::Value::from(*i)).collect();
    db.read()
        .fetch_all(
            &format!(
                "SELECT a.id, a.display_name, a.role, COALESCE(d.name, ar.name, '') FROM accounts a \
                 LEFT JOIN departments d ON d.id = a.department_id LEFT JOIN areas ar ON ar.id = COALESCE(a.area_id, d.area_id) \
                 WHERE a.id IN ({marks})"
            ),
            args,
        )
        .await
}
