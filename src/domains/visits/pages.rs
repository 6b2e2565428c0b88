//! Pages of visits: the joint list with filters (/visits) and the overdue list (/visits/overdue).

use super::api::READ;
use super::model::VISIT_KINDS;
use super::service::{self, OverdueOut, OverdueQuery, VisitOut, VisitQuery};
use crate::auth::Actor;
use crate::domains::org::tree::{self, AreaFilter};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, render, urlencode};
use crate::web::paging::{Page, Paging};
use crate::web::routes::{Entry, get};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![
        get("/visits", READ, "走访记录（走访户和特殊人群走访）", list),
        get("/visits/overdue", READ, "走访逾期清单", overdue),
    ]
}

/// The query of both pages, as the form sends it (empty fields allowed).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    page: String,
}

fn opt(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The caller's own area and its direct children, as `(id, name)` choices.
async fn area_choices(s: &AppState, a: &Actor) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(own) = tree::get(&s.db, a.scope.path(), a.scope.area_id()).await? {
        out.push((own.id.to_string(), format!("{}（全部）", own.name)));
        let children = tree::list(
            &s.db,
            &AreaFilter { scope_path: own.path.clone(), parent: Some(own.id), ..Default::default() },
            Paging::new(Some(1), Some(200)),
        )
        .await?;
        out.extend(children.items.into_iter().map(|c| (c.id.to_string(), c.name)));
    }
    Ok(out)
}

fn pager<T>(base: &str, list: &Page<T>) -> (Option<String>, Option<String>) {
    (
        list.has_prev().then(|| format!("{base}&page={}", list.page - 1)),
        list.has_next().then(|| format!("{base}&page={}", list.page + 1)),
    )
}

#[derive(Template)]
#[template(path = "visits/list.html")]
struct ListPage {
    l: Layout,
    p: Params,
    areas: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    list: Page<VisitOut>,
    prev: Option<String>,
    next: Option<String>,
}

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<Params>) -> AppResult<Response> {
    let q = VisitQuery {
        area: opt_i64("area", &p.area)?,
        from: opt(&p.from),
        to: opt(&p.to),
        kind: opt(&p.kind),
        page: opt_i64("page", &p.page)?,
        per_page: Some(30),
    };
    let list = service::list(&s, &a, &q).await?;
    let base = format!(
        "/visits?area={}&from={}&to={}&kind={}",
        urlencode(&p.area),
        urlencode(&p.from),
        urlencode(&p.to),
        urlencode(&p.kind)
    );
    let (prev, next) = pager(&base, &list);
    let mut kinds: Vec<(&'static str, &'static str)> = VISIT_KINDS.to_vec();
    kinds.push((super::model::SPECIAL, "特殊人群走访"));
    render(&ListPage {
        l: Layout::for_actor(&a, "走访记录"),
        areas: area_choices(&s, &a).await?,
        p,
        kinds,
        list,
        prev,
        next,
    })
}

#[derive(Template)]
#[template(path = "visits/overdue.html")]
struct OverduePage {
    l: Layout,
    p: Params,
    on: String,
    areas: Vec<(String, String)>,
    list: Page<OverdueOut>,
    prev: Option<String>,
    next: Option<String>,
}

async fn overdue(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<Params>) -> AppResult<Response> {
    let q = OverdueQuery {
        area: opt_i64("area", &p.area)?,
        on: opt(&p.on),
        page: opt_i64("page", &p.page)?,
        per_page: Some(30),
    };
    let list = service::overdue(&s, &a, &q).await?;
    let on = q.on.clone().unwrap_or_else(|| crate::clock::to_local(a.now).date_naive().to_string());
    let base = format!("/visits/overdue?area={}&on={}", urlencode(&p.area), urlencode(&on));
    let (prev, next) = pager(&base, &list);
    render(&OverduePage {
        l: Layout::for_actor(&a, "走访逾期"),
        areas: area_choices(&s, &a).await?,
        p,
        on,
        list,
        prev,
        next,
    })
}
