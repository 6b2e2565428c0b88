//! Open311 GeoReport v2 through the front door: services in JSON and XML, API keys (issued once,
//! revoked, rate-limited), posting with and without a key, errors in the spec's shape, reading a
//! request back as the event moves to closed, list filters, and no personal field in any answer.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role::*;
use wangge::clock::{DAY, HOUR, MINUTE};

/// A square boundary around (lon, lat), ±0.01°.
pub fn square(lon: f64, lat: f64) -> Value {
    let (a, b, c, d) = (lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01);
    json!({ "type": "Polygon", "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]] })
}

/// Gives a grid a boundary through the API.
pub async fn set_boundary(app: &TestApp, admin: &Session, grid: i64, lon: f64, lat: f64) {
    let (st, a) = app.get(admin, &format!("/api/v1/areas/{grid}")).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    let (st, v) = app
        .patch_json(
            admin,
            &format!("/api/v1/areas/{grid}"),
            json!({ "version": a["version"], "boundary": square(lon, lat) }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

/// Issues a key as the county centre; answers (key id, key).
pub async fn issue_key(app: &TestApp, county: &Session, name: &str, rate: i64) -> (i64, String) {
    let (st, v) = app
        .post_json(
            county,
            "/api/v1/open311/keys",
            json!({ "name": name, "owner": "县 12345 热线中心", "rate_per_hour": rate }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    (v["id"].as_i64().unwrap(), v["key"].as_str().unwrap().to_owned())
}

/// Posts a form to an Open311 path without any session.
async fn post311(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    app.post_form(&Session::anon(), path, pairs).await
}

async fn get311(app: &TestApp, path: &str) -> Resp {
    app.call(Method::GET, path, &Session::anon(), None).await
}

/// The spec's error list: every entry has a numeric code equal to the status and a Chinese description.
fn spec_errors(r: &Resp, status: StatusCode) -> Vec<String> {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.header("content-type"), "application/json; charset=utf-8");
    let v = r.json();
    let list = v.as_array().unwrap_or_else(|| panic!("an array: {v}"));
    assert!(!list.is_empty());
    list.iter()
        .map(|e| {
            assert_eq!(e["code"], status.as_u16(), "{v}");
            e["description"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn events(app: &TestApp) -> i64 {
    let (n,): (i64,) = app.db.read().fetch_one("SELECT COUNT(*) FROM events", vec![]).await.unwrap();
    n
}

struct World {
    app: TestApp,
    tree: Tree,
    admin: Session,
    county: Session,
    key: String,
    key_id: i64,
}

/// The tree, 嫩水第一网格 with a boundary around (104.70, 31.70), the county centre and one key.
async fn world() -> World {
    let (app, tree, admin) = TestApp::with_tree().await;
    set_boundary(&app, &admin, tree.grid_a1_1, 104.70, 31.70).await;
    set_boundary(&app, &admin, tree.grid_b1_1, 104.90, 31.90).await;
    let county = app.demo_session("county_c", CountyCenter, Bind::Area(tree.county)).await;
    let (key_id, key) = issue_key(&app, &county, "城市服务小程序", 60).await;
    World { app, tree, admin, county, key, key_id }
}

const DRAIN: &str = "小区东门下水道堵了，污水漫到路面上，联系电话13812345678";

/// A post of a blocked drain at (lat, long); the address is told apart by the coordinates, so two
/// posts are one problem only when the intake's duplicate rule says so by place.
fn drain_form<'a>(key: &'a str, lat: &'a str, long: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("api_key", key),
        ("service_code", "0403"),
        ("lat", lat),
        ("long", long),
        ("description", DRAIN),
        ("phone", "13800001111"),
        ("first_name", "三"),
        ("last_name", "张"),
        ("email", "zhang@example.com"),
        ("media_url", "https://img.example.com/a.jpg"),
    ]
}

#[tokio::test]
async fn services_are_the_residents_categories_in_json_and_xml() {
    let w = world().await;
    let app = &w.app;
    let r = get311(app, "/open311/v2/services.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), "application/json; charset=utf-8");
    let list = r.json();
    let list = list.as_array().unwrap();
    let codes: Vec<&str> = list.iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"0401") && codes.contains(&"0403") && codes.contains(&"06"), "{codes:?}");
    // Disputes and special populations are not for third-party apps.
    assert!(!codes.iter().any(|c| c.starts_with("01") || c.starts_with("08")), "{codes:?}");
    let drain = list.iter().find(|s| s["service_code"] == "0403").unwrap();
    let mut keys: Vec<&str> = drain.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["description", "group", "keywords", "metadata", "service_code", "service_name", "type"]);
    assert_eq!(drain["group"], "环境卫生");
    assert_eq!(drain["type"], "realtime");
    assert_eq!(drain["metadata"], true);
    assert!(drain["description"].as_str().unwrap().starts_with("污水外溢。受理时限 2 个工作小时"), "{drain}");

    let x = get311(app, "/open311/v2/services.xml").await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(x.header("content-type"), "text/xml; charset=utf-8");
    let t = x.text();
    assert!(t.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service><service_code>"), "{t}");
    assert_eq!(t.matches("<service>").count(), list.len());
    assert!(t.contains("<service_code>0403</service_code>") && t.contains("<type>realtime</type>"));

    // A definition names the attribute a request with only an address needs.
    let d = get311(app, "/open311/v2/services/0403.json").await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    let d = d.json();
    assert_eq!(d["service_code"], "0403");
    assert_eq!(d["attributes"][0]["code"], "grid");
    assert_eq!(d["attributes"][0]["datatype"], "string");
    assert_eq!(d["attributes"][0]["required"], false);
    let dx = get311(app, "/open311/v2/services/0403.xml").await.text();
    assert!(dx.contains("<service_definition><service_code>0403</service_code><attributes><attribute><variable>true</variable><code>grid</code>"), "{dx}");
    let e = spec_errors(&get311(app, "/open311/v2/services/0101.json").await, StatusCode::NOT_FOUND);
    assert!(e[0].contains("0101"), "{e:?}");
    let ex = get311(app, "/open311/v2/services/0101.xml").await;
    assert_eq!(ex.status, StatusCode::NOT_FOUND);
    assert!(ex.text().contains("<errors><error><code>404</code><description>"), "{}", ex.text());
    spec_errors(&get311(app, "/open311/v2/services/0403").await, StatusCode::NOT_FOUND);

    // The OpenAPI document lists the Open311 routes with their form body and error list.
    let (_, doc) = app.get(&Session::anon(), "/api/v1/openapi.json").await;
    let post = &doc["paths"]["/open311/v2/requests.json"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"],
        json!(["api_key", "service_code", "description"])
    );
    assert_eq!(post["tags"], json!(["open311"]));
    assert_eq!(doc["paths"]["/open311/v2/services/{code}"]["get"]["parameters"][0]["schema"]["type"], "string");
    assert!(doc["paths"]["/api/v1/open311/keys"]["post"].is_object());

    // The one jurisdiction is the county.
    assert_eq!(get311(app, "/open311/v2/services.json?jurisdiction_id=510725").await.status, StatusCode::OK);
    let e = spec_errors(&get311(app, "/open311/v2/services.json?jurisdiction_id=110101").await, StatusCode::NOT_FOUND);
    assert!(e[0].contains("510725"), "{e:?}");
}

#[tokio::test]
async fn keys_are_shown_once_listed_revoked_and_audited() {
    let w = world().await;
    let app = &w.app;
    let (st, list) = app.get(&w.county, "/api/v1/open311/keys").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("key").is_none(), "the key itself is never listed: {list}");
    assert_eq!(list[0]["prefix"].as_str().unwrap(), &w.key[..9]);
    assert_eq!(list[0]["created_by_name"], "county_c");
    assert_eq!(list[0]["owner"], "县 12345 热线中心");
    // Only its hash is stored.
    let (stored,): (i64,) = app
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM open311_keys WHERE key_hash = $1", vec![w.key.as_str().into()])
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let created = app.audit_rows("open311_key_created").await;
    assert_eq!(created.len(), 1);
    assert!(!created[0].detail.contains(&w.key[9..]), "the audit row holds no key");

    let (st, v) = app
        .post_json(&w.county, "/api/v1/open311/keys", json!({ "name": " ", "owner": "x", "rate_per_hour": 0 }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["name"].is_string() && v["fields"]["rate_per_hour"].is_string(), "{v}");

    // The system administrator revokes it; a second revoke finds no live key.
    let (st, v) = app.post_json(&w.admin, &format!("/api/v1/open311/keys/{}/revoke", w.key_id), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["revoked_at"].is_i64());
    let (st, _) = app.post_json(&w.admin, &format!("/api/v1/open311/keys/{}/revoke", w.key_id), json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_rows("open311_key_revoked").await.len(), 1);
}

#[tokio::test]
async fn posting_needs_a_live_key_and_answers_in_the_spec_shape() {
    let w = world().await;
    let app = &w.app;
    let mut form = drain_form(&w.key, "31.70", "104.70");
    form.retain(|(k, _)| *k != "api_key");
    let e = spec_errors(&post311(app, "/open311/v2/requests.json", &form).await, StatusCode::FORBIDDEN);
    assert!(e[0].contains("api_key"), "{e:?}");
    let wrong = format!("o311_{}", "0".repeat(64));
    let e = spec_errors(
        &post311(app, "/open311/v2/requests.json", &drain_form(&wrong, "31.70", "104.70")).await,
        StatusCode::FORBIDDEN,
    );
    assert!(e[0].contains("api_key"), "{e:?}");
    let x = post311(app, "/open311/v2/requests.xml", &form).await;
    assert_eq!(x.status, StatusCode::FORBIDDEN);
    assert!(x.text().ends_with("<errors><error><code>403</code><description>api_key 无效或已被撤销，不能提交（请向县综治中心申请 API 密钥）</description></error></errors>"), "{}", x.text());
    // A JSON body is not the spec's form.
    let r =
        app.call(Method::POST, "/open311/v2/requests.json", &Session::anon(), Some(&json!({ "api_key": w.key }))).await;
    spec_errors(&r, StatusCode::BAD_REQUEST);
    assert_eq!(events(app).await, 0);

    let r = post311(app, "/open311/v2/requests.json", &drain_form(&w.key, "31.70", "104.70")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    let id = v[0]["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 10, "the resident tracking code: {v}");
    assert!(v[0]["token"].as_str().unwrap().len() >= 32);
    assert!(v[0]["service_notice"].as_str().unwrap().contains("受理时限"), "{v}");
    assert_eq!(events(app).await, 1);
    assert_eq!(app.audit_rows("open311_request_posted").await.len(), 1);

    // The same key, revoked, is refused.
    let (st, _) = app.post_json(&w.county, &format!("/api/v1/open311/keys/{}/revoke", w.key_id), json!({})).await;
    assert_eq!(st, StatusCode::OK);
    app.clock.advance(3 * HOUR);
    spec_errors(
        &post311(app, "/open311/v2/requests.json", &drain_form(&w.key, "31.705", "104.705")).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(events(app).await, 1);
}

#[tokio::test]
async fn bad_posts_name_every_problem_and_write_nothing() {
    let w = world().await;
    let app = &w.app;
    let e = spec_errors(
        &post311(app, "/open311/v2/requests.json", &[("api_key", &w.key), ("description", "太短"), ("lat", "91")])
            .await,
        StatusCode::BAD_REQUEST,
    );
    assert!(e.len() >= 3, "{e:?}");
    assert!(e.iter().any(|d| d.contains("service_code")), "{e:?}");
    assert!(e.iter().any(|d| d.contains("10 个字")), "{e:?}");
    assert!(e.iter().any(|d| d.contains("long")), "{e:?}");
    // A category that is not a service.
    let mut form = drain_form(&w.key, "31.70", "104.70");
    form[1] = ("service_code", "0101");
    let e = spec_errors(&post311(app, "/open311/v2/requests.json", &form).await, StatusCode::BAD_REQUEST);
    assert!(e[0].contains("0101"), "{e:?}");
    // An address alone: the grid must be named, and must exist.
    let base = vec![
        ("api_key", w.key.as_str()),
        ("service_code", "0401"),
        ("address_string", "嫩水路幸福小区东门"),
        ("description", "垃圾桶满溢三天没有清运，气味很大"),
    ];
    let e = spec_errors(&post311(app, "/open311/v2/requests.json", &base).await, StatusCode::BAD_REQUEST);
    assert!(e[0].contains("attribute[grid]"), "{e:?}");
    let mut unknown = base.clone();
    unknown.push(("attribute[grid]", "510725109009009"));
    let e = spec_errors(&post311(app, "/open311/v2/requests.json", &unknown).await, StatusCode::BAD_REQUEST);
    assert!(e[0].contains("510725109009009"), "{e:?}");
    assert_eq!(events(app).await, 0);
    let mut named = base.clone();
    named.push(("attribute[grid]", "510725101001002"));
    let r = post311(app, "/open311/v2/requests.json", &named).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let (grid,): (Option<i64>,) = app.db.read().fetch_one("SELECT grid_id FROM events", vec![]).await.unwrap();
    assert_eq!(grid, Some(w.tree.grid_a1_2));
    // The XML answer of a post.
    app.clock.advance(HOUR);
    let x = post311(app, "/open311/v2/requests.xml", &drain_form(&w.key, "31.90", "104.90")).await;
    assert_eq!(x.status, StatusCode::CREATED, "{}", x.text());
    assert!(x.text().contains("<service_requests><request><service_request_id>"), "{}", x.text());
}

#[tokio::test]
async fn a_request_reads_back_with_public_fields_only_and_follows_the_event_to_closed() {
    let w = world().await;
    let app = &w.app;
    let r = post311(app, "/open311/v2/requests.json", &drain_form(&w.key, "31.70", "104.70")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let posted = r.json();
    let id = posted[0]["service_request_id"].as_str().unwrap().to_owned();
    let token = posted[0]["token"].as_str().unwrap().to_owned();

    let r = get311(app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let q = &v[0];
    let mut keys: Vec<&str> = q.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "address",
            "address_id",
            "agency_responsible",
            "description",
            "expected_datetime",
            "lat",
            "long",
            "media_url",
            "requested_datetime",
            "service_code",
            "service_name",
            "service_notice",
            "service_request_id",
            "status",
            "status_notes",
            "updated_datetime",
            "zipcode"
        ]
    );
    assert_eq!(q["service_request_id"], id.as_str());
    assert_eq!(q["status"], "open");
    assert_eq!(q["service_code"], "0403");
    assert_eq!(q["service_name"], "下水道堵了、污水外溢");
    assert_eq!(q["agency_responsible"], "嫩水第一网格");
    assert_eq!(q["requested_datetime"], "2026-03-02T09:00:00+08:00");
    // 0403: accept 2h + handle 1d + verify 1d = 18 working hours from Monday 09:00 (8 a day) → Wednesday 11:00.
    assert_eq!(q["expected_datetime"], "2026-03-04T11:00:00+08:00");
    assert_eq!((q["lat"].as_f64(), q["long"].as_f64()), (Some(31.70), Some(104.70)));
    assert_eq!(q["media_url"], "https://img.example.com/a.jpg");
    assert_eq!(q["address"], "");
    assert_eq!(q["description"], "小区东门下水道堵了，污水漫到路面上，联系电话138****5678");
    // No personal field anywhere: not the phone typed into the text, not the call-back phone, names or e-mail.
    let text = r.text();
    for secret in ["13812345678", "13800001111", "张三", "zhang@example.com", "resident-intake", token.as_str()] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // The token resolves to the request.
    let t = get311(app, &format!("/open311/v2/tokens/{token}.json")).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text());
    assert_eq!(t.json(), json!([{ "token": token, "service_request_id": id }]));
    spec_errors(&get311(app, "/open311/v2/tokens/nope.json").await, StatusCode::NOT_FOUND);
    spec_errors(&get311(app, "/open311/v2/requests/ZZZZZZZZZZ.json").await, StatusCode::NOT_FOUND);

    // The grid works it through to closed.
    let event_id: (i64,) = app.db.read().fetch_one("SELECT id FROM events", vec![]).await.unwrap();
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(w.tree.grid_a1_1)).await;
    let community = app.demo_session("comm_a1", CommunityStaff, Bind::Area(w.tree.comm_a1)).await;
    for (s, action) in [(&worker, "accept"), (&worker, "complete"), (&community, "verify"), (&community, "close")] {
        let (st, v) = app
            .post_json(
                s,
                &format!("/api/v1/events/{}/actions", event_id.0),
                json!({ "action": action, "note": "已疏通" }),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{action}: {v}");
        if action == "accept" {
            let now = get311(app, &format!("/open311/v2/requests/{id}.json")).await.json();
            assert_eq!((now[0]["status"].as_str(), now[0]["status_notes"].as_str()), (Some("open"), Some("正在办理")));
        }
    }
    let v = get311(app, &format!("/open311/v2/requests/{id}.json")).await.json();
    assert_eq!(v[0]["status"], "closed");
    assert_eq!(v[0]["status_notes"], "已办结");
    let x = get311(app, &format!("/open311/v2/requests/{id}.xml")).await.text();
    assert!(x.contains(&format!("<service_request_id>{id}</service_request_id><status>closed</status>")), "{x}");
    assert!(!x.contains("已疏通") && !text.contains("已疏通"), "no timeline notes");
    let closed = get311(app, "/open311/v2/requests.json?status=closed").await.json();
    assert_eq!(closed.as_array().unwrap().len(), 1);
    let open = get311(app, "/open311/v2/requests.json?status=open").await.json();
    assert_eq!(open, json!([]));
}

#[tokio::test]
async fn lists_filter_by_id_code_date_and_status_and_leave_out_other_reports() {
    let w = world().await;
    let app = &w.app;
    // Three posts a day apart (the intake allows a few reports an hour from one address).
    let mut ids = Vec::new();
    for (code, lat, long) in [("0403", "31.70", "104.70"), ("0401", "31.90", "104.90"), ("0403", "31.905", "104.905")] {
        let mut form = drain_form(&w.key, lat, long);
        form[1] = ("service_code", code);
        let r = post311(app, "/open311/v2/requests.json", &form).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()[0]["service_request_id"].as_str().unwrap().to_owned());
        app.clock.advance(DAY);
    }
    // A report from the public board page and one by a grid worker are not Open311's to publish.
    let page = wangge::domains::public::intake::ResidentReport {
        grid_id: Some(w.tree.grid_a1_1),
        category: "0401".into(),
        description: "楼道里堆满了杂物和垃圾，没人清理".into(),
        location: None,
        address: "嫩水路 12 号".into(),
        photos: vec![],
        callback_phone: None,
    };
    let meta =
        wangge::web::meta::RequestMeta { request_id: "t".into(), ip: "10.9.9.9".into(), user_agent: String::new() };
    wangge::domains::public::intake::accept(
        &app.state,
        page,
        wangge::domains::public::intake::Source::PublicPage { meta },
    )
    .await
    .unwrap();
    let worker = app.demo_session("worker_a", GridWorker, Bind::Area(w.tree.grid_a1_1)).await;
    let (st, v) = app
        .post_json(&worker, "/api/v1/events", json!({ "category": "0401", "title": "东门垃圾满溢", "details": { "what": "小区东门垃圾桶满溢三天无人清运", "where": "东门" } }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(events(app).await, 5);

    let list = |q: &str| {
        let path = format!("/open311/v2/requests.json{q}");
        async move {
            let r = get311(app, &path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["service_request_id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    // Newest first, Open311 only.
    assert_eq!(list("").await, [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    assert_eq!(list("?service_code=0403").await, [ids[2].clone(), ids[0].clone()]);
    assert_eq!(list("?service_code=0401,0402").await, [ids[1].clone()]);
    assert_eq!(
        list("?start_date=2026-03-03T00:00:00%2B08:00&end_date=2026-03-03T23:59:59%2B08:00").await,
        [ids[1].clone()]
    );
    assert_eq!(list("?start_date=2026-03-02T01:00:00Z").await, [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    assert_eq!(list("?page_size=2&page=2").await, [ids[0].clone()]);
    // Named ids override every other filter.
    assert_eq!(
        list(&format!("?service_request_id={},{}&service_code=0401&status=closed", ids[0], ids[2])).await,
        [ids[2].clone(), ids[0].clone()]
    );
    let xml = get311(app, "/open311/v2/requests.xml?service_code=0401").await.text();
    assert_eq!(xml.matches("<request>").count(), 1, "{xml}");
    let e = spec_errors(
        &get311(app, "/open311/v2/requests.json?start_date=2025-01-01&end_date=2026-03-01").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(e[0].contains("90 天"), "{e:?}");
    let e = spec_errors(&get311(app, "/open311/v2/requests.json?status=pending&page=0").await, StatusCode::BAD_REQUEST);
    assert_eq!(e.len(), 2, "{e:?}");
    // The list's default window is the last 90 days.
    app.clock.advance(91 * DAY);
    assert!(list("").await.is_empty());
}

#[tokio::test]
async fn each_key_has_its_hourly_limit() {
    let w = world().await;
    let app = &w.app;
    let (_, small) = issue_key(app, &w.county, "测试应用", 2).await;
    let post = |lat: &'static str| {
        let form: Vec<(String, String)> =
            drain_form(&small, lat, "104.90").into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        async move {
            let body = serde_urlencoded::to_string(&form).unwrap();
            let req = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/open311/v2/requests.json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            app.send(req).await
        }
    };
    assert_eq!(post("31.895").await.status, StatusCode::CREATED);
    app.clock.advance(20 * MINUTE);
    assert_eq!(post("31.905").await.status, StatusCode::CREATED);
    let full = post("31.900").await;
    // The window opened 20 minutes ago: it opens again in 40.
    assert_eq!(full.header("retry-after"), "2400");
    let e = spec_errors(&full, StatusCode::TOO_MANY_REQUESTS);
    assert!(e[0].contains("每小时最多提交 2 件"), "{e:?}");
    // The other key is not affected; the window opens again after the hour.
    let r = post311(app, "/open311/v2/requests.json", &drain_form(&w.key, "31.70", "104.70")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.clock.advance(HOUR);
    assert_eq!(post("31.892").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_keys_page_issues_shows_once_and_revokes() {
    let w = world().await;
    let app = &w.app;
    let r = app.call(Method::GET, "/settings/open311", &w.county, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(page.contains("城市服务小程序") && page.contains("/open311/v2/") && page.contains("510725"), "{page}");
    assert!(!page.contains(&w.key), "a key is shown only when it is issued");
    let r = app
        .post_form(
            &w.county,
            "/settings/open311/keys",
            &[("name", "热线对接"), ("owner", "12345 热线"), ("rate_per_hour", "30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    let start = page.find("o311_").expect("the new key on the page");
    assert_eq!(page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count(), 69);
    let r = app
        .post_form(&w.county, "/settings/open311/keys", &[("name", ""), ("owner", "某单位"), ("rate_per_hour", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写名称") && r.text().contains("某单位"), "the form comes back filled in");
    let r = app.post_form(&w.county, &format!("/settings/open311/keys/{}/revoke", w.key_id), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/settings/open311?msg=revoked");
    let r = app.call(Method::GET, "/settings/open311?msg=revoked", &w.county, None).await;
    assert!(r.text().contains("已撤销"));
}

/// One third-party app posts for many residents from one server address: its key's hourly limit
/// applies, not the per-address window of the public page (five an hour).
#[tokio::test]
async fn an_app_posts_more_than_the_per_address_window_under_its_key() {
    let w = world().await;
    let app = &w.app;
    // Eight different places 0.002° (about 200 m) apart inside the grid around (104.70, 31.70).
    for i in 0..8 {
        let lat = format!("{:.3}", 31.692 + 0.002 * f64::from(i));
        let r = post311(app, "/open311/v2/requests.json", &drain_form(&w.key, &lat, "104.70")).await;
        assert_eq!(r.status, StatusCode::CREATED, "post {i}: {}", r.text());
    }
    assert_eq!(events(app).await, 8);
}

#[tokio::test]
async fn a_request_at_0_0_or_abroad_is_refused() {
    let w = world().await;
    for (lat, long) in [("0", "0"), ("48.85", "2.35")] {
        let r = post311(&w.app, "/open311/v2/requests.json", &drain_form(&w.key, lat, long)).await;
        let e = spec_errors(&r, StatusCode::BAD_REQUEST);
        assert!(e.iter().any(|m| m.contains("不在中国境内")), "{e:?}");
    }
    assert_eq!(events(&w.app).await, 0);
}
