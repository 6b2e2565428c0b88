//! Account pages: the list, creating an account, an account's page, locking, retiring and resets.

use super::{ListQuery, pager, units};
use crate::auth::role::Role;
use crate::auth::{Actor, Permission};
use crate::domains::org::{accounts, areas, departments};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::{opt_i64, urlencode};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::paging::Page;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

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

pub(super) async fn account_list(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(lq): ApiQuery<ListQuery>,
) -> AppResult<Response> {
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
pub(super) struct AccountForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    password: String,
}

pub(super) async fn account_create(
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

pub(super) async fn account_page(
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

pub(super) async fn account_lock(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    accounts::set_status(&s.db, &a, id, "locked").await?;
    Ok(redirect(&format!("/accounts/{id}?msg=locked")))
}

pub(super) async fn account_unlock(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    accounts::set_status(&s.db, &a, id, "active").await?;
    Ok(redirect(&format!("/accounts/{id}?msg=unlocked")))
}

pub(super) async fn account_retire(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    accounts::set_status(&s.db, &a, id, "retired").await?;
    Ok(redirect(&format!("/accounts/{id}?msg=retired")))
}

pub(super) async fn account_reset(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let (new_password, setup_code) = match accounts::reset_password(&s.db, &a, id).await? {
        accounts::ResetOut::Password { initial_password } => (Some(initial_password), None),
        accounts::ResetOut::Code(c) => (None, Some((c.setup_code, crate::clock::format_local(c.expires_at)))),
    };
    let acc = accounts::get(&s.db, &a, id).await?;
    let l = Layout::for_actor(&a, &acc.row.display_name);
    let (can_security, can_manage, can_reset_totp) = (true, false, false);
    render(&AccountPage { l, acc, new_password, setup_code, can_security, can_manage, can_reset_totp })
}

pub(super) async fn account_reset_totp(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    accounts::reset_totp(&s.db, &a, id).await?;
    Ok(redirect(&format!("/accounts/{id}?msg=totp_reset")))
}
