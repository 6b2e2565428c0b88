//! The area tree service: list, read, create, edit, move and retire areas and grids, inside the caller's subtree.

use super::area_store::{self as store, AreaFilter, AreaRow, NewArea};
use super::model::{AreaKind, check_boundary, check_code, check_text, path_ids};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::geo::coords::Datum;
use crate::web::paging::{Page, Paging};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// An area as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AreaOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub subkind: String,
    pub subkind_label: &'static str,
    pub parent_id: Option<i64>,
    /// Names of the ancestors, root first.
    pub path: Vec<String>,
    pub status: String,
    pub boundary: Option<Value>,
    pub households: Option<i64>,
    pub area_note: Option<String>,
    pub note: Option<String>,
    pub children: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub retired_at: Option<i64>,
    pub version: i64,
}

/// Turns rows into API shapes, fetching ancestor names and child counts in two queries.
pub async fn present(db: &Db, rows: Vec<AreaRow>) -> AppResult<Vec<AreaOut>> {
    let mut ids: Vec<i64> = rows.iter().flat_map(|r| path_ids(&r.path)).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = store::names(db, &ids).await?.into_iter().collect();
    let own: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<i64, i64> = store::child_counts(db, &own).await?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let kind = AreaKind::parse(&r.kind).unwrap_or(AreaKind::Grid);
            let path =
                path_ids(&r.path).into_iter().filter(|i| *i != r.id).filter_map(|i| names.get(&i).cloned()).collect();
            AreaOut {
                id: r.id,
                kind_label: kind.label(),
                subkind_label: kind.subkind_label(&r.subkind),
                children: counts.get(&r.id).copied().unwrap_or(0),
                boundary: r.boundary.as_deref().and_then(|b| serde_json::from_str(b).ok()),
                code: r.code,
                name: r.name,
                kind: r.kind,
                subkind: r.subkind,
                parent_id: r.parent_id,
                path,
                status: r.status,
                households: r.households,
                area_note: r.area_note,
                note: r.note,
                created_at: r.created_at,
                updated_at: r.updated_at,
                retired_at: r.retired_at,
                version: r.version,
            }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    pub parent: Option<i64>,
    pub ancestor: Option<i64>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub async fn list(db: &Db, actor: &Actor, q: &AreaQuery) -> AppResult<Page<AreaOut>> {
    let mut filter = AreaFilter { scope_path: actor.scope.path().to_owned(), parent: q.parent, ..Default::default() };
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        AreaKind::parse(k).ok_or_else(|| AppError::field("kind", "区域类型只能是 county、town、community 或 grid"))?;
        filter.kind = Some(k.to_owned());
    }
    if let Some(anc) = q.ancestor {
        let a = store::get(db, actor.scope.path(), anc).await?.ok_or_else(|| AppError::not_found("上级区域"))?;
        filter.ancestor_path = Some(a.path);
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(s, "active" | "retired" | "all") {
            return Err(AppError::field("status", "状态只能是 active、retired 或 all"));
        }
        filter.status = Some(s.to_owned());
    }
    filter.q = q.q.clone();
    let page = store::list(db, &filter, Paging::new(q.page, q.per_page)).await?;
    let items = present(db, page.items).await?;
    Ok(Page { items, total: page.total, page: page.page, per_page: page.per_page })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<AreaOut> {
    let row = store::get(db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("区域"))?;
    Ok(present(db, vec![row]).await?.remove(0))
}

/// The grid boundaries under an area (a community, a town …) as one GeoJSON FeatureCollection in
/// WGS-84: a feature per active grid with its id, code, name and parent; grids without a drawn
/// boundary are included with a null geometry, so the export lists every grid.
pub async fn boundaries(db: &Db, actor: &Actor, id: i64) -> AppResult<(AreaRow, Value)> {
    let area = row_in_scope(db, actor, id).await?;
    let features: Vec<Value> = store::grid_boundaries(db, &area.path)
        .await?
        .into_iter()
        .map(|(id, code, name, parent_id, boundary)| {
            let geometry = boundary.and_then(|b| serde_json::from_str::<Value>(&b).ok()).unwrap_or(Value::Null);
            json!({ "type": "Feature", "id": id, "geometry": geometry,
                    "properties": { "id": id, "code": code, "name": name, "parent_id": parent_id } })
        })
        .collect();
    Ok((area, json!({ "type": "FeatureCollection", "features": features })))
}

/// The row of an area inside the caller's scope.
pub async fn row_in_scope(db: &Db, actor: &Actor, id: i64) -> AppResult<AreaRow> {
    store::get(db, actor.scope.path(), id).await?.ok_or_else(|| AppError::not_found("区域"))
}

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

fn check_subkind(kind: AreaKind, sub: Option<&str>) -> AppResult<String> {
    match sub.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(kind.subkinds()[0].0.to_owned()),
        Some(s) if kind.subkinds().iter().any(|(k, _)| *k == s) => Ok(s.to_owned()),
        Some(_) => {
            let allowed: Vec<&str> = kind.subkinds().iter().map(|(k, _)| *k).collect();
            Err(AppError::field("subkind", format!("{}的细分类型只能是 {}", kind.label(), allowed.join("、"))))
        }
    }
}

struct Details {
    boundary: Option<String>,
    households: Option<i64>,
    area_note: Option<String>,
    note: Option<String>,
}

fn check_details(
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAreaInput {
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub subkind: Option<String>,
    /// `null` or absent keeps the boundary; `{"clear": true}` is not needed: send `clear_boundary`.
    #[serde(default)]
    pub boundary: Option<Value>,
    #[serde(default)]
    pub clear_boundary: Option<bool>,
    #[serde(default)]
    pub households: Option<i64>,
    #[serde(default)]
    pub area_note: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

fn stale() -> AppError {
    AppError::Conflict("数据已被他人修改，请刷新后重试".into())
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: &UpdateAreaInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let row = row_in_scope(db, actor, id).await?;
    if row.status != "active" {
        return Err(AppError::Conflict("已撤销的区域不能修改".into()));
    }
    let kind = AreaKind::parse(&row.kind).unwrap_or(AreaKind::Grid);
    let mut errors = FieldErrors::new();
    let name = match check_text("name", "名称", input.name.as_deref().unwrap_or(&row.name), 50, true) {
        Ok(n) => n,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let subkind = match check_subkind(kind, Some(input.subkind.as_deref().unwrap_or(&row.subkind))) {
        Ok(s) => s,
        Err(AppError::Invalid { fields, .. }) => {
            errors.extend(fields);
            String::new()
        }
        Err(e) => return Err(e),
    };
    let d = check_details(
        kind,
        input.boundary.as_ref(),
        input.households.or(row.households),
        Some(input.area_note.as_deref().unwrap_or(row.area_note.as_deref().unwrap_or(""))),
        Some(input.note.as_deref().unwrap_or(row.note.as_deref().unwrap_or(""))),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let boundary = if input.clear_boundary == Some(true) { None } else { d.boundary.or(row.boundary.clone()) };
    let before = json!({ "name": row.name, "subkind": row.subkind, "boundary": row.boundary, "households": row.households, "area_note": row.area_note, "note": row.note });
    let after = json!({ "name": name, "subkind": subkind, "boundary": boundary, "households": d.households, "area_note": d.area_note, "note": d.note });
    let mut tx = db.begin().await?;
    if !store::update(
        &mut tx,
        id,
        input.version,
        &name,
        &subkind,
        boundary,
        d.households,
        d.area_note,
        d.note,
        actor.now,
    )
    .await?
    {
        return Err(stale());
    }
    audit::record(&mut tx, &actor.audit(), "area_updated", "area", id, audit::changes(&before, &after)).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveAreaInput {
    pub version: i64,
    pub parent_id: i64,
}

/// Moves an area (with its subtree) under another parent of the right kind; codes are re-derived
/// from the new parent, and each row's old place is kept in the move history.
pub async fn move_area(db: &Db, actor: &Actor, id: i64, input: &MoveAreaInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let row = row_in_scope(db, actor, id).await?;
    let kind = AreaKind::parse(&row.kind).unwrap_or(AreaKind::Grid);
    let Some(old_parent_id) = row.parent_id else {
        return Err(AppError::field("parent_id", "县级区域不能移动"));
    };
    if row.status != "active" {
        return Err(AppError::Conflict("已撤销的区域不能移动".into()));
    }
    let target = row_in_scope(db, actor, input.parent_id)
        .await
        .map_err(|_| AppError::field("parent_id", "目标上级不存在或不在您的管辖范围内"))?;
    if target.path.starts_with(&row.path) {
        return Err(AppError::field("parent_id", "不能移动到自身或自己的下级之下（会形成循环）"));
    }
    if AreaKind::parse(&target.kind) != kind.parent_kind() {
        return Err(AppError::field(
            "parent_id",
            format!("{}只能移动到{}之下", kind.label(), kind.parent_kind().map(AreaKind::label).unwrap_or("")),
        ));
    }
    if target.status != "active" {
        return Err(AppError::field("parent_id", "目标上级已撤销"));
    }
    if target.id == old_parent_id {
        return Err(AppError::field("parent_id", "已在该上级之下"));
    }
    let mut tx = db.begin().await?;
    let current = store::get_tx(&mut tx, id).await?.ok_or_else(|| AppError::not_found("区域"))?;
    if current.version != input.version {
        return Err(stale());
    }
    let new_code = next_code(&mut tx, kind, &row.code, &target.code).await?;
    let new_path = super::model::child_path(&target.path, id);
    let rows = store::subtree(&mut tx, &row.path).await?;
    // Parked paths first, so the unique index never sees two rows on one path mid-move.
    for r in &rows {
        store::set_place(&mut tx, r.id, r.parent_id, &format!("#move{}", r.id), &format!("#move{}", r.id), actor.now)
            .await?;
    }
    for r in &rows {
        let path = format!("{new_path}{}", &r.path[row.path.len()..]);
        let code = format!("{new_code}{}", &r.code[row.code.len().min(r.code.len())..]);
        let parent = if r.id == id { Some(target.id) } else { r.parent_id };
        store::set_place(&mut tx, r.id, parent, &path, &code, actor.now).await?;
        let from_parent = r.parent_id.unwrap_or(old_parent_id);
        store::insert_move(
            &mut tx,
            r.id,
            from_parent,
            parent.unwrap_or(target.id),
            &r.code,
            &code,
            actor.now,
            Some(actor.id),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "area_moved",
        "area",
        id,
        json!({ "parent_id": { "from": old_parent_id, "to": target.id }, "code": { "from": row.code, "to": new_code }, "subtree_rows": rows.len() }),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// The code an area gets under a new parent: the same own digits if free, else the next free ones.
async fn next_code(tx: &mut crate::db::Tx, kind: AreaKind, old_code: &str, parent_code: &str) -> AppResult<String> {
    let (prefix, own_len, suffix) = match kind {
        AreaKind::Community => (&parent_code[..9], 3usize, ""),
        AreaKind::Grid => (parent_code, old_code.len().saturating_sub(12).clamp(2, 3), ""),
        AreaKind::Town => (parent_code, 3usize, "000"),
        AreaKind::County => return Err(AppError::field("parent_id", "县级区域不能移动")),
    };
    let own_start = match kind {
        AreaKind::Town => 6,
        AreaKind::Community => 9,
        _ => 12,
    };
    let own = &old_code[own_start..(own_start + own_len).min(old_code.len())];
    let candidate = format!("{prefix}{own}{suffix}");
    if !store::code_taken(tx, &candidate).await? {
        return Ok(candidate);
    }
    let max = 10usize.pow(own_len as u32);
    for n in 1..max {
        let c = format!("{prefix}{n:0width$}{suffix}", width = own_len);
        if !store::code_taken(tx, &c).await? {
            return Ok(c);
        }
    }
    Err(AppError::Conflict("目标上级下已没有可用的编码".into()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetireInput {
    pub version: i64,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Retires an area: it stays in the tree's history; its staff assignments end today.
pub async fn retire(db: &Db, actor: &Actor, id: i64, input: &RetireInput) -> AppResult<AreaOut> {
    actor.require(Permission::ManageAreas)?;
    let row = row_in_scope(db, actor, id).await?;
    if row.parent_id.is_none() {
        return Err(AppError::Forbidden("县级区域不能撤销".into()));
    }
    if row.status != "active" {
        return Err(AppError::Conflict("该区域已撤销".into()));
    }
    let reason = check_text("reason", "撤销原因", input.reason.as_deref().unwrap_or(""), 200, true)?;
    let mut tx = db.begin().await?;
    if store::active_children(&mut tx, id).await? > 0 {
        return Err(AppError::Conflict("请先撤销或移走其下的区域".into()));
    }
    if store::active_accounts_in(&mut tx, &row.path).await? > 0 {
        return Err(AppError::Conflict("该区域仍绑定有账号，请先停用或调整这些账号".into()));
    }
    if !store::retire(&mut tx, id, input.version, actor.now).await? {
        return Err(stale());
    }
    let today = crate::clock::to_local(actor.now).format("%Y-%m-%d").to_string();
    let ended = super::staff_store::end_assignments_of_grid(&mut tx, id, &today).await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "area_retired",
        "area",
        id,
        json!({ "reason": reason, "assignments_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}
