//! Staff pages: the list, the form, a person's page with photo, grid assignments and retirement.

use super::{ListQuery, pager, units};
use crate::auth::{Actor, Permission};
use crate::domains::org::model::{EMPLOYMENTS, STAFF_POSITIONS};
use crate::domains::org::{areas, staff};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm, read_file_field};
use crate::web::form::{opt_i64, req_i64, urlencode};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::paging::Page;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "org/staff_list.html")]
struct StaffList {
    l: Layout,
    q: String,
    grid: Option<areas::AreaOut>,
    list: Page<staff::StaffOut>,
    prev: Option<String>,
    next: Option<String>,
    can_manage: bool,
}

pub(super) async fn staff_list(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(lq): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let grid_id = opt_i64("grid", &lq.grid)?;
    let grid = match grid_id {
        Some(g) => Some(areas::get(&s.db, &a, g).await?),
        None => None,
    };
    let q = staff::StaffQuery {
        q: Some(lq.q.clone()),
        area: opt_i64("area", &lq.area)?,
        grid: grid_id,
        page: opt_i64("page", &lq.page)?,
        per_page: Some(50),
        ..Default::default()
    };
    let list = staff::list(&s, &a, &q).await?;
    let (prev, next) = pager(&list, &format!("/staff?q={}&area={}&grid={}", urlencode(&lq.q), lq.area, lq.grid));
    let l = Layout::for_actor(&a, "工作人员").with_notice(lq.msg.as_deref());
    render(&StaffList { l, q: lq.q, grid, list, prev, next, can_manage: a.can(Permission::ManageStaff) })
}

#[derive(Template)]
#[template(path = "org/staff_form.html")]
struct StaffForm {
    l: Layout,
    units: Vec<areas::AreaOut>,
    positions: &'static [(&'static str, &'static str)],
    employments: &'static [(&'static str, &'static str)],
}

pub(super) async fn staff_new(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    let units = units(&s, &a, &["community", "town"]).await?;
    render(&StaffForm {
        l: Layout::for_actor(&a, "新建工作人员"),
        units,
        positions: &STAFF_POSITIONS,
        employments: &EMPLOYMENTS,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StaffFormData {
    #[serde(default)]
    version: String,
    area_id: String,
    name: String,
    phone: String,
    position: String,
    #[serde(default)]
    employment: String,
    #[serde(default)]
    duties: String,
}

impl StaffFormData {
    fn input(self) -> AppResult<staff::StaffInput> {
        Ok(staff::StaffInput {
            version: opt_i64("version", &self.version)?,
            area_id: req_i64("area_id", &self.area_id)?,
            name: self.name,
            phone: self.phone,
            position: self.position,
            employment: Some(self.employment).filter(|e| !e.is_empty()),
            duties: Some(self.duties),
        })
    }
}

pub(super) async fn staff_create(
    State(s): State<AppState>,
    a: Actor,
    PageForm(f): PageForm<StaffFormData>,
) -> AppResult<Response> {
    let created = staff::create(&s, &a, &f.input()?).await?;
    Ok(redirect(&format!("/staff/{}?msg=created", created.id)))
}

#[derive(Template)]
#[template(path = "org/staff.html")]
struct StaffPage {
    l: Layout,
    p: staff::StaffOut,
    can_manage: bool,
    units: Vec<areas::AreaOut>,
    grids: Vec<areas::AreaOut>,
    positions: &'static [(&'static str, &'static str)],
    employments: &'static [(&'static str, &'static str)],
    today: String,
}

pub(super) async fn staff_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(mq): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    let p = staff::get(&s, &a, id).await?;
    let can_manage = a.can(Permission::ManageStaff) && p.status == "active";
    let (units, grids) = if can_manage {
        let grids = areas::list(
            &s.db,
            &a,
            &areas::AreaQuery { kind: Some("grid".into()), per_page: Some(200), ..Default::default() },
        )
        .await?
        .items;
        (units(&s, &a, &["community", "town"]).await?, grids)
    } else {
        (vec![], vec![])
    };
    let l = Layout::for_actor(&a, &p.name).with_notice(mq.msg.as_deref());
    render(&StaffPage {
        l,
        p,
        can_manage,
        units,
        grids,
        positions: &STAFF_POSITIONS,
        employments: &EMPLOYMENTS,
        today: s.clock.today().to_string(),
    })
}

pub(super) async fn staff_edit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<StaffFormData>,
) -> AppResult<Response> {
    staff::update(&s, &a, id, &f.input()?).await?;
    Ok(redirect(&format!("/staff/{id}?msg=saved")))
}

pub(super) async fn staff_photo(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let bytes = read_file_field(mp, "photo", s.config.max_photo_bytes).await?;
    staff::set_photo(&s, &a, id, &bytes).await?;
    Ok(redirect(&format!("/staff/{id}?msg=photo")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AssignForm {
    grid_id: String,
    #[serde(default)]
    duty: String,
    #[serde(default)]
    start_date: String,
}

pub(super) async fn staff_assign(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<AssignForm>,
) -> AppResult<Response> {
    let input = staff::AssignInput {
        grid_id: req_i64("grid_id", &f.grid_id)?,
        duty: Some(f.duty).filter(|d| !d.is_empty()),
        start_date: Some(f.start_date),
    };
    staff::assign(&s, &a, id, &input).await?;
    Ok(redirect(&format!("/staff/{id}?msg=assigned")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EndForm {
    #[serde(default)]
    end_date: String,
}

pub(super) async fn staff_end(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
    PageForm(f): PageForm<EndForm>,
) -> AppResult<Response> {
    staff::end_assignment(&s, &a, id, aid, &staff::EndAssignment { end_date: Some(f.end_date) }).await?;
    Ok(redirect(&format!("/staff/{id}?msg=ended")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionForm {
    version: String,
}

pub(super) async fn staff_retire(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<VersionForm>,
) -> AppResult<Response> {
    staff::retire(&s, &a, id, &staff::RetireStaff { version: req_i64("version", &f.version)? }).await?;
    Ok(redirect(&format!("/staff/{id}?msg=retired")))
}
