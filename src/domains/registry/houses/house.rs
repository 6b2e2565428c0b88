//! Houses (实有房屋): validation, lists, one house, create and versioned update.

use super::super::codes::Codes;
use super::super::house_store::{self as store, HOUSES, HouseRow};
use super::super::id_number::{IdNumber, mask_phone};
use super::*;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Value;
use crate::domains::org::model::{check_phone, check_text};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::Deserialize;
use serde_json::json;

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

pub(in crate::domains::registry) const HOUSE_COLS: [&str; 16] = [
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
pub(in crate::domains::registry) fn check_house(
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
        "owner_id_number": super::super::id_number::mask_id(&owner_id), "owner_phone": mask_phone(&owner_phone), "hazard": hazard, "lon": i.lon, "lat": i.lat });
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
        (!owner_id.is_empty()).then(|| super::super::id_number::mask_id(&owner_id)).into(),
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
