//! Account activity and the monthly bulletin through the API, against a month worked out by hand:
//! days of business per account (reading alone counts only when the setting says so), rates per
//! town and department across a month boundary; the bulletin's figures and its naming rules (100%,
//! “0”, 100%以上, 50%以下); draft, publish and the archive unchanged afterwards; the Word file
//! opened and read; the workbook; scope.

use crate::fixtures::{self, bearer, with};
use crate::helpers::*;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::Read;
use wangge::auth::Role::*;
use wangge::clock::{DAY, HOUR, MINUTE};

fn garbage(title: &str) -> Value {
    with(fixtures::garbage(title), json!({ "address": "嫩水路 8 号" }))
}

async fn report(app: &TestApp, s: &Session, title: &str) -> i64 {
    fixtures::report(app, s, garbage(title)).await
}

async fn act(app: &TestApp, s: &Session, id: i64, body: Value) {
    let (st, v) = app.post_json(s, &format!("/api/v1/events/{id}/actions"), body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body} → {v}");
}

/// Accept, handle (the grid worker), verify and close (the community: not whoever completed it).
async fn close(app: &TestApp, worker: &Session, community: &Session, id: i64) {
    act(app, worker, id, json!({ "action": "accept" })).await;
    act(app, worker, id, json!({ "action": "complete", "note": "已清理" })).await;
    act(app, community, id, json!({ "action": "verify" })).await;
    act(app, community, id, json!({ "action": "close" })).await;
}

fn unit<'a>(rows: &'a Value, key: &str, id: i64) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r[key] == id).unwrap_or_else(|| panic!("{key}={id} in {rows}"))
}

pub(crate) struct County {
    pub(crate) app: TestApp,
    pub(crate) tree: Tree,
    pub(crate) town_c: i64,
    pub(crate) county: Session,
    pub(crate) town: Session,
    pub(crate) worker_a: Session,
    pub(crate) worker_b: Session,
    pub(crate) community: Session,
    pub(crate) police: Session,
}

/// The standard tree plus a third town 双峰乡 whose only grid worker never works; accounts:
/// 鹤山镇 — grid worker, community staff, town centre; 文昌镇 — grid worker; 双峰乡 — grid worker;
/// 鹤山派出所 — one handler; the county centre.
pub(crate) async fn county() -> County {
    let (app, tree, admin) = TestApp::with_tree().await;
    let town_c = app.area(&admin, tree.county, "town", "510725103000", "双峰乡").await;
    let comm_c = app.area(&admin, town_c, "community", "510725103001", "双峰社区").await;
    let grid_c = app.area(&admin, comm_c, "grid", "510725103001001", "双峰第一网格").await;
    app.account("idle_c", GridWorker, Bind::Area(grid_c)).await;
    let county = bearer(&app, "county", CountyCenter, Bind::Area(tree.county)).await;
    let town = bearer(&app, "town_a", TownCenter, Bind::Area(tree.town_a)).await;
    let worker_a = bearer(&app, "worker_a", GridWorker, Bind::Area(tree.grid_a1_1)).await;
    let worker_b = bearer(&app, "worker_b", GridWorker, Bind::Area(tree.grid_b1_1)).await;
    let community = bearer(&app, "comm_a1", CommunityStaff, Bind::Area(tree.comm_a1)).await;
    let police = bearer(&app, "police_a", DepartmentHandler, Bind::Department(tree.dept_a)).await;
    County { app, tree, town_c, county, town, worker_a, worker_b, community, police }
}

#[tokio::test]
async fn activity_counts_days_of_business_per_town_and_department_across_a_month_boundary() {
    let c = county().await;
    let app = &c.app;
    // The threshold is a setting of the county centre, checked.
    let got = app.patch_json(&c.county, "/api/v1/supervision-settings", json!({ "min_days_month": 40 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("min_days_month"));
    let got = app.patch_json(&c.worker_a, "/api/v1/supervision-settings", json!({ "min_days_month": 2 })).await;
    assert_eq!(got.0, StatusCode::FORBIDDEN);
    let (st, v) = app.patch_json(&c.county, "/api/v1/supervision-settings", json!({ "min_days_month": 2 })).await;
    assert_eq!((st, v["min_days_month"].as_i64(), v["min_days_week"].as_i64()), (StatusCode::OK, Some(2), Some(5)));

    // 2 March: worker A reports (business); worker B and the police station only read.
    report(app, &c.worker_a, "东门垃圾满溢").await;
    assert_eq!(app.get(&c.worker_b, "/api/v1/events").await.0, StatusCode::OK);
    assert_eq!(app.get(&c.police, "/api/v1/events").await.0, StatusCode::OK);
    // Several writes on one day are one day.
    report(app, &c.worker_a, "西门垃圾满溢").await;
    // 3 March: worker A again.
    app.clock.advance(DAY);
    report(app, &c.worker_a, "南门垃圾满溢").await;

    let march = format!("/api/v1/activity?area={}&month=2026-03", c.tree.county);
    let (st, a) = app.get(&c.county, &march).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!((a["min_days"].as_i64(), a["counts_reads"].as_bool()), (Some(2), Some(false)));
    // 鹤山镇: worker A active (2 days) of 3 accounts; 文昌镇 and 双峰乡: nobody; the station: nobody.
    let town_a = unit(&a["areas"], "area_id", c.tree.town_a);
    assert_eq!((town_a["active"].as_i64(), town_a["total"].as_i64()), (Some(1), Some(3)), "{a}");
    assert!((town_a["rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let town_b = unit(&a["areas"], "area_id", c.tree.town_b);
    assert_eq!(
        (town_b["active"].as_i64(), town_b["total"].as_i64(), town_b["rate"].as_f64()),
        (Some(0), Some(1), Some(0.0))
    );
    let police = unit(&a["departments"], "department_id", c.tree.dept_a);
    assert_eq!(
        (police["active"].as_i64(), police["total"].as_i64(), police["name"].as_str()),
        (Some(0), Some(1), Some("鹤山派出所"))
    );
    // The county as a whole: 7 business accounts (the system administrator is not counted).
    assert_eq!((a["overall"]["active"].as_i64(), a["overall"]["total"].as_i64()), (Some(1), Some(7)));
    let idle: Vec<&str> =
        a["idle_accounts"].as_array().unwrap().iter().map(|x| x["username"].as_str().unwrap()).collect();
    assert!(idle.contains(&"idle_c") && idle.contains(&"worker_b") && !idle.contains(&"worker_a"), "{idle:?}");
    let never = a["idle_accounts"].as_array().unwrap().iter().find(|x| x["username"] == "idle_c").unwrap();
    assert_eq!(never["never_signed_in"], true);

    // Reading counts once the setting says so; worker B then has 1 day, still under 2.
    app.patch_json(&c.county, "/api/v1/supervision-settings", json!({ "counts_reads": true })).await;
    let (_, a) = app.get(&c.county, &march).await;
    let town_b = unit(&a["areas"], "area_id", c.tree.town_b);
    assert_eq!((town_b["active"].as_i64(), town_b["any_use"].as_i64()), (Some(0), Some(1)));
    app.patch_json(&c.county, "/api/v1/supervision-settings", json!({ "min_days_month": 1, "counts_reads": false }))
        .await;
    let (_, a) = app.get(&c.county, &march).await;
    assert_eq!(unit(&a["areas"], "area_id", c.tree.town_b)["active"], 0);
    assert_eq!(unit(&a["areas"], "area_id", c.tree.town_a)["active"], 1);

    // 31 March 23:50 is March; ten minutes later is April.
    app.clock.advance(28 * DAY + 14 * HOUR + 50 * MINUTE);
    report(app, &c.worker_b, "北门垃圾满溢").await;
    app.clock.advance(20 * MINUTE);
    report(app, &c.worker_a, "April").await;
    let (_, a) = app.get(&c.county, &march).await;
    assert_eq!(unit(&a["areas"], "area_id", c.tree.town_b)["active"], 1);
    let (_, april) = app.get(&c.county, &format!("/api/v1/activity?area={}&month=2026-04", c.tree.county)).await;
    assert_eq!(unit(&april["areas"], "area_id", c.tree.town_a)["active"], 1);
    assert_eq!(unit(&april["areas"], "area_id", c.tree.town_b)["active"], 0);
    // A week (2–8 March) needs 5 days by default: worker A's 2 do not make it.
    let (_, w) = app.get(&c.county, &format!("/api/v1/activity?area={}&week=2026-W10", c.tree.county)).await;
    assert_eq!(
        (w["min_days"].as_i64(), unit(&w["areas"], "area_id", c.tree.town_a)["active"].as_i64()),
        (Some(5), Some(0))
    );
    // Bad periods and areas outside one's scope are refused in Chinese.
    let got = app.get(&c.county, "/api/v1/activity?month=2026-13").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("month"));
    let got = app.get(&c.town, &format!("/api/v1/activity?area={}", c.tree.town_b)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    assert_eq!(app.get(&c.police, "/api/v1/activity").await.0, StatusCode::FORBIDDEN);
}

/// Builds March: 鹤山镇 receives 2 events and closes both (100%), 文昌镇 receives 2 and closes none
/// (0%, under 50%), 双峰乡 none; a floating person from 鹤山镇 is signed by 鹤山派出所. Every
/// account that does anything counts (threshold 1 day).
pub(crate) async fn march(c: &County) {
    let app = &c.app;
    app.patch_json(&c.county, "/api/v1/supervision-settings", json!({ "min_days_month": 1 })).await;
    let a1 = report(app, &c.worker_a, "东门垃圾满溢").await;
    let a2 = report(app, &c.worker_a, "西门垃圾满溢").await;
    let b1 = report(app, &c.worker_b, "城北垃圾满溢").await;
    close(app, &c.worker_a, &c.community, a1).await;
    close(app, &c.worker_a, &c.community, a2).await;
    let id =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1990, 4, 1).unwrap(), 7);
    let (st, p) = app
        .post_json(
            &c.worker_a,
            "/api/v1/persons",
            json!({ "kind": "floating", "name": "流动甲", "id_number": id, "grid_id": c.tree.grid_a1_1, "phone": "13912345678",
                    "address": "嫩水路 8 号", "extra": { "permit_type": "1", "reason": "务工", "from_place": "四川省绵阳市", "arrived_on": "2026-02-01" } }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let (_, todo) = app.get(&c.police, "/api/v1/submissions/todo").await;
    let sid = todo["items"][0]["id"].as_i64().expect("a submission waits for the station");
    let (st, v) = app
        .post_json(
            &c.police,
            &format!("/api/v1/submissions/{sid}/actions"),
            json!({ "action": "sign", "version": todo["items"][0]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // 31 March 23:50: 文昌镇's second event still arrives in March.
    app.clock.advance(29 * DAY + 14 * HOUR + 50 * MINUTE);
    report(app, &c.worker_b, "城北路灯不亮").await;
    // 1 April: 文昌镇 closes its first March event (April's figure, not March's).
    app.clock.advance(HOUR);
    let community_b = bearer(app, "comm_b1", CommunityStaff, Bind::Area(c.tree.comm_b1)).await;
    close(app, &c.worker_b, &community_b, b1).await;
}

#[tokio::test]
async fn the_bulletin_writes_march_from_the_systems_own_data_and_is_archived_unchanged() {
    let c = county().await;
    let app = &c.app;
    march(&c).await;
    let url = format!("/api/v1/bulletins/monthly?area={}&month=2026-03", c.tree.county);
    let (st, b) = app.get(&c.county, &url).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!((b["state"].as_str(), b["version"].as_i64()), (Some("generated"), Some(0)));
    assert_eq!(b["title"], "关于演示县3月份网格化服务管理工作情况的通报");

    // (一) activity: 鹤山镇 2 of 3 (town centre idle), 文昌镇 1 of 1, 双峰乡 0 of 1; the station signed.
    let towns = &b["activity"]["towns"];
    let ha = unit(towns, "area_id", c.tree.town_a);
    assert_eq!((ha["name"].as_str(), ha["active"].as_i64(), ha["total"].as_i64()), (Some("鹤山镇"), Some(2), Some(3)));
    assert_eq!(unit(towns, "area_id", c.tree.town_b)["rate"], 1.0);
    assert_eq!(unit(towns, "area_id", c.town_c)["rate"], 0.0);
    let police = unit(&b["activity"]["departments"], "department_id", c.tree.dept_a);
    assert_eq!(
        (police["active"].as_i64(), police["total"].as_i64(), police["rate"].as_f64()),
        (Some(1), Some(1), Some(1.0))
    );
    // (二) completion: arrived and closed in March only.
    let done = &b["completion"]["towns"];
    let ha = unit(done, "area_id", c.tree.town_a);
    assert_eq!((ha["arrived"].as_i64(), ha["closed"].as_i64(), ha["rate"].as_f64()), (Some(2), Some(2), Some(1.0)));
    let wc = unit(done, "area_id", c.tree.town_b);
    assert_eq!((wc["arrived"].as_i64(), wc["closed"].as_i64(), wc["rate"].as_f64()), (Some(2), Some(0), Some(0.0)));
    assert_eq!(unit(done, "area_id", c.town_c)["rate"], Value::Null);
    // (三) the floating person: sent by 鹤山镇, signed.
    let subs = b["submissions"]["towns"].as_array().unwrap();
    let floating = subs.iter().find(|r| r["area_id"] == c.tree.town_a && r["kind"] == "floating").unwrap();
    assert_eq!(
        (floating["sent"].as_i64(), floating["signed"].as_i64(), floating["waiting"].as_i64()),
        (Some(1), Some(1), Some(0))
    );
    assert!(subs.iter().filter(|r| r["area_id"] == c.tree.town_b).all(|r| r["sent"] == 0));
    let station = b["submissions"]["departments"].as_array().unwrap().iter().find(|r| r["kind"] == "floating").unwrap();
    assert_eq!((station["received"].as_i64(), station["signed"].as_i64()), (Some(1), Some(1)));

    // The narrative names the units by the rules.
    let text = b["text"].as_str().unwrap();
    for want in [
        "一、各地账户活跃度情况",
        "文昌镇活跃度达到100%",
        "鹤山镇活跃度相对较好",
        "双峰乡活跃度为“0”",
        "事件办结完成率100%以上的有：鹤山镇；事件办结完成率50%以下的有：文昌镇。",
        "双峰乡当月没有受理和办结事件",
        "流动人口信息仅鹤山镇报送了1条，其余各地网格员均未报送",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    assert!(!text.contains('{') && !text.contains("None") && !text.contains("NaN"));

    // April compares with March: 文昌镇 closed its March event in April (100%以上).
    let (_, apr) = app.get(&c.county, &format!("/api/v1/bulletins/monthly?area={}&month=2026-04", c.tree.county)).await;
    let wc = unit(&apr["completion"]["towns"], "area_id", c.tree.town_b);
    assert_eq!(
        (wc["arrived"].as_i64(), wc["closed"].as_i64(), wc["previous_arrived"].as_i64()),
        (Some(0), Some(1), Some(2))
    );
    assert!(apr["text"].as_str().unwrap().contains("100%以上的有：文昌镇"), "{}", apr["text"]);

    // Edit as a draft (versions checked, nothing half-written), then publish.
    let edited = format!("{text}\n四、下一步工作要求\n各地要对照通报查找差距。");
    let draft = |text: &str, version: i64| json!({ "area": c.tree.county, "month": "2026-03", "text": text, "version": version });
    let got = app.post_json(&c.county, "/api/v1/bulletins/monthly/draft", draft("  ", 0)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("text"));
    assert_eq!(
        app.post_json(&c.worker_a, "/api/v1/bulletins/monthly/draft", draft(&edited, 0)).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, d) = app.post_json(&c.county, "/api/v1/bulletins/monthly/draft", draft(&edited, 0)).await;
    assert_eq!((st, d["state"].as_str(), d["version"].as_i64()), (StatusCode::OK, Some("draft"), Some(1)), "{d}");
    assert_eq!(d["text"], edited.as_str());
    assert_eq!(
        app.post_json(&c.county, "/api/v1/bulletins/monthly/draft", draft("旧版本上的修改", 0)).await.0,
        StatusCode::CONFLICT
    );
    // The current month cannot be published before it ends.
    let got = app
        .post_json(
            &c.county,
            "/api/v1/bulletins/monthly/publish",
            json!({ "area": c.tree.county, "month": "2026-04", "version": 0 }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("month"));
    let (st, p) = app
        .post_json(
            &c.county,
            "/api/v1/bulletins/monthly/publish",
            json!({ "area": c.tree.county, "month": "2026-03", "version": 1 }),
        )
        .await;
    assert_eq!((st, p["state"].as_str()), (StatusCode::OK, Some("published")), "{p}");
    let published = p.clone();

    // Afterwards the figures move (a stricter threshold), the archive does not.
    app.patch_json(&c.county, "/api/v1/supervision-settings", json!({ "min_days_month": 20 })).await;
    let (_, again) = app.get(&c.county, &url).await;
    assert_eq!(again["activity"], published["activity"]);
    assert_eq!(again["text"], edited.as_str());
    assert_eq!(unit(&again["activity"]["towns"], "area_id", c.tree.town_b)["rate"], 1.0);
    let got = app.post_json(&c.county, "/api/v1/bulletins/monthly/draft", draft("再改", 2)).await;
    assert_eq!(got.0, StatusCode::CONFLICT);
    let (_, revisions) =
        app.get(&c.county, &format!("/api/v1/bulletins/monthly/revisions?area={}&month=2026-03", c.tree.county)).await;
    assert_eq!(revisions.as_array().unwrap().len(), 2, "{revisions}");
    let (_, list) = app.get(&c.county, "/api/v1/bulletins?state=published").await;
    assert_eq!(list["total"], 1);
    let audit = app.audit_rows("bulletin_publish").await;
    assert_eq!(audit.len(), 1);

    // The Word file: a real .docx whose document.xml carries the headings, the text and the tables.
    let r = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/bulletins/monthly.docx?area={}&month=2026-03", c.tree.county),
                &c.county,
            )
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_TYPE.as_str()).contains("wordprocessingml"));
    assert!(r.header(header::CONTENT_DISPOSITION.as_str()).contains("filename*=UTF-8''"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).unwrap();
    for want in [
        "关于演示县3月份网格化服务管理工作情况的通报",
        "一、各地账户活跃度情况",
        "文昌镇活跃度达到100%",
        "四、下一步工作要求",
        "表3  事件办结情况",
        "鹤山派出所",
    ] {
        assert!(xml.contains(want), "docx lacks {want}");
    }
    assert!(xml.contains("<w:tbl>") && xml.contains("Heading1"));

    // The workbook: one sheet per table, counts as numbers.
    let r = app
        .send(
            app.request(
                Method::GET,
                &format!("/api/v1/bulletins/monthly.xlsx?area={}&month=2026-03", c.tree.county),
                &c.county,
            )
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    use calamine::{DataType, Reader};
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(r.body.clone())).expect("xlsx");
    assert_eq!(wb.sheet_names(), ["账号活跃度", "部门活跃度", "事件办结", "报送签收", "部门签收"]);
    let sheet = wb.worksheet_range("事件办结").unwrap();
    let row = sheet.rows().find(|r| r[0] == "鹤山镇").expect("鹤山镇 row");
    assert_eq!(
        (row[1].get_float(), row[2].get_float(), row[3].to_string()),
        (Some(2.0), Some(2.0), "100.0%".to_owned())
    );
}

#[tokio::test]
async fn bulletins_are_scoped_to_a_county_or_town_in_ones_reach() {
    let c = county().await;
    let app = &c.app;
    march(&c).await;
    // A town centre gets its own town, its communities as the units.
    let (st, b) = app.get(&c.town, "/api/v1/bulletins/monthly?month=2026-03").await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["area_id"], c.tree.town_a);
    let names: Vec<&str> =
        b["completion"]["towns"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["嫩水社区", "金山社区"]);
    assert!(b["text"].as_str().unwrap().contains("3月份全乡镇受理事件2件，办结2件"), "{}", b["text"]);
    // Not the county, not another town; a grid is not a bulletin's area; months are checked.
    let got = app.get(&c.town, &format!("/api/v1/bulletins/monthly?area={}&month=2026-03", c.tree.county)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    let got = app.get(&c.county, &format!("/api/v1/bulletins/monthly?area={}&month=2026-03", c.tree.grid_a1_1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    let got = app.get(&c.county, "/api/v1/bulletins/monthly?month=2026-05").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("month"));
    let got = app.get(&c.county, "/api/v1/bulletins/monthly?month=三月").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("month"));
    // Departments do not read supervision figures.
    assert_eq!(app.get(&c.police, "/api/v1/bulletins/monthly?month=2026-03").await.0, StatusCode::FORBIDDEN);
    // The page shows the same bulletin, with the download links.
    let r = app
        .send(
            app.request(Method::GET, &format!("/bulletins?area={}&month=2026-03", c.tree.county), &c.county)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("文昌镇活跃度达到100%") && html.contains("monthly.docx?area="), "{html}");
}
