//! The person template: its columns (the header row is the import's contract), its drop-down
//! lists, and how one row of the sheet becomes the register's input.

use super::super::codes::Codes;
use super::super::model::PERSON_KINDS;
use super::super::persons::PersonInput;
use crate::error::AppResult;
use crate::excel::{self, Column};
use serde_json::{Map, Value};
use std::collections::HashMap;

const fn col(header: &'static str, required: bool, codes: Option<&'static str>, width: f64) -> Column {
    Column { header, required, codes, width }
}

/// The person template's columns; the header row is the contract of the import.
pub const PERSON_COLUMNS: [Column; 22] = [
    col("姓名", true, None, 10.0),
    col("证件号码", true, None, 22.0),
    col("联系电话", false, None, 14.0),
    col("人员类别", true, Some("person_kind"), 10.0),
    col("所属网格编码", true, None, 18.0),
    col("现住址", false, None, 30.0),
    col("民族", false, Some("ethnicity"), 8.0),
    col("学历", false, Some("education"), 10.0),
    col("政治面貌", false, Some("political_status"), 12.0),
    col("婚姻状况", false, Some("marital_status"), 10.0),
    col("与户主关系", false, Some("relation"), 10.0),
    col("职业", false, None, 10.0),
    col("户籍地详址", false, None, 30.0),
    col("居住证件类型", false, Some("permit_type"), 12.0),
    col("流入原因", false, None, 10.0),
    col("来源地", false, None, 16.0),
    col("流入日期", false, None, 12.0),
    col("留守类型", false, Some("left_behind_type"), 10.0),
    col("外文姓名", false, None, 14.0),
    col("国籍", false, None, 10.0),
    col("来华目的", false, None, 10.0),
    col("入境日期", false, None, 12.0),
];

const CODE_TABLES: [&str; 7] =
    ["ethnicity", "education", "political_status", "marital_status", "relation", "permit_type", "left_behind_type"];

pub fn person_template(codes: &Codes) -> AppResult<Vec<u8>> {
    let mut lists: Vec<(&'static str, Vec<String>)> =
        vec![("person_kind", PERSON_KINDS.iter().map(|(_, l)| (*l).to_owned()).collect())];
    for t in CODE_TABLES {
        lists.push((t, codes.items(t).into_iter().map(|(_, l)| l).collect()));
    }
    excel::template(
        &PERSON_COLUMNS,
        &lists,
        "所属网格编码填写网格的完整编码（如 510725101001001）；流动人口须填居住证件类型、流入原因、来源地、流入日期；日期格式 2026-03-01；\
         同一证件号码已在本辖区登记的会按表格内容更新，重复导入同一文件不会产生重复记录。",
    )
}

/// Builds the service input of one row.
pub(super) fn row_input(
    row: &[String],
    h: &HashMap<&'static str, usize>,
    grids: &HashMap<String, i64>,
) -> Result<PersonInput, String> {
    let get = |name: &str| h.get(name).and_then(|i| row.get(*i)).map(|s| s.trim().to_owned()).unwrap_or_default();
    let opt = |name: &str| Some(get(name)).filter(|s| !s.is_empty());
    let kind_text = get("人员类别");
    let kind = PERSON_KINDS
        .iter()
        .find(|(k, l)| {
            *k == kind_text || *l == kind_text || l.trim_end_matches("人口").trim_end_matches("人员") == kind_text
        })
        .map(|(k, _)| (*k).to_owned())
        .ok_or_else(|| format!("人员类别“{kind_text}”不正确（户籍人口、流动人口、境外人员、留守人员）"))?;
    let grid_code = get("所属网格编码");
    let grid_id = *grids.get(&grid_code).ok_or_else(|| format!("网格编码“{grid_code}”不存在或不在您的管辖范围内"))?;
    let mut extra = Map::new();
    let mut put = |key: &str, col: &str| {
        if let Some(v) = opt(col) {
            extra.insert(key.to_owned(), Value::String(v));
        }
    };
    match kind.as_str() {
        "floating" => {
            put("permit_type", "居住证件类型");
            put("reason", "流入原因");
            put("from_place", "来源地");
            put("arrived_on", "流入日期");
        }
        "left_behind" => put("left_behind_type", "留守类型"),
        "foreigner" => {
            put("foreign_name", "外文姓名");
            put("nationality", "国籍");
            put("purpose", "来华目的");
            put("arrived_on", "入境日期");
        }
        _ => {}
    }
    Ok(PersonInput {
        kind: Some(kind),
        name: opt("姓名"),
        id_number: opt("证件号码"),
        phone: opt("联系电话"),
        grid_id: Some(grid_id),
        address: opt("现住址"),
        ethnicity: opt("民族"),
        education: opt("学历"),
        political_status: opt("政治面貌"),
        marital_status: opt("婚姻状况"),
        relation_to_head: opt("与户主关系"),
        occupation: opt("职业"),
        registered_address: opt("户籍地详址"),
        extra: Some(Value::Object(extra)),
        ..Default::default()
    })
}

/// Field names of the service mapped back to the template's headers, for error messages.
pub(super) fn header_of(field: &str) -> &str {
    match field {
        "name" => "姓名",
        "id_number" => "证件号码",
        "phone" => "联系电话",
        "kind" => "人员类别",
        "grid_id" => "所属网格编码",
        "address" => "现住址",
        "ethnicity" => "民族",
        "education" => "学历",
        "political_status" => "政治面貌",
        "marital_status" => "婚姻状况",
        "relation_to_head" => "与户主关系",
        "occupation" => "职业",
        "registered_address" => "户籍地详址",
        "extra.permit_type" => "居住证件类型",
        "extra.reason" => "流入原因",
        "extra.from_place" => "来源地",
        "extra.arrived_on" => "流入日期/入境日期",
        "extra.left_behind_type" => "留守类型",
        "extra.foreign_name" => "外文姓名",
        "extra.nationality" => "国籍",
        "extra.purpose" => "来华目的",
        other => other,
    }
}
