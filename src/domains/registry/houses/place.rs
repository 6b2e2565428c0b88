//! Key places (重点场所): the unified social credit code check, validation, lists, create and versioned update.

use super::super::codes::Codes;
use super::super::house_store::{self as store, PLACES, PlaceRow};
use super::super::id_number::mask_phone;
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

pub(in crate::domains::registry) const PLACE_COLS: [&str; 11] = [
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

pub(in crate::domains::registry) fn check_place(
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

#[cfg(test)]
mod tests {
    #[test]
    fn credit_codes() {
        assert!(super::check_credit_code("91350100M000100Y43").is_ok());
        assert!(super::check_credit_code("91350100M000100Y44").is_err());
        assert!(super::check_credit_code("short").is_err());
    }
}
