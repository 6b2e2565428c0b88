//! Excel in and out: the template, an import in the background with an error workbook, the same
//! file twice changing nothing, refusal of junk, wrong headers and zip bombs, and audited exports.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::Write;
use wangge::auth::Role::*;
use wangge::domains::registry::id_number::make;

const HEADERS: [&str; 9] =
    ["姓名", "证件号码", "联系电话", "人员类别", "所属网格编码", "现住址", "民族", "流入原因", "来源地"];

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(1 + r as u32, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn id(y: i32, seq: u32) -> String {
    make("510725", chrono::NaiveDate::from_ymd_opt(y, 5, 20).unwrap(), seq)
}

async fn upload(app: &TestApp, s: &Session, bytes: &[u8]) -> (StatusCode, Value) {
    let (ct, body) =
        multipart("file", "人口.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes);
    let req = app
        .request(Method::POST, "/api/v1/imports/persons", s)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

/// Polls the job until it is done (bounded).
async fn finished(app: &TestApp, s: &Session, id: i64) -> Value {
    for _ in 0..500 {
        let (st, v) = app.get(s, &format!("/api/v1/imports/{id}")).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        if v["status"] == "done" || v["status"] == "failed" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("import did not finish");
}

#[tokio::test]
async fn template_has_the_contract_headers_and_drop_downs() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let r = app.call(Method::GET, "/api/v1/imports/persons/template.xlsx", &worker, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let (headers, rows) = wangge::excel::read_first_sheet(&r.body).unwrap();
    for h in ["姓名", "证件号码", "联系电话", "人员类别", "所属网格编码", "现住址"] {
        assert!(headers.iter().any(|x| x == h), "template has {h}: {headers:?}");
    }
    assert!(rows.is_empty());
    let text = String::from_utf8_lossy(&unzip(&r.body, "xl/worksheets/sheet1.xml")).to_string();
    assert!(text.contains("dataValidation") && text.contains("代码表"), "drop-down lists from the code tables");
    let r = app.call(Method::GET, "/api/v1/imports/martians/template.xlsx", &worker, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

fn unzip(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut f, &mut out).unwrap();
    out
}

#[tokio::test]
async fn import_writes_valid_rows_returns_errors_and_is_idempotent() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let grid = "510725101001001".to_owned();
    let mut bad = id(1983, 12);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let rows = vec![
        vec![
            "张三".into(),
            id(1980, 11),
            "13912345678".into(),
            "户籍人口".into(),
            grid.clone(),
            "嫩水路1号".into(),
            "汉族".into(),
            "".into(),
            "".into(),
        ],
        vec![
            "李四".into(),
            id(1981, 13),
            "".into(),
            "户籍".into(),
            grid.clone(),
            "嫩水路2号".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
        vec![
            "王五".into(),
            id(1990, 15),
            "13600001111".into(),
            "流动人口".into(),
            grid.clone(),
            "嫩水路3号".into(),
            "".into(),
            "务工".into(),
            "四川省南充市".into(),
        ],
        vec![
            "赵六".into(),
            bad,
            "".into(),
            "户籍人口".into(),
            grid.clone(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
        vec![
            "钱七".into(),
            id(1970, 17),
            "".into(),
            "户籍人口".into(),
            "510725102001001".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
        vec![
            "孙八".into(),
            id(1980, 11),
            "".into(),
            "户籍人口".into(),
            grid.clone(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
    ];
    let file = xlsx(&rows);
    let (st, v) = upload(&app, &worker, &file).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &worker, v["id"].as_i64().unwrap()).await;
    // 王五 is floating without 居住证件类型 and 流入日期: refused with the reason.
    assert_eq!(
        (job["total"].as_i64(), job["imported"].as_i64(), job["failed"].as_i64()),
        (Some(6), Some(2), Some(4)),
        "{job}"
    );
    let link = job["error_file"].as_str().unwrap();
    let r = app.call(Method::GET, link, &worker, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let (stamp, data) = wangge::excel::read_first_sheet(&r.body).unwrap();
    assert!(stamp[0].contains("导入错误清单"), "{stamp:?}");
    assert_eq!(data[0].last().unwrap(), "错误原因");
    let reasons: Vec<&String> = data[1..].iter().map(|r| r.last().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.contains("证件号码") && r.contains("校验位")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("510725102001001")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("与第 2 行重复")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("居住证件类型")), "{reasons:?}");
    let (_, list) = app.get(&worker, "/api/v1/persons").await;
    assert_eq!(list["total"], 2);
    // The same file again changes nothing.
    let (_, v) = upload(&app, &worker, &file).await;
    let job = finished(&app, &worker, v["id"].as_i64().unwrap()).await;
    assert_eq!(
        (job["imported"].as_i64(), job["unchanged"].as_i64(), job["failed"].as_i64()),
        (Some(0), Some(2), Some(4)),
        "{job}"
    );
    let (_, list) = app.get(&worker, "/api/v1/persons").await;
    assert_eq!(list["total"], 2);
    // Another account cannot see the job.
    let other = app.demo_session("w2", GridWorker, Bind::Area(tree.grid_a1_2)).await;
    let (st, _) = app.get(&other, &format!("/api/v1/imports/{}", v["id"])).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn junk_wrong_headers_and_zip_bombs_are_refused_with_nothing_written() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let (st, v) = upload(&app, &worker, b"name,id\nzhang,1").await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    // A real xlsx with the wrong headers.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "名字").unwrap();
    let (st, v) = upload(&app, &worker, &wb.save_to_buffer().unwrap()).await;
    assert_error(&(st, v.clone()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("file"));
    assert!(v["message"].as_str().unwrap().contains("所属网格编码"), "{v}");
    // A zip whose one part unpacks to 50 MB of zeros.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/workbook.xml", opts).unwrap();
        z.write_all(b"<workbook/>").unwrap();
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..50 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    let (st, v) = upload(&app, &worker, buf.get_ref()).await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    assert!(v["message"].as_str().unwrap().contains("压缩"), "{v}");
    let (_, list) = app.get(&worker, "/api/v1/persons?status=all").await;
    assert_eq!(list["total"], 0);
    assert!(app.audit_rows("import_started").await.is_empty(), "no job was created");
}

#[tokio::test]
async fn exports_are_masked_stamped_and_audited() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let number = id(1979, 21);
    let (st, v) = app
        .post_json(&worker, "/api/v1/persons", json!({ "kind": "registered", "name": "张三", "id_number": number, "grid_id": tree.grid_a1_1, "phone": "13912345678" }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let r = app.call(Method::GET, "/api/v1/persons/export.xlsx?q=zs", &worker, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let (stamp, rows) = wangge::excel::read_first_sheet(&r.body).unwrap();
    assert!(stamp[0].contains("导出人") && stamp[0].contains("（w）") && stamp[0].contains("已脱敏"), "{stamp:?}");
    assert_eq!(rows[1][0], "张三");
    assert!(rows[1][1].contains("********") && rows[1][2] == "139****5678", "{rows:?}");
    let r =
        app.call(Method::GET, "/api/v1/persons/export.csv?unmask=true&reason=%E4%B8%8A%E6%8A%A5", &worker, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = String::from_utf8(r.body.clone()).unwrap();
    assert!(text.contains(&number) && text.contains("含完整号码"), "{text}");
    let r = app.call(Method::GET, "/api/v1/persons/export.csv?unmask=true", &worker, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rows = app.audit_rows("person_export").await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r.detail.contains("\"unmasked\":true") && r.detail.contains("上报")), "{rows:?}");
    assert!(rows.iter().all(|r| !r.detail.contains(&number)), "the audit trail never holds the number");
    let viewer = app.demo_session("v", CountyViewer, Bind::Area(tree.county)).await;
    let r = app.call(Method::GET, "/api/v1/persons/export.csv?unmask=true&reason=x", &viewer, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
