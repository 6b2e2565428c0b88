//! The demo county as data: towns, communities and grids from the seed, departments, staff and
//! accounts, built in memory (pure) and written by `demo::run` in one transaction.

use super::names::{Rng, mobile, person_name};

/// One town of the demo county: name, pinyin for usernames, sub-kind, and its communities
/// (name, sub-kind, number of grids).
pub struct TownSpec {
    pub name: String,
    pub short: String,
    pub pinyin: String,
    pub subkind: &'static str,
    pub communities: Vec<(String, &'static str, usize)>,
}

const VILLAGES: &[&str] = &[
    "红星村",
    "新华村",
    "光明村",
    "团结村",
    "和平村",
    "太平村",
    "永兴村",
    "金星村",
    "石桥村",
    "柏林村",
    "青龙村",
    "长兴村",
];

/// The bulletin's towns, in its order, with their pinyin (鹤山镇 and 文昌镇 first).
const TOWNS: &[(&str, &str)] = &[
    ("经开区", "jingkai"),
    ("卧龙镇", "wolong"),
    ("玛瑙镇", "manao"),
    ("石牛镇", "shiniu"),
    ("仁和镇", "renhe"),
    ("石台镇", "shitai"),
    ("仙鹅镇", "xiane"),
    ("文兴镇", "wenxing"),
    ("豢龙镇", "huanlong"),
    ("交泰镇", "jiaotai"),
    ("马迎镇", "maying"),
    ("二洞镇", "erdong"),
    ("七曲山镇", "qiqushan"),
    ("宏仁乡", "hongren"),
    ("长卿镇", "changqing"),
    ("双峰镇", "shuangfeng"),
    ("双板镇", "shuangban"),
    ("小垭镇", "xiaoya"),
    ("大新镇", "daxin"),
    ("三泉镇", "sanquan"),
    ("白云镇", "baiyun"),
    ("宝石镇", "baoshi"),
    ("许州镇", "xuzhou"),
    ("自强镇", "ziqiang"),
    ("建兴镇", "jianxing"),
    ("东石镇", "dongshi"),
    ("马鸣镇", "maming"),
    ("定远镇", "dingyuan"),
    ("观义镇", "guanyi"),
    ("黎雅镇", "liya"),
    ("仙峰镇", "xianfeng"),
];

fn short_of(name: &str) -> String {
    for suffix in ["镇", "乡", "街道"] {
        if let Some(s) = name.strip_suffix(suffix) {
            return s.to_owned();
        }
    }
    name.to_owned()
}

pub fn county_towns() -> Vec<TownSpec> {
    let mut towns = vec![
        TownSpec {
            name: "鹤山镇".into(),
            short: "鹤山".into(),
            pinyin: "heshan".into(),
            subkind: "town",
            communities: vec![
                ("嫩水社区".into(), "community", 26),
                ("鹤鸣社区".into(), "community", 7),
                ("白鹤社区".into(), "community", 7),
                ("青山社区".into(), "community", 7),
                ("东街社区".into(), "community", 7),
                ("西街社区".into(), "community", 7),
                ("南桥社区".into(), "community", 7),
            ],
        },
        TownSpec {
            name: "文昌镇".into(),
            short: "文昌".into(),
            pinyin: "wenchang".into(),
            subkind: "town",
            communities: vec![
                ("城南社区".into(), "community", 5),
                ("城北社区".into(), "community", 5),
                ("东门社区".into(), "community", 5),
                ("西门社区".into(), "community", 5),
                ("长丰村".into(), "village", 6),
            ],
        },
    ];
    for (i, (name, py)) in TOWNS.iter().enumerate() {
        let short = short_of(name);
        let subkind = if name.ends_with('乡') {
            "township"
        } else if name.ends_with('区') {
            "devzone"
        } else {
            "town"
        };
        let communities = vec![
            (format!("{short}社区"), "community", 4),
            (VILLAGES[(2 * i) % VILLAGES.len()].to_owned(), "village", 3),
            (VILLAGES[(2 * i + 1) % VILLAGES.len()].to_owned(), "village", 3),
        ];
        towns.push(TownSpec { name: (*name).to_owned(), short, pinyin: (*py).to_owned(), subkind, communities });
    }
    towns
}

/// A square grid boundary laid out on a lattice, so every demo grid page has a map.
pub fn grid_square(town: usize, community: usize, grid: usize) -> String {
    let lon = 104.60 + (town % 8) as f64 * 0.08 + (grid % 6) as f64 * 0.004;
    let lat = 31.50 + (town / 8) as f64 * 0.08 + community as f64 * 0.012 + (grid / 6) as f64 * 0.003;
    let (w, h) = (0.0036, 0.0027);
    format!(
        "{{\"type\":\"Polygon\",\"coordinates\":[[[{lon:.4},{lat:.4}],[{:.4},{lat:.4}],[{:.4},{:.4}],[{lon:.4},{:.4}],[{lon:.4},{lat:.4}]]]}}",
        lon + w,
        lon + w,
        lat + h,
        lat + h
    )
}

/// A staff member to create, with the grids they serve.
pub struct StaffSpec {
    pub name: String,
    pub phone: String,
    pub position: &'static str,
    pub employment: &'static str,
    pub duties: &'static str,
}

pub fn staff(rng: &mut Rng, position: &'static str, rural: bool) -> StaffSpec {
    let duties = match position {
        "grid_worker" => "人口、房屋、出租房和重点场所信息采集；日常巡查；矛盾纠纷排查；事件上报",
        "grid_leader" => "统筹本社区网格工作，调解矛盾纠纷，督导网格员",
        _ => "社区综治工作，组织日碰头会，处理网格上报事件",
    };
    StaffSpec {
        name: person_name(rng),
        phone: mobile(rng),
        position,
        employment: if rural && position == "grid_worker" { "part_time" } else { "full_time" },
        duties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_counts() {
        let towns = county_towns();
        let heshan = &towns[0];
        assert_eq!(heshan.communities.len(), 7);
        assert_eq!(heshan.communities.iter().map(|c| c.2).sum::<usize>(), 68);
        assert_eq!(heshan.communities[0], ("嫩水社区".to_owned(), "community", 26));
        assert_eq!(towns[1].communities.iter().filter(|c| c.1 == "community").count(), 4);
        assert_eq!(towns.len(), 33);
        let hongren = towns.iter().find(|t| t.name == "宏仁乡").unwrap();
        assert_eq!(hongren.subkind, "township");
        assert_eq!(hongren.short, "宏仁");
        let mut py: Vec<&str> = towns.iter().map(|t| t.pinyin.as_str()).collect();
        py.sort();
        py.dedup();
        assert_eq!(py.len(), 33, "pinyin usernames are unique");
        let g = grid_square(0, 0, 0);
        let v: serde_json::Value = serde_json::from_str(&g).unwrap();
        assert!(crate::domains::org::model::check_boundary(&v).is_ok());
    }
}
