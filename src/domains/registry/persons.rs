//! The person service: register, read (masked, audited), search, edit with history, status
//! changes, deletion for mistakes, unmasking with a reason, and transfers between grids.

use super::codes::Codes;
use super::id_number::{IdNumber, mask_phone};
use super::model::{self, SearchText, classify, extra_fields, initials, kind_label, status_label};
use super::observe::{self, AfterCommit, PersonWritten, Subject};
use super::person_store::{self as store, PersonFilter, PersonRow, PersonWrite, RegScope, Sort};
use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::domains::org::model::{check_date, check_phone, check_text};
use crate::domains::org::{area_store, departments};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The caller's register scope; departments see only people with files of the kinds they sign off.
pub async fn scope_of(state: &AppState, actor: &Actor) -> AppResult<RegScope> {
    actor.require(Permission::ReadPersonalData)?;
    match &actor.scope {
        Scope::Area { path, .. } => Ok(RegScope { path: path.clone(), special_kinds: None }),
        Scope::Department { department_id, path, .. } => {
            let d = departments::get(&state.db, actor, *department_id).await?;
            Ok(RegScope { path: path.clone(), special_kinds: Some(model::special_kinds_of_department(&d.row.kind)) })
        }
    }
}

/// A person as the API shows it. `id_number` and `phone` are masked unless `unmasked`.
#[derive(Debug, Clone, Serialize)]
pub struct PersonOut {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub name: String,
    pub former_name: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub unmasked: bool,
    pub sex: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub native_place: String,
    pub marital_status: String,
    pub political_status: String,
    pub education: String,
    pub religion: String,
    pub occupation: String,
    pub workplace: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub house_id: Option<i64>,
    pub household_id: Option<i64>,
    pub relation_to_head: String,
    pub registered_address: String,
    pub address: String,
    pub extra: Value,
    pub tags: Vec<String>,
    pub status: String,
    pub status_label: &'static str,
    pub status_date: Option<String>,
    pub status_reason: String,
    pub updated_at: i64,
    pub version: i64,
}

fn present(r: PersonRow, full: Option<(String, String)>) -> PersonOut {
    let (id_number, phone, unmasked) = match full {
        Some((id, phone)) => (id, phone, true),
        None => (r.id_masked.clone(), r.phone_masked.clone(), false),
    };
    PersonOut {
        kind_label: kind_label(&r.kind),
        status_label: status_label(&r.status),
        extra: serde_json::from_str(&r.extra).unwrap_or(Value::Null),
        tags: r.tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        id_number,
        phone,
        unmasked,
        id: r.id,
        kind: r.kind,
        name: r.name,
        former_name: r.former_name,
        id_type: r.id_type,
        sex: r.sex,
        birth_date: r.birth_date,
        ethnicity: r.ethnicity,
        native_place: r.native_place,
        marital_status: r.marital_status,
        political_status: r.political_status,
        education: r.education,
        religion: r.religion,
        occupation: r.occupation,
        workplace: r.workplace,
        grid_id: r.grid_id,
        grid_name: r.grid_name,
        house_id: r.house_id,
        household_id: r.household_id,
        relation_to_head: r.relation_to_head,
        registered_address: r.registered_address,
        address: r.address,
        status: r.status,
        status_date: r.status_date,
        status_reason: r.status_reason,
        updated_at: r.updated_at,
        version: r.version,
    }
}

/// Decrypts the ID number and phone of a row.
fn reveal(state: &AppState, r: &PersonRow) -> AppResult<(String, String)> {
    let id = state.keys.decrypt_str(&r.id_enc)?;
    let phone = match &r.phone_enc {
        Some(p) => state.keys.decrypt_str(p)?,
        None => String::new(),
    };
    Ok((id, phone))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    pub q: Option<String>,
    pub area: Option<i64>,
    pub grid: Option<i64>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub tag: Option<String>,
    pub house: Option<i64>,
    pub household: Option<i64>,
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Searches the register in scope; the call and the people it shows are audited.
pub async fn search(state: &AppState, actor: &Actor, q: &PersonQuery) -> AppResult<Page<PersonOut>> {
    let page = search_page(state, actor, q).await?;
    let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
    if !ids.is_empty() {
        let mut tx = state.db.begin().await?;
        audit::record(
            &mut tx,
            &actor.audit(),
            "person_list_read",
            "person",
            "list",
            json!({ "ids": ids, "search": q.q.is_some() }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(page.map(|r| present(r, None)))
}

/// The raw rows of a search and the total, unaudited: for exports, which audit once for the whole file.
pub(crate) async fn search_rows(state: &AppState, actor: &Actor, q: &PersonQuery) -> AppResult<(Vec<PersonRow>, i64)> {
    let page = search_page(state, actor, q).await?;
    Ok((page.items, page.total))
}

/// Decrypts a row's ID number and phone (the caller has checked the permission and audits).
pub(crate) fn reveal_row(state: &AppState, r: &PersonRow) -> AppResult<(String, String)> {
    reveal(state, r)
}

async fn search_page(state: &AppState, actor: &Actor, q: &PersonQuery) -> AppResult<Page<PersonRow>> {
    let scope = scope_of(state, actor).await?;
    let mut pf = PersonFilter { grid_id: q.grid, house_id: q.house, household_id: q.household, ..Default::default() };
    if let Some(a) = q.area {
        let row = area_store::get(&state.db, actor.scope.path(), a)
            .await?
            .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
        pf.area_path = Some(row.path);
    }
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        if kind_label(k).is_empty() {
            return Err(AppError::field("kind", "人员类别只能是 registered、floating、foreigner 或 left_behind"));
        }
        pf.kind = Some(k.to_owned());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if s != "all" && (status_label(s).is_empty() || s == "deleted") {
            return Err(AppError::field("status", "状态只能是 active、moved_out、deceased、left 或 all"));
        }
        pf.status = Some(s.to_owned());
    }
    pf.tag = q.tag.clone().filter(|t| !t.is_empty());
    pf.sort = match q.sort.as_deref().unwrap_or("") {
        "" | "id" => Sort::Id,
        "name" => Sort::Name,
        "birth_date" => Sort::BirthDate,
        "updated" => Sort::Updated,
        _ => return Err(AppError::field("sort", "排序只能是 id、name、birth_date 或 updated")),
    };
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 50 {
            return Err(AppError::field("q", "搜索内容不能超过 50 个字"));
        }
        match classify(text) {
            SearchText::IdNumber(id) => pf.id_bidx = Some(state.keys.blind_index("id_number", &id)),
            SearchText::Phone(p) => pf.phone_bidx = Some(state.keys.blind_index("phone", &p)),
            SearchText::Initials(i) => pf.initials = Some(i),
            SearchText::Name(n) => pf.name_prefix = Some(n),
            SearchText::Address(a) => pf.address = Some(a),
        }
    }
    Ok(store::list(&state.db, &scope, &pf, Paging::new(q.page, q.per_page)).await?)
}

/// One person, masked unless `unmask` is asked with a reason by an account that may; audited.
pub async fn get(state: &AppState, actor: &Actor, id: i64, unmask: Option<&str>) -> AppResult<PersonOut> {
    let scope = scope_of(state, actor).await?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    let full = match unmask {
        None => None,
        Some(reason) => {
            actor.require(Permission::UnmaskPersonalData)?;
            let reason = check_text("reason", "查看原因", reason, 200, true)?;
            Some((reveal(state, &row)?, reason))
        }
    };
    let mut tx = state.db.begin().await?;
    match &full {
        Some((_, reason)) => {
            audit::record(
                &mut tx,
                &actor.audit(),
                "person_unmask",
                "person",
                id,
                json!({ "fields": ["id_number", "phone"], "reason": reason }),
            )
            .await?
        }
        None => audit::record(&mut tx, &actor.audit(), "person_read", "person", id, json!({})).await?,
    }
    tx.commit().await?;
    Ok(present(row, full.map(|(f, _)| f)))
}

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
struct Plain {
    kind: String,
    name: String,
    former_name: String,
    id_type: String,
    id_number: String,
    phone: String,
    sex: String,
    birth_date: String,
    ethnicity: String,
    native_place: String,
    marital_status: String,
    political_status: String,
    education: String,
    religion: String,
    occupation: String,
    workplace: String,
    grid_id: i64,
    house_id: Option<i64>,
    household_id: Option<i64>,
    relation_to_head: String,
    registered_address: String,
    address: String,
    extra: Value,
    tags: Vec<String>,
}

impl Plain {
    fn from_row(r: &PersonRow, id_number: String, phone: String) -> Self {
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
    fn apply(&mut self, i: &PersonInput) {
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
    fn audit_view(&self) -> Value {
        json!({
            "kind": self.kind, "name": self.name, "former_name": self.former_name, "id_number": super::id_number::mask_id(&self.id_number),
            "phone": mask_phone(&self.phone), "sex": self.sex, "birth_date": self.birth_date, "ethnicity": self.ethnicity,
            "native_place": self.native_place, "marital_status": self.marital_status, "political_status": self.political_status,
            "education": self.education, "religion": self.religion, "occupation": self.occupation, "workplace": self.workplace,
            "grid_id": self.grid_id, "house_id": self.house_id, "household_id": self.household_id, "relation_to_head": self.relation_to_head,
            "registered_address": self.registered_address, "address": self.address, "extra": self.extra, "tags": self.tags,
        })
    }
}

/// Validates every field; answers the row to write or the field errors (all of them at once).
fn validate(state: &AppState, codes: &Codes, p: &mut Plain) -> Result<PersonWrite, FieldErrors> {
    let mut e = FieldErrors::new();
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
    match check_phone("phone", &p.phone, false) {
        Ok(v) => p.phone = v,
        Err(AppError::Invalid { fields, .. }) => e.extend(fields),
        Err(_) => {}
    }
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
    Ok(PersonWrite {
        grid_id: p.grid_id,
        kind: p.kind.clone(),
        name_initials: initials(&p.name),
        name: p.name.clone(),
        former_name: p.former_name.clone(),
        id_type: p.id_type.clone(),
        id_enc,
        id_bidx: state.keys.blind_index("id_number", &p.id_number),
        id_masked: super::id_number::mask_id(&p.id_number),
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
    })
}

/// Validates a complete new person for an import (the caller resolved the grid); answers the row
/// to write, or the field errors.
pub(crate) fn prepare_import(state: &AppState, codes: &Codes, input: &PersonInput) -> Result<PersonWrite, FieldErrors> {
    let mut p = Plain { grid_id: input.grid_id.unwrap_or(0), ..Default::default() };
    p.apply(input);
    validate(state, codes, &mut p)
}

/// The grid must be an active grid in scope; house and household, if given, must be in that grid.
async fn check_links(state: &AppState, actor: &Actor, p: &Plain) -> AppResult<()> {
    let grid = area_store::get(&state.db, actor.scope.path(), p.grid_id)
        .await?
        .filter(|g| g.kind == "grid" && g.status == "active")
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))?;
    if let Some(h) = p.house_id {
        let ok = super::house_store::grid_of_house(&state.db, h).await?;
        if ok != Some(grid.id) {
            return Err(AppError::field("house_id", "房屋不存在或不在该网格"));
        }
    }
    if let Some(h) = p.household_id {
        let ok = super::house_store::grid_of_household(&state.db, h).await?;
        if ok != Some(grid.id) {
            return Err(AppError::field("household_id", "户不存在或不在该网格"));
        }
    }
    Ok(())
}

/// The refusal for an ID number registered elsewhere: where (masked), and that a transfer can be asked.
fn duplicate(existing: &store::Existing) -> AppError {
    AppError::Conflict(format!(
        "证件号码 {} 已在“{}”登记，不能重复登记；如此人已搬到您的网格，请申请迁入，由原网格确认",
        existing.id_masked, existing.grid_name
    ))
}

pub async fn create(state: &AppState, actor: &Actor, input: &PersonInput) -> AppResult<PersonOut> {
    actor.require(Permission::EditRegister)?;
    let scope = scope_of(state, actor).await?;
    let codes = Codes::load(&state.db).await?;
    let mut p = Plain { grid_id: input.grid_id.unwrap_or(0), ..Default::default() };
    if input.grid_id.is_none() {
        return Err(AppError::field("grid_id", "请选择所属网格"));
    }
    if input.kind.is_none() {
        return Err(AppError::field("kind", "请选择人员类别"));
    }
    p.apply(input);
    let write = validate(state, &codes, &mut p).map_err(AppError::fields)?;
    check_links(state, actor, &p).await?;
    let mut tx = state.db.begin().await?;
    if let Some(existing) = store::find_by_id_bidx(&mut tx, &write.id_type, &write.id_bidx).await? {
        return Err(duplicate(&existing));
    }
    let id = store::insert(&mut tx, &write, actor.now).await.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict("该证件号码刚刚已被登记，请刷新后查看".into())
        } else {
            e.into()
        }
    })?;
    audit::record(&mut tx, &actor.audit(), "person_created", "person", id, p.audit_view()).await?;
    let written = PersonWritten {
        person_id: id,
        subject: Subject::Person { was_floating: false },
        action: "created",
        detail: json!({}),
    };
    let after = observe::person_written(state, &mut tx, actor, written).await?;
    tx.commit().await?;
    after.run(state);
    let row = store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    Ok(present(row, None))
}

pub async fn update(state: &AppState, actor: &Actor, id: i64, input: &PersonInput) -> AppResult<PersonOut> {
    actor.require(Permission::EditRegister)?;
    let version = input.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let scope = scope_of(state, actor).await?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    if input.grid_id.is_some_and(|g| g != row.grid_id) {
        return Err(AppError::field("grid_id", "更换网格请使用迁入申请或由社区办理迁移"));
    }
    let (id_number, phone) = reveal(state, &row)?;
    let before = Plain::from_row(&row, id_number, phone);
    let mut p = before.clone();
    p.apply(input);
    let codes = Codes::load(&state.db).await?;
    let write = validate(state, &codes, &mut p).map_err(AppError::fields)?;
    check_links(state, actor, &p).await?;
    let mut tx = state.db.begin().await?;
    if let Some(existing) = store::find_by_id_bidx(&mut tx, &write.id_type, &write.id_bidx).await?
        && existing.id != id
    {
        return Err(duplicate(&existing));
    }
    if !store::update(&mut tx, id, version, &write, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    let changes = audit::changes(&before.audit_view(), &p.audit_view());
    audit::record(&mut tx, &actor.audit(), "person_updated", "person", id, changes.clone()).await?;
    let after = if changes.as_object().is_some_and(|c| !c.is_empty()) {
        let subject = Subject::Person { was_floating: before.kind == "floating" };
        let written = PersonWritten { person_id: id, subject, action: "changed", detail: changes };
        observe::person_written(state, &mut tx, actor, written).await?
    } else {
        AfterCommit::default()
    };
    tx.commit().await?;
    after.run(state);
    let row = store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    Ok(present(row, None))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub version: i64,
    pub status: String,
    pub date: String,
    pub reason: String,
}

/// Moving out, death, a floating person leaving, or coming back: dated, with a reason, never a delete.
pub async fn change_status(state: &AppState, actor: &Actor, id: i64, input: &StatusInput) -> AppResult<PersonOut> {
    actor.require(Permission::EditRegister)?;
    let scope = scope_of(state, actor).await?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    let allowed = match (row.status.as_str(), input.status.as_str()) {
        ("active", "moved_out") => row.kind != "floating",
        ("active", "left") => row.kind == "floating",
        ("active", "deceased") => true,
        ("moved_out" | "left", "active") => true,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Conflict(format!(
            "不能从“{}”改为“{}”",
            status_label(&row.status),
            status_label(&input.status)
        )));
    }
    let date = check_date("date", &input.date)?;
    if date > state.clock.today() {
        return Err(AppError::field("date", "日期不能晚于今天"));
    }
    let reason = check_text("reason", "原因", &input.reason, 200, true)?;
    let mut tx = state.db.begin().await?;
    if !store::set_status(&mut tx, id, input.version, &input.status, &date.to_string(), &reason, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    let change =
        json!({ "status": { "from": row.status, "to": input.status }, "date": date.to_string(), "reason": reason });
    audit::record(&mut tx, &actor.audit(), "person_status", "person", id, change.clone()).await?;
    let written = PersonWritten {
        person_id: id,
        subject: Subject::Person { was_floating: false },
        action: "changed",
        detail: change,
    };
    let after = observe::person_written(state, &mut tx, actor, written).await?;
    tx.commit().await?;
    after.run(state);
    let row = store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    Ok(present(row, None))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteInput {
    pub version: i64,
    pub reason: String,
}

/// Deletes a record entered by mistake (permission and reason required; the row stays, marked deleted).
pub async fn delete(state: &AppState, actor: &Actor, id: i64, input: &DeleteInput) -> AppResult<()> {
    actor.require(Permission::DeleteRecords)?;
    let scope = scope_of(state, actor).await?;
    let row = store::get(&state.db, &scope, id)
        .await?
        .filter(|r| r.status != "deleted")
        .ok_or_else(|| AppError::not_found("人员"))?;
    let reason = check_text("reason", "删除原因", &input.reason, 200, true)?;
    let mut tx = state.db.begin().await?;
    let today = state.clock.today().to_string();
    if !store::set_status(&mut tx, id, input.version, "deleted", &today, &reason, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改，请刷新后重试".into()));
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "person_deleted",
        "person",
        id,
        json!({ "reason": reason, "status_before": row.status }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Field-level history of a person (who changed what, when), from the audit trail.
pub async fn history(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<audit::AuditRow>> {
    let scope = scope_of(state, actor).await?;
    store::get(&state.db, &scope, id).await?.ok_or_else(|| AppError::not_found("人员"))?;
    audit::changes_of(&state.db, "person", &id.to_string()).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[serde(default)]
    pub id_type: Option<String>,
    pub id_number: String,
    pub grid_id: i64,
    pub reason: String,
}

/// Asks to move a person registered in another grid into one of the caller's grids.
pub async fn request_transfer(state: &AppState, actor: &Actor, input: &TransferInput) -> AppResult<store::TransferRow> {
    actor.require(Permission::EditRegister)?;
    let grid = area_store::get(&state.db, actor.scope.path(), input.grid_id)
        .await?
        .filter(|g| g.kind == "grid" && g.status == "active")
        .ok_or_else(|| AppError::field("grid_id", "网格不存在、已撤销或不在您的管辖范围内"))?;
    let id_type = input.id_type.clone().unwrap_or_else(|| "111".into());
    let number = if id_type == "111" {
        IdNumber::parse(&input.id_number).map_err(|m| AppError::field("id_number", m))?.as_str().to_owned()
    } else {
        input.id_number.trim().to_uppercase()
    };
    let reason = check_text("reason", "迁入原因", &input.reason, 200, true)?;
    let mut tx = state.db.begin().await?;
    let existing = store::find_by_id_bidx(&mut tx, &id_type, &state.keys.blind_index("id_number", &number))
        .await?
        .ok_or_else(|| AppError::field("id_number", "该证件号码尚未登记，可直接登记"))?;
    if existing.grid_id == grid.id {
        return Err(AppError::Conflict("此人已在该网格".into()));
    }
    if store::pending_transfer_exists(&mut tx, existing.id).await? {
        return Err(AppError::Conflict("此人已有待确认的迁移申请".into()));
    }
    let tid =
        store::insert_transfer(&mut tx, existing.id, existing.grid_id, grid.id, actor.id, &reason, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "person_transfer_requested",
        "person",
        existing.id,
        json!({ "transfer": tid, "from_grid": existing.grid_id, "to_grid": grid.id, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    let mut tx = state.db.begin().await?;
    let (row, _) = store::transfer(&mut tx, tid).await?.ok_or_else(|| AppError::not_found("迁移申请"))?;
    Ok(row)
}

pub async fn transfers(state: &AppState, actor: &Actor, status: Option<&str>) -> AppResult<Vec<store::TransferRow>> {
    actor.require(Permission::ReadRegister)?;
    Ok(store::transfers(&state.db, actor.scope.path(), status).await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub note: Option<String>,
}

/// The original grid's staff confirm (the person moves, leaving house and household links) or refuse.
pub async fn decide_transfer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    approve: bool,
    input: &DecisionInput,
) -> AppResult<store::TransferRow> {
    actor.require(Permission::EditRegister)?;
    let note = check_text("note", "说明", input.note.as_deref().unwrap_or(""), 200, !approve)?;
    let mut tx = state.db.begin().await?;
    let (t, from_path) = store::transfer(&mut tx, id).await?.ok_or_else(|| AppError::not_found("迁移申请"))?;
    if !actor.scope.contains(&from_path) {
        return Err(AppError::Forbidden("只有原网格（或其社区、乡镇）的工作人员可以确认迁出".into()));
    }
    let status = if approve { "approved" } else { "rejected" };
    if !store::decide_transfer(&mut tx, id, status, actor.id, &note, actor.now).await? {
        return Err(AppError::Conflict("该申请已处理".into()));
    }
    if approve {
        store::set_grid(&mut tx, t.person_id, t.to_grid_id, actor.now).await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        if approve { "person_transferred" } else { "person_transfer_rejected" },
        "person",
        t.person_id,
        json!({ "transfer": id, "grid_id": { "from": t.from_grid_id, "to": t.to_grid_id }, "note": note }),
    )
    .await?;
    tx.commit().await?;
    let mut tx = state.db.begin().await?;
    let (row, _) = store::transfer(&mut tx, id).await?.ok_or_else(|| AppError::not_found("迁移申请"))?;
    Ok(row)
}
