use super::*;

fn cat(code: &str, parent: Option<&str>, name: &str) -> CategoryRow {
    CategoryRow {
        code: code.into(),
        parent_code: parent.map(Into::into),
        name: name.into(),
        sort: 1,
        required_fields: "what,where".into(),
        is_dispute: false,
        accept_limit: "4h".into(),
        handle_limit: "1d".into(),
        verify_limit: "1d".into(),
        yellow_pct: 75,
        red_pct: 100,
        active: true,
        verifier_must_differ: true,
        version: 1,
    }
}

fn pairs(s: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(s).unwrap()
}

#[test]
fn formats_come_from_the_suffix() {
    assert_eq!(Format::split("0401.json"), Some(("0401", Format::Json)));
    assert_eq!(Format::split("ab.cd.xml"), Some(("ab.cd", Format::Xml)));
    assert_eq!(Format::split("0401"), None);
    assert_eq!(Format::split("0401.html"), None);
}

#[test]
fn services_are_the_residents_categories_that_exist_and_are_active() {
    let mut cats = vec![
        cat("04", None, "环境卫生"),
        cat("0401", Some("04"), "暴露垃圾"),
        cat("0402", Some("04"), "道路不洁"),
        cat("06", None, "违法建设"),
        cat("08", None, "特殊人群服务管理"),
    ];
    cats[2].active = false;
    let resident = [("06", "有人违法搭建"), ("0401", "垃圾没人清运"), ("0402", "路面脏"), ("0999", "不存在")];
    let s = services(&cats, &resident);
    let codes: Vec<&str> = s.iter().map(|s| s.service_code.as_str()).collect();
    assert_eq!(codes, ["06", "0401"]);
    assert_eq!((s[1].service_name.as_str(), s[1].group.as_str()), ("垃圾没人清运", "环境卫生"));
    assert_eq!(s[1].keywords, "暴露垃圾,垃圾没人清运");
    assert_eq!(s[0].group, "违法建设");
    assert_eq!(
        s[1].description,
        "暴露垃圾。受理时限 4 个工作小时，办理时限 1 个工作日，核查结案时限 1 个工作日（按工作时间计算）"
    );
    assert_eq!((s[1].kind, s[1].metadata), ("realtime", true));
    assert_eq!(attributes()[0].code, "grid");
}

#[test]
fn statuses_are_open_until_no_more_work() {
    assert_eq!(status_of("reported"), "open");
    assert_eq!(status_of("completed"), "open");
    assert_eq!(status_of("closed"), "closed");
    assert_eq!(status_of("cancelled"), "closed");
    assert_eq!(states_of("closed"), ["closed", "evaluated", "cancelled", "merged"]);
    assert_eq!(states_of("open").len(), 6);
}

#[test]
fn datetimes_are_beijing_time_with_offset() {
    // 2026-03-02T01:00:00Z
    let t = 1_772_413_200_000;
    assert_eq!(datetime(t), "2026-03-02T09:00:00+08:00");
    assert_eq!(parse_datetime("2026-03-02T09:00:00+08:00"), Some(t));
    assert_eq!(parse_datetime("2026-03-02T01:00:00Z"), Some(t));
    assert_eq!(parse_datetime("2026-03-02T09:00:00"), Some(t));
    assert_eq!(parse_datetime("2026-03-02"), Some(t - 9 * crate::clock::HOUR));
    assert_eq!(parse_datetime("yesterday"), None);
}

#[test]
fn list_filters_default_to_ninety_days_and_refuse_more() {
    let now = 1_772_413_200_000;
    let q = list_query(&pairs("status=open&service_code=0401,0402"), now).unwrap();
    assert_eq!((q.from, q.to), (now - MAX_SPAN, now));
    assert_eq!(q.codes, ["0401", "0402"]);
    assert_eq!(q.states.len(), 6);
    assert_eq!((q.page, q.page_size), (1, DEFAULT_PAGE_SIZE));
    let e = list_query(&pairs("start_date=2025-01-01&end_date=2026-03-01"), now).unwrap_err();
    assert!(e["end_date"].contains("90 天"));
    let e = list_query(&pairs("status=pending&page=0&start_date=x"), now).unwrap_err();
    assert_eq!(e.keys().collect::<Vec<_>>(), ["page", "start_date", "status"]);
    let q = list_query(&pairs("service_request_id=A1,B2&page_size=5"), now).unwrap();
    assert_eq!((q.ids.len(), q.page_size), (2, 5));
}

#[test]
fn a_posted_request_is_checked_field_by_field() {
    let p = posted(&pairs(
        "service_code=0401&lat=30.1&long=104.2&description=%E6%A5%BC%E4%B8%8B%E5%9E%83%E5%9C%BE%E5%A0%86%E4%BA%86%E4%B8%89%E5%A4%A9%E6%B2%A1%E4%BA%BA%E6%B8%85&phone=138%200000%200001&first_name=%E4%B8%89&attribute[other]=x",
    ))
    .unwrap();
    assert_eq!((p.lat, p.lon), (Some(30.1), Some(104.2)));
    assert_eq!(p.phone.as_deref(), Some("13800000001"));
    assert_eq!(p.grid_code, None);
    let e = posted(&pairs("lat=95&description=short&media_url=ftp://x&phone=12")).unwrap_err();
    assert_eq!(e.keys().collect::<Vec<_>>(), ["description", "lat", "long", "media_url", "phone", "service_code"]);
    let e = posted(&pairs("service_code=0401&description=0123456789ab&address_id=7")).unwrap_err();
    assert!(e["lat"].contains("address_id"));
    let e = posted(&pairs("service_code=0401&description=0123456789ab&address_string=%E4%B8%9C%E8%A1%97")).unwrap_err();
    assert!(e["attribute[grid]"].contains("网格编码"));
    let p = posted(&pairs(
        "service_code=0401&description=0123456789ab&address_string=%E4%B8%9C%E8%A1%97&attribute[grid]=510725101001001",
    ))
    .unwrap();
    assert_eq!((p.address.as_str(), p.grid_code.as_deref()), ("东街", Some("510725101001001")));
    let e = posted(&pairs("service_code=0401&description=0123456789ab&lat=0&long=0")).unwrap_err();
    assert!(e["lat"].contains("0,0"));
}

#[test]
fn numbers_in_free_text_are_masked() {
    assert_eq!(mask_numbers("请联系13812345678或者"), "请联系138****5678或者");
    assert_eq!(mask_numbers("身份证51072519900101123X。"), "身份证510725********123X。");
    assert_eq!(mask_numbers("3栋2单元501，共12户"), "3栋2单元501，共12户");
    assert_eq!(mask_numbers("编号 138123456789"), "编号 138123456789");
    assert_eq!(mask_numbers("电话:13812345678"), "电话:138****5678");
    assert_eq!(quoted(&"码".repeat(50)), format!("{}…", "码".repeat(40)));
}

#[test]
fn keys_are_random_and_stored_hashed() {
    let (k, h, p) = new_key();
    assert!(k.starts_with("o311_") && k.len() == 69);
    assert_eq!(h, crate::auth::secret::sha256_hex(&k));
    assert_eq!(p, k[..9]);
}
