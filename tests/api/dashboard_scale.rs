//! The dashboard at scale (ignored; run by hand): a synthetic city region written with SQL — 20 towns,
//! 200 communities, 2,000 grids with boundaries, accounts with a month of activity, people,
//! households, houses, special files and events — then a town's dashboard timed through the service.
//! `WANGGE_DASH_PEOPLE` (default 1,000,000) sets the people; events, households and houses follow.

use crate::helpers::*;
use std::time::Instant;
use wangge::domains::activity::model::ActivitySettings;
use wangge::domains::activity::service::AreaRef;

async fn exec(app: &TestApp, sql: &str) {
    let t = Instant::now();
    app.db.read().execute(sql, vec![]).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
    println!("  {:>6.1} s  {}", t.elapsed().as_secs_f64(), sql.chars().take(70).collect::<String>());
}

#[tokio::test]
#[ignore]
async fn a_town_dashboard_at_scale() {
    let app = TestApp::new().await;
    let people: i64 = std::env::var("WANGGE_DASH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let (events, households) = (people * 3 / 10, people * 3 / 10);
    let (cp,): (String,) =
        app.db.read().fetch_one("SELECT path FROM areas WHERE id = $1", wangge::args![app.county_id]).await.unwrap();
    let blob = if app.is_postgres() { "'\\x00'::bytea" } else { "x'00'" };
    let now = start_ms();
    let n = |max: i64| {
        format!("WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {max}) ")
    };
    // Towns 1001–1020, communities 2001–2200, grids 3001–5000 (ten per parent).
    exec(
        &app,
        &format!(
            "{}INSERT INTO areas (id, parent_id, kind, subkind, code, name, path, depth, created_at, updated_at) \
        SELECT 1000 + i, {}, 'town', 'town', 'T' || i, '镇' || i, '{cp}' || (1000 + i) || '/', 1, 0, 0 FROM n",
            n(20),
            app.county_id
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "{}INSERT INTO areas (id, parent_id, kind, subkind, code, name, path, depth, created_at, updated_at) \
        SELECT 2000 + i, 1001 + (i - 1) / 10, 'community', 'community', 'C' || i, '社区' || i, \
        '{cp}' || (1001 + (i - 1) / 10) || '/' || (2000 + i) || '/', 2, 0, 0 FROM n",
            n(200)
        ),
    )
    .await;
    exec(&app, &format!("{}INSERT INTO areas (id, parent_id, kind, subkind, code, name, path, depth, boundary, created_at, updated_at) \
        SELECT 3000 + i, 2001 + (i - 1) / 10, 'grid', 'urban', 'G' || i, '网格' || i, \
        '{cp}' || (1001 + (i - 1) / 100) || '/' || (2001 + (i - 1) / 10) || '/' || (3000 + i) || '/', 3, \
        '{{\"type\":\"Polygon\",\"coordinates\":[[[' || (100 + i % 50) || ',' || (30 + i / 50) || '],[' || (101 + i % 50) || ',' || (30 + i / 50) || '],[' \
        || (101 + i % 50) || ',' || (31 + i / 50) || '],[' || (100 + i % 50) || ',' || (30 + i / 50) || ']]]}}', 0, 0 FROM n", n(2000))).await;
    // Ten grid workers per community's grids: 2,000 accounts, each active on 1–25 days of March.
    exec(
        &app,
        &format!(
            "{}INSERT INTO accounts (id, username, display_name, role, area_id, password_hash, created_at, updated_at) \
        SELECT 10000 + i, 'gw' || i, '网格员' || i, 'grid_worker', 3000 + i, 'x', 0, 0 FROM n",
            n(2000)
        ),
    )
    .await;
    exec(&app, &format!("{}INSERT INTO account_activity (account_id, day, kind, first_at) \
        SELECT 10000 + (i - 1) / 25 + 1, '2026-03-' || CASE WHEN (i - 1) % 25 < 9 THEN '0' ELSE '' END || ((i - 1) % 25 + 1), 'write', 0 \
        FROM n WHERE (i - 1) % 25 < ((i - 1) / 25) % 25 + 1", n(50_000))).await;
    exec(&app, &format!("{}INSERT INTO persons (grid_id, kind, name, name_initials, id_enc, id_bidx, id_masked, sex, birth_date, created_at, updated_at) \
        SELECT 3001 + i % 2000, 'registered', '人' || i, 'r', {blob}, 'b' || i, 'x', 'male', '1980-01-01', 0, 0 FROM n", n(people))).await;
    exec(
        &app,
        &format!(
            "{}INSERT INTO households (grid_id, household_no, next_visit_due, created_at, updated_at) \
        SELECT 3001 + i % 2000, 'H' || i, CASE WHEN i % 10 = 0 THEN '2026-02-01' ELSE '2026-12-01' END, 0, 0 FROM n",
            n(households)
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "{}INSERT INTO houses (grid_id, house_no, address, house_use, created_at, updated_at) \
        SELECT 3001 + i % 2000, 'N' || i, 'a', 'x', 0, 0 FROM n",
            n(households)
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "{}INSERT INTO special_files (person_id, kind, data_enc, next_visit_due, created_at, updated_at) \
        SELECT i * 100, CASE WHEN i % 2 = 0 THEN 'drug_user' ELSE 'mental_disorder' END, {blob}, \
        CASE WHEN i % 3 = 0 THEN '2026-02-15' ELSE '2026-12-01' END, 0, 0 FROM n",
            n(people / 100)
        ),
    )
    .await;
    // Events of the month: seven in ten closed, the rest open with deadlines around now.
    exec(&app, &format!("{}INSERT INTO events (category, severity, channel, title, details, grid_id, area_id, area_path, state, \
        reporter_account_id, deadline, card, reported_at, closed_at, created_at, updated_at) \
        SELECT '0401', 'normal', 'grid_worker', '事件' || i, '{{}}', 3001 + i % 2000, 3001 + i % 2000, \
        '{cp}' || (1001 + (i % 2000) / 100) || '/' || (2001 + (i % 2000) / 10) || '/' || (3001 + i % 2000) || '/', \
        CASE WHEN i % 10 < 7 THEN 'closed' WHEN i % 10 = 7 THEN 'reported' WHEN i % 10 = 8 THEN 'accepted' ELSE 'dispatched' END, \
        10001, {now} + (i % 7 - 3) * 86400000 + i, CASE WHEN i % 5 = 0 THEN 'red' WHEN i % 5 = 1 THEN 'yellow' ELSE 'none' END, \
        {now} - (i % 30) * 86400000 - i, CASE WHEN i % 10 < 7 THEN {now} - (i % 30) * 86400000 + 3600000 + i END, 0, 0 FROM n", n(events))).await;
    // PostgreSQL: as after autovacuum (statistics and the visibility map for index-only scans).
    exec(&app, if app.is_postgres() { "VACUUM ANALYZE" } else { "ANALYZE" }).await;
    let town = AreaRef { id: 1005, name: "镇5".into(), path: format!("{cp}1005/") };
    let settings = ActivitySettings::default();
    let mut times = Vec::new();
    let mut d = None;
    for _ in 0..5 {
        let t = Instant::now();
        d = Some(wangge::domains::dashboard::service::dashboard(&app.db, &town, "town", now, &settings).await.unwrap());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let d = d.unwrap();
    println!(
        "{} people, {events} events: town dashboard {:?} ms; people {}, open {}, overdue {}, overdue visits {}, {} grids drawn, map {} KB",
        people,
        times.iter().map(|t| t.round()).collect::<Vec<_>>(),
        d.register.people,
        d.events.open,
        d.events.overdue,
        d.overdue_visits,
        d.map.grids.len(),
        d.map.grids.iter().map(|g| g.path.len()).sum::<usize>() / 1024
    );
    assert_eq!(d.register.people, people / 20);
    assert_eq!(d.map.grids.len(), 100);
    if !app.is_postgres() && std::env::var("WANGGE_DASH_EXPLAIN").is_ok() {
        let end = wangge::auth::scope::subtree_end(&town.path);
        let (p, e) = (town.path.as_str(), end.as_str());
        for q in [
            format!(
                "SELECT g.id, COUNT(*) FROM areas g JOIN persons t ON t.grid_id = g.id WHERE g.kind = 'grid' AND g.path >= '{p}' AND g.path < '{e}' AND t.status = 'active' GROUP BY g.id"
            ),
            format!(
                "SELECT g.id, COUNT(*) FROM areas g JOIN households t ON t.grid_id = g.id WHERE g.kind = 'grid' AND g.path >= '{p}' AND g.path < '{e}' AND t.status = 'active' GROUP BY g.id"
            ),
            format!(
                "SELECT g.id, (SELECT COUNT(*) FROM persons t WHERE t.grid_id = g.id AND t.status = 'active') FROM areas g WHERE g.kind = 'grid' AND g.path >= '{p}' AND g.path < '{e}'"
            ),
            format!(
                "SELECT sf.kind, COUNT(*) FROM areas g CROSS JOIN special_files sf JOIN persons p ON p.id = sf.person_id WHERE g.kind = 'grid' AND g.path >= '{p}' AND g.path < '{e}' AND sf.grid_id = g.id AND p.status = 'active' AND sf.status = 'active' GROUP BY sf.kind"
            ),
            format!(
                "SELECT e.state, e.category, e.card, COUNT(*) FROM events e WHERE e.area_path >= '{p}' AND e.area_path < '{e}' AND e.state NOT IN ('closed', 'evaluated', 'cancelled', 'merged') GROUP BY e.state, e.category, e.card"
            ),
            format!(
                "SELECT e.id, e.title FROM events e LEFT JOIN areas g ON g.id = e.grid_id WHERE e.area_path >= '{p}' AND e.area_path < '{e}' AND e.state NOT IN ('closed', 'evaluated', 'cancelled', 'merged') AND e.deadline <= {now} ORDER BY e.deadline, e.id LIMIT 10"
            ),
            format!(
                "SELECT COUNT(*) FROM areas a CROSS JOIN events e WHERE a.path >= '{p}' AND a.path < '{e}' AND e.area_path = a.path AND e.reported_at >= 0 AND e.reported_at < {now}"
            ),
            format!(
                "SELECT g.id, g.path, COUNT(*) FROM areas g CROSS JOIN special_files sf JOIN persons p ON p.id = sf.person_id WHERE g.kind = 'grid' AND g.path >= '{p}' AND g.path < '{e}' AND sf.grid_id = g.id AND sf.status = 'active' AND sf.next_visit_due IS NOT NULL AND sf.next_visit_due < '2026-03-02' AND p.status = 'active' GROUP BY g.id, g.path"
            ),
        ] {
            let rows: Vec<(i64, i64, i64, String)> =
                app.db.read().fetch_all(&format!("EXPLAIN QUERY PLAN {q}"), vec![]).await.unwrap();
            println!("{}", q.chars().take(90).collect::<String>());
            for r in rows {
                println!("    {}", r.3);
            }
        }
    }
    if app.is_postgres() && std::env::var("WANGGE_DASH_EXPLAIN").is_ok() {
        let end = wangge::auth::scope::subtree_end(&town.path);
        let (p, e) = (town.path.as_str(), end.as_str());
        for q in [
            format!(
                "SELECT g.id, (SELECT COUNT(*) FROM persons t WHERE t.grid_id = g.id AND t.status = 'active') FROM areas g WHERE g.kind = 'grid' AND g.path >= '{p}' AND g.path < '{e}'"
            ),
            format!(
                "SELECT COUNT(*) FROM areas a CROSS JOIN events e WHERE a.path >= '{p}' AND a.path < '{e}' AND e.area_path = a.path AND e.reported_at >= 0 AND e.reported_at < {now}"
            ),
        ] {
            let rows: Vec<(String,)> =
                app.db.read().fetch_all(&format!("EXPLAIN (ANALYZE, BUFFERS) {q}"), vec![]).await.unwrap();
            println!("{}", q.chars().take(90).collect::<String>());
            for r in rows {
                println!("    {}", r.0);
            }
        }
    }
    // Each query on its own, for the town and for the whole county.
    use wangge::domains::dashboard::store;
    let county = AreaRef { id: app.county_id, name: "演示县".into(), path: cp.clone() };
    for area in [&town, &county] {
        println!("{}:", area.name);
        let p = area.path.as_str();
        macro_rules! timed {
            ($name:expr, $e:expr) => {{
                let t = Instant::now();
                let r = $e.await.unwrap();
                println!("  {:>7.1} ms  {}", t.elapsed().as_secs_f64() * 1000.0, $name);
                r
            }};
        }
        timed!("grids", store::grids(&app.db, p));
        timed!("register_by_grid", store::register_by_grid(&app.db, p));
        timed!("special_counts", store::special_counts(&app.db, p));
        timed!("open_events", store::open_events(&app.db, p));
        timed!("open_events_by_path", store::open_events_by_path(&app.db, p, now));
        timed!("overdue_events", store::overdue_events(&app.db, p, now, 10));
        timed!("month_counts", store::month_counts(&app.db, p, now - 30 * 86_400_000, now));
        timed!("waiting_submissions", store::waiting_submissions(&app.db, p, now));
        timed!("overdue_by_grid", wangge::domains::visits::reads::overdue_by_grid(&app.db, p, "2026-03-02"));
        let period = wangge::domains::activity::model::ReportPeriod::month("2026-03").unwrap();
        let period = wangge::domains::activity::model::Measure::whole(period, &settings);
        timed!("activity figures", wangge::domains::activity::service::figures(&app.db, area, &period, &settings));
    }
    let t = Instant::now();
    let c = wangge::domains::dashboard::service::dashboard(&app.db, &county, "county", now, &settings).await.unwrap();
    println!("county dashboard {:.0} ms, {} grids drawn", t.elapsed().as_secs_f64() * 1000.0, c.map.grids.len());
}
