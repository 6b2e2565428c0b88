//! What the house, household, rental and place pages share: the list query, the grid choices, the
//! pager, and the page of a new-record form.

use super::codes::Codes;
use super::forms::{Failure, Form, with_status};
use super::house_store::HouseRow;
use super::houses::{self, ListQuery};
use super::id_number::IdNumber;
use super::persons::{self, PersonOut, PersonQuery};
use crate::auth::Actor;
use crate::domains::org::areas::{self, AreaQuery};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::form::{opt_i64, urlencode};
use crate::web::pages::{Layout, render};
use crate::web::paging::Page;
use askama::Template;
use axum::response::Response;
use serde::Deserialize;

/// `?q=&grid=&house_no=&page=` of a list page (and `msg` after a redirect).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub grid: String,
    #[serde(default)]
    pub house_no: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub msg: Option<String>,
}

impl ListParams {
    pub fn query(&self) -> AppResult<ListQuery> {
        Ok(ListQuery {
            q: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            grid: opt_i64("grid", &self.grid)?,
            house_no: Some(self.house_no.trim().to_owned()).filter(|q| !q.is_empty()),
            page: opt_i64("page", &self.page)?,
            per_page: Some(30),
            ..Default::default()
        })
    }

    /// Links to the previous and next page of the same search.
    pub fn pager<T>(&self, path: &str, list: &Page<T>) -> (Option<String>, Option<String>) {
        let base = format!(
            "{path}?q={}&grid={}&house_no={}",
            urlencode(&self.q),
            urlencode(&self.grid),
            urlencode(&self.house_no)
        );
        (
            list.has_prev().then(|| format!("{base}&page={}", list.page - 1)),
            list.has_next().then(|| format!("{base}&page={}", list.page + 1)),
        )
    }
}

/// The active grids in the caller's scope as `(id, 社区/网格)` choices.
pub async fn grid_choices(s: &AppState, a: &Actor) -> AppResult<Vec<(String, String)>> {
    let list =
        areas::list(&s.db, a, &AreaQuery { kind: Some("grid".into()), per_page: Some(200), ..Default::default() })
            .await?;
    Ok(list
        .items
        .into_iter()
        .map(|g| {
            let label = match g.path.last() {
                Some(parent) => format!("{parent}/{}", g.name),
                None => g.name.clone(),
            };
            (g.id.to_string(), label)
        })
        .collect())
}

/// The house with this number in the caller's scope (forms ask for the number, not the id).
pub async fn house_by_no(s: &AppState, a: &Actor, no: &str) -> AppResult<Option<HouseRow>> {
    let q = ListQuery { house_no: Some(no.trim().to_owned()), per_page: Some(1), ..Default::default() };
    Ok(houses::list_houses(s, a, &q).await?.items.into_iter().next())
}

/// The person with this ID number in the caller's scope, or the error to show (`who`: 户主, 承租人…).
pub async fn person_by_id_number(
    s: &AppState,
    a: &Actor,
    who: &str,
    number: &str,
) -> AppResult<Result<PersonOut, String>> {
    let number = match IdNumber::parse(number) {
        Ok(n) => n,
        Err(m) => return Ok(Err(format!("{who}：{m}"))),
    };
    let q = PersonQuery { q: Some(number.as_str().to_owned()), per_page: Some(2), ..Default::default() };
    let found = persons::search(s, a, &q).await?;
    Ok(match found.items.into_iter().next() {
        Some(p) => Ok(p),
        None => Err(format!("{who}：本辖区没有登记身份证号码为 {} 的人员（请先登记）", number.masked())),
    })
}

/// A code's label, or the code itself when the table does not know it.
pub fn code_label(codes: &Codes, table: &str, code: &str) -> String {
    let l = codes.label(table, code);
    if l.is_empty() { code.to_owned() } else { l }
}

#[derive(Template)]
#[template(path = "registry/record_new.html")]
struct NewPage<'a> {
    l: Layout,
    action: &'a str,
    back: &'a str,
    submit_id: &'a str,
    note: &'a str,
    form: Form,
}

/// The page of a new-record form (fresh, or again after a refusal with the refusal's status).
#[allow(clippy::too_many_arguments)]
pub fn new_page(
    a: &Actor,
    title: &str,
    action: &str,
    back: &str,
    submit_id: &str,
    note: &str,
    form: Form,
    failure: Option<&Failure>,
) -> AppResult<Response> {
    let page = NewPage { l: Layout::for_actor(a, title), action, back, submit_id, note, form };
    Ok(with_status(render(&page)?, failure))
}
