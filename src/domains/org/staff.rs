//! The staff service: grid workers, leaders and community staff, their photos and grid assignments.

use super::areas::row_in_scope;
use super::model::{AreaKind, STAFF_POSITIONS, check_date, check_phone, check_text, employment_label, position_label};
use super::staff_store::{self as store, AssignmentRow, StaffFields, StaffFilter, StaffRow};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::check_photo;
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize)]
pub struct StaffOut {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub position: String,
    pub position_label: &'static str,
    pub employment: String,
    pub employment_label: &'static str,
    pub duties: String,
    pub area_id: i64,
    pub area_name: String,
    pub photo_url: Option<String>,
    pub status: String,
    pub assignments: Vec<AssignmentRow>,
    pub version: i64,
}

fn present(rows: Vec<StaffRow>, mut assignments: Vec<AssignmentRow>) -> Vec<StaffOut> {
    rows.into_iter()
        .map(|r| {
            let mine: Vec<AssignmentRow> = assignments.extract_if(.., |a| a.staff_id == r.id).collect();
            StaffOut {
                position_label: position_label(&r.position),
                employment_label: employment_label(&r.employment),
                photo_url: r.photo_file_id.as_ref().map(|f| format!("/files/{f}")),
                id: r.id,
                name: r.name,
                phone: r.phone,
                position: r.position,
                employment: r.employment,
                duties: r.duties,
                area_id: r.area_id,
                area_name: r.area_name,
                status: r.status,
                assignments: mine,
                version: r.version,
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffQuery {
    pub area: Option<i64>,
    pub grid: Option<i64>,
    pub position: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub async fn list(state: &AppState, actor: &Actor, q: &StaffQuery) -> AppResult<Page<StaffOut>> {
    let db = &state.db;
    let mut sf = StaffFilter {
        scope_path: actor.scope.path().to_owned(),
        grid_id: q.grid,
        q: q.q.clone(),
        ..Default::default()
    };
    if let Some(a) = q.area {
        sf.area_path = Some(row_in_scope(db, actor, a).await?.path);
    }
    if let Some(p) = q.position.as_deref().filter(|p| !p.is_empty()) {
        if !STAFF_POSITIONS.iter().any(|(k, _)| *k == p) {
            return Err(AppError::field("position", "岗位不正确"));
        }
        sf.position = Some(p.to_owned());
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(s, "active" | "retired" | "all") {
            return Err(AppError::field("status", "状态只能是 active、retired 或 all"));
        }
        sf.status = Some(s.to_owned());
    }
    let page = store::list(db, &sf, Paging::new(q.page, q.per_page)).await?;
    let ids: Vec<i64> = page.items.iter().map(|s| s.id).collect();
    let assignments = store::assignments_of(db, &ids).await?;
    let Page { items, total, page, per_page } = page;
    Ok(Page { items: present(items, assignments), total, page, per_page })
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<StaffOut> {
    let row = store::get(&state.db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("工作人员"))?;
    let assignments = store::assignments_of(&state.db, &[id]).await?;
    Ok(present(vec![row], assignments).remove(0))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    #[serde(default)]
    pub version: Option<i64>,
    pub area_id: i64,
    pub name: String,
    pub phone: String,
    pub position: String,
    #[serde(default)]
    pub employment: Option<String>,
    #[serde(default)]
    pub duties: Option<String>,
}

struct CheckedStaff {
    name: String,
    phone: String,
    position: String,
    employment: String,
    duties: String,
}

async fn check_input(state: &AppState, actor: &Actor, input: &StaffInput) -> AppResult<CheckedStaff> {
    let mut errors = FieldErrors::new();
    let mut take = |r: AppResult<String>| AppError::gather(&mut errors, r);
    let name = take(check_text("name", "姓名", &input.name, 32, true));
    let phone = take(check_phone("phone", &input.phone, true));
    let duties = take(check_text("duties", "工作职责", input.duties.as_deref().unwrap_or(""), 500, false));
    if !STAFF_POSITIONS.iter().any(|(k, _)| *k == input.position) {
        errors.insert("position".into(), "岗位只能是 grid_worker、grid_leader、community_staff 或 centre_staff".into());
    }
    let employment = input.employment.clone().unwrap_or_else(|| "full_time".into());
    if !matches!(employment.as_str(), "full_time" | "part_time") {
        errors.insert("employment".into(), "用工方式只能是 full_time（专职）或 part_time（兼职）".into());
    }
    match row_in_scope(&state.db, actor, input.area_id).await {
        Ok(a) if AreaKind::parse(&a.kind) == Some(AreaKind::Grid) => {
            errors.insert("area_id".into(), "所属单位应为社区（村）或乡镇，网格请用“分配网格”".into());
        }
        Ok(a) if a.status != "active" => {
            errors.insert("area_id".into(), "所属单位已撤销".into());
        }
        Ok(_) => {}
        Err(_) => {
            errors.insert("area_id".into(), "所属单位不存在或不在您的管辖范围内".into());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    Ok(CheckedStaff { name, phone, position: input.position.clone(), employment, duties })
}

pub async fn create(state: &AppState, actor: &Actor, input: &StaffInput) -> AppResult<StaffOut> {
    actor.require(Permission::ManageStaff)?;
    let c = check_input(state, actor, input).await?;
    let fields = StaffFields {
        area_id: input.area_id,
        name: &c.name,
        phone: &c.phone,
        position: &c.position,
        employment: &c.employment,
        duties: &c.duties,
    };
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, &fields, actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "staff_created",
        "staff",
        id,
        json!({ "name": c.name, "position": c.position, "area_id": input.area_id }),
    )
    .await?;
    tx.commit().await?;
    get(state, actor, id).await
}

pub async fn update(state: &AppState, actor: &Actor, id: i64, input: &StaffInput) -> AppResult<StaffOut> {
    actor.require(Permission::ManageStaff)?;
    let before = get(state, actor, id).await?;
    let version = input.version.ok_or_else(|| AppError::field("version", "缺少版本号"))?;
    let c = check_input(state, actor, input).await?;
    let fields = StaffFields {
        area_id: input.area_id,
        name: &c.name,
        phone: &c.phone,
        position: &c.position,
        employment: &c.employment,
        duties: &c.duties,
    };
    let mut tx = state.db.begin().await?;
    if !store::update(&mut tx, id, version, &fields, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改或人员已离岗，请刷新后重试".into()));
    }
    let old = json!({ "name": before.name, "phone": before.phone, "position": before.position, "employment": before.employment, "duties": before.duties, "area_id": before.area_id });
    let new = json!({ "name": c.name, "phone": c.phone, "position": c.position, "employment": c.employment, "duties": c.duties, "area_id": input.area_id });
    audit::record(&mut tx, &actor.audit(), "staff_updated", "staff", id, audit::changes(&old, &new)).await?;
    tx.commit().await?;
    get(state, actor, id).await
}

/// Stores a new photo (JPEG/PNG/WebP, checked by content) and links it to the staff member.
pub async fn set_photo(state: &AppState, actor: &Actor, id: i64, bytes: &[u8]) -> AppResult<StaffOut> {
    actor.require(Permission::ManageStaff)?;
    let staff = get(state, actor, id).await?;
    let kind = check_photo("photo", bytes, state.config.max_photo_bytes)?;
    let file_id = state.files.put(bytes).await?;
    let result = async {
        let mut tx = state.db.begin().await?;
        let sha = hex::encode(Sha256::digest(bytes));
        store::insert_file(
            &mut tx,
            &file_id,
            "staff_photo",
            kind.content_type(),
            bytes.len() as i64,
            &sha,
            staff.area_id,
            actor.id,
            actor.now,
        )
        .await?;
        store::set_photo(&mut tx, id, &file_id, actor.now).await?;
        audit::record(
            &mut tx,
            &actor.audit(),
            "staff_photo_set",
            "staff",
            id,
            json!({ "file": file_id, "type": kind.content_type(), "size": bytes.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = result {
        state.files.remove(&file_id).await;
        return Err(e);
    }
    get(state, actor, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetireStaff {
    pub version: i64,
}

pub async fn retire(state: &AppState, actor: &Actor, id: i64, input: &RetireStaff) -> AppResult<StaffOut> {
    actor.require(Permission::ManageStaff)?;
    get(state, actor, id).await?;
    let today = state.clock.today().to_string();
    let mut tx = state.db.begin().await?;
    if !store::retire(&mut tx, id, input.version, actor.now).await? {
        return Err(AppError::Conflict("数据已被他人修改或人员已离岗，请刷新后重试".into()));
    }
    let ended = store::end_assignments_of_staff(&mut tx, id, &today).await?;
    audit::record(&mut tx, &actor.audit(), "staff_retired", "staff", id, json!({ "assignments_ended": ended })).await?;
    tx.commit().await?;
    get(state, actor, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub grid_id: i64,
    #[serde(default)]
    pub duty: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
}

pub async fn assign(state: &AppState, actor: &Actor, staff_id: i64, input: &AssignInput) -> AppResult<StaffOut> {
    actor.require(Permission::ManageStaff)?;
    let staff = get(state, actor, staff_id).await?;
    if staff.status != "active" {
        return Err(AppError::Conflict("该人员已离岗".into()));
    }
    let grid = row_in_scope(&state.db, actor, input.grid_id)
        .await
        .map_err(|_| AppError::field("grid_id", "网格不存在或不在您的管辖范围内"))?;
    if grid.kind != "grid" || grid.status != "active" {
        return Err(AppError::field("grid_id", "只能分配到在用的网格"));
    }
    let duty = input.duty.clone().unwrap_or_else(|| "worker".into());
    if !matches!(duty.as_str(), "worker" | "leader") {
        return Err(AppError::field("duty", "职责只能是 worker（网格员）或 leader（网格长）"));
    }
    let start = match input.start_date.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => check_date("start_date", s)?,
        None => state.clock.today(),
    };
    let mut tx = state.db.begin().await?;
    if store::open_assignment_exists(&mut tx, staff_id, grid.id).await? {
        return Err(AppError::Conflict("该人员已在此网格任职".into()));
    }
    let aid =
        store::insert_assignment(&mut tx, staff_id, grid.id, &duty, &start.to_string(), actor.now, actor.id).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "staff_assigned",
        "staff",
        staff_id,
        json!({ "assignment": aid, "grid_id": grid.id, "duty": duty, "start_date": start.to_string() }),
    )
    .await?;
    tx.commit().await?;
    get(state, actor, staff_id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndAssignment {
    #[serde(default)]
    pub end_date: Option<String>,
}

pub async fn end_assignment(
    state: &AppState,
    actor: &Actor,
    staff_id: i64,
    assignment_id: i64,
    input: &EndAssignment,
) -> AppResult<StaffOut> {
    actor.require(Permission::ManageStaff)?;
    get(state, actor, staff_id).await?;
    let end = match input.end_date.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => check_date("end_date", s)?,
        None => state.clock.today(),
    };
    let mut tx = state.db.begin().await?;
    let a = store::assignment(&mut tx, assignment_id)
        .await?
        .filter(|a| a.staff_id == staff_id)
        .ok_or_else(|| AppError::not_found("任职记录"))?;
    if a.end_date.is_some() {
        return Err(AppError::Conflict("该任职已结束".into()));
    }
    if end.to_string() < a.start_date {
        return Err(AppError::field("end_date", "结束日期不能早于开始日期"));
    }
    store::end_assignment(&mut tx, assignment_id, &end.to_string()).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "staff_unassigned",
        "staff",
        staff_id,
        json!({ "assignment": assignment_id, "grid_id": a.grid_id, "end_date": end.to_string() }),
    )
    .await?;
    tx.commit().await?;
    get(state, actor, staff_id).await
}

/// Everyone who served a grid (current first), for the grid page.
pub async fn of_grid(state: &AppState, actor: &Actor, grid_id: i64) -> AppResult<(Vec<StaffOut>, Vec<AssignmentRow>)> {
    row_in_scope(&state.db, actor, grid_id).await?;
    let assignments = store::assignments_of_grid(&state.db, grid_id).await?;
    let mut current = Vec::new();
    for a in assignments.iter().filter(|a| a.end_date.is_none()) {
        if let Some(r) = store::get(&state.db, actor.scope.path(), a.staff_id).await? {
            let mut out = present(vec![r], vec![]).remove(0);
            out.assignments = vec![a.clone()];
            current.push(out);
        }
    }
    Ok((current, assignments))
}
