//! Uploads that fit the limits cannot take the memory (issue 15.7): a shared-strings part that
//! unpacks past its cap is refused before it is parsed, and imports run one per account and a few
//! per server, the rest told in Chinese to try again later.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::Value;
use std::io::Write;
use wangge::auth::Role::*;

fn workbook(rows: usize) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["姓名", "证件号码", "联系电话", "人员类别", "所属网格编码", "现住址"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 0..rows {
        ws.write_string(1 + r as u32, 0, format!("某人{r}")).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The workbook with its shared strings replaced by `unpacked` bytes that compress about 80:1
/// (under the ratio guard, so only the shared-strings cap can refuse it).
fn with_big_shared_strings(good: &[u8], unpacked: usize) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        out.start_file(name.clone(), zip::write::SimpleFileOptions::default()).unwrap();
        if name == "xl/sharedStrings.xml" {
            let mut seed: u64 = 7;
            let mut written = 0;
            out.write_all(
                b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
            )
            .unwrap();
            while written < unpacked {
                let mut block = Vec::with_capacity(10_000);
                block.extend_from_slice(b"<si><t>");
                for _ in 0..100 {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    block.push(b'a' + (seed >> 59) as u8 % 26);
                }
                block.resize(9_990, b'x');
                block.extend_from_slice(b"</t></si>");
                out.write_all(&block).unwrap();
                written += block.len();
            }
            out.write_all(b"</sst>").unwrap();
        } else {
            std::io::copy(&mut f, &mut out).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

async fn upload(app: &TestApp, s: &Session, bytes: &[u8]) -> (StatusCode, Value) {
    let (ct, body) =
        multipart("file", "导入.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes);
    let req = app
        .request(Method::POST, "/api/v1/imports/persons", s)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn shared_strings_that_unpack_past_the_cap_are_refused_before_parsing() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let bomb = with_big_shared_strings(&workbook(3), 70 * 1024 * 1024);
    assert!(bomb.len() < wangge::excel::MAX_UPLOAD_BYTES, "the file fits the upload limit: {}", bomb.len());
    let (st, v) = upload(&app, &worker, &bomb).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert!(v["message"].as_str().unwrap().contains("表格中的文字内容解压后超过 64 MB"), "{v}");
    // Nothing was started.
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM import_jobs", vec![]).await.unwrap();
    assert_eq!(n, 0);
    // Under the cap the same kind of file is read (and its rows checked as usual).
    let fine = with_big_shared_strings(&workbook(3), 2 * 1024 * 1024);
    let (st, v) = upload(&app, &worker, &fine).await;
    assert_ne!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
}

#[tokio::test]
async fn imports_run_one_per_account_and_a_few_per_server() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let a = app.demo_session("a", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let b = app.demo_session("b", GridWorker, Bind::Area(tree.grid_a1_2)).await;
    let c = app.demo_session("c", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    let file = workbook(2);
    // Worker A's import is running (its slot is held): A's second one waits.
    let slot_a = wangge::imports::take_slot(&app.state, a.id()).unwrap();
    let (st, v) = upload(&app, &a, &file).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["message"], "您已有一个导入正在进行，请等它完成后再试");
    // B's runs too: the server's two places are taken, C is told to try again later.
    let slot_b = wangge::imports::take_slot(&app.state, b.id()).unwrap();
    let (st, v) = upload(&app, &c, &file).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["message"], "服务器上正在进行的导入较多，请稍后再试");
    // When they finish, C's import starts, and so does A's next one.
    drop((slot_a, slot_b));
    let (st, v) = upload(&app, &c, &file).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM import_jobs", vec![]).await.unwrap();
    assert_eq!(n, 1);
}
