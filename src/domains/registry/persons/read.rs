//! Reading people: the caller's register scope, the masked answer, search and one person (audited, unmasked only with a reason).

use super::super::model::{SearchText, classify, kind_label, status_label};
use super::super::person_store::{self as store, PersonFilter, PersonRow, Sort};
use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::domains::org::model::check_text;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The caller's scope of the register (a department's reaches only the special groups it signs off).
pub fn scope_of(actor: &Actor) -> AppResult<Scope> {
    actor.require(Permission::ReadPersonalData)?;
    Ok(actor.scope.clone())
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

pub(super) fn present(r: PersonRow, full: Option<(String, String)>) -> PersonOut {
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
pub(super) fn reveal(state: &AppState, r: &PersonRow) -> AppResult<(String, String)> {
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
    let scope = scope_of(actor)?;
    let mut pf = PersonFilter { grid_id: q.grid, house_id: q.house, household_id: q.household, ..Default::default() };
    if let Some(a) = q.area {
        pf.area_path = Some(crate::domains::org::locate::chosen_area(&state.db, &scope, Some(a)).await?.path);
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
    let scope = scope_of(actor)?;
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
