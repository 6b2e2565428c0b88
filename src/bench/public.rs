//! `wangge bench public`: a grid's public board under many concurrent clients. Builds the demo
//! county in the given data directory (once), serves it on a local port from this process (the
//! same router and middleware as `wangge serve`), and runs `wrk` (Debian's package) against the
//! board; prints wrk's report and the p50/p99 latency and requests per second it measured.

use crate::cli::BenchPublicArgs;
use crate::clock::Clock;
use crate::state::AppState;
use anyhow::{Context, bail};
use std::process::Command;

pub async fn public(args: BenchPublicArgs) -> anyhow::Result<()> {
    let (db, config) = crate::startup::open(&args.data).await?;
    let hash = tokio::task::spawn_blocking(|| crate::auth::password::hash("wangge2026")).await??;
    crate::demo::seed_county(&db, &hash, Clock::System.now()).await?;
    let keys = crate::crypto::Keys::load(&args.data.data_dir)?;
    let grid = crate::domains::org::area_store::get_by_code(&db, &args.grid)
        .await?
        .filter(|a| a.kind == "grid")
        .with_context(|| format!("没有编码为 {} 的网格", args.grid))?;
    let state = AppState::new(db, Clock::System, config, keys);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = crate::web::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/public/grids/{}", grid.code);
    println!(
        "== wangge bench public · {} ({})，wrk -t{} -c{} -d{}s --latency {url}",
        grid.name, grid.code, args.threads, args.connections, args.seconds
    );
    let out = tokio::task::spawn_blocking({
        let (t, c, d, url) = (args.threads, args.connections, args.seconds, url.clone());
        move || {
            Command::new("wrk")
                .args([format!("-t{t}"), format!("-c{c}"), format!("-d{d}s"), "--latency".into(), url])
                .output()
        }
    })
    .await?
    .context("无法运行 wrk（Debian：apt-get install -y wrk）")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    print!("{text}");
    if !out.status.success() {
        bail!("wrk 失败：{}", String::from_utf8_lossy(&out.stderr));
    }
    let report = parse(&text).context("读不懂 wrk 的输出")?;
    println!(
        "公示牌：p50 {:.2} ms，p99 {:.2} ms，{:.0} 次/秒，非 2xx/3xx 答复 {} 个（目标：{} 个并发时 p99 < 20 ms）",
        report.p50_ms, report.p99_ms, report.per_second, report.errors, args.connections
    );
    state.db.close().await;
    Ok(())
}

/// The figures read from wrk's `--latency` report.
#[derive(Debug, PartialEq)]
pub struct Report {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub per_second: f64,
    /// Non-2xx/3xx answers and socket errors.
    pub errors: u64,
}

/// `2.31ms`, `850.00us`, `1.02s` → milliseconds.
fn millis(v: &str) -> Option<f64> {
    let (num, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60_000.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|x| x * factor)
}

pub fn parse(text: &str) -> Option<Report> {
    let mut p50 = None;
    let mut p99 = None;
    let mut rps = None;
    let mut errors = 0;
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("50%") => p50 = words.next().and_then(millis),
            Some("99%") => p99 = words.next().and_then(millis),
            Some("Requests/sec:") => rps = words.next().and_then(|v| v.parse().ok()),
            Some("Non-2xx") => errors += line.rsplit(' ').next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0),
            Some("Socket") => {
                errors += line
                    .split(',')
                    .filter_map(|part| part.split_whitespace().last().and_then(|v| v.parse::<u64>().ok()))
                    .sum::<u64>()
            }
            _ => {}
        }
    }
    Some(Report { p50_ms: p50?, p99_ms: p99?, per_second: rps?, errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wrk_report() {
        let text = "Running 20s test @ http://127.0.0.1:1/public/grids/1
  2 threads and 200 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.10ms    2.00ms  40.00ms   80.00%
  Latency Distribution
     50%    4.80ms
     75%    6.00ms
     90%    8.00ms
     99%   12.50ms
  400000 requests in 20.00s, 1.00GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or Non-3xx responses: 5
Requests/sec:  20000.50
Transfer/sec:     51.20MB
";
        assert_eq!(parse(text), Some(Report { p50_ms: 4.8, p99_ms: 12.5, per_second: 20000.5, errors: 8 }));
        assert_eq!(millis("850.00us"), Some(0.85));
        assert_eq!(millis("1.50s"), Some(1500.0));
        assert_eq!(parse("nothing"), None);
    }
}
