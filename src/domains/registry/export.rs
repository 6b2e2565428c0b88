//! Exports of any filtered list of people as `.xlsx` or `.csv`: masked unless unmasked with a
//! reason, audited, stamped with who exported it and when.

use super::codes::Codes;
use super::person_store::PersonRow;
use super::persons::{self, PersonQuery};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::excel;
use crate::state::AppState;
use serde_json::json;

/// Exports a filtered list as xlsx or csv: masked unless unmasked with a reason; audited; stamped.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    q: &PersonQuery,
    unmask: Option<&str>,
    csv: bool,
) -> AppResult<Vec<u8>> {
    let reason = match unmask {
        Some(r) => {
            actor.require(Permission::UnmaskPersonalData)?;
            Some(crate::domains::org::model::check_text("reason", "导出完整号码的原因", r, 200, true)?)
        }
        None => None,
    };
    let codes = Codes::load(&state.db).await?;
    let mut rows = Vec::new();
    let mut page = 1;
    let limit = 100_000usize;
    loop {
        let q2 = PersonQuery { page: Some(page), per_page: Some(200), ..q.clone() };
        let (items, total) = persons::search_rows(state, actor, &q2).await?;
        for r in &items {
            rows.push(export_row(state, &codes, r, reason.is_some())?);
        }
        if rows.len() >= limit {
            return Err(AppError::field("q", format!("一次最多导出 {limit} 条，请缩小范围")));
        }
        if items.is_empty() || page * 200 >= total {
            break;
        }
        page += 1;
    }
    let headers: Vec<String> =
        ["姓名", "证件号码", "联系电话", "人员类别", "性别", "出生日期", "民族", "网格", "现住址", "状态"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
    let stamp = format!(
        "实有人口 · 导出人：{}（{}） · 导出时间：{} · 共 {} 条{}",
        actor.display_name,
        actor.username,
        crate::clock::format_local(actor.now),
        rows.len(),
        if reason.is_some() { " · 含完整号码，注意保密" } else { " · 号码已脱敏" }
    );
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "person_export",
        "person",
        "export",
        json!({ "rows": rows.len(), "format": if csv { "csv" } else { "xlsx" }, "unmasked": reason.is_some(), "reason": reason, "q": q.q, "grid": q.grid, "kind": q.kind, "area": q.area }),
    )
    .await?;
    tx.commit().await?;
    if csv { Ok(excel::csv(&stamp, &headers, &rows)) } else { excel::table("实有人口", &stamp, &headers, &rows) }
}

/// One exported line: the person's number and phone masked unless `reveal`.
fn export_row(state: &AppState, codes: &Codes, r: &PersonRow, reveal: bool) -> AppResult<Vec<String>> {
    let (id_number, phone) =
        if reveal { persons::reveal_row(state, r)? } else { (r.id_masked.clone(), r.phone_masked.clone()) };
    Ok(vec![
        r.name.clone(),
        id_number,
        phone,
        super::model::kind_label(&r.kind).to_owned(),
        if r.sex == "male" {
            "男"
        } else if r.sex == "female" {
            "女"
        } else {
            "未知"
        }
        .to_owned(),
        r.birth_date.clone(),
        codes.label("ethnicity", &r.ethnicity),
        r.grid_name.clone(),
        r.address.clone(),
        super::model::status_label(&r.status).to_owned(),
    ])
}
