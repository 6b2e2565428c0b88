//! Pages of the area tree: browse and search, the area/grid page with its map and staff, and the
//! forms to create, edit, move and retire areas. Also serves staff photos.

use super::areas::{self, AreaOut, AreaQuery, MoveAreaInput, NewAreaInput, RetireInput, UpdateAreaInput};
use super::model::AreaKind;
use super::staff_store::AssignmentRow;
use super::{area_store, departments, map, staff};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::{opt_i64, req_i64, urlencode};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

const VIEW: Access = Access::Perm(Permission::ViewOrg);
const MANAGE: Access = Access::Perm(Permission::ManageAreas);

pub fn routes() -> Vec<Entry> {
    let mut v = vec![
        get("/areas", VIEW, "区域网格浏览与搜索", browse),
        get("/areas/{id}", VIEW, "区域/网格页", area_page),
        get("/areas/{id}/new", MANAGE, "新建下级区域表单", new_child_page),
        post("/areas/{id}/children", MANAGE, "提交新建下级区域", create_child),
        get("/areas/{id}/edit", MANAGE, "修改区域表单", edit_page),
        post("/areas/{id}/edit", MANAGE, "提交修改区域", edit_submit),
        post("/areas/{id}/move", MANAGE, "移动区域", move_submit),
        post("/areas/{id}/retire", MANAGE, "撤销区域", retire_submit),
        get("/files/{id}", VIEW, "查看照片", file),
    ];
    v.extend(super::people_pages::routes());
    v
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BrowseQuery {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "org/browse.html")]
struct Browse {
    l: Layout,
    parent: Option<AreaOut>,
    q: String,
    list: Page<AreaOut>,
    prev: Option<String>,
    next: Option<String>,
}

async fn browse(State(s): State<AppState>, a: Actor, ApiQuery(bq): ApiQuery<BrowseQuery>) -> AppResult<Response> {
    let parent_id = opt_i64("parent", &bq.parent)?;
    let page = opt_i64("page", &bq.page)?;
    let q = bq.q.trim().to_owned();
    let (parent, query) = if !q.is_empty() {
        (None, AreaQuery { q: Some(q.clone()), page, per_page: Some(50), ..Default::default() })
    } else {
        let pid = parent_id.unwrap_or(a.scope.area_id());
        (
            Some(areas::get(&s.db, &a, pid).await?),
            AreaQuery { parent: Some(pid), page, per_page: Some(100), ..Default::default() },
        )
    };
    let list = areas::list(&s.db, &a, &query).await?;
    let link = |p: i64| {
        format!("/areas?parent={}&q={}&page={p}", parent_id.map(|x| x.to_string()).unwrap_or_default(), urlencode(&q))
    };
    let prev = list.has_prev().then(|| link(list.page - 1));
    let next = list.has_next().then(|| link(list.page + 1));
    render(&Browse { l: Layout::for_actor(&a, "区域网格"), parent, q, list, prev, next })
}

#[derive(Template)]
#[template(path = "org/area.html")]
struct AreaPage {
    l: Layout,
    area: AreaOut,
    children: Vec<AreaOut>,
    counts: Vec<(&'static str, i64)>,
    staff: Vec<staff::StaffOut>,
    history: Vec<AssignmentRow>,
    moves: Vec<area_store::MoveRow>,
    departments: Vec<departments::DepartmentOut>,
    outline: Option<map::Outline>,
    can_manage: bool,
    can_manage_staff: bool,
    /// Grid pages: may print the households' contact cards (reads the register's door numbers).
    can_print_cards: bool,
    child_label: &'static str,
    parents: Vec<AreaOut>,
    /// The grids drawn together, their overlap and gap check, map links (see `maps_pages`).
    maps: Option<super::maps_pages::AreaMaps>,
}

impl AreaPage {
    fn when(&self, ms: &i64) -> String {
        crate::clock::format_local(*ms)
    }
}

async fn area_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(mq): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    let area = areas::get(&s.db, &a, id).await?;
    let row = areas::row_in_scope(&s.db, &a, id).await?;
    let kind = AreaKind::parse(&area.kind).unwrap_or(AreaKind::Grid);
    let children = if kind == AreaKind::Grid {
        vec![]
    } else {
        areas::list(&s.db, &a, &AreaQuery { parent: Some(id), per_page: Some(200), ..Default::default() }).await?.items
    };
    let mut counts = Vec::new();
    for (k, n) in area_store::descendant_counts(&s.db, &row.path).await? {
        counts.push((AreaKind::parse(&k).map(AreaKind::label).unwrap_or(""), n));
    }
    let (staff, history) = if kind == AreaKind::Grid { staff::of_grid(&s, &a, id).await? } else { (vec![], vec![]) };
    let departments = if matches!(kind, AreaKind::Town | AreaKind::County) {
        departments::list(
            &s.db,
            &a,
            &departments::DepartmentQuery { area: Some(id), per_page: Some(100), ..Default::default() },
        )
        .await?
        .items
    } else {
        vec![]
    };
    let moves = area_store::moves_of(&s.db, id).await?;
    let outline = area.boundary.as_ref().and_then(map::outline);
    let can_manage = a.can(Permission::ManageAreas) && area.status == "active";
    // Possible new parents for a move: active areas of the parent's kind in scope.
    let parents = match (can_manage, kind.parent_kind()) {
        (true, Some(pk)) if area.parent_id.is_some() => areas::list(
            &s.db,
            &a,
            &AreaQuery { kind: Some(pk.as_str().into()), per_page: Some(200), ..Default::default() },
        )
        .await?
        .items
        .into_iter()
        .filter(|p| Some(p.id) != area.parent_id)
        .collect(),
        _ => vec![],
    };
    let maps = super::maps_pages::area_maps(&s, &a, &area).await?;
    let page = AreaPage {
        maps,
        l: Layout::for_actor(&a, &area.name).with_notice(mq.msg.as_deref()),
        child_label: kind.child_kind().map(AreaKind::label).unwrap_or(""),
        can_manage,
        can_manage_staff: a.can(Permission::ManageStaff),
        can_print_cards: a.can(Permission::ReadRegister),
        area,
        children,
        counts,
        staff,
        history,
        moves,
        departments,
        outline,
        parents,
    };
    Ok(super::maps_pages::allow_tiles(&s, render(&page)?))
}

#[derive(Template)]
#[template(path = "org/area_form.html")]
struct AreaForm {
    l: Layout,
    action: String,
    parent: Option<AreaOut>,
    area: Option<AreaOut>,
    kind_label: &'static str,
    subkinds: &'static [(&'static str, &'static str)],
    code_hint: String,
    boundary_text: String,
}

async fn new_child_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let parent = areas::get(&s.db, &a, id).await?;
    let kind = AreaKind::parse(&parent.kind)
        .and_then(AreaKind::child_kind)
        .ok_or_else(|| AppError::Conflict("网格下不能再建下级".into()))?;
    let code_hint = match kind {
        AreaKind::Town => format!("{}XXX000（12 位）", parent.code),
        AreaKind::Community => format!("{}XXX（12 位）", &parent.code[..9.min(parent.code.len())]),
        _ => format!("{}XXX（社区编码加 2–3 位序号）", parent.code),
    };
    render(&AreaForm {
        l: Layout::for_actor(&a, &format!("新建{}", kind.label())),
        action: format!("/areas/{id}/children"),
        kind_label: kind.label(),
        subkinds: kind.subkinds(),
        parent: Some(parent),
        area: None,
        code_hint,
        boundary_text: String::new(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaFormData {
    #[serde(default)]
    code: String,
    name: String,
    #[serde(default)]
    subkind: String,
    #[serde(default)]
    boundary: String,
    #[serde(default)]
    households: String,
    #[serde(default)]
    area_note: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    clear_boundary: Option<String>,
}

fn parse_boundary(text: &str) -> AppResult<Option<serde_json::Value>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some).map_err(|_| AppError::field("boundary", "边界不是有效的 GeoJSON 文本"))
}

async fn create_child(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<AreaFormData>,
) -> AppResult<Response> {
    let parent = areas::get(&s.db, &a, id).await?;
    let kind = AreaKind::parse(&parent.kind)
        .and_then(AreaKind::child_kind)
        .ok_or_else(|| AppError::Conflict("网格下不能再建下级".into()))?;
    let input = NewAreaInput {
        parent_id: id,
        kind: kind.as_str().into(),
        subkind: Some(f.subkind),
        code: f.code,
        name: f.name,
        boundary: parse_boundary(&f.boundary)?,
        households: opt_i64("households", &f.households)?,
        area_note: Some(f.area_note),
        note: Some(f.note),
    };
    let created = areas::create(&s.db, &a, &input).await?;
    Ok(redirect(&format!("/areas/{}?msg=created", created.id)))
}

async fn edit_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let area = areas::get(&s.db, &a, id).await?;
    let kind = AreaKind::parse(&area.kind).unwrap_or(AreaKind::Grid);
    let boundary_text = area.boundary.as_ref().map(|b| b.to_string()).unwrap_or_default();
    render(&AreaForm {
        l: Layout::for_actor(&a, &format!("修改{}", area.name)),
        action: format!("/areas/{id}/edit"),
        kind_label: kind.label(),
        subkinds: kind.subkinds(),
        parent: None,
        code_hint: String::new(),
        boundary_text,
        area: Some(area),
    })
}

async fn edit_submit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<AreaFormData>,
) -> AppResult<Response> {
    let input = UpdateAreaInput {
        version: req_i64("version", &f.version)?,
        name: Some(f.name),
        subkind: Some(f.subkind),
        boundary: parse_boundary(&f.boundary)?,
        clear_boundary: Some(f.clear_boundary.is_some() || f.boundary.trim().is_empty()),
        households: opt_i64("households", &f.households)?,
        area_note: Some(f.area_note),
        note: Some(f.note),
    };
    areas::update(&s.db, &a, id, &input).await?;
    Ok(redirect(&format!("/areas/{id}?msg=saved")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveForm {
    version: String,
    parent_id: String,
}

async fn move_submit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<MoveForm>,
) -> AppResult<Response> {
    let input =
        MoveAreaInput { version: req_i64("version", &f.version)?, parent_id: req_i64("parent_id", &f.parent_id)? };
    areas::move_area(&s.db, &a, id, &input).await?;
    Ok(redirect(&format!("/areas/{id}?msg=moved")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetireForm {
    version: String,
    #[serde(default)]
    reason: String,
}

async fn retire_submit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<RetireForm>,
) -> AppResult<Response> {
    let input = RetireInput { version: req_i64("version", &f.version)?, reason: Some(f.reason) };
    areas::retire(&s.db, &a, id, &input).await?;
    Ok(redirect(&format!("/areas/{id}?msg=retired")))
}

/// Serves a staff photo to accounts that can see that staff member; never as HTML.
async fn file(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<String>) -> AppResult<Response> {
    let row = super::staff_store::photo_in_scope(&s.db, a.scope.path(), &id)
        .await?
        .ok_or_else(|| AppError::not_found("文件"))?;
    let bytes = s.files.get(&row.id).await?;
    let ct = match row.content_type.as_str() {
        t @ ("image/jpeg" | "image/png" | "image/webp") => t,
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_DISPOSITION, "inline"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}
