//! Pure types of the register: person kinds and their extra fields, statuses, special-population
//! kinds, pinyin initials for search. Validation that needs no database lives here.

use serde_json::{Map, Value};

/// Kinds of person (实有人口).
pub const PERSON_KINDS: [(&str, &str); 4] =
    [("registered", "户籍人口"), ("floating", "流动人口"), ("foreigner", "境外人员"), ("left_behind", "留守人员")];

pub fn kind_label(kind: &str) -> &'static str {
    PERSON_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or("")
}

/// Statuses a person moves through; nothing is deleted silently.
pub const PERSON_STATUSES: [(&str, &str); 5] = [
    ("active", "在册"),
    ("moved_out", "已迁出"),
    ("deceased", "已死亡"),
    ("left", "已离开（流动人口）"),
    ("deleted", "已删除（误录）"),
];

pub fn status_label(status: &str) -> &'static str {
    PERSON_STATUSES.iter().find(|(k, _)| *k == status).map(|(_, l)| *l).unwrap_or("")
}

/// One extra field of a kind: key, Chinese label, type, required.
#[derive(Clone, Copy, Debug)]
pub struct ExtraField {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldType,
    pub required: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Date,
    Bool,
    /// A value from the named code table.
    Code(&'static str),
}

const fn f(key: &'static str, label: &'static str, kind: FieldType, required: bool) -> ExtraField {
    ExtraField { key, label, kind, required }
}

/// The extra fields of each person kind (GB/T 31000).
const EXTRA_FIELDS_REGISTERED: &[ExtraField] = {
    use FieldType::*;
    &[f("household_no", "户号", Text, false), f("separated", "人户分离", Bool, false)]
};

const EXTRA_FIELDS_FLOATING: &[ExtraField] = {
    use FieldType::*;
    &[
        f("permit_type", "居住证件类型", Code("permit_type"), true),
        f("permit_start", "证件起始日期", Date, false),
        f("permit_end", "证件截止日期", Date, false),
        f("reason", "流入原因", Text, true),
        f("from_place", "来源地", Text, true),
        f("arrived_on", "流入日期", Date, true),
        f("watch", "是否重点关注", Bool, false),
    ]
};

const EXTRA_FIELDS_FOREIGNER: &[ExtraField] = {
    use FieldType::*;
    &[
        f("foreign_name", "外文姓名", Text, true),
        f("nationality", "国籍", Text, true),
        f("purpose", "来华目的", Text, true),
        f("arrived_on", "入境日期", Date, true),
        f("leave_by", "预计离境日期", Date, false),
    ]
};

const EXTRA_FIELDS_LEFT_BEHIND: &[ExtraField] = {
    use FieldType::*;
    &[
        f("left_behind_type", "留守类型", Code("left_behind_type"), true),
        f("health", "健康状况", Text, false),
        f("income", "家庭年收入", Text, false),
        f("needs", "帮扶需求", Text, false),
        f("help_given", "帮扶情况", Text, false),
    ]
};

pub fn extra_fields(kind: &str) -> &'static [ExtraField] {
    match kind {
        "registered" => EXTRA_FIELDS_REGISTERED,
        "floating" => EXTRA_FIELDS_FLOATING,
        "foreigner" => EXTRA_FIELDS_FOREIGNER,
        "left_behind" => EXTRA_FIELDS_LEFT_BEHIND,
        _ => &[],
    }
}

/// Kinds of special-population file, and the department kind that signs each off.
pub const SPECIAL_KINDS: [(&str, &str, &str); 5] = [
    ("released_prisoner", "刑满释放人员", "justice_office"),
    ("community_correction", "社区矫正人员", "justice_office"),
    ("drug_user", "吸毒人员", "police_station"),
    ("mental_disorder", "严重精神障碍患者", "health_center"),
    ("at_risk_youth", "重点青少年", "police_station"),
];

pub fn special_label(kind: &str) -> &'static str {
    SPECIAL_KINDS.iter().find(|(k, _, _)| *k == kind).map(|(_, l, _)| *l).unwrap_or("")
}

/// The special kinds a department of this kind may see.
pub fn special_kinds_of_department(dept_kind: &str) -> Vec<&'static str> {
    SPECIAL_KINDS.iter().filter(|(_, _, d)| *d == dept_kind).map(|(k, _, _)| *k).collect()
}

/// The fields of each special-population file (stored encrypted as one JSON document).
const SPECIAL_FIELDS_RELEASED_PRISONER: &[ExtraField] = {
    use FieldType::*;
    &[
        f("crime", "原罪名", Text, true),
        f("sentence", "原判刑期", Text, true),
        f("prison", "服刑场所", Text, false),
        f("released_on", "释放日期", Date, true),
        f("handover", "衔接情况", Text, false),
        f("resettlement", "安置情况", Text, false),
        f("reoffended", "是否重新犯罪", Bool, false),
    ]
};

const SPECIAL_FIELDS_COMMUNITY_CORRECTION: &[ExtraField] = {
    use FieldType::*;
    &[
        f("correction_no", "矫正编号", Text, true),
        f("category", "矫正类别", Text, true),
        f("crime", "罪名", Text, true),
        f("term", "刑期", Text, false),
        f("start_on", "矫正起始日期", Date, true),
        f("end_on", "矫正结束日期", Date, true),
        f("group", "矫正小组", Text, false),
    ]
};

const SPECIAL_FIELDS_DRUG_USER: &[ExtraField] = {
    use FieldType::*;
    &[
        f("found_on", "首次发现日期", Date, true),
        f("control_status", "管控情况", Text, true),
        f("helper", "帮教人", Text, false),
    ]
};

const SPECIAL_FIELDS_MENTAL_DISORDER: &[ExtraField] = {
    use FieldType::*;
    &[
        f("diagnosis", "诊断", Text, true),
        f("risk_level", "危险性评估等级（0–5）", Text, true),
        f("treatment", "治疗情况", Text, false),
        f("guardian", "监护人", Text, true),
        f("incidents", "肇事肇祸史", Text, false),
    ]
};

const SPECIAL_FIELDS_AT_RISK_YOUTH: &[ExtraField] = {
    use FieldType::*;
    &[
        f("youth_type", "人员类型", Text, true),
        f("guardian", "监护人", Text, false),
        f("help_given", "帮扶情况", Text, false),
    ]
};

pub fn special_fields(kind: &str) -> &'static [ExtraField] {
    match kind {
        "released_prisoner" => SPECIAL_FIELDS_RELEASED_PRISONER,
        "community_correction" => SPECIAL_FIELDS_COMMUNITY_CORRECTION,
        "drug_user" => SPECIAL_FIELDS_DRUG_USER,
        "mental_disorder" => SPECIAL_FIELDS_MENTAL_DISORDER,
        "at_risk_youth" => SPECIAL_FIELDS_AT_RISK_YOUTH,
        _ => &[],
    }
}

/// Checks a document of extra fields against their definitions; `codes(table, value)` says
/// whether a code exists. Answers the cleaned document or field errors (keys prefixed `extra.`).
pub fn check_extra(
    defs: &[ExtraField],
    input: &Value,
    codes: &dyn Fn(&str, &str) -> Option<String>,
    prefix: &str,
) -> Result<Value, Vec<(String, String)>> {
    let empty = Map::new();
    let obj = match input {
        Value::Null => &empty,
        Value::Object(o) => o,
        _ => return Err(vec![(prefix.trim_end_matches('.').to_owned(), "应为对象".into())]),
    };
    let mut errors = Vec::new();
    let mut out = Map::new();
    for key in obj.keys() {
        if !defs.iter().any(|d| d.key == key) {
            errors.push((format!("{prefix}{key}"), format!("不认识的字段 {key}")));
        }
    }
    for d in defs {
        let name = format!("{prefix}{}", d.key);
        let v = obj.get(d.key).unwrap_or(&Value::Null);
        let text = match v {
            Value::Null => String::new(),
            Value::String(s) => s.trim().to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => {
                errors.push((name, format!("{}格式不正确", d.label)));
                continue;
            }
        };
        if text.is_empty() {
            if d.required {
                errors.push((name, format!("请填写{}", d.label)));
            }
            continue;
        }
        if text.chars().count() > 200 {
            errors.push((name, format!("{}不能超过 200 个字", d.label)));
            continue;
        }
        match d.kind {
            FieldType::Text => {
                out.insert(d.key.into(), Value::String(text));
            }
            FieldType::Date => match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(_) => {
                    out.insert(d.key.into(), Value::String(text));
                }
                Err(_) => errors.push((name, format!("{}应为日期，如 2026-03-01", d.label))),
            },
            FieldType::Bool => match text.as_str() {
                "true" | "是" | "1" => {
                    out.insert(d.key.into(), Value::Bool(true));
                }
                "false" | "否" | "0" => {
                    out.insert(d.key.into(), Value::Bool(false));
                }
                _ => errors.push((name, format!("{}应为“是”或“否”", d.label))),
            },
            // A code or its label (as the import templates' drop-downs offer it): the code is kept.
            FieldType::Code(table) => match codes(table, &text) {
                Some(code) => {
                    out.insert(d.key.into(), Value::String(code));
                }
                None => errors.push((name, format!("{}不是代码表中的值", d.label))),
            },
        }
    }
    if errors.is_empty() { Ok(Value::Object(out)) } else { Err(errors) }
}

/// Lower-case pinyin initials of a name, for search (`张三` → `zs`); other letters kept as they are.
pub fn initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(p) => p.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

/// What a search text looks like, to pick the index that answers it.
#[derive(Debug, PartialEq, Eq)]
pub enum SearchText {
    IdNumber(String),
    Phone(String),
    Initials(String),
    /// The start of a name.
    Name(String),
    /// Part of an address (has digits or address words).
    Address(String),
}

pub fn classify(q: &str) -> SearchText {
    let q = q.trim();
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 18 && compact[..17].bytes().all(|b| b.is_ascii_digit()) {
        return SearchText::IdNumber(compact.to_ascii_uppercase());
    }
    if compact.len() == 11 && compact.starts_with('1') && compact.bytes().all(|b| b.is_ascii_digit()) {
        return SearchText::Phone(compact);
    }
    if !compact.is_empty() && compact.len() <= 10 && compact.bytes().all(|b| b.is_ascii_alphabetic()) {
        return SearchText::Initials(compact.to_ascii_lowercase());
    }
    let address_words = ['路', '街', '巷', '号', '栋', '室', '村', '组', '弄'];
    if q.chars().any(|c| c.is_ascii_digit()) || address_words.iter().any(|w| q.contains(*w)) {
        return SearchText::Address(q.to_owned());
    }
    SearchText::Name(q.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pinyin_initials() {
        assert_eq!(initials("张三"), "zs");
        assert_eq!(initials("欧阳娜娜"), "oynn");
        assert_eq!(initials("李A1"), "la1");
    }

    #[test]
    fn classifies_search_text() {
        assert_eq!(classify("510725198506150017"), SearchText::IdNumber("510725198506150017".into()));
        assert_eq!(classify("51072519850615001x"), SearchText::IdNumber("51072519850615001X".into()));
        assert_eq!(classify("138 1234 5678"), SearchText::Phone("13812345678".into()));
        assert_eq!(classify("ZS"), SearchText::Initials("zs".into()));
        assert_eq!(classify("张三"), SearchText::Name("张三".into()));
        assert_eq!(classify("嫩水路8号"), SearchText::Address("嫩水路8号".into()));
    }

    #[test]
    fn extra_fields_are_checked() {
        let codes = |t: &str, v: &str| (t == "permit_type" && (v == "1" || v == "居住证")).then(|| "1".to_owned());
        let ok = check_extra(
            extra_fields("floating"),
            &json!({"permit_type": "1", "reason": "务工", "from_place": "四川省绵阳市", "arrived_on": "2026-02-01", "watch": "否"}),
            &codes,
            "extra.",
        )
        .unwrap();
        assert_eq!(ok["watch"], json!(false));
        let by_label = check_extra(
            extra_fields("floating"),
            &json!({"permit_type": "居住证", "reason": "务工", "from_place": "四川省绵阳市", "arrived_on": "2026-02-01"}),
            &codes,
            "extra.",
        )
        .unwrap();
        assert_eq!(by_label["permit_type"], "1");
        let errs = check_extra(extra_fields("floating"), &json!({"permit_type": "7", "bogus": 1}), &codes, "extra.")
            .unwrap_err();
        let keys: Vec<&str> = errs.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.contains(&"extra.bogus"));
        assert!(keys.contains(&"extra.permit_type"));
        assert!(keys.contains(&"extra.reason"));
        assert!(keys.contains(&"extra.arrived_on"));
        assert_eq!(special_kinds_of_department("justice_office"), vec!["released_prisoner", "community_correction"]);
    }
}
