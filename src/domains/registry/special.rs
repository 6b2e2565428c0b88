//! Special-population files (特殊人群): encrypted files with visit history and the next visit due,
//! visible only to the person's grid staff, community and town centre, and the signing department.

use super::model::{check_extra, special_fields, special_kinds_of_department, special_label};
use super::observe::{self, PersonWritten, Subject};
use super::person_store;
use super::special_store as store;
use crate::audit;
use crate::auth::{Actor, Permission, Role, Scope};
use crate::domains::org::departments;
use crate::domains::org::model::{check_date, check_text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The special kinds this caller may see (none for county-level and read-only roles).
async fn visible_kinds(state: &AppState, actor: &Actor) -> AppResult<Vec<&'static str>> {
    actor.require(Permission::ReadSpecialFiles)?;
    match (&actor.scope, actor.role) {
        (Scope::Department { department_id, .. }, _) => {
            let d = departments::get(&state.db, actor, *department_id).await?;
            Ok(special_kinds_of_department(&d.row.kind))
        }
        (_, Role::GridWorker | Role::GridLeader | Role::CommunityStaff | Role::TownCenter) => {
            Ok(super::model::SPECIAL_KINDS.iter().map(|(k, _, _)| *k).collect())
        }
        _ => Err(AppError::Forbidden("特殊人群档案仅限所在网格、社区、乡镇和签收部门查看".into())),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VisitOut {
    pub id: i64,
    pub visited_on: String,
    pub visitor: String,
    pub note: String,
    pub next_visit_due: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecialOut {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub data: Value,
    pub next_visit_due: Option<String>,
    pub overdue: bool,
    pub status: String,
    pub visits: Vec<VisitOut>,
    pub updated_at: i64,
    pub version: i64,
}

/// The person must be visible to the caller; answers nothing but the check.
async fn person_visible(state: &AppState, actor: &Actor, person_id: i64) -> AppResult<()> {
    let scope = super::persons::scope_of(actor)?;
    person_store::get(&state.db, &scope, person_id)
        .await?
        .filter(|p| p.status != "deleted")
        .map(|_| ())
        .ok_or_else(|| AppError::not_found("人员"))
}

pub async fn list(state: &AppState, actor: &Actor, person_id: i64) -> AppResult<Vec<SpecialOut>> {
    let kinds = visible_kinds(state, actor).await?;
    person_visible(state, actor, person_id).await?;
    let files = store::files_of(&state.db, person_id).await?;
    let files: Vec<store::FileRow> = files.into_iter().filter(|f| kinds.contains(&f.kind.as_str())).collect();
    let today = state.clock.today().to_string();
    let mut out = Vec::new();
    for f in files {
        let visits = store::visits_of(&state.db, f.id).await?;
        let visits = visits
            .into_iter()
            .map(|v| {
                Ok(VisitOut {
                    id: v.id,
                    visited_on: v.visited_on,
                    visitor: v.visitor,
                    note: state.keys.decrypt_str(&v.note_enc)?,
                    next_visit_due: v.next_visit_due,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        out.push(SpecialOut {
            id: f.id,
            person_id: f.person_id,
            kind_label: special_label(&f.kind),
            data: serde_json::from_str(&state.keys.decrypt_str(&f.data_enc)?).unwrap_or(Value::Null),
            overdue: f.next_visit_due.as_deref().is_some_and(|d| d < today.as_str()),
            next_visit_due: f.next_visit_due,
            kind: f.kind,
            status: f.status,
            visits,
            updated_at: f.updated_at,
            version: f.version,
        });
    }
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "special_read",
        "person",
        person_id,
        json!({ "files": out.iter().map(|f| f.id).collect::<Vec<_>>() }),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialInput {
    pub kind: String,
    pub data: Value,
    #[serde(default)]
    pub next_visit_due: Option<String>,
}

pub async fn create(state: &AppState, actor: &Actor, person_id: i64, input: &SpecialInput) -> AppResult<SpecialOut> {
    actor.require(Permission::EditRegister)?;
    let kinds = visible_kinds(state, actor).await?;
    if special_label(&input.kind).is_empty() || !kinds.contains(&input.kind.as_str()) {
        return Err(AppError::field(
            "kind",
            "类别只能是 released_prisoner、community_correction、drug_user、mental_disorder 或 at_risk_youth",
        ));
    }
    person_visible(state, actor, person_id).await?;
    let no_codes = |_: &str, _: &str| None;
    let data = check_extra(special_fields(&input.kind), &input.data, &no_codes, "data.")
        .map_err(|list| AppError::fields(list.into_iter().collect()))?;
    if input.kind == "mental_disorder" {
        let level = data.get("risk_level").and_then(Value::as_str).unwrap_or("");
        if !matches!(level, "0" | "1" | "2" | "3" | "4" | "5") {
            return Err(AppError::field("data.risk_level", "危险性评估等级应为 0–5"));
        }
    }
    let due = match input.next_visit_due.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => Some(check_date("next_visit_due", d)?.to_string()),
        None => None,
    };
    let enc = state.keys.encrypt_str(&data.to_string())?;
    let mut tx = state.db.begin().await?;
    let existing = store::file_of_kind(&mut tx, person_id, &input.kind).await?;
    if existing.is_some() {
        return Err(AppError::Conflict(format!("此人已有{}档案", special_label(&input.kind))));
    }
    let id = store::insert_file(&mut tx, person_id, &input.kind, &enc, due.as_deref(), actor.now).await?;
    // The file's content is not written to the audit trail (it is sensitive); only that it was created.
    audit::record(
        &mut tx,
        &actor.audit(),
        "special_created",
        "person",
        person_id,
        json!({ "file": id, "kind": input.kind }),
    )
    .await?;
    let written = PersonWritten {
        person_id,
        subject: Subject::File(&input.kind),
        action: "created",
        detail: json!({ "special_file": { "id": id, "kind": input.kind, "next_visit_due": due } }),
    };
    let after = observe::person_written(state, &mut tx, actor, written).await?;
    tx.commit().await?;
    after.run(state);
    list(state, actor, person_id).await?.into_iter().find(|f| f.id == id).ok_or_else(|| AppError::not_found("档案"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    pub visited_on: String,
    pub note: String,
    #[serde(default)]
    pub next_visit_due: Option<String>,
}

/// Records a visit and moves the next visit due.
pub async fn visit(
    state: &AppState,
    actor: &Actor,
    person_id: i64,
    file_id: i64,
    input: &VisitInput,
) -> AppResult<SpecialOut> {
    actor.require(Permission::EditRegister)?;
    let files = list(state, actor, person_id).await?;
    let file = files.iter().find(|f| f.id == file_id).ok_or_else(|| AppError::not_found("档案"))?;
    let on = check_date("visited_on", &input.visited_on)?;
    if on > state.clock.today() {
        return Err(AppError::field("visited_on", "走访日期不能晚于今天"));
    }
    let note = check_text("note", "走访情况", &input.note, 1000, true)?;
    let due = match input.next_visit_due.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => {
            let d = check_date("next_visit_due", d)?;
            if d <= on {
                return Err(AppError::field("next_visit_due", "下次走访日期应晚于本次"));
            }
            Some(d.to_string())
        }
        None => None,
    };
    let enc = state.keys.encrypt_str(&note)?;
    let mut tx = state.db.begin().await?;
    store::insert_visit(&mut tx, file.id, &on.to_string(), actor.id, &enc, due.as_deref(), actor.now).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "special_visited",
        "person",
        person_id,
        json!({ "file": file.id, "visited_on": on.to_string(), "next_visit_due": due }),
    )
    .await?;
    tx.commit().await?;
    list(state, actor, person_id)
        .await?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or_else(|| AppError::not_found("档案"))
}
