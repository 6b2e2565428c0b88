//! `wangge demo` from start to end: the county (and synthetic trees), the seed town's register and
//! the worked examples of every domain, the sign-ins printed, then the server.

use super::{bulletin, events, patrols, people, public, submissions, visits};
use super::{seed_county, seed_heshan_register, seed_synthetic};
use crate::auth::password;
use crate::cli::DemoArgs;
use crate::clock::{Clock, Millis};
use crate::db::Db;
use crate::state::AppState;
use anyhow::{anyhow, bail};
use std::time::Instant;

/// Sets the demo password on every demo account (so a re-run with `--demo-password` takes effect).
async fn set_demo_password(db: &Db, hash: &str) -> anyhow::Result<()> {
    db.read().execute("UPDATE accounts SET password_hash = $1 WHERE demo = TRUE", crate::args![hash]).await?;
    Ok(())
}

/// The demo county, its seed register and the worked examples of every domain (each only once);
/// answers the rows the bulk seeds wrote and the lines to print about the examples.
pub async fn seed_all(state: &AppState, hash: &str, now: Millis) -> anyhow::Result<(u64, Vec<String>)> {
    let rows = seed_county(&state.db, hash, now).await?;
    let people = seed_heshan_register(&state.db, &state.keys, now).await?;
    let mut lines = Vec::new();
    let t = Instant::now();
    let events = events::seed(state, now).await?;
    if events > 0 {
        lines.push(format!(
            "演示事件 {events} 件（近三个月，走完整流程，含超时和待办），用时 {:.1} 秒",
            t.elapsed().as_secs_f64()
        ));
    }
    let submitted = submissions::seed(state, now).await?;
    if submitted > 0 {
        lines.push(format!("演示报送 {submitted} 件（流动人口信息变更报派出所：已签收、被退回、待签收）"));
    }
    let t = Instant::now();
    let (days, town_events) = bulletin::seed(state, now).await?;
    if days > 0 {
        lines.push(format!(
            "演示通报数据：账号使用 {days} 人天、各乡镇事件 {town_events} 件，用时 {:.1} 秒",
            t.elapsed().as_secs_f64()
        ));
    }
    let patrolled = patrols::seed(state, now).await?;
    if patrolled > 0 {
        lines.push(format!("演示巡查 {patrolled} 次（嫩水社区近一周，含签到、轨迹、发现和碰头会）"));
    }
    let visited = visits::seed(state, now).await?;
    if visited > 0 {
        lines.push(format!("演示走访户 {visited} 次（近六周，部分下次走访已逾期）"));
    }
    lines.extend(public::seed(state, now).await?);
    set_demo_password(&state.db, hash).await?;
    Ok((rows + people + events, lines))
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    password::check_policy("demo_password", &args.demo_password, "demo")
        .map_err(|e| anyhow!("演示密码不符合密码规则：{e}"))?;
    let counties = match args.scale.as_str() {
        "county" => 0,
        "city" => 10,
        "province" => 100,
        other => bail!("--scale 只能是 county、city 或 province，而不是 {other}"),
    };
    let state = crate::startup::state_for(&args.serve).await?;
    let pw = args.demo_password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw)).await??;
    let now = Clock::System.now();
    let mut rows = 0;
    if counties > 0 {
        rows += seed_county(&state.db, &hash, now).await?;
        rows += seed_synthetic(&state.db, &hash, counties, now).await?;
        rows += seed_heshan_register(&state.db, &state.keys, now).await?;
        let want = args.people.unwrap_or(if counties == 10 { 5_000_000 } else { 50_000_000 });
        println!("生成合成人口，目标共 {want} 人（已有的保留）……");
        rows += people::generate(&state.db, &state.keys, counties, want, now).await?;
    }
    let (seeded, lines) = seed_all(&state, &hash, now).await?;
    for line in lines {
        println!("{line}");
    }
    print_sign_ins(&args, rows + seeded, started.elapsed().as_secs_f64());
    if args.no_serve {
        state.db.close().await;
        return Ok(());
    }
    crate::startup::run(state, &args.serve.listen).await
}

fn print_sign_ins(args: &DemoArgs, rows: u64, secs: f64) {
    let pw = &args.demo_password;
    println!();
    println!("演示县已就绪（本次写入 {rows} 行，用时 {secs:.1} 秒）。");
    println!("地址：http://{}/", args.serve.listen);
    println!("所有演示账号的密码：{pw}");
    println!("  admin      系统管理员        security  安全管理员        auditor  审计管理员");
    println!("  county     县综治中心        viewer    县级只读");
    println!("  heshan     鹤山镇综治中心    （其他乡镇用拼音，如 wenchang、hongren）");
    println!("  heshan.police / heshan.justice / heshan.health   鹤山派出所 / 司法所 / 卫生院");
    println!("  heshan.c1  鹤山镇嫩水社区工作人员（c1–c7 为七个社区）");
    println!("  heshan.c1.g1  嫩水社区第 1 网格网格员（g1–g26）");
    if args.scale != "county" {
        println!("  合成数据：s001 县综治中心，s001.t1 乡镇，s001.t1.c1 社区，s001.t1.c1.g1 网格员");
    }
    println!();
}
