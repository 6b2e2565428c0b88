//! The huddle page (per community, per day, default today) with its forms, and the printable view.

use super::service::{self, DecisionInput, HoldInput, HuddleView, ItemInput, ViewQuery};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::{opt_i64, urlencode};
use crate::web::pages::{Layout, redirect, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

const READ: Access = Access::AnyOf(&[Permission::ReadSupervision, Permission::RunHuddle]);
const RUN: Access = Access::Perm(Permission::RunHuddle);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/huddles", READ, "日碰头会", page),
        get("/huddles/print", READ, "日碰头会（打印）", print),
        post("/huddles", RUN, "召开碰头会（拉入当天问题）", hold),
        post("/huddles/items", RUN, "会上提出问题", add_item),
        post("/huddles/items/{id}/decisions", RUN, "记录决定和跟进人", decide),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    #[serde(default)]
    community: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    msg: Option<String>,
}

impl PageQuery {
    fn view(&self) -> AppResult<ViewQuery> {
        Ok(ViewQuery {
            community: opt_i64("community", &self.community)?,
            day: Some(self.day.clone()).filter(|d| !d.is_empty()),
        })
    }
}

#[derive(Template)]
#[template(path = "huddles/page.html")]
struct HuddlePage {
    l: Layout,
    h: HuddleView,
    run: bool,
    communities: Vec<(i64, String)>,
    staff: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "huddles/overview.html")]
struct OverviewPage {
    l: Layout,
    day: String,
    groups: Vec<(String, Vec<super::store::CommunityDay>)>,
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<PageQuery>) -> AppResult<Response> {
    if q.community.trim().is_empty() && service::own_community(&s, &a).await?.is_none() {
        let (day, groups) = service::overview(&s, &a, Some(&q.day)).await?;
        return render(&OverviewPage { l: Layout::for_actor(&a, "日碰头会"), day, groups });
    }
    let h = service::view(&s, &a, &q.view()?).await?;
    let c = service::community(&s, &a, Some(h.community_id)).await?;
    let (communities, staff) = service::choices(&s, &a, Some(&c)).await?;
    let notice = match q.msg.as_deref() {
        Some("held") => Some("已召开，问题已拉入议题"),
        Some("added") => Some("问题已加入议题"),
        Some("decided") => Some("决定已记录"),
        _ => None,
    };
    let mut l = Layout::for_actor(&a, "日碰头会");
    l.notice = notice.map(str::to_owned);
    render(&HuddlePage { l, h, run: a.can(Permission::RunHuddle), communities, staff })
}

#[derive(Template)]
#[template(path = "huddles/print.html")]
struct PrintPage {
    h: HuddleView,
}

async fn print(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<PageQuery>) -> AppResult<Response> {
    render(&PrintPage { h: service::view(&s, &a, &q.view()?).await? })
}

fn back(h_community: i64, day: &str, msg: &str) -> Response {
    redirect(&format!("/huddles?community={h_community}&day={}&msg={msg}", urlencode(day)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HoldForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    day: String,
}

async fn hold(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<HoldForm>) -> AppResult<Response> {
    let i = HoldInput { community_id: opt_i64("community_id", &f.community_id)?, day: Some(f.day) };
    let h = service::hold(&s, &a, &i).await?;
    Ok(back(h.community_id, &h.day, "held"))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ItemForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    title: String,
}

async fn add_item(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<ItemForm>) -> AppResult<Response> {
    let i = ItemInput {
        community_id: opt_i64("community_id", &f.community_id)?,
        day: Some(f.day.clone()),
        title: Some(f.title),
        grid_id: None,
    };
    let item = service::add_item(&s, &a, &i).await?;
    Ok(back(item.community_id, &item.first_day, "added"))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DecisionForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    follow_up_staff_id: String,
    #[serde(default)]
    follow_up_name: String,
    #[serde(default)]
    solved: String,
    #[serde(default)]
    version: String,
}

async fn decide(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<DecisionForm>,
) -> AppResult<Response> {
    let i = DecisionInput {
        day: Some(f.day.clone()),
        decision: Some(f.decision),
        follow_up_staff_id: opt_i64("follow_up_staff_id", &f.follow_up_staff_id)?,
        follow_up_account_id: None,
        follow_up_name: Some(f.follow_up_name),
        solved: Some(!f.solved.is_empty()),
        version: opt_i64("version", &f.version)?,
    };
    let item = service::decide(&s, &a, id, &i).await?;
    Ok(back(item.community_id, &f.day, "decided"))
}
