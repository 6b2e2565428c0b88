//! Headless-Chromium tests of the pages, on a phone-sized window. Run by `.ci/run`
//! (`cargo test --test browser -- --ignored`); they need /usr/bin/chromium and /usr/bin/chromedriver.
//! Shared helpers (driver, app, sign-in) live here; a capability's tests may live in a module file beside
//! this one (`tests/browser/NAME.rs`, declared with `mod NAME;`) and call them through `super::`.

mod console;
mod maps;
mod nav;

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use wangge::clock::Clock;
use wangge::config::Config;
use wangge::db::{DbUrl, connect};
use wangge::domains::org::{account_store, area_store, tree};
use wangge::state::AppState;

mod field;
mod field_checks;
mod field_device;
mod public;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver() -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (.ci/run installs chromium-driver)");
    let driver = Driver(child);
    let profile = tempfile::tempdir().unwrap().keep();
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=390,844", format!("--user-data-dir={}", profile.display())]
        }
    }))
    .unwrap();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..100 {
        if let Ok(c) = ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return (driver, c);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// Starts the application on a random port with the demo county; answers its base URL and state.
async fn start_app() -> (String, AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = DbUrl::Sqlite { path: dir.path().join("wangge.db"), create: true };
    let db = connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    wangge::audit::anchor::prepare(&db, dir.path(), Clock::System.now()).await.unwrap();
    let hash = wangge::auth::password::hash("wangge2026").unwrap();
    wangge::demo::seed_county(&db, &hash, Clock::System.now()).await.unwrap();
    let keys = wangge::crypto::Keys::load(dir.path()).unwrap();
    let state = AppState::new(db, Clock::System, Config::new(dir.path().to_path_buf(), url), keys);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = wangge::web::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, state, dir)
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c.wait().for_element(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screens");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn grid_worker_signs_in_changes_initial_password_and_sees_grid_staff() {
    let (base, state, _dir) = start_app().await;
    // A new grid worker account for 嫩水社区第 1 网格, with an initial password.
    let grid = area_store::get_by_code(&state.db, "510725101001001").await.unwrap().unwrap();
    let staff = tree::grid_assignments(&state.db, grid.id).await.unwrap();
    let worker = staff.iter().find(|a| a.duty == "worker" && a.end_date.is_none()).unwrap().staff_name.clone();
    let hash = wangge::auth::password::hash("Chushi2026").unwrap();
    let mut tx = state.db.begin().await.unwrap();
    account_store::insert(
        &mut tx,
        &account_store::NewAccount {
            username: "xinwanggeyuan",
            display_name: "新网格员",
            role: "grid_worker",
            area_id: Some(grid.id),
            department_id: None,
            staff_id: None,
            password_hash: &hash,
            must_change_password: true,
            demo: false,
        },
        Clock::System.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (_driver, c) = start_driver().await;
    c.goto(&format!("{base}/")).await.unwrap();
    // Not signed in: sent to the sign-in page.
    c.wait().for_url(&format!("{base}/login?next=%2F").parse().unwrap()).await.unwrap();
    fill(&c, "#username", "xinwanggeyuan").await;
    fill(&c, "#password", "Chushi2026").await;
    shot(&c, "login.png").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();

    // The initial password must be changed before anything else.
    c.wait().for_element(Locator::Css("#new_password")).await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().ends_with("/account/password"));
    fill(&c, "#old_password", "Chushi2026").await;
    fill(&c, "#new_password", "Wangge2026x").await;
    fill(&c, "#confirm_password", "Wangge2026x").await;
    c.find(Locator::Css("#password-submit")).await.unwrap().click().await.unwrap();
    let notice = c.wait().for_element(Locator::XPath("//div[@role='status']")).await.unwrap().text().await.unwrap();
    assert_eq!(notice, "密码已修改；已退出其他登录，访问令牌已全部作废，需要时请重新签发");
    assert!(c.current_url().await.unwrap().as_str().ends_with("/account?msg=password"));

    // Home → my grid → its responsible people.
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait().for_element(Locator::LinkText("查看我的网格")).await.unwrap().click().await.unwrap();
    let staff_box = c.wait().for_element(Locator::Css("#grid-staff")).await.unwrap();
    let text = staff_box.text().await.unwrap();
    assert!(text.contains(&worker), "grid page lists {worker}: {text}");
    let title = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(title.contains("嫩水第1网格"), "{title}");
    assert!(c.find(Locator::Css(".map svg path")).await.is_ok(), "the grid outline is drawn");
    shot(&c, "grid.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn wrong_password_shows_chinese_message_and_county_browses_tree() {
    let (base, _state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(&c, "#username", "county").await;
    fill(&c, "#password", "wrong-password1").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    let err = c.wait().for_element(Locator::Css(".msg.err")).await.unwrap().text().await.unwrap();
    assert_eq!(err, "用户名或密码错误");
    fill(&c, "#username", "county").await;
    fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    nav_click(&c, "区域网格").await;
    c.wait().for_element(Locator::Css(".grid-list")).await.unwrap();
    fill(&c, "#q", "嫩水").await;
    c.find(Locator::Css("form[role=search] button")).await.unwrap().click().await.unwrap();
    let h1 = c.wait().for_element(Locator::XPath("//h1[contains(., '搜索')]")).await.unwrap().text().await.unwrap();
    assert!(h1.contains("嫩水"), "{h1}");
    let items = c.find_all(Locator::Css(".grid-list a.item")).await.unwrap();
    assert_eq!(items.len(), 27, "嫩水社区 and its 26 grids");
    shot(&c, "search.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn grid_worker_registers_a_floating_person_and_unmasks_with_a_reason() {
    let (base, _state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(&c, "#username", "heshan.c1.g1").await;
    fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    // On a phone the worker lands in the field app; the desktop pages are one address away.
    c.wait().for_element(Locator::Css("header.bar")).await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait().for_element(Locator::XPath("//nav[@id='nav']/a[.='实有人口']")).await.unwrap();
    c.goto(&format!("{base}/people/new?kind=floating")).await.unwrap();
    let id_number = wangge::domains::registry::id_number::make(
        "510725",
        chrono::NaiveDate::from_ymd_opt(1996, 4, 12).unwrap(),
        233,
    );
    fill(&c, "#name", "孙小梅").await;
    fill(&c, "#id_number", &id_number).await;
    fill(&c, "#phone", "13688889999").await;
    fill(&c, "#address", "嫩水路8号2栋1单元301").await;
    fill(&c, "[name='extra.reason']", "务工").await;
    fill(&c, "[name='extra.from_place']", "四川省南充市").await;
    // Date inputs take the date typed in the browser's locale order; set the value directly instead.
    c.execute("document.querySelector(\"[name='extra.arrived_on']\").value = '2026-02-10';", vec![]).await.unwrap();
    shot(&c, "person_form.png").await;
    c.find(Locator::Css("#person-submit")).await.unwrap().click().await.unwrap();
    let shown = c.wait().for_element(Locator::Css("#id-number")).await.unwrap().text().await.unwrap();
    assert_eq!(shown, format!("510725********{}", &id_number[14..]), "masked by default");
    fill(&c, "#reason", "核对暂住登记").await;
    c.find(Locator::XPath("//button[contains(., '显示完整号码')]")).await.unwrap().click().await.unwrap();
    let full = c
        .wait()
        .for_element(Locator::XPath(&format!("//code[@id='id-number' and text()='{id_number}']")))
        .await
        .unwrap();
    assert_eq!(full.text().await.unwrap(), id_number);
    assert_eq!(c.find(Locator::Css("#phone")).await.unwrap().text().await.unwrap(), "13688889999");
    shot(&c, "person.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn grid_worker_registers_a_house_on_a_phone() {
    let (base, _state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(&c, "#username", "heshan.c1.g1").await;
    fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("header.bar")).await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    // The register's lists are in the navigation; the house list links to the new-house form and the import.
    nav_click(&c, "实有房屋").await;
    c.wait().for_element(Locator::Css("#house-list")).await.unwrap();
    assert!(c.find(Locator::Css("a[href='/imports/start/houses']")).await.is_ok(), "批量导入 link");
    c.find(Locator::LinkText("登记房屋")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#house_no")).await.unwrap();
    fill(&c, "#house_no", "BT-0001").await;
    fill(&c, "#road", "嫩水路12号").await;
    fill(&c, "#building", "1栋").await;
    fill(&c, "#unit", "2单元").await;
    fill(&c, "#room", "303").await;
    c.find(Locator::Css("#house_use")).await.unwrap().select_by_value("20").await.unwrap();
    fill(&c, "#owner_name", "钱七").await;
    fill(&c, "#owner_phone", "1351234").await;
    c.find(Locator::Css("#house-submit")).await.unwrap().click().await.unwrap();
    // Refused: the error sits next to the phone, and what was typed is still there.
    let err = c.wait().for_element(Locator::Css("#owner_phone-err")).await.unwrap().text().await.unwrap();
    assert!(err.contains("手机号") || err.contains("电话"), "{err}");
    let kept = c.find(Locator::Css("#road")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("嫩水路12号"));
    let width_ok =
        c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
    assert_eq!(width_ok, serde_json::json!(true), "the form fits the phone's width");
    shot(&c, "house_form_error.png").await;
    fill(&c, "#owner_phone", "13512345678").await;
    c.find(Locator::Css("#house-submit")).await.unwrap().click().await.unwrap();
    let notice = c.wait().for_element(Locator::XPath("//div[@role='status']")).await.unwrap().text().await.unwrap();
    assert_eq!(notice, "已新建");
    let facts = c.find(Locator::Css("#house-facts")).await.unwrap().text().await.unwrap();
    assert!(facts.contains("BT-0001") && facts.contains("135****5678"), "{facts}");
    assert!(!c.source().await.unwrap().contains("13512345678"), "the full phone is never on the page");
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(h1.contains("嫩水路12号1栋2单元303"), "{h1}");
    shot(&c, "house.png").await;
    c.close().await.unwrap();
}

/// Signs in as a demo account (password `wangge2026`) in a fresh cookie jar.
async fn sign_in(c: &Client, base: &str, username: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#username", username).await;
    fill(c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    // The desktop pages' header, or the field app's (a grid worker on a phone lands there).
    c.wait().for_element(Locator::Css("header .who, header.bar")).await.unwrap();
}

/// Follows a link of the header's navigation by its text, opening its menu first when it is in one.
async fn nav_click(c: &Client, label: &str) {
    let link = format!("//nav[@id='nav']//a[normalize-space(.)='{label}']");
    let a = c.wait().for_element(Locator::XPath(&link)).await.unwrap_or_else(|e| panic!("nav link {label}: {e}"));
    if !a.is_displayed().await.unwrap() {
        let summary = format!("//nav[@id='nav']//details[.//a[normalize-space(.)='{label}']]/summary");
        c.find(Locator::XPath(&summary)).await.unwrap().click().await.unwrap();
    }
    a.click().await.unwrap();
}

/// Waits for the one-line notice of the page a form was sent to (the page before may show another).
async fn expect_notice(c: &Client, text: &str) {
    let xpath = format!("//div[@role='status' and normalize-space(.)='{text}']");
    c.wait().for_element(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("notice {text}: {e}"));
}

/// Opens an action's form (a `<details>` box) on the event page, fills its note and sends it.
async fn act_with_note(c: &Client, action: &str, note: &str) {
    c.wait().for_element(Locator::Css(&format!("#act-{action}-box summary"))).await.unwrap().click().await.unwrap();
    fill(c, &format!("#act-{action}-note"), note).await;
    c.find(Locator::Css(&format!("#act-{action}-submit"))).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn an_event_travels_the_loop_through_the_pages_on_a_phone() {
    let (base, _state, dir) = start_app().await;
    let photo = dir.path().join("scene.png");
    std::fs::write(
        &photo,
        [
            0x89u8, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00,
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00,
            0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A,
            0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
        ],
    )
    .unwrap();
    let (_driver, c) = start_driver().await;

    // The grid worker reports from the phone: home → 上报事件, with a photo.
    sign_in(&c, &base, "heshan.c1.g1").await;
    // Signed in on a phone, the worker is in the field app; this report goes through the desktop pages.
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait().for_element(Locator::Css("#home-report")).await.unwrap().click().await.unwrap();
    let category = c.wait().for_element(Locator::Css("#category")).await.unwrap();
    category.select_by_value("0401").await.unwrap();
    fill(&c, "#title", "幸福小区东门垃圾满溢").await;
    fill(&c, "#what", "小区东门垃圾桶满溢三天无人清运，气味很大").await;
    fill(&c, "#where", "嫩水路幸福小区东门").await;
    fill(&c, "#address", "嫩水路 8 号").await;
    assert!(
        !c.find(Locator::Css("#dispute-fields")).await.unwrap().is_displayed().await.unwrap(),
        "the dispute fields hide for a non-dispute category"
    );
    c.find(Locator::Css("#photos")).await.unwrap().send_keys(&photo.display().to_string()).await.unwrap();
    shot(&c, "event_report.png").await;
    c.find(Locator::Css("#report-submit")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "事件已上报").await;
    let url = c.current_url().await.unwrap();
    let event_path = url.path().to_owned();
    let summary = c.find(Locator::Css("#event-summary")).await.unwrap().text().await.unwrap();
    assert!(summary.contains("待受理") && summary.contains("暴露垃圾"), "{summary}");
    let width = c.execute("return document.querySelector('#event-photos img').naturalWidth;", vec![]).await.unwrap();
    assert_eq!(width, serde_json::json!(1), "the photo is served and shown");
    shot(&c, "event_reported.png").await;
    // Not handled in the grid: the worker passes it up to the community.
    act_with_note(&c, "escalate", "需要社区协调物业公司").await;
    expect_notice(&c, "已上报上级").await;

    // Community staff accept it and send it to the town's police station.
    sign_in(&c, &base, "heshan.c1").await;
    c.goto(&format!("{base}/todo")).await.unwrap();
    let list = c.wait().for_element(Locator::Css("#event-list")).await.unwrap().text().await.unwrap();
    assert!(list.contains("幸福小区东门垃圾满溢"), "the community's to-do list: {list}");
    c.goto(&format!("{base}{event_path}")).await.unwrap();
    c.wait().for_element(Locator::Css("#act-accept-submit")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "已签收受理").await;
    c.find(Locator::Css("#act-dispatch-box summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::XPath("//select[@name='target']//option[contains(., '派出所')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "#act-dispatch-note", "请派出所协助联系物业").await;
    shot(&c, "event_dispatch.png").await;
    c.find(Locator::Css("#act-dispatch-submit")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "已交办").await;

    // The department handler finds it in the to-do list, accepts and completes it with a note.
    sign_in(&c, &base, "heshan.police").await;
    c.goto(&format!("{base}/todo")).await.unwrap();
    c.wait().for_element(Locator::Css("#event-list a.item")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#act-accept-submit")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "已签收受理").await;
    act_with_note(&c, "complete", "已联系物业清运完毕").await;
    expect_notice(&c, "已办结").await;
    shot(&c, "event_completed.png").await;

    // Back to the grid: the worker verifies on site.
    sign_in(&c, &base, "heshan.c1.g1").await;
    c.goto(&format!("{base}{event_path}")).await.unwrap();
    act_with_note(&c, "verify", "现场已清理干净").await;
    expect_notice(&c, "已核查通过").await;

    // The community closes it.
    sign_in(&c, &base, "heshan.c1").await;
    c.goto(&format!("{base}{event_path}")).await.unwrap();
    let close = c.wait().for_element(Locator::Css("#act-close-submit")).await.unwrap();
    c.execute("window.confirm = function () { return true; };", vec![]).await.unwrap();
    close.click().await.unwrap();
    expect_notice(&c, "已结案").await;
    let summary = c.find(Locator::Css("#event-summary")).await.unwrap().text().await.unwrap();
    assert!(summary.contains("已结案"), "{summary}");
    let timeline = c.find(Locator::Css("#timeline")).await.unwrap().text().await.unwrap();
    for step in ["上报", "上报上级", "交办", "办结", "核查通过", "结案", "已联系物业清运完毕", "办理用时"]
    {
        assert!(timeline.contains(step), "{step}: {timeline}");
    }
    shot(&c, "event_closed.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn the_county_centre_generates_edits_downloads_and_publishes_a_bulletin() {
    let (base, state, _dir) = start_app().await;
    // Last month's history: days of use, events in every town, floating people reported.
    wangge::demo::bulletin::seed(&state, Clock::System.now()).await.unwrap();
    let (_driver, c) = start_driver().await;
    sign_in(&c, &base, "county").await;
    c.goto(&format!("{base}/bulletins")).await.unwrap();
    let article = c.wait().for_element(Locator::Css("article.bulletin")).await.unwrap().text().await.unwrap();
    for want in [
        "一、各地账户活跃度情况",
        "宏仁乡活跃度达到100%",
        "长卿镇、双峰镇、双板镇活跃度为“0”",
        "事件办结完成率100%以上的有",
        "表1",
    ] {
        assert!(article.contains(want), "bulletin lacks {want}: {article}");
    }
    shot(&c, "bulletin.png").await;

    // Edit the narrative and keep it as a draft.
    let text = c.find(Locator::Css("textarea[name=text]")).await.unwrap();
    text.send_keys("\n四、下一步工作要求\n各地要对照通报逐项整改。").await.unwrap();
    c.find(Locator::Css("form[action='/bulletins/draft'] button")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "通报正文已保存为草稿（修改记录保留）").await;
    let article = c.find(Locator::Css("article.bulletin")).await.unwrap().text().await.unwrap();
    assert!(article.contains("四、下一步工作要求"), "{article}");

    // Download the Word file and the workbook the way the links do, with the browser's session.
    let href = c.find(Locator::Css("#download-docx")).await.unwrap().attr("href").await.unwrap().unwrap();
    let got = c
        .execute_async(
            "const [url, done] = arguments; fetch(url).then(async r => { const b = new Uint8Array(await r.arrayBuffer()); \
             done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), b.length, b[0], b[1]]); });",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(got[0], 200, "{got}");
    assert!(got[1].as_str().unwrap().contains("wordprocessingml"), "{got}");
    assert!(got[2].as_str().unwrap().contains(".docx"), "{got}");
    assert!(got[3].as_u64().unwrap() > 2000 && got[4] == 0x50 && got[5] == 0x4B, "a zip (PK): {got}");
    let href = c.find(Locator::Css("#download-xlsx")).await.unwrap().attr("href").await.unwrap().unwrap();
    let got = c
        .execute_async(
            "const [url, done] = arguments; fetch(url).then(async r => done([r.status, (await r.arrayBuffer()).byteLength]));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(got[0], 200, "{got}");

    // Publish (confirmed): archived, and no longer editable.
    // The confirmation dialog is answered "yes" (headless Chromium shows no dialogs to click).
    c.execute("window.confirm = () => true;", vec![]).await.unwrap();
    c.find(Locator::Css("#publish")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "通报已发布并归档").await;
    assert!(c.find(Locator::Css("textarea[name=text]")).await.is_err(), "a published bulletin has no edit form");
    let status = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(status.contains("已发布（已归档，不再改变）"), "{status}");
    c.close().await.unwrap();
}
