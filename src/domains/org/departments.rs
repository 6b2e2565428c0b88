//! The department service: police stations, justice offices, health centres … attached to a town or the county.

use super::areas::row_in_scope;
use super::department_store::{self as store, DepartmentFields, DepartmentFilter, DepartmentRow};
use super::model::{AreaKind, DEPARTMENT_KINDS, check_phone, check_text, department_kind_label};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentOut {
    #[serde(flatten)]
    pub row: DepartmentRow,
    pub kind_label: &'static str,
}

fn present(row: DepartmentRow) -> DepartmentOut {
    DepartmentOut { kind_label: department_kind_label(&row.kind), row }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentQuery {
    pub area: Option<i64>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn check_kind(kind: &str) -> AppResult<()> {
    if DEPARTMENT_KINDS.iter().any(|(k, _)| *k == kind) {
        Ok(())
    } else {
        Err(AppError::field(
            "kind",
            "部门类型只能是 police_station、justice_office、health_center、urban_mgmt、civil_affairs、education 或 other",
        ))
    }
}

pub async fn list(db: &Db, actor: &Actor, q: &DepartmentQuery) -> AppResult<Page<DepartmentOut>> {
    let mut df = DepartmentFilter { scope_path: actor.scope.path().to_owned(), q: q.q.clone(), ..Default::default() };
    if let Some(a) = q.area {
        df.area_path = Some(row_in_scope(db, actor, a).await?.path);
    }
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        check_kind(k)?;
        df.kind = Some(k.to_owned());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(s, "active" | "retired" | "all") {
            return Err(AppError::field("status", "状态只能是 active、retired 或 all"));
        }
        df.status = Some(s.to_owned());
    }
    Ok(store::list(db, &df, Paging::new(q.page, q.per_page)).await?.map(present))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<DepartmentOut> {
    store::get(db, actor.scope.path(), id).await?.map(present).ok_or_else(|| AppError::not_found("部门"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    #[serde(default)]
    pub version: Option<i64>,
    pub area_id: i64,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub contact_person: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

struct Checked {
    name: String,
    person: String,
    phone: String,
    address: String,
}

async fn check(db: &Db, actor: &Actor, input: &DepartmentInput) -> AppResult<Checked> {
    let mut errors = FieldErrors::new();
    let mut take = |r: AppResult<String>| AppError::gather(&mut errors, r);
    let name = take(check_text("name", "部门名称", &input.name, 50, true));
    let person = take(check_text("contact_person", "联系人", input.contact_person.as_deref().unwrap_or(""), 32, false));
    let phone = take(check_phone("contact_phone", input.contact_phone.as_deref().unwrap_or(""), false));
    let address = take(check_text("address", "地址", input.address.as_deref().unwrap_or(""), 200, false));
    if let Err(AppError::Invalid { fields, .. }) = check_kind(&input.kind) {
        errors.extend(fields);
    }
    match row_in_scope(db, actor, input.area_id).await {
        Ok(a) if !matches!(AreaKind::parse(&a.kind), Some(AreaKind::Town | AreaKind::County)) => {
            errors.insert("area_id".into(), "部门只能设在乡镇（街道）或县".into());
        }
        Ok(a) if a.status != "active" => {
            errors.insert("area_id".into(), "所属区域已撤销".into());
        }
        Ok(_) => {}
        Err(_) => {
            errors.insert("area_id".into(), "所属区域不存在或不在您的管辖范围内".into());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    Ok(Checked { name, person, phone, address })
}

pub async fn create(db: &Db, actor: &Actor, input: &DepartmentInput) -> AppResult<DepartmentOut> {
    actor.require(Permission::ManageDepartments)?;
    let c = check(db, actor, input).await?;
    let fields = DepartmentFields {
        area_id: input.area_id,
        kind: &input.kind,
        name: &c.name,
        contact_person: &c.person,
        contact_phone: &c.phone,
        address: &c.address,
    };
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &fields, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("name", "该区域已有同名部门")
        } else {
            e.into()
        }
    })?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "department_created",
        "department",
        id,
        json!({ "name": c.name, "kind": input.kind, "area_id": input.area_id }),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: &DepartmentInput) -> AppResult<DepartmentOut> {
    actor.require(Permission::ManageDepartments)?;
    let before = get(db, actor, id).await?;
    let version = input.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    if input.area_id != before.row.area_id {
        return Err(AppError::field("area_id", "部门所属区域不能修改"));
    }
    let c = check(db, actor, input).await?;
    let fields = DepartmentFields {
        area_id: input.area_id,
        kind: &input.kind,
        name: &c.name,
        contact_person: &c.person,
        contact_phone: &c.phone,
        address: &c.address,
    };
    let mut tx = db.begin().await?;
    let ok = store::update(&mut tx, id, version, &fields, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("name", "该区域已有同名部门")
        } else {
            e.into()
        }
    })?;
    if !ok {
        return Err(AppError::Conflict("数据已被他人修改或部门已撤销，请刷新后重试".into()));
    }
    let b = &before.row;
    let old = json!({ "kind": b.kind, "name": b.name, "contact_person": b.contact_person, "contact_phone": b.contact_phone, "address": b.address });
    let new = json!({ "kind": input.kind, "name": c.name, "contact_person": c.person, "contact_phone": c.phone, "address": c.address });
    audit::record(&mut tx, &actor.audit(), "department_updated", "department", id, audit::changes(&old, &new)).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetireDepartment {
    pub version: i64,
}

pub async fn retire(db: &Db, actor: &Actor, id: i64, input: &RetireDepartment) -> AppResult<DepartmentOut> {
    actor.require(Permission::ManageDepartments)?;
    get(db, actor, id).await?;
    let mut tx = db.begin().await?;
    if store::active_accounts(&mut tx, id).await? > 0 {
        return Err(AppError::Conflict("该部门仍有账号，请先停用这些账号".into()));
    }
    if !store::retire(&mut tx, id, input.version, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改或部门已撤销，请刷新后重试".into()));
    }
    audit::record(&mut tx, &actor.audit(), "department_retired", "department", id, json!({})).await?;
    tx.commit().await?;
    get(db, actor, id).await
}
