//! Reporting an event and taking actions on it: checks rights through the workflow table, moves the
//! holder, restarts the step clock, writes the timeline, photos, audit and notifications in one
//! transaction, version-checked so two people acting at once cannot both win.

mod act;
mod apply;
mod grid;
mod report;

use super::model::Card;
use super::store::{self, EventRow};
use super::workflow::{EventView, Holder, State, Who};
use crate::auth::{Actor, Permission, Scope};
use crate::clock::Millis;
use crate::db::Tx;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::check_photo;
use crate::state::AppState;
pub use act::{ActionInput, Target, act};
pub use grid::set_grid;
pub use report::{NoHook, ReportHook, ReportInput, report, report_with};

/// Photos per event step (each within the configured photo size limit).
pub const MAX_PHOTOS: usize = 6;

/// The caller as the workflow table sees them.
pub fn who(actor: &Actor) -> Who {
    let (area_id, department_id) = match &actor.scope {
        Scope::Area { area_id, .. } => (*area_id, None),
        Scope::Department { department_id, area_id, .. } => (*area_id, Some(*department_id)),
    };
    Who { account_id: actor.id, role: actor.role, area_id, area_path: actor.scope.path().to_owned(), department_id }
}

/// Which events the caller sees.
pub fn visibility(actor: &Actor) -> AppResult<Scope> {
    actor.require(Permission::ReadEvents)?;
    Ok(actor.scope.clone())
}

/// The table's view of a stored event.
pub fn view_of(e: &EventRow) -> EventView {
    let holder = match (e.holder_area_id, e.holder_department_id) {
        (Some(id), _) => Holder::Area {
            id,
            path: e.holder_path.clone().unwrap_or_default(),
            kind: e.holder_kind.clone().unwrap_or_default(),
        },
        (None, Some(id)) => Holder::Department { id },
        (None, None) => Holder::Department { id: 0 },
    };
    EventView {
        state: State::parse(&e.state).unwrap_or(State::Cancelled),
        holder,
        grid_path: if e.grid_id.is_some() { e.area_path.clone() } else { String::new() },
        reporter_account_id: e.reporter_account_id,
        has_sender: e.sender_area_id.is_some() || e.sender_department_id.is_some(),
        extension_pending: e.extension_pending.is_some(),
        completed_by: e.completed_by,
        verifier_must_differ: e.verifier_must_differ,
    }
}

/// An uploaded photo: its bytes (checked here).
pub struct Photo(pub Vec<u8>);

fn gather<T>(e: &mut FieldErrors, r: AppResult<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(AppError::Invalid { fields, .. }) => {
            e.extend(fields);
            None
        }
        Err(other) => {
            e.insert("_".into(), other.to_string());
            None
        }
    }
}

/// Stores checked photos; answers (file id, content type, size). Files of a failed transaction are removed.
async fn store_photos(state: &AppState, photos: &[Photo]) -> AppResult<Vec<(String, &'static str, i64)>> {
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::field("photos", format!("每次最多上传 {MAX_PHOTOS} 张照片")));
    }
    let mut types = Vec::new();
    for p in photos {
        types.push(check_photo("photos", &p.0, state.config.max_photo_bytes)?);
    }
    let mut out = Vec::new();
    for (p, t) in photos.iter().zip(types) {
        out.push((state.files.put(&p.0).await?, t.content_type(), p.0.len() as i64));
    }
    Ok(out)
}

async fn attach(
    tx: &mut Tx,
    actor: &Actor,
    event_id: i64,
    step_id: i64,
    stage: &str,
    files: &[(String, &'static str, i64)],
) -> AppResult<()> {
    for (id, ct, size) in files {
        crate::files::insert_file_row(tx, id, "event_photo", ct, *size, actor.id, actor.now).await?;
        store::insert_file(tx, event_id, step_id, id, stage).await?;
    }
    Ok(())
}

async fn cleanup(state: &AppState, files: &[(String, &'static str, i64)]) {
    for (id, _, _) in files {
        state.files.remove(id).await;
    }
}

fn check_text(e: &mut FieldErrors, field: &str, label: &str, v: &str, min: usize, max: usize) -> String {
    let t = v.trim().to_owned();
    let n = t.chars().count();
    if n < min {
        e.insert(field.into(), if min <= 1 { format!("请填写{label}") } else { format!("{label}至少 {min} 个字") });
    } else if n > max {
        e.insert(field.into(), format!("{label}最多 {max} 个字"));
    } else if t.chars().any(|c| c.is_control() && c != '\n') {
        e.insert(field.into(), format!("{label}含有不可见字符"));
    }
    t
}

fn stale() -> AppError {
    AppError::Conflict("事件已被他人处理，请刷新后重试".into())
}

/// The time an event waits at `now`, for pages that show a clock.
pub fn card_now(e: &EventRow, now: Millis) -> Card {
    if e.step.is_none() {
        return Card::None;
    }
    Card::at(now, e.yellow_at, e.red_at).max(Card::parse(&e.card))
}
