//! `wangge bench sync`: a phone comes back online with 500 queued records (people registered,
//! events reported — some with a photo —, houses, households and visits to them) and sends them
//! as the field app does: photos first, then batches of 50 to `POST /api/v1/field/sync`, over real
//! HTTP on a local socket, signed in with a session cookie and CSRF token. Prints the total time.

use super::stats;
use crate::auth::password;
use crate::cli::BenchSyncArgs;
use crate::clock::Clock;
use crate::crypto::Keys;

use crate::domains::org::area_store;
use crate::domains::registry::id_number::make;
use crate::state::AppState;
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const PASSWORD: &str = "Bench-2026-pw";
const WORKER: &str = "heshan.c1.g1";

/// A 1×1 PNG, as a phone photo stand-in (the photo check reads the content, not the name).
const PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// One keep-alive HTTP/1.1 connection, as a browser tab would hold.
struct Http {
    conn: BufReader<TcpStream>,
    host: String,
    cookie: String,
    csrf: String,
}

impl Http {
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> anyhow::Result<(u16, Vec<u8>, Vec<String>)> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n",
            self.host,
            body.len()
        );
        if !content_type.is_empty() {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        if !self.cookie.is_empty() {
            head.push_str(&format!("Cookie: {}\r\nX-CSRF-Token: {}\r\n", self.cookie, self.csrf));
        }
        head.push_str("\r\n");
        let w = self.conn.get_mut();
        w.write_all(head.as_bytes()).await?;
        w.write_all(body).await?;
        let mut status_line = String::new();
        self.conn.read_line(&mut status_line).await?;
        let status: u16 =
            status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow!("bad status line"))?;
        let (mut length, mut cookies) = (0usize, Vec::new());
        loop {
            let mut line = String::new();
            self.conn.read_line(&mut line).await?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                match k.to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse()?,
                    "set-cookie" => cookies.push(v.trim().to_owned()),
                    "transfer-encoding" => bail!("chunked answers are not expected here"),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        self.conn.read_exact(&mut body).await?;
        Ok((status, body, cookies))
    }

    async fn json(&mut self, method: &str, path: &str, v: &Value) -> anyhow::Result<(u16, Value)> {
        let (st, body, _) = self.send(method, path, "application/json", v.to_string().as_bytes()).await?;
        Ok((st, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }
}

fn multipart(bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----wanggeBenchSync";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The queue a morning's work leaves on the phone: `records` operations in the order captured.
fn queue(records: usize, grid: i64, run: u64) -> Vec<(Value, bool)> {
    let mut ops = Vec::with_capacity(records);
    let mut i = 0usize;
    let id = |k: &str, i: usize| format!("bench-{run:x}-{k}-{i:05}");
    while ops.len() < records {
        let slot = i % 10;
        let op = match slot {
            // Half are people registered at the door.
            0..=4 => {
                let birth = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default()
                    + chrono::Days::new(((run % 5000) * 7 + i as u64) % 25_000);
                let number = make("510725", birth, (run % 1000) as u32 + i as u32);
                json!({ "op_id": id("person", i), "kind": "person.create", "data": {
                    "kind": "registered", "name": format!("同步测{i}"), "id_number": number, "grid_id": grid,
                    "phone": format!("139{:08}", i), "address": format!("嫩水路 {} 号", i % 200 + 1), "extra": {} } })
            }
            // Two in ten are events, every fifth of them with a photo.
            5 | 6 => json!({ "op_id": id("event", i), "kind": "event.report", "data": {
                "category": "0301", "title": format!("消防通道堵塞 {i}"), "address": "嫩水路 8 号",
                "details": { "what": "楼道里堆放杂物，堵住了消防通道", "where": "嫩水路 8 号 2 栋" } } }),
            7 => json!({ "op_id": id("house", i), "kind": "house.create", "data": {
                "grid_id": grid, "house_no": format!("B{run:x}-{i}"), "house_use": "10", "address": format!("嫩水路 {i} 号") } }),
            8 => json!({ "op_id": id("household", i), "kind": "household.create", "data": {
                "grid_id": grid, "household_no": format!("H{run:x}-{i}") } }),
            _ => json!({ "op_id": id("visit", i), "kind": "visit.record", "ref_op": id("household", i - 1), "data": {
                "visited_on": crate::clock::to_local(Clock::System.now()).date_naive().to_string(), "kind": "routine",
                "note": "上门走访，家中一切正常" } }),
        };
        let photo = slot == 5 && (i / 10).is_multiple_of(5);
        ops.push((op, photo));
        i += 1;
    }
    ops
}

pub async fn sync(args: BenchSyncArgs) -> anyhow::Result<()> {
    let (db, config) = crate::startup::open(&args.data).await?;
    let keys = Keys::load(&args.data.data_dir)?;
    let state = AppState::new(db, Clock::System, config, keys);
    let backend = state.db.backend().name();
    println!("== wangge bench sync · {backend} · {} 条待同步，每批 {} 条", args.records, args.batch);
    let grid = demo_grid(&state).await?;
    let addr = serve(&state).await?;
    let mut http = sign_in(addr).await?;

    let run = Clock::System.now() as u64 / 1000;
    let mut ops = queue(args.records, grid.id, run);
    let photos = ops.iter().filter(|(_, p)| *p).count();
    let t = Instant::now();
    upload_photos(&mut http, &mut ops).await?;
    let uploads = t.elapsed();
    let Sent { batch_ms, applied, other } = send_batches(&mut http, &ops, args.batch).await?;
    let total = t.elapsed();
    let s = stats(batch_ms.clone());
    println!(
        "{} 条（{} 张照片先上传，用时 {:.2} s）在 {:.2} s 内同步完：applied {applied}，其他 {}；{:.0} 条/秒",
        args.records,
        photos,
        uploads.as_secs_f64(),
        total.as_secs_f64(),
        other.len(),
        args.records as f64 / total.as_secs_f64()
    );
    println!(
        "每批 {} 条：{} 批，p50 {:.0} ms，p95 {:.0} ms，最长 {:.0} ms",
        args.batch,
        batch_ms.len(),
        s.p50,
        s.p95,
        s.max
    );
    if let Some(first) = other.first() {
        bail!("{} 条没有同步成功，例如：{first}", other.len());
    }
    Ok(())
}

/// The demo county's first grid, seeding the county if it is not there yet.
async fn demo_grid(state: &AppState) -> anyhow::Result<area_store::AreaRow> {
    Ok(match area_store::get_by_code(&state.db, "510725101001001").await? {
        Some(g) => g,
        None => {
            let hash = password::hash(PASSWORD)?;
            crate::demo::seed_county(&state.db, &hash, state.clock.now()).await?;
            area_store::get_by_code(&state.db, "510725101001001").await?.context("demo grid")?
        }
    })
}

/// The web app on a local socket; answers its address.
async fn serve(state: &AppState) -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = crate::web::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// A connection signed in as the grid worker, with its session cookie and CSRF token.
async fn sign_in(addr: std::net::SocketAddr) -> anyhow::Result<Http> {
    let mut http = Http {
        conn: BufReader::new(TcpStream::connect(addr).await?),
        host: addr.to_string(),
        cookie: String::new(),
        csrf: String::new(),
    };
    let login = json!({ "username": WORKER, "password": PASSWORD }).to_string();
    let (st, body, cookies) = http.send("POST", "/api/v1/auth/login", "application/json", login.as_bytes()).await?;
    if st != 200 {
        bail!(
            "sign-in failed ({st}): {}（此数据目录里的演示账号须用 bench 的口令建立，请用新的数据目录）",
            String::from_utf8_lossy(&body)
        );
    }
    let v: Value = serde_json::from_slice(&body)?;
    http.csrf = v["csrf_token"].as_str().unwrap_or_default().to_owned();
    http.cookie = cookies.first().and_then(|c| c.split(';').next()).unwrap_or_default().to_owned();
    Ok(http)
}

/// Photos first, as the app does: each op with a photo gets its upload's id.
async fn upload_photos(http: &mut Http, ops: &mut [(Value, bool)]) -> anyhow::Result<()> {
    for (op, photo) in ops.iter_mut() {
        if *photo {
            let key = format!("{}-0", op["op_id"].as_str().unwrap_or_default());
            let (ct, body) = multipart(&PNG);
            let (st, answer, _) = http.send("POST", &format!("/api/v1/field/photos?key={key}"), &ct, &body).await?;
            if st != 201 {
                bail!("photo upload failed ({st}): {}", String::from_utf8_lossy(&answer));
            }
            let a: Value = serde_json::from_slice(&answer)?;
            op["photos"] = json!([a["upload_id"]]);
        }
    }
    Ok(())
}

/// What the batches answered: each batch's time, the ops applied and the other results.
struct Sent {
    batch_ms: Vec<f64>,
    applied: usize,
    other: Vec<Value>,
}

/// The ops in batches of `batch` to `POST /api/v1/field/sync`.
async fn send_batches(http: &mut Http, ops: &[(Value, bool)], batch: usize) -> anyhow::Result<Sent> {
    let mut batch_ms = Vec::new();
    let mut applied = 0usize;
    let mut other = Vec::new();
    for chunk in ops.chunks(batch.max(1)) {
        let b = Instant::now();
        let list: Vec<&Value> = chunk.iter().map(|(op, _)| op).collect();
        let (st, answer) = http.json("POST", "/api/v1/field/sync", &json!({ "ops": list })).await?;
        batch_ms.push(b.elapsed().as_secs_f64() * 1000.0);
        if st != 200 {
            bail!("sync failed ({st}): {answer}");
        }
        for r in answer["results"].as_array().into_iter().flatten() {
            if r["status"] == "applied" {
                applied += 1;
            } else {
                other.push(r.clone());
            }
        }
    }
    Ok(Sent { batch_ms, applied, other })
}
