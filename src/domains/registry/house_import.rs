//! Excel import of houses, households, rentals and places: templates, and a background job that upserts by key with one audit row per record written.

use super::codes::Codes;
use super::house_import_rows::{self as rows, Ready};
use super::house_store;
use super::houses;
use crate::audit::{self, AuditCtx};
use crate::auth::{Actor, Permission};
use crate::crypto::Keys;
use crate::db::Value;
use crate::error::{AppError, AppResult};
use crate::excel::{self, Column};
use crate::imports::{self, Ending, Upload};
use crate::state::AppState;
use serde_json::{Map, json};
use std::collections::HashMap;

/// What can be imported besides persons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Houses,
    Households,
    Rentals,
    Places,
}

const fn col(header: &'static str, required: bool, codes: Option<&'static str>, width: f64) -> Column {
    Column { header, required, codes, width }
}

/// The drop-down list of 是/否 columns (not a code table of the database).
pub(super) const YES_NO: &str = "yes_no";

const HOUSE_COLUMNS: [Column; 15] = [
    col("房屋编号", true, None, 16.0),
    col("所属网格编码", true, None, 18.0),
    col("街路巷", false, None, 16.0),
    col("楼栋", false, None, 8.0),
    col("单元", false, None, 8.0),
    col("房号", false, None, 8.0),
    col("地址", false, None, 30.0),
    col("房屋用途", true, Some("house_use"), 10.0),
    col("建筑面积", false, None, 10.0),
    col("房主姓名", false, None, 10.0),
    col("房主证件号码", false, None, 22.0),
    col("房主电话", false, None, 14.0),
    col("隐患类型", false, Some("hazard"), 14.0),
    col("经度", false, None, 12.0),
    col("纬度", false, None, 12.0),
];

const HOUSEHOLD_COLUMNS: [Column; 5] = [
    col("户号", true, None, 16.0),
    col("所属网格编码", true, None, 18.0),
    col("房屋编号", false, None, 16.0),
    col("地址", false, None, 30.0),
    col("户主证件号码", false, None, 22.0),
];

const RENTAL_COLUMNS: [Column; 8] = [
    col("房屋编号", true, None, 16.0),
    col("房东姓名", true, None, 10.0),
    col("房东电话", false, None, 14.0),
    col("起租日期", true, None, 12.0),
    col("到期日期", false, None, 12.0),
    col("出租用途", true, Some("rental_use"), 10.0),
    col("是否已向派出所登记", false, Some(YES_NO), 12.0),
    col("承租人证件号码", false, None, 40.0),
];

const PLACE_COLUMNS: [Column; 10] = [
    col("名称", true, None, 24.0),
    col("场所类型", true, Some("place_type"), 14.0),
    col("统一社会信用代码", false, None, 22.0),
    col("法定代表人", false, None, 10.0),
    col("安全责任人", true, None, 10.0),
    col("联系电话", true, None, 14.0),
    col("地址", true, None, 30.0),
    col("所属网格编码", true, None, 18.0),
    col("经度", false, None, 12.0),
    col("纬度", false, None, 12.0),
];

const SAME_FILE_TWICE: &str = "重复导入同一文件不会产生重复记录。";

impl Entity {
    pub fn parse(s: &str) -> AppResult<Entity> {
        match s {
            "houses" => Ok(Entity::Houses),
            "households" => Ok(Entity::Households),
            "rentals" => Ok(Entity::Rentals),
            "places" => Ok(Entity::Places),
            _ => Err(AppError::NotFound(
                "没有这种导入：可导入 persons（实有人口）、houses（房屋）、households（户）、rentals（出租房屋）、places（重点场所）"
                    .into(),
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Entity::Houses => "houses",
            Entity::Households => "households",
            Entity::Rentals => "rentals",
            Entity::Places => "places",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Entity::Houses => "房屋",
            Entity::Households => "户",
            Entity::Rentals => "出租房屋",
            Entity::Places => "重点场所",
        }
    }

    fn columns(self) -> &'static [Column] {
        match self {
            Entity::Houses => &HOUSE_COLUMNS,
            Entity::Households => &HOUSEHOLD_COLUMNS,
            Entity::Rentals => &RENTAL_COLUMNS,
            Entity::Places => &PLACE_COLUMNS,
        }
    }

    fn table(self) -> &'static str {
        self.name()
    }

    /// The audit object type (`house_created`, `house_updated` …).
    fn object(self) -> &'static str {
        match self {
            Entity::Houses => "house",
            Entity::Households => "household",
            Entity::Rentals => "rental",
            Entity::Places => "place",
        }
    }

    /// The columns a row writes, in the order of the service's checked values.
    pub(super) fn write_columns(self) -> Vec<&'static str> {
        match self {
            Entity::Houses => houses::HOUSE_COLS.iter().copied().chain(["lon", "lat"]).collect(),
            Entity::Households => houses::HOUSEHOLD_COLS.to_vec(),
            Entity::Rentals => houses::RENTAL_COLS.to_vec(),
            Entity::Places => houses::PLACE_COLS.to_vec(),
        }
    }

    fn hint(self) -> String {
        let text = match self {
            Entity::Houses => {
                "房屋编号是每套房屋的唯一编号（字母、数字和 -）；所属网格编码填写网格的完整编码（如 510725101001001）；\
                 地址不填时由街路巷、楼栋、单元、房号连成；建筑面积以平方米计；经纬度成对填写。\
                 同一房屋编号已在本辖区登记的会按表格内容更新。"
            }
            Entity::Households => {
                "户号是每户的唯一编号（字母、数字和 -）；所属网格编码填写网格的完整编码；房屋编号填写同一网格内已登记的房屋；\
                 户主证件号码须是本辖区已登记的人员。同一户号已在本辖区登记的会按表格内容更新。"
            }
            Entity::Rentals => {
                "房屋编号须是本辖区已登记的房屋；日期格式 2026-03-01；是否已向派出所登记填“是”或“否”；\
                 承租人证件号码可填多个，用顿号、逗号、分号或空格分开，每人须已在本辖区登记。\
                 同一房屋同一起租日期的记录会按表格内容更新。"
            }
            Entity::Places => {
                "统一社会信用代码为 18 位（填了就按代码更新已登记的场所，不填则按同一网格内的名称和地址）；\
                 所属网格编码填写网格的完整编码；联系电话填手机号或带区号的固定电话；经纬度成对填写。"
            }
        };
        format!("{text}{SAME_FILE_TWICE}")
    }
}

/// The template: Chinese headers, required ones marked, drop-downs from the code tables.
pub fn template(e: Entity, codes: &Codes) -> AppResult<Vec<u8>> {
    let lists: Vec<(&'static str, Vec<String>)> = e
        .columns()
        .iter()
        .filter_map(|c| c.codes)
        .map(|t| {
            let items = if t == YES_NO {
                vec!["是".to_owned(), "否".to_owned()]
            } else {
                codes.items(t).into_iter().map(|(_, l)| l).collect()
            };
            (t, items)
        })
        .collect();
    excel::template(e.columns(), &lists, &e.hint())
}

/// Checks the file (nothing is written for a bad one), creates the job and starts it in the background.
pub async fn start(state: &AppState, actor: &Actor, e: Entity, file_name: &str, bytes: Vec<u8>) -> AppResult<i64> {
    actor.require(Permission::EditRegister)?;
    houses::scope_path(actor)?;
    let u = imports::open_job(state, actor, e.name(), e.columns(), file_name, bytes).await?;
    let (state2, actor2, id) = (state.clone(), actor.clone(), u.job);
    imports::spawn_job(state, id, async move { run(&state2, &actor2, e, u).await });
    Ok(id)
}

/// Rows per transaction and progress update.
const BATCH: usize = 500;

async fn run(state: &AppState, actor: &Actor, e: Entity, u: Upload) -> AppResult<()> {
    let codes = Codes::load(&state.db).await?;
    let scope = houses::scope_path(actor)?;
    let grids: HashMap<String, i64> = crate::domains::org::locate::grid_ids_by_code(&state.db, &scope).await?;
    let ctx = rows::Ctx { state, actor, codes: &codes, grids: &grids, scope: &scope, map: &u.map };
    let (mut imported, mut unchanged) = (0i64, 0i64);
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    imports::progress(state, u.job, [0; 4]).await?;
    for (n, chunk) in u.rows.chunks(BATCH).enumerate() {
        let mut good = Vec::new();
        for (i, r) in rows::prepare(&ctx, e, n * BATCH, chunk).await? {
            match r {
                Err(msg) => errors.push((i, msg)),
                Ok(r) => match seen.get(&r.key) {
                    Some(first) => errors.push((i, format!("{}与第 {} 行重复", r.key_label, first + 2))),
                    None => {
                        seen.insert(r.key.clone(), i);
                        good.push((i, r));
                    }
                },
            }
        }
        let (written, same) = write(state, actor, e, u.job, good, &mut errors).await?;
        imported += written;
        unchanged += same;
        let processed = (n * BATCH + chunk.len()) as i64;
        let failed = errors.len() as i64;
        imports::progress(state, u.job, [processed, imported, unchanged, failed]).await?;
    }
    errors.sort_by_key(|(i, _)| *i);
    let end = Ending {
        headers: &u.headers,
        rows: &u.rows,
        errors: &errors,
        imported,
        unchanged,
        failure: None,
        slot: u.slot,
    };
    imports::finish_job(state, actor, u.job, end).await
}

/// Writes one batch in one transaction: new records inserted, changed ones updated (by version),
/// each with its own audit row naming the job. Answers (written, unchanged).
async fn write(
    state: &AppState,
    actor: &Actor,
    e: Entity,
    job: i64,
    good: Vec<(usize, Ready)>,
    errors: &mut Vec<(usize, String)>,
) -> AppResult<(i64, i64)> {
    let now = state.clock.now();
    let ctx = AuditCtx { now, ..actor.audit() };
    let cols = e.write_columns();
    let (created, updated) = (format!("{}_created", e.object()), format!("{}_updated", e.object()));
    let (mut written, mut same) = (0, 0);
    let mut tx = state.db.begin().await?;
    for (i, r) in good {
        match r.existing {
            None => {
                let id = house_store::insert(&mut tx, e.table(), &cols, r.values, now).await?;
                if e == Entity::Rentals {
                    house_store::set_tenants(&mut tx, id, &r.tenants).await?;
                }
                let mut view = r.view;
                view["import_job"] = json!(job);
                audit::record(&mut tx, &ctx, &created, e.object(), id, view).await?;
                written += 1;
            }
            Some(old) => {
                let mut changes = diff(&state.keys, &cols, &old.values, &r.values)?;
                if old.tenants != r.tenants {
                    changes.insert("tenant_ids".into(), json!({ "from": old.tenants, "to": r.tenants }));
                }
                if changes.is_empty() {
                    same += 1;
                    continue;
                }
                if !house_store::update(&mut tx, e.table(), old.id, old.version, &cols, r.values, now).await? {
                    errors.push((i, "该记录正被他人修改，请稍后重试".into()));
                    continue;
                }
                if e == Entity::Rentals {
                    house_store::set_tenants(&mut tx, old.id, &r.tenants).await?;
                }
                changes.insert("import_job".into(), json!(job));
                audit::record(&mut tx, &ctx, &updated, e.object(), old.id, serde_json::Value::Object(changes)).await?;
                written += 1;
            }
        }
    }
    tx.commit().await?;
    Ok((written, same))
}

/// The fields that differ between the stored and the imported values of the same columns, as
/// `{field: {from, to}}`: encrypted ones compared in clear and shown masked, derived ones (masked
/// form, blind index) not compared. Empty when nothing changed.
fn diff(keys: &Keys, cols: &[&str], old: &[Value], new: &[Value]) -> AppResult<Map<String, serde_json::Value>> {
    let mut out = Map::new();
    let masked = |values: &[Value], base: &str| {
        cols.iter().position(|c| *c == format!("{base}_masked")).map(|m| json_of(&values[m])).unwrap_or_default()
    };
    for (i, col) in cols.iter().enumerate() {
        if col.ends_with("_bidx") || col.ends_with("_masked") {
            continue;
        }
        if let Some(base) = col.strip_suffix("_enc") {
            if plain(keys, &old[i])? != plain(keys, &new[i])? {
                out.insert(base.into(), json!({ "from": masked(old, base), "to": masked(new, base) }));
            }
        } else if old[i] != new[i] {
            out.insert((*col).into(), json!({ "from": json_of(&old[i]), "to": json_of(&new[i]) }));
        }
    }
    Ok(out)
}

fn plain(keys: &Keys, v: &Value) -> AppResult<Option<Vec<u8>>> {
    match v {
        Value::Bytes(Some(b)) => Ok(Some(keys.decrypt(b)?)),
        _ => Ok(None),
    }
}

fn json_of(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(x) => json!(x),
        Value::Float(x) => json!(x),
        Value::Text(x) => json!(x),
        Value::Bool(x) => json!(x),
        Value::Bytes(_) => serde_json::Value::Null,
    }
}
