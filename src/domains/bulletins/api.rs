//! JSON API and file downloads of the monthly bulletin.

use super::exports;
use super::service::{self, Bulletin, DraftInput, ListQuery, MonthlyQuery, PublishInput};
use super::store::{BulletinRow, RevisionRow};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::pages::attachment;
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const READ: Access = Access::Perm(Permission::ReadSupervision);
const PUBLISH: Access = Access::Perm(Permission::PublishBulletins);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/api/v1/bulletins/monthly", READ, "月度通报（县或乡镇、某月）：正文 text，各节数字 activity、completion、submissions（比率为小数，1.0 即 100%）；已发布的按归档原样返回", monthly)
            .query("area?, month?"),
        get("/api/v1/bulletins/monthly.docx", READ, "月度通报 Word 文件（标题、正文、统计表）", monthly_docx).query("area?, month?"),
        get("/api/v1/bulletins/monthly.xlsx", READ, "月度通报统计表（Excel，每表一个工作表）", monthly_xlsx).query("area?, month?"),
        get("/api/v1/bulletins/monthly/revisions", READ, "通报正文的各次保存记录（新的在前）", revisions).query("area?, month?"),
        post("/api/v1/bulletins/monthly/draft", PUBLISH, "保存修改后的通报正文（草稿；version 为修改前的版本，未保存过为 0）", save_draft)
            .body("area, month, title?, text, version"),
        post("/api/v1/bulletins/monthly/publish", PUBLISH, "发布通报：正文和数字一起归档，此后不再改变（月末以后才能发布）", publish)
            .body("area, month, version"),
        get("/api/v1/bulletins", READ, "已保存的通报（草稿和已发布的归档）", list).query("state?, page?, per_page?"),
    ]
}

async fn monthly(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<MonthlyQuery>,
) -> AppResult<Json<Bulletin>> {
    Ok(Json(service::monthly(&s, &a, &q).await?))
}

fn file(b: &Bulletin, ext: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii = format!("bulletin-{}-{}.{ext}", b.figures.area_id, b.figures.month);
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, attachment(&ascii, &exports::file_name(b, ext))),
        ],
        bytes,
    )
        .into_response()
}

async fn monthly_docx(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<MonthlyQuery>) -> AppResult<Response> {
    let b = service::monthly(&s, &a, &q).await?;
    let bytes = exports::docx(&b, a.now)?;
    Ok(file(&b, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes))
}

async fn monthly_xlsx(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<MonthlyQuery>) -> AppResult<Response> {
    let b = service::monthly(&s, &a, &q).await?;
    let bytes = exports::xlsx(&b)?;
    Ok(file(&b, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes))
}

async fn revisions(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<MonthlyQuery>,
) -> AppResult<Json<Vec<RevisionRow>>> {
    Ok(Json(service::revisions(&s, &a, &q).await?))
}

async fn save_draft(State(s): State<AppState>, a: Actor, ApiJson(i): ApiJson<DraftInput>) -> AppResult<Json<Bulletin>> {
    Ok(Json(service::save_draft(&s, &a, &i).await?))
}

async fn publish(State(s): State<AppState>, a: Actor, ApiJson(i): ApiJson<PublishInput>) -> AppResult<Json<Bulletin>> {
    Ok(Json(service::publish(&s, &a, &i).await?))
}

async fn list(
    State(s): State<AppState>,
    a: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Page<BulletinRow>>> {
    Ok(Json(service::list(&s, &a, &q).await?))
}
