//! Audit rows shown as history on the register pages: field by field old → new, codes and linked records named.

use crate::audit::AuditRow;
use crate::domains::registry::codes::Codes;
use crate::domains::registry::model::{kind_label, special_label};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One field of a history row.
#[derive(Clone, Debug)]
pub struct Change {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One change of a record: when, by whom, what, and the fields old → new.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub at: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<Change>,
}

fn field_label(key: &str) -> &str {
    match key {
        "house_no" => "房屋编号",
        "road" => "街路巷",
        "building" => "楼栋",
        "unit" => "单元",
        "room" => "房号",
        "address" => "地址",
        "house_use" => "房屋用途",
        "floor_area" => "建筑面积（平方米）",
        "owner_name" => "房主姓名",
        "owner_id_number" => "房主证件号码",
        "owner_phone" => "房主电话",
        "hazard" => "隐患类型",
        "lon" => "经度",
        "lat" => "纬度",
        "household_no" => "户号",
        "house_id" => "房屋",
        "household_id" => "户",
        "head_person_id" => "户主",
        "grid_id" => "网格",
        "landlord_name" => "房东姓名",
        "landlord_phone" => "房东电话",
        "start_date" => "起租日期",
        "end_date" => "到期日期",
        "rental_use" => "出租用途",
        "police_registered" => "已向派出所登记",
        "tenant_ids" => "承租人",
        "name" => "名称或姓名",
        "place_type" => "场所类型",
        "credit_code" => "统一社会信用代码",
        "legal_person" => "法定代表人",
        "safety_person" => "安全责任人",
        "contact_phone" => "联系电话",
        "kind" => "类别",
        "former_name" => "曾用名",
        "id_number" => "证件号码",
        "phone" => "电话",
        "sex" => "性别",
        "birth_date" => "出生日期",
        "ethnicity" => "民族",
        "native_place" => "籍贯",
        "marital_status" => "婚姻状况",
        "political_status" => "政治面貌",
        "education" => "学历",
        "religion" => "宗教信仰",
        "occupation" => "职业",
        "workplace" => "服务处所",
        "relation_to_head" => "与户主关系",
        "registered_address" => "户籍地详址",
        "extra" => "附加信息",
        "tags" => "标签",
        "status" => "状态",
        "date" => "日期",
        "reason" => "原因",
        "note" => "说明",
        "transfer" => "迁移申请编号",
        "from_grid" => "原网格",
        "to_grid" => "迁入网格",
        "file" => "档案编号",
        "visited_on" => "走访日期",
        "next_visit_due" => "下次走访日期",
        "status_before" => "原状态",
        other => other,
    }
}

fn action_label(action: &str) -> String {
    let fixed = match action {
        "person_created" => "登记",
        "person_updated" => "修改",
        "person_status" => "状态变动",
        "person_deleted" => "删除误录",
        "person_transfer_requested" => "申请迁入",
        "person_transferred" => "迁移（已确认）",
        "person_transfer_rejected" => "迁移申请被拒绝",
        "special_created" => "建立特殊人群档案",
        "special_visited" => "走访",
        "household_visited" => "走访户",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    if action.ends_with("_created") {
        "登记".to_owned()
    } else if action.ends_with("_updated") {
        "修改".to_owned()
    } else {
        action.to_owned()
    }
}

/// The code table behind a field, for showing labels instead of codes.
fn code_table(key: &str) -> Option<&'static str> {
    Some(match key {
        "house_use" => "house_use",
        "hazard" => "hazard",
        "rental_use" => "rental_use",
        "place_type" => "place_type",
        "ethnicity" => "ethnicity",
        "education" => "education",
        "political_status" => "political_status",
        "marital_status" => "marital_status",
        "relation_to_head" => "relation",
        "permit_type" => "permit_type",
        "left_behind_type" => "left_behind_type",
        _ => return None,
    })
}

/// The fields of a history that point at another record, and the names of those records.
pub const LINK_FIELDS: [&str; 3] = ["grid_id", "house_id", "household_id"];

/// Names of linked records by (field, id): a grid's name, a house's number, a household's 户号.
#[derive(Debug, Default)]
pub struct LinkNames(pub HashMap<(&'static str, i64), String>);

/// The ids each link field takes in these rows (before and after each change, and at creation).
pub fn linked_ids(rows: &[AuditRow]) -> BTreeMap<&'static str, Vec<i64>> {
    let mut out: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
    for r in rows {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&r.detail) else { continue };
        for field in LINK_FIELDS {
            let Some(v) = map.get(field) else { continue };
            let ids: Vec<i64> = match v {
                Value::Object(o) => ["from", "to"].iter().filter_map(|k| o.get(*k).and_then(Value::as_i64)).collect(),
                other => other.as_i64().into_iter().collect(),
            };
            out.entry(field).or_default().extend(ids);
        }
    }
    for ids in out.values_mut() {
        ids.sort_unstable();
        ids.dedup();
    }
    out
}

fn value_text(codes: &Codes, names: &LinkNames, key: &str, v: &Value) -> String {
    if let (Some(field), Some(id)) = (LINK_FIELDS.iter().find(|f| **f == key), v.as_i64())
        && let Some(name) = names.0.get(&(*field, id))
    {
        return format!("{name}（#{id}）");
    }
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::String(s) => {
            if key == "kind" {
                let l = kind_label(s);
                let l = if l.is_empty() { special_label(s) } else { l };
                if !l.is_empty() {
                    return l.to_owned();
                }
            }
            if key == "status" || key == "status_before" {
                let l = crate::domains::registry::model::status_label(s);
                if !l.is_empty() {
                    return l.to_owned();
                }
            }
            match code_table(key).map(|t| codes.label(t, s)).filter(|l| !l.is_empty()) {
                Some(l) => l,
                None => s.clone(),
            }
        }
        Value::Array(items) => items.iter().map(|i| value_text(codes, names, key, i)).collect::<Vec<_>>().join("、"),
        // A kind's extra fields: each under its label.
        Value::Object(map) => map
            .iter()
            .map(|(k, x)| format!("{}：{}", extra_label(k), value_text(codes, names, k, x)))
            .collect::<Vec<_>>()
            .join("；"),
        Value::Number(_) => v.to_string(),
    }
}

/// The label of an extra field of any person kind.
fn extra_label(key: &str) -> &str {
    crate::domains::registry::model::PERSON_KINDS
        .iter()
        .flat_map(|(k, _)| crate::domains::registry::model::extra_fields(k).iter())
        .find(|d| d.key == key)
        .map(|d| d.label)
        .unwrap_or(key)
}

/// History rows (see `audit::changes_of`) as the pages show them: `{field: {from, to}}` details as
/// old → new, other details (a creation's values) as new values; linked records by name.
pub fn history(rows: Vec<AuditRow>, codes: &Codes, names: &LinkNames) -> Vec<HistoryEntry> {
    rows.into_iter()
        .map(|r| {
            let detail: Value = serde_json::from_str(&r.detail).unwrap_or(Value::Null);
            let mut changes = Vec::new();
            if let Value::Object(map) = &detail {
                for (k, v) in map {
                    let (from, to) = match v {
                        Value::Object(o) if o.contains_key("from") && o.contains_key("to") => (
                            value_text(codes, names, k, o.get("from").unwrap_or(&Value::Null)),
                            value_text(codes, names, k, o.get("to").unwrap_or(&Value::Null)),
                        ),
                        other => (String::new(), value_text(codes, names, k, other)),
                    };
                    if from.is_empty() && to.is_empty() {
                        continue;
                    }
                    changes.push(Change { field: field_label(k).to_owned(), from, to });
                }
            }
            HistoryEntry {
                at: crate::clock::format_local(r.at),
                who: r.username,
                action: action_label(&r.action),
                changes,
            }
        })
        .collect()
}
