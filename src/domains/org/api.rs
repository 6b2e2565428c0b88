//! JSON API of the organisation: areas, departments, staff, accounts. Thin: parse, call the service, answer.

use super::{accounts, areas, departments, staff};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery, read_file_field};
use crate::web::routes::{Access, Entry, get, patch, post};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

const VIEW: Access = Access::Perm(Permission::ViewOrg);
const AREAS: Access = Access::Perm(Permission::ManageAreas);
const DEPTS: Access = Access::Perm(Permission::ManageDepartments);
const STAFF: Access = Access::Perm(Permission::ManageStaff);
const ACCOUNTS_VIEW: Access = Access::AnyOf(&[Permission::ManageAccounts, Permission::AccountSecurity]);
const ACCOUNTS: Access = Access::Perm(Permission::ManageAccounts);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/api/v1/areas", VIEW, "列出区域（本辖区内）", list_areas)
            .query("parent?, ancestor?, kind?, q?, status?, page?, per_page?"),
        post("/api/v1/areas", AREAS, "新建区域或网格", create_area)
            .body("parent_id, kind, subkind?, code, name, boundary?, households?, area_note?, note?"),
        get("/api/v1/areas/{id}", VIEW, "查看区域", get_area),
        patch("/api/v1/areas/{id}", AREAS, "修改区域", update_area)
            .body("version, name?, subkind?, boundary?, clear_boundary?, households?, area_note?, note?"),
        post("/api/v1/areas/{id}/move", AREAS, "移动区域到新的上级", move_area).body("version, parent_id"),
        post("/api/v1/areas/{id}/retire", AREAS, "撤销区域", retire_area).body("version, reason"),
        get("/api/v1/areas/{id}/history", VIEW, "区域调整历史", area_history),
        get(
            "/api/v1/areas/{id}/boundaries.geojson",
            VIEW,
            "导出区域下全部网格的边界（GeoJSON FeatureCollection，WGS-84；没画边界的网格几何为空）",
            boundaries,
        ),
        get("/api/v1/departments", VIEW, "列出职能部门", list_departments)
            .query("area?, kind?, q?, status?, page?, per_page?"),
        post("/api/v1/departments", DEPTS, "新建职能部门", create_department)
            .body("area_id, kind, name, contact_person?, contact_phone?, address?"),
        get("/api/v1/departments/{id}", VIEW, "查看职能部门", get_department),
        patch("/api/v1/departments/{id}", DEPTS, "修改职能部门", update_department)
            .body("version, area_id, kind, name, contact_person?, contact_phone?, address?"),
        post("/api/v1/departments/{id}/retire", DEPTS, "撤销职能部门", retire_department).body("version"),
        get("/api/v1/staff", VIEW, "列出工作人员", list_staff)
            .query("area?, grid?, position?, q?, status?, page?, per_page?"),
        post("/api/v1/staff", STAFF, "新建工作人员", create_staff)
            .body("area_id, name, phone, position, employment?, duties?"),
        get("/api/v1/staff/{id}", VIEW, "查看工作人员", get_staff),
        patch("/api/v1/staff/{id}", STAFF, "修改工作人员", update_staff)
            .body("version, area_id, name, phone, position, employment?, duties?"),
        post("/api/v1/staff/{id}/retire", STAFF, "工作人员离岗", retire_staff).body("version"),
        post("/api/v1/staff/{id}/photo", STAFF, "上传照片（multipart，字段 photo）", upload_photo),
        post("/api/v1/staff/{id}/assignments", STAFF, "分配到网格", assign_staff).body("grid_id, duty?, start_date?"),
        post("/api/v1/staff/{id}/assignments/{assignment_id}/end", STAFF, "结束网格任职", end_assignment)
            .body("end_date?"),
        get("/api/v1/accounts", ACCOUNTS_VIEW, "列出账号", list_accounts)
            .query("area?, role?, q?, status?, page?, per_page?"),
        post("/api/v1/accounts", ACCOUNTS, "新建账号", create_account)
            .body("username, display_name, role, area_id?, department_id?, staff_id?, password?"),
        get("/api/v1/accounts/{id}", ACCOUNTS_VIEW, "查看账号", get_account),
        patch("/api/v1/accounts/{id}", ACCOUNTS, "修改账号", update_account).body("version, display_name"),
        post("/api/v1/accounts/{id}/lock", ACCOUNTS_VIEW, "锁定账号", lock_account),
        post("/api/v1/accounts/{id}/unlock", ACCOUNTS_VIEW, "解锁账号", unlock_account),
        post("/api/v1/accounts/{id}/retire", ACCOUNTS, "停用账号", retire_account),
        post(
            "/api/v1/accounts/{id}/reset-password",
            ACCOUNTS_VIEW,
            "重置密码（管理员得到一次性设置码，其他管理者得到新的初始密码）",
            reset_password,
        ),
        post(
            "/api/v1/accounts/{id}/activate",
            Access::Perm(Permission::ActivateAccounts),
            "启用管理员建立的账号（须另一位管理员，得到一次性设置码）",
            activate_account,
        ),
        post(
            "/api/v1/accounts/{id}/reset-totp",
            Access::Perm(Permission::AccountSecurity),
            "清除动态口令（手机丢失时）",
            reset_totp,
        ),
    ]
}

type J<T> = AppResult<Json<T>>;

async fn list_areas(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<areas::AreaQuery>) -> J<Value> {
    Ok(Json(json!(areas::list(&s.db, &a, &q).await?)))
}
async fn create_area(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<areas::NewAreaInput>,
) -> AppResult<(StatusCode, Json<areas::AreaOut>)> {
    Ok((StatusCode::CREATED, Json(areas::create(&s.db, &a, &i).await?)))
}
async fn boundaries(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (area, fc) = areas::boundaries(&s.db, &a, id).await?;
    let name = format!("{}-网格边界.geojson", area.name);
    let disposition = crate::web::pages::attachment(&format!("grids-{}.geojson", area.code), &name);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/geo+json".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        fc.to_string(),
    )
        .into_response())
}

async fn get_area(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<areas::AreaOut> {
    Ok(Json(areas::get(&s.db, &a, id).await?))
}
async fn update_area(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<areas::UpdateAreaInput>,
) -> J<areas::AreaOut> {
    Ok(Json(areas::update(&s.db, &a, id, &i).await?))
}
async fn move_area(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<areas::MoveAreaInput>,
) -> J<areas::AreaOut> {
    Ok(Json(areas::move_area(&s.db, &a, id, &i).await?))
}
async fn retire_area(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<areas::RetireInput>,
) -> J<areas::AreaOut> {
    Ok(Json(areas::retire(&s.db, &a, id, &i).await?))
}
async fn area_history(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<Value> {
    areas::row_in_scope(&s.db, &a, id).await?;
    let moves = super::area_store::moves_of(&s.db, id).await?;
    Ok(Json(json!({ "items": moves, "total": moves.len(), "page": 1, "per_page": moves.len().max(1) })))
}

async fn list_departments(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<departments::DepartmentQuery>,
) -> J<Value> {
    Ok(Json(json!(departments::list(&s.db, &a, &q).await?)))
}
async fn create_department(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<departments::DepartmentInput>,
) -> AppResult<(StatusCode, Json<departments::DepartmentOut>)> {
    Ok((StatusCode::CREATED, Json(departments::create(&s.db, &a, &i).await?)))
}
async fn get_department(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> J<departments::DepartmentOut> {
    Ok(Json(departments::get(&s.db, &a, id).await?))
}
async fn update_department(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<departments::DepartmentInput>,
) -> J<departments::DepartmentOut> {
    Ok(Json(departments::update(&s.db, &a, id, &i).await?))
}
async fn retire_department(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<departments::RetireDepartment>,
) -> J<departments::DepartmentOut> {
    Ok(Json(departments::retire(&s.db, &a, id, &i).await?))
}

async fn list_staff(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<staff::StaffQuery>) -> J<Value> {
    Ok(Json(json!(staff::list(&s, &a, &q).await?)))
}
async fn create_staff(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<staff::StaffInput>,
) -> AppResult<(StatusCode, Json<staff::StaffOut>)> {
    Ok((StatusCode::CREATED, Json(staff::create(&s, &a, &i).await?)))
}
async fn get_staff(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<staff::StaffOut> {
    Ok(Json(staff::get(&s, &a, id).await?))
}
async fn update_staff(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<staff::StaffInput>,
) -> J<staff::StaffOut> {
    Ok(Json(staff::update(&s, &a, id, &i).await?))
}
async fn retire_staff(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<staff::RetireStaff>,
) -> J<staff::StaffOut> {
    Ok(Json(staff::retire(&s, &a, id, &i).await?))
}
async fn upload_photo(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    mp: Multipart,
) -> J<staff::StaffOut> {
    let bytes = read_file_field(mp, "photo", s.config.max_photo_bytes).await?;
    Ok(Json(staff::set_photo(&s, &a, id, &bytes).await?))
}
async fn assign_staff(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<staff::AssignInput>,
) -> J<staff::StaffOut> {
    Ok(Json(staff::assign(&s, &a, id, &i).await?))
}
async fn end_assignment(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
    ApiJson(i): ApiJson<staff::EndAssignment>,
) -> J<staff::StaffOut> {
    Ok(Json(staff::end_assignment(&s, &a, id, aid, &i).await?))
}

async fn list_accounts(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<accounts::AccountQuery>) -> J<Value> {
    Ok(Json(json!(accounts::list(&s.db, &a, &q).await?)))
}
async fn create_account(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<accounts::NewAccountInput>,
) -> AppResult<(StatusCode, Json<accounts::CreatedAccount>)> {
    Ok((StatusCode::CREATED, Json(accounts::create(&s.db, &a, &i).await?)))
}
async fn get_account(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<accounts::AccountOut> {
    Ok(Json(accounts::get(&s.db, &a, id).await?))
}
async fn update_account(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<accounts::UpdateAccountInput>,
) -> J<accounts::AccountOut> {
    Ok(Json(accounts::update(&s.db, &a, id, &i).await?))
}
async fn lock_account(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<accounts::AccountOut> {
    Ok(Json(accounts::set_status(&s.db, &a, id, "locked").await?))
}
async fn unlock_account(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<accounts::AccountOut> {
    Ok(Json(accounts::set_status(&s.db, &a, id, "active").await?))
}
async fn retire_account(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<accounts::AccountOut> {
    Ok(Json(accounts::set_status(&s.db, &a, id, "retired").await?))
}
async fn reset_password(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<accounts::ResetOut> {
    Ok(Json(accounts::reset_password(&s.db, &a, id).await?))
}
async fn activate_account(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> J<super::duties::SetupCode> {
    Ok(Json(super::duties::activate(&s.db, &a, id).await?))
}

async fn reset_totp(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<accounts::AccountOut> {
    Ok(Json(accounts::reset_totp(&s.db, &a, id).await?))
}
