//! Event lists as pages: 待办 / 已办 / 我上报的 (most urgent first, with their cards), the filtered list
//! for centres, and the account's notifications.

use super::pages::{CategoryGroup, category_groups};
use super::queries::{self, EventOut, ListQuery};
use super::settings;
use super::store::NotificationRow;
use super::workflow::STATES;
use crate::auth::{Actor, Permission};
use crate::domains::org::areas::{self, AreaOut, AreaQuery};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, redirect, render, urlencode};
use crate::web::paging::Page;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

/// An event in a list, with whether its step is past its deadline.
pub struct Item {
    pub e: EventOut,
    pub overdue: bool,
}

fn items(page: &Page<EventOut>, now: i64) -> Vec<Item> {
    page.items
        .iter()
        .map(|e| Item { overdue: e.step.is_some() && e.deadline.is_some_and(|d| d <= now), e: e.clone() })
        .collect()
}

/// The previous and next page links of a list whose other parameters are in `base` (ends with `&` or `?`).
pub(super) fn pager<T>(page: &Page<T>, base: &str) -> (Option<String>, Option<String>) {
    (
        page.has_prev().then(|| format!("{base}page={}", page.page - 1)),
        page.has_next().then(|| format!("{base}page={}", page.page + 1)),
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TodoQuery {
    #[serde(default)]
    list: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "events/todo.html")]
struct TodoPage {
    l: Layout,
    list: String,
    tabs: [(&'static str, &'static str); 3],
    page: Page<EventOut>,
    items: Vec<Item>,
    yellow: usize,
    red: usize,
    prev: Option<String>,
    next: Option<String>,
    can_report: bool,
}

pub async fn todo(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<TodoQuery>) -> AppResult<Response> {
    let list = if q.list.is_empty() { "todo".to_owned() } else { q.list };
    let page = queries::todo(&s, &a, &list, opt_i64("page", &q.page)?, Some(20)).await?;
    let (yellow, red) = queries::card_counts(&page.items);
    let (prev, next) = pager(&page, &format!("/todo?list={}&", urlencode(&list)));
    let title = match list.as_str() {
        "done" => "已办",
        "mine" => "我上报的",
        _ => "待办",
    };
    render(&TodoPage {
        l: Layout::for_actor(&a, title),
        items: items(&page, a.now),
        list,
        tabs: [("todo", "待办"), ("done", "已办"), ("mine", "我上报的")],
        page,
        yellow,
        red,
        prev,
        next,
        can_report: a.can(Permission::ReportEvents),
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    card: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct EventsPage {
    l: Layout,
    f: EventsQuery,
    states: Vec<(&'static str, &'static str)>,
    groups: Vec<CategoryGroup>,
    areas: Vec<AreaOut>,
    page: Page<EventOut>,
    items: Vec<Item>,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn events(State(s): State<AppState>, a: Actor, ApiQuery(f): ApiQuery<EventsQuery>) -> AppResult<Response> {
    let overdue = matches!(f.overdue.as_str(), "1" | "true" | "on");
    let q = ListQuery {
        state: Some(f.state.clone()).filter(|x| !x.is_empty()),
        area: opt_i64("area", &f.area)?,
        category: Some(f.category.clone()).filter(|x| !x.is_empty()),
        card: Some(f.card.clone()).filter(|x| !x.is_empty()),
        overdue: overdue.then_some(true),
        q: Some(f.q.clone()).filter(|x| !x.trim().is_empty()),
        from: Some(f.from.clone()).filter(|x| !x.is_empty()),
        to: Some(f.to.clone()).filter(|x| !x.is_empty()),
        page: opt_i64("page", &f.page)?,
        per_page: Some(20),
    };
    let page = queries::list(&s, &a, &q).await?;
    let base = format!(
        "/events?state={}&category={}&card={}&overdue={}&from={}&to={}&area={}&q={}&",
        urlencode(&f.state),
        urlencode(&f.category),
        urlencode(&f.card),
        if overdue { "1" } else { "" },
        urlencode(&f.from),
        urlencode(&f.to),
        urlencode(&f.area),
        urlencode(&f.q)
    );
    let (prev, next) = pager(&page, &base);
    // The areas to filter by: towns and communities of the caller's scope (grids are too many to list).
    let mut area_list = Vec::new();
    if matches!(a.scope, crate::auth::Scope::Area { .. }) {
        for kind in ["town", "community"] {
            let q = AreaQuery { kind: Some(kind.into()), per_page: Some(200), ..Default::default() };
            area_list.extend(areas::list(&s.db, &a, &q).await?.items);
        }
        area_list.sort_by(|x, y| x.code.cmp(&y.code));
    }
    let groups = category_groups(&settings::categories(&s, &a).await?);
    render(&EventsPage {
        l: Layout::for_actor(&a, "事件查询"),
        states: STATES.iter().map(|x| (x.as_str(), x.label())).collect(),
        groups,
        areas: area_list,
        items: items(&page, a.now),
        page,
        prev,
        next,
        f,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    #[serde(default)]
    page: String,
    #[serde(default)]
    msg: Option<String>,
}

#[derive(Template)]
#[template(path = "events/notifications.html")]
struct NotificationsPage {
    l: Layout,
    page: Page<NotificationRow>,
    unread: i64,
    prev: Option<String>,
    next: Option<String>,
}

impl NotificationsPage {
    fn when(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        crate::clock::format_local(*ms.borrow())
    }
}

pub async fn notifications(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<NotificationsQuery>,
) -> AppResult<Response> {
    let page = settings::notifications(&s, &a, opt_i64("page", &q.page)?, Some(30)).await?;
    let unread = settings::unread(&s, &a).await?;
    let (prev, next) = pager(&page, "/notifications?");
    let mut l = Layout::for_actor(&a, "通知");
    if q.msg.as_deref() == Some("read") {
        l.notice = Some("已全部标为已读".into());
    }
    render(&NotificationsPage { l, page, unread, prev, next })
}

pub async fn read_all(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    settings::mark_read(&s, &a).await?;
    Ok(redirect("/notifications?msg=read"))
}
