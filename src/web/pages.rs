//! Shared page machinery: the layout every page extends, rendering, redirects, error pages, the home page.

use super::routes::{Access, Entry, get};
use crate::auth::{Actor, Permission};
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The signed-in user's part of the header.
#[derive(Clone, Debug)]
pub struct UserNav {
    pub name: String,
    pub role_label: &'static str,
    /// The role's navigation (empty while a password change or second factor is owed).
    pub nav: super::nav::Nav,
}

/// What the base template needs.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub title: String,
    pub user: Option<UserNav>,
    pub csrf: String,
    pub notice: Option<String>,
}

impl Layout {
    pub fn public(title: &str) -> Self {
        Layout { title: title.to_owned(), ..Default::default() }
    }

    pub fn for_actor(a: &Actor, title: &str) -> Self {
        Layout {
            title: title.to_owned(),
            user: Some(UserNav {
                name: a.display_name.clone(),
                role_label: a.role.label(),
                nav: super::nav::for_role(a.role),
            }),
            csrf: a.csrf().to_owned(),
            notice: None,
        }
    }

    /// Shows a one-line notice (after a redirect with `?msg=`).
    pub fn with_notice(mut self, msg: Option<&str>) -> Self {
        self.notice = msg.and_then(notice_text).map(str::to_owned);
        self
    }
}

/// The fixed notices a redirect may ask for.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "已保存",
        "created" => "已新建",
        "moved" => "已移动",
        "retired" => "已撤销（历史记录保留）",
        "password" => "密码已修改；已退出其他登录，访问令牌已全部作废，需要时请重新签发",
        "totp" => "动态口令已启用",
        "revoked" => "令牌已撤销",
        "locked" => "账号已锁定",
        "unlocked" => "账号已解锁",
        "photo" => "照片已更新",
        "assigned" => "已分配到网格",
        "ended" => "任职已结束",
        "totp_reset" => "动态口令已清除，该账号的登录和访问令牌已全部作废；使用人下次登录时需重新设置",
        "special_created" => "特殊人群档案已建立",
        "visited" => "走访已记录",
        "transfer_requested" => "迁入申请已提交，等待原网格确认",
        "transfer_approved" => "已确认迁出，人员已转到新网格",
        "transfer_rejected" => "已拒绝迁移申请",
        _ => return None,
    })
}

/// Renders a template to an HTML answer.
pub fn render(t: &impl Template) -> AppResult<Response> {
    let html = t.render().map_err(|e| crate::error::AppError::Internal(e.into()))?;
    Ok(Html(html).into_response())
}

/// Percent-encodes one query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).map(|e| e[2..].to_owned()).unwrap_or_default()
}

/// The `?msg=` a page takes after a redirect (see `Layout::with_notice`).
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MsgQuery {
    pub msg: Option<String>,
}

/// A refusal a page shows again in place (a form with bad input, a stale version): its status and
/// one Chinese line naming the first bad field. Any other error is handed back to go on up.
pub fn refusal(e: crate::error::AppError) -> Result<(StatusCode, String), crate::error::AppError> {
    use crate::error::AppError;
    match e {
        AppError::Invalid { message, fields } => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            fields.values().next().cloned().map(|m| format!("{message}：{m}")).unwrap_or(message),
        )),
        AppError::Conflict(m) => Ok((StatusCode::CONFLICT, m)),
        other => Err(other),
    }
}

/// `attachment` with an ASCII fallback name and the real (Chinese) name per RFC 6266 / 5987.
pub fn attachment(ascii: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A 303 redirect (after a form post).
pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Layout,
    status: u16,
    body: &'a ErrorBody,
}

/// The friendly Chinese page for an error answer.
pub fn error_page(status: StatusCode, body: &ErrorBody) -> Response {
    let page = ErrorPage { l: Layout::public("出错了"), status: status.as_u16(), body };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, body.message.clone()).into_response(),
    }
}

pub fn routes() -> Vec<Entry> {
    vec![get("/", Access::SignedIn, "首页", home)]
}

/// A big button of the home page: one of the role's daily pages, with its figure where it has one.
struct Tile {
    item: super::nav::Item,
    count: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Layout,
    area: Option<crate::domains::org::areas::AreaOut>,
    counts: Vec<(&'static str, i64)>,
    /// The role's daily pages (the same as the first links of the header).
    tiles: Vec<Tile>,
    /// Unread notifications, shown apart when the notifications are not a daily page.
    unread: Option<i64>,
    /// Field staff: how to put the field app on the phone's home screen.
    field_app: bool,
}

async fn home(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    let area = crate::domains::org::areas::get(&s.db, &a, a.scope.area_id()).await.ok();
    let mut counts = Vec::new();
    if let Some(ar) = &area {
        let path = crate::domains::org::area_store::get(&s.db, a.scope.path(), ar.id)
            .await?
            .map(|r| r.path)
            .unwrap_or_default();
        for (kind, n) in crate::domains::org::area_store::descendant_counts(&s.db, &path).await? {
            let label = crate::domains::org::model::AreaKind::parse(&kind).map(|k| k.label()).unwrap_or("");
            counts.push((label, n));
        }
    }
    let (todo, unread) = if a.can(Permission::ReadEvents) {
        let todo = crate::domains::events::queries::todo(&s, &a, "todo", Some(1), Some(1)).await?.total;
        (Some(todo), Some(crate::domains::events::settings::unread(&s, &a).await?))
    } else {
        (None, None)
    };
    let nav = super::nav::for_role(a.role);
    let tiles: Vec<Tile> = nav
        .daily
        .iter()
        .map(|&item| Tile {
            item,
            count: match item.href {
                "/todo" => todo.map(|n| format!("{n} 件")),
                "/notifications" => unread.filter(|n| *n > 0).map(|n| format!("{n} 条未读")),
                _ => None,
            },
        })
        .collect();
    let unread = unread.filter(|n| *n > 0 && !tiles.iter().any(|t| t.item.href == "/notifications"));
    let field_app = tiles.iter().any(|t| t.item.href == "/field/");
    render(&Home { l: Layout::for_actor(&a, "首页"), area, counts, tiles, unread, field_app })
}
