//! Pages for staff (with photo and grid assignments), departments and accounts.

use super::model::{DEPARTMENT_KINDS, EMPLOYMENTS, STAFF_POSITIONS};
use super::{accounts, areas, departments, staff};
use crate::auth::role::Role;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm, read_file_field};
use crate::web::form::{opt_i64, req_i64, urlencode};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Deserialize;

const VIEW: Access = Access::Perm(Permission::ViewOrg);
const STAFF: Access = Access::Perm(Permission::ManageStaff);
const DEPTS: Access = Access::Perm(Permission::ManageDepartments);
const ACC_VIEW: Access = Access::AnyOf(&[Permission::ManageAccounts, Permission::AccountSecurity]);
const ACC: Access = Access::Perm(Permission::ManageAccounts);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/staff", VIEW, "工作人员列表", staff_list),
        get("/staff/new", STAFF, "新建工作人员表单", staff_new),
        post("/staff", STAFF, "提交新建工作人员", staff_create),
        get("/staff/{id}", VIEW, "工作人员详情", staff_page),
        post("/staff/{id}/edit", STAFF, "提交修改工作人员", staff_edit),
        post("/staff/{id}/photo", STAFF, "上传照片", staff_photo),
        post("/staff/{id}/assign", STAFF, "分配到网格", staff_assign),
        post("/staff/{id}/assignments/{assignment_id}/end", STAFF, "结束网格任职", staff_end),
        post("/staff/{id}/retire", STAFF, "人员离岗", staff_retire),
        get("/departments", VIEW, "职能部门列表", dept_list),
        post("/departments", DEPTS, "提交新建职能部门", dept_create),
        get("/departments/{id}/edit", DEPTS, "修改职能部门表单", dept_edit_page),
        post("/departments/{id}/edit", DEPTS, "提交修改职能部门", dept_edit),
        get("/accounts", ACC_VIEW, "账号列表", account_list),
        post("/accounts", ACC, "提交新建账号", account_create),
        get("/accounts/{id}", ACC_VIEW, "账号详情", account_page),
        post("/accounts/{id}/lock", ACC_VIEW, "锁定账号", account_lock),
        post("/accounts/{id}/unlock", ACC_VIEW, "解锁账号", account_unlock),
        post("/accounts/{id}/retire", ACC, "停用账号", account_retire),
        post("/accounts/{id}/reset-password", ACC_VIEW, "重置密码", account_reset),
        post(
            "/accounts/{id}/reset-totp",
            Access::Perm(Permission::AccountSecurity),
            "清除动态口令",
            account_reset_totp,
        ),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    msg: Option<String>,
}

fn pager<T>(p: &Page<T>, base: &str) -> (Option<String>, Option<String>) {
    (
        p.has_prev().then(|| format!("{base}&page={}", p.page - 1)),
        p.has_next().then(|| format!("{base}&page={}", p.page + 1)),
    )
}

/// Communities and towns in scope, for "home unit" pickers.
async fn units(s: &AppState, a: &Actor, kinds: &[&str]) -> AppResult<Vec<areas::AreaOut>> {
    let mut out = Vec::new();
    for k in kinds {
        out.extend(
            areas::list(
                &s.db,
                a,
                &areas::AreaQuery { kind: Some((*k).into()), per_page: Some(200), ..Default::default() },
            )
            .await?
            .items,
        );
    }
    Ok(out)
}

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

async fn staff_list(State(s): State<AppState>, a: Actor, ApiQuery(lq): ApiQuery<ListQuery>) -> AppResult<Response> {
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

async fn staff_new(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
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
struct StaffFormData {
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

async fn staff_create(
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

async fn staff_page(
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

async fn staff_edit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<StaffFormData>,
) -> AppResult<Response> {
    staff::update(&s, &a, id, &f.input()?).await?;
    Ok(redirect(&format!("/staff/{id}?msg=saved")))
}

async fn staff_photo(
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
struct AssignForm {
    grid_id: String,
    #[serde(default)]
    duty: String,
    #[serde(default)]
    start_date: String,
}

async fn staff_assign(
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
struct EndForm {
    #[serde(default)]
    end_date: String,
}

async fn staff_end(
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
struct VersionForm {
    version: String,
}

async fn staff_retire(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<VersionForm>,
) -> AppResult<Response> {
    staff::retire(&s, &a, id, &staff::RetireStaff { version: req_i64("version", &f.version)? }).await?;
    Ok(redirect(&format!("/staff/{id}?msg=retired")))
}

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

async fn dept_list(State(s): State<AppState>, a: Actor, ApiQuery(lq): ApiQuery<ListQuery>) -> AppResult<Response> {
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
struct DeptForm {
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

async fn dept_create(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<DeptForm>) -> AppResult<Response> {
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

async fn dept_edit_page(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let d = departments::get(&s.db, &a, id).await?;
    render(&DeptEdit { l: Layout::for_actor(&a, "修改职能部门"), d, kinds: &DEPARTMENT_KINDS })
}

async fn dept_edit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<DeptForm>,
) -> AppResult<Response> {
    departments::update(&s.db, &a, id, &f.input()?).await?;
    Ok(redirect("/departments?msg=saved"))
}

#[derive(Template)]
#[template(path = "org/accounts.html")]
struct AccountList {
    l: Layout,
    q: String,
    list: Page<accounts::AccountOut>,
    prev: Option<String>,
    next: Option<String>,
    grantable: Vec<Role>,
    units: Vec<areas::AreaOut>,
    depts: Vec<departments::DepartmentOut>,
    created: Option<(String, String)>,
}

impl AccountList {
    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(crate::clock::format_local).unwrap_or_else(|| "从未".into())
    }
}

async fn account_list(State(s): State<AppState>, a: Actor, ApiQuery(lq): ApiQuery<ListQuery>) -> AppResult<Response> {
    let page = account_list_page(&s, &a, &lq, None).await?;
    render(&page)
}

async fn account_list_page(
    s: &AppState,
    a: &Actor,
    lq: &ListQuery,
    created: Option<(String, String)>,
) -> AppResult<AccountList> {
    let q = accounts::AccountQuery {
        q: Some(lq.q.clone()),
        area: opt_i64("area", &lq.area)?,
        page: opt_i64("page", &lq.page)?,
        per_page: Some(50),
        ..Default::default()
    };
    let list = accounts::list(&s.db, a, &q).await?;
    let (prev, next) = pager(&list, &format!("/accounts?q={}&area={}", urlencode(&lq.q), lq.area));
    let grantable = a.role.grantable().to_vec();
    let (units, depts) = if grantable.is_empty() {
        (vec![], vec![])
    } else {
        let units = units(s, a, &["county", "town", "community", "grid"]).await?;
        let depts =
            departments::list(&s.db, a, &departments::DepartmentQuery { per_page: Some(200), ..Default::default() })
                .await?
                .items;
        (units, depts)
    };
    let l = Layout::for_actor(a, "账号管理").with_notice(lq.msg.as_deref());
    Ok(AccountList { l, q: lq.q.clone(), list, prev, next, grantable, units, depts, created })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    password: String,
}

async fn account_create(
    State(s): State<AppState>,
    a: Actor,
    PageForm(f): PageForm<AccountForm>,
) -> AppResult<Response> {
    // The unit picker sends "a:ID" for an area or "d:ID" for a department.
    let (area_id, department_id) = match f.unit.split_once(':') {
        Some(("a", id)) => (opt_i64("unit", id)?, None),
        Some(("d", id)) => (None, opt_i64("unit", id)?),
        _ => (None, None),
    };
    let input = accounts::NewAccountInput {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        area_id,
        department_id,
        staff_id: None,
        password: Some(f.password).filter(|p| !p.is_empty()),
    };
    let created = accounts::create(&s.db, &a, &input).await?;
    let shown = created.initial_password.unwrap_or_else(|| "（您设定的初始密码）".into());
    let page = account_list_page(&s, &a, &ListQuery::default(), Some((created.account.row.username, shown))).await?;
    render(&page)
}

#[derive(Template)]
#[template(path = "org/account.html")]
struct AccountPage {
    l: Layout,
    acc: accounts::AccountOut,
    new_password: Option<String>,
    /// A one-time setup code and when it expires (an administrator's reset).
    setup_code: Option<(String, String)>,
    can_security: bool,
    can_manage: bool,
    can_reset_totp: bool,
}

impl AccountPage {
    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(crate::clock::format_local).unwrap_or_else(|| "从未".into())
    }
}

async fn account_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(mq): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    let acc = accounts::get(&s.db, &a, id).await?;
    let can_manage = Role::parse(&acc.row.role).is_some_and(|r| a.role.may_grant(r)) && acc.row.id != a.id;
    let can_security = (a.can(Permission::AccountSecurity) || can_manage) && acc.row.id != a.id;
    let l = Layout::for_actor(&a, &acc.row.display_name).with_notice(mq.msg.as_deref());
    let can_reset_totp = a.can(Permission::AccountSecurity) && acc.row.totp_enabled && acc.row.id != a.id;
    render(&AccountPage { l, acc, new_password: None, setup_code: None, can_security, can_manage, can_reset_totp })
}

async fn account_lock(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    accounts::set_status(&s.db, &a, id, "locked").await?;
    Ok(redirect(&format!("/accounts/{id}?msg=locked")))
}

async fn account_unlock(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    accounts::set_status(&s.db, &a, id, "active").await?;
    Ok(redirect(&format!("/accounts/{id}?msg=unlocked")))
}

async fn account_retire(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    accounts::set_status(&s.db, &a, id, "retired").await?;
    Ok(redirect(&format!("/accounts/{id}?msg=retired")))
}

async fn account_reset(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let (new_password, setup_code) = match accounts::reset_password(&s.db, &a, id).await? {
        accounts::ResetOut::Password { initial_password } => (Some(initial_password), None),
        accounts::ResetOut::Code(c) => (None, Some((c.setup_code, crate::clock::format_local(c.expires_at)))),
    };
    let acc = accounts::get(&s.db, &a, id).await?;
    let l = Layout::for_actor(&a, &acc.row.display_name);
    let (can_security, can_manage, can_reset_totp) = (true, false, false);
    render(&AccountPage { l, acc, new_password, setup_code, can_security, can_manage, can_reset_totp })
}

async fn account_reset_totp(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    accounts::reset_totp(&s.db, &a, id).await?;
    Ok(redirect(&format!("/accounts/{id}?msg=totp_reset")))
}
