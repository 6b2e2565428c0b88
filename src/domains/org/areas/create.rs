//! Creating an area or grid: kind, sub-kind, code and details checked, in the caller's subtree.

use super::{AreaOut, get, row_in_scope};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::domains::org::area_store::{self as store, NewArea};
use crate::domains::org::model::{AreaKind, check_boundary, check_code, check_text};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::geo::coords::Datum;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAreaInput {
    pub parent_id: i64,
    pub kind: String,
    #[serde(default)]
    pub subkind: Option<String>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub boundary: Option<Value>,
    #[serde(default)]
    pub households: Option<i64>,
    #[serde(default)]
    pub area_note: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

pub(super) fn check_subkind(kind: AreaKind, sub: Option<&str>) -> AppResult<String> {
    match sub.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(kind.subkinds()[0].0.to_owned()),
        Some(s) if kind.subkinds().iter().any(|(k, _)| *k == s) => Ok(s.to_owned()),
        Some(_) => {
            let allowed: Vec<&str> = kind.subkinds().iter().map(|(k, _)| *k).collect();
            Err(AppError::field("subkind", format!("{}的细分类型只能是 {}", kind.label(), allowed.join("、"))))
        }
    }
}

pub(super) struct Details {
    pub(super) boundary: Option<String>,
    pub(super) households: Option<i64>,
    pub(super) area_note: Option<String>,
    pub(super) note: Option<String>,
}

pub(super) fn check_details(
    kind: AreaKind,
    boundary: Option<&Value>,
    households: Option<i64>,
    area_note: Option<&str>,
    note: Option<&str>,
    errors: &mut FieldErrors,
) -> Details {
    let boundary = match boundary.filter(|b| !b.is_null()) {
        None => None,
        // The map checks too (no self-intersecting ring, inside China), as for imported and drawn boundaries.
        Some(b) => match check_boundary(b)
            .and_then(
                |g| if kind == AreaKind::Grid { crate::geo::boundary::check_grid_cap(&g).map(|_| g) } else { Ok(g) },
            )
            .and_then(|g| crate::geo::boundary::parse(&g, Datum::Wgs84).map(|_| g))
        {
            Ok(g) => Some(g.to_string()),
            Err(e) => {
                errors.insert("boundary".into(), e);
                None
            }
        },
    };
    if households.is_some_and(|h| !(0..=1_000_000).contains(&h)) {
        errors.insert("households".into(), "户数应为 0–1000000 之间的整数".into());
    }
    let mut text =
        |field: &str, label: &str, v: Option<&str>, max| match check_text(field, label, v.unwrap_or(""), max, false) {
            Ok(s) if s.is_empty() => None,
            Ok(s) => Some(s),
            Err(AppError::Invalid { fields, .. }) => {
                errors.extend(fields);
                None
            }
            Err(_) => None,
        };
    let area_note = text("area_note", "面积与范围说明", area_note, 500);
    let note = text("note", "备注", note, 1000);
    Details { boundary, households, area_note, note }
}

pub async fn create(db: &Db, actor: &Actor, input: &NewAreaInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let kind = AreaKind::parse(&input.kind)
        .ok_or_else(|| AppError::field("kind", "区域类型只能是 county、town、community 或 grid"))?;
    let parent = row_in_scope(db, actor, input.parent_id)
        .await
        .map_err(|_| AppError::field("parent_id", "上级区域不存在或不在您的管辖范围内"))?;
    let mut errors = FieldErrors::new();
    let parent_kind = AreaKind::parse(&parent.kind);
    if kind.parent_kind() != parent_kind {
        let want = kind.parent_kind().map(AreaKind::label).unwrap_or("无");
        errors.insert("parent_id".into(), format!("{}的上级必须是{}", kind.label(), want));
    } else if parent.status != "active" {
        errors.insert("parent_id".into(), "上级区域已撤销".into());
    }
    let subkind = match check_subkind(kind, input.subkind.as_deref()) {
        Ok(s) => s,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let code = input.code.trim();
    if let Err(e) = check_code(kind, code, Some(&parent.code)) {
        errors.entry("code".into()).or_insert(e);
    }
    let name = match check_text("name", "名称", &input.name, 50, true) {
        Ok(n) => n,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let d = check_details(
        kind,
        input.boundary.as_ref(),
        input.households,
        input.area_note.as_deref(),
        input.note.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let mut tx = db.begin().await?;
    if store::code_taken(&mut tx, code).await? {
        return Err(AppError::field("code", format!("编码 {code} 已被使用")));
    }
    let row = store::insert(
        &mut tx,
        &NewArea {
            parent_id: Some(parent.id),
            parent_path: &parent.path,
            depth: parent.depth + 1,
            kind: kind.as_str(),
            subkind: &subkind,
            code,
            name: &name,
            boundary: d.boundary,
            households: d.households,
            area_note: d.area_note,
            note: d.note,
        },
        actor.now,
    )
    .await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "area_created",
        "area",
        row.id,
        json!({ "code": row.code, "name": row.name, "kind": row.kind, "parent_id": row.parent_id }),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, row.id).await
}
