//! Pages of the caller's own account: sign-in, sign-out, forced password change, second factor, tokens.

use super::login::{self, ChangePassword, LoginInput, NewToken};
use super::{Actor, PRE_CSRF_COOKIE, PendingActor, SESSION_COOKIE, secret, store};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::meta::{CsrfSubmitted, RequestMeta, clear_cookie, cookie, set_cookie};
use crate::web::next_path::same_site;
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Vec<Entry> {
    vec![
        get("/login", Access::Public, "登录页", login_page),
        post("/login", Access::Public, "提交登录", login_submit),
        post("/logout", Access::Pending, "退出登录", logout),
        get("/account", Access::Pending, "我的账号", account_page),
        get("/account/password", Access::Pending, "修改密码页", password_page),
        post("/account/password", Access::Pending, "提交修改密码", password_submit),
        get("/account/totp", Access::Pending, "动态口令设置页", totp_page),
        post("/account/totp/setup", Access::Pending, "生成动态口令密钥", totp_setup),
        post("/account/totp/confirm", Access::Pending, "确认动态口令", totp_confirm),
        post("/account/tokens", Access::SignedIn, "新建访问令牌", token_create),
        post("/account/tokens/{id}/revoke", Access::SignedIn, "撤销访问令牌", token_revoke),
    ]
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    error: Option<String>,
    need_totp: bool,
    /// A demo installation: say where its accounts are listed.
    demo: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    s: &AppState,
    headers: &HeaderMap,
    next: String,
    username: String,
    error: Option<String>,
    need_totp: bool,
) -> AppResult<Response> {
    let (token, fresh) = match cookie(headers, PRE_CSRF_COOKIE) {
        Some(t) if t.len() == 64 => (t, false),
        _ => (secret::random_token(), true),
    };
    let l = Layout { csrf: token.clone(), ..Layout::public("登录") };
    let demo = super::store::is_demo_install(&s.db).await?;
    let mut resp = render(&LoginPage { l, next, username, error: error.clone(), need_totp, demo })?;
    if fresh && let Ok(v) = set_cookie(PRE_CSRF_COOKIE, &token, s.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    if error.is_some() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn login_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<NextQuery>,
) -> AppResult<Response> {
    login_form(&s, &headers, same_site(q.next.as_deref()), String::new(), None, false).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: Option<String>,
    #[serde(default)]
    next: Option<String>,
    /// The window's width in CSS px, sent by `static/app.js` (see `web::device`).
    #[serde(default)]
    viewport: Option<String>,
}

/// Where a sign-in goes: the page asked for, or with none (the start page), a grid worker or 网格长
/// on a phone goes to the field app (`/field/`) and everyone else to the desktop home.
async fn landing(s: &AppState, account_id: i64, next: String, phone: bool) -> AppResult<String> {
    if next != "/" || !phone {
        return Ok(next);
    }
    let role = store::credentials_by_id(&s.db, account_id).await?.and_then(|c| super::Role::parse(&c.role));
    Ok(if matches!(role, Some(super::Role::GridWorker | super::Role::GridLeader)) { "/field/".into() } else { next })
}

async fn login_submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Extension(meta): Extension<RequestMeta>,
    sent: Option<Extension<CsrfSubmitted>>,
    PageForm(f): PageForm<LoginForm>,
) -> AppResult<Response> {
    let expected = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_default();
    let sent = sent.map(|Extension(c)| c.0).unwrap_or_default();
    if expected.is_empty() || !secret::constant_time_eq(&sent, &expected) {
        return Err(AppError::Csrf);
    }
    let next = same_site(f.next.as_deref());
    let input = LoginInput {
        username: f.username.clone(),
        password: f.password,
        totp: f.totp.filter(|t| !t.trim().is_empty()),
    };
    match login::login(&s, &input, &meta).await {
        Ok(session) => {
            let phone = crate::web::device::is_phone(&headers, f.viewport.as_deref());
            let mut resp = redirect(&landing(&s, session.account_id, next, phone).await?);
            let h = resp.headers_mut();
            if let Ok(v) = set_cookie(SESSION_COOKIE, &session.token, s.config.secure_cookies).parse() {
                h.append(header::SET_COOKIE, v);
            }
            if let Ok(v) = clear_cookie(PRE_CSRF_COOKIE).parse() {
                h.append(header::SET_COOKIE, v);
            }
            Ok(resp)
        }
        Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
        Err(e) => {
            let need_totp = matches!(&e, AppError::Invalid { fields, .. } if fields.contains_key("totp"));
            login_form(&s, &headers, next, f.username, Some(e.to_string()), need_totp).await
        }
    }
}

async fn logout(State(s): State<AppState>, PendingActor(a): PendingActor) -> AppResult<Response> {
    login::logout(&s, &a).await?;
    let mut resp = redirect("/login");
    if let Ok(v) = clear_cookie(SESSION_COOKIE).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    // The field app's device cache (IndexedDB, Cache Storage, its service worker) goes with the session.
    resp.headers_mut().insert("clear-site-data", header::HeaderValue::from_static(CLEAR_SITE_DATA));
    Ok(resp)
}

/// Sent with every sign-out: the browser forgets what the field app kept on the device.
pub const CLEAR_SITE_DATA: &str = "\"cache\", \"storage\"";

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    l: Layout,
    a: Actor,
    tokens: Vec<store::TokenRow>,
    new_token: Option<login::CreatedToken>,
    now: i64,
}

impl AccountPage {
    fn when(&self, ms: &i64) -> String {
        crate::clock::format_local(*ms)
    }
}

async fn account_page(
    State(s): State<AppState>,
    PendingActor(a): PendingActor,
    ApiQuery(q): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    if a.must_change_password {
        return Ok(redirect("/account/password"));
    }
    if a.needs_totp_setup {
        return Ok(redirect("/account/totp"));
    }
    let tokens = store::tokens_of(&s.db, a.id).await?;
    let l = Layout::for_actor(&a, "我的账号").with_notice(q.msg.as_deref());
    render(&AccountPage { l, now: a.now, a, tokens, new_token: None })
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    l: Layout,
    forced: bool,
    error: Option<String>,
}

fn password_layout(a: &Actor, title: &str) -> Layout {
    if a.must_change_password || a.needs_totp_setup {
        // Nothing else is reachable yet: show no navigation but keep the sign-out button.
        let mut l = Layout::for_actor(a, title);
        if let Some(u) = l.user.as_mut() {
            u.nav = crate::web::nav::Nav::default();
        }
        l
    } else {
        Layout::for_actor(a, title)
    }
}

async fn password_page(PendingActor(a): PendingActor) -> AppResult<Response> {
    render(&PasswordPage { l: password_layout(&a, "修改密码"), forced: a.must_change_password, error: None })
}

async fn password_submit(
    State(s): State<AppState>,
    PendingActor(a): PendingActor,
    PageForm(f): PageForm<ChangePassword>,
) -> AppResult<Response> {
    match login::change_password(&s, &a, &f).await {
        Ok(()) => Ok(redirect(if a.needs_totp_setup { "/account/totp" } else { "/account?msg=password" })),
        Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
        Err(e) => {
            let mut r = render(&PasswordPage {
                l: password_layout(&a, "修改密码"),
                forced: a.must_change_password,
                error: Some(e.to_string()),
            })?;
            *r.status_mut() = e.status();
            Ok(r)
        }
    }
}

#[derive(Template)]
#[template(path = "auth/totp.html")]
struct TotpPage {
    l: Layout,
    enabled: bool,
    required: bool,
    secret: Option<String>,
    uri: Option<String>,
    error: Option<String>,
}

async fn totp_page(PendingActor(a): PendingActor) -> AppResult<Response> {
    if a.must_change_password {
        return Ok(redirect("/account/password"));
    }
    render(&TotpPage {
        l: password_layout(&a, "动态口令"),
        enabled: a.totp_enabled,
        required: a.needs_totp_setup,
        secret: None,
        uri: None,
        error: None,
    })
}

async fn totp_setup(State(s): State<AppState>, PendingActor(a): PendingActor) -> AppResult<Response> {
    if a.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    let (secret, uri) = login::totp_begin(&s, &a).await?;
    render(&TotpPage {
        l: password_layout(&a, "动态口令"),
        enabled: false,
        required: a.needs_totp_setup,
        secret: Some(secret),
        uri: Some(uri),
        error: None,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeForm {
    code: String,
    #[serde(default)]
    secret: Option<String>,
}

async fn totp_confirm(
    State(s): State<AppState>,
    PendingActor(a): PendingActor,
    PageForm(f): PageForm<CodeForm>,
) -> AppResult<Response> {
    match login::totp_confirm(&s, &a, &f.code).await {
        Ok(()) => Ok(redirect("/account?msg=totp")),
        Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
        Err(e) => {
            let uri = f.secret.as_deref().map(|sec| super::totp::provisioning_uri(sec, &a.username));
            let mut r = render(&TotpPage {
                l: password_layout(&a, "动态口令"),
                enabled: false,
                required: a.needs_totp_setup,
                secret: f.secret,
                uri,
                error: Some(e.to_string()),
            })?;
            *r.status_mut() = e.status();
            Ok(r)
        }
    }
}

async fn token_create(State(s): State<AppState>, a: Actor, PageForm(f): PageForm<NewToken>) -> AppResult<Response> {
    let created = login::create_token(&s, &a, &f).await?;
    let tokens = store::tokens_of(&s.db, a.id).await?;
    render(&AccountPage { l: Layout::for_actor(&a, "我的账号"), now: a.now, a, tokens, new_token: Some(created) })
}

async fn token_revoke(State(s): State<AppState>, a: Actor, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    login::revoke_token(&s, &a, id).await?;
    Ok(redirect("/account?msg=revoked").into_response())
}
