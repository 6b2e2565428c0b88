//! Routes of Open311 GeoReport v2 under `/open311/v2/` (public; posting needs an API key) in JSON
//! or XML by the path's suffix, and the JSON API that manages the keys.

use super::key_store::KeyRow;
use super::keys::{self, CreatedKey, KeyInput};
use super::model::{self, Format};
use super::render::{Body, failure, respond};
use super::{service, submit};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::meta::RequestMeta;
use crate::web::routes::{Access, Entry, get, post};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::{Extension, Json};

const KEYS: Access = Access::Perm(Permission::ManageOpen311Keys);
const POST_FIELDS: &str = "api_key, service_code, lat?, long?, address_string?, description, media_url?, \
     email?, phone?, first_name?, last_name?, jurisdiction_id?, attribute[code]?";
const LIST_QUERY: &str =
    "service_request_id?, service_code?, start_date?, end_date?, status?, page?, page_size?, jurisdiction_id?";

pub fn routes() -> Vec<Entry> {
    vec![
        get("/open311/v2/services.json", Access::Public, "Open311：可反映的问题类别（JSON）", services_json)
            .query("jurisdiction_id?"),
        get("/open311/v2/services.xml", Access::Public, "Open311：可反映的问题类别（XML）", services_xml)
            .query("jurisdiction_id?"),
        get(
            "/open311/v2/services/{code}",
            Access::Public,
            "Open311：某类别的定义（属性）；地址末尾加 .json 或 .xml",
            definition,
        )
        .query("jurisdiction_id?"),
        post("/open311/v2/requests.json", Access::Public, "Open311：提交一件群众反映（表单，需 api_key）", post_json)
            .body(POST_FIELDS),
        post(
            "/open311/v2/requests.xml",
            Access::Public,
            "Open311：提交一件群众反映（表单，需 api_key；XML）",
            post_xml,
        )
        .body(POST_FIELDS),
        get("/open311/v2/requests.json", Access::Public, "Open311：群众反映列表（JSON）", list_json).query(LIST_QUERY),
        get("/open311/v2/requests.xml", Access::Public, "Open311：群众反映列表（XML）", list_xml).query(LIST_QUERY),
        get(
            "/open311/v2/requests/{id}",
            Access::Public,
            "Open311：一件群众反映的公开状态；地址末尾加 .json 或 .xml",
            one_request,
        )
        .query("jurisdiction_id?"),
        get(
            "/open311/v2/tokens/{id}",
            Access::Public,
            "Open311：由 token 查 service_request_id；地址末尾加 .json 或 .xml",
            token,
        )
        .query("jurisdiction_id?"),
        get("/api/v1/open311/keys", KEYS, "Open311 API 密钥列表（不含密钥本身）", list_keys),
        post("/api/v1/open311/keys", KEYS, "签发 Open311 API 密钥（密钥只显示这一次）", create_key)
            .body("name, owner, rate_per_hour?"),
        post("/api/v1/open311/keys/{id}/revoke", KEYS, "撤销 Open311 API 密钥", revoke_key),
    ]
}

/// The pairs of a query string (`a=1&b=2`); an unreadable one is a 400.
fn pairs_of(q: Option<&str>) -> AppResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(q.unwrap_or(""))
        .map_err(|_| AppError::Invalid { message: "查询参数格式不正确".into(), fields: Default::default() })
}

fn jurisdiction(pairs: &[(String, String)]) -> Option<&str> {
    pairs.iter().rev().find(|(k, _)| k == "jurisdiction_id").map(|(_, v)| v.as_str())
}

/// Runs a read and answers it in the format asked for, errors in the spec's shape.
async fn answer<F>(format: Format, f: F) -> Response
where
    F: Future<Output = AppResult<Body>>,
{
    match f.await {
        Ok(b) => respond(format, StatusCode::OK, &b),
        Err(e) => failure(format, e),
    }
}

async fn services(s: AppState, q: Option<String>, format: Format) -> Response {
    answer(format, async {
        let pairs = pairs_of(q.as_deref())?;
        service::check_jurisdiction(&s, jurisdiction(&pairs)).await?;
        Ok(Body::Services(service::services(&s).await?))
    })
    .await
}
async fn services_json(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    services(s, q, Format::Json).await
}
async fn services_xml(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    services(s, q, Format::Xml).await
}

/// The answer to a `{name}` path segment without `.json` or `.xml`: a 404 in JSON.
fn no_format() -> Response {
    failure(Format::Json, AppError::NotFound("地址应以 .json 或 .xml 结尾".into()))
}

async fn definition(State(s): State<AppState>, Path(name): Path<String>, RawQuery(q): RawQuery) -> Response {
    let Some((code, format)) = Format::split(&name) else { return no_format() };
    answer(format, async {
        let pairs = pairs_of(q.as_deref())?;
        service::check_jurisdiction(&s, jurisdiction(&pairs)).await?;
        Ok(Body::Definition(service::definition(&s, code).await?))
    })
    .await
}

async fn list(s: AppState, q: Option<String>, format: Format) -> Response {
    answer(format, async {
        let pairs = pairs_of(q.as_deref())?;
        service::check_jurisdiction(&s, jurisdiction(&pairs)).await?;
        let query = model::list_query(&pairs, s.clock.now()).map_err(AppError::fields)?;
        Ok(Body::Requests(service::requests(&s, &query).await?))
    })
    .await
}
async fn list_json(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    list(s, q, Format::Json).await
}
async fn list_xml(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    list(s, q, Format::Xml).await
}

async fn one_request(State(s): State<AppState>, Path(name): Path<String>, RawQuery(q): RawQuery) -> Response {
    let Some((id, format)) = Format::split(&name) else { return no_format() };
    answer(format, async {
        let pairs = pairs_of(q.as_deref())?;
        service::check_jurisdiction(&s, jurisdiction(&pairs)).await?;
        Ok(Body::Requests(vec![service::request(&s, id).await?]))
    })
    .await
}

async fn token(State(s): State<AppState>, Path(name): Path<String>, RawQuery(q): RawQuery) -> Response {
    let Some((t, format)) = Format::split(&name) else { return no_format() };
    answer(format, async {
        let pairs = pairs_of(q.as_deref())?;
        service::check_jurisdiction(&s, jurisdiction(&pairs)).await?;
        Ok(Body::Token(service::token(&s, t).await?))
    })
    .await
}

/// A posted request: the form is read first (a body in any other shape is a 400, whatever the
/// key), then the key is admitted and counted, then the request is checked and created.
async fn post_request(s: AppState, meta: RequestMeta, headers: HeaderMap, body: Bytes, format: Format) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let result = async {
        if !form {
            return Err(AppError::Invalid {
                message: "请以表单提交（Content-Type: application/x-www-form-urlencoded），字段见 GeoReport v2".into(),
                fields: Default::default(),
            });
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::Invalid {
                message: "表单内容格式不正确".into(), fields: Default::default()
            })?;
        let raw_key = pairs.iter().rev().find(|(k, _)| k == "api_key").map(|(_, v)| v.as_str());
        let key = keys::admit(&s, raw_key, s.clock.now()).await?;
        service::check_jurisdiction(&s, jurisdiction(&pairs)).await?;
        let posted = model::posted(&pairs).map_err(AppError::fields)?;
        submit::create(&s, &key, &posted, &meta).await
    }
    .await;
    match result {
        Ok(o) => {
            let status = if o.new { StatusCode::CREATED } else { StatusCode::OK };
            respond(format, status, &Body::Created(o.created))
        }
        Err(e) => failure(format, e),
    }
}
async fn post_json(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_request(s, meta, headers, body, Format::Json).await
}
async fn post_xml(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_request(s, meta, headers, body, Format::Xml).await
}

async fn list_keys(State(s): State<AppState>, a: Actor) -> AppResult<Json<Vec<KeyRow>>> {
    Ok(Json(keys::list(&s, &a).await?))
}
async fn create_key(
    State(s): State<AppState>,
    a: Actor,
    ApiJson(i): ApiJson<KeyInput>,
) -> AppResult<(StatusCode, Json<CreatedKey>)> {
    Ok((StatusCode::CREATED, Json(keys::create(&s, &a, &i).await?)))
}
async fn revoke_key(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Json<KeyRow>> {
    Ok(Json(keys::revoke(&s, &a, id).await?))
}
