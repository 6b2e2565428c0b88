//! Pure rules of the public side: tracking codes, the resident's plain-word categories, the limits of
//! abuse control (sizes, sliding windows, what counts as the same report) and the public stages an
//! event's timeline shows to residents. No I/O.

use crate::clock::{HOUR, MINUTE, Millis};

/// Characters of a tracking code: digits and capitals without 0/O and 1/I (easy to read aloud and
/// to type from a note): 32 symbols, 5 bits each.
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters of a tracking code (50 bits of randomness).
pub const CODE_LEN: usize = 10;

/// A tracking code from 10 random bytes (each byte picks one symbol; 256 is a multiple of 32, so
/// every symbol is equally likely).
pub fn tracking_code(random: &[u8; CODE_LEN]) -> String {
    random.iter().map(|b| CODE_ALPHABET[(*b as usize) % CODE_ALPHABET.len()] as char).collect()
}

/// A fresh random tracking code.
pub fn new_tracking_code() -> String {
    let bytes = crate::auth::secret::random_bytes(CODE_LEN);
    let mut a = [0u8; CODE_LEN];
    a.copy_from_slice(&bytes[..CODE_LEN]);
    tracking_code(&a)
}

/// What a resident typed, as a stored code: case, spaces and dashes do not matter; anything else
/// outside the alphabet (or the wrong length) is no code.
pub fn parse_tracking_code(input: &str) -> Option<String> {
    let code: String =
        input.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A code as shown to people: two groups of five (`ABCDE-FGHJK`).
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_LEN { format!("{}-{}", &code[..5], &code[5..]) } else { code.to_owned() }
}

/// The categories a resident chooses from, in plain words, each one event category (its code is the
/// Open311 `service_code`). Categories that need the parties of a dispute or a head count are left to
/// staff. `FIX_MY_STREET` says which of them covers each of FixMyStreet's common categories.
pub const RESIDENT_CATEGORIES: [(&str, &str); 21] = [
    ("1101", "路灯不亮、损坏"),
    ("1102", "路面坑洼、破损"),
    ("1103", "人行道、盲道砖松动破损"),
    ("1104", "井盖丢失、破损"),
    ("0401", "垃圾没人清运"),
    ("0404", "有人乱倒垃圾、建筑垃圾"),
    ("0402", "路面脏、有污物（含宠物粪便）"),
    ("0403", "下水道堵了、污水外溢"),
    ("1105", "路面积水、内涝"),
    ("0503", "乱贴小广告、乱涂乱画"),
    ("0504", "废弃车辆（僵尸车）"),
    ("0501", "占道摆摊"),
    ("0505", "噪声扰民"),
    ("1106", "树木倒伏、绿化损坏"),
    ("0301", "消防通道被堵、消防隐患"),
    ("0302", "闻到燃气味、燃气隐患"),
    ("0303", "房屋、围墙有危险"),
    ("0304", "交通安全隐患（标志护栏损坏、乱停车堵路）"),
    ("06", "有人违法搭建"),
    ("09", "意见和建议"),
    ("99", "其他问题"),
];

/// FixMyStreet's common report categories and the resident category that takes each.
pub const FIX_MY_STREET: [(&str, &str); 16] = [
    ("Street lighting", "1101"),
    ("Potholes", "1102"),
    ("Pavements/footpaths", "1103"),
    ("Manhole covers", "1104"),
    ("Rubbish (refuse and recycling)", "0401"),
    ("Flytipping", "0404"),
    ("Street cleaning", "0402"),
    ("Dog fouling", "0402"),
    ("Drains and gullies", "0403"),
    ("Flooding", "1105"),
    ("Graffiti", "0503"),
    ("Flyposting", "0503"),
    ("Abandoned vehicles", "0504"),
    ("Noise", "0505"),
    ("Trees", "1106"),
    ("Road traffic signs", "0304"),
];

/// Whether residents may choose the category (the page and Open311 offer only these).
pub fn is_resident_category(code: &str) -> bool {
    RESIDENT_CATEGORIES.iter().any(|(c, _)| *c == code)
}

/// The plain word of a category code (empty when residents do not choose it).
pub fn plain_category(code: &str) -> &'static str {
    RESIDENT_CATEGORIES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

/// Size limits of one report.
pub const DESCRIPTION_MIN: usize = 10;
pub const DESCRIPTION_MAX: usize = 1000;
pub const ADDRESS_MAX: usize = 200;
pub const MAX_PHOTOS: usize = 3;
/// All photos of one report together.
pub const MAX_TOTAL_PHOTO_BYTES: usize = 12 * 1024 * 1024;

/// A sliding window: at most `max` reports in any `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub max: i64,
    pub window: Millis,
}

/// Per client address: 5 reports an hour (a household reporting a few things on a walk is fine).
pub const PER_ADDRESS: Window = Window { max: 5, window: HOUR };
/// Per grid: 30 reports an hour, whoever sends them (a flood from many addresses).
pub const PER_GRID: Window = Window { max: 30, window: HOUR };

impl Window {
    /// Where the window starts at `now` (reports at or after it count).
    pub fn start(self, now: Millis) -> Millis {
        now - self.window + 1
    }

    /// With `count` reports in the window, the oldest at `oldest`: `None` when another is allowed,
    /// else how long until the oldest leaves the window.
    pub fn wait(self, count: i64, oldest: Option<Millis>, now: Millis) -> Option<Millis> {
        if count < self.max {
            return None;
        }
        let oldest = oldest.unwrap_or(now);
        Some((oldest + self.window - now).max(1))
    }
}

/// How long to wait, in words: "约 12 分钟".
pub fn wait_words(ms: Millis) -> String {
    let minutes = (ms + MINUTE - 1) / MINUTE;
    if minutes >= 60 {
        let h = minutes / 60;
        let m = minutes % 60;
        if m == 0 { format!("约 {h} 小时") } else { format!("约 {h} 小时 {m} 分钟") }
    } else {
        format!("约 {} 分钟", minutes.max(1))
    }
}

/// Two reports of the same grid and category are one problem when the second comes within this
/// long of the first …
pub const DUPLICATE_WINDOW: Millis = 2 * HOUR;
/// … and both points lie within this many metres, or both name the same address.
pub const DUPLICATE_METRES: f64 = 100.0;

/// Where a report is, for the duplicate rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub grid_id: Option<i64>,
    pub category: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// `address_key` of the typed address.
    pub address_key: String,
    pub at: Millis,
}

/// The address as compared: letters and digits only, lower case (so "3 栋 2 单元" = "3栋2单元").
pub fn address_key(address: &str) -> String {
    address.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether `new` reports the same problem as the earlier `old`.
pub fn is_duplicate(old: &Place, new: &Place) -> bool {
    if old.grid_id != new.grid_id || old.category != new.category {
        return false;
    }
    let age = new.at - old.at;
    if !(0..=DUPLICATE_WINDOW).contains(&age) {
        return false;
    }
    let near = match (old.lon, old.lat, new.lon, new.lat) {
        (Some(a), Some(b), Some(c), Some(d)) => crate::geo::distance::haversine_m(b, a, d, c) <= DUPLICATE_METRES,
        _ => false,
    };
    near || (!new.address_key.is_empty() && old.address_key == new.address_key)
}

/// A stage of the public timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    pub label: &'static str,
    /// Words for the resident; the unit is named where it helps (`{unit}`), never a person.
    pub words: &'static str,
}

/// The stage a timeline action shows publicly; `None` for internal steps (supervision, urging,
/// extension requests, grid corrections) which residents do not see.
pub fn stage_of(action: &str) -> Option<Stage> {
    let (label, words) = match action {
        "report" => ("已收到", "您的反映已进入网格的待办。"),
        "accept" => ("已受理", "{unit}已受理，正在处理。"),
        "dispatch" => ("已交办", "已交给{unit}办理。"),
        "escalate" => ("已转上级", "已转{unit}处理。"),
        "return" => ("已退回重新安排", "承办单位正在重新安排，由{unit}处理。"),
        "approve_extension" => ("已延期", "办理期限已按规定延长。"),
        "complete" => ("已办理完毕", "{unit}已办理完毕，等待网格核查。"),
        "verify" => ("已核查", "网格已到现场核查。"),
        "reopen" => ("重新办理", "核查发现还没解决好，已重新办理。"),
        "close" => ("已结案", "事情已办结。"),
        "evaluate" => ("已评价", "已记录满意度评价。"),
        "cancel" => ("未予受理", "经核实未予受理；如有疑问请联系网格员。"),
        "merge" => ("已合并", "与另一件同样的反映合并办理。"),
        _ => return None,
    };
    Some(Stage { label, words })
}

/// The state of an event in the resident's words.
pub fn state_words(state: &str) -> &'static str {
    match state {
        "reported" => "已收到，等待受理",
        "accepted" | "in_progress" => "正在办理",
        "dispatched" => "已交办，等待承办单位签收",
        "completed" => "已办理完毕，等待核查",
        "verified" => "已核查，等待结案",
        "closed" | "evaluated" => "已办结",
        "cancelled" => "未予受理",
        "merged" => "已与同样的反映合并办理",
        _ => "处理中",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_use_only_unambiguous_characters() {
        for c in ['0', 'O', '1', 'I'] {
            assert!(!CODE_ALPHABET.contains(&(c as u8)), "{c} must not be used");
        }
        let mut seen = std::collections::HashSet::new();
        for b in CODE_ALPHABET {
            assert!(seen.insert(*b), "{} twice", *b as char);
        }
        assert_eq!(tracking_code(&[0; 10]), "2222222222");
        assert_eq!(tracking_code(&[31, 32, 63, 255, 8, 9, 10, 11, 12, 13]), "Z2ZZABCDEF");
        for _ in 0..200 {
            let c = new_tracking_code();
            assert_eq!(c.len(), CODE_LEN);
            assert_eq!(parse_tracking_code(&c).as_deref(), Some(c.as_str()));
        }
    }

    #[test]
    fn typed_codes_are_forgiving_about_case_spaces_and_dashes_only() {
        assert_eq!(parse_tracking_code(" abcde-fghjk ").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(parse_tracking_code("ABCDE FGHJK").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(parse_tracking_code("ABCDEFGHJ"), None, "too short");
        assert_eq!(parse_tracking_code("ABCDEFGHJKL"), None, "too long");
        assert_eq!(parse_tracking_code("ABCDEFGHJ0"), None, "0 is not in the alphabet");
        assert_eq!(parse_tracking_code("ABCDEFGHJI"), None, "I is not in the alphabet");
        assert_eq!(parse_tracking_code("ABCDE网格HJK"), None);
        assert_eq!(display_code("ABCDEFGHJK"), "ABCDE-FGHJK");
    }

    fn place(grid: i64, cat: &str, lon: f64, lat: f64, addr: &str, at: Millis) -> Place {
        Place {
            grid_id: Some(grid),
            category: cat.into(),
            lon: Some(lon),
            lat: Some(lat),
            address_key: address_key(addr),
            at,
        }
    }

    #[test]
    fn duplicate_rule() {
        let t = 1_000_000_000;
        let old = place(7, "0403", 104.0, 31.0, "嫩水街 3 号", t);
        // 0.0005° of latitude ≈ 56 m; 0.002° ≈ 222 m.
        assert!(is_duplicate(&old, &place(7, "0403", 104.0, 31.0005, "", t + HOUR)));
        assert!(!is_duplicate(&old, &place(7, "0403", 104.0, 31.002, "", t + HOUR)), "too far");
        assert!(is_duplicate(&old, &place(7, "0403", 104.0, 31.002, "嫩水街3号", t + HOUR)), "same address");
        assert!(!is_duplicate(&old, &place(7, "0401", 104.0, 31.0, "嫩水街 3 号", t + HOUR)), "other category");
        assert!(!is_duplicate(&old, &place(8, "0403", 104.0, 31.0, "嫩水街 3 号", t + HOUR)), "other grid");
        assert!(is_duplicate(&old, &place(7, "0403", 104.0, 31.0, "", t + DUPLICATE_WINDOW)), "edge of the window");
        assert!(!is_duplicate(&old, &place(7, "0403", 104.0, 31.0, "", t + DUPLICATE_WINDOW + 1)), "after");
        let no_place = Place { lon: None, lat: None, address_key: String::new(), ..old.clone() };
        assert!(!is_duplicate(&no_place, &Place { at: t + 1, ..no_place.clone() }), "nothing to compare");
    }

    #[test]
    fn sliding_window_waits_until_the_oldest_leaves() {
        let now = 10 * HOUR;
        assert_eq!(PER_ADDRESS.wait(4, Some(now - 10 * MINUTE), now), None);
        assert_eq!(PER_ADDRESS.wait(5, Some(now - 10 * MINUTE), now), Some(50 * MINUTE));
        assert_eq!(PER_ADDRESS.start(now), now - HOUR + 1);
        assert_eq!(wait_words(50 * MINUTE), "约 50 分钟");
        assert_eq!(wait_words(30 * 1000), "约 1 分钟");
        assert_eq!(wait_words(90 * MINUTE), "约 1 小时 30 分钟");
    }

    #[test]
    fn internal_steps_have_no_public_stage() {
        for a in ["supervise", "urge", "extend", "reject_extension", "set_grid", "card"] {
            assert!(stage_of(a).is_none(), "{a}");
        }
        assert_eq!(stage_of("report").map(|s| s.label), Some("已收到"));
        assert!(RESIDENT_CATEGORIES.iter().all(|(c, l)| !c.is_empty() && !l.is_empty()));
    }

    #[test]
    fn every_common_fix_my_street_category_has_a_resident_category() {
        for (theirs, ours) in FIX_MY_STREET {
            assert!(is_resident_category(ours), "{theirs} → {ours}");
        }
        let mut codes: Vec<&str> = RESIDENT_CATEGORIES.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RESIDENT_CATEGORIES.len(), "one event category per resident category");
        assert_eq!(plain_category("1101"), "路灯不亮、损坏");
    }
}
