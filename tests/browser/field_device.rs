//! The field app's screens show what the device snapshot carries (issue 22): the first screen's to-do
//! items read with their event number (no "undefined"), every category of the desktop report form
//! is on the phone, and the device checks a form at once with the server's words.

use super::field::{api, api_login, install, open, wait_js};
use super::{shot, start_app, start_driver};
use fantoccini::Locator;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_home_lists_the_todo_with_event_numbers_and_no_undefined() {
    let (base, _state, _dir) = start_app().await;
    // At a computer, the worker reports an event (it waits in the worker's to-do) and visits a household
    // whose next visit is due today.
    let (cookie, csrf) = api_login(&base, "heshan.c1.g1").await;
    let auth = Some((cookie.as_str(), csrf.as_str()));
    let op = json!({ "ops": [{ "op_id": "op-home-000001", "kind": "event.report", "data": { "category": "0301",
        "title": "首页待办测试", "details": { "what": "楼道堆放杂物，堵住消防通道", "where": "嫩水路 8 号 2 栋" } } }] });
    let (st, v, _) = api(&base, "POST", "/api/v1/field/sync", auth, op).await;
    assert_eq!((st, v["results"][0]["status"].as_str()), (200, Some("applied")), "{v}");
    let (_, me, _) = api(&base, "GET", "/api/v1/auth/me", auth, Value::Null).await;
    let grid = me["account"]["area_id"].as_i64().unwrap();
    let (st, hh, _) =
        api(&base, "POST", "/api/v1/households", auth, json!({ "grid_id": grid, "household_no": "HH-HOME-1" })).await;
    assert_eq!(st, 201, "{hh}");
    let today = wangge::clock::to_local(wangge::clock::Clock::System.now()).date_naive();
    let visit = json!({ "visited_on": (today - chrono::Days::new(1)).to_string(), "kind": "routine", "note": "初访",
        "next_visit_due": today.to_string() });
    let (st, v, _) = api(&base, "POST", &format!("/api/v1/households/{}/visits", hh["id"]), auth, visit).await;
    assert_eq!(st, 201, "{v}");

    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    open(&c, &base, "/field/").await;
    wait_js(&c, "return document.querySelector('#todo-events').textContent.includes('首页待办测试');", "the event")
        .await;
    let events = c.find(Locator::Css("#todo-events")).await.unwrap().text().await.unwrap();
    let line = events.lines().find(|l| l.contains("首页待办测试")).unwrap_or_default().to_owned();
    assert!(line.starts_with("SJ") && line.contains("（"), "the event number and state: {line}");
    let home = c.find(Locator::Css("#screen-home")).await.unwrap().text().await.unwrap();
    assert!(!home.contains("undefined") && !home.contains("null") && !home.contains("NaN"), "{home}");
    // The household due today links to its visit form.
    let link = format!("/field/visit?household={}", hh["id"]);
    let found = c.find(Locator::Css(&format!("#todo-visits a[href='{link}']"))).await.unwrap();
    assert!(found.text().await.unwrap().contains("HH-HOME-1"));
    shot(&c, "field_home_todo.png").await;
    c.close().await.unwrap();
}

/// The option values of a select, in order, read in the page.
async fn options(c: &fantoccini::Client, css: &str) -> Vec<String> {
    let got = c
        .execute(
            &format!(
                "return Array.from(document.querySelectorAll('{css} option')).map((o) => o.value).filter((v) => v);"
            ),
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(got).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_event_form_offers_every_category_of_the_desktop_form() {
    let (base, _state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    c.goto(&format!("{base}/events/new")).await.unwrap();
    let desktop = options(&c, "#category").await;
    assert!(desktop.len() > 10, "{desktop:?}");
    open(&c, &base, "/field/event").await;
    wait_js(&c, "return document.querySelectorAll('#event-category option').length > 1;", "categories").await;
    assert_eq!(options(&c, "#event-category").await, desktop);
    let groups = c
        .execute(
            "return Array.from(document.querySelectorAll('#event-category > option')).map((o) => o.textContent);",
            vec![],
        )
        .await
        .unwrap();
    for name in ["违法建设", "特殊人群服务管理", "社情民意", "突发事件", "其他"] {
        assert!(groups.as_array().unwrap().iter().any(|g| g == name), "{name} on its own: {groups}");
    }
    shot(&c, "field_event_categories.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_grid_worker_on_a_phone_lands_in_the_field_app_and_a_task_opens_directly() {
    let (base, _state, _dir) = start_app().await;
    let (cookie, csrf) = api_login(&base, "heshan.c1.g1").await;
    let auth = Some((cookie.as_str(), csrf.as_str()));
    let (_, me, _) = api(&base, "GET", "/api/v1/auth/me", auth, Value::Null).await;
    let grid = me["account"]["area_id"].as_i64().unwrap();
    let (st, hh, _) =
        api(&base, "POST", "/api/v1/households", auth, json!({ "grid_id": grid, "household_no": "HH-LINK-1" })).await;
    assert_eq!(st, 201, "{hh}");

    // Signing in on the phone-sized window: the field app, not the desktop home.
    let (_driver, c) = start_driver().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    super::fill(&c, "#username", "heshan.c1.g1").await;
    super::fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return location.pathname === '/field/' && document.body.dataset.ready === '1';", "the field app")
        .await;
    c.close().await.unwrap();

    // Another phone, nothing cached: a link straight to a household's visit works while online.
    let (_driver, c) = start_driver().await;
    let next = format!("/field/visit?household={}", hh["id"]);
    c.goto(&format!("{base}/login?next={}", next.replace('/', "%2F").replace('?', "%3F").replace('=', "%3D")))
        .await
        .unwrap();
    super::fill(&c, "#username", "heshan.c1.g1").await;
    super::fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return location.pathname === '/field/visit' && document.body.dataset.ready === '1';", "visit").await;
    let list = c.find(Locator::Css("#visit-households")).await.unwrap().text().await.unwrap();
    assert!(list.contains("HH-LINK-1") && !list.contains("请联网"), "{list}");
    let which = c.find(Locator::Css("#visit-which")).await.unwrap().text().await.unwrap();
    assert!(which.contains("HH-LINK-1"), "the household of the link is chosen: {which}");
    shot(&c, "field_visit_direct.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_patrol_records_the_checklist_and_a_finding_offline_and_syncs_them() {
    use super::field::{OFFLINE, ONLINE, count, network, waiting};
    let (base, state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/patrol").await;
    c.find(Locator::Css("#patrol-start")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return !document.querySelector('#patrol-running').hidden;", "patrol running").await;
    let areas = c.find_all(Locator::Css("#patrol-items fieldset.check")).await.unwrap();
    assert_eq!(areas.len(), 6, "the six areas");
    // A problem needs a word about it: said on the phone at once, nothing queued.
    // Clicked in the page: the undo toast may lie over a control for a few seconds, as on a phone.
    let click = |css: String| {
        let c = c.clone();
        async move {
            let js = format!("document.querySelector({css:?}).click(); return true;");
            c.execute(&js, vec![]).await.unwrap();
        }
    };
    click("#patrol-items fieldset:nth-of-type(1) input[value=problem]".into()).await;
    click("#patrol-items fieldset:nth-of-type(2) input[value=ok]".into()).await;
    click("#patrol-checks-save".into()).await;
    wait_js(&c, "const e = document.querySelector('#patrol-items fieldset .err'); return !!e && e.textContent === '有问题时请写明情况';", "the note asked for").await;
    assert_eq!(waiting(&c).await, "1", "only the start waits");
    super::fill(&c, "#patrol-items fieldset:nth-of-type(1) input[name^=note]", "楼道堆放杂物").await;
    click("#patrol-checks-save".into()).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '2';", "checks waiting").await;
    // A finding, reported as an event at once.
    let item = c
        .execute("const s = document.querySelector('#finding-item'); s.selectedIndex = 1; return s.value;", vec![])
        .await
        .unwrap();
    assert!(!item.as_str().unwrap_or_default().is_empty());
    super::fill(&c, "#finding-description", "三栋楼道堆满纸箱，堵住消防通道").await;
    super::fill(&c, "#finding-address", "嫩水路 8 号 3 栋").await;
    click("#finding-report".into()).await;
    click("#finding-save".into()).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '3';", "finding waiting").await;
    c.execute("window.confirm = () => true;", vec![]).await.unwrap();
    click("#patrol-end".into()).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '4';", "end waiting").await;
    shot(&c, "field_patrol_checklist.png").await;
    assert_eq!(
        count(&state, "SELECT COUNT(*) FROM patrols WHERE grid_path <> $1", "").await,
        0,
        "nothing sent offline"
    );

    // Back online: everything goes, in order, through the sync.
    open(&c, &base, "/field/sync").await;
    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    assert_eq!(
        count(&state, "SELECT COUNT(*) FROM patrols WHERE ended_at IS NOT NULL AND grid_path <> $1", "").await,
        1
    );
    assert_eq!(count(&state, "SELECT COUNT(*) FROM patrol_checks WHERE note <> $1", "楼道堆放杂物").await, 1);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM patrol_checks WHERE note = $1", "楼道堆放杂物").await, 1);
    assert_eq!(
        count(
            &state,
            "SELECT COUNT(*) FROM patrol_findings WHERE event_id IS NOT NULL AND address = $1",
            "嫩水路 8 号 3 栋"
        )
        .await,
        1
    );
    c.close().await.unwrap();
}

/// One patrol screen (issue 22.4): the day's check-in is on it and works offline (kept on the phone,
/// sent with the phone's time), and once synced it lists the worker's patrols, each linking to its record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_patrol_screen_checks_in_offline_and_lists_recent_patrols() {
    use super::field::{OFFLINE, ONLINE, count, network};
    let (base, state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/patrol").await;
    let status = c.find(Locator::Css("#checkin-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "今天还没有签到。");
    assert!(
        c.find(Locator::Css("#patrol-grid-field")).await.unwrap().attr("hidden").await.unwrap().is_some(),
        "one grid: no choice"
    );
    c.execute("document.querySelector('#checkin-button').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "check-in waiting").await;
    wait_js(&c, "return document.querySelector('#checkin-status').textContent.startsWith('今天已于');", "checked in")
        .await;
    // Still offline, the screen opened again remembers it.
    open(&c, &base, "/field/patrol").await;
    wait_js(&c, "return document.querySelector('#checkin-status').textContent.startsWith('今天已于') && document.querySelector('#checkin-button').hidden;", "remembered").await;
    c.execute("document.querySelector('#patrol-start').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '2';", "start waiting").await;
    c.execute("window.confirm = () => true; document.querySelector('#patrol-end').click(); return true;", vec![])
        .await
        .unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '3';", "end waiting").await;
    assert_eq!(count(&state, "SELECT COUNT(*) FROM check_ins WHERE day <> $1", "").await, 0, "nothing sent offline");

    open(&c, &base, "/field/sync").await;
    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    assert_eq!(count(&state, "SELECT COUNT(*) FROM check_ins WHERE day <> $1", "").await, 1);
    // Online again, the fresh snapshot lists the patrol with a link to its record.
    open(&c, &base, "/field/").await;
    open(&c, &base, "/field/patrol").await;
    wait_js(&c, "return !!document.querySelector('#patrol-recent a[href^=\"/patrols/\"]');", "the recent patrol").await;
    let recent = c.find(Locator::Css("#patrol-recent")).await.unwrap().text().await.unwrap();
    assert!(recent.contains("分钟") && !recent.contains("undefined"), "{recent}");
    shot(&c, "field_patrol_checkin.png").await;
    c.find(Locator::Css("#patrol-recent a")).await.unwrap().click().await.unwrap();
    wait_js(&c, "return location.pathname.startsWith('/patrols/');", "the record page").await;
    let page = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(page.contains("检查清单") && page.contains("发现的问题"), "{page}");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_person_moves_out_offline_and_the_change_syncs() {
    use super::field::{OFFLINE, ONLINE, network, register_in_the_workers_grid, waiting};
    let (base, _state, _dir) = start_app().await;
    let (pid, _) = register_in_the_workers_grid(&base, "迁出测试", (1958, 6, 7), 21, Some("嫩水路 5 号")).await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, &format!("/field/person?id={pid}")).await;
    wait_js(&c, "return !document.querySelector('#status-form').hidden;", "the status form").await;
    let choices = c
        .execute(
            "return Array.from(document.querySelectorAll('#status-to option')).map((o) => o.value).join(',');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(choices, "moved_out,deceased", "a registered person may move out or die");
    // No reason: said at once, nothing queued.
    c.execute("document.querySelector('#status-save').click(); return true;", vec![]).await.unwrap();
    wait_js(
        &c,
        "const e = document.querySelector('#status-form .err'); return !!e && e.textContent === '请填写原因';",
        "reason",
    )
    .await;
    assert_eq!(waiting(&c).await, "0");
    super::fill(&c, "#status-reason", "随子女迁往成都").await;
    c.execute("document.querySelector('#status-save').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "status waiting").await;
    shot(&c, "field_person_status.png").await;

    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    let (cookie, csrf) = api_login(&base, "heshan.c1").await;
    let (_, now, _) = api(&base, "GET", &format!("/api/v1/persons/{pid}"), Some((&cookie, &csrf)), Value::Null).await;
    assert_eq!(
        (now["status"].as_str(), now["status_reason"].as_str()),
        (Some("moved_out"), Some("随子女迁往成都")),
        "{now}"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_registers_a_household_and_its_member_offline_and_both_sync() {
    use super::field::{OFFLINE, ONLINE, count, network, waiting};
    let (base, state, _dir) = start_app().await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/household").await;
    // A household number the server would refuse: said at once.
    super::fill(&c, "#household-no", "HH 7").await;
    c.execute("document.querySelector('#household-save').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "const e = document.querySelector('#household-form .err'); return !!e && e.textContent === '户号只能由字母、数字和 - 组成';", "household_no").await;
    assert_eq!(waiting(&c).await, "0");
    super::fill(&c, "#household-no", "HH-OFF-7").await;
    super::fill(&c, "#household-address", "嫩水路 7 号").await;
    c.execute("document.querySelector('#household-save').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "household waiting").await;
    // Its member, registered from the link, belongs to the household not yet sent.
    wait_js(&c, "const a = document.querySelector('#household-members'); if (!a || a.hidden) return false; a.click(); return true;", "members link").await;
    wait_js(&c, "return document.body.dataset.ready === '1' && location.pathname === '/field/person';", "person form")
        .await;
    let chosen = c
        .execute("return document.querySelector('#person-household').selectedOptions[0].textContent;", vec![])
        .await
        .unwrap();
    assert!(chosen.as_str().unwrap().contains("HH-OFF-7"), "{chosen}");
    let number =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1981, 9, 1).unwrap(), 55);
    super::fill(&c, "#person-name", "户内成员").await;
    super::fill(&c, "#person-id", &number).await;
    c.execute("const s = document.querySelector('#person-relation'); s.selectedIndex = 1; return true;", vec![])
        .await
        .unwrap();
    c.execute("document.querySelector('#person-save').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '2';", "member waiting").await;
    shot(&c, "field_household_member.png").await;

    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    let sql = "SELECT COUNT(*) FROM persons p JOIN households h ON h.id = p.household_id WHERE h.household_no = $1 AND p.relation_to_head <> ''";
    assert_eq!(count(&state, sql, "HH-OFF-7").await, 1, "the member belongs to the household");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_registers_a_rental_with_its_tenant_offline() {
    use super::field::{OFFLINE, ONLINE, count, network, register_in_the_workers_grid, waiting};
    let (base, state, _dir) = start_app().await;
    let (pid, _) = register_in_the_workers_grid(&base, "租客测试", (1990, 1, 5), 61, None).await;
    let (cookie, csrf) = api_login(&base, "heshan.c1.g1").await;
    let auth = Some((cookie.as_str(), csrf.as_str()));
    let (_, me, _) = api(&base, "GET", "/api/v1/auth/me", auth, Value::Null).await;
    let grid = me["account"]["area_id"].as_i64().unwrap();
    let house = json!({ "grid_id": grid, "house_no": "NS-TEN-1", "address": "嫩水路 9 号 1 栋", "house_use": "10" });
    let (st, h, _) = api(&base, "POST", "/api/v1/houses", auth, house).await;
    assert_eq!(st, 201, "{h}");

    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/rental").await;
    super::fill(&c, "#rental-q", "NS-TEN").await;
    wait_js(
        &c,
        "const b = document.querySelector('#rental-houses button.pick'); if (!b) return false; b.click(); return true;",
        "the house",
    )
    .await;
    super::fill(&c, "#rental-form [name=landlord_name]", "王房东").await;
    c.execute(
        "document.querySelector('#rental-form [name=start_date]').value = '2026-01-01'; \
         const s = document.querySelector('#rental-form [name=rental_use]'); s.selectedIndex = 1; return true;",
        vec![],
    )
    .await
    .unwrap();
    super::fill(&c, "#tenant-q", "租客").await;
    let pick = format!(
        "const b = document.querySelector('#tenant-list button[data-person=\"{pid}\"]'); if (!b) return false; b.click(); return true;"
    );
    wait_js(&c, &pick, "the tenant").await;
    wait_js(&c, "return document.querySelector('#tenant-chosen').textContent.includes('租客测试');", "chosen").await;
    c.execute("document.querySelector('#rental-form button[type=submit]').click(); return true;", vec![])
        .await
        .unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "rental waiting").await;
    assert_eq!(waiting(&c).await, "1");
    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    let sql = "SELECT COUNT(*) FROM rental_tenants t JOIN persons p ON p.id = t.person_id WHERE p.name = $1";
    assert_eq!(count(&state, sql, "租客测试").await, 1, "the tenant came with the rental");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_visits_a_special_file_due_today_offline() {
    use super::field::{OFFLINE, ONLINE, count, network, register_in_the_workers_grid};
    let (base, state, _dir) = start_app().await;
    let (pid, _) = register_in_the_workers_grid(&base, "帮教测试", (1985, 4, 4), 71, None).await;
    let (cookie, csrf) = api_login(&base, "heshan.c1.g1").await;
    let today = wangge::clock::to_local(wangge::clock::Clock::System.now()).date_naive().to_string();
    let file = json!({ "kind": "drug_user", "data": { "found_on": "2025-10-01", "control_status": "社区戒毒" }, "next_visit_due": today });
    let (st, f, _) = api(&base, "POST", &format!("/api/v1/persons/{pid}/special"), Some((&cookie, &csrf)), file).await;
    assert_eq!(st, 201, "{f}");

    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, "/field/").await;
    let link = format!("#todo-visits a[href='/field/visit?person={pid}']");
    let a = c.find(Locator::Css(&link)).await.unwrap();
    let text = a.text().await.unwrap();
    assert!(text.contains("吸毒人员") && text.contains('帮'), "the kind and the (masked) name: {text}");
    open(&c, &base, &format!("/field/visit?person={pid}")).await;
    let which = c.find(Locator::Css("#visit-which")).await.unwrap().text().await.unwrap();
    assert!(which.contains('帮') && which.contains("吸毒人员"), "{which}");
    super::fill(&c, "#visit-form [name=note]", "本人在家，情绪稳定").await;
    c.execute("document.querySelector('#visit-form button[type=submit]').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "visit waiting").await;
    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    assert_eq!(count(&state, "SELECT COUNT(*) FROM special_visits WHERE visited_on = $1", &today).await, 1);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_opens_a_special_file_offline_checked_on_the_device() {
    use super::field::{OFFLINE, ONLINE, count, network, register_in_the_workers_grid, waiting};
    let (base, state, _dir) = start_app().await;
    let (pid, _) = register_in_the_workers_grid(&base, "档案测试", (1979, 12, 1), 33, None).await;
    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    open(&c, &base, &format!("/field/person?id={pid}")).await;
    wait_js(&c, "return !document.querySelector('#special-form').hidden;", "the file form").await;
    c.execute(
        "const s = document.querySelector('#special-kind'); s.value = 'released_prisoner'; s.dispatchEvent(new Event('change')); return true;",
        vec![],
    )
    .await
    .unwrap();
    super::fill(&c, "#special-fields [name='data.crime']", "盗窃罪").await;
    c.execute("document.querySelector('#special-save').click(); return true;", vec![]).await.unwrap();
    wait_js(&c, "const i = document.querySelector('[name=\"data.sentence\"]'); const e = i.closest('.field').querySelector('.err'); return !!e && e.textContent === '请填写原判刑期';", "required").await;
    assert_eq!(waiting(&c).await, "0");
    super::fill(&c, "#special-fields [name='data.sentence']", "三年").await;
    c.execute("document.querySelector('[name=\"data.released_on\"]').value = '2025-11-20'; document.querySelector('#special-save').click(); return true;", vec![])
        .await
        .unwrap();
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '1';", "file waiting").await;
    network(&c, ONLINE).await;
    wait_js(&c, "return document.querySelector('#waiting-count').textContent === '0';", "synced").await;
    assert_eq!(count(&state, "SELECT COUNT(*) FROM special_files WHERE kind = $1", "released_prisoner").await, 1);
    c.close().await.unwrap();
}
