//! Rows of a house, household, rental or place import: the input of each row, the records its key finds, the register's own checks.

use super::codes::Codes;
use super::house_import::Entity;
use super::house_import_cells::{
    Cells, by_key, checked, claim, house, id_key, person, reason, unique, unique_ids, verdict,
};
use super::house_import_store as store;
use super::house_store::{
    self, HOUSEHOLDS, HOUSES, HouseRow, HouseholdRow, ListSpec, PLACES, PlaceRow, RENTALS, RentalRow,
};
use super::houses::{self, HouseInput, HouseholdInput, PlaceInput, RentalInput};
use crate::auth::Actor;
use crate::db::{Record, Value};
use crate::error::{AppResult, FieldErrors};
use crate::state::AppState;
use serde_json::json;
use std::collections::HashMap;

/// What every row of a job is checked against.
pub(super) struct Ctx<'a> {
    pub state: &'a AppState,
    pub actor: &'a Actor,
    pub codes: &'a Codes,
    /// Grid code → id, the active grids of the caller's area.
    pub grids: &'a HashMap<String, i64>,
    pub scope: &'a str,
    /// Header → column.
    pub map: &'a HashMap<&'static str, usize>,
}

/// A row ready to write: its key, the checked values and audit view, the tenants (rentals) and the
/// stored record it updates, if any.
pub(super) struct Ready {
    pub key: String,
    pub key_label: &'static str,
    pub values: Vec<Value>,
    pub view: serde_json::Value,
    pub tenants: Vec<i64>,
    pub existing: Option<Stored>,
}

/// A stored record as the same columns as the checked values.
#[derive(Clone)]
pub(super) struct Stored {
    pub id: i64,
    pub version: i64,
    pub values: Vec<Value>,
    pub tenants: Vec<i64>,
}

/// A checked row before its stored record is read: the id it updates, if any.
struct Checked {
    key: String,
    key_label: &'static str,
    values: Vec<Value>,
    view: serde_json::Value,
    tenants: Vec<i64>,
    found: Option<i64>,
}

type Rows = Vec<(usize, Result<Checked, String>)>;

/// Each row of a batch (numbered from `base`) ready to write, or the reason it cannot be.
pub(super) async fn prepare(
    c: &Ctx<'_>,
    e: Entity,
    base: usize,
    chunk: &[Vec<String>],
) -> AppResult<Vec<(usize, Result<Ready, String>)>> {
    match e {
        Entity::Houses => stored(c, &HOUSES, house_values, houses(c, base, chunk).await?).await,
        Entity::Households => stored(c, &HOUSEHOLDS, household_values, households(c, base, chunk).await?).await,
        Entity::Rentals => stored(c, &RENTALS, rental_values, rentals(c, base, chunk).await?).await,
        Entity::Places => stored(c, &PLACES, place_values, places(c, base, chunk).await?).await,
    }
}

/// Reads the stored records the rows update (and their tenants, for rentals).
async fn stored<T: Record>(
    c: &Ctx<'_>,
    spec: &ListSpec<'_>,
    values_of: fn(&T) -> Stored,
    rows: Rows,
) -> AppResult<Vec<(usize, Result<Ready, String>)>> {
    let ids: Vec<i64> = rows.iter().filter_map(|(_, r)| r.as_ref().ok().and_then(|c| c.found)).collect();
    let mut old: HashMap<i64, Stored> = HashMap::new();
    for r in store::rows_by_ids::<T>(&c.state.db, spec, &ids).await? {
        let s = values_of(&r);
        old.insert(s.id, s);
    }
    if spec.table == "rentals" && !ids.is_empty() {
        for t in house_store::tenants(&c.state.db, &ids).await? {
            if let Some(s) = old.get_mut(&t.rental_id) {
                s.tenants.push(t.person_id);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(i, r)| {
            let r = r.and_then(|c| {
                let existing = match c.found {
                    None => None,
                    Some(id) => Some(old.get(&id).cloned().ok_or("该记录刚被删除，请重新导入")?),
                };
                let Checked { key, key_label, values, view, tenants, .. } = c;
                Ok(Ready { key, key_label, values, view, tenants, existing })
            });
            (i, r)
        })
        .collect())
}

// ---- houses --------------------------------------------------------------------------------

async fn houses(c: &Ctx<'_>, base: usize, chunk: &[Vec<String>]) -> AppResult<Rows> {
    let mut parsed = Vec::new();
    for (k, row) in chunk.iter().enumerate() {
        let cells = Cells { row, map: c.map };
        let mut pre = Vec::new();
        let grid = cells.grid(c.grids, &mut pre);
        let input = HouseInput {
            version: None,
            grid_id: grid,
            house_no: cells.opt("房屋编号"),
            road: cells.opt("街路巷"),
            building: cells.opt("楼栋"),
            unit: cells.opt("单元"),
            room: cells.opt("房号"),
            address: cells.opt("地址"),
            house_use: cells.opt("房屋用途"),
            floor_area: cells.number("建筑面积", &mut pre),
            owner_name: cells.opt("房主姓名"),
            owner_id_number: cells.opt("房主证件号码"),
            owner_phone: cells.opt("房主电话"),
            hazard: cells.opt("隐患类型"),
            lon: cells.number("经度", &mut pre),
            lat: cells.number("纬度", &mut pre),
        };
        let r = verdict(pre, checked(houses::check_house(c.state, c.codes, &input))?);
        parsed.push((base + k, grid.unwrap_or(0), input.house_no.unwrap_or_default(), r));
    }
    let nos = unique(parsed.iter().filter(|p| p.3.is_ok()).map(|p| p.2.clone()).collect());
    let hits = by_key(store::houses_by_no(&c.state.db, &nos).await?);
    Ok(parsed
        .into_iter()
        .map(|(i, grid, no, r)| {
            let r = r.and_then(|(values, view)| {
                let found = claim(hits.get(&no), c.scope, grid, &format!("房屋编号 {no} "))?;
                Ok(Checked { key: no, key_label: "房屋编号", values, view, tenants: vec![], found })
            });
            (i, r)
        })
        .collect())
}

fn house_values(r: &HouseRow) -> Stored {
    let values = vec![
        r.grid_id.into(),
        r.house_no.clone().into(),
        r.road.clone().into(),
        r.building.clone().into(),
        r.unit.clone().into(),
        r.room.clone().into(),
        r.address.clone().into(),
        r.house_use.clone().into(),
        Value::Float(r.floor_area),
        r.owner_name.clone().into(),
        Value::Bytes(r.owner_id_enc.clone()),
        // The blind index is derived from the encrypted number and not compared.
        Value::Text(None),
        r.owner_id_masked.clone().into(),
        Value::Bytes(r.owner_phone_enc.clone()),
        r.owner_phone_masked.clone().into(),
        r.hazard.clone().into(),
        Value::Float(r.lon),
        Value::Float(r.lat),
    ];
    Stored { id: r.id, version: r.version, values, tenants: vec![] }
}

// ---- households ----------------------------------------------------------------------------

async fn households(c: &Ctx<'_>, base: usize, chunk: &[Vec<String>]) -> AppResult<Rows> {
    struct Parsed {
        pre: Vec<String>,
        grid: Option<i64>,
        no: String,
        house_no: Option<String>,
        address: Option<String>,
        head: Option<(String, String)>,
    }
    let parsed: Vec<Parsed> = chunk
        .iter()
        .map(|row| {
            let cells = Cells { row, map: c.map };
            let mut pre = Vec::new();
            let grid = cells.grid(c.grids, &mut pre);
            let head = cells
                .opt("户主证件号码")
                .and_then(|raw| id_key(c.state, &raw).map_err(|m| pre.push(format!("户主证件号码{m}"))).ok());
            Parsed {
                grid,
                no: cells.get("户号"),
                house_no: cells.opt("房屋编号"),
                address: cells.opt("地址"),
                head,
                pre,
            }
        })
        .collect();
    let houses_found = by_key(
        store::houses_by_no(&c.state.db, &unique(parsed.iter().filter_map(|p| p.house_no.clone()).collect())).await?,
    );
    let heads = by_key(
        store::persons_by_bidx(
            &c.state.db,
            &unique(parsed.iter().filter_map(|p| p.head.clone().map(|h| h.0)).collect()),
        )
        .await?,
    );
    let hits =
        by_key(store::households_by_no(&c.state.db, &unique(parsed.iter().map(|p| p.no.clone()).collect())).await?);
    let mut out = Vec::new();
    for (k, p) in parsed.into_iter().enumerate() {
        let mut pre = p.pre;
        let house_id =
            p.house_no.as_deref().and_then(|no| house(&houses_found, c.scope, no).map_err(|m| pre.push(m)).ok());
        let head_id =
            p.head.as_ref().and_then(|h| person(&heads, c.scope, h, "户主证件号码").map_err(|m| pre.push(m)).ok());
        let Some(grid) = p.grid else {
            out.push((base + k, Err(reason(pre, FieldErrors::new()))));
            continue;
        };
        let input = HouseholdInput {
            version: None,
            grid_id: Some(grid),
            household_no: Some(p.no.clone()).filter(|s| !s.is_empty()),
            house_id,
            address: p.address.clone(),
            head_person_id: head_id,
        };
        let r =
            verdict(pre, checked(houses::check_household(c.state, c.actor, grid, &input).await)?).and_then(|values| {
                let found = claim(hits.get(&p.no), c.scope, grid, &format!("户号 {} ", p.no))?;
                let view = json!({ "household_no": p.no, "grid_id": grid, "house_id": house_id,
                "address": p.address.unwrap_or_default(), "head_person_id": head_id });
                Ok(Checked { key: p.no, key_label: "户号", values, view, tenants: vec![], found })
            });
        out.push((base + k, r));
    }
    Ok(out)
}

fn household_values(r: &HouseholdRow) -> Stored {
    let values = vec![
        r.grid_id.into(),
        r.household_no.clone().into(),
        r.house_id.into(),
        r.address.clone().into(),
        r.head_person_id.into(),
    ];
    Stored { id: r.id, version: r.version, values, tenants: vec![] }
}

// ---- rentals -------------------------------------------------------------------------------

fn yes_no(v: &str, pre: &mut Vec<String>) -> Option<bool> {
    match v {
        "" => None,
        "是" | "已登记" | "Y" | "y" | "1" => Some(true),
        "否" | "未登记" | "N" | "n" | "0" => Some(false),
        other => {
            pre.push(format!("是否已向派出所登记应填“是”或“否”，而不是“{other}”"));
            None
        }
    }
}

/// A rental row as read, before anything is looked up.
struct ParsedRental {
    pre: Vec<String>,
    house_no: String,
    input: RentalInput,
    tenants: Vec<(String, String)>,
}

/// Reads a rental row: its house number, the rental's fields and the tenants' ID keys.
fn parse_rental(c: &Ctx<'_>, row: &[String]) -> ParsedRental {
    let cells = Cells { row, map: c.map };
    let mut pre = Vec::new();
    let house_no = cells.get("房屋编号");
    if house_no.is_empty() {
        pre.push("请填写房屋编号".into());
    }
    let police = yes_no(&cells.get("是否已向派出所登记"), &mut pre);
    let raw = cells.get("承租人证件号码");
    let tenants = raw
        .split(|ch: char| matches!(ch, '、' | ',' | '，' | ';' | '；') || ch.is_whitespace())
        .filter(|s| !s.is_empty())
        .filter_map(|s| id_key(c.state, s).map_err(|m| pre.push(format!("承租人证件号码{m}"))).ok())
        .collect();
    let input = RentalInput {
        landlord_name: cells.opt("房东姓名"),
        landlord_phone: cells.opt("房东电话"),
        start_date: cells.date("起租日期"),
        end_date: cells.date("到期日期"),
        rental_use: cells.opt("出租用途"),
        police_registered: police,
        ..Default::default()
    };
    ParsedRental { pre, house_no, input, tenants }
}

async fn rentals(c: &Ctx<'_>, base: usize, chunk: &[Vec<String>]) -> AppResult<Rows> {
    let parsed: Vec<ParsedRental> = chunk.iter().map(|row| parse_rental(c, row)).collect();
    let houses_found =
        by_key(store::houses_by_no(&c.state.db, &unique(parsed.iter().map(|p| p.house_no.clone()).collect())).await?);
    let people = by_key(
        store::persons_by_bidx(
            &c.state.db,
            &unique(parsed.iter().flat_map(|p| p.tenants.iter().map(|t| t.0.clone())).collect()),
        )
        .await?,
    );
    let mut checked_rows = Vec::new();
    for (k, p) in parsed.into_iter().enumerate() {
        let mut pre = p.pre;
        let house_id = Some(p.house_no.as_str())
            .filter(|no| !no.is_empty())
            .and_then(|no| house(&houses_found, c.scope, no).map_err(|m| pre.push(m)).ok());
        let mut tenant_ids: Vec<i64> = p
            .tenants
            .iter()
            .filter_map(|t| person(&people, c.scope, t, "承租人").map_err(|m| pre.push(m)).ok())
            .collect();
        tenant_ids.sort_unstable();
        tenant_ids.dedup();
        let input = RentalInput { house_id, tenant_ids: Some(tenant_ids), ..p.input };
        let mut r = checked(houses::check_rental(c.state, c.actor, c.codes, &input).await)?;
        if let (Err(f), None) = (&mut r, house_id) {
            // Already said above, in the import's words.
            f.remove("house_id");
        }
        let r = verdict(pre, r).map(|(values, tenants, view)| {
            let key = format!("{}|{}", house_id.unwrap_or(0), view["start_date"].as_str().unwrap_or(""));
            (house_id.unwrap_or(0), key, values, tenants, view)
        });
        checked_rows.push((base + k, r));
    }
    let house_ids: Vec<i64> = checked_rows.iter().filter_map(|(_, r)| r.as_ref().ok().map(|r| r.0)).collect();
    let mut existing: HashMap<String, i64> = HashMap::new();
    for (house_id, start, id) in store::rentals_of_houses(&c.state.db, &unique_ids(house_ids)).await? {
        existing.entry(format!("{house_id}|{start}")).or_insert(id);
    }
    Ok(checked_rows
        .into_iter()
        .map(|(i, r)| {
            let r = r.map(|(_, key, values, tenants, view)| {
                let found = existing.get(&key).copied();
                Checked { key, key_label: "房屋编号和起租日期", values, view, tenants, found }
            });
            (i, r)
        })
        .collect())
}

fn rental_values(r: &RentalRow) -> Stored {
    let values = vec![
        r.grid_id.into(),
        r.house_id.into(),
        r.landlord_name.clone().into(),
        Value::Bytes(r.landlord_phone_enc.clone()),
        r.landlord_phone_masked.clone().into(),
        r.start_date.clone().into(),
        r.end_date.clone().into(),
        r.rental_use.clone().into(),
        r.police_registered.into(),
    ];
    Stored { id: r.id, version: r.version, values, tenants: vec![] }
}

// ---- places --------------------------------------------------------------------------------

async fn places(c: &Ctx<'_>, base: usize, chunk: &[Vec<String>]) -> AppResult<Rows> {
    let parsed: Vec<(Vec<String>, Option<i64>, PlaceInput)> = chunk
        .iter()
        .map(|row| {
            let cells = Cells { row, map: c.map };
            let mut pre = Vec::new();
            let grid = cells.grid(c.grids, &mut pre);
            let input = PlaceInput {
                version: None,
                grid_id: grid,
                name: cells.opt("名称"),
                place_type: cells.opt("场所类型"),
                credit_code: cells.opt("统一社会信用代码"),
                legal_person: cells.opt("法定代表人"),
                safety_person: cells.opt("安全责任人"),
                contact_phone: cells.opt("联系电话"),
                address: cells.opt("地址"),
                lon: cells.number("经度", &mut pre),
                lat: cells.number("纬度", &mut pre),
            };
            (pre, grid, input)
        })
        .collect();
    let valid_code = |i: &PlaceInput| i.credit_code.as_deref().and_then(|s| houses::check_credit_code(s).ok());
    let hits = by_key(
        store::places_by_credit_code(&c.state.db, &unique(parsed.iter().filter_map(|p| valid_code(&p.2)).collect()))
            .await?,
    );
    let mut out = Vec::new();
    for (k, (mut pre, grid, mut input)) in parsed.into_iter().enumerate() {
        let Some(grid) = grid else {
            out.push((base + k, Err(reason(pre, FieldErrors::new()))));
            continue;
        };
        let (name, address) = (input.name.clone().unwrap_or_default(), input.address.clone().unwrap_or_default());
        let mut found = None;
        if let Some(code) = valid_code(&input) {
            match hits.get(&code) {
                Some(h) => {
                    found = claim(Some(h), c.scope, grid, &format!("统一社会信用代码 {code} "))
                        .map_err(|m| pre.push(m))
                        .ok()
                        .flatten()
                }
                // A place of the same name and address registered without a code gets it now.
                None => found = store::place_by_name(&c.state.db, grid, &name, &address, true).await?.map(|p| p.0),
            }
        } else if input.credit_code.is_none() && !name.is_empty() && !address.is_empty() {
            // Without a code the name and address within the grid are the key; a stored code is kept.
            if let Some((id, code)) = store::place_by_name(&c.state.db, grid, &name, &address, false).await? {
                found = Some(id);
                input.credit_code = code;
            }
        }
        let r = verdict(pre, checked(houses::check_place(c.state, c.codes, grid, &input))?).map(|(values, view)| {
            let (key, key_label) = match view["credit_code"].as_str() {
                Some(code) => (format!("code|{code}"), "统一社会信用代码"),
                None => (format!("name|{grid}|{name}|{address}"), "名称和地址"),
            };
            Checked { key, key_label, values, view, tenants: vec![], found }
        });
        out.push((base + k, r));
    }
    Ok(out)
}

fn place_values(r: &PlaceRow) -> Stored {
    let values = vec![
        r.grid_id.into(),
        r.name.clone().into(),
        r.place_type.clone().into(),
        r.credit_code.clone().into(),
        r.legal_person.clone().into(),
        r.safety_person.clone().into(),
        Value::Bytes(r.contact_phone_enc.clone()),
        r.contact_phone_masked.clone().into(),
        r.address.clone().into(),
        Value::Float(r.lon),
        Value::Float(r.lat),
    ];
    Stored { id: r.id, version: r.version, values, tenants: vec![] }
}
