//! Cells of an import row read as the service's input, reasons that name the template's columns, and what a key found.

use super::house_import_store::Hit;
use super::id_number::{IdNumber, mask_id};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use std::collections::HashMap;

/// One row's cells, found by their header.
pub(super) struct Cells<'a> {
    pub row: &'a [String],
    pub map: &'a HashMap<&'static str, usize>,
}

impl Cells<'_> {
    pub(super) fn get(&self, header: &str) -> String {
        self.map.get(header).and_then(|i| self.row.get(*i)).map(|s| s.trim().to_owned()).unwrap_or_default()
    }

    pub(super) fn opt(&self, header: &str) -> Option<String> {
        Some(self.get(header)).filter(|s| !s.is_empty())
    }

    pub(super) fn number(&self, header: &str, pre: &mut Vec<String>) -> Option<f64> {
        let v = self.opt(header)?;
        match v.parse::<f64>() {
            Ok(f) if f.is_finite() => Some(f),
            _ => {
                pre.push(format!("{header}“{v}”不是数字"));
                None
            }
        }
    }

    /// Dates typed as 2026/3/1 or 2026.3.1 are read as 2026-3-1.
    pub(super) fn date(&self, header: &str) -> Option<String> {
        self.opt(header).map(|d| d.replace(['/', '.'], "-"))
    }

    pub(super) fn grid(&self, grids: &HashMap<String, i64>, pre: &mut Vec<String>) -> Option<i64> {
        let code = self.get("所属网格编码");
        if code.is_empty() {
            pre.push("请填写所属网格编码".into());
            return None;
        }
        let id = grids.get(&code).copied();
        if id.is_none() {
            pre.push(format!("网格编码“{code}”不存在或不在您的管辖范围内"));
        }
        id
    }
}

/// The service's field errors, kept for the row; other errors (the database …) stop the job.
pub(super) fn checked<T>(r: AppResult<T>) -> AppResult<Result<T, FieldErrors>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(AppError::Invalid { fields, .. }) => Ok(Err(fields)),
        Err(e) => Err(e),
    }
}

/// Field names of the services mapped back to the templates' headers.
pub(super) fn header_of(field: &str) -> &str {
    match field {
        "house_no" | "house_id" => "房屋编号",
        "grid_id" => "所属网格编码",
        "road" => "街路巷",
        "building" => "楼栋",
        "unit" => "单元",
        "room" => "房号",
        "address" => "地址",
        "house_use" => "房屋用途",
        "floor_area" => "建筑面积",
        "owner_name" => "房主姓名",
        "owner_id_number" => "房主证件号码",
        "owner_phone" => "房主电话",
        "hazard" => "隐患类型",
        "lon" | "lat" => "经度、纬度",
        "household_no" => "户号",
        "head_person_id" => "户主证件号码",
        "landlord_name" => "房东姓名",
        "landlord_phone" => "房东电话",
        "start_date" => "起租日期",
        "end_date" => "到期日期",
        "rental_use" => "出租用途",
        "tenant_ids" => "承租人证件号码",
        "name" => "名称",
        "place_type" => "场所类型",
        "credit_code" => "统一社会信用代码",
        "legal_person" => "法定代表人",
        "safety_person" => "安全责任人",
        "contact_phone" => "联系电话",
        other => other,
    }
}

/// One reason for a row: the import's own findings, then the service's, each naming its column.
pub(super) fn reason(pre: Vec<String>, fields: FieldErrors) -> String {
    let mut parts = pre;
    for (f, m) in fields {
        let h = header_of(&f);
        parts.push(if m.contains(h) { m } else { format!("{h}：{m}") });
    }
    parts.join("；")
}

/// The row's result when both the import and the service found nothing wrong.
pub(super) fn verdict<T>(pre: Vec<String>, r: Result<T, FieldErrors>) -> Result<T, String> {
    match r {
        Ok(v) if pre.is_empty() => Ok(v),
        Ok(_) => Err(reason(pre, FieldErrors::new())),
        Err(f) => Err(reason(pre, f)),
    }
}

pub(super) fn by_key(hits: Vec<Hit>) -> HashMap<String, Hit> {
    hits.into_iter().map(|h| (h.key.clone(), h)).collect()
}

pub(super) fn unique(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys.dedup();
    keys
}

/// What a key found: nothing (a new record), a record of the caller's area in the row's grid, or
/// why the row cannot be written — a record elsewhere is named, never overwritten.
pub(super) fn claim(hit: Option<&Hit>, scope: &str, grid: i64, what: &str) -> Result<Option<i64>, String> {
    let Some(h) = hit else { return Ok(None) };
    if !h.grid_path.starts_with(scope) {
        return Err(format!("{what}已在“{}”登记，不在您的管辖范围内，未作修改", h.grid_name));
    }
    if h.status == "deleted" {
        return Err(format!("{what}已被一条删除的记录占用，请换一个"));
    }
    if h.grid_id != grid {
        return Err(format!("{what}已登记在“{}”，与表格中的所属网格不一致（调整网格请在系统中办理）", h.grid_name));
    }
    Ok(Some(h.id))
}

/// An ID number cell: its blind index and masked form, or why it is not one.
pub(super) fn id_key(state: &AppState, raw: &str) -> Result<(String, String), String> {
    let id = IdNumber::parse(raw).map_err(|m| format!("“{}”{m}", mask_id(raw)))?;
    Ok((state.keys.blind_index("id_number", id.as_str()), mask_id(id.as_str())))
}

/// A registered person of the caller's area, by blind index.
pub(super) fn person(
    hits: &HashMap<String, Hit>,
    scope: &str,
    (bidx, masked): &(String, String),
    who: &str,
) -> Result<i64, String> {
    match hits.get(bidx) {
        None => Err(format!("{who} {masked} 尚未登记，请先登记或导入人员")),
        Some(h) if !h.grid_path.starts_with(scope) => {
            Err(format!("{who} {masked} 登记在“{}”，不在您的管辖范围内", h.grid_name))
        }
        Some(h) => Ok(h.id),
    }
}

/// A house of the caller's area, by house number.
pub(super) fn house(hits: &HashMap<String, Hit>, scope: &str, no: &str) -> Result<i64, String> {
    match hits.get(no) {
        None => Err(format!("房屋编号 {no} 不存在，请先登记或导入房屋")),
        Some(h) if !h.grid_path.starts_with(scope) => {
            Err(format!("房屋编号 {no} 属于“{}”，不在您的管辖范围内", h.grid_name))
        }
        Some(h) if h.status == "deleted" => Err(format!("房屋编号 {no} 的房屋已删除")),
        Some(h) => Ok(h.id),
    }
}

pub(super) fn unique_ids(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}
