//! Services for houses (实有房屋), households (户), rentals (出租房屋) and key places (重点场所):
//! scoped, validated against the code tables, owner/landlord/contact numbers encrypted and masked,
//! every read and change audited.

use super::codes::Codes;
use super::forms::{HistoryEntry, LinkNames, linked_ids};
use super::house_store::Labelled;
use super::house_store::{
    self as store, HOUSEHOLDS, HOUSES, HouseRow, HouseholdRow, ListFilter, PLACES, PlaceRow, RENTALS, RentalRow,
    TenantRow,
};
use super::id_number::{IdNumber, mask_phone};
use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::db::Value;
use crate::domains::org::area_store;
use crate::domains::org::model::{check_date, check_phone, check_text};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Houses, rentals and places belong to an area scope; departments do not browse them.
pub(super) fn scope_path(actor: &Actor) -> AppResult<String> {
    actor.require(Permission::ReadRegister)?;
    match &actor.scope {
        Scope::Area { path, .. } => Ok(path.clone()),
        Scope::Department { .. } => Err(AppError::forbidden()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub q: Option<String>,
    pub area: Option<i64>,
    pub grid: Option<i64>,
    pub status: Option<String>,
    pub house_no: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

async fn filter(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<ListFilter> {
    let mut lf = ListFilter { scope_path: scope_path(actor)?, grid_id: q.grid, q: q.q.clone(), ..Default::default() };
    if let Some(a) = q.area {
        lf.area_path = Some(
            area_store::get(&state.db, &lf.scope_path, a)
                .await?
                .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?
                .path,
        );
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        lf.status = Some(s.to_owned());
    }
    Ok(lf)
}

async fn audit_read(state: &AppState, actor: &Actor, object: &str, ids: Vec<i64>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        &format!("{object}_read"),
        object,
        if ids.len() == 1 { ids[0].to_string() } else { "list".into() },
        json!({ "ids": ids }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An active grid inside the caller's scope.
async fn grid_in_scope(state: &AppState, actor: &Actor, grid_id: i64) -> AppResult<i64> {
    area_store::get(&state.db, actor.scope.path(), grid_id)
        .await?
        .filter(|g| g.kind == "grid" && g.status == "active")
        .map(|g| g.id)
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))
}

fn take(e: &mut FieldErrors, r: AppResult<String>) -> String {
    AppError::gather(e, r)
}

fn code(e: &mut FieldErrors, codes: &Codes, field: &str, table: &str, label: &str, v: &str, required: bool) -> String {
    if v.trim().is_empty() {
        if required {
            e.insert(field.into(), format!("请选择{label}"));
        }
        return String::new();
    }
    codes.find(table, v).unwrap_or_else(|| {
        e.insert(field.into(), format!("{label}不是代码表中的值"));
        String::new()
    })
}

fn coords(e: &mut FieldErrors, lon: Option<f64>, lat: Option<f64>) {
    if let Err(msg) = crate::geo::coords::check_pair(lon, lat) {
        e.insert("lon".into(), format!("经纬度应成对填写，且在有效范围内：{msg}"));
    }
}

fn encrypt(state: &AppState, v: &str) -> AppResult<Option<Vec<u8>>> {
    if v.is_empty() { Ok(None) } else { Ok(Some(state.keys.encrypt_str(v)?)) }
}

fn stale() -> AppError {
    AppError::Conflict("数据已被他人修改，请刷新后重试".into())
}

// ---- houses --------------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseInput {
    pub version: Option<i64>,
    pub grid_id: Option<i64>,
    pub house_no: Option<String>,
    pub road: Option<String>,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
    pub address: Option<String>,
    pub house_use: Option<String>,
    pub floor_area: Option<f64>,
    pub owner_name: Option<String>,
    pub owner_id_number: Option<String>,
    pub owner_phone: Option<String>,
    pub hazard: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

pub(super) const HOUSE_COLS: [&str; 16] = [
    "grid_id",
    "house_no",
    "road",
    "building",
    "unit",
    "room",
    "address",
    "house_use",
    "floor_area",
    "owner_name",
    "owner_id_enc",
    "owner_id_bidx",
    "owner_id_masked",
    "owner_phone_enc",
    "owner_phone_masked",
    "hazard",
];

/// Validates a house; answers the column values (HOUSE_COLS order, then lon, lat) and an audit view.
pub(super) fn check_house(
    state: &AppState,
    codes: &Codes,
    i: &HouseInput,
) -> AppResult<(Vec<Value>, serde_json::Value)> {
    let mut e = FieldErrors::new();
    let house_no = take(&mut e, check_text("house_no", "房屋编号", i.house_no.as_deref().unwrap_or(""), 40, true));
    if !house_no.is_empty() && !house_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        e.insert("house_no".into(), "房屋编号只能由字母、数字和 - 组成".into());
    }
    let road = take(&mut e, check_text("road", "街路巷", i.road.as_deref().unwrap_or(""), 100, false));
    let building = take(&mut e, check_text("building", "楼栋", i.building.as_deref().unwrap_or(""), 20, false));
    let unit = take(&mut e, check_text("unit", "单元", i.unit.as_deref().unwrap_or(""), 20, false));
    let room = take(&mut e, check_text("room", "房号", i.room.as_deref().unwrap_or(""), 20, false));
    let mut address = take(&mut e, check_text("address", "地址", i.address.as_deref().unwrap_or(""), 200, false));
    if address.is_empty() {
        address = [road.as_str(), &building, &unit, &room]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("");
    }
    if address.is_empty() {
        e.insert("address".into(), "请填写标准地址（街路巷、楼栋、单元、房号）".into());
    }
    let house_use =
        code(&mut e, codes, "house_use", "house_use", "房屋用途", i.house_use.as_deref().unwrap_or(""), true);
    let hazard = code(&mut e, codes, "hazard", "hazard", "隐患类型", i.hazard.as_deref().unwrap_or("none"), false);
    if i.floor_area.is_some_and(|a| !(0.0..=1_000_000.0).contains(&a)) {
        e.insert("floor_area".into(), "建筑面积应在 0–1000000 平方米之间".into());
    }
    let owner_name =
        take(&mut e, check_text("owner_name", "房主姓名", i.owner_name.as_deref().unwrap_or(""), 50, false));
    let owner_id = match i.owner_id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => String::new(),
        Some(s) => match IdNumber::parse(s) {
            Ok(id) => id.as_str().to_owned(),
            Err(m) => {
                e.insert("owner_id_number".into(), m.into());
                String::new()
            }
        },
    };
    let owner_phone = take(&mut e, check_phone("owner_phone", i.owner_phone.as_deref().unwrap_or(""), false));
    coords(&mut e, i.lon, i.lat);
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let view = json!({ "house_no": house_no, "address": address, "house_use": house_use, "floor_area": i.floor_area, "owner_name": owner_name,
        "owner_id_number": super::id_number::mask_id(&owner_id), "owner_phone": mask_phone(&owner_phone), "hazard": hazard, "lon": i.lon, "lat": i.lat });
    let values = vec![
        i.grid_id.into(),
        house_no.into(),
        road.into(),
        building.into(),
        unit.into(),
        room.into(),
        address.into(),
        house_use.into(),
        Value::Float(i.floor_area),
        owner_name.into(),
        encrypt(state, &owner_id)?.into(),
        (!owner_id.is_empty()).then(|| state.keys.blind_index("id_number", &owner_id)).into(),
        (!owner_id.is_empty()).then(|| super::id_number::mask_id(&owner_id)).into(),
        encrypt(state, &owner_phone)?.into(),
        (!owner_phone.is_empty()).then(|| mask_phone(&owner_phone)).into(),
        hazard.into(),
        Value::Float(i.lon),
        Value::Float(i.lat),
    ];
    Ok((values, view))
}

pub async fn list_houses(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<HouseRow>> {
    let mut lf = filter(state, actor, q).await?;
    if let Some(no) = q.house_no.as_deref().filter(|s| !s.is_empty()) {
        lf.exact.push(("h.house_no".into(), no.into()));
    }
    let page: Page<HouseRow> = store::list(&state.db, &HOUSES, &lf, Paging::new(q.page, q.per_page)).await?;
    audit_read(state, actor, "house", page.items.iter().map(|h| h.id).collect()).await?;
    Ok(page)
}

pub async fn get_house(state: &AppState, actor: &Actor, id: i64) -> AppResult<HouseRow> {
    let h: HouseRow =
        store::get(&state.db, &HOUSES, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("房屋"))?;
    audit_read(state, actor, "house", vec![id]).await?;
    Ok(h)
}

pub async fn create_house(state: &AppState, actor: &Actor, i: &HouseInput) -> AppResult<HouseRow> {
    actor.require(Permission::EditRegister)?;
    let grid =
        grid_in_scope(state, actor, i.grid_id.ok_or_else(|| AppError::field("grid_id", "请选择所属网格"))?).await?;
    let codes = Codes::load(&state.db).await?;
    let (values, view) = check_house(state, &codes, &HouseInput { grid_id: Some(grid), ..i.clone() })?;
    let mut cols = HOUSE_COLS.to_vec();
    cols.extend(["lon", "lat"]);
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, "houses", &cols, values, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("house_no", "房屋编号已存在") } else { e.into() }
    })?;
    audit::record(&mut tx, &actor.audit(), "house_created", "house", id, view).await?;
    tx.commit().await?;
    get_house(state, actor, id).await
}

pub async fn update_house(state: &AppState, actor: &Actor, id: i64, i: &HouseInput) -> AppResult<HouseRow> {
    actor.require(Permission::EditRegister)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur: HouseRow =
        store::get(&state.db, &HOUSES, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("房屋"))?;
    let owner_id = match (&i.owner_id_number, &cur.owner_id_enc) {
        (Some(v), _) => Some(v.clone()),
        (None, Some(enc)) => Some(state.keys.decrypt_str(enc)?),
        (None, None) => None,
    };
    let owner_phone = match (&i.owner_phone, &cur.owner_phone_enc) {
        (Some(v), _) => Some(v.clone()),
        (None, Some(enc)) => Some(state.keys.decrypt_str(enc)?),
        (None, None) => None,
    };
    let merged = HouseInput {
        version: Some(version),
        grid_id: Some(cur.grid_id),
        house_no: Some(i.house_no.clone().unwrap_or(cur.house_no.clone())),
        road: Some(i.road.clone().unwrap_or(cur.road.clone())),
        building: Some(i.building.clone().unwrap_or(cur.building.clone())),
        unit: Some(i.unit.clone().unwrap_or(cur.unit.clone())),
        room: Some(i.room.clone().unwrap_or(cur.room.clone())),
        address: Some(i.address.clone().unwrap_or(cur.address.clone())),
        house_use: Some(i.house_use.clone().unwrap_or(cur.house_use.clone())),
        floor_area: i.floor_area.or(cur.floor_area),
        owner_name: Some(i.owner_name.clone().unwrap_or(cur.owner_name.clone())),
        owner_id_number: owner_id,
        owner_phone,
        hazard: Some(i.hazard.clone().unwrap_or(cur.hazard.clone())),
        lon: i.lon.or(cur.lon),
        lat: i.lat.or(cur.lat),
    };
    let codes = Codes::load(&state.db).await?;
    let (values, after) = check_house(state, &codes, &merged)?;
    let before = json!({ "house_no": cur.house_no, "address": cur.address, "house_use": cur.house_use, "floor_area": cur.floor_area,
        "owner_name": cur.owner_name, "owner_id_number": cur.owner_id_masked.clone().unwrap_or_default(), "owner_phone": cur.owner_phone_masked.clone().unwrap_or_default(),
        "hazard": cur.hazard, "lon": cur.lon, "lat": cur.lat });
    let mut cols = HOUSE_COLS.to_vec();
    cols.extend(["lon", "lat"]);
    let mut tx = state.db.begin().await?;
    let ok = store::update(&mut tx, "houses", id, version, &cols, values, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("house_no", "房屋编号已存在") } else { e.into() }
    })?;
    if !ok {
        return Err(stale());
    }
    audit::record(&mut tx, &actor.audit(), "house_updated", "house", id, audit::changes(&before, &after)).await?;
    tx.commit().await?;
    get_house(state, actor, id).await
}

// ---- households ----------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    pub version: Option<i64>,
    pub grid_id: Option<i64>,
    pub household_no: Option<String>,
    pub house_id: Option<i64>,
    pub address: Option<String>,
    pub head_person_id: Option<i64>,
}

pub async fn list_households(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<HouseholdRow>> {
    let lf = filter(state, actor, q).await?;
    let page: Page<HouseholdRow> = store::list(&state.db, &HOUSEHOLDS, &lf, Paging::new(q.page, q.per_page)).await?;
    audit_read(state, actor, "household", page.items.iter().map(|h| h.id).collect()).await?;
    Ok(page)
}

pub async fn get_household(state: &AppState, actor: &Actor, id: i64) -> AppResult<HouseholdRow> {
    let h: HouseholdRow =
        store::get(&state.db, &HOUSEHOLDS, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("户"))?;
    audit_read(state, actor, "household", vec![id]).await?;
    Ok(h)
}

pub(super) async fn check_household(
    state: &AppState,
    actor: &Actor,
    grid: i64,
    i: &HouseholdInput,
) -> AppResult<Vec<Value>> {
    let mut e = FieldErrors::new();
    let no = take(&mut e, check_text("household_no", "户号", i.household_no.as_deref().unwrap_or(""), 30, true));
    if !no.is_empty() && !no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        e.insert("household_no".into(), "户号只能由字母、数字和 - 组成".into());
    }
    let address = take(&mut e, check_text("address", "地址", i.address.as_deref().unwrap_or(""), 200, false));
    if let Some(h) = i.house_id
        && store::grid_of_house(&state.db, h).await? != Some(grid)
    {
        e.insert("house_id".into(), "房屋不存在或不在该网格".into());
    }
    if let Some(p) = i.head_person_id
        && store::persons_in_scope(&state.db, actor.scope.path(), &[p]).await? != 1
    {
        e.insert("head_person_id".into(), "户主不存在或不在您的管辖范围内".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(vec![grid.into(), no.into(), i.house_id.into(), address.into(), i.head_person_id.into()])
}

pub(super) const HOUSEHOLD_COLS: [&str; 5] = ["grid_id", "household_no", "house_id", "address", "head_person_id"];

pub async fn create_household(state: &AppState, actor: &Actor, i: &HouseholdInput) -> AppResult<HouseholdRow> {
    actor.require(Permission::EditRegister)?;
    let grid =
        grid_in_scope(state, actor, i.grid_id.ok_or_else(|| AppError::field("grid_id", "请选择所属网格"))?).await?;
    let values = check_household(state, actor, grid, i).await?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, "households", &HOUSEHOLD_COLS, values, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) { AppError::field("household_no", "户号已存在") } else { e.into() }
    })?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "household_created",
        "household",
        id,
        json!({ "household_no": i.household_no, "grid_id": grid }),
    )
    .await?;
    tx.commit().await?;
    get_household(state, actor, id).await
}

pub async fn update_household(state: &AppState, actor: &Actor, id: i64, i: &HouseholdInput) -> AppResult<HouseholdRow> {
    actor.require(Permission::EditRegister)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur: HouseholdRow =
        store::get(&state.db, &HOUSEHOLDS, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("户"))?;
    let merged = HouseholdInput {
        version: Some(version),
        grid_id: Some(cur.grid_id),
        household_no: Some(i.household_no.clone().unwrap_or(cur.household_no.clone())),
        house_id: i.house_id.or(cur.house_id),
        address: Some(i.address.clone().unwrap_or(cur.address.clone())),
        head_person_id: i.head_person_id.or(cur.head_person_id),
    };
    let values = check_household(state, actor, cur.grid_id, &merged).await?;
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, "households", id, version, &HOUSEHOLD_COLS, values, actor.now).await? {
        return Err(stale());
    }
    let before = json!({ "household_no": cur.household_no, "house_id": cur.house_id, "address": cur.address, "head_person_id": cur.head_person_id });
    let after = json!({ "household_no": merged.household_no, "house_id": merged.house_id, "address": merged.address, "head_person_id": merged.head_person_id });
    audit::record(&mut tx, &actor.audit(), "household_updated", "household", id, audit::changes(&before, &after))
        .await?;
    tx.commit().await?;
    get_household(state, actor, id).await
}

// ---- rentals -------------------------------------------------------------------------------

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

async fn with_tenants(state: &AppState, rows: Vec<RentalRow>) -> AppResult<Vec<RentalOut>> {
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

pub(super) const RENTAL_COLS: [&str; 9] = [
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

pub(super) async fn check_rental(
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

/// Checks an 18-character unified social credit code (GB 32100) including its check character.
pub fn check_credit_code(code: &str) -> Result<String, &'static str> {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let c = code.trim().to_uppercase();
    if c.chars().count() != 18 {
        return Err("统一社会信用代码应为 18 位");
    }
    let vals: Option<Vec<u32>> = c.chars().map(|ch| CHARS.find(ch).map(|i| i as u32)).collect();
    let Some(vals) = vals else { return Err("统一社会信用代码含有无效字符") };
    let sum: u32 = vals[..17].iter().zip(W).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if vals[17] != check {
        return Err("统一社会信用代码校验位不正确");
    }
    Ok(c)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceInput {
    pub version: Option<i64>,
    pub grid_id: Option<i64>,
    pub name: Option<String>,
    pub place_type: Option<String>,
    pub credit_code: Option<String>,
    pub legal_person: Option<String>,
    pub safety_person: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

pub(super) const PLACE_COLS: [&str; 11] = [
    "grid_id",
    "name",
    "place_type",
    "credit_code",
    "legal_person",
    "safety_person",
    "contact_phone_enc",
    "contact_phone_masked",
    "address",
    "lon",
    "lat",
];

pub(super) fn check_place(
    state: &AppState,
    codes: &Codes,
    grid: i64,
    i: &PlaceInput,
) -> AppResult<(Vec<Value>, serde_json::Value)> {
    let mut e = FieldErrors::new();
    let name = take(&mut e, check_text("name", "名称", i.name.as_deref().unwrap_or(""), 100, true));
    let place_type =
        code(&mut e, codes, "place_type", "place_type", "场所类型", i.place_type.as_deref().unwrap_or(""), true);
    let credit = match i.credit_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match check_credit_code(s) {
            Ok(c) => Some(c),
            Err(m) => {
                e.insert("credit_code".into(), m.into());
                None
            }
        },
    };
    let legal =
        take(&mut e, check_text("legal_person", "法定代表人", i.legal_person.as_deref().unwrap_or(""), 50, false));
    let safety =
        take(&mut e, check_text("safety_person", "安全责任人", i.safety_person.as_deref().unwrap_or(""), 50, true));
    let phone = take(&mut e, check_phone("contact_phone", i.contact_phone.as_deref().unwrap_or(""), true));
    let address = take(&mut e, check_text("address", "地址", i.address.as_deref().unwrap_or(""), 200, true));
    coords(&mut e, i.lon, i.lat);
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let view = json!({ "name": name, "place_type": place_type, "credit_code": credit, "legal_person": legal, "safety_person": safety,
        "contact_phone": mask_phone(&phone), "address": address, "lon": i.lon, "lat": i.lat });
    let values = vec![
        grid.into(),
        name.into(),
        place_type.into(),
        credit.into(),
        legal.into(),
        safety.into(),
        encrypt(state, &phone)?.into(),
        mask_phone(&phone).into(),
        address.into(),
        Value::Float(i.lon),
        Value::Float(i.lat),
    ];
    Ok((values, view))
}

pub async fn list_places(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<PlaceRow>> {
    let lf = filter(state, actor, q).await?;
    let page: Page<PlaceRow> = store::list(&state.db, &PLACES, &lf, Paging::new(q.page, q.per_page)).await?;
    audit_read(state, actor, "place", page.items.iter().map(|h| h.id).collect()).await?;
    Ok(page)
}

pub async fn get_place(state: &AppState, actor: &Actor, id: i64) -> AppResult<PlaceRow> {
    let p: PlaceRow =
        store::get(&state.db, &PLACES, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("场所"))?;
    audit_read(state, actor, "place", vec![id]).await?;
    Ok(p)
}

pub async fn create_place(state: &AppState, actor: &Actor, i: &PlaceInput) -> AppResult<PlaceRow> {
    actor.require(Permission::EditRegister)?;
    let grid =
        grid_in_scope(state, actor, i.grid_id.ok_or_else(|| AppError::field("grid_id", "请选择所属网格"))?).await?;
    let codes = Codes::load(&state.db).await?;
    let (values, view) = check_place(state, &codes, grid, i)?;
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, "places", &PLACE_COLS, values, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("credit_code", "该统一社会信用代码已登记")
        } else {
            e.into()
        }
    })?;
    audit::record(&mut tx, &actor.audit(), "place_created", "place", id, view).await?;
    tx.commit().await?;
    get_place(state, actor, id).await
}

pub async fn update_place(state: &AppState, actor: &Actor, id: i64, i: &PlaceInput) -> AppResult<PlaceRow> {
    actor.require(Permission::EditRegister)?;
    let version = i.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let cur: PlaceRow =
        store::get(&state.db, &PLACES, &scope_path(actor)?, id).await?.ok_or_else(|| AppError::not_found("场所"))?;
    let phone = match (&i.contact_phone, &cur.contact_phone_enc) {
        (Some(v), _) => Some(v.clone()),
        (None, Some(enc)) => Some(state.keys.decrypt_str(enc)?),
        (None, None) => None,
    };
    let merged = PlaceInput {
        version: Some(version),
        grid_id: Some(cur.grid_id),
        name: Some(i.name.clone().unwrap_or(cur.name.clone())),
        place_type: Some(i.place_type.clone().unwrap_or(cur.place_type.clone())),
        credit_code: i.credit_code.clone().or(cur.credit_code.clone()),
        legal_person: Some(i.legal_person.clone().unwrap_or(cur.legal_person.clone())),
        safety_person: Some(i.safety_person.clone().unwrap_or(cur.safety_person.clone())),
        contact_phone: phone,
        address: Some(i.address.clone().unwrap_or(cur.address.clone())),
        lon: i.lon.or(cur.lon),
        lat: i.lat.or(cur.lat),
    };
    let codes = Codes::load(&state.db).await?;
    let (values, after) = check_place(state, &codes, cur.grid_id, &merged)?;
    let before = json!({ "name": cur.name, "place_type": cur.place_type, "credit_code": cur.credit_code, "legal_person": cur.legal_person,
        "safety_person": cur.safety_person, "contact_phone": cur.contact_phone_masked, "address": cur.address, "lon": cur.lon, "lat": cur.lat });
    let mut tx = state.db.begin().await?;
    let ok = store::update(&mut tx, "places", id, version, &PLACE_COLS, values, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::field("credit_code", "该统一社会信用代码已登记")
        } else {
            e.into()
        }
    })?;
    if !ok {
        return Err(stale());
    }
    audit::record(&mut tx, &actor.audit(), "place_updated", "place", id, audit::changes(&before, &after)).await?;
    tx.commit().await?;
    get_place(state, actor, id).await
}

// ---- history -------------------------------------------------------------------------------

/// The change history (audit rows, reads left out) of a house, household, rental or place in scope.
pub async fn history(state: &AppState, actor: &Actor, object: &str, id: i64) -> AppResult<Vec<audit::AuditRow>> {
    let path = scope_path(actor)?;
    let db = &state.db;
    let found = match object {
        "house" => store::get::<HouseRow>(db, &HOUSES, &path, id).await?.is_some(),
        "household" => store::get::<HouseholdRow>(db, &HOUSEHOLDS, &path, id).await?.is_some(),
        "rental" => store::get::<RentalRow>(db, &RENTALS, &path, id).await?.is_some(),
        "place" => store::get::<PlaceRow>(db, &PLACES, &path, id).await?.is_some(),
        _ => false,
    };
    if !found {
        return Err(AppError::not_found("记录"));
    }
    audit::changes_of(db, object, &id.to_string()).await
}

/// History rows as the pages show them, with linked grids, houses and households by name.
pub async fn named_history(
    state: &AppState,
    rows: Vec<audit::AuditRow>,
    codes: &Codes,
) -> AppResult<Vec<HistoryEntry>> {
    let mut names = LinkNames::default();
    for (field, ids) in linked_ids(&rows) {
        let found = match field {
            "grid_id" => area_store::names(&state.db, &ids).await?,
            "house_id" => store::labels(&state.db, Labelled::House, &ids).await?,
            _ => store::labels(&state.db, Labelled::Household, &ids).await?,
        };
        names.0.extend(found.into_iter().map(|(id, name)| ((field, id), name)));
    }
    Ok(super::forms::history(rows, codes, &names))
}

#[cfg(test)]
mod tests {
    #[test]
    fn credit_codes() {
        assert!(super::check_credit_code("91350100M000100Y43").is_ok());
        assert!(super::check_credit_code("91350100M000100Y44").is_err());
        assert!(super::check_credit_code("short").is_err());
    }
}
