//! The submissions page: what waits for me (with cards), the list in scope, and sign / return /
//! resend forms for those who may.

use super::model::{self, STATES};
use super::service::{self, ActionInput, ListQuery, SubmissionOut};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, redirect, render, urlencode};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![
        get("/submissions", Access::Perm(Permission::ReadEvents), "特殊人群报送签收", list_page),
        post("/submissions/{id}/actions", Access::Perm(Permission::HandleEvents), "签收、退回或重新报送", act),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    msg: Option<String>,
    /// The submission just acted on (`?msg=signed&done=ID`): the notice says what happened and what is next.
    #[serde(default)]
    done: String,
}

#[derive(Template)]
#[template(path = "submissions/list.html")]
struct ListPage {
    l: Layout,
    todo: Vec<SubmissionOut>,
    list: Page<SubmissionOut>,
    state: String,
    kind: String,
    states: &'static [(&'static str, &'static str)],
    kinds: Vec<(&'static str, &'static str)>,
    prev: Option<String>,
    next: Option<String>,
}

impl ListPage {
    fn summary(&self, s: &SubmissionOut) -> String {
        let p = &s.snapshot["person"];
        let text = |k: &str| p[k].as_str().unwrap_or("").to_owned();
        [text("id_number"), text("phone"), text("address")]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

async fn list_page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<PageQuery>) -> AppResult<Response> {
    let page = opt_i64("page", &q.page)?;
    let lq = ListQuery {
        state: Some(q.state.clone()),
        kind: Some(q.kind.clone()),
        page,
        per_page: Some(20),
        ..Default::default()
    };
    let notice = done_notice(&s, &a, q.msg.as_deref(), &q.done).await?;
    let l = Layout::for_actor(&a, "特殊人群报送签收").with_notice(q.msg.as_deref());
    let todo = service::todo(&s, &a, None, Some(50)).await?.items;
    let list = service::list(&s, &a, &lq).await?;
    let pg = list.page;
    let link = |p: i64| format!("/submissions?state={}&kind={}&page={p}", urlencode(&q.state), urlencode(&q.kind));
    let (prev, next) = (list.has_prev().then(|| link(pg - 1)), list.has_next().then(|| link(pg + 1)));
    render(&ListPage {
        l: Layout { notice: notice.or(l.notice), ..l },
        todo,
        list,
        state: q.state,
        kind: q.kind,
        states: &STATES,
        kinds: model::kinds(),
        prev,
        next,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ActionForm {
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
}

async fn act(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<ActionForm>,
) -> AppResult<Response> {
    let input = ActionInput { action: Some(f.action), note: Some(f.note), version: opt_i64("version", &f.version)? };
    let done = match input.action.as_deref() {
        Some("sign") => "signed",
        Some("return") => "returned",
        _ => "resent",
    };
    service::act(&s, &a, id, &input).await?;
    Ok(redirect(&format!("/submissions?msg={done}&done={id}")))
}

/// The notice after an action: what happened to which submission, who has it now and what comes next.
async fn done_notice(s: &AppState, a: &Actor, msg: Option<&str>, done: &str) -> AppResult<Option<String>> {
    let (Some(msg), Ok(id)) = (msg, done.parse::<i64>()) else { return Ok(None) };
    let d = service::get(s, a, id).await?.submission;
    let what = format!("{}（{} · {}·{}）", d.no, d.person_name, d.kind_label, d.action_label);
    Ok(match (msg, d.state.as_str()) {
        ("signed", "signed") => Some(format!(
            "已签收 {what}，本次报送办结；下一步：{}按{}管理要求跟进，报送人 {} 可在报送列表看到“已签收”。",
            d.department_name, d.kind_label, d.sent_by
        )),
        ("returned", "returned") => Some(format!(
            "已退回 {what}，已通知报送人 {}；下一步：网格按退回原因修改后重新报送，{}再签收。",
            d.sent_by, d.department_name
        )),
        ("resent", "waiting") => Some(format!(
            "已重新报送 {what}，已转交 {}；下一步：等待签收，期限 {}。",
            d.department_name, d.deadline_text
        )),
        _ => None,
    })
}
