//! `wangge demo`: creates (idempotently) the demo county from the seed — 鹤山镇 with 7 communities
//! and 68 grids, 嫩水社区 with 26, the bulletin's towns with their 派出所/司法所/卫生院 — with staff
//! and accounts, optionally much larger synthetic trees, prints the sign-ins and serves.

pub mod bulletin;
pub mod events;
pub mod names;
mod patrols;
pub mod people;
mod plan;
mod public;
pub mod register;
mod run;
mod submissions;
mod visits;

pub use run::{run, seed_all};

use crate::audit::{self, AuditCtx};
use crate::clock::Millis;
use crate::db::bulk::{insert_rows, max_id, sync_sequence};
use crate::db::{Db, Tx, Value};
use crate::domains::org::area_store;
use anyhow::anyhow;
use names::Rng;
use serde_json::json;

pub const DEMO_COUNTY_CODE: &str = "510725";
pub const DEMO_COUNTY_NAME: &str = "演示县";

/// Rows to write, with ids assigned up front so paths and links need no round trips.
struct Batch {
    now: Millis,
    hash: String,
    rng: Rng,
    areas: Vec<Vec<Value>>,
    departments: Vec<Vec<Value>>,
    staff: Vec<Vec<Value>>,
    assignments: Vec<Vec<Value>>,
    accounts: Vec<Vec<Value>>,
    next: [i64; 5],
}

const AREA: usize = 0;
const DEPT: usize = 1;
const STAFF: usize = 2;
const ASSIGN: usize = 3;
const ACCOUNT: usize = 4;

impl Batch {
    async fn new(tx: &mut Tx, hash: String, now: Millis, seed: u64) -> anyhow::Result<Self> {
        let mut next = [0; 5];
        for (i, t) in ["areas", "departments", "staff", "staff_assignments", "accounts"].iter().enumerate() {
            next[i] = max_id(tx, t).await? + 1;
        }
        Ok(Batch {
            now,
            hash,
            rng: Rng::new(seed),
            areas: vec![],
            departments: vec![],
            staff: vec![],
            assignments: vec![],
            accounts: vec![],
            next,
        })
    }

    fn id(&mut self, table: usize) -> i64 {
        let id = self.next[table];
        self.next[table] += 1;
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn area(
        &mut self,
        parent: Option<(i64, &str)>,
        depth: i64,
        kind: &str,
        subkind: &str,
        code: &str,
        name: &str,
        boundary: Option<String>,
    ) -> (i64, String) {
        let id = self.id(AREA);
        let path = format!("{}{id}/", parent.map(|p| p.1).unwrap_or("/"));
        self.areas.push(vec![
            id.into(),
            parent.map(|p| p.0).into(),
            kind.into(),
            subkind.into(),
            code.into(),
            name.into(),
            path.clone().into(),
            depth.into(),
            boundary.into(),
            self.now.into(),
            self.now.into(),
        ]);
        (id, path)
    }

    fn department(&mut self, area_id: i64, kind: &str, name: &str) -> i64 {
        let id = self.id(DEPT);
        let phone = format!("0816-{:07}", 8_200_000 + id);
        self.departments.push(vec![
            id.into(),
            area_id.into(),
            kind.into(),
            name.into(),
            "值班室".into(),
            phone.into(),
            self.now.into(),
            self.now.into(),
        ]);
        id
    }

    fn staff(&mut self, area_id: i64, position: &'static str, rural: bool) -> (i64, String) {
        let s = plan::staff(&mut self.rng, position, rural);
        let id = self.id(STAFF);
        self.staff.push(vec![
            id.into(),
            area_id.into(),
            s.name.clone().into(),
            s.phone.into(),
            s.position.into(),
            s.employment.into(),
            s.duties.into(),
            self.now.into(),
            self.now.into(),
        ]);
        (id, s.name)
    }

    fn assign(&mut self, staff_id: i64, grid_id: i64, duty: &str) {
        let id = self.id(ASSIGN);
        self.assignments.push(vec![
            id.into(),
            staff_id.into(),
            grid_id.into(),
            duty.into(),
            "2026-01-01".into(),
            self.now.into(),
        ]);
    }

    fn account(
        &mut self,
        username: &str,
        display: &str,
        role: &str,
        area_id: Option<i64>,
        department_id: Option<i64>,
        staff_id: Option<i64>,
    ) {
        let id = self.id(ACCOUNT);
        self.accounts.push(vec![
            id.into(),
            username.into(),
            display.into(),
            role.into(),
            area_id.into(),
            department_id.into(),
            staff_id.into(),
            self.hash.clone().into(),
            false.into(),
            true.into(),
            self.now.into(),
            self.now.into(),
        ]);
    }

    /// A town's three departments with one handler account each.
    fn town_departments(&mut self, town_id: i64, short: &str, user: &str) {
        for (kind, suffix, label) in [
            ("police_station", "police", "派出所"),
            ("justice_office", "justice", "司法所"),
            ("health_center", "health", "卫生院"),
        ] {
            let name = format!("{short}{label}");
            let dep = self.department(town_id, kind, &name);
            self.account(&format!("{user}.{suffix}"), &name, "department_handler", None, Some(dep), None);
        }
    }

    /// A community with its staff member, grids, a grid worker per grid and a leader for large ones.
    #[allow(clippy::too_many_arguments)]
    fn community(
        &mut self,
        town: (i64, &str, &str),
        index: usize,
        name: &str,
        subkind: &str,
        grids: usize,
        user: &str,
        town_no: usize,
        boundaries: bool,
    ) {
        let (town_id, town_path, town_code) = town;
        let code = format!("{}{:03}", &town_code[..9], index + 1);
        let (cid, cpath) = self.area(Some((town_id, town_path)), 2, "community", subkind, &code, name, None);
        let rural = subkind == "village";
        let (sid, sname) = self.staff(cid, "community_staff", rural);
        let cuser = format!("{user}.c{}", index + 1);
        self.account(&cuser, &sname, "community_staff", Some(cid), None, Some(sid));
        let leader = if grids >= 7 { Some(self.staff(cid, "grid_leader", rural).0) } else { None };
        for g in 0..grids {
            let gcode = format!("{code}{:03}", g + 1);
            let gname = format!("{}第{}网格", name.trim_end_matches("社区"), g + 1);
            let boundary = boundaries.then(|| plan::grid_square(town_no, index, g));
            let (gid, _) = self.area(
                Some((cid, &cpath)),
                3,
                "grid",
                if rural { "rural" } else { "urban" },
                &gcode,
                &gname,
                boundary,
            );
            let (wid, wname) = self.staff(cid, "grid_worker", rural);
            self.assign(wid, gid, "worker");
            if let Some(l) = leader {
                self.assign(l, gid, "leader");
            }
            self.account(&format!("{cuser}.g{}", g + 1), &wname, "grid_worker", Some(gid), None, Some(wid));
        }
    }

    async fn write(self, tx: &mut Tx) -> anyhow::Result<u64> {
        let mut n = 0;
        n += insert_rows(
            tx,
            "areas",
            &[
                "id",
                "parent_id",
                "kind",
                "subkind",
                "code",
                "name",
                "path",
                "depth",
                "boundary",
                "created_at",
                "updated_at",
            ],
            self.areas,
        )
        .await?;
        n += insert_rows(
            tx,
            "departments",
            &["id", "area_id", "kind", "name", "contact_person", "contact_phone", "created_at", "updated_at"],
            self.departments,
        )
        .await?;
        n += insert_rows(
            tx,
            "staff",
            &["id", "area_id", "name", "phone", "position", "employment", "duties", "created_at", "updated_at"],
            self.staff,
        )
        .await?;
        n += insert_rows(
            tx,
            "staff_assignments",
            &["id", "staff_id", "grid_id", "duty", "start_date", "created_at"],
            self.assignments,
        )
        .await?;
        n += insert_rows(
            tx,
            "accounts",
            &[
                "id",
                "username",
                "display_name",
                "role",
                "area_id",
                "department_id",
                "staff_id",
                "password_hash",
                "must_change_password",
                "demo",
                "created_at",
                "updated_at",
            ],
            self.accounts,
        )
        .await?;
        for t in ["areas", "departments", "staff", "staff_assignments", "accounts"] {
            sync_sequence(tx, t).await?;
        }
        Ok(n)
    }
}

/// Creates the demo county unless it exists; answers the number of rows written.
pub async fn seed_county(db: &Db, hash: &str, now: Millis) -> anyhow::Result<u64> {
    if area_store::get_by_code(db, DEMO_COUNTY_CODE).await?.is_some() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let mut b = Batch::new(&mut tx, hash.to_owned(), now, 2026).await?;
    let (county, cpath) = b.area(None, 0, "county", "county", DEMO_COUNTY_CODE, DEMO_COUNTY_NAME, None);
    for (user, name, role) in [
        ("admin", "系统管理员", "system_admin"),
        ("security", "安全管理员", "security_admin"),
        ("auditor", "审计管理员", "audit_admin"),
        ("viewer", "县领导（只读）", "county_viewer"),
        ("county", "县综治中心", "county_center"),
    ] {
        b.account(user, name, role, Some(county), None, None);
    }
    for (kind, name) in [("urban_mgmt", "县城市管理局"), ("civil_affairs", "县民政局"), ("education", "县教育局")]
    {
        b.department(county, kind, name);
    }
    for (t, town) in plan::county_towns().iter().enumerate() {
        let tcode = format!("{DEMO_COUNTY_CODE}{:03}000", 101 + t);
        let (tid, tpath) = b.area(Some((county, &cpath)), 1, "town", town.subkind, &tcode, &town.name, None);
        b.account(&town.pinyin, &format!("{}综治中心", town.name), "town_center", Some(tid), None, None);
        b.town_departments(tid, &town.short, &town.pinyin);
        for (c, (cname, sub, grids)) in town.communities.iter().enumerate() {
            b.community((tid, &tpath, &tcode), c, cname, sub, *grids, &town.pinyin, t, true);
        }
    }
    let n = b.write(&mut tx).await?;
    audit::record(&mut tx, &AuditCtx::cli(now), "demo_seeded", "area", county, json!({ "rows": n, "scale": "county" }))
        .await
        .map_err(|e| anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(n)
}

/// Synthetic counties for the benchmarks: each 10 towns × 20 communities × 10 grids.
pub async fn seed_synthetic(db: &Db, hash: &str, counties: usize, now: Millis) -> anyhow::Result<u64> {
    let code_of = |i: usize| format!("51{:02}{:02}", 10 + i / 10, 1 + i % 10);
    if area_store::get_by_code(db, &code_of(counties - 1)).await?.is_some() {
        return Ok(0);
    }
    let mut total = 0;
    for i in 0..counties {
        let code = code_of(i);
        if area_store::get_by_code(db, &code).await?.is_some() {
            continue;
        }
        let mut tx = db.begin().await?;
        let mut b = Batch::new(&mut tx, hash.to_owned(), now, 7 + i as u64).await?;
        let (cid, cpath) = b.area(None, 0, "county", "county", &code, &format!("合成县{:03}", i + 1), None);
        let cu = format!("s{:03}", i + 1);
        b.account(&cu, &format!("合成县{:03}综治中心", i + 1), "county_center", Some(cid), None, None);
        for t in 0..10 {
            let tcode = format!("{code}{:03}000", 101 + t);
            let tname = format!("合成县{:03}第{}镇", i + 1, t + 1);
            let (tid, tpath) = b.area(Some((cid, &cpath)), 1, "town", "town", &tcode, &tname, None);
            let tu = format!("{cu}.t{}", t + 1);
            b.account(&tu, &format!("{tname}综治中心"), "town_center", Some(tid), None, None);
            b.town_departments(tid, &tname, &tu);
            for c in 0..20 {
                let (name, sub) = if c < 8 {
                    (format!("第{}社区", c + 1), "community")
                } else {
                    (format!("第{}村", c + 1), "village")
                };
                b.community((tid, &tpath, &tcode), c, &name, sub, 10, &tu, t, false);
            }
        }
        total += b.write(&mut tx).await?;
        tx.commit().await?;
        println!("  已生成 {}（{} / {}）", code, i + 1, counties);
    }
    Ok(total)
}

/// Fills 鹤山镇's register with the seed's counts, unless it already has people.
pub async fn seed_heshan_register(db: &Db, keys: &crate::crypto::Keys, now: Millis) -> anyhow::Result<u64> {
    let Some(town) = area_store::get_by_code(db, "510725101000").await? else { return Ok(0) };
    if crate::domains::registry::person_store::count_under(db, &town.path).await? > 0 {
        return Ok(0);
    }
    let grids = area_store::grids_under(db, &town.path).await?;
    register::seed(db, keys, &grids, now).await
}
