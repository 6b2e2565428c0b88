//! The public status of a resident report, found by its tracking code: the stages the event went
//! through in plain words (internal steps, notes and the names of staff left out), the time limits,
//! and the public replies handling staff chose to publish.

use super::model::{self, display_code, parse_tracking_code, plain_category, stage_of, state_words};
use super::store::{self, ReplyRow};
use crate::clock::{Millis, format_local};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::Serialize;

/// One line of the public timeline.
#[derive(Clone, Debug, Serialize)]
pub struct PublicStep {
    pub label: &'static str,
    pub words: String,
    pub at: Millis,
    pub at_text: String,
}

/// A public reply as shown.
#[derive(Clone, Debug, Serialize)]
pub struct PublicReply {
    pub body: String,
    /// The unit, plus the person's name when they chose to sign.
    pub by: String,
    pub at: Millis,
    pub at_text: String,
}

/// What the tracking page shows.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub tracking_code: String,
    pub code_text: String,
    pub category: String,
    pub grid_name: String,
    pub state: String,
    pub state_words: &'static str,
    pub finished: bool,
    pub reported_at: Millis,
    pub reported_text: String,
    /// The limit of the current step (受理 / 办理 / 核查), while one runs.
    pub step_deadline_text: Option<String>,
    pub step_label: Option<&'static str>,
    /// When the whole matter is due to be closed (milliseconds; e.g. Open311's `expected_datetime`).
    pub close_due_at: Option<Millis>,
    pub close_due_text: Option<String>,
    pub closed_text: Option<String>,
    pub steps: Vec<PublicStep>,
    pub replies: Vec<PublicReply>,
}

fn reply_of(r: &ReplyRow) -> PublicReply {
    let by = if r.signed_name.is_empty() { r.unit_name.clone() } else { format!("{} {}", r.unit_name, r.signed_name) };
    PublicReply { body: r.body.clone(), by, at: r.created_at, at_text: format_local(r.created_at) }
}

/// The status behind a typed code; an unknown or malformed code is "not found".
pub async fn status(state: &AppState, typed: &str) -> AppResult<Status> {
    let not_found = || AppError::NotFound("没有找到这个追踪码，请核对后重新输入（10 位字母和数字）".into());
    let code = parse_tracking_code(typed).ok_or_else(not_found)?;
    let report = store::report_by_code(&state.db, &code).await?.ok_or_else(not_found)?;
    let e = store::tracked_event(&state.db, report.event_id).await?.ok_or_else(not_found)?;
    let steps = store::public_steps(&state.db, e.id)
        .await?
        .into_iter()
        .filter_map(|(action, unit, at)| {
            let s = stage_of(&action)?;
            let unit = if unit.is_empty() { "承办单位".to_owned() } else { unit };
            Some(PublicStep { label: s.label, words: s.words.replace("{unit}", &unit), at, at_text: format_local(at) })
        })
        .collect();
    let replies = store::replies_of(&state.db, e.id).await?.iter().map(reply_of).collect();
    let finished = matches!(e.state.as_str(), "closed" | "evaluated" | "cancelled" | "merged");
    let category = match plain_category(&report.category) {
        "" => e.category_name.clone(),
        plain => plain.to_owned(),
    };
    Ok(Status {
        code_text: display_code(&code),
        tracking_code: code,
        category,
        grid_name: e.grid_name.unwrap_or_default(),
        state_words: state_words(&e.state),
        state: e.state,
        finished,
        reported_at: e.reported_at,
        reported_text: format_local(e.reported_at),
        step_deadline_text: e.deadline.filter(|_| !finished).map(format_local),
        step_label: e.step.as_deref().filter(|_| !finished).map(step_words),
        close_due_at: e.close_due_at,
        close_due_text: e.close_due_at.filter(|_| !finished).map(format_local),
        closed_text: e.closed_at.map(format_local),
        steps,
        replies,
    })
}

fn step_words(step: &str) -> &'static str {
    match step {
        "accept" => "受理",
        "handle" => "办理",
        "verify" => "核查",
        _ => "办理",
    }
}

/// The tracking page's address for a code.
pub fn track_path(code: &str) -> String {
    format!("/public/track?code={}", model::display_code(code))
}
