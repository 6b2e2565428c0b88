//! The header's navigation by role (issue 22.11) in a real browser: on a county desktop and a grid
//! worker's phone every daily link and every menu is on the screen (nothing behind a scrollbar), each
//! menu opens with every link inside the window, one menu is open at a time, and a link in a menu leads
//! to its page, where the header marks the page's link and its menu.

use fantoccini::{Client, Locator};
use serde_json::json;

/// Answers a script's value.
async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Every element matching `css` is displayed and lies inside the window's width.
async fn all_on_screen(c: &Client, css: &str, what: &str) {
    let got = c
        .execute(
            "const w = document.documentElement.clientWidth; return [...document.querySelectorAll(arguments[0])]\
             .filter(e => { const r = e.getBoundingClientRect(); return r.width === 0 || r.height === 0 || r.left < 0 || r.right > w + 0.5; })\
             .map(e => e.textContent.trim());",
            vec![json!(css)],
        )
        .await
        .unwrap();
    assert_eq!(got, json!([]), "{what}: off the screen or hidden");
}

async fn check_menus(c: &Client, who: &str) {
    let n = js(c, "return document.querySelectorAll('#nav a.daily, #nav summary').length;").await;
    assert!(n.as_u64().unwrap() >= 2, "{who}: {n}");
    all_on_screen(c, "#nav a.daily, #nav summary", &format!("{who}: the navigation")).await;
    let fits = js(c, "const n = document.getElementById('nav'); return n.scrollWidth <= n.clientWidth;").await;
    assert_eq!(fits, json!(true), "{who}: the navigation scrolls sideways");
    let summaries = c.find_all(Locator::Css("#nav details.menu > summary")).await.unwrap();
    assert!(!summaries.is_empty(), "{who} has menus");
    for (i, s) in summaries.iter().enumerate() {
        let label = s.text().await.unwrap();
        s.click().await.unwrap();
        let open = js(c, "return [...document.querySelectorAll('#nav details[open]')].map(d => d.querySelector('summary').textContent);").await;
        assert_eq!(open, json!([label.clone()]), "{who}: only {label} is open");
        let css = format!("#nav details.menu:nth-of-type({}) .menu-items a", i + 1);
        let links = c.find_all(Locator::Css(&css)).await.unwrap();
        assert!(!links.is_empty(), "{who}: menu {label} has links");
        for a in &links {
            assert!(a.is_displayed().await.unwrap(), "{who}: a link of {label} is hidden");
        }
        all_on_screen(c, &css, &format!("{who}: menu {label}")).await;
        super::shot(c, &format!("nav-{who}-{i}.png")).await;
    }
    // Escape closes the open menu.
    c.execute("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));", vec![]).await.unwrap();
    assert_eq!(js(c, "return document.querySelectorAll('#nav details[open]').length;").await, json!(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn the_county_on_a_desktop_and_a_grid_worker_on_a_phone_reach_every_page_of_their_menus() {
    let (base, _state, _dir) = super::start_app().await;
    let (_driver, c) = super::start_driver().await;
    for (who, w, h) in [("county", 1440, 900), ("heshan.c1.g1", 412, 915), ("heshan", 1024, 768)] {
        c.set_window_size(w, h).await.unwrap();
        super::sign_in(&c, &base, who).await;
        c.goto(&format!("{base}/")).await.unwrap();
        c.wait().for_element(Locator::Css("#home-daily a.tile")).await.unwrap();
        super::shot(&c, &format!("nav-{who}-home.png")).await;
        check_menus(&c, who).await;
    }
    // The grid worker's phone: a page inside a menu is one tap on the menu and one on the link.
    super::nav_click(&c, "实有房屋").await;
    c.wait().for_element(Locator::Css("#house-list")).await.unwrap();
    // The header shows where one is: the page's link, and the menu holding it.
    let here = js(
        &c,
        "return [document.querySelector('#nav a[aria-current=page]').textContent, \
                       document.querySelector('#nav details.here > summary').textContent];",
    )
    .await;
    assert_eq!(here, json!(["实有房屋", "人口房屋"]));
    // The county's desktop: 区域网格 is in 组织机构.
    c.set_window_size(1440, 900).await.unwrap();
    super::sign_in(&c, &base, "county").await;
    super::nav_click(&c, "区域网格").await;
    c.wait().for_element(Locator::Css(".grid-list")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/areas"));
    c.close().await.unwrap();
}
