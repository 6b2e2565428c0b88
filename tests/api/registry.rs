//! The register: people with validation, masking, unmasking with a reason, duplicates and transfers,
//! status changes, deletion, history, special-population files and their visibility, houses, rentals
//! and places — and a scan of the raw database for personal data in clear.

use crate::fixtures::{self, County, Login, Who, id_number, with};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};
use wangge::auth::Role::*;

/// A registered person with the fields the register's own pages show (phone, address, education, ethnicity).
fn person(grid: i64, name: &str, id_number: &str) -> Value {
    with(
        fixtures::person("registered", grid, name, id_number),
        json!({ "phone": "13912345678", "address": "嫩水路 8 号 2 栋 1 单元 301", "education": "大学本科", "ethnicity": "汉族" }),
    )
}

async fn setup() -> County {
    County::new(&[Who::Worker, Who::WorkerB], Login::Cookie).await
}

#[tokio::test]
async fn registering_validates_masks_and_derives_birth_and_sex() {
    let p = setup().await;
    let number = id_number(1985, 6, 15, 17);
    let (st, v) = p.app.post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "张三", &number)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["id_number"], json!(format!("510725********{}", &number[14..])));
    assert_eq!(v["phone"], "139****5678");
    assert_eq!(v["birth_date"], "1985-06-15");
    assert_eq!(v["sex"], "male");
    assert_eq!(v["education"], "20", "labels are stored as code-table codes");
    for key in [
        "id",
        "kind",
        "name",
        "id_number",
        "phone",
        "sex",
        "birth_date",
        "grid_id",
        "house_id",
        "address",
        "status",
        "version",
    ] {
        assert!(v.get(key).is_some(), "person JSON has {key}");
    }
    // Bad check digit, disagreeing birth date and sex, bad phone, unknown code, missing floating fields.
    let mut bad = number.clone();
    bad.replace_range(17.., if number.ends_with('1') { "2" } else { "1" });
    let got = p.app.post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "李四", &bad)).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("id_number"));
    let mut body = person(p.tree.grid_a1_1, "李四", &id_number(1990, 1, 2, 20));
    body["birth_date"] = json!("1990-01-03");
    body["sex"] = json!("male");
    body["phone"] = json!("1391234");
    body["ethnicity"] = json!("火星族");
    let (st, v) = p.app.post_json(p.worker(), "/api/v1/persons", body).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["birth_date", "sex", "phone", "ethnicity"] {
        assert!(v["fields"].get(f).is_some(), "{f} named in {v}");
    }
    let floating = json!({ "kind": "floating", "name": "王五", "id_number": id_number(1992, 3, 4, 31), "grid_id": p.tree.grid_a1_1 });
    let (st, v) = p.app.post_json(p.worker(), "/api/v1/persons", floating).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"].get("extra.reason").is_some() && v["fields"].get("extra.permit_type").is_some(), "{v}");
    // Another community's grid is out of scope.
    let got = p
        .app
        .post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_b1_1, "赵六", &id_number(1970, 5, 5, 41)))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("grid_id"));
}

#[tokio::test]
async fn duplicate_id_is_refused_with_where_and_can_be_transferred() {
    let p = setup().await;
    let number = id_number(1980, 2, 29, 55);
    let (st, v) = p.app.post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "张三", &number)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let pid = v["id"].as_i64().unwrap();
    // Registered again from the other town: refused, saying where (masked).
    let (st, v) = p.app.post_json(p.worker_b(), "/api/v1/persons", person(p.tree.grid_b1_1, "张三", &number)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("嫩水第一网格") && msg.contains("510725********"), "{msg}");
    assert!(!msg.contains(&number), "never the full number");
    // The new grid asks for a transfer; the old grid's side confirms.
    let (st, t) = p
        .app
        .post_json(
            p.worker_b(),
            "/api/v1/persons/transfers",
            json!({ "id_number": number, "grid_id": p.tree.grid_b1_1, "reason": "已搬到城北" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let tid = t["id"].as_i64().unwrap();
    let got = p.app.post_json(p.worker_b(), &format!("/api/v1/persons/transfers/{tid}/approve"), json!({})).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    let (st, pending) = p.app.get(p.worker(), "/api/v1/persons/transfers?status=pending").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(pending["total"], 1);
    let (st, done) = p.app.post_json(p.worker(), &format!("/api/v1/persons/transfers/{tid}/approve"), json!({})).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "approved");
    let (st, moved) = p.app.get(p.worker_b(), &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    assert_eq!(moved["grid_id"], p.tree.grid_b1_1);
    let (st, _) = p.app.get(p.worker(), &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "gone from the old grid's view");
}

#[tokio::test]
async fn unmasking_needs_permission_and_reason_and_is_audited() {
    let p = setup().await;
    let number = id_number(1975, 12, 1, 66);
    let (_, v) = p.app.post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "张三", &number)).await;
    let pid = v["id"].as_i64().unwrap();
    let got = p.app.get(p.worker(), &format!("/api/v1/persons/{pid}?unmask=true")).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("reason"));
    let (st, v) = p
        .app
        .get(p.worker(), &format!("/api/v1/persons/{pid}?unmask=true&reason=%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD"))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["id_number"], json!(number));
    assert_eq!(v["phone"], "13912345678");
    let rows = p.app.audit_rows("person_unmask").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].detail.contains("核对身份"));
    assert!(!rows[0].detail.contains(&number));
    // Every read is audited too: one row per person page, one per list naming whom it showed.
    let (st, _) = p.app.get(p.worker(), &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(p.app.audit_rows("person_read").await.len(), 1);
    let (st, _) = p.app.get(p.worker(), "/api/v1/persons").await;
    assert_eq!(st, StatusCode::OK);
    let lists = p.app.audit_rows("person_list_read").await;
    assert_eq!(lists.len(), 1);
    assert!(lists[0].detail.contains(&pid.to_string()));
    // The county viewer reads, masked, but may not unmask.
    let viewer = p.app.demo_session("viewer", CountyViewer, Bind::Area(p.tree.county)).await;
    let (st, v) = p.app.get(&viewer, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(v["id_number"].as_str().unwrap().contains('*'));
    let got = p.app.get(&viewer, &format!("/api/v1/persons/{pid}?unmask=true&reason=x")).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
}

#[tokio::test]
async fn search_by_initials_id_phone_and_scope() {
    let p = setup().await;
    let number = id_number(1988, 8, 8, 77);
    for (name, n, phone) in [
        ("张三", number.clone(), "13912345678"),
        ("张思", id_number(1989, 9, 9, 78), "13800001111"),
        ("李四", id_number(1990, 1, 1, 79), "13700002222"),
    ] {
        let mut b = person(p.tree.grid_a1_1, name, &n);
        b["phone"] = json!(phone);
        let (st, v) = p.app.post_json(p.worker(), "/api/v1/persons", b).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
    };
    let (_, v) = p.app.get(p.worker(), "/api/v1/persons?q=zs").await;
    assert_eq!(names(&v), vec!["张三", "张思"]);
    let (_, v) = p.app.get(p.worker(), &format!("/api/v1/persons?q={number}")).await;
    assert_eq!(names(&v), vec!["张三"]);
    let (_, v) = p.app.get(p.worker(), "/api/v1/persons?q=13700002222").await;
    assert_eq!(names(&v), vec!["李四"]);
    let (_, v) = p.app.get(p.worker(), "/api/v1/persons?q=%E5%BC%A0&sort=name&per_page=1").await;
    assert_eq!(
        (v["total"].as_i64(), v["per_page"].as_i64(), v["items"].as_array().unwrap().len()),
        (Some(2), Some(1), 1)
    );
    let (_, v) = p.app.get(p.worker(), "/api/v1/persons?q=%E5%AB%A9%E6%B0%B4%E8%B7%AF").await;
    assert_eq!(v["total"], 3, "address search: 嫩水路");
    // Another town's worker finds none of them, even by exact ID.
    let (_, v) = p.app.get(p.worker_b(), &format!("/api/v1/persons?q={number}")).await;
    assert_eq!(v["total"], 0);
    let got = p.app.get(p.worker(), "/api/v1/persons?kind=martian").await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("kind"));
}

#[tokio::test]
async fn status_changes_deletion_and_history() {
    let p = setup().await;
    let (_, v) = p
        .app
        .post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "张三", &id_number(1960, 4, 4, 90)))
        .await;
    let pid = v["id"].as_i64().unwrap();
    let (st, v) = p
        .app
        .patch_json(
            p.worker(),
            &format!("/api/v1/persons/{pid}"),
            json!({ "version": 1, "phone": "13600003333", "occupation": "厨师" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let got = p
        .app
        .patch_json(p.worker(), &format!("/api/v1/persons/{pid}"), json!({ "version": 1, "occupation": "司机" }))
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (_, h) = p.app.get(p.worker(), &format!("/api/v1/persons/{pid}/history")).await;
    let items = h["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "created + updated: {h}");
    let detail: Value = serde_json::from_str(items[1]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["phone"], json!({ "from": "139****5678", "to": "136****3333" }));
    assert_eq!(detail["occupation"], json!({ "from": "", "to": "厨师" }));
    // A registered person cannot "leave" (that is for floating people); moving out is dated with a reason.
    let got = p
        .app
        .post_json(
            p.worker(),
            &format!("/api/v1/persons/{pid}/status"),
            json!({ "version": 2, "status": "left", "date": "2026-03-01", "reason": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::CONFLICT, "conflict", None);
    let (st, v) = p
        .app
        .post_json(
            p.worker(),
            &format!("/api/v1/persons/{pid}/status"),
            json!({ "version": 2, "status": "moved_out", "date": "2026-03-01", "reason": "迁往成都" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "moved_out");
    let (_, v) = p.app.get(p.worker(), "/api/v1/persons").await;
    assert_eq!(v["total"], 0, "moved out: not in the default list");
    let (_, v) = p.app.get(p.worker(), "/api/v1/persons?status=all").await;
    assert_eq!(v["total"], 1);
    // Deleting needs the permission (grid workers lack it) and a reason.
    let got = p
        .app
        .post_json(p.worker(), &format!("/api/v1/persons/{pid}/delete"), json!({ "version": 3, "reason": "误录" }))
        .await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    let staff = p.app.demo_session("comm_a1", CommunityStaff, Bind::Area(p.tree.comm_a1)).await;
    let got =
        p.app.post_json(&staff, &format!("/api/v1/persons/{pid}/delete"), json!({ "version": 3, "reason": " " })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("reason"));
    let (st, _) = p
        .app
        .post_json(&staff, &format!("/api/v1/persons/{pid}/delete"), json!({ "version": 3, "reason": "重复录入" }))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = p.app.get(&staff, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(p.app.audit_rows("person_deleted").await.len(), 1);
}

#[tokio::test]
async fn special_files_are_seen_only_by_grid_town_and_the_signing_department() {
    let p = setup().await;
    let (_, v) = p
        .app
        .post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "张三", &id_number(1982, 7, 7, 11)))
        .await;
    let pid = v["id"].as_i64().unwrap();
    let file = json!({ "kind": "drug_user", "data": { "found_on": "2025-10-01", "control_status": "社区戒毒" }, "next_visit_due": "2026-03-01" });
    let (st, f) = p.app.post_json(p.worker(), &format!("/api/v1/persons/{pid}/special"), file).await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    assert_eq!(f["overdue"], true, "due yesterday on the test clock");
    let fid = f["id"].as_i64().unwrap();
    let (st, f) = p
        .app
        .post_json(
            p.worker(),
            &format!("/api/v1/persons/{pid}/special/{fid}/visits"),
            json!({ "visited_on": "2026-03-02", "note": "情况稳定", "next_visit_due": "2026-04-02" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{f}");
    assert_eq!((f["overdue"].as_bool(), f["visits"][0]["note"].as_str()), (Some(false), Some("情况稳定")));
    // The town's police station (signs drug users off) sees it; the county centre does not.
    let police = p.app.demo_session("police_a", DepartmentHandler, Bind::Department(p.tree.dept_a)).await;
    let (st, v) = p.app.get(&police, &format!("/api/v1/persons/{pid}/special")).await;
    assert_eq!((st, v["total"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    let (st, _) = p.app.get(&police, &format!("/api/v1/persons/{pid}")).await;
    assert_eq!(st, StatusCode::OK, "the department sees the person it signs off");
    let county = p.app.demo_session("county_c", CountyCenter, Bind::Area(p.tree.county)).await;
    let got = p.app.get(&county, &format!("/api/v1/persons/{pid}/special")).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden", None);
    // Another community's staff cannot see the person at all.
    let other = p.app.demo_session("comm_a2", CommunityStaff, Bind::Area(p.tree.comm_a2)).await;
    let (st, _) = p.app.get(&other, &format!("/api/v1/persons/{pid}/special")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let got = p
        .app
        .post_json(
            p.worker(),
            &format!("/api/v1/persons/{pid}/special"),
            json!({ "kind": "mental_disorder", "data": { "diagnosis": "x", "risk_level": "9", "guardian": "母亲" } }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("data.risk_level"));
}

#[tokio::test]
async fn houses_rentals_places_link_people() {
    let p = setup().await;
    let (st, h) = p
        .app
        .post_json(p.worker(), "/api/v1/houses", json!({ "grid_id": p.tree.grid_a1_1, "house_no": "NS-0001", "road": "嫩水路8号", "building": "2栋", "unit": "1单元", "room": "301",
            "house_use": "出租", "owner_name": "钱七", "owner_id_number": id_number(1966, 6, 6, 13), "owner_phone": "13512345678", "floor_area": 89.5 }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{h}");
    assert_eq!(h["address"], "嫩水路8号2栋1单元301");
    assert_eq!(h["owner_phone_masked"], "135****5678");
    assert!(h.get("owner_id_enc").is_none());
    let house = h["id"].as_i64().unwrap();
    let got = p
        .app
        .post_json(
            p.worker(),
            "/api/v1/houses",
            json!({ "grid_id": p.tree.grid_a1_1, "house_no": "NS-0001", "house_use": "自住", "address": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("house_no"));
    let tenant = json!({ "kind": "floating", "name": "孙八", "id_number": id_number(1995, 5, 5, 15), "grid_id": p.tree.grid_a1_1, "house_id": house,
        "extra": { "permit_type": "1", "reason": "务工", "from_place": "四川省南充市", "arrived_on": "2026-01-10" } });
    let (st, t) = p.app.post_json(p.worker(), "/api/v1/persons", tenant).await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let (st, r) = p
        .app
        .post_json(
            p.worker(),
            "/api/v1/rentals",
            json!({ "house_id": house, "landlord_name": "钱七", "start_date": "2026-01-01", "end_date": "2026-12-31",
            "rental_use": "居住", "tenant_ids": [t["id"]] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["tenants"][0]["name"], "孙八");
    let got = p.app.post_json(p.worker(), "/api/v1/rentals", json!({ "house_id": house, "landlord_name": "钱七", "start_date": "2026-05-01", "end_date": "2026-01-01", "rental_use": "居住" })).await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("end_date"));
    let (_, people) = p.app.get(p.worker(), &format!("/api/v1/persons?house={house}")).await;
    assert_eq!(people["total"], 1, "人房关联");
    let (st, pl) = p
        .app
        .post_json(p.worker(), "/api/v1/places", json!({ "grid_id": p.tree.grid_a1_1, "name": "嫩水网吧", "place_type": "网吧", "credit_code": "91350100M000100Y43",
            "safety_person": "周九", "contact_phone": "13312345678", "address": "嫩水路10号" }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{pl}");
    let got = p
        .app
        .post_json(
            p.worker(),
            "/api/v1/places",
            json!({ "grid_id": p.tree.grid_a1_1, "name": "x", "place_type": "网吧", "credit_code": "91350100M000100Y44",
            "safety_person": "周九", "contact_phone": "13312345678", "address": "y" }),
        )
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("credit_code"));
    // The other town sees none of it.
    let (_, v) = p.app.get(p.worker_b(), "/api/v1/houses").await;
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn no_id_number_or_phone_in_clear_anywhere_in_the_database() {
    let p = setup().await;
    let number = id_number(1977, 3, 3, 19);
    let phone = "13987654321";
    let mut body = person(p.tree.grid_a1_1, "张三", &number);
    body["phone"] = json!(phone);
    let (st, v) = p.app.post_json(p.worker(), "/api/v1/persons", body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let pid = v["id"].as_i64().unwrap();
    let (st, _) = p.app.get(p.worker(), &format!("/api/v1/persons/{pid}?unmask=true&reason=test")).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = p.app.get(p.worker(), &format!("/api/v1/persons?q={number}")).await;
    assert_eq!(st, StatusCode::OK);
    if p.app.is_postgres() {
        let tables = [
            "persons",
            "audit_log",
            "houses",
            "rentals",
            "places",
            "special_files",
            "special_visits",
            "person_transfers",
            "sessions",
        ];
        for t in tables {
            let rows: Vec<(String,)> =
                p.app.db.read().fetch_all(&format!("SELECT t::text FROM {t} t"), vec![]).await.unwrap();
            for (text,) in rows {
                assert!(!text.contains(&number) && !text.contains(phone), "{t} holds personal data in clear");
            }
        }
    } else {
        p.app.db.read().execute("PRAGMA wal_checkpoint(FULL)", vec![]).await.unwrap();
        let mut found = false;
        for entry in std::fs::read_dir(p.app.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                found |= bytes.windows(number.len()).any(|w| w == number.as_bytes())
                    || bytes.windows(phone.len()).any(|w| w == phone.as_bytes());
            }
        }
        assert!(!found, "the SQLite files hold an ID number or phone in clear");
    }
}

#[tokio::test]
async fn ledgers_count_per_child_area_and_roll_up() {
    let p = setup().await;
    let worker2 = p.app.demo_session("worker_a2", GridWorker, Bind::Area(p.tree.grid_a1_2)).await;
    for (s, grid, seq) in
        [(p.worker(), p.tree.grid_a1_1, 1), (p.worker(), p.tree.grid_a1_1, 3), (&worker2, p.tree.grid_a1_2, 5)]
    {
        let (st, v) = p.app.post_json(s, "/api/v1/persons", person(grid, "张三", &id_number(1984, 1, 1, seq))).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
    }
    let floating = json!({ "kind": "floating", "name": "王五", "id_number": id_number(1992, 3, 4, 31), "grid_id": p.tree.grid_a1_2,
        "extra": { "permit_type": "1", "reason": "务工", "from_place": "四川省南充市", "arrived_on": "2026-01-10" } });
    let (st, v) = p.app.post_json(&worker2, "/api/v1/persons", floating).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let town = p.app.demo_session("town_a", TownCenter, Bind::Area(p.tree.town_a)).await;
    // The town's basic ledger: one row per community, totals roll up.
    let (st, l) = p.app.get(&town, "/api/v1/ledgers/basic").await;
    assert_eq!(st, StatusCode::OK, "{l}");
    assert_eq!(l["columns"][0], "实有人口");
    let rows = l["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "嫩水社区 and 金山社区");
    assert_eq!(rows[0]["name"], "嫩水社区");
    assert_eq!(rows[0]["counts"][0], 4);
    assert_eq!(rows[0]["counts"][2], 1, "one floating");
    assert_eq!(rows[1]["counts"][0], 0);
    assert_eq!(l["total"][0], 4);
    // Drill down to the community: one row per grid.
    let (_, l) = p.app.get(&town, &format!("/api/v1/ledgers/floating?area={}", p.tree.comm_a1)).await;
    let counts: Vec<i64> = l["rows"].as_array().unwrap().iter().map(|r| r["counts"][0].as_i64().unwrap()).collect();
    assert_eq!(counts, vec![0, 1]);
    let r = p.app.call(axum::http::Method::GET, "/api/v1/ledgers/special/export.xlsx", &town, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let (stamp, data) = wangge::excel::read_first_sheet(&r.body).unwrap();
    assert!(stamp[0].contains("鹤山镇特殊群体台账"), "{stamp:?}");
    assert_eq!(data.last().unwrap()[0], "合计");
    assert_eq!(p.app.audit_rows("ledger_export").await.len(), 1);
    let (st, _) = p.app.get(&town, "/api/v1/ledgers/other").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Out of scope: another town's ledger.
    let (st, _) = p.app.get(&town, &format!("/api/v1/ledgers/basic?area={}", p.tree.town_b)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_or_lost_data_key_is_refused_at_start() {
    let p = setup().await;
    assert!(
        wangge::startup::check_key(&p.app.db, &wangge::crypto::Keys::from_hex(&"77".repeat(48)).unwrap()).await.is_ok(),
        "an empty register accepts any key"
    );
    let (st, _) = p
        .app
        .post_json(p.worker(), "/api/v1/persons", person(p.tree.grid_a1_1, "张三", &id_number(1985, 6, 15, 17)))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert!(wangge::startup::check_key(&p.app.db, &test_keys()).await.is_ok());
    let err = wangge::startup::check_key(&p.app.db, &wangge::crypto::Keys::from_hex(&"77".repeat(48)).unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("数据密钥与数据库不匹配"), "{err}");
}

#[tokio::test]
async fn houses_and_places_follow_the_one_coordinate_rule() {
    let p = setup().await;
    let got = p
        .app
        .post_json(p.worker(), "/api/v1/houses", json!({ "grid_id": p.tree.grid_a1_1, "house_no": "NS-0009", "house_use": "自住", "address": "嫩水路9号", "lon": 0.0, "lat": 0.0 }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("lon"));
    assert!(got.1["fields"]["lon"].as_str().unwrap().contains("不在中国境内"), "{}", got.1);
    let got = p
        .app
        .post_json(p.worker(), "/api/v1/places", json!({ "grid_id": p.tree.grid_a1_1, "name": "嫩水网吧", "place_type": "网吧", "credit_code": "91350100M000100Y43",
            "safety_person": "周九", "contact_phone": "13312345678", "address": "嫩水路10号", "lon": 2.35, "lat": 48.85 }))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some("lon"));
    // In China: accepted.
    let (st, h) = p
        .app
        .post_json(p.worker(), "/api/v1/houses", json!({ "grid_id": p.tree.grid_a1_1, "house_no": "NS-0009", "house_use": "自住", "address": "嫩水路9号", "lon": 104.7, "lat": 31.7 }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{h}");
}
