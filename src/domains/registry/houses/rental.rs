//! Rentals (出租房屋) with their tenants: validation, lists, one rental, create and versioned update.

use super::super::codes::Codes;
use super::super::house_store::{self as store, HOUSES, HouseRow, RENTALS, RentalRow, TenantRow};
use super::super::id_number::mask_phone;
use super::*;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Value;
use crate::domains::org::model::{check_date, check_phone, check_text};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RentalInput {
    pub version: Option<i64>,
    pub house_id: Option<i64>,
    pub landlord_name: Option<String>,
    pub landlord_phone: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub rental_use: Option<String>,
    pub police_registered: Option<bool>,
    pub tenant_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RentalOut {
    #[serde(flatten)]
    pub row: RentalRow,
    pub tenants: Vec<TenantRow>,
}

pub(super) async fn with_tenants(state: &AppState, rows: Vec<RentalRow>) -> AppResult<Vec<RentalOut>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tenants = store::tenants(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = tenants.extract_if(.., |t| t.rental_id == row.id).collect();
            RentalOut { row, tenants: mine }
        })
        .collect())
}

pub async fn list_rentals(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<RentalOut>> {
    let lf = filter(state, actor, q).await?;
    let page: Page<RentalRow> = store::list(&state.db, &RENTALS, &lf, Paging::new(q.page, q.per_page)).await?;
    audit_read(state, actor, "rental", page.items.iter().map(|h| h.id).collect()).await?;
    let Page { items, total, page, per_page } = page;
    Ok(Page { items: with_tenants(state, items).await?, total, page, per_page })
}

pub async fn get_rental(state: &AppState, actor: &Actor, id: i64) -> AppResult<RentalOut> {
    let r: RentalRow = store::get(&state.db, &RENTALS, &scope_path(actor)?, id)
        .await?
        .ok_or_else(|| AppError::not_found("出租房屋"))?;
    audit_read(state, actor, "rental", vec![id]).await?;
    Ok(with_tenants(state, vec![r]).await?.remove(0))
}

pub(in crate::domains::registry) const RENTAL_COLS: [&str; 9] = [
    "grid_id",
    "house_id",
    "landlord_name",
    "landlord_phone_enc",
    "landlord_phone_masked",
    "start_date",
    "end_date",
    "rental_use",
    "police_registered",
];

pub(in crate::domains::registry) async fn check_rental(
    state: &AppState,
    actor: &Actor,
    codes: &Codes,
    i: &RentalInput,
) -> AppResult<(Vec<Value>, Vec<i64>, serde_json::Value)> {
    let mut e = FieldErrors::new();
    let house = match i.house_id {
        None => {
            e.insert("house_id".into(), "请选择出租的房屋".into());
            None
        }
        Some(h) => {
            let found: Option<HouseRow> = store::get(&state.db, &HOUSES, actor.scope.path(), h).await?;
            if found.is_none() {
                e.insert("house_id".into(), "房屋不存在或不在您的管辖范围内".into());
            }
            found
        }
    };
    let landlord =
        take(&mut e, check_text("landlord_name", "房东姓名", i.landlord_name.as_deref().unwrap_or(""), 50, true));
    let phone = take(&mut e, check_phone("landlord_phone", i.landlord_phone.as_deref().unwrap_or(""), false));
    let start = match check_date("start_date", i.start_date.as_deref().unwrap_or("")) {
        Ok(d) => Some(d),
        Err(_) => {
            e.insert("start_date".into(), "请填写租赁起始日期（年-月-日）".into());
            None
        }
    };
    let end = match i.end_date.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match check_date("end_date", s) {
            Ok(d) => Some(d),
            Err(_) => {
                e.insert("end_date".into(), "租赁截止日期格式应为 年-月-日".into());
                None
            }
        },
    };
    if let (Some(s), Some(t)) = (start, end)
        && t < s
    {
        e.insert("end_date".into(), "截止日期不能早于起始日期".into());
    }
    let rental_use =
        code(&mut e, codes, "rental_use", "rental_use", "出租用途", i.rental_use.as_deref().unwrap_or(""), true);
    let tenants = i.tenant_ids.clone().unwrap_or_default();
    if tenants.len() > 50 {
        e.insert("tenant_ids".into(), "承租人最多 50 人".into());
    } else if store::persons_in_scope(&state.db, actor.scope.path(), &tenants).await? != tenants.len() as i64 {
        e.insert("tenant_ids".into(), "有承租人不存在或不在您的管辖范围内（请先登记人员）".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let house = house.ok_or_else(|| AppError::field("house_id", "请选择出租的房屋"))?;
    let view = json!({ "house_id": house.id, "landlord_name": landlord, "landlord_phone": mask_phone(&phone), "start_date": start.map(|d| d.to_string()),
        "end_date": end.map(|d| d.to_string()), "rental_use": rental_use, "police_registered": i.police_registered.unwrap_or(false), "tenant_ids": tenants });
    let values = vec![
        house.grid_id.into(),
        house.id.into(),
        landlord.into(),
        encrypt(state, &phone)?.into(),
        (if phone.is_empty() { String::new() } else { mask_phone(&phone) }).into(),
        start.map(|d| d.to_string()).into(),
        end.map(|d| d.to_string()).into(),
        rental_use.into(),
        i.police_registered.unwrap_or(false).into(),
    ];
    Ok((values, tenants, view))
}

pub async fn create_rental(state: &AppState, actor: &Actor, i: &RentalInput) -> AppResult<RentalOut> {
    actor.require(Permission::EditRegister)?;
    scope_path(actor)?;
    let codes = Codes::load(&state.db).await?;
    let (values, tenants, view) = check_rental(state, actor, &codes, i).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, "rentals", &RENTAL_COLS, values, actor.now).await?;
    store::set_tenants(&mut tx, id, &tenants).await?;
    audit::record(&mut tx, &actor.audit(), "rental_created", "rental", id, view).await?;
    tx.commit().await?;
    get_rental(state, actor, id).await
}

pub async fn update_rental(state: &AppState, actor: &Actor, id: i64, i: &RentalInput) -> AppResult<RentalOut> {
    actor.require(Permission::EditRegister)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur = get_rental(state, actor, id).await?;
    let phone = match (&i.landlord_phone, &cur.row.landlord_phone_enc) {
        (Some(v), _) => Some(v.clone()),
        (None, Some(enc)) => Some(state.keys.decrypt_str(enc)?),
        (None, None) => None,
    };
    let merged = RentalInput {
        version: Some(version),
        house_id: Some(i.house_id.unwrap_or(cur.row.house_id)),
        landlord_name: Some(i.landlord_name.clone().unwrap_or(cur.row.landlord_name.clone())),
        landlord_phone: phone,
        start_date: Some(i.start_date.clone().unwrap_or(cur.row.start_date.clone())),
        end_date: i.end_date.clone().or(cur.row.end_date.clone()),
        rental_use: Some(i.rental_use.clone().unwrap_or(cur.row.rental_use.clone())),
        police_registered: Some(i.police_registered.unwrap_or(cur.row.police_registered)),
        tenant_ids: Some(i.tenant_ids.clone().unwrap_or_else(|| cur.tenants.iter().map(|t| t.person_id).collect())),
    };
    let codes = Codes::load(&state.db).await?;
    let (values, tenants, after) = check_rental(state, actor, &codes, &merged).await?;
    let before = json!({ "house_id": cur.row.house_id, "landlord_name": cur.row.landlord_name, "landlord_phone": cur.row.landlord_phone_masked,
        "start_date": cur.row.start_date, "end_date": cur.row.end_date, "rental_use": cur.row.rental_use, "police_registered": cur.row.police_registered,
        "tenant_ids": cur.tenants.iter().map(|t| t.person_id).collect::<Vec<_>>() });
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, "rentals", id, version, &RENTAL_COLS, values, actor.now).await? {
        return Err(stale());
    }
    store::set_tenants(&mut tx, id, &tenants).await?;
    audit::record(&mut tx, &actor.audit(), "rental_updated", "rental", id, audit::changes(&before, &after)).await?;
    tx.commit().await?;
    get_rental(state, actor, id).await
}

// ---- places --------------------------------------------------------------------------------
