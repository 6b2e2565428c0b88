//! Monthly bulletins: generate from the figures, edit the narrative as a draft (every save kept),
//! publish (text and figures archived unchanged), list the archive.

use super::figures::{self, BulletinFigures};
use super::narrative;
use super::store::{self, BulletinRow, RevisionRow};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Tx;
use crate::domains::activity::model::ReportPeriod;
use crate::domains::activity::service::{self as activity, AreaRef};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyQuery {
    pub area: Option<i64>,
    /// `2026-03` (default: last month).
    pub month: Option<String>,
}

/// A bulletin as shown and exported.
#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
    pub title: String,
    /// `generated` (nothing saved yet), `draft` (text edited, not published) or `published`.
    pub state: &'static str,
    /// The version to send with an edit or the publication (0 before the first save).
    pub version: i64,
    /// The narrative: as edited or published, else as generated.
    pub text: String,
    /// The narrative as the figures would write it now.
    pub generated_text: String,
    pub updated_at: Option<i64>,
    pub updated_by: Option<String>,
    pub published_at: Option<i64>,
    pub published_by: Option<String>,
    #[serde(flatten)]
    pub figures: BulletinFigures,
}

/// What a bulletin is about: an area (county or town) and a month.
struct Target {
    area: AreaRef,
    kind: String,
    period: ReportPeriod,
}

async fn target(state: &AppState, actor: &Actor, area: Option<i64>, month: Option<&str>) -> AppResult<Target> {
    actor.require(Permission::ReadSupervision)?;
    let row = tree::get(&state.db, actor.scope.path(), area.unwrap_or(actor.scope.area_id()))
        .await?
        .ok_or_else(|| AppError::field("area", "区域不存在或不在您的管辖范围内"))?;
    if !matches!(row.kind.as_str(), "county" | "town") {
        return Err(AppError::field("area", "月度通报按县或乡镇（街道）生成，请选择县或乡镇"));
    }
    let today = crate::clock::to_local(actor.now).date_naive();
    let period = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => ReportPeriod::month(m).map_err(|e| AppError::field("month", e))?,
        None => ReportPeriod::month_of(today).previous(),
    };
    if period.first > today {
        return Err(AppError::field("month", "这个月还没有开始，不能生成通报"));
    }
    Ok(Target { area: AreaRef { id: row.id, name: row.name, path: row.path }, kind: row.kind, period })
}

fn title_of(t: &Target) -> String {
    format!("关于{}{}网格化服务管理工作情况的通报", t.area.name, t.period.short_title())
}

async fn generate(state: &AppState, t: &Target) -> AppResult<(BulletinFigures, String)> {
    let s = activity::settings(&state.db).await?;
    let f = figures::gather(&state.db, &t.area, &t.kind, &t.period, &s).await?;
    let text = narrative::write(&f, &t.period.short_title());
    Ok((f, text))
}

fn from_row(row: BulletinRow, figures: BulletinFigures, generated_text: String) -> Bulletin {
    Bulletin {
        title: row.title,
        state: if row.state == "published" { "published" } else { "draft" },
        version: row.version,
        text: row.text,
        generated_text,
        updated_at: Some(row.updated_at),
        updated_by: Some(row.updated_by_name),
        published_at: row.published_at,
        published_by: row.published_by_name,
        figures,
    }
}

/// The bulletin of an area and month: the published one as archived, else the draft's text over
/// today's figures, else freshly generated.
pub async fn monthly(state: &AppState, actor: &Actor, q: &MonthlyQuery) -> AppResult<Bulletin> {
    let t = target(state, actor, q.area, q.month.as_deref()).await?;
    let saved = store::get(&state.db, t.area.id, &t.period.key()).await?;
    if let Some(row) = saved.as_ref().filter(|r| r.state == "published") {
        let figures: BulletinFigures = serde_json::from_str(row.figures.as_deref().unwrap_or("null"))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("published bulletin {}: {e}", row.id)))?;
        let text = row.text.clone();
        return Ok(from_row(row.clone(), figures, text));
    }
    let (figures, generated_text) = generate(state, &t).await?;
    Ok(match saved {
        Some(row) => from_row(row, figures, generated_text),
        None => Bulletin {
            title: title_of(&t),
            state: "generated",
            version: 0,
            text: generated_text.clone(),
            generated_text,
            updated_at: None,
            updated_by: None,
            published_at: None,
            published_by: None,
            figures,
        },
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    pub area: i64,
    pub month: String,
    pub title: Option<String>,
    pub text: String,
    /// The version the edit started from (0 for a bulletin not saved before).
    pub version: i64,
}

fn check_text(title: &str, text: &str) -> AppResult<()> {
    if title.trim().is_empty() {
        return Err(AppError::field("title", "请填写通报标题"));
    }
    if title.chars().count() > 100 {
        return Err(AppError::field("title", "标题最多 100 个字"));
    }
    if text.trim().is_empty() {
        return Err(AppError::field("text", "通报正文不能为空"));
    }
    if text.chars().count() > 20_000 {
        return Err(AppError::field("text", "通报正文最多 20000 个字"));
    }
    Ok(())
}

fn conflict() -> AppError {
    AppError::Conflict("通报已被他人修改或已发布，请刷新后再改".into())
}

/// Saves an edited narrative as the draft (the earlier text stays in the revisions).
pub async fn save_draft(state: &AppState, actor: &Actor, i: &DraftInput) -> AppResult<Bulletin> {
    actor.require(Permission::PublishBulletins)?;
    let t = target(state, actor, Some(i.area), Some(&i.month)).await?;
    let title = i.title.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| title_of(&t));
    let text = i.text.replace("\r\n", "\n");
    check_text(&title, &text)?;
    let month = t.period.key();
    let mut tx = state.db.begin().await?;
    let id = match store::get_tx(&mut tx, t.area.id, &month).await? {
        None if i.version == 0 => store::insert_draft(&mut tx, t.area.id, &month, &title, &text, actor.id, actor.now)
            .await
            .map_err(|e| if crate::db::is_unique_violation(&e) { conflict() } else { e.into() })?,
        Some(row) if row.state == "draft" => {
            if !store::update_draft(&mut tx, row.id, i.version, &title, &text, actor.id, actor.now).await? {
                return Err(conflict());
            }
            row.id
        }
        Some(_) => return Err(AppError::Conflict("该月通报已发布，已归档的通报不能再修改".into())),
        None => return Err(conflict()),
    };
    saved(state, actor, tx, id, "bulletin_draft_save", &t).await
}

/// After a save or the publication: keeps the text as a revision, audits, commits, and answers the
/// bulletin as it now stands.
async fn saved(state: &AppState, actor: &Actor, mut tx: Tx, id: i64, action: &str, t: &Target) -> AppResult<Bulletin> {
    let month = t.period.key();
    store::insert_revision(&mut tx, id, actor.id, actor.now).await?;
    audit::record(&mut tx, &actor.audit(), action, "bulletin", id, json!({ "area_id": t.area.id, "month": month }))
        .await?;
    tx.commit().await?;
    monthly(state, actor, &MonthlyQuery { area: Some(t.area.id), month: Some(month) }).await
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    pub area: i64,
    pub month: String,
    pub version: i64,
}

/// Publishes the bulletin (the draft's text, or the generated one if nobody edited it) with
/// today's figures; afterwards it is archived and never changes.
pub async fn publish(state: &AppState, actor: &Actor, i: &PublishInput) -> AppResult<Bulletin> {
    actor.require(Permission::PublishBulletins)?;
    let t = target(state, actor, Some(i.area), Some(&i.month)).await?;
    let today = crate::clock::to_local(actor.now).date_naive();
    if t.period.end > today {
        return Err(AppError::field("month", "这个月还没有结束，月末以后才能发布该月通报"));
    }
    let (figures, generated) = generate(state, &t).await?;
    let figures_json = serde_json::to_string(&figures).map_err(|e| AppError::Internal(e.into()))?;
    let month = t.period.key();
    let mut tx = state.db.begin().await?;
    let (id, version) = match store::get_tx(&mut tx, t.area.id, &month).await? {
        None if i.version == 0 => {
            (store::insert_draft(&mut tx, t.area.id, &month, &title_of(&t), &generated, actor.id, actor.now).await?, 1)
        }
        Some(row) if row.state == "draft" => (row.id, i.version),
        Some(_) => return Err(AppError::Conflict("该月通报已经发布过了".into())),
        None => return Err(conflict()),
    };
    if !store::publish(&mut tx, id, version, &figures_json, actor.id, actor.now).await? {
        return Err(conflict());
    }
    saved(state, actor, tx, id, "bulletin_publish", &t).await
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub state: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The bulletins saved in the caller's scope (drafts and the published archive).
pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<Page<BulletinRow>> {
    actor.require(Permission::ReadSupervision)?;
    let st = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("draft" | "published")) => Some(s),
        Some(_) => return Err(AppError::field("state", "状态只能是 draft（草稿）或 published（已发布）")),
    };
    Ok(store::list(&state.db, actor.scope.path(), st, Paging::new(q.page, q.per_page)).await?)
}

/// The saved texts of an area's bulletin for a month, newest first.
pub async fn revisions(state: &AppState, actor: &Actor, q: &MonthlyQuery) -> AppResult<Vec<RevisionRow>> {
    let t = target(state, actor, q.area, q.month.as_deref()).await?;
    match store::get(&state.db, t.area.id, &t.period.key()).await? {
        Some(row) => Ok(store::revisions(&state.db, row.id).await?),
        None => Ok(vec![]),
    }
}
