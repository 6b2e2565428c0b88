//! Excel in and out: the templates, imports in the background with an error workbook (persons, houses,
//! households, rentals, places), the same file twice changing nothing, another area's records never
//! overwritten, refusal of junk, wrong headers and zip bombs, and audited exports.

use crate::fixtures::{self, id_number, register_id};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::Write;
use wangge::auth::Role::*;

const HEADERS: [&str; 9] =
    ["姓名", "证件号码", "联系电话", "人员类别", "所属网格编码", "现住址", "民族", "流入原因", "来源地"];

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    sheet(&HEADERS, rows)
}

/// A workbook with these headers and rows.
fn sheet(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
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
    id_number(y, 5, 20, seq)
}

async fn upload(app: &TestApp, s: &Session, bytes: &[u8]) -> (StatusCode, Value) {
    upload_to(app, s, "/api/v1/imports/persons", bytes).await
}

/// Posts a file to an upload address (API or page).
async fn upload_to(app: &TestApp, s: &Session, path: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let r = post_file(app, s, path, bytes).await;
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

async fn post_file(app: &TestApp, s: &Session, path: &str, bytes: &[u8]) -> Resp {
    let (ct, body) =
        multipart("file", "导入.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes);
    let req = app.request(Method::POST, path, s).header(header::CONTENT_TYPE, ct).body(Body::from(body)).unwrap();
    app.send(req).await
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
async fn imported_floating_people_are_sent_to_the_police_station_for_sign_off() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let police = app.demo_session("police", DepartmentHandler, Bind::Department(tree.dept_a)).await;
    let headers = ["姓名", "证件号码", "人员类别", "所属网格编码", "居住证件类型", "流入原因", "来源地", "流入日期"];
    let grid = "510725101001001".to_owned();
    let row = |name: &str, number: String, kind: &str, permit: &str, date: &str| -> Vec<String> {
        let floating = !permit.is_empty();
        vec![
            name.into(),
            number,
            kind.into(),
            grid.clone(),
            permit.into(),
            if floating { "务工".into() } else { String::new() },
            if floating { "四川省南充市".into() } else { String::new() },
            date.into(),
        ]
    };
    let file = sheet(
        &headers,
        &[
            row("周流动", id(1992, 21), "流动人口", "居住证", "2026-01-05"),
            row("吴户籍", id(1985, 23), "户籍人口", "", ""),
        ],
    );
    let (st, v) = upload(&app, &worker, &file).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    let job = finished(&app, &worker, v["id"].as_i64().unwrap()).await;
    assert_eq!(
        (job["imported"].as_i64(), job["failed"].as_i64()),
        (Some(2), Some(0)),
        "{:?}",
        reasons(&app, &worker, &job).await
    );
    // Only the floating person is submitted, to the town's police station, waiting for sign-off.
    let (st, todo) = app.get(&police, "/api/v1/submissions/todo").await;
    assert_eq!(st, StatusCode::OK, "{todo}");
    let items = todo["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{todo}");
    assert_eq!(items[0]["kind"], "floating");
    assert!(items[0].to_string().contains("周流动"), "{todo}");
    // Importing the same file again changes nothing and sends nothing more.
    let (_, v) = upload(&app, &worker, &file).await;
    let job = finished(&app, &worker, v["id"].as_i64().unwrap()).await;
    assert_eq!(job["unchanged"].as_i64(), Some(2), "{job}");
    let (_, todo) = app.get(&police, "/api/v1/submissions/todo").await;
    assert_eq!(todo["items"].as_array().unwrap().len(), 1, "{todo}");
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

// ---- houses, households, rentals, places ---------------------------------------------------

const HOUSE_HEADERS: [&str; 15] = [
    "房屋编号",
    "所属网格编码",
    "街路巷",
    "楼栋",
    "单元",
    "房号",
    "地址",
    "房屋用途",
    "建筑面积",
    "房主姓名",
    "房主证件号码",
    "房主电话",
    "隐患类型",
    "经度",
    "纬度",
];
const HOUSEHOLD_HEADERS: [&str; 5] = ["户号", "所属网格编码", "房屋编号", "地址", "户主证件号码"];
const RENTAL_HEADERS: [&str; 8] =
    ["房屋编号", "房东姓名", "房东电话", "起租日期", "到期日期", "出租用途", "是否已向派出所登记", "承租人证件号码"];
const PLACE_HEADERS: [&str; 10] = [
    "名称",
    "场所类型",
    "统一社会信用代码",
    "法定代表人",
    "安全责任人",
    "联系电话",
    "地址",
    "所属网格编码",
    "经度",
    "纬度",
];
const GRID: &str = "510725101001001";

fn r(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// Uploads a file for an entity and waits for the job.
async fn import_file(app: &TestApp, s: &Session, entity: &str, bytes: &[u8]) -> Value {
    let (st, v) = upload_to(app, s, &format!("/api/v1/imports/{entity}"), bytes).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{v}");
    finished(app, s, v["id"].as_i64().unwrap()).await
}

/// (total, imported, unchanged, failed) of a finished job.
fn counts(job: &Value) -> (i64, i64, i64, i64) {
    assert_eq!(job["status"], "done", "{job}");
    let n = |k: &str| job[k].as_i64().unwrap();
    (n("total"), n("imported"), n("unchanged"), n("failed"))
}

/// The reasons of the error workbook, with the original row numbers.
async fn reasons(app: &TestApp, s: &Session, job: &Value) -> Vec<(String, String)> {
    let r = app.call(Method::GET, job["error_file"].as_str().unwrap(), s, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, data) = wangge::excel::read_first_sheet(&r.body).unwrap();
    assert_eq!(data[0].first().unwrap(), "原行号");
    assert_eq!(data[0].last().unwrap(), "错误原因");
    data[1..].iter().map(|row| (row[0].clone(), row.last().unwrap().clone())).collect()
}

/// Asserts that the row (numbered as in Excel) failed with a reason containing `text`.
fn failed_with(reasons: &[(String, String)], row: usize, text: &str) {
    let found = reasons.iter().find(|(n, _)| *n == row.to_string());
    assert!(found.is_some_and(|(_, m)| m.contains(text)), "row {row} should fail with “{text}”: {reasons:?}");
}

async fn history(app: &TestApp, object: &str, id: i64) -> Vec<wangge::audit::AuditRow> {
    wangge::audit::changes_of(&app.db, object, &id.to_string()).await.unwrap()
}

fn detail(row: &wangge::audit::AuditRow) -> Value {
    serde_json::from_str(&row.detail).unwrap()
}

/// A valid unified social credit code with this 17-character body.
fn credit(body: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| CHARS.find(c).unwrap() as u32 * w).sum();
    format!("{body}{}", CHARS.chars().nth(((31 - sum % 31) % 31) as usize).unwrap())
}

async fn create(app: &TestApp, s: &Session, path: &str, body: Value) -> i64 {
    let (st, v) = app.post_json(s, path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn person(app: &TestApp, s: &Session, grid: i64, name: &str, number: &str) -> i64 {
    register_id(app, s, fixtures::person("registered", grid, name, number)).await
}

#[tokio::test]
async fn templates_of_houses_households_rentals_and_places() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    for (entity, headers, first_code) in [
        ("houses", &HOUSE_HEADERS[..], Some("自住")),
        ("households", &HOUSEHOLD_HEADERS[..], None),
        ("rentals", &RENTAL_HEADERS[..], Some("居住")),
        ("places", &PLACE_HEADERS[..], Some("学校")),
    ] {
        let r = app.call(Method::GET, &format!("/api/v1/imports/{entity}/template.xlsx"), &worker, None).await;
        assert_eq!(r.status, StatusCode::OK, "{entity}");
        assert_eq!(r.header("content-disposition"), format!("attachment; filename=\"{entity}-template.xlsx\""));
        let (got, rows) = wangge::excel::read_first_sheet(&r.body).unwrap();
        assert_eq!(got, headers, "{entity}");
        assert!(rows.is_empty());
        let sheet = String::from_utf8_lossy(&unzip(&r.body, "xl/worksheets/sheet1.xml")).to_string();
        let notes = String::from_utf8_lossy(&unzip(&r.body, "xl/sharedStrings.xml")).to_string();
        assert!(notes.contains("重复导入同一文件不会产生重复记录"), "{entity}: the note row");
        if let Some(label) = first_code {
            assert!(sheet.contains("dataValidation") && sheet.contains("代码表"), "{entity}: drop-downs");
            assert!(notes.contains(label), "{entity}: code labels on the code sheet");
        }
    }
    let r = app.call(Method::GET, "/api/v1/imports/martians/template.xlsx", &worker, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json()["message"].as_str().unwrap().contains("houses（房屋）"), "{}", r.text());
    let (st, _) = upload_to(&app, &worker, "/api/v1/imports/martians", &sheet(&HOUSE_HEADERS, &[])).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn houses_import_upserts_by_house_number_inside_the_area() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let other = app.demo_session("wb", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    let theirs = create(
        &app,
        &other,
        "/api/v1/houses",
        json!({ "grid_id": tree.grid_b1_1, "house_no": "B-1", "address": "城北路1号", "house_use": "自住" }),
    )
    .await;
    let owner = id(1970, 31);
    let e = "";
    let mut rows = vec![
        r(&[
            "H-001",
            GRID,
            "嫩水路",
            "1栋",
            "1单元",
            "101",
            e,
            "自住",
            "88.5",
            "张三",
            &owner,
            "13912345678",
            "无",
            "104.1",
            "31.2",
        ]),
        r(&["H-002", GRID, e, e, e, e, "嫩水路2号", "出租", e, e, e, e, e, e, e]),
        r(&["H-003", GRID, e, e, e, e, "嫩水路3号", "宫殿", e, e, e, e, e, e, e]),
        r(&["H-004", "510725102001001", e, e, e, e, "城北路4号", "自住", e, e, e, e, e, e, e]),
        r(&["B-1", GRID, e, e, e, e, "嫩水路5号", "自住", e, e, e, e, e, e, e]),
        r(&["H-001", GRID, e, e, e, e, "嫩水路6号", "自住", e, e, e, e, e, e, e]),
        r(&["H-007", GRID, e, e, e, e, "嫩水路7号", "自住", "很大", e, e, e, e, e, e]),
        r(&["H-008", GRID, e, e, e, e, "嫩水路8号", "自住", e, e, "123", e, e, e, e]),
    ];
    let file = sheet(&HOUSE_HEADERS, &rows);
    let job = import_file(&app, &worker, "houses", &file).await;
    assert_eq!(counts(&job), (8, 2, 0, 6));
    let why = reasons(&app, &worker, &job).await;
    failed_with(&why, 4, "房屋用途不是代码表中的值");
    failed_with(&why, 5, "网格编码“510725102001001”不存在或不在您的管辖范围内");
    failed_with(&why, 6, "房屋编号 B-1 已在“城北第一网格”登记，不在您的管辖范围内");
    failed_with(&why, 7, "房屋编号与第 2 行重复");
    failed_with(&why, 8, "建筑面积“很大”不是数字");
    failed_with(&why, 9, "房主证件号码");
    let (_, list) = app.get(&worker, "/api/v1/houses?house_no=H-001").await;
    let h = &list["items"][0];
    assert_eq!(h["address"], "嫩水路1栋1单元101");
    assert_eq!((h["owner_phone_masked"].as_str(), h["hazard"].as_str()), (Some("139****5678"), Some("none")));
    let h1 = h["id"].as_i64().unwrap();
    let (_, list) = app.get(&worker, "/api/v1/houses").await;
    assert_eq!(list["total"], 2);
    let (_, b) = app.get(&other, &format!("/api/v1/houses/{theirs}")).await;
    assert_eq!((b["address"].as_str(), b["version"].as_i64()), (Some("城北路1号"), Some(1)), "never overwritten");

    // The same file again changes nothing.
    let job = import_file(&app, &worker, "houses", &file).await;
    assert_eq!(counts(&job), (8, 0, 2, 6));
    assert_eq!(app.audit_rows("house_created").await.len(), 3);
    assert!(app.audit_rows("house_updated").await.is_empty());

    // A changed row updates the house; its history shows both imports.
    rows[0][5] = "102".into();
    rows[0][11] = "13912340000".into();
    let job = import_file(&app, &worker, "houses", &sheet(&HOUSE_HEADERS, &rows)).await;
    assert_eq!(counts(&job), (8, 1, 1, 6));
    let hist = history(&app, "house", h1).await;
    let actions: Vec<&str> = hist.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["house_created", "house_updated"]);
    assert!(detail(&hist[0])["import_job"].is_i64());
    let d = detail(&hist[1]);
    assert_eq!(d["import_job"], job["id"]);
    assert_eq!(d["room"], json!({ "from": "101", "to": "102" }));
    assert_eq!(d["owner_phone"], json!({ "from": "139****5678", "to": "139****0000" }));
    assert!(d.get("owner_id").is_none() && d.get("house_no").is_none(), "{d}");
    assert!(hist.iter().all(|h| !h.detail.contains("13912340000") && !h.detail.contains(&owner)));
}

#[tokio::test]
async fn households_import_links_houses_and_heads_inside_the_area() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let staff = app.demo_session("c", CommunityStaff, Bind::Area(tree.comm_a1)).await;
    let other = app.demo_session("wb", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    let house = |g: i64, no: &str| json!({ "grid_id": g, "house_no": no, "address": "嫩水路1号", "house_use": "自住" });
    let h1 = create(&app, &staff, "/api/v1/houses", house(tree.grid_a1_1, "H-1")).await;
    create(&app, &staff, "/api/v1/houses", house(tree.grid_a1_2, "H-2")).await;
    let head_number = id(1975, 41);
    let head = person(&app, &staff, tree.grid_a1_1, "张户主", &head_number).await;
    let elsewhere = id(1976, 43);
    person(&app, &other, tree.grid_b1_1, "李城北", &elsewhere).await;
    create(&app, &other, "/api/v1/households", json!({ "grid_id": tree.grid_b1_1, "household_no": "HH-B" })).await;
    let e = "";
    let rows = vec![
        r(&["HH-1", GRID, "H-1", "嫩水路1号", &head_number]),
        r(&["HH-2", GRID, e, "嫩水路3号", e]),
        r(&["HH-3", GRID, "H-404", e, e]),
        r(&["HH-4", GRID, e, e, &elsewhere]),
        r(&["HH-B", GRID, e, e, e]),
        r(&["HH-5", GRID, e, e, &id(1977, 45)]),
        r(&["HH-6", GRID, "H-2", e, e]),
        r(&["HH 7", GRID, e, e, e]),
    ];
    let file = sheet(&HOUSEHOLD_HEADERS, &rows);
    let job = import_file(&app, &staff, "households", &file).await;
    assert_eq!(counts(&job), (8, 2, 0, 6));
    let why = reasons(&app, &staff, &job).await;
    failed_with(&why, 4, "房屋编号 H-404 不存在");
    failed_with(&why, 5, "登记在“城北第一网格”，不在您的管辖范围内");
    failed_with(&why, 6, "户号 HH-B 已在“城北第一网格”登记");
    failed_with(&why, 7, "尚未登记");
    failed_with(&why, 8, "房屋编号：房屋不存在或不在该网格");
    failed_with(&why, 9, "户号只能由字母、数字和 - 组成");
    assert!(why.iter().all(|(_, m)| !m.contains(&elsewhere)), "ID numbers are masked in the reasons");
    let (_, list) = app.get(&staff, "/api/v1/households").await;
    assert_eq!(list["total"], 2);
    let hh = list["items"].as_array().unwrap().iter().find(|h| h["household_no"] == "HH-1").unwrap().clone();
    assert_eq!((hh["house_id"].as_i64(), hh["head_person_id"].as_i64()), (Some(h1), Some(head)));

    let job = import_file(&app, &staff, "households", &file).await;
    assert_eq!(counts(&job), (8, 0, 2, 6));
    let hist = history(&app, "household", hh["id"].as_i64().unwrap()).await;
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].action, "household_created");
    assert_eq!(detail(&hist[0])["head_person_id"], head);
}

#[tokio::test]
async fn rentals_import_upserts_by_house_and_start_date_with_tenants() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let other = app.demo_session("wb", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    create(
        &app,
        &worker,
        "/api/v1/houses",
        json!({ "grid_id": tree.grid_a1_1, "house_no": "R-1", "address": "嫩水路1号", "house_use": "出租" }),
    )
    .await;
    create(
        &app,
        &other,
        "/api/v1/houses",
        json!({ "grid_id": tree.grid_b1_1, "house_no": "B-9", "address": "城北路9号", "house_use": "出租" }),
    )
    .await;
    let (n1, n2, nb) = (id(1990, 51), id(1991, 53), id(1992, 55));
    let t1 = person(&app, &worker, tree.grid_a1_1, "租客甲", &n1).await;
    let t2 = person(&app, &worker, tree.grid_a1_1, "租客乙", &n2).await;
    person(&app, &other, tree.grid_b1_1, "租客丙", &nb).await;
    let e = "";
    let both = format!("{n1}、{n2}");
    let mut rows = vec![
        r(&["R-1", "王房东", "13700001111", "2026-01-01", "2026-12-31", "居住", "是", &both]),
        r(&["R-1", "王房东", e, "2025/1/1", e, "经营", "否", e]),
        r(&["R-404", "王房东", e, "2026-01-01", e, "居住", e, e]),
        r(&["B-9", "李房东", e, "2026-01-01", e, "居住", e, e]),
        r(&["R-1", "王房东", e, "2024-01-01", e, "居住", e, &nb]),
        r(&["R-1", "王房东", e, "2026-01-01", e, "居住", e, e]),
        r(&["R-1", "王房东", e, "2023-05-01", "2023-01-01", "居住", e, e]),
        r(&["R-1", "王房东", e, "2022-01-01", e, "居住", "也许", e]),
    ];
    let file = sheet(&RENTAL_HEADERS, &rows);
    let job = import_file(&app, &worker, "rentals", &file).await;
    assert_eq!(counts(&job), (8, 2, 0, 6));
    let why = reasons(&app, &worker, &job).await;
    failed_with(&why, 4, "房屋编号 R-404 不存在");
    failed_with(&why, 5, "房屋编号 B-9 属于“城北第一网格”，不在您的管辖范围内");
    failed_with(&why, 6, "承租人 510725********");
    failed_with(&why, 6, "登记在“城北第一网格”");
    failed_with(&why, 7, "房屋编号和起租日期与第 2 行重复");
    failed_with(&why, 8, "截止日期不能早于起始日期");
    failed_with(&why, 9, "是否已向派出所登记应填“是”或“否”");
    let (_, list) = app.get(&worker, "/api/v1/rentals").await;
    assert_eq!(list["total"], 2);
    let items = list["items"].as_array().unwrap();
    let first = items.iter().find(|x| x["start_date"] == "2026-01-01").unwrap().clone();
    assert!(items.iter().any(|x| x["start_date"] == "2025-01-01" && x["police_registered"] == false));
    let tenants: Vec<i64> =
        first["tenants"].as_array().unwrap().iter().map(|t| t["person_id"].as_i64().unwrap()).collect();
    assert_eq!((tenants, first["police_registered"].as_bool()), (vec![t1, t2], Some(true)));

    let job = import_file(&app, &worker, "rentals", &file).await;
    assert_eq!(counts(&job), (8, 0, 2, 6));

    // One tenant moves out: the rental is updated, its history shows the change of tenants.
    rows[0][7] = n1.clone();
    let job = import_file(&app, &worker, "rentals", &sheet(&RENTAL_HEADERS, &rows)).await;
    assert_eq!(counts(&job), (8, 1, 1, 6));
    let hist = history(&app, "rental", first["id"].as_i64().unwrap()).await;
    let actions: Vec<&str> = hist.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["rental_created", "rental_updated"]);
    assert_eq!(detail(&hist[1])["tenant_ids"], json!({ "from": [t1, t2], "to": [t1] }));
}

#[tokio::test]
async fn places_import_upserts_by_credit_code_or_name_and_address() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let other = app.demo_session("wb", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    let theirs = "91350100M000100Y43";
    create(
        &app,
        &other,
        "/api/v1/places",
        json!({ "grid_id": tree.grid_b1_1, "name": "城北公司", "place_type": "非公有制企业", "credit_code": theirs,
        "safety_person": "钱安全", "contact_phone": "13800002222", "address": "城北路7号" }),
    )
    .await;
    let code = credit("91510725MA6200001");
    let e = "";
    let mut rows = vec![
        r(&["嫩水小学", "学校", &code, "李校长", "王安全", "13800001111", "嫩水路5号", GRID, "104.1", "31.2"]),
        r(&["嫩水网吧", "网吧", e, e, "赵老板", "0816-1234567", "嫩水路6号", GRID, e, e]),
        r(&["城北公司", "非公有制企业", theirs, e, "钱安全", "13800002222", "嫩水路7号", GRID, e, e]),
        r(&["坏代码公司", "非公有制企业", "91350100M000100Y44", e, "孙安全", "13800003333", "嫩水路8号", GRID, e, e]),
        r(&["无人负责店", "市场", e, e, e, "13800004444", "嫩水路9号", GRID, e, e]),
        r(&["半坐标店", "市场", e, e, "周安全", "13800005555", "嫩水路10号", GRID, "104.1", e]),
        r(&["嫩水网吧", "网吧", e, e, "赵老板二", "13800006666", "嫩水路6号", GRID, e, e]),
    ];
    let file = sheet(&PLACE_HEADERS, &rows);
    let job = import_file(&app, &worker, "places", &file).await;
    assert_eq!(counts(&job), (7, 2, 0, 5));
    let why = reasons(&app, &worker, &job).await;
    failed_with(&why, 4, &format!("统一社会信用代码 {theirs} 已在“城北第一网格”登记"));
    failed_with(&why, 5, "统一社会信用代码校验位不正确");
    failed_with(&why, 6, "请填写安全责任人");
    failed_with(&why, 7, "经纬度应成对填写");
    failed_with(&why, 8, "名称和地址与第 3 行重复");
    let (_, list) = app.get(&worker, "/api/v1/places").await;
    assert_eq!(list["total"], 2);
    let (_, list) = app.get(&other, "/api/v1/places").await;
    assert_eq!(list["items"][0]["address"], "城北路7号", "never overwritten");

    let job = import_file(&app, &worker, "places", &file).await;
    assert_eq!(counts(&job), (7, 0, 2, 5));

    // The place without a code is found again by its name and address, and updated.
    rows[1][5] = "0816-7654321".into();
    let job = import_file(&app, &worker, "places", &sheet(&PLACE_HEADERS, &rows)).await;
    assert_eq!(counts(&job), (7, 1, 1, 5));
    let (_, list) = app.get(&worker, "/api/v1/places?q=网吧").await;
    assert_eq!(list["total"], 1);
    let hist = history(&app, "place", list["items"][0]["id"].as_i64().unwrap()).await;
    let actions: Vec<&str> = hist.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["place_created", "place_updated"]);
    let d = detail(&hist[1]);
    assert!(d["contact_phone"]["to"].as_str().unwrap().ends_with("4321") && !hist[1].detail.contains("7654321"), "{d}");
}

#[tokio::test]
async fn wrong_headers_are_refused_for_every_entity_with_nothing_written() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    // A person file offered as each of the others.
    let file = xlsx(&[r(&["张三", &id(1980, 11), "", "户籍人口", GRID, "", "", "", ""])]);
    for (entity, missing) in
        [("houses", "房屋编号"), ("households", "户号"), ("rentals", "房东姓名"), ("places", "安全责任人")]
    {
        let (st, v) = upload_to(&app, &worker, &format!("/api/v1/imports/{entity}"), &file).await;
        assert_error(&(st, v.clone()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("file"));
        assert!(v["message"].as_str().unwrap().contains(missing), "{entity}: {v}");
        let (st, v) = upload_to(&app, &worker, &format!("/api/v1/imports/{entity}"), b"name,id\n1,2").await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{entity}: {v}");
        let (_, list) = app.get(&worker, &format!("/api/v1/{entity}?status=all")).await;
        assert_eq!(list["total"], 0, "{entity}");
    }
    assert!(app.audit_rows("import_started").await.is_empty(), "no job was created");
}

#[tokio::test]
async fn the_import_page_takes_any_entity_and_shows_progress() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let resp = app.call(Method::GET, "/imports/start/houses", &worker, None).await;
    assert_eq!(resp.status, StatusCode::OK);
    let page = resp.text();
    assert!(page.contains("批量导入房屋") && page.contains("/api/v1/imports/houses/template.xlsx"), "{page}");
    assert!(page.contains("action=\"/imports/start/houses?_csrf="), "{page}");
    let rows = vec![r(&["H-1", GRID, "", "", "", "", "嫩水路1号", "自住", "", "", "", "", "", "", ""])];
    let resp = post_file(&app, &worker, "/imports/start/houses", &sheet(&HOUSE_HEADERS, &rows)).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
    let at = resp.header("location");
    assert!(at.starts_with("/imports/"), "{at}");
    finished(&app, &worker, at.trim_start_matches("/imports/").parse().unwrap()).await;
    let resp = app.call(Method::GET, &at, &worker, None).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp.text().contains("批量导入房屋") && resp.text().contains("导入 1"), "{}", resp.text());
    assert!(resp.text().contains("href=\"/imports/start/houses\""), "{}", resp.text());
    let resp = app.call(Method::GET, "/imports/start/martians", &worker, None).await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    let resp = app.call(Method::GET, "/people/import", &worker, None).await;
    assert!(resp.status == StatusCode::OK && resp.text().contains("/api/v1/imports/persons/template.xlsx"));
}

#[tokio::test]
async fn an_import_changes_only_what_its_template_has_columns_for() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let number = id(1975, 21);
    let pid = create(
        &app,
        &worker,
        "/api/v1/persons",
        json!({ "kind": "registered", "name": "赵六", "id_number": number, "grid_id": tree.grid_a1_1,
                "former_name": "赵小六", "workplace": "鹤山镇卫生院", "address": "嫩水路9号" }),
    )
    .await;
    let row = vec![
        "赵六".into(),
        number.clone(),
        "".into(),
        "户籍人口".into(),
        "510725101001001".into(),
        "嫩水路10号".into(),
        "".into(),
        "".into(),
        "".into(),
    ];
    let job = import_file(&app, &worker, "persons", &xlsx(&[row])).await;
    assert_eq!(job["imported"], 1, "{job}");
    let (st, p) = app.get(&worker, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["address"], "嫩水路10号", "the file's column is taken: {p}");
    assert_eq!(p["workplace"], "鹤山镇卫生院", "a field the template has no column for stays: {p}");
    assert_eq!(p["former_name"], "赵小六", "{p}");
}

/// The same workbook with its worksheet cut off after `keep` bytes (no longer well-formed XML).
fn cut_off(bytes: &[u8], keep: usize) -> Vec<u8> {
    use std::io::Read;
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            data.truncate(keep);
            data.extend_from_slice(b"<row r=\"x\"><c r=\"");
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_file_that_breaks_part_way_keeps_the_rows_before_and_says_where_it_stopped() {
    let (app, tree, _admin) = TestApp::with_tree().await;
    let worker = app.demo_session("w", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let rows: Vec<Vec<String>> = (0..8_000u32)
        .map(|n| {
            let mut row = vec![format!("人{n}"), id(1950 + (n / 200) as i32, n % 200 + 1)];
            row.extend(["".into(), "户籍人口".into(), "510725101001001".into()]);
            row.extend(["".into(), "".into(), "".into(), "".into()]);
            row
        })
        .collect();
    let whole = xlsx(&rows);
    let size = zip::ZipArchive::new(std::io::Cursor::new(&whole[..]))
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .size() as usize;
    let job = import_file(&app, &worker, "persons", &cut_off(&whole, size * 4 / 5)).await;
    assert_eq!(job["status"], "failed", "{job}");
    let msg = job["message"].as_str().unwrap_or_default();
    assert!(msg.contains("无法继续读取") && msg.contains("之前的行已处理"), "{msg}");
    let kept = job["imported"].as_i64().unwrap();
    assert!((5_000..8_000).contains(&kept), "the rows before the break are kept: {job}");
    let (st, page) = app.get(&worker, &format!("/api/v1/persons?grid={}&per_page=1", tree.grid_a1_1)).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(page["total"], kept, "exactly the rows the job reports are in the register: {page}");
    // The mended file: the rest comes in, the rows already there change nothing.
    let again = import_file(&app, &worker, "persons", &whole).await;
    assert_eq!(again["status"], "done", "{again}");
    assert_eq!(again["imported"].as_i64().unwrap() + kept, 8_000, "{again}");
    assert_eq!(again["unchanged"], kept, "{again}");
}
