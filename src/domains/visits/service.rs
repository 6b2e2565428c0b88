//! Visits: recording a household visit (field work, in scope, audited), the joint list of household
//! and special-population visits, the overdue list; every read of these lists is audited.

use super::model::{self, SPECIAL, VisitInput, days_overdue, kind_label, mask_name};
use super::store::{self, NewVisit, OverdueRow, VisitFilter, VisitRow};
use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::domains::org::locate::chosen_area;
use crate::domains::org::model::check_date;
use crate::domains::registry::model::{SPECIAL_KINDS, special_label};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A household visit as answered to the client (the note decrypted).
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdVisitOut {
    pub id: i64,
    pub household_id: i64,
    pub visited_on: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub note: String,
    pub next_visit_due: Option<String>,
    pub visitor: String,
}

fn today(actor: &Actor) -> chrono::NaiveDate {
    crate::clock::to_local(actor.now).date_naive()
}

/// Records a visit to a household in the caller's subtree.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    household_id: i64,
    i: &VisitInput,
) -> AppResult<HouseholdVisitOut> {
    actor.require(Permission::FieldWork)?;
    let (id, grid_id, _, status) = store::household_in(&state.db, actor.scope.path(), household_id)
        .await?
        .ok_or_else(|| AppError::not_found("户"))?;
    if status != "active" {
        return Err(AppError::Conflict("该户已注销，不能再记录走访".into()));
    }
    let v = model::check(i, today(actor))?;
    let (on, due) = (v.visited_on.to_string(), v.next_visit_due.map(|d| d.to_string()));
    let note_enc = state.keys.encrypt_str(&v.note)?;
    let mut tx = state.db.begin().await?;
    let visit = NewVisit {
        household_id: id,
        grid_id,
        visited_on: &on,
        account_id: actor.id,
        kind: v.kind,
        note_enc,
        next_visit_due: due.as_deref(),
    };
    let visit_id = store::insert(&mut tx, visit, actor.now).await?;
    // The note itself stays out of the audit trail (it may be sensitive); only that a visit was made.
    audit::record(
        &mut tx,
        &actor.audit(),
        "household_visited",
        "household",
        id,
        json!({ "visit": visit_id, "kind": v.kind, "visited_on": on, "next_visit_due": due }),
    )
    .await?;
    tx.commit().await?;
    Ok(HouseholdVisitOut {
        id: visit_id,
        household_id: id,
        visited_on: on,
        kind: v.kind.to_owned(),
        kind_label: kind_label(v.kind),
        note: v.note,
        next_visit_due: due,
        visitor: actor.display_name.clone(),
    })
}

/// A household's visits with their notes (for its page); audited as a read.
pub async fn of_household(state: &AppState, actor: &Actor, household_id: i64) -> AppResult<Vec<HouseholdVisitOut>> {
    actor.require(Permission::ReadRegister)?;
    store::household_in(&state.db, actor.scope.path(), household_id).await?.ok_or_else(|| AppError::not_found("户"))?;
    let rows = store::of_household(&state.db, household_id).await?;
    let out = rows
        .into_iter()
        .map(|r| {
            Ok(HouseholdVisitOut {
                id: r.id,
                household_id,
                kind_label: kind_label(&r.kind),
                note: state.keys.decrypt_str(&r.note_enc)?,
                visited_on: r.visited_on,
                kind: r.kind,
                next_visit_due: r.next_visit_due,
                visitor: r.visitor,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if !out.is_empty() {
        audit_read(state, actor, "visit_list_read", vec![household_id], vec![]).await?;
    }
    Ok(out)
}

/// Who may read visit lists: supervision or register readers.
fn may_read(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::ReadSupervision) || actor.can(Permission::ReadRegister) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// Special groups whose visits the caller sees in lists: all for the area staff who read special
/// files (grid, community, town); none for the county and read-only roles.
fn special_kinds(actor: &Actor) -> Vec<&'static str> {
    match actor.scope {
        Scope::Area { .. } if actor.can(Permission::ReadSpecialFiles) => {
            SPECIAL_KINDS.iter().map(|(k, _, _)| *k).collect()
        }
        _ => vec![],
    }
}

async fn audit_read(
    state: &AppState,
    actor: &Actor,
    action: &str,
    households: Vec<i64>,
    persons: Vec<i64>,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        action,
        "visit",
        "list",
        json!({ "households": households, "persons": persons }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn split_ids<'a>(rows: impl Iterator<Item = (&'a str, i64)>) -> (Vec<i64>, Vec<i64>) {
    let (mut h, mut p) = (Vec::new(), Vec::new());
    for (t, id) in rows {
        let list = if t == "household" { &mut h } else { &mut p };
        if !list.contains(&id) {
            list.push(id);
        }
    }
    (h, p)
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    pub area: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// One row of the joint list, without clear ID numbers or phones; a person's name is masked.
#[derive(Debug, Clone, Serialize)]
pub struct VisitOut {
    pub subject_type: String,
    pub id: i64,
    pub subject_id: i64,
    pub subject: String,
    pub link: String,
    pub visited_on: String,
    pub kind: String,
    pub kind_label: String,
    pub next_visit_due: Option<String>,
    pub grid_id: i64,
    pub grid_name: String,
    pub visitor: String,
}

fn subject_of(subject_type: &str, subject: &str, id: i64) -> (String, String) {
    if subject_type == "household" {
        (subject.to_owned(), format!("/households/{id}"))
    } else {
        (mask_name(subject), format!("/people/{id}"))
    }
}

fn present(r: VisitRow) -> VisitOut {
    let (subject, link) = subject_of(&r.subject_type, &r.subject, r.subject_id);
    let kind_label = match r.special_kind.as_deref() {
        Some(k) => format!("{}（{}）", kind_label(SPECIAL), special_label(k)),
        None => kind_label(&r.kind).to_owned(),
    };
    VisitOut {
        subject_type: r.subject_type,
        id: r.id,
        subject_id: r.subject_id,
        subject,
        link,
        visited_on: r.visited_on,
        kind: r.kind,
        kind_label,
        next_visit_due: r.next_visit_due,
        grid_id: r.grid_id,
        grid_name: r.grid_name,
        visitor: r.visitor,
    }
}

fn opt_date(e: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    match check_date(field, v) {
        Ok(d) => Some(d.to_string()),
        Err(err) => {
            AppError::gather(e, Err(err));
            None
        }
    }
}

/// Household and special-population visits under an area (default the caller's), latest first.
pub async fn list(state: &AppState, actor: &Actor, q: &VisitQuery) -> AppResult<Page<VisitOut>> {
    may_read(actor)?;
    let area = chosen_area(&state.db, &actor.scope, q.area).await?;
    let mut e = FieldErrors::new();
    let from = opt_date(&mut e, "from", q.from.as_deref());
    let to = opt_date(&mut e, "to", q.to.as_deref());
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        e.insert("to".into(), "结束日期不能早于开始日期".into());
    }
    let kind = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned);
    if let Some(k) = &kind
        && kind_label(k).is_empty()
    {
        e.insert("kind".into(), "走访类型只能是 routine、help、dispute、safety、policy、other 或 special".into());
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    let f = VisitFilter { path: area.path, from, to, kind, special_kinds: special_kinds(actor) };
    let page = store::list(&state.db, &f, Paging::new(q.page, q.per_page)).await?;
    let (h, p) = split_ids(page.items.iter().map(|r| (r.subject_type.as_str(), r.subject_id)));
    if !page.items.is_empty() {
        audit_read(state, actor, "visit_list_read", h, p).await?;
    }
    Ok(page.map(present))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverdueQuery {
    pub area: Option<i64>,
    /// The day to count on (default today, Beijing time).
    pub on: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A household or special-population file overdue for its visit.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueOut {
    pub subject_type: String,
    pub subject_id: i64,
    pub subject: String,
    pub link: String,
    pub kind_label: String,
    pub next_visit_due: String,
    pub days_overdue: i64,
    pub last_visited_on: Option<String>,
    pub grid_id: i64,
    pub grid_name: String,
}

fn present_overdue(r: OverdueRow, on: chrono::NaiveDate) -> OverdueOut {
    let (subject, link) = subject_of(&r.subject_type, &r.subject, r.subject_id);
    let kind_label = match r.special_kind.as_deref() {
        Some(k) => special_label(k).to_owned(),
        None => "户".to_owned(),
    };
    OverdueOut {
        days_overdue: days_overdue(&r.next_visit_due, on),
        subject_type: r.subject_type,
        subject_id: r.subject_id,
        subject,
        link,
        kind_label,
        next_visit_due: r.next_visit_due,
        last_visited_on: r.last_visited_on,
        grid_id: r.grid_id,
        grid_name: r.grid_name,
    }
}

/// Households and special files under an area whose next visit was due before the day.
pub async fn overdue(state: &AppState, actor: &Actor, q: &OverdueQuery) -> AppResult<Page<OverdueOut>> {
    may_read(actor)?;
    let area = chosen_area(&state.db, &actor.scope, q.area).await?;
    let on = match q.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => check_date("on", s)?,
        None => today(actor),
    };
    let kinds = special_kinds(actor);
    let page = store::overdue(&state.db, &area.path, &on.to_string(), &kinds, Paging::new(q.page, q.per_page)).await?;
    let (h, p) = split_ids(page.items.iter().map(|r| (r.subject_type.as_str(), r.subject_id)));
    if !page.items.is_empty() {
        audit_read(state, actor, "visit_overdue_read", h, p).await?;
    }
    Ok(page.map(|r| present_overdue(r, on)))
}
