//! The three ledgers the seed asks for (基本群体、特殊群体、流动群体台账): counts per community or grid
//! that roll up the tree, on screen and as `.xlsx`.

use super::ledger_store::{self as store, CountRow};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult};
use crate::excel;
use crate::state::AppState;
use serde::Serialize;
use serde_json::json;

pub const KINDS: [(&str, &str); 3] =
    [("basic", "基本群体台账"), ("special", "特殊群体台账"), ("floating", "流动群体台账")];

#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    pub area_id: i64,
    pub name: String,
    pub code: String,
    pub counts: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub kind: String,
    pub title: String,
    pub area_id: i64,
    pub area_name: String,
    pub columns: Vec<String>,
    pub rows: Vec<LedgerRow>,
    pub total: Vec<i64>,
}

fn columns(kind: &str) -> Vec<String> {
    let v: Vec<&str> = match kind {
        "basic" => {
            vec!["实有人口", "户籍人口", "流动人口", "境外人员", "留守人员", "户", "实有房屋", "出租房屋", "重点场所"]
        }
        "special" => {
            let mut v: Vec<&str> = super::model::SPECIAL_KINDS.iter().map(|(_, l, _)| *l).collect();
            v.extend(["合计", "走访逾期"]);
            v
        }
        _ => vec!["流动人口", "男", "女", "未成年", "居住在出租房", "未关联房屋"],
    };
    v.into_iter().map(str::to_owned).collect()
}

pub async fn build(state: &AppState, actor: &Actor, kind: &str, area: Option<i64>) -> AppResult<Ledger> {
    actor.require(Permission::ReadRegister)?;
    let title = KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
        .ok_or_else(|| AppError::NotFound("台账只有 basic、special、floating 三种".into()))?;
    let area_id = area.unwrap_or(actor.scope.area_id());
    let a = tree::get(&state.db, actor.scope.path(), area_id).await?.ok_or_else(|| AppError::not_found("区域"))?;
    let today = state.clock.today();
    let rows: Vec<CountRow> = match kind {
        "basic" => store::basic(&state.db, a.id).await?,
        "special" => store::special(&state.db, a.id, &today.to_string()).await?,
        _ => {
            let born = today.checked_sub_months(chrono::Months::new(12 * 18)).unwrap_or(today).to_string();
            store::floating(&state.db, a.id, &born).await?
        }
    };
    let cols = columns(kind);
    let mut total = vec![0; cols.len()];
    for r in &rows {
        for (t, n) in total.iter_mut().zip(&r.counts) {
            *t += n;
        }
    }
    Ok(Ledger {
        kind: kind.to_owned(),
        title: format!("{}{title}", a.name),
        area_id: a.id,
        area_name: a.name,
        columns: cols,
        rows: rows
            .into_iter()
            .map(|r| LedgerRow { area_id: r.area_id, name: r.name, code: r.code, counts: r.counts })
            .collect(),
        total,
    })
}

/// The ledger as a workbook, stamped; the export is audited.
pub async fn xlsx(state: &AppState, actor: &Actor, kind: &str, area: Option<i64>) -> AppResult<(String, Vec<u8>)> {
    let l = build(state, actor, kind, area).await?;
    let mut headers = vec!["区域".to_owned(), "编码".to_owned()];
    headers.extend(l.columns.iter().cloned());
    let mut rows: Vec<Vec<String>> = l
        .rows
        .iter()
        .map(|r| {
            let mut v = vec![r.name.clone(), r.code.clone()];
            v.extend(r.counts.iter().map(|n| n.to_string()));
            v
        })
        .collect();
    let mut total = vec!["合计".to_owned(), String::new()];
    total.extend(l.total.iter().map(|n| n.to_string()));
    rows.push(total);
    let stamp = format!(
        "{} · 导出人：{}（{}） · 导出时间：{}",
        l.title,
        actor.display_name,
        actor.username,
        crate::clock::format_local(actor.now)
    );
    let bytes = excel::table("台账", &stamp, &headers, &rows)?;
    let mut tx = state.db.begin().await?;
    audit::record(&mut tx, &actor.audit(), "ledger_export", "area", l.area_id, json!({ "kind": kind })).await?;
    tx.commit().await?;
    Ok((l.title, bytes))
}
