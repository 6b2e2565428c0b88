//! Pages for staff (with photo and grid assignments), departments and accounts.

mod account_pages;
mod department_pages;
mod staff_pages;

use super::areas;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use account_pages::{
    account_create, account_list, account_lock, account_page, account_reset, account_reset_totp, account_retire,
    account_unlock,
};
use department_pages::{dept_create, dept_edit, dept_edit_page, dept_list};
use serde::Deserialize;
use staff_pages::{
    staff_assign, staff_create, staff_edit, staff_end, staff_list, staff_new, staff_page, staff_photo, staff_retire,
};

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
