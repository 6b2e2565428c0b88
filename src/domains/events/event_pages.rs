//! The event page: its fields and description, photos, links, supervision, the whole timeline with
//! each step's time against its limit, and one small form per action the caller may take now.
//! A refused action (409) or a bad form (422) shows the page again with the Chinese reason.

use super::model::{DETAIL_PARTS, MEDIATION_METHODS, label_of};
use super::pages::{MixedForm, with_status};
use super::queries::{self, EventDetail, TargetOption};
use super::service::{self, ActionInput, Target};
use super::workflow::{Action, RULES, State};
use crate::auth::{Actor, Permission};
use crate::domains::org::areas::{self, AreaOut, AreaQuery};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::opt_i64;
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use askama::Template;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

/// One action's form: what it asks for.
pub struct ActionForm {
    pub code: &'static str,
    pub label: &'static str,
    /// The note is required (otherwise offered, optional).
    pub note_required: bool,
    pub target: bool,
    pub days: bool,
    pub satisfaction: bool,
    pub merge_into: bool,
    /// Photos may be added (handling and verification on site).
    pub photos: bool,
    /// Needs nothing at all: a single button.
    pub simple: bool,
    /// Sends the event away or ends it: asks for confirmation.
    pub confirm: bool,
}

fn action_form(action: Action, state: State) -> ActionForm {
    let needs =
        RULES.iter().find(|r| r.action == action && r.from.contains(&state)).map(|r| r.needs).unwrap_or_default();
    let photos = matches!(action, Action::Complete | Action::Verify | Action::Reopen);
    ActionForm {
        code: action.as_str(),
        label: action.label(),
        note_required: needs.note,
        target: needs.target,
        days: needs.days,
        satisfaction: needs.satisfaction,
        merge_into: needs.merge_into,
        photos,
        simple: !needs.note && !needs.target && !needs.days && !needs.satisfaction && !needs.merge_into && !photos,
        confirm: matches!(action, Action::Cancel | Action::Merge | Action::Return | Action::Close),
    }
}

pub struct PhotoView {
    pub url: String,
    pub stage: &'static str,
}

pub struct SupervisionView {
    pub level: &'static str,
    pub note: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "events/event.html")]
struct EventPage {
    l: Layout,
    d: EventDetail,
    forms: Vec<ActionForm>,
    targets: Vec<TargetOption>,
    /// Grids to put an event that waits for one (empty unless it waits and the caller may handle it).
    grids: Vec<AreaOut>,
    error: Option<String>,
    errors: FieldErrors,
    /// The action whose form came back with errors (kept open).
    failed: String,
    parts: Vec<(&'static str, String)>,
    photos: Vec<PhotoView>,
    links: Vec<(String, String, Option<String>)>,
    supervisions: Vec<SupervisionView>,
    overdue: bool,
    severity: &'static str,
}

impl EventPage {
    fn state_label(&self, s: impl AsRef<str>) -> &'static str {
        State::parse(s.as_ref()).map(State::label).unwrap_or("")
    }
    fn when(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        crate::clock::format_local(*ms.borrow())
    }
}

fn text_of(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())
}

/// The labelled parts of the structured description, with the mediation fields of disputes.
fn parts_of(details: &Value) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = DETAIL_PARTS
        .iter()
        .filter_map(|(k, label)| details.get(*k).map(|v| (*label, text_of(v))))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    if let Some(p) = details.get("parties") {
        out.push(("当事人", text_of(p)));
    }
    if let Some(m) = details.get("mediation_method").and_then(Value::as_str) {
        out.push(("调解方式", label_of(&MEDIATION_METHODS, m).to_owned()));
    }
    if let Some(o) = details.get("mediation_outcome") {
        out.push(("调解情况", text_of(o)));
    }
    out
}

/// Renders the event page, optionally with a refusal or the errors of one action's form.
async fn event_view(
    s: &AppState,
    a: &Actor,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
    errors: FieldErrors,
    failed: &str,
) -> AppResult<Response> {
    let d = queries::get(s, a, id).await?;
    let state = State::parse(&d.event.state).unwrap_or(State::Cancelled);
    let forms: Vec<ActionForm> =
        d.actions.iter().filter_map(|c| Action::parse(c)).map(|act| action_form(act, state)).collect();
    let targets = if d.actions.contains(&"dispatch") { queries::dispatch_targets(s, a, id).await? } else { vec![] };
    let grids = if d.event.needs_grid && a.can(Permission::HandleEvents) && !state.is_finished() {
        areas::list(&s.db, a, &AreaQuery { kind: Some("grid".into()), per_page: Some(200), ..Default::default() })
            .await?
            .items
    } else {
        vec![]
    };
    let photos = d
        .photos
        .iter()
        .map(|p| PhotoView {
            url: format!("/api/v1/events/{id}/photos/{}", p.file_id),
            stage: if p.stage == "after" { "处置后" } else { "处置前" },
        })
        .collect();
    let links = d
        .links
        .iter()
        .map(|l| {
            let (kind, target) = (l["kind"].as_str().unwrap_or(""), l["id"].as_i64().unwrap_or(0));
            let label = match kind {
                "person" => "人员",
                "house" => "房屋",
                _ => "场所",
            };
            let href = (kind == "person").then(|| format!("/people/{target}"));
            (label.to_owned(), format!("{label} #{target}"), href)
        })
        .collect();
    let supervisions = d
        .supervisions
        .iter()
        .map(|x| SupervisionView {
            level: match x.level.as_str() {
                "yellow" => "黄牌预警（系统）",
                "red" => "红牌超时（系统）",
                _ => "督办",
            },
            note: x.note.clone(),
            at: crate::clock::format_local(x.created_at),
        })
        .collect();
    let overdue = d.event.step.is_some() && d.event.deadline.is_some_and(|t| t <= a.now);
    let mut l = Layout::for_actor(a, &d.event.title);
    l.notice = notice;
    render(&EventPage {
        l,
        parts: parts_of(&d.event.details),
        severity: label_of(&super::model::SEVERITIES, &d.event.severity),
        forms,
        targets,
        grids,
        error,
        errors,
        failed: failed.to_owned(),
        photos,
        links,
        supervisions,
        overdue,
        d,
    })
}

/// The line shown after a redirect (`?msg=`): an action's name, or one of the page's own.
fn notice_of(msg: Option<&str>) -> Option<String> {
    let m = msg?;
    match m {
        "reported" => Some("事件已上报".into()),
        "grid" => Some("已指定所在网格".into()),
        _ => Action::parse(m).map(|a| format!("已{}", a.label())),
    }
}

pub async fn event_page(
    AxState(s): AxState<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    event_view(&s, &a, id, notice_of(q.msg.as_deref()), None, FieldErrors::new(), "").await
}

/// `department:12` or `area:5`.
fn target_of(v: &str) -> Option<Target> {
    let (kind, id) = v.split_once(':')?;
    Some(Target { kind: kind.to_owned(), id: id.trim().parse().ok()? })
}

/// An event number as people type it: `123` or `SJ20260305-000123`.
fn event_number(v: &str) -> Option<i64> {
    let digits = v.rsplit('-').next().unwrap_or(v).trim();
    digits.parse().ok()
}

fn action_input(f: &MixedForm, e: &mut FieldErrors) -> ActionInput {
    let mut num = |field: &str, msg: &str| -> Option<i64> {
        let v = f.get(field);
        if v.is_empty() {
            return None;
        }
        let n = if field == "merge_into" { event_number(v) } else { v.parse().ok() };
        if n.is_none() {
            e.insert(field.into(), msg.into());
        }
        n
    };
    let version = num("version", "版本号不正确，请刷新页面");
    let days = num("days", "延期天数请填写数字");
    let satisfaction = num("satisfaction", "请选择满意度");
    let merge_into = num("merge_into", "请填写保留的事件编号，如 SJ20260305-000123 或 123");
    let target = match f.get("target") {
        "" => None,
        t => {
            let parsed = target_of(t);
            if parsed.is_none() {
                e.insert("target".into(), "请选择交办对象".into());
            }
            parsed
        }
    };
    ActionInput {
        action: f.get("action").to_owned(),
        version,
        note: Some(f.get("note").to_owned()),
        target,
        days,
        satisfaction,
        merge_into,
    }
}

pub async fn act(
    AxState(s): AxState<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    f: MixedForm,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let input = action_input(&f, &mut errors);
    let action = input.action.clone();
    let result = if errors.is_empty() {
        service::act(&s, &a, id, &input, f.photos).await.map(|_| ())
    } else {
        Err(AppError::fields(errors))
    };
    match result {
        Ok(()) => {
            Ok(redirect(&format!("/events/{id}?msg={}", Action::parse(&action).map(Action::as_str).unwrap_or(""))))
        }
        Err(AppError::Conflict(m)) => {
            with_status(StatusCode::CONFLICT, event_view(&s, &a, id, None, Some(m), FieldErrors::new(), "").await)
        }
        Err(AppError::Invalid { message, fields }) => with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            event_view(&s, &a, id, None, Some(message), fields, &action).await,
        ),
        Err(e @ (AppError::UnsupportedType(_) | AppError::TooLarge(_))) => with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            event_view(&s, &a, id, None, Some(format!("{e}（照片需重新选择）")), FieldErrors::new(), &action).await,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridForm {
    version: String,
    grid_id: String,
}

pub async fn set_grid(
    AxState(s): AxState<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<GridForm>,
) -> AppResult<Response> {
    let parsed = (opt_i64("version", &f.version), opt_i64("grid_id", &f.grid_id));
    let result = match parsed {
        (Ok(Some(v)), Ok(Some(g))) => service::set_grid(&s, &a, id, v, g).await,
        (_, Ok(None)) => Err(AppError::field("grid_id", "请选择网格")),
        (Err(e), _) | (_, Err(e)) => Err(e),
        (Ok(None), _) => Err(AppError::field("version", "版本号不正确，请刷新页面")),
    };
    match result {
        Ok(()) => Ok(redirect(&format!("/events/{id}?msg=grid"))),
        Err(AppError::Conflict(m)) => {
            with_status(StatusCode::CONFLICT, event_view(&s, &a, id, None, Some(m), FieldErrors::new(), "").await)
        }
        Err(AppError::Invalid { message, fields }) => with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            event_view(&s, &a, id, None, Some(message), fields, "grid").await,
        ),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_and_targets() {
        assert_eq!(event_number("SJ20260305-000123"), Some(123));
        assert_eq!(event_number(" 45 "), Some(45));
        assert_eq!(event_number("abc"), None);
        let t = target_of("department:12").expect("target");
        assert_eq!((t.kind.as_str(), t.id), ("department", 12));
        assert!(target_of("12").is_none());
    }

    #[test]
    fn forms_follow_the_table() {
        let f = action_form(Action::Dispatch, State::Accepted);
        assert!(f.target && f.note_required && !f.simple);
        let f = action_form(Action::Accept, State::Reported);
        assert!(f.simple && !f.note_required);
        let f = action_form(Action::Complete, State::InProgress);
        assert!(f.photos && f.note_required);
        assert!(action_form(Action::Evaluate, State::Closed).satisfaction);
    }
}
