//! The boundary editor in a phone-sized browser: draw a grid's boundary by tapping and clicking on
//! the map, drag a vertex, save it through the API, and see a stale version refused in Chinese.

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction, TouchActions};
use fantoccini::{Client, Locator};
use wangge::domains::org::area_store;

/// Presses at an offset (pixels) from the editor map's centre: with a finger, or with the mouse.
async fn press(c: &Client, x: f64, y: f64, touch: bool) {
    let map = c.find(Locator::Css("#editor-map")).await.unwrap();
    let steps = [
        PointerAction::MoveToElement { element: map, duration: None, x, y },
        PointerAction::Down { button: MOUSE_BUTTON_LEFT },
        PointerAction::Up { button: MOUSE_BUTTON_LEFT },
    ];
    if touch {
        let mut a = TouchActions::new("finger".into());
        for s in steps {
            a = a.then(s);
        }
        c.perform_actions(a).await.unwrap();
    } else {
        let mut a = MouseActions::new("mouse".into());
        for s in steps {
            a = a.then(s);
        }
        c.perform_actions(a).await.unwrap();
    }
}

async fn status(c: &Client, contains: &str) -> String {
    let xpath = format!("//p[@id='editor-status'][contains(., '{contains}')]");
    c.wait().for_element(Locator::XPath(&xpath)).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_town_draws_a_grid_boundary_on_the_map_and_saves_it() {
    let (base, state, _dir) = super::start_app().await;
    let grid = area_store::get_by_code(&state.db, "510725101001002").await.unwrap().unwrap();
    let (_driver, c) = super::start_driver().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    super::fill(&c, "#username", "county").await;
    super::fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("header .who")).await.unwrap();
    // From the grid's page to its editor.
    c.goto(&format!("{base}/areas/{}", grid.id)).await.unwrap();
    c.wait().for_element(Locator::LinkText("绘制/修改边界")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#editor-map path.neighbour")).await.unwrap();
    status(&c, "已载入现有边界").await;
    c.execute("document.getElementById('editor-map').scrollIntoView({block: 'center'})", vec![]).await.unwrap();
    c.find(Locator::Css("#clear-points")).await.unwrap().click().await.unwrap();
    status(&c, "已清空").await;
    // A triangle: one tap with a finger, two mouse clicks.
    press(&c, -110.0, -70.0, true).await;
    status(&c, "已添加第 1 个顶点").await;
    press(&c, 110.0, -70.0, false).await;
    press(&c, 0.0, 80.0, false).await;
    status(&c, "已添加第 3 个顶点").await;
    assert_eq!(c.find_all(Locator::Css("#editor-map circle.vertex")).await.unwrap().len(), 3);
    // Drag the last vertex down a little.
    let map = c.find(Locator::Css("#editor-map")).await.unwrap();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: map, duration: None, x: 0.0, y: 80.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy { duration: Some(std::time::Duration::from_millis(200)), x: 0.0, y: 25.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    c.perform_actions(drag).await.unwrap();
    status(&c, "已移动顶点").await;
    super::shot(&c, "boundary-editor.png").await;
    c.find(Locator::Css("#save-boundary")).await.unwrap().click().await.unwrap();
    let saved = status(&c, "已保存").await;
    assert!(saved.contains(&format!("版本 {}", grid.version + 1)), "{saved}");
    let after = area_store::get(&state.db, "/", grid.id).await.unwrap().unwrap();
    assert_eq!(after.version, grid.version + 1);
    let b: serde_json::Value = serde_json::from_str(after.boundary.as_deref().unwrap()).unwrap();
    let ring = b["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.len(), 4, "three vertices and the closing one: {b}");
    assert_eq!(ring[0], ring[3]);
    // The dragged vertex is south of where it was pressed: its latitude is below the first two.
    assert!(ring[2][1].as_f64().unwrap() < ring[0][1].as_f64().unwrap());

    // Someone else saves meanwhile: the next save is refused in Chinese and nothing is written.
    state
        .db
        .read()
        .execute("UPDATE areas SET version = version + 1 WHERE id = $1", wangge::args![grid.id])
        .await
        .unwrap();
    press(&c, 60.0, 20.0, false).await;
    status(&c, "已添加第 4 个顶点").await;
    c.find(Locator::Css("#save-boundary")).await.unwrap().click().await.unwrap();
    let refused = status(&c, "已被他人修改").await;
    assert!(refused.contains("尚未保存"), "{refused}");
    let still = area_store::get(&state.db, "/", grid.id).await.unwrap().unwrap();
    assert_eq!(still.boundary, after.boundary);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_town_imports_a_communitys_boundaries_after_a_preview() {
    let (base, state, dir) = super::start_app().await;
    let grid = area_store::get_by_code(&state.db, "510725101001001").await.unwrap().unwrap();
    let community = area_store::get_by_code(&state.db, "510725101001").await.unwrap().unwrap();
    // The grid's boundary moved 0.0005° north (the demo grids are 0.0003° apart: into its northern neighbour), as a file from a surveyor.
    let mut geom: serde_json::Value = serde_json::from_str(grid.boundary.as_deref().unwrap()).unwrap();
    for ring in geom["coordinates"].as_array_mut().unwrap() {
        for p in ring.as_array_mut().unwrap() {
            let lat = p[1].as_f64().unwrap();
            p[1] = serde_json::json!(((lat + 0.0005) * 1e7).round() / 1e7);
        }
    }
    let fc = serde_json::json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "code": grid.code }, "geometry": geom }] });
    let file = dir.path().join("boundaries.geojson");
    std::fs::write(&file, fc.to_string()).unwrap();

    let (_driver, c) = super::start_driver().await;
    c.goto(&format!("{base}/login")).await.unwrap();
    super::fill(&c, "#username", "county").await;
    super::fill(&c, "#password", "wangge2026").await;
    c.find(Locator::Css("#login-submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("header .who")).await.unwrap();
    c.goto(&format!("{base}/areas/{}", community.id)).await.unwrap();
    c.wait().for_element(Locator::Css("svg.gridmap")).await.unwrap();
    super::shot(&c, "community-map.png").await;
    c.find(Locator::LinkText("导入边界 GeoJSON")).await.unwrap().click().await.unwrap();
    let input = c.wait().for_element(Locator::Css("#import-file")).await.unwrap();
    input.send_keys(file.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("#import-preview")).await.unwrap().click().await.unwrap();
    let xpath = "//p[@id='import-status'][contains(., '检查通过')]";
    let text = c.wait().for_element(Locator::XPath(xpath)).await.unwrap().text().await.unwrap();
    assert!(text.contains("将更新 1 个网格"), "{text}");
    // The preview draws the new outline and warns of the overlap it makes with the northern neighbour.
    assert!(c.find(Locator::Css("#import-result svg.gridmap path.grid")).await.is_ok());
    let result = c.find(Locator::Css("#import-result")).await.unwrap().text().await.unwrap();
    assert!(result.contains("重叠"), "{result}");
    // Nothing written before the confirmation.
    assert_eq!(area_store::get(&state.db, "/", grid.id).await.unwrap().unwrap().version, grid.version);
    super::shot(&c, "boundary-import.png").await;
    c.find(Locator::Css("#import-confirm")).await.unwrap().click().await.unwrap();
    let done = "//p[@id='import-status'][contains(., '已导入 1 个网格')]";
    c.wait().for_element(Locator::XPath(done)).await.unwrap();
    let after = area_store::get(&state.db, "/", grid.id).await.unwrap().unwrap();
    assert_eq!(after.version, grid.version + 1);
    let stored: serde_json::Value = serde_json::from_str(after.boundary.as_deref().unwrap()).unwrap();
    assert_eq!(stored, geom);
    // The printable diagram of the community shows every grid's label.
    c.goto(&format!("{base}/areas/{}/diagram?paper=A4", community.id)).await.unwrap();
    let labels = c.wait().for_element(Locator::Css("#diagram svg")).await.unwrap();
    assert_eq!(labels.find_all(Locator::Css("text.grid-label")).await.unwrap().len(), 26);
    super::shot(&c, "diagram.png").await;
    c.close().await.unwrap();
}
