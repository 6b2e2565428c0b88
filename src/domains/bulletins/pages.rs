//! Bulletin pages: pick an area and a month, read and edit the narrative, publish, download the
//! Word file and the workbook, print; the archive of saved bulletins.

use super::docx::Table;
use super::exports;
use super::service::{self, Bulletin, DraftInput, ListQuery, MonthlyQuery, PublishInput};
use super::store::BulletinRow;
use crate::auth::{Actor, Permission};
use crate::domains::org::tree::{self, AreaFilter};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiQuery, PageForm};
use crate::web::pages::{Layout, redirect, refusal, render, urlencode};
use crate::web::paging::Paging;
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    let read = Access::Perm(Permission::ReadSupervision);
    let publish = Access::Perm(Permission::PublishBulletins);
    vec![
        get("/bulletins", read, "月度通报页：选择区域和月份，查看、修改、发布、下载", page),
        get("/bulletins/print", read, "月度通报打印页", print),
        post("/bulletins/draft", publish, "保存通报正文（页面表单）", save_draft),
        post("/bulletins/publish", publish, "发布通报（页面表单）", publish_form),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(default)]
    area: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    msg: String,
}

impl Query {
    fn monthly(&self) -> AppResult<MonthlyQuery> {
        Ok(MonthlyQuery {
            area: crate::web::form::opt_i64("area", &self.area)?,
            month: Some(self.month.clone()).filter(|m| !m.is_empty()),
        })
    }
}

#[derive(Template)]
#[template(path = "bulletins/page.html")]
struct BulletinPage {
    l: Layout,
    b: Bulletin,
    paragraphs: Vec<(bool, String)>,
    tables: Vec<Table>,
    /// The issuing unit and date (落款).
    signature: (String, String),
    areas: Vec<(i64, String)>,
    can_publish: bool,
    archive: Vec<BulletinRow>,
    error: Option<String>,
    draft_text: String,
}

impl BulletinPage {
    fn query(&self) -> String {
        format!("area={}&month={}", self.b.figures.area_id, self.b.figures.month)
    }
    fn state_label(&self) -> &'static str {
        match self.b.state {
            "published" => "已发布（已归档，不再改变）",
            "draft" => "草稿（正文已修改，尚未发布）",
            _ => "系统生成（尚未保存）",
        }
    }
    fn when(&self, t: &Option<i64>) -> String {
        t.map(crate::clock::format_local).unwrap_or_default()
    }
}

/// The county and towns in the caller's scope that bulletins can be made for.
async fn areas(s: &AppState, a: &Actor) -> AppResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    if let Some(own) = tree::get(&s.db, a.scope.path(), a.scope.area_id()).await?
        && matches!(own.kind.as_str(), "county" | "town")
    {
        out.push((own.id, own.name));
    }
    let towns = tree::list(
        &s.db,
        &AreaFilter { scope_path: a.scope.path().to_owned(), kind: Some("town".into()), ..Default::default() },
        Paging::new(Some(1), Some(500)),
    )
    .await?;
    out.extend(towns.items.into_iter().filter(|t| t.id != a.scope.area_id()).map(|t| (t.id, t.name)));
    Ok(out)
}

async fn view(
    s: &AppState,
    a: &Actor,
    q: &MonthlyQuery,
    notice: &str,
    error: Option<String>,
    draft: Option<String>,
) -> AppResult<Response> {
    let b = service::monthly(s, a, q).await?;
    let mut l = Layout::for_actor(a, "月度通报");
    l.notice = match notice {
        "saved" => Some("通报正文已保存为草稿（修改记录保留）".into()),
        "published" => Some("通报已发布并归档".into()),
        _ => None,
    };
    let archive = service::list(s, a, &ListQuery { per_page: Some(24), ..Default::default() }).await?.items;
    render(&BulletinPage {
        l,
        paragraphs: exports::paragraphs(&b.text),
        tables: exports::document_tables(&b),
        signature: exports::signature(&b, a.now),
        areas: areas(s, a).await?,
        can_publish: a.can(Permission::PublishBulletins),
        archive,
        error,
        draft_text: draft.unwrap_or_else(|| b.text.clone()),
        b,
    })
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<Query>) -> AppResult<Response> {
    view(&s, &a, &q.monthly()?, &q.msg, None, None).await
}

#[derive(Template)]
#[template(path = "bulletins/print.html")]
struct PrintPage {
    l: Layout,
    b: Bulletin,
    paragraphs: Vec<(bool, String)>,
    tables: Vec<Table>,
    /// The issuing unit and date (落款).
    signature: (String, String),
}

async fn print(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<Query>) -> AppResult<Response> {
    let b = service::monthly(&s, &a, &q.monthly()?).await?;
    render(&PrintPage {
        l: Layout::for_actor(&a, &b.title),
        paragraphs: exports::paragraphs(&b.text),
        tables: exports::document_tables(&b),
        signature: exports::signature(&b, a.now),
        b,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftForm {
    area: i64,
    month: String,
    #[serde(default)]
    title: String,
    text: String,
    version: i64,
}

fn back(area: i64, month: &str, msg: &str) -> Response {
    redirect(&format!("/bulletins?area={area}&month={}&msg={msg}", urlencode(month)))
}

/// Shows the page again with the refusal (and the text the user typed, so nothing is lost).
async fn refused(s: &AppState, a: &Actor, q: MonthlyQuery, e: AppError, draft: Option<String>) -> AppResult<Response> {
    let (status, message) = refusal(e)?;
    let mut r = view(s, a, &q, "", Some(message), draft).await?;
    *r.status_mut() = status;
    Ok(r.into_response())
}

async fn save_draft(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<DraftForm>) -> AppResult<Response> {
    let input = DraftInput {
        area: f.area,
        month: f.month.clone(),
        title: Some(f.title).filter(|t| !t.trim().is_empty()),
        text: f.text.clone(),
        version: f.version,
    };
    match service::save_draft(&s, &a, &input).await {
        Ok(_) => Ok(back(f.area, &f.month, "saved")),
        Err(e) => refused(&s, &a, MonthlyQuery { area: Some(f.area), month: Some(f.month) }, e, Some(f.text)).await,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishForm {
    area: i64,
    month: String,
    version: i64,
}

async fn publish_form(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<PublishForm>) -> AppResult<Response> {
    let input = PublishInput { area: f.area, month: f.month.clone(), version: f.version };
    match service::publish(&s, &a, &input).await {
        Ok(_) => Ok(back(f.area, &f.month, "published")),
        Err(e) => refused(&s, &a, MonthlyQuery { area: Some(f.area), month: Some(f.month) }, e, None).await,
    }
}
