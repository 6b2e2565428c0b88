//! Demo of the public side: office hours and phones of 鹤山镇's communities (for the boards and
//! contact cards), and a few residents' 随手拍 reports filed through the intake, one of them accepted
//! with a public reply; answers the lines to print (the tracking codes among them).

use super::events::actor;
use crate::args;
use crate::clock::Millis;
use crate::domains::events::service::{self as events, ActionInput};
use crate::domains::org::area_store;
use crate::domains::public::intake::{self, ResidentReport, Source};
use crate::domains::public::model::display_code;
use crate::domains::public::office::{self, OfficeInput};
use crate::domains::public::replies;
use crate::state::AppState;
use crate::web::meta::RequestMeta;
use anyhow::anyhow;

/// The reports: (grid code, category, description, address, call-back phone).
const REPORTS: [(&str, &str, &str, &str, &str); 3] = [
    (
        "510725101001001",
        "0403",
        "幸福小区 3 栋东门的下水道堵了，污水漫到路面上，已经两天了",
        "嫩水路幸福小区 3 栋东门",
        "13800138000",
    ),
    ("510725101001002", "0401", "菜市场后门的垃圾桶满了好几天没人清运，味道很大", "嫩水菜市场后门", ""),
    ("510725101002001", "0501", "学校门口早上有流动摊贩占道，孩子上学很挤", "金山小学正门", "13900139000"),
];

/// Seeds once (office hours only where none are saved; reports only while there are none).
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    let mut offices = 0;
    for c in 1..=7 {
        let Some(area) = area_store::get_by_code(&state.db, &format!("5107251010{c:02}")).await? else { continue };
        let a = actor(state, &format!("heshan.c{c}"), now).await?;
        let (_, cur, _) = office::get(state, &a, area.id).await.map_err(|e| anyhow!("{e}"))?;
        if cur.version > 0 {
            continue;
        }
        let input = OfficeInput {
            version: 0,
            office_hours: "周一至周五 8:30–12:00、14:30–17:30（节假日有人值班）".into(),
            office_phone: format!("0816-72{c:02}{:03}", 100 + c),
            office_address: format!("{}党群服务中心一楼", area.name),
        };
        office::save(state, &a, area.id, &input).await.map_err(|e| anyhow!("{e}"))?;
        offices += 1;
    }
    if offices > 0 {
        lines.push(format!("社区办公时间和电话：{offices} 个社区（显示在各网格公示牌和服务联系卡上）"));
    }
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM public_reports", args![]).await?;
    if have == 0 {
        file_reports(state).await?;
    }
    // Printed on every run, so a re-run still shows where to try the tracking page.
    let filed: Vec<(String, Option<String>, String, Option<i64>)> = state
        .db
        .read()
        .fetch_all(
            "SELECT pr.tracking_code, g.name, e.address, pr.grid_id FROM public_reports pr JOIN events e ON e.id = pr.event_id \
             LEFT JOIN areas g ON g.id = pr.grid_id WHERE pr.source = 'public_page' ORDER BY pr.id LIMIT 3",
            args![],
        )
        .await?;
    lines.push("群众随手拍演示（凭追踪码在 /public/track 查询进度）：".into());
    for (i, (code, grid, address, _)) in filed.iter().enumerate() {
        let note = if i == 0 { "（已受理，有公开答复）" } else { "" };
        lines.push(format!("  {}  {} · {address}{note}", display_code(code), grid.as_deref().unwrap_or("")));
    }
    if let Some(id) = filed.first().and_then(|f| f.3) {
        lines.push(format!(
            "公示牌：/public/grids/{}（打印版加 /poster）；服务联系卡：登录后 /areas/{id}/contact-cards",
            REPORTS[0].0
        ));
    }
    Ok(lines)
}

/// Files the demo reports through the resident intake; the first is accepted and answered publicly.
async fn file_reports(state: &AppState) -> anyhow::Result<()> {
    for (i, (grid, category, description, address, phone)) in REPORTS.iter().enumerate() {
        let Some(g) = area_store::get_by_code(&state.db, grid).await? else { continue };
        let meta =
            RequestMeta { request_id: "demo".into(), ip: format!("192.0.2.{}", 10 + i), user_agent: String::new() };
        let receipt = intake::accept(
            state,
            ResidentReport {
                grid_id: Some(g.id),
                category: (*category).into(),
                description: (*description).into(),
                location: None,
                address: (*address).into(),
                photos: vec![],
                callback_phone: Some((*phone).into()),
            },
            Source::PublicPage { meta },
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        if i == 0 {
            let worker = actor(state, "heshan.c1.g1", state.clock.now()).await?;
            let accept = ActionInput { action: "accept".into(), ..Default::default() };
            events::act(state, &worker, receipt.event_id, &accept, vec![]).await.map_err(|e| anyhow!("{e}"))?;
            replies::reply(state, &worker, receipt.event_id, "已联系物业，今天下午安排疏通，请您留意。", false)
                .await
                .map_err(|e| anyhow!("{e}"))?;
        }
    }
    Ok(())
}
