//! Department pages: the list, creating and editing a department.

use super::{ListQuery, pager, units};
use crate::auth::{Actor, Permission};
use crate::domains::org::model::DEPARTMENT_KINDS;
use crate::domains::org::{areas, departments};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::{opt_i64, req_i64, urlencode};
use crate::web::pages::{Layout, redirect, render};
use crate::web::paging::Page;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "org/departments.html")]
struct DeptList {
    l: Layout,
    q: String,
    list: Page<departments::DepartmentOut>,
    prev: Option<String>,
    next: Option<String>,
    can_manage: bool,
    units: Vec<areas::AreaOut>,
    kinds: &'static [(&'static str, &'static str)],
}

pub(super) async fn dept_list(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(lq): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let q = departments::DepartmentQuery {
        q: Some(lq.q.clone()),
        area: opt_i64("area", &lq.area)?,
        page: opt_i64("page", &lq.page)?,
        per_page: Some(50),
        ..Default::default()
    };
    let list = departments::list(&s.db, &a, &q).await?;
    let (prev, next) = pager(&list, &format!("/departments?q={}&area={}", urlencode(&lq.q), lq.area));
    let can_manage = a.can(Permission::ManageDepartments);
    let units = if can_manage { units(&s, &a, &["town", "county"]).await? } else { vec![] };
    let l = Layout::for_actor(&a, "职能部门").with_notice(lq.msg.as_deref());
    render(&DeptList { l, q: lq.q, list, prev, next, can_manage, units, kinds: &DEPARTMENT_KINDS })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeptForm {
    #[serde(default)]
    version: String,
    area_id: String,
    kind: String,
    name: String,
    #[serde(default)]
    contact_person: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    address: String,
}

impl DeptForm {
    fn input(self) -> AppResult<departments::DepartmentInput> {
        Ok(departments::DepartmentInput {
            version: opt_i64("version", &self.version)?,
            area_id: req_i64("area_id", &self.area_id)?,
            kind: self.kind,
            name: self.name,
            contact_person: Some(self.contact_person),
            contact_phone: Some(self.contact_phone),
            address: Some(self.address),
        })
    }
}

pub(super) async fn dept_create(
    State(s): State<AppState>,
    a: Actor,
    PageForm(f): PageForm<DeptForm>,
) -> AppResult<Response> {
    departments::create(&s.db, &a, &f.input()?).await?;
    Ok(redirect("/departments?msg=created"))
}

#[derive(Template)]
#[template(path = "org/department_form.html")]
struct DeptEdit {
    l: Layout,
    d: departments::DepartmentOut,
    kinds: &'static [(&'static str, &'static str)],
}

pub(super) async fn dept_edit_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let d = departments::get(&s.db, &a, id).await?;
    render(&DeptEdit { l: Layout::for_actor(&a, "修改职能部门"), d, kinds: &DEPARTMENT_KINDS })
}

pub(super) async fn dept_edit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<DeptForm>,
) -> AppResult<Response> {
    departments::update(&s.db, &a, id, &f.input()?).await?;
    Ok(redirect("/departments?msg=saved"))
}
