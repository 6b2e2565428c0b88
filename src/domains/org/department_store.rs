//! SQL for departments; reads bounded by the caller's subtree.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, like_contains};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DepartmentRow {
    pub id: i64,
    pub area_id: i64,
    pub area_name: String,
    pub kind: String,
    pub name: String,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const COLUMNS: &str = "d.id, d.area_id, ar.name AS area_name, d.kind, d.name, d.contact_person, d.contact_phone, d.address, \
     d.status, d.created_at, d.updated_at, d.version";
const FROM: &str = "FROM departments d JOIN areas ar ON ar.id = d.area_id";

#[derive(Debug, Default, Clone)]
pub struct DepartmentFilter {
    pub scope_path: String,
    pub area_path: Option<String>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
}

pub async fn list(db: &Db, df: &DepartmentFilter, paging: Paging) -> sqlx::Result<Page<DepartmentRow>> {
    let mut f = Filter::new();
    within(&mut f, "ar.path", &df.scope_path);
    if let Some(p) = &df.area_path {
        within(&mut f, "ar.path", p);
    }
    if let Some(k) = &df.kind {
        f.and1("d.kind = ?", k.as_str());
    }
    if let Some(q) = df.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        f.and1("LOWER(d.name) LIKE LOWER(?) ESCAPE '\\'", like_contains(q));
    }
    match df.status.as_deref() {
        Some("all") => {}
        Some(s) => {
            f.and1("d.status = ?", s);
        }
        None => {
            f.and1("d.status = ?", "active");
        }
    }
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {FROM}{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT {COLUMNS} {FROM}{w} ORDER BY ar.path, d.kind, d.id LIMIT {} OFFSET {}", m[0], m[1]),
            a,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// Names of the given departments, ordered by kind and id (the order of the department lists).
pub async fn names(db: &Db, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::new();
    f.and_in("id", ids);
    db.read().fetch_all(&format!("SELECT id, name FROM departments{} ORDER BY kind, id", f.where_sql()), f.args()).await
}

pub async fn get(db: &Db, scope_path: &str, id: i64) -> sqlx::Result<Option<DepartmentRow>> {
    let mut f = Filter::new();
    f.and1("d.id = ?", id);
    within(&mut f, "ar.path", scope_path);
    db.read().fetch_optional(&format!("SELECT {COLUMNS} {FROM}{}", f.where_sql()), f.args()).await
}

pub struct DepartmentFields<'a> {
    pub area_id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub contact_person: &'a str,
    pub contact_phone: &'a str,
    pub address: &'a str,
}

pub async fn insert(tx: &mut Tx, d: &DepartmentFields<'_>, now: Millis) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO departments (area_id, kind, name, contact_person, contact_phone, address, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            args![d.area_id, d.kind, d.name, d.contact_person, d.contact_phone, d.address, now],
        )
        .await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, version: i64, d: &DepartmentFields<'_>, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE departments SET kind = $1, name = $2, contact_person = $3, contact_phone = $4, address = $5, updated_at = $6, \
             version = version + 1 WHERE id = $7 AND version = $8 AND status = 'active'",
            args![d.kind, d.name, d.contact_person, d.contact_phone, d.address, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn retire(tx: &mut Tx, id: i64, version: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE departments SET status = 'retired', updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3 AND status = 'active'",
            args![now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn active_accounts(tx: &mut Tx, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = tx
        .fetch_one("SELECT COUNT(*) FROM accounts WHERE department_id = $1 AND status <> 'retired'", args![id])
        .await?;
    Ok(n)
}
