//! The monthly assessment through the API, on the hand-made March of the bulletin tests: each
//! town's measures, scores and breakdown by the default rules; ties share a rank; a rule change
//! moves the scores; grid workers and communities ranked; scope and bad input refused in Chinese.

use crate::bulletins::{county, march};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn item<'a>(r: &'a Value, key: &str, id: i64) -> &'a Value {
    r["items"].as_array().unwrap().iter().find(|x| x[key] == id).unwrap_or_else(|| panic!("{key}={id} in {r}"))
}

fn breakdown(i: &Value) -> Vec<(String, i64, f64)> {
    i["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["count"].as_i64().unwrap(), d["points"].as_f64().unwrap()))
        .collect()
}

#[tokio::test]
async fn towns_are_scored_by_the_rules_with_every_point_explained() {
    let c = county().await;
    let app = &c.app;
    march(&c).await;
    let url = format!("/api/v1/assessment?area={}&month=2026-03", c.tree.county);
    let (st, r) = app.get(&c.county, &url).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!((r["level"].as_str(), r["base"].as_f64()), (Some("town"), Some(100.0)));
    // 鹤山镇: everything closed on time and signed; its town centre only read (inactive): 100 − 3.
    let heshan = item(&r, "area_id", c.tree.town_a);
    assert_eq!(breakdown(heshan), [("inactive_accounts".to_owned(), 1, 3.0)]);
    assert_eq!(heshan["score"], 97.0);
    // 文昌镇: its first event was due in March and not closed (−2); 0 of 2 closed (−10).
    let wenchang = item(&r, "area_id", c.tree.town_b);
    assert_eq!(breakdown(wenchang), [("low_completion".to_owned(), 1, 10.0), ("overdue_events".to_owned(), 1, 2.0)]);
    assert_eq!((wenchang["score"].as_f64(), wenchang["rank"].as_i64()), (Some(88.0), Some(3)));
    assert_eq!(wenchang["deductions"][1]["explain"], "1 件 × 2 分 = 2 分");
    // 双峰乡: one idle account (−3), tied with 鹤山镇 for first place.
    let shuangfeng = item(&r, "area_id", c.town_c);
    assert_eq!(
        (shuangfeng["score"].as_f64(), shuangfeng["rank"].as_i64(), heshan["rank"].as_i64()),
        (Some(97.0), Some(1), Some(1))
    );

    // The county centre changes a rule: the score follows, the change is audited.
    let rule = "/api/v1/assessment/rules/low_completion";
    let got = app.patch_json(&c.county, rule, json!({ "version": 1, "points": -5 })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("points"));
    assert_eq!(app.patch_json(&c.town, rule, json!({ "version": 1, "points": 5 })).await.0, StatusCode::FORBIDDEN);
    let (st, v) = app.patch_json(&c.county, rule, json!({ "version": 1, "points": 5, "max_points": 5 })).await;
    assert_eq!((st, v["version"].as_i64()), (StatusCode::OK, Some(2)), "{v}");
    assert_eq!(app.patch_json(&c.county, rule, json!({ "version": 1, "points": 4 })).await.0, StatusCode::CONFLICT);
    assert_eq!(
        app.patch_json(&c.county, "/api/v1/assessment/rules/nope", json!({ "version": 1 })).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.audit_rows("assessment_rule_update").await.len(), 1);
    let (_, r) = app.get(&c.county, &url).await;
    assert_eq!(item(&r, "area_id", c.tree.town_b)["score"], 93.0);

    // Communities of the county, and the grid workers of a town.
    let (_, r) = app.get(&c.county, &format!("{url}&level=community")).await;
    assert_eq!(item(&r, "area_id", c.tree.comm_a1)["place"], "鹤山镇");
    assert_eq!(r["items"].as_array().unwrap().len(), 4);
    let (_, r) = app.get(&c.town, "/api/v1/assessment?month=2026-03").await;
    assert_eq!((r["level"].as_str(), r["items"].as_array().unwrap().len()), (Some("community"), 2));
    let (st, r) = app.get(&c.town, "/api/v1/assessment?month=2026-03&level=grid_worker").await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let names: Vec<&str> = r["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["worker_a"]);
    assert_eq!((r["items"][0]["score"].as_f64(), r["items"][0]["place"].as_str()), (Some(100.0), Some("嫩水第一网格")));

    // Scope and bad input.
    let got = app.get(&c.town, "/api/v1/assessment?month=2026-03&level=town").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("level"));
    let got = app.get(&c.town, &format!("/api/v1/assessment?area={}", c.tree.town_b)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("area"));
    let got = app.get(&c.county, "/api/v1/assessment?month=2026-3x").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("month"));
    assert_eq!(app.get(&c.police, "/api/v1/assessment").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_activity_page_lists_idle_accounts_and_the_settings_page_changes_rules() {
    let c = county().await;
    let app = &c.app;
    march(&c).await;
    // Pages take a signed-in browser session (cookie and CSRF token).
    let page = app.demo_session("county_page", wangge::auth::Role::CountyCenter, Bind::Area(c.tree.county)).await;
    let r = app.call(axum::http::Method::GET, "/activity?month=2026-03", &page, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("鹤山派出所") && html.contains("idle_c") && html.contains("从未登录"), "{html}");
    let r = app.call(axum::http::Method::GET, "/settings/supervision", &page, None).await;
    assert!(r.text().contains("每月至少使用天数"));
    // A bad number comes back in Chinese with nothing saved; a good one is saved.
    let r = app
        .post_form(&page, "/settings/supervision/activity", &[("min_days_month", "四十"), ("min_days_week", "5")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写数字"));
    let r = app
        .post_form(&page, "/settings/supervision/activity", &[("min_days_month", "15"), ("min_days_week", "3")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, s) = app.get(&c.county, "/api/v1/supervision-settings").await;
    assert_eq!(
        (s["min_days_month"].as_i64(), s["min_days_week"].as_i64(), s["counts_reads"].as_bool()),
        (Some(15), Some(3), Some(false))
    );
    let form = [("version", "1"), ("name", "事件超期"), ("points", "1.5"), ("max_points", "15"), ("enabled", "on")];
    let r = app.post_form(&page, "/settings/supervision/rules/overdue_events", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app.post_form(&page, "/settings/supervision/rules/overdue_events", &form).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the same version twice");
    let (_, rules) = app.get(&c.county, "/api/v1/assessment/rules").await;
    let rule = rules.as_array().unwrap().iter().find(|r| r["code"] == "overdue_events").unwrap();
    assert_eq!(
        (rule["name"].as_str(), rule["points"].as_f64(), rule["version"].as_i64()),
        (Some("事件超期"), Some(1.5), Some(2))
    );
    let r = app.call(axum::http::Method::GET, "/assessment?month=2026-03", &page, None).await;
    assert!(r.text().contains("1 件 × 1.5 分 = 1.5 分"), "{}", r.text());
}
