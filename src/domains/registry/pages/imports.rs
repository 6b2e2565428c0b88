//! Ledger and import pages of the register: upload, start an import of a kind, follow its progress.

use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, redirect, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "registry/ledger.html")]
struct LedgerPage {
    l: Layout,
    ledger: crate::domains::registry::ledgers::Ledger,
    kinds: &'static [(&'static str, &'static str)],
    drill: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct LedgerQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area: String,
}

pub(super) async fn ledger(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> AppResult<Response> {
    let kind = if q.kind.is_empty() { "basic".to_owned() } else { q.kind };
    let ledger = crate::domains::registry::ledgers::build(&s, &a, &kind, opt_i64("area", &q.area)?).await?;
    let drill = ledger.rows.iter().any(|r| r.area_id != ledger.area_id);
    render(&LedgerPage {
        l: Layout::for_actor(&a, &ledger.title),
        ledger,
        kinds: &crate::domains::registry::ledgers::KINDS,
        drill,
    })
}

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportPage {
    l: Layout,
    entity: String,
    label: &'static str,
    job: Option<crate::imports::JobRow>,
    running: bool,
}

impl ImportPage {
    /// Where a file of this entity is uploaded (persons keep their own page).
    fn start(&self) -> String {
        if self.entity == "persons" { "/people/import".into() } else { format!("/imports/start/{}", self.entity) }
    }
}

fn import_view(a: &Actor, title: &str, entity: &str, job: Option<crate::imports::JobRow>) -> AppResult<Response> {
    let label = crate::domains::registry::import::entity_label(entity)?;
    let running = job.as_ref().is_some_and(|j| matches!(j.status.as_str(), "queued" | "running"));
    render(&ImportPage { l: Layout::for_actor(a, title), entity: entity.to_owned(), label, job, running })
}

pub(super) async fn import_page(a: Actor) -> AppResult<Response> {
    import_view(&a, "批量导入人员", "persons", None)
}

pub(super) async fn import_upload(
    State(s): State<AppState>,
    a: Actor,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let (name, bytes) = crate::web::extract::read_named_file(mp, "file", crate::excel::MAX_UPLOAD_BYTES).await?;
    let id = crate::domains::registry::import::start_person_import(&s, &a, &name, bytes).await?;
    Ok(redirect(&format!("/imports/{id}")))
}

pub(super) async fn start_page(a: Actor, ApiPath(entity): ApiPath<String>) -> AppResult<Response> {
    let title = format!("批量导入{}", crate::domains::registry::import::entity_label(&entity)?);
    import_view(&a, &title, &entity, None)
}

pub(super) async fn start_upload(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(entity): ApiPath<String>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    crate::domains::registry::import::entity_label(&entity)?;
    let (name, bytes) = crate::web::extract::read_named_file(mp, "file", crate::excel::MAX_UPLOAD_BYTES).await?;
    let id = crate::domains::registry::import::start_import(&s, &a, &entity, &name, bytes).await?;
    Ok(redirect(&format!("/imports/{id}")))
}

pub(super) async fn import_progress(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let job = crate::imports::job(&s, &a, id).await?;
    let entity = job.entity.clone();
    import_view(&a, "导入进度", &entity, Some(job))
}
