//! The bulletin's tables (shared by the Word file, the workbook and the print page) and the two files.

use super::docx::{self, Block, Table};
use super::figures::BulletinFigures;
use super::narrative;
use super::service::Bulletin;
use crate::domains::events::figures::percent;
use crate::error::AppResult;
use crate::excel::FigureSheet;
use chrono::Datelike;

fn n(v: i64) -> String {
    v.to_string()
}

/// Every figure of the bulletin as tables: activity of the child areas and of the departments,
/// event completion, and the key groups' reports and sign-off.
pub fn tables(b: &Bulletin) -> Vec<Table> {
    let f = &b.figures;
    let unit = if f.area_kind == "county" { "乡镇（街道）" } else { "村（社区）" };
    let mut t = Vec::new();
    let mut towns: Vec<Vec<String>> = f
        .activity
        .towns
        .iter()
        .map(|r| vec![r.name.clone(), n(r.total), n(r.active), percent(r.rate), percent(r.previous_rate)])
        .collect();
    let o = &f.activity.overall;
    towns.push(vec!["合计".into(), n(o.total), n(o.active), percent(o.rate), percent(o.previous_rate)]);
    t.push(Table {
        caption: format!("表1  各{unit}账号活跃度（当月活跃{}天及以上为活跃账号）", f.activity.min_days),
        headers: [unit, "已开通账号", "活跃账号", "活跃度", "上月活跃度"].map(String::from).to_vec(),
        rows: towns,
        note: None,
    });
    t.push(Table {
        caption: "表2  职能部门账号活跃度".into(),
        headers: ["部门", "已开通账号", "活跃账号", "活跃度", "上月活跃度"].map(String::from).to_vec(),
        rows: f
            .activity
            .departments
            .iter()
            .map(|r| vec![r.name.clone(), n(r.total), n(r.active), percent(r.rate), percent(r.previous_rate)])
            .collect(),
        note: None,
    });
    t.push(completion_table(f, unit));
    t.push(Table {
        caption: "表4  “三项重点工作”信息报送及签收情况".into(),
        headers: [unit, "类别", "报送", "已签收", "退回", "待签收"].map(String::from).to_vec(),
        rows: f
            .submissions
            .towns
            .iter()
            .map(|r| vec![r.name.clone(), r.kind_label.clone(), n(r.sent), n(r.signed), n(r.returned), n(r.waiting)])
            .collect(),
        note: None,
    });
    t.push(Table {
        caption: "表5  职能部门签收情况".into(),
        headers: ["部门", "类别", "收到", "已签收", "待签收"].map(String::from).to_vec(),
        rows: f
            .submissions
            .departments
            .iter()
            .map(|r| vec![r.name.clone(), r.kind_label.clone(), n(r.received), n(r.signed), n(r.waiting)])
            .collect(),
        note: None,
    });
    t
}

/// Table 3: event completion of the child areas and in total, this month beside last.
fn completion_table(f: &BulletinFigures, unit: &str) -> Table {
    let c = &f.completion;
    let mut rows: Vec<Vec<String>> = c
        .towns
        .iter()
        .chain(std::iter::once(&c.overall))
        .map(|r| {
            vec![
                if r.area_id == f.area_id { "合计".into() } else { r.name.clone() },
                n(r.arrived),
                n(r.closed),
                percent(r.rate),
                n(r.previous_arrived),
                n(r.previous_closed),
                percent(r.previous_rate),
            ]
        })
        .collect();
    if rows.is_empty() {
        rows.push(vec!["合计".into(), "0".into(), "0".into(), "—".into(), "0".into(), "0".into(), "—".into()]);
    }
    Table {
        caption: "表3  事件办结情况（办结完成率 = 当月办结 ÷ 当月受理）".into(),
        headers: [unit, "受理", "办结", "办结完成率", "上月受理", "上月办结", "上月办结完成率"]
            .map(String::from)
            .to_vec(),
        rows,
        note: None,
    }
}

/// The tables as the document shows them (Word, the page, the print page): in the two tables of
/// reports and sign-off, a row whose figures are all 0 is left out, and the units with nothing at all
/// are named in one line under the table. The workbook keeps every row.
pub fn document_tables(b: &Bulletin) -> Vec<Table> {
    tables(b)
        .into_iter()
        .enumerate()
        .map(|(i, t)| match i {
            3 => fold(t, 2, "报送"),
            4 => fold(t, 2, "收到报送"),
            _ => t,
        })
        .collect()
}

/// Leaves out the rows whose columns from `first` on are all "0"; names the units (first column)
/// left with no row in one line.
pub fn fold(t: Table, first: usize, what: &str) -> Table {
    let zero = |r: &Vec<String>| r.iter().skip(first).all(|c| c == "0");
    let (empty, kept): (Vec<Vec<String>>, Vec<Vec<String>>) = t.rows.into_iter().partition(zero);
    if empty.is_empty() {
        return Table { rows: kept, ..t };
    }
    let mut idle: Vec<&str> = Vec::new();
    for r in &empty {
        let unit = r.first().map(String::as_str).unwrap_or("");
        if !kept.iter().any(|k| k.first().map(String::as_str) == Some(unit)) && !idle.contains(&unit) {
            idle.push(unit);
        }
    }
    let unit = t.headers.first().map(String::as_str).unwrap_or("单位");
    let mut note = if idle.is_empty() {
        String::new()
    } else {
        format!("本月没有{what}的{unit}（{} 个）：{}。", idle.len(), idle.join("、"))
    };
    if idle.len() < empty.len() {
        note.push_str("表中未列出的类别均为 0。");
    }
    Table { rows: kept, note: Some(note), ..t }
}

/// The signature (落款): the issuing unit, and the date — of publication, or of today for a bulletin
/// not yet published — as 2026年12月7日 (GB/T 9704).
pub fn signature(b: &Bulletin, now: crate::clock::Millis) -> (String, String) {
    let day = crate::clock::to_local(b.published_at.unwrap_or(now)).date_naive();
    let date = format!("{}年{}月{}日", day.year(), day.month(), day.day());
    (format!("{}综治中心", b.figures.area_name), date)
}

/// The paragraphs of the narrative, each marked as a heading or body text.
pub fn paragraphs(text: &str) -> Vec<(bool, String)> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| (narrative::is_heading(l), l.to_owned())).collect()
}

fn stamp(b: &Bulletin) -> String {
    let state = match b.state {
        "published" => format!("已发布（{}）", b.published_at.map(crate::clock::format_local).unwrap_or_default()),
        "draft" => "草稿".into(),
        _ => "系统生成，未保存".into(),
    };
    format!("{}  统计月份：{}  {state}", b.figures.area_name, b.figures.month)
}

/// The Word document: title, the narrative, the tables, and the signature (落款) at the end.
pub fn docx(b: &Bulletin, now: crate::clock::Millis) -> AppResult<Vec<u8>> {
    let mut blocks = vec![Block::Title(b.title.clone()), Block::Subtitle(stamp(b))];
    for (heading, line) in paragraphs(&b.text) {
        blocks.push(if heading { Block::Heading(line) } else { Block::Paragraph(line) });
    }
    blocks.extend(document_tables(b).into_iter().map(Block::Table));
    let (unit, date) = signature(b, now);
    blocks.extend([Block::Paragraph(String::new()), Block::Signature(unit), Block::Signature(date)]);
    docx::write(&b.title, &blocks)
}

/// The workbook of the tables, one sheet each.
pub fn xlsx(b: &Bulletin) -> AppResult<Vec<u8>> {
    let stamp = stamp(b);
    let names = ["账号活跃度", "部门活跃度", "事件办结", "报送签收", "部门签收"];
    let sheets: Vec<FigureSheet<'_>> = tables(b)
        .into_iter()
        .zip(names)
        .map(|(t, name)| FigureSheet { name, stamp: stamp.as_str(), headers: t.headers, rows: t.rows })
        .collect();
    crate::excel::figure_tables(&sheets)
}

/// `演示县-2026-03-月度通报.docx`.
pub fn file_name(b: &Bulletin, ext: &str) -> String {
    format!("{}-{}-月度通报.{ext}", b.figures.area_name, b.figures.month)
}
