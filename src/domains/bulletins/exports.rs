//! The bulletin's tables (shared by the Word file, the workbook and the print page) and the two files.

use super::docx::{self, Block, Table};
use super::narrative;
use super::service::Bulletin;
use crate::domains::events::figures::percent;
use crate::error::AppResult;
use crate::excel::FigureSheet;

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
    });
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
    t.push(Table {
        caption: "表3  事件办结情况（办结完成率 = 当月办结 ÷ 当月受理）".into(),
        headers: [unit, "受理", "办结", "办结完成率", "上月受理", "上月办结", "上月办结完成率"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    t.push(Table {
        caption: "表4  “三项重点工作”信息报送及签收情况".into(),
        headers: [unit, "类别", "报送", "已签收", "退回", "待签收"].map(String::from).to_vec(),
        rows: f
            .submissions
            .towns
            .iter()
            .map(|r| vec![r.name.clone(), r.kind_label.clone(), n(r.sent), n(r.signed), n(r.returned), n(r.waiting)])
            .collect(),
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
    });
    t
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

/// The Word document: title, the narrative, then the tables.
pub fn docx(b: &Bulletin) -> AppResult<Vec<u8>> {
    let mut blocks = vec![Block::Title(b.title.clone()), Block::Subtitle(stamp(b))];
    for (heading, line) in paragraphs(&b.text) {
        blocks.push(if heading { Block::Heading(line) } else { Block::Paragraph(line) });
    }
    blocks.extend(tables(b).into_iter().map(Block::Table));
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
