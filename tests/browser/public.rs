//! A resident on a phone: opens the grid's public board signed out, reports a blocked drain with a
//! photo (随手拍), gets a tracking code and follows it; the grid worker accepts the event and the
//! public status changes.

use super::{expect_notice, fill, shot, sign_in, start_app, start_driver};
use fantoccini::Locator;

const GRID: &str = "510725101001001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_resident_reports_from_the_public_board_and_tracks_the_code() {
    let (base, state, dir) = start_app().await;
    let photo = dir.path().join("drain.png");
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

    // Signed out, the board of the grid: its staff with phone numbers, and the way to report.
    c.goto(&format!("{base}/public/grids/{GRID}")).await.unwrap();
    let board = c.wait().for_element(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(board.contains("网格员") && board.contains("随手拍"), "{board}");
    let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
    assert_eq!(fits, serde_json::json!(true), "the board fits the phone");
    shot(&c, "public_board.png").await;

    // 随手拍: a plain-word category, what happened, where, a photo, a phone for a call back.
    c.find(Locator::LinkText("随手拍：反映问题")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("input[name=category][value='0403']")).await.unwrap().click().await.unwrap();
    fill(&c, "#description", "楼下下水道堵了，污水漫到路面上，已经两天了").await;
    fill(&c, "#address", "嫩水路幸福小区 3 栋东门").await;
    c.find(Locator::Css("#photos")).await.unwrap().send_keys(&photo.display().to_string()).await.unwrap();
    fill(&c, "#callback_phone", "13800138000").await;
    let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await.unwrap();
    assert_eq!(fits, serde_json::json!(true), "the form fits the phone");
    shot(&c, "public_report.png").await;
    c.find(Locator::Css("#report-form button[type=submit]")).await.unwrap().click().await.unwrap();

    // The tracking code and the first status.
    let code = c.wait().for_element(Locator::Css("#tracking-code")).await.unwrap().text().await.unwrap();
    assert_eq!(code.len(), 11, "{code}");
    let status = c.find(Locator::Css("#public-state")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "已收到，等待受理");
    shot(&c, "public_tracking_received.png").await;

    // The grid worker finds it and accepts it.
    let (event_id,): (i64,) = state
        .db
        .read()
        .fetch_one("SELECT event_id FROM public_reports WHERE tracking_code = $1", vec![code.replace('-', "").into()])
        .await
        .unwrap();
    sign_in(&c, &base, "heshan.c1.g1").await;
    c.goto(&format!("{base}/events/{event_id}")).await.unwrap();
    let summary = c.wait().for_element(Locator::Css("#event-summary")).await.unwrap().text().await.unwrap();
    assert!(summary.contains("群众"), "{summary}");
    c.find(Locator::Css("#act-accept-submit")).await.unwrap().click().await.unwrap();
    expect_notice(&c, "已签收受理").await;

    // Signed out again, the resident types the code on the tracking page and sees the change.
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/public/track")).await.unwrap();
    fill(&c, "#code", &code.to_lowercase()).await;
    c.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    let status = c.wait().for_element(Locator::Css("#public-state")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "正在办理");
    let timeline = c.find(Locator::Css("#timeline")).await.unwrap().text().await.unwrap();
    assert!(timeline.contains("已收到") && timeline.contains("已受理"), "{timeline}");
    shot(&c, "public_tracking_accepted.png").await;
    c.close().await.unwrap();
}
