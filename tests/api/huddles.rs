//! The daily huddle through the HTTP API: problems pulled from open events and patrol findings,
//! decisions and follow-up, carry-over to the next day until solved, history kept, printable.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::auth::Role;
use wangge::clock::DAY;

/// A signed-in account that stays signed in while the test moves the clock by days (a bearer token).
async fn bearer(app: &TestApp, name: &str, role: Role, bind: Bind) -> Session {
    let s = app.demo_session(name, role, bind).await;
    let (_, token) = app.token(&s, "测试", None).await;
    Session::bearer(&token)
}

fn item<'a>(h: &'a Value, title_part: &str) -> &'a Value {
    h["items"].as_array().unwrap().iter().find(|i| i["title"].as_str().unwrap().contains(title_part)).expect(title_part)
}

#[tokio::test]
async fn huddle_pulls_problems_carries_them_over_and_solves() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = bearer(&app, "hw1", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let cs = bearer(&app, "hcs", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let cs2 = bearer(&app, "hcs2", Role::CommunityStaff, Bind::Area(t.comm_a2)).await;
    let town_b = bearer(&app, "htb", Role::TownCenter, Bind::Area(t.town_b)).await;

    // An open event reported by the grid worker, and a patrol finding not made into an event.
    let (st, e) = app
        .post_json(
            &w,
            "/api/v1/events",
            json!({ "category": "0401", "title": "垃圾桶满溢无人清运",
                    "details": { "what": "小区东门垃圾桶满溢三天无人清运，气味很大", "where": "嫩水路幸福小区东门" } }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let (_, p) = app.post_json(&w, "/api/v1/patrols", json!({})).await;
    let pid = p["id"].as_i64().unwrap();
    let (st, f) = app
        .post_json(&w, &format!("/api/v1/patrols/{pid}/findings"), json!({ "description": "3 栋楼道堆放大量纸箱杂物" }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");

    let (st, h) = app.get(&cs, "/api/v1/huddles").await;
    assert_eq!(st, StatusCode::OK, "{h}");
    assert_eq!(h["day"], "2026-03-02");
    assert_eq!(h["items"].as_array().unwrap().len(), 0);
    assert_eq!(h["candidates"].as_array().unwrap().len(), 2);
    assert!(h["held_by"].is_null());

    // Holding the huddle pulls both in.
    let (st, h) = app.post_json(&cs, "/api/v1/huddles", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{h}");
    assert_eq!(h["items"].as_array().unwrap().len(), 2);
    assert_eq!(h["candidates"].as_array().unwrap().len(), 0);
    assert_eq!(h["held_by"], "hcs");
    // Holding again adds nothing.
    let (_, h) = app.post_json(&cs, "/api/v1/huddles", json!({})).await;
    assert_eq!(h["items"].as_array().unwrap().len(), 2);
    let ev_item = item(&h, "垃圾桶").clone();
    assert_eq!(ev_item["source"], "event");
    let fd_item = item(&h, "纸箱").clone();
    assert_eq!(fd_item["source"], "finding");

    // A hand-added problem; bad input is named.
    let got = app.post_json(&cs, "/api/v1/huddles/items", json!({ "title": " ", "day": "2099-01-01" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("title"));
    assert!(got.1["fields"]["day"].is_string());
    let (st, manual) = app.post_json(&cs, "/api/v1/huddles/items", json!({ "title": "路灯损坏多日无人修" })).await;
    assert_eq!(st, StatusCode::CREATED, "{manual}");
    let manual_id = manual["id"].as_i64().unwrap();

    // Decisions: who follows up is required unless solved; version-checked.
    let dec = |id: &Value| format!("/api/v1/huddles/items/{}/decisions", id.as_i64().unwrap());
    let got = app.post_json(&cs, &dec(&fd_item["id"]), json!({ "decision": "通知物业清理", "version": 1 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("follow_up_name"));
    let (st, _) = app
        .post_json(
            &cs,
            &dec(&fd_item["id"]),
            json!({ "decision": "通知物业两日内清理", "follow_up_name": "张网格员", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let got = app
        .post_json(
            &cs,
            &dec(&fd_item["id"]),
            json!({ "decision": "再次催促", "follow_up_name": "张网格员", "version": 1 }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (st, _) = app
        .post_json(
            &cs,
            &dec(&ev_item["id"]),
            json!({ "decision": "上报街道协调环卫", "follow_up_name": "社区主任", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // Out of scope: another community's staff and another town's centre.
    let got = app
        .post_json(&cs2, &dec(&fd_item["id"]), json!({ "decision": "越权", "follow_up_name": "某人", "version": 2 }))
        .await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found", None);
    let got = app.get(&town_b, &format!("/api/v1/huddles?community={}", t.comm_a1)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("community"));
    let got = app.post_json(&w, "/api/v1/huddles", json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);

    // The next day: all three carry over, with yesterday's decisions and none yet today.
    app.clock.advance(DAY);
    let (_, h) = app.get(&cs, "/api/v1/huddles").await;
    assert_eq!(h["day"], "2026-03-03");
    assert_eq!(h["items"].as_array().unwrap().len(), 3);
    assert!(h["items"].as_array().unwrap().iter().all(|i| i["carried"] == true && i["today"].is_null()));
    let fd = item(&h, "纸箱");
    assert_eq!(fd["history"][0]["decision"], "通知物业两日内清理");
    assert_eq!(fd["history"][0]["day"], "2026-03-02");

    // Solved today: still on today's record (solved today), gone tomorrow; history kept.
    let (st, solved) = app
        .post_json(
            &cs,
            &dec(&fd["id"]),
            json!({ "decision": "物业已清理完毕", "solved": true, "version": fd["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{solved}");
    assert_eq!(solved["state"], "solved");
    assert_eq!(solved["solved_day"], "2026-03-03");
    let got = app
        .post_json(
            &cs,
            &dec(&fd["id"]),
            json!({ "decision": "再记一次", "solved": true, "version": solved["version"] }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (_, h) = app.get(&cs, "/api/v1/huddles").await;
    let fd = item(&h, "纸箱");
    assert_eq!(fd["solved_today"], true);
    assert_eq!(fd["history"].as_array().unwrap().len(), 2);
    app.clock.advance(DAY);
    let (_, h) = app.get(&cs, "/api/v1/huddles").await;
    assert_eq!(h["items"].as_array().unwrap().len(), 2);
    assert!(h["items"].as_array().unwrap().iter().all(|i| i["id"].as_i64() != fd["id"].as_i64()));
    // Looking back at the first day shows it as it was.
    let (_, h1) = app.get(&cs, "/api/v1/huddles?day=2026-03-02").await;
    assert_eq!(h1["items"].as_array().unwrap().len(), 3);
    assert_eq!(item(&h1, "纸箱")["history"].as_array().unwrap().len(), 1);
    assert!(h1["items"].as_array().unwrap().iter().any(|i| i["id"] == manual_id));

    // Pages: the huddle and the printable view.
    let r = app.call(Method::GET, &format!("/huddles?community={}", t.comm_a1), &cs, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.call(Method::GET, &format!("/huddles/print?community={}&day=2026-03-02", t.comm_a1), &cs, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("日碰头会记录") && html.contains("通知物业两日内清理"), "{html}");
    assert_eq!(app.audit_rows("huddle_decision").await.len(), 3);
}

/// The text of one community's line on the huddle overview.
fn community_line(html: &str, id: i64) -> String {
    let start = html.find(&format!("id=\"community-{id}\"")).unwrap_or_else(|| panic!("community {id} listed: {html}"));
    html[start..].split("</li>").next().unwrap_or("").to_owned()
}

#[tokio::test]
async fn above_a_community_the_huddle_page_lists_the_communities_to_pick_with_their_day() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = app.demo_session("ow1", Role::GridWorker, Bind::Area(t.grid_a1_1)).await;
    let cs = app.demo_session("ocs", Role::CommunityStaff, Bind::Area(t.comm_a1)).await;
    let (st, e) = app
        .post_json(
            &w,
            "/api/v1/events",
            json!({ "category": "0401", "title": "垃圾桶满溢无人清运",
                    "details": { "what": "小区东门垃圾桶满溢三天无人清运，气味很大", "where": "嫩水路幸福小区东门" } }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let (st, h) = app.post_json(&cs, "/api/v1/huddles", json!({})).await;
    assert_eq!(st, StatusCode::OK, "{h}");
    let (st, _) = app.post_json(&cs, "/api/v1/huddles/items", json!({ "title": "路灯不亮" })).await;
    assert_eq!(st, StatusCode::CREATED);

    let town = app.demo_session("otown", Role::TownCenter, Bind::Area(t.town_a)).await;
    let county = app.demo_session("ocounty", Role::CountyCenter, Bind::Area(app.county_id)).await;
    let viewer = app.demo_session("oviewer", Role::CountyViewer, Bind::Area(app.county_id)).await;
    for s in [&town, &county, &viewer] {
        let r = app.call(Method::GET, "/huddles", s, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("<nav id=\"nav\"") && html.contains("日碰头会 · 2026-03-02"), "{html}");
        let a1 = community_line(&html, t.comm_a1);
        assert!(a1.contains("嫩水社区") && a1.contains("在议问题 2") && a1.contains("未办结事件 1"), "{a1}");
        assert!(a1.contains("已召开") && a1.contains(&format!("/huddles?community={}&amp;day=2026-03-02", t.comm_a1)));
        let a2 = community_line(&html, t.comm_a2);
        assert!(a2.contains("在议问题 0") && a2.contains("未办结事件 0") && a2.contains("未召开"), "{a2}");
    }
    // The town sees its own communities only; the county sees every town's, grouped under the town.
    let html = app.call(Method::GET, "/huddles", &town, None).await.text();
    assert!(!html.contains(&format!("id=\"community-{}\"", t.comm_b1)) && !html.contains("<h2"), "{html}");
    let html = app.call(Method::GET, "/huddles", &county, None).await.text();
    assert!(html.contains(&format!("id=\"community-{}\"", t.comm_b1)), "{html}");
    assert!(
        html.contains("<h2 class=\"flush\">鹤山镇</h2>") && html.contains("<h2 class=\"flush\">文昌镇</h2>"),
        "{html}"
    );
    // A chosen community still opens its huddle; a day in the future is refused in Chinese.
    let r = app.call(Method::GET, &format!("/huddles?community={}", t.comm_a1), &town, None).await;
    assert!(r.status == StatusCode::OK && r.text().contains("路灯不亮"));
    let r = app.call(Method::GET, "/huddles?day=2099-01-01", &county, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不能选择今天以后的日期"));
}
