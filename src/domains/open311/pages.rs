//! The page where the county centre or the system administrator issues, lists and revokes Open311
//! API keys (a new key is shown once, on the page that answers its creation).

use super::key_store::KeyRow;
use super::keys::{self, CreatedKey, DEFAULT_RATE_PER_HOUR, KeyInput};
use crate::auth::{Actor, Permission};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::pages::{Layout, MsgQuery, redirect, refusal, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

const KEYS: Access = Access::Perm(Permission::ManageOpen311Keys);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/settings/open311", KEYS, "Open311 接入：API 密钥", page),
        post("/settings/open311/keys", KEYS, "签发 Open311 API 密钥", create),
        post("/settings/open311/keys/{id}/revoke", KEYS, "撤销 Open311 API 密钥", revoke),
    ]
}

/// The form as typed (kept when it comes back with an error).
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct KeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    rate_per_hour: String,
}

#[derive(Template)]
#[template(path = "open311/keys.html")]
struct KeysPage {
    l: Layout,
    keys: Vec<KeyRow>,
    created: Option<CreatedKey>,
    form: KeyForm,
    error: Option<String>,
    /// The county's code, the `jurisdiction_id` apps may send.
    jurisdiction: String,
}

impl KeysPage {
    fn when(&self, ms: &i64) -> String {
        format_local(*ms)
    }
    fn when_opt(&self, ms: &Option<i64>) -> String {
        ms.map(format_local).unwrap_or_else(|| "从未使用".into())
    }
}

async fn view(
    s: &AppState,
    a: &Actor,
    notice: Option<&str>,
    created: Option<CreatedKey>,
    form: KeyForm,
    error: Option<String>,
) -> AppResult<Response> {
    let mut l = Layout::for_actor(a, "Open311 接入");
    l.notice = match notice {
        Some("revoked") => Some("API 密钥已撤销，此后用它提交一律拒绝".into()),
        _ => None,
    };
    let keys = keys::list(s, a).await?;
    let jurisdiction = super::store::jurisdiction(&s.db).await?.unwrap_or_default();
    render(&KeysPage { l, keys, created, form, error, jurisdiction })
}

async fn page(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<MsgQuery>) -> AppResult<Response> {
    let form = KeyForm { rate_per_hour: DEFAULT_RATE_PER_HOUR.to_string(), ..Default::default() };
    view(&s, &a, q.msg.as_deref(), None, form, None).await
}

async fn create(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<KeyForm>) -> AppResult<Response> {
    let rate = match f.rate_per_hour.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => Some(0),
        },
    };
    let input = KeyInput { name: f.name.clone(), owner: f.owner.clone(), rate_per_hour: rate };
    match keys::create(&s, &a, &input).await {
        Ok(created) => {
            let form = KeyForm { rate_per_hour: DEFAULT_RATE_PER_HOUR.to_string(), ..Default::default() };
            view(&s, &a, None, Some(created), form, None).await
        }
        Err(e) => {
            let (status, message) = refusal(e)?;
            let page = view(&s, &a, None, None, f, Some(message)).await?;
            Ok((status, page).into_response())
        }
    }
}

async fn revoke(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    keys::revoke(&s, &a, id).await?;
    Ok(redirect("/settings/open311?msg=revoked"))
}
