//! Taking an action on an event: the workflow table's rule, the checks it needs, the dispatch target.

use super::apply::apply;
use super::{Photo, check_text, cleanup, gather, stale, store_photos, view_of, visibility, who};
use crate::auth::{Actor, Permission};
use crate::domains::events::store::{self, EventRow};
use crate::domains::events::workflow::{self, Action, Move, State};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;

/// A target of a dispatch.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// `department` or `area`.
    pub kind: String,
    pub id: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub action: String,
    pub version: Option<i64>,
    pub note: Option<String>,
    pub target: Option<Target>,
    /// Working days asked for by `extend`.
    pub days: Option<i64>,
    /// 1–5, for `evaluate`.
    pub satisfaction: Option<i64>,
    /// The event this one duplicates, for `merge`.
    pub merge_into: Option<i64>,
}

/// Where the holder goes, and its name for the timeline.
pub(super) struct NewHolder {
    pub(super) area: Option<i64>,
    pub(super) department: Option<i64>,
    pub(super) label: String,
}

async fn resolve_target(state: &AppState, e: &EventRow, t: &Target) -> AppResult<NewHolder> {
    let holder_path = e.holder_path.clone().unwrap_or_default();
    match t.kind.as_str() {
        "department" => {
            // A department serves its own area: the event must lie inside it (a town's police station
            // takes the town's events, whoever in the town dispatches them).
            let d = tree::department(&state.db, "/", t.id).await?.filter(|d| d.status == "active");
            let serves = match &d {
                Some(d) => {
                    tree::get(&state.db, "/", d.area_id).await?.is_some_and(|a| e.area_path.starts_with(&a.path))
                }
                None => false,
            };
            match d {
                Some(d) if serves => Ok(NewHolder { area: None, department: Some(d.id), label: d.name }),
                _ => Err(AppError::field("target", "职能部门不存在、已撤销或不负责事件所在区域")),
            }
        }
        "area" => {
            let a = tree::get(&state.db, &holder_path, t.id)
                .await?
                .filter(|a| a.status == "active" && a.path != holder_path)
                .ok_or_else(|| AppError::field("target", "只能交办给本级管辖范围内的下级"))?;
            if !e.area_path.starts_with(&a.path) {
                return Err(AppError::field("target", "只能交办给事件所在的下级区域"));
            }
            Ok(NewHolder { area: Some(a.id), department: None, label: a.name })
        }
        _ => Err(AppError::field("target", "交办对象只能是 department（职能部门）或 area（下级区域）")),
    }
}

/// Takes an action on an event; answers the new version.
pub async fn act(state: &AppState, actor: &Actor, id: i64, i: &ActionInput, photos: Vec<Photo>) -> AppResult<i64> {
    actor.require(Permission::HandleEvents)?;
    let vis = visibility(actor)?;
    let action =
        Action::parse(&i.action).ok_or_else(|| AppError::field("action", format!("未知的操作“{}”", i.action)))?;
    let e = store::get(&state.db, &vis, id).await?.ok_or_else(|| AppError::not_found("事件"))?;
    if let Some(v) = i.version
        && v != e.version
    {
        return Err(stale());
    }
    let rule = workflow::decide(&who(actor), &view_of(&e), action).map_err(|r| AppError::Conflict(r.0))?;
    let mut errs = FieldErrors::new();
    let note =
        check_text(&mut errs, "note", "说明", i.note.as_deref().unwrap_or(""), usize::from(rule.needs.note), 1000);
    if rule.needs.days && !i.days.is_some_and(|d| (1..=30).contains(&d)) {
        errs.insert("days".into(), "请填写延期的工作日数（1–30）".into());
    }
    if rule.needs.satisfaction && !i.satisfaction.is_some_and(|s| (1..=5).contains(&s)) {
        errs.insert("satisfaction".into(), "请选择满意度（1–5）".into());
    }
    if rule.needs.target && i.target.is_none() {
        errs.insert("target".into(), "请选择交办对象".into());
    }
    if rule.needs.merge_into && i.merge_into.is_none() {
        errs.insert("merge_into".into(), "请填写保留的事件编号".into());
    }
    let new_holder = match (rule.holder, &i.target) {
        (Move::Target, Some(t)) => gather(&mut errs, resolve_target(state, &e, t).await),
        _ => None,
    };
    if let Some(m) = i.merge_into {
        let keep = store::get(&state.db, &vis, m).await?;
        if m == id || keep.as_ref().is_none_or(|k| State::parse(&k.state).is_none_or(State::is_finished)) {
            errs.insert("merge_into".into(), "保留的事件不存在、已办结或就是本事件".into());
        }
    }
    if !errs.is_empty() {
        return Err(AppError::fields(errs));
    }
    let files = store_photos(state, &photos).await?;
    let result = apply(state, actor, &e, action, rule, i, &note, new_holder, &files).await;
    if result.is_err() {
        cleanup(state, &files).await;
    }
    result
}
