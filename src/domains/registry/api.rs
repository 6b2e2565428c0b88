//! JSON API of the register: persons (with special-population files and transfers), houses,
//! households, rentals and places. Thin: parse, call the service, answer.

use super::{houses, import, persons, special};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::routes::{Access, Entry, get, patch, post};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

const READ: Access = Access::Perm(Permission::ReadPersonalData);
const EDIT: Access = Access::Perm(Permission::EditRegister);
const REGISTER: Access = Access::Perm(Permission::ReadRegister);
const SPECIAL: Access = Access::Perm(Permission::ReadSpecialFiles);

const PERSON_FIELDS: &str = "kind, name, id_number, grid_id, id_type?, phone?, sex?, birth_date?, former_name?, ethnicity?, native_place?, \
     marital_status?, political_status?, education?, religion?, occupation?, workplace?, house_id?, household_id?, relation_to_head?, \
     registered_address?, address?, extra?, tags?";
const LIST_QUERY: &str = "q?, area?, grid?, status?, house_no?, page?, per_page?";

pub fn routes() -> Vec<Entry> {
    vec![
        get("/api/v1/persons", READ, "检索实有人口（证件号、电话、姓名、拼音首字母、地址）", list_persons)
            .query("q?, area?, grid?, kind?, status?, tag?, house?, household?, sort?, page?, per_page?"),
        post("/api/v1/persons", EDIT, "登记人员", create_person).body(PERSON_FIELDS),
        get("/api/v1/persons/transfers", REGISTER, "迁移申请（迁入/迁出本辖区）", list_transfers).query("status?"),
        post("/api/v1/persons/transfers", EDIT, "申请把已在别处登记的人迁入本网格", request_transfer).body("id_number, grid_id, reason, id_type?"),
        post("/api/v1/persons/transfers/{id}/approve", EDIT, "原网格确认迁出", approve_transfer).body("note?"),
        post("/api/v1/persons/transfers/{id}/reject", EDIT, "原网格拒绝迁出", reject_transfer).body("note"),
        get("/api/v1/persons/{id}", READ, "查看人员（默认脱敏；?unmask=true&reason=… 显示完整号码）", get_person).query("unmask?, reason?"),
        patch("/api/v1/persons/{id}", EDIT, "修改人员信息", update_person).body(PERSON_PATCH),
        post("/api/v1/persons/{id}/status", EDIT, "迁出、死亡、离开或迁回", person_status).body("version, status, date, reason"),
        post("/api/v1/persons/{id}/delete", Access::Perm(Permission::DeleteRecords), "删除误录人员（需原因）", delete_person).body("version, reason"),
        get("/api/v1/persons/{id}/history", READ, "人员修改历史", person_history),
        get("/api/v1/persons/{id}/special", SPECIAL, "特殊人群档案", list_special),
        post("/api/v1/persons/{id}/special", EDIT, "建立特殊人群档案", create_special).body("kind, data, next_visit_due?"),
        post("/api/v1/persons/{id}/special/{file_id}/visits", EDIT, "记录走访", visit_special).body("visited_on, note, next_visit_due?"),
        get("/api/v1/persons/export.xlsx", READ, "导出人员（Excel；默认脱敏，导出记录在案）", export_xlsx)
            .query("q?, area?, grid?, kind?, status?, tag?, unmask?, reason?"),
        get("/api/v1/persons/export.csv", READ, "导出人员（CSV；默认脱敏，导出记录在案）", export_csv)
            .query("q?, area?, grid?, kind?, status?, tag?, unmask?, reason?"),
        get("/api/v1/imports/{id}/template.xlsx", EDIT, IMPORT_TEMPLATE, template),
        post("/api/v1/imports/{id}", EDIT, IMPORT_UPLOAD, start_import),
        get("/api/v1/imports/{id}", EDIT, "导入任务进度：status、total、imported、failed、error_file", import_job),
        get("/api/v1/imports/{id}/errors.xlsx", EDIT, "下载导入错误清单", import_errors),
        get("/api/v1/ledgers/{kind}", REGISTER, "台账：basic（基本群体）、special（特殊群体）、floating（流动群体），按下级区域汇总", ledger)
            .query("area?"),
        get("/api/v1/ledgers/{kind}/export.xlsx", REGISTER, "台账导出 Excel", ledger_xlsx).query("area?"),
        get("/api/v1/houses", REGISTER, "实有房屋", list_houses).query(LIST_QUERY),
        post("/api/v1/houses", EDIT, "登记房屋", create_house).body("grid_id, house_no, house_use, road?, building?, unit?, room?, address?, floor_area?, owner_name?, owner_id_number?, owner_phone?, hazard?, lon?, lat?"),
        get("/api/v1/houses/{id}", REGISTER, "查看房屋", get_house),
        patch("/api/v1/houses/{id}", EDIT, "修改房屋", update_house).body("version, house_no?, house_use?, road?, building?, unit?, room?, address?, floor_area?, owner_name?, owner_id_number?, owner_phone?, hazard?, lon?, lat?"),
        get("/api/v1/households", REGISTER, "户", list_households).query(LIST_QUERY),
        post("/api/v1/households", EDIT, "登记户", create_household).body("grid_id, household_no, house_id?, address?, head_person_id?"),
        get("/api/v1/households/{id}", REGISTER, "查看户", get_household),
        patch("/api/v1/households/{id}", EDIT, "修改户", update_household).body("version, household_no?, house_id?, address?, head_person_id?"),
        get("/api/v1/rentals", REGISTER, "出租房屋", list_rentals).query(LIST_QUERY),
        post("/api/v1/rentals", EDIT, "登记出租房屋", create_rental).body("house_id, landlord_name, start_date, rental_use, landlord_phone?, end_date?, police_registered?, tenant_ids?"),
        get("/api/v1/rentals/{id}", REGISTER, "查看出租房屋", get_rental),
        patch("/api/v1/rentals/{id}", EDIT, "修改出租房屋", update_rental).body("version, house_id?, landlord_name?, start_date?, rental_use?, landlord_phone?, end_date?, police_registered?, tenant_ids?"),
        get("/api/v1/places", REGISTER, "重点场所", list_places).query(LIST_QUERY),
        post("/api/v1/places", EDIT, "登记重点场所", create_place).body("grid_id, name, place_type, safety_person, contact_phone, address, credit_code?, legal_person?, lon?, lat?"),
        get("/api/v1/places/{id}", REGISTER, "查看重点场所", get_place),
        patch("/api/v1/places/{id}", EDIT, "修改重点场所", update_place).body("version, name?, place_type?, safety_person?, contact_phone?, address?, credit_code?, legal_person?, lon?, lat?"),
    ]
}

const PERSON_PATCH: &str = "version, kind?, name?, id_number?, id_type?, phone?, sex?, birth_date?, former_name?, ethnicity?, native_place?, \
     marital_status?, political_status?, education?, religion?, occupation?, workplace?, house_id?, household_id?, relation_to_head?, \
     registered_address?, address?, extra?, tags?";

const IMPORT_TEMPLATE: &str =
    "下载导入模板（{id} 为 persons 人员、houses 房屋、households 户、rentals 出租房屋或 places 重点场所）";
const IMPORT_UPLOAD: &str =
    "上传 .xlsx 导入（{id} 为 persons、houses、households、rentals 或 places；multipart 字段 file）→ {id}";

type J<T> = AppResult<Json<T>>;

async fn list_persons(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<persons::PersonQuery>) -> J<Value> {
    Ok(Json(json!(persons::search(&s, &a, &q).await?)))
}
async fn create_person(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<persons::PersonInput>,
) -> AppResult<(StatusCode, Json<persons::PersonOut>)> {
    Ok((StatusCode::CREATED, Json(persons::create(&s, &a, &i).await?)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct UnmaskQuery {
    unmask: Option<bool>,
    reason: Option<String>,
}

async fn get_person(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<UnmaskQuery>,
) -> J<persons::PersonOut> {
    let unmask = match (q.unmask.unwrap_or(false), q.reason.as_deref()) {
        (false, _) => None,
        (true, Some(r)) => Some(r),
        (true, None) => return Err(AppError::field("reason", "显示完整号码需要填写查看原因")),
    };
    Ok(Json(persons::get(&s, &a, id, unmask).await?))
}
async fn update_person(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<persons::PersonInput>,
) -> J<persons::PersonOut> {
    Ok(Json(persons::update(&s, &a, id, &i).await?))
}
async fn person_status(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<persons::StatusInput>,
) -> J<persons::PersonOut> {
    Ok(Json(persons::change_status(&s, &a, id, &i).await?))
}
async fn delete_person(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<persons::DeleteInput>,
) -> AppResult<StatusCode> {
    persons::delete(&s, &a, id, &i).await?;
    Ok(StatusCode::NO_CONTENT)
}
async fn person_history(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<Value> {
    let items = persons::history(&s, &a, id).await?;
    let n = items.len();
    Ok(Json(json!({ "items": items, "total": n, "page": 1, "per_page": n.max(1) })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StatusQuery {
    status: Option<String>,
}

async fn list_transfers(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<StatusQuery>) -> J<Value> {
    let items = persons::transfers(&s, &a, q.status.as_deref().filter(|s| !s.is_empty())).await?;
    let n = items.len();
    Ok(Json(json!({ "items": items, "total": n, "page": 1, "per_page": n.max(1) })))
}
async fn request_transfer(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<persons::TransferInput>,
) -> AppResult<(StatusCode, Json<Value>)> {
    Ok((StatusCode::CREATED, Json(json!(persons::request_transfer(&s, &a, &i).await?))))
}
async fn approve_transfer(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<persons::DecisionInput>,
) -> J<Value> {
    Ok(Json(json!(persons::decide_transfer(&s, &a, id, true, &i).await?)))
}
async fn reject_transfer(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<persons::DecisionInput>,
) -> J<Value> {
    Ok(Json(json!(persons::decide_transfer(&s, &a, id, false, &i).await?)))
}

async fn list_special(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<Value> {
    let items = special::list(&s, &a, id).await?;
    let n = items.len();
    Ok(Json(json!({ "items": items, "total": n, "page": 1, "per_page": n.max(1) })))
}
async fn create_special(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<special::SpecialInput>,
) -> AppResult<(StatusCode, Json<special::SpecialOut>)> {
    Ok((StatusCode::CREATED, Json(special::create(&s, &a, id, &i).await?)))
}
async fn visit_special(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, fid)): ApiPath<(i64, i64)>,
    ApiJson(i): ApiJson<special::VisitInput>,
) -> J<special::SpecialOut> {
    Ok(Json(special::visit(&s, &a, id, fid, &i).await?))
}

macro_rules! crud {
    ($list:ident, $create:ident, $get:ident, $update:ident, $input:ty, $svc_list:path, $svc_create:path, $svc_get:path, $svc_update:path) => {
        async fn $list(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<houses::ListQuery>) -> J<Value> {
            Ok(Json(json!($svc_list(&s, &a, &q).await?)))
        }
        async fn $create(
            State(s): State<AppState>,
            a: Actor,
            ApiJson(i): ApiJson<$input>,
        ) -> AppResult<(StatusCode, Json<Value>)> {
            Ok((StatusCode::CREATED, Json(json!($svc_create(&s, &a, &i).await?))))
        }
        async fn $get(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<Value> {
            Ok(Json(json!($svc_get(&s, &a, id).await?)))
        }
        async fn $update(
            State(s): State<AppState>,
            a: Actor,
            ApiPath(id): ApiPath<i64>,
            ApiJson(i): ApiJson<$input>,
        ) -> J<Value> {
            Ok(Json(json!($svc_update(&s, &a, id, &i).await?)))
        }
    };
}

crud!(
    list_houses,
    create_house,
    get_house,
    update_house,
    houses::HouseInput,
    houses::list_houses,
    houses::create_house,
    houses::get_house,
    houses::update_house
);
crud!(
    list_households,
    create_household,
    get_household,
    update_household,
    houses::HouseholdInput,
    houses::list_households,
    houses::create_household,
    houses::get_household,
    houses::update_household
);
crud!(
    list_rentals,
    create_rental,
    get_rental,
    update_rental,
    houses::RentalInput,
    houses::list_rentals,
    houses::create_rental,
    houses::get_rental,
    houses::update_rental
);
crud!(
    list_places,
    create_place,
    get_place,
    update_place,
    houses::PlaceInput,
    houses::list_places,
    houses::create_place,
    houses::get_place,
    houses::update_place
);

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    q: Option<String>,
    area: Option<i64>,
    grid: Option<i64>,
    kind: Option<String>,
    status: Option<String>,
    tag: Option<String>,
    unmask: Option<bool>,
    reason: Option<String>,
}

async fn export(s: &AppState, a: &Actor, e: ExportQuery, csv: bool) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let q = persons::PersonQuery {
        q: e.q,
        area: e.area,
        grid: e.grid,
        kind: e.kind,
        status: e.status,
        tag: e.tag,
        ..Default::default()
    };
    let reason = match (e.unmask.unwrap_or(false), e.reason) {
        (false, _) => None,
        (true, Some(r)) => Some(r),
        (true, None) => return Err(AppError::field("reason", "导出完整号码需要填写原因")),
    };
    let bytes = super::export::export(s, a, &q, reason.as_deref(), csv).await?;
    let (ct, name) = if csv { ("text/csv; charset=utf-8", "persons.csv") } else { (XLSX, "persons.xlsx") };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, ct.to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn export_xlsx(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(e): ApiQuery<ExportQuery>,
) -> AppResult<axum::response::Response> {
    export(&s, &a, e, false).await
}
async fn export_csv(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(e): ApiQuery<ExportQuery>,
) -> AppResult<axum::response::Response> {
    export(&s, &a, e, true).await
}

async fn template(
    State(s): State<AppState>,
    _a: Actor,
    ApiPath(e): ApiPath<String>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let bytes = import::template(&e, &super::codes::Codes::load(&s.db).await?)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, XLSX.to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{e}-template.xlsx\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn start_import(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(e): ApiPath<String>,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<Value>)> {
    import::entity_label(&e)?;
    let (name, bytes) = crate::web::extract::read_named_file(mp, "file", crate::excel::MAX_UPLOAD_BYTES).await?;
    let id = import::start_import(&s, &a, &e, &name, bytes).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id }))))
}

async fn import_job(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> J<Value> {
    let j = crate::imports::job(&s, &a, id).await?;
    let link = j.error_file_id.as_ref().map(|_| format!("/api/v1/imports/{}/errors.xlsx", j.id));
    let mut v = json!(j);
    v["error_file"] = json!(link);
    Ok(Json(v))
}

async fn import_errors(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let bytes = crate::imports::error_file(&s, &a, id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, XLSX),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"import-errors.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AreaQuery {
    area: Option<i64>,
}

async fn ledger(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<AreaQuery>,
) -> J<super::ledgers::Ledger> {
    Ok(Json(super::ledgers::build(&s, &a, &kind, q.area).await?))
}

async fn ledger_xlsx(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<AreaQuery>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let (_, bytes) = super::ledgers::xlsx(&s, &a, &kind, q.area).await?;
    let name = format!("ledger-{kind}.xlsx");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, XLSX.to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
