//! A person as entered (PersonInput) and its validation into a write: ID number, birth date and sex, phone, codes, the fields of each kind.

use super::super::codes::Codes;
use super::super::id_number::{IdNumber, mask_phone};
use super::super::model::{self, extra_fields, initials, kind_label};
use super::super::person_store::{PersonRow, PersonWrite};
use crate::domains::org::model::{check_date, check_phone, check_text};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

/// What a client sends to register a person or to change one (PATCH: any subset plus `version`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub version: Option<i64>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub former_name: Option<String>,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub ethnicity: Option<String>,
    pub native_place: Option<String>,
    pub marital_status: Option<String>,
    pub political_status: Option<String>,
    pub education: Option<String>,
    pub religion: Option<String>,
    pub occupation: Option<String>,
    pub workplace: Option<String>,
    pub grid_id: Option<i64>,
    pub house_id: Option<i64>,
    pub household_id: Option<i64>,
    pub relation_to_head: Option<String>,
    pub registered_address: Option<String>,
    pub address: Option<String>,
    pub extra: Option<Value>,
    pub tags: Option<Vec<String>>,
}

/// The plain (decrypted) values of a person, before encryption: what validation works on.
#[derive(Debug, Default, Clone)]
pub(super) struct Plain {
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) former_name: String,
    pub(super) id_type: String,
    pub(super) id_number: String,
    pub(super) phone: String,
    pub(super) sex: String,
    pub(super) birth_date: String,
    pub(super) ethnicity: String,
    pub(super) native_place: String,
    pub(super) marital_status: String,
    pub(super) political_status: String,
    pub(super) education: String,
    pub(super) religion: String,
    pub(super) occupation: String,
    pub(super) workplace: String,
    pub(super) grid_id: i64,
    pub(super) house_id: Option<i64>,
    pub(super) household_id: Option<i64>,
    pub(super) relation_to_head: String,
    pub(super) registered_address: String,
    pub(super) address: String,
    pub(super) extra: Value,
    pub(super) tags: Vec<String>,
}

impl Plain {
    pub(super) fn from_row(r: &PersonRow, id_number: String, phone: String) -> Self {
        Plain {
            kind: r.kind.clone(),
            name: r.name.clone(),
            former_name: r.former_name.clone(),
            id_type: r.id_type.clone(),
            id_number,
            phone,
            sex: r.sex.clone(),
            birth_date: r.birth_date.clone(),
            ethnicity: r.ethnicity.clone(),
            native_place: r.native_place.clone(),
            marital_status: r.marital_status.clone(),
            political_status: r.political_status.clone(),
            education: r.education.clone(),
            religion: r.religion.clone(),
            occupation: r.occupation.clone(),
            workplace: r.workplace.clone(),
            grid_id: r.grid_id,
            house_id: r.house_id,
            household_id: r.household_id,
            relation_to_head: r.relation_to_head.clone(),
            registered_address: r.registered_address.clone(),
            address: r.address.clone(),
            extra: serde_json::from_str(&r.extra).unwrap_or(Value::Null),
            tags: r.tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        }
    }

    /// Applies the fields a client sent.
    pub(super) fn apply(&mut self, i: &PersonInput) {
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = &i.$f { self.$f = v.clone(); } )* };
        }
        take!(
            kind,
            name,
            former_name,
            id_type,
            id_number,
            phone,
            sex,
            birth_date,
            ethnicity,
            native_place,
            marital_status,
            political_status,
            education,
            religion,
            occupation,
            workplace,
            relation_to_head,
            registered_address,
            address,
            extra,
            tags
        );
        if let Some(g) = i.grid_id {
            self.grid_id = g;
        }
        if i.house_id.is_some() {
            self.house_id = i.house_id;
        }
        if i.household_id.is_some() {
            self.household_id = i.household_id;
        }
    }

    /// The audit view: masked personal fields, everything else as is.
    pub(super) fn audit_view(&self) -> Value {
        json!({
            "kind": self.kind, "name": self.name, "former_name": self.former_name, "id_number": super::super::id_number::mask_id(&self.id_number),
            "phone": mask_phone(&self.phone), "sex": self.sex, "birth_date": self.birth_date, "ethnicity": self.ethnicity,
            "native_place": self.native_place, "marital_status": self.marital_status, "political_status": self.political_status,
            "education": self.education, "religion": self.religion, "occupation": self.occupation, "workplace": self.workplace,
            "grid_id": self.grid_id, "house_id": self.house_id, "household_id": self.household_id, "relation_to_head": self.relation_to_head,
            "registered_address": self.registered_address, "address": self.address, "extra": self.extra, "tags": self.tags,
        })
    }
}

/// Validates every field; answers the row to write or the field errors (all of them at once).
pub(super) fn validate(state: &AppState, codes: &Codes, p: &mut Plain) -> Result<PersonWrite, FieldErrors> {
    let mut e = FieldErrors::new();
    check_texts(p, &mut e);
    check_identity(codes, p, &mut e);
    match check_phone("phone", &p.phone, false) {
        Ok(v) => p.phone = v,
        Err(AppError::Invalid { fields, .. }) => e.extend(fields),
        Err(_) => {}
    }
    check_codes(codes, p, &mut e);
    let code_of = |t: &str, c: &str| codes.find(t, c);
    match model::check_extra(extra_fields(&p.kind), &p.extra, &code_of, "extra.") {
        Ok(v) => p.extra = v,
        Err(list) => e.extend(list),
    }
    if p.tags.len() > 20 || p.tags.iter().any(|t| t.is_empty() || t.chars().count() > 20 || t.contains(',')) {
        e.insert("tags".into(), "标签最多 20 个，每个 1–20 个字，不能含逗号".into());
    }
    if !e.is_empty() {
        return Err(e);
    }
    let (id_enc, phone_enc) = encrypt(state, p)?;
    Ok(person_write(state, p, id_enc, phone_enc))
}

/// The free-text fields (trimmed, bounded) and the person kind.
fn check_texts(p: &mut Plain, e: &mut FieldErrors) {
    let mut text = |field: &str, label: &str, v: &mut String, max: usize, required: bool| match check_text(
        field, label, v, max, required,
    ) {
        Ok(t) => *v = t,
        Err(AppError::Invalid { fields, .. }) => e.extend(fields),
        Err(_) => {}
    };
    text("name", "姓名", &mut p.name, 50, true);
    text("former_name", "曾用名", &mut p.former_name, 50, false);
    text("native_place", "籍贯", &mut p.native_place, 50, false);
    text("occupation", "职业", &mut p.occupation, 50, false);
    text("workplace", "服务处所", &mut p.workplace, 100, false);
    text("registered_address", "户籍地详址", &mut p.registered_address, 200, false);
    text("address", "现住址", &mut p.address, 200, false);
    if kind_label(&p.kind).is_empty() {
        e.insert(
            "kind".into(),
            "人员类别只能是 registered（户籍）、floating（流动）、foreigner（境外）或 left_behind（留守）".into(),
        );
    }
}

/// The identity document: its type, and a citizen ID checked digit by digit (it gives birth date
/// and sex); other documents with a birth date and sex given.
fn check_identity(codes: &Codes, p: &mut Plain, e: &mut FieldErrors) {
    if p.id_type.is_empty() {
        p.id_type = "111".into();
    }
    if !codes.has("id_type", &p.id_type) {
        e.insert("id_type".into(), "证件类型不是代码表中的值".into());
    }
    // ID number: a citizen ID is checked digit by digit and gives birth date and sex.
    let id_text = p.id_number.trim().to_uppercase();
    if id_text.is_empty() {
        e.insert("id_number".into(), "请填写证件号码".into());
    } else if p.id_type == "111" {
        match IdNumber::parse(&id_text) {
            Ok(id) => {
                let birth = id.birth_date().to_string();
                if !p.birth_date.is_empty() && p.birth_date != birth {
                    e.insert("birth_date".into(), format!("出生日期与身份证号码不一致（应为 {birth}）"));
                }
                if !p.sex.is_empty() && p.sex != id.sex() {
                    e.insert("sex".into(), "性别与身份证号码不一致".into());
                }
                p.birth_date = birth;
                p.sex = id.sex().into();
                p.id_number = id.as_str().to_owned();
            }
            Err(msg) => {
                e.insert("id_number".into(), msg.into());
            }
        }
    } else {
        if id_text.len() > 30 || !id_text.chars().all(|c| c.is_ascii_alphanumeric()) {
            e.insert("id_number".into(), "证件号码只能是字母和数字（最多 30 位）".into());
        }
        p.id_number = id_text;
        if check_date("birth_date", &p.birth_date).is_err() {
            e.insert("birth_date".into(), "请填写出生日期（年-月-日）".into());
        }
        if !matches!(p.sex.as_str(), "male" | "female" | "unknown") {
            e.insert("sex".into(), "性别只能是 male、female 或 unknown".into());
        }
    }
}

/// The fields drawn from code tables (民族 defaults to 汉族).
fn check_codes(codes: &Codes, p: &mut Plain, e: &mut FieldErrors) {
    for (field, table, label) in [
        ("ethnicity", "ethnicity", "民族"),
        ("marital_status", "marital_status", "婚姻状况"),
        ("political_status", "political_status", "政治面貌"),
        ("education", "education", "学历"),
        ("religion", "religion", "宗教信仰"),
        ("relation_to_head", "relation", "与户主关系"),
    ] {
        let v = match field {
            "ethnicity" => &mut p.ethnicity,
            "marital_status" => &mut p.marital_status,
            "political_status" => &mut p.political_status,
            "education" => &mut p.education,
            "religion" => &mut p.religion,
            _ => &mut p.relation_to_head,
        };
        if field == "ethnicity" && v.is_empty() {
            *v = "01".into();
        }
        if !v.is_empty() {
            match codes.find(table, v) {
                Some(code) => *v = code,
                None => {
                    e.insert(field.into(), format!("{label}不是代码表中的值"));
                }
            }
        }
    }
}

/// The encrypted ID number and phone (if any).
fn encrypt(state: &AppState, p: &Plain) -> Result<(Vec<u8>, Option<Vec<u8>>), FieldErrors> {
    let mut e = FieldErrors::new();
    let enc = |s: &str| state.keys.encrypt_str(s);
    let (Ok(id_enc), phone_enc) = (enc(&p.id_number), (!p.phone.is_empty()).then(|| enc(&p.phone))) else {
        e.insert("id_number".into(), "加密失败".into());
        return Err(e);
    };
    let phone_enc = match phone_enc {
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            e.insert("phone".into(), "加密失败".into());
            return Err(e);
        }
        None => None,
    };
    Ok((id_enc, phone_enc))
}

/// The row to write, from checked fields.
fn person_write(state: &AppState, p: &Plain, id_enc: Vec<u8>, phone_enc: Option<Vec<u8>>) -> PersonWrite {
    PersonWrite {
        grid_id: p.grid_id,
        kind: p.kind.clone(),
        name_initials: initials(&p.name),
        name: p.name.clone(),
        former_name: p.former_name.clone(),
        id_type: p.id_type.clone(),
        id_enc,
        id_bidx: state.keys.blind_index("id_number", &p.id_number),
        id_masked: super::super::id_number::mask_id(&p.id_number),
        sex: p.sex.clone(),
        birth_date: p.birth_date.clone(),
        ethnicity: p.ethnicity.clone(),
        native_place: p.native_place.clone(),
        marital_status: p.marital_status.clone(),
        political_status: p.political_status.clone(),
        education: p.education.clone(),
        religion: p.religion.clone(),
        occupation: p.occupation.clone(),
        workplace: p.workplace.clone(),
        phone_enc,
        phone_bidx: (!p.phone.is_empty()).then(|| state.keys.blind_index("phone", &p.phone)),
        phone_masked: if p.phone.is_empty() { String::new() } else { mask_phone(&p.phone) },
        registered_address: p.registered_address.clone(),
        address: p.address.clone(),
        house_id: p.house_id,
        household_id: p.household_id,
        relation_to_head: p.relation_to_head.clone(),
        extra: p.extra.to_string(),
        tags: if p.tags.is_empty() { String::new() } else { format!(",{},", p.tags.join(",")) },
    }
}

/// Validates a complete new person for an import (the caller resolved the grid); answers the row
/// to write, or the field errors.
pub(crate) fn prepare_import(state: &AppState, codes: &Codes, input: &PersonInput) -> Result<PersonWrite, FieldErrors> {
    let mut p = Plain { grid_id: input.grid_id.unwrap_or(0), ..Default::default() };
    p.apply(input);
    validate(state, codes, &mut p)
}
