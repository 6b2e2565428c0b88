//! The form kit of the register pages: inputs drawn with the user's values and Chinese field errors
//! (a bad form comes back as it was typed), and audit rows shown as history, field by field old → new.

use super::codes::Codes;
use super::model::{ExtraField, FieldType, kind_label, special_label};
use crate::audit::AuditRow;
use crate::error::{AppError, AppResult, FieldErrors};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// How an input is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Tel,
    Number,
    Date,
    Select,
    Textarea,
    Check,
}

impl Kind {
    fn html(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Tel => "tel",
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::Select => "select",
            Kind::Textarea => "textarea",
            Kind::Check => "checkbox",
        }
    }
}

/// What a form field is: its name, label and kind; `also` names the service's error keys that
/// belong to it (the service may speak of `house_id` where the form asks for a house number).
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub max: usize,
    pub hint: &'static str,
    pub also: &'static [&'static str],
}

pub const fn spec(name: &'static str, label: &'static str, kind: Kind, required: bool, max: usize) -> Spec {
    Spec { name, label, kind, required, max, hint: "", also: &[] }
}

impl Spec {
    pub const fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
    pub const fn also(mut self, also: &'static [&'static str]) -> Self {
        self.also = also;
        self
    }
    pub const fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

/// One input as the template draws it.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    /// The HTML id: unique on the page even when it holds several forms.
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub max: usize,
    pub hint: String,
    pub choices: Vec<(String, String)>,
    pub value: String,
    pub error: String,
}

/// A form ready to draw: its inputs, and a banner when the last submission failed.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub inputs: Vec<Input>,
    /// The refusal as a whole (empty when the form is fresh).
    pub message: String,
    /// Errors that belong to no input.
    pub other: Vec<String>,
    /// Whether the form was just submitted and refused (the page opens it).
    pub failed: bool,
    /// The record version an edit form carries (as submitted, so a stale one stays stale).
    pub version: String,
}

impl Form {
    /// Replaces an input's hint (for hints that depend on the record).
    pub fn hint(&mut self, name: &str, text: String) {
        if let Some(i) = self.inputs.iter_mut().find(|i| i.name == name) {
            i.hint = text;
        }
    }
}

/// The submitted (or current) values by field name.
#[derive(Clone, Debug, Default)]
pub struct Values(pub BTreeMap<String, String>);

impl Values {
    /// The form's pairs; a repeated name keeps its last value.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        Values(pairs.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }
    /// A trimmed value, or none when blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|s| !s.is_empty())
    }
    /// The value as it should go to the service: `Some` when the form sent it, even blank (a blank
    /// clears the field or fails as missing), `None` when it did not (an edit then keeps the field).
    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|s| s.trim().to_owned())
    }
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }
    /// An optional decimal number; a bad one is noted in `errors`.
    pub fn f64(&self, name: &str, errors: &mut FieldErrors) -> Option<f64> {
        let v = self.opt(name)?;
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                errors.insert(name.into(), "请填写数字".into());
                None
            }
        }
    }
    /// An optional whole number; a bad one is noted in `errors`.
    pub fn i64(&self, name: &str, errors: &mut FieldErrors) -> Option<i64> {
        let v = self.opt(name)?;
        match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(name.into(), "请填写整数".into());
                None
            }
        }
    }
    /// Refuses names the form does not have (a page only ever sends its own fields).
    pub fn only(&self, known: &[&str]) -> AppResult<()> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(AppError::field(k, format!("不认识的字段 {k}"))),
            None => Ok(()),
        }
    }
}

/// A refusal a form can show: validation errors (422) or a conflict such as a stale version (409).
/// Anything else (not found, forbidden…) stays an error page.
#[derive(Clone, Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
    pub fields: FieldErrors,
}

impl Failure {
    pub fn of(e: AppError) -> Result<Failure, AppError> {
        match e {
            AppError::Invalid { message, fields } => {
                Ok(Failure { status: StatusCode::UNPROCESSABLE_ENTITY, message, fields })
            }
            AppError::Conflict(message) => {
                Ok(Failure { status: StatusCode::CONFLICT, message, fields: FieldErrors::new() })
            }
            other => Err(other),
        }
    }

    pub fn is_conflict(&self) -> bool {
        self.status == StatusCode::CONFLICT
    }
}

/// A field with an owned name: what `Spec` describes, for fields made at run time (a special
/// file's `data.KEY` fields).
#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub required: bool,
    pub max: usize,
    pub hint: String,
    pub also: Vec<String>,
    pub choices: Option<Vec<(String, String)>>,
}

impl From<&Spec> for Field {
    fn from(s: &Spec) -> Self {
        Field {
            name: s.name.to_owned(),
            label: s.label.to_owned(),
            kind: s.kind,
            required: s.required,
            max: s.max,
            hint: s.hint.to_owned(),
            also: s.also.iter().map(|a| a.to_string()).collect(),
            choices: None,
        }
    }
}

/// The fields of a kind's extra document (`ExtraField`s) under a name prefix such as `data.`.
pub fn extra_fields(defs: &[ExtraField], prefix: &str, codes: &Codes) -> Vec<Field> {
    defs.iter()
        .map(|d| {
            let (kind, choices) = match d.kind {
                FieldType::Text => (Kind::Text, None),
                FieldType::Date => (Kind::Date, None),
                FieldType::Bool => (
                    Kind::Select,
                    Some(vec![("false".to_owned(), "否".to_owned()), ("true".to_owned(), "是".to_owned())]),
                ),
                FieldType::Code(t) => (Kind::Select, Some(codes.items(t))),
            };
            Field {
                name: format!("{prefix}{}", d.key),
                label: d.label.to_owned(),
                kind,
                required: d.required,
                max: if kind == Kind::Text { 200 } else { 0 },
                hint: String::new(),
                also: vec![],
                choices,
            }
        })
        .collect()
}

/// Builds a form from its specs, values and (after a refusal) the failure; `choices` answers the
/// options of select inputs by field name; `prefix` keeps ids unique on pages with several forms.
pub fn form(
    prefix: &str,
    specs: &[Spec],
    values: &Values,
    failure: Option<&Failure>,
    choices: &dyn Fn(&str) -> Vec<(String, String)>,
) -> Form {
    form_of(prefix, specs.iter().map(Field::from).collect(), values, failure, choices)
}

/// `form` for fields made at run time.
pub fn form_of(
    prefix: &str,
    fields: Vec<Field>,
    values: &Values,
    failure: Option<&Failure>,
    choices: &dyn Fn(&str) -> Vec<(String, String)>,
) -> Form {
    let empty = FieldErrors::new();
    let errors = failure.map(|f| &f.fields).unwrap_or(&empty);
    let mut used: Vec<&str> = Vec::new();
    let inputs = fields
        .into_iter()
        .map(|s| {
            let mut error = String::new();
            for key in std::iter::once(&s.name).chain(s.also.iter()) {
                if let Some((k, m)) = errors.get_key_value(key.as_str()) {
                    used.push(k.as_str());
                    if error.is_empty() {
                        error = m.clone();
                    }
                }
            }
            let choices = match (s.kind, s.choices) {
                (Kind::Select, Some(c)) => c,
                (Kind::Select, None) => choices(&s.name),
                _ => vec![],
            };
            Input {
                id: format!("{prefix}{}", s.name.replace('.', "-")),
                value: values.get(&s.name).to_owned(),
                name: s.name,
                label: s.label,
                kind: s.kind.html(),
                required: s.required,
                max: s.max,
                hint: s.hint,
                choices,
                error,
            }
        })
        .collect();
    let other = errors.iter().filter(|(k, _)| !used.contains(&k.as_str())).map(|(_, m)| m.clone()).collect();
    Form {
        inputs,
        message: failure.map(|f| f.message.clone()).unwrap_or_default(),
        other,
        failed: failure.is_some(),
        version: values.get("version").to_owned(),
    }
}

/// Answers a page drawn after a refusal with the refusal's status.
pub fn with_status(mut r: Response, failure: Option<&Failure>) -> Response {
    if let Some(f) = failure {
        *r.status_mut() = f.status;
    }
    r
}

/// The person IDs or 18-digit ID numbers typed into a textarea, one per line (or separated by
/// commas, spaces or 、).
pub fn id_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in text.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、' || c == ';') {
        let t = t.trim().to_uppercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

// ---- history ---------------------------------------------------------------------------------

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
                let l = super::model::status_label(s);
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
    super::model::PERSON_KINDS
        .iter()
        .flat_map(|(k, _)| super::model::extra_fields(k).iter())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_split_on_any_separator_and_drop_repeats() {
        assert_eq!(id_list("12, 13\n12、x1"), vec!["12", "13", "X1"]);
        assert!(id_list("  \n ").is_empty());
    }

    #[test]
    fn errors_land_on_their_inputs_or_in_the_banner() {
        let specs = [spec("house_no", "房屋编号", Kind::Text, true, 40).also(&["house_id"])];
        let mut fields = FieldErrors::new();
        fields.insert("house_id".into(), "房屋不存在".into());
        fields.insert("version".into(), "缺少版本号".into());
        let f = Failure { status: StatusCode::UNPROCESSABLE_ENTITY, message: "有误".into(), fields };
        let mut v = Values::default();
        v.set("house_no", "NS-1");
        let form = form("x-", &specs, &v, Some(&f), &|_| vec![]);
        assert_eq!(form.inputs[0].error, "房屋不存在");
        assert_eq!(form.inputs[0].value, "NS-1");
        assert_eq!(form.inputs[0].id, "x-house_no");
        assert_eq!(form.other, vec!["缺少版本号".to_owned()]);
    }

    #[test]
    fn history_shows_old_to_new() {
        let row = AuditRow {
            id: 1,
            at: 0,
            account_id: None,
            username: "w".into(),
            action: "house_updated".into(),
            object_type: "house".into(),
            object_id: "1".into(),
            detail: r#"{"owner_name":{"from":"甲","to":"乙"}}"#.into(),
            ip: String::new(),
            request_id: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let mut moved = row.clone();
        moved.detail = r#"{"house_id":{"from":7,"to":9}}"#.into();
        assert_eq!(linked_ids(&[row.clone(), moved.clone()]).get("house_id"), Some(&vec![7, 9]));
        let names = LinkNames(HashMap::from([(("house_id", 9), "NS-0009".to_owned())]));
        let h = history(vec![row, moved], &Codes::default(), &names);
        assert_eq!(h[0].action, "修改");
        assert_eq!(
            (h[0].changes[0].field.as_str(), h[0].changes[0].from.as_str(), h[0].changes[0].to.as_str()),
            ("房主姓名", "甲", "乙")
        );
        // A linked record shows by name; one that is gone keeps its number.
        assert_eq!((h[1].changes[0].from.as_str(), h[1].changes[0].to.as_str()), ("7", "NS-0009（#9）"));
    }
}
