//! Account activity as a supervisor reads it (issue 22.8): the dashboard and the activity page show
//! the last full month and this month to date, each labelled with its period, the month to date
//! against the monthly threshold scaled to the working days elapsed; the children table lists each
//! figure once.

use crate::fixtures::{self, bearer, garbage, with};
use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::auth::Role::*;
use wangge::clock::DAY;

async fn report(app: &TestApp, s: &Session, title: &str) {
    fixtures::report(app, s, with(garbage(title), json!({ "address": "嫩水路 8 号" }))).await;
}

fn child(d: &Value, id: i64) -> &Value {
    d["children"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()
}

#[tokio::test]
async fn the_dashboard_shows_last_month_and_month_to_date_against_a_scaled_threshold() {
    let (app, t, _) = TestApp::with_tree().await;
    let county = bearer(&app, "county", CountyCenter, Bind::Area(t.county)).await;
    let town = bearer(&app, "town_a", TownCenter, Bind::Area(t.town_a)).await;
    let a = bearer(&app, "worker_a", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let b = bearer(&app, "worker_b", GridWorker, Bind::Area(t.grid_b1_1)).await;
    let (st, _) = app.patch_json(&county, "/api/v1/supervision-settings", json!({ "min_days_month": 10 })).await;
    assert_eq!(st, StatusCode::OK);

    // March: worker A does business on the ten working days 2–13 March, worker B on three.
    for day in 0..12 {
        if day % 7 < 5 {
            report(&app, &a, &format!("三月第{day}天")).await;
            if day < 3 {
                report(&app, &b, &format!("三月第{day}天")).await;
            }
        }
        app.clock.advance(DAY);
    }
    // 1 and 2 April (Wednesday, Thursday): worker B on both days, worker A on neither.
    app.clock.advance(18 * DAY);
    report(&app, &b, "四月一日").await;
    app.clock.advance(DAY);
    report(&app, &b, "四月二日").await;

    let (st, d) = app.get(&county, "/api/v1/dashboard").await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let act = &d["activity"];
    // April has 21 working days (清明 on Monday 6 April is off); 2 have passed: 10 × 2 / 21 → 1 day.
    assert_eq!((act["month"].as_str(), act["min_days"].as_i64()), (Some("2026-04"), Some(1)), "{act}");
    assert_eq!(act["label"], "2026年4月1日至2日（本月至今）");
    assert!(act["threshold_note"].as_str().unwrap().contains("按已过 2 个工作日（全月 21 个）折算为 1 天"), "{act}");
    let last = &act["last_month"];
    assert_eq!(
        (last["month"].as_str(), last["label"].as_str(), last["min_days"].as_i64()),
        (Some("2026-03"), Some("2026年3月"), Some(10))
    );
    // March: worker A active (10 days), worker B not (3): 1 of 3 business accounts… per town.
    let town_a_last = last["units"].as_array().unwrap().iter().find(|u| u["area_id"] == t.town_a).unwrap();
    let town_b_last = last["units"].as_array().unwrap().iter().find(|u| u["area_id"] == t.town_b).unwrap();
    assert_eq!((town_a_last["active"].as_i64(), town_b_last["active"].as_i64()), (Some(1), Some(0)));
    // April to date: worker B is active (2 days ≥ 1), worker A is not.
    let town_a_now = act["units"].as_array().unwrap().iter().find(|u| u["area_id"] == t.town_a).unwrap();
    let town_b_now = act["units"].as_array().unwrap().iter().find(|u| u["area_id"] == t.town_b).unwrap();
    assert_eq!((town_a_now["active"].as_i64(), town_b_now["active"].as_i64()), (Some(0), Some(1)));
    assert_eq!(child(&d, t.town_b)["activity_rate"], town_b_now["rate"]);
    assert_eq!(child(&d, t.town_b)["last_month_activity_rate"], town_b_last["rate"]);

    // The activity page and API default to this month to date, the same figures; a named month is whole.
    let (_, now) = app.get(&county, "/api/v1/activity").await;
    assert_eq!(
        (now["to_date"].as_bool(), now["min_days"].as_i64(), now["last_day"].as_str()),
        (Some(true), Some(1), Some("2026-04-02"))
    );
    assert_eq!(now["overall"], act["overall"]);
    let (_, march) = app.get(&county, "/api/v1/activity?month=2026-03").await;
    assert_eq!((march["to_date"].as_bool(), march["min_days"].as_i64()), (Some(false), Some(10)));
    assert_eq!(march["overall"], last["overall"]);

    // The page labels both periods; the children table names each figure once.
    let html = app.call(Method::GET, "/dashboard", &town, None).await.text();
    assert!(
        html.contains("账号活跃度 · 2026年3月") && html.contains("账号活跃度 · 2026年4月1日至2日（本月至今）"),
        "{html}"
    );
    let head = html.split("<table id=\"dash-children\">").nth(1).unwrap().split("</thead>").next().unwrap();
    assert_eq!(head.matches("未办结事件").count(), 1, "{head}");
    let head_people = app.call(Method::GET, "/dashboard?shade=places", &town, None).await.text();
    let head_people =
        head_people.split("<table id=\"dash-children\">").nth(1).unwrap().split("</thead>").next().unwrap();
    assert_eq!((head_people.matches("重点场所").count(), head_people.matches("未办结事件").count()), (1, 1));
    let page = app.call(Method::GET, "/activity", &town, None).await.text();
    assert!(page.contains("2026年4月1日至2日（本月至今）") && page.contains("href=\"/activity?area="), "{page}");
}
