//! Event reports parsed at the edge (category, severity, channel, a structured description whose
//! required parts each category names) and the card colour of a timed step.

use crate::clock::Millis;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub const SEVERITIES: [(&str, &str); 3] = [("normal", "一般"), ("major", "较大"), ("urgent", "紧急")];
pub const CHANNELS: [(&str, &str); 6] = [
    ("grid_worker", "网格员上报"),
    ("resident", "群众反映"),
    ("hotline", "12345 热线"),
    ("patrol", "巡查发现"),
    ("upper_level", "上级交办"),
    ("video", "视频发现"),
];
/// The parts of the structured description, with their Chinese names.
pub const DETAIL_PARTS: [(&str, &str); 5] =
    [("what", "事情经过"), ("where", "具体地点"), ("when", "发生时间"), ("who", "涉及人员"), ("how_many", "涉及人数")];
pub const MEDIATION_METHODS: [(&str, &str); 4] =
    [("people", "人民调解"), ("administrative", "行政调解"), ("judicial", "司法调解"), ("other", "其他方式")];

pub fn label_of(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

/// The structured description of what happened (事情经过、地点、时间、人员、人数), plus mediation
/// fields for disputes.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Details {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub r#where: String,
    #[serde(default)]
    pub when: String,
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub how_many: Option<i64>,
    /// Disputes: the parties (当事人).
    #[serde(default)]
    pub parties: String,
    #[serde(default)]
    pub mediation_method: String,
    #[serde(default)]
    pub mediation_outcome: String,
}

/// Minimum length of "what happened", so a report cannot be two words.
pub const WHAT_MIN_CHARS: usize = 10;

fn parse_when(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").is_ok()
        || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

impl Details {
    /// Checks the parts the category requires (and the shape of every part given).
    pub fn check(&mut self, required: &str, is_dispute: bool, e: &mut FieldErrors) {
        for s in [&mut self.what, &mut self.r#where, &mut self.when, &mut self.who, &mut self.parties] {
            *s = s.trim().to_owned();
        }
        let req = |p: &str| required.split(',').any(|r| r.trim() == p);
        if self.what.chars().count() < WHAT_MIN_CHARS {
            e.insert(
                "details.what".into(),
                format!("请把事情经过写清楚（至少 {WHAT_MIN_CHARS} 个字：发生了什么、现在什么情况）"),
            );
        } else if self.what.chars().count() > 2000 {
            e.insert("details.what".into(), "事情经过最多 2000 字".into());
        }
        if req("where") && self.r#where.is_empty() {
            e.insert("details.where".into(), "请填写具体地点".into());
        }
        if self.r#where.chars().count() > 200 {
            e.insert("details.where".into(), "地点最多 200 字".into());
        }
        if req("when") && self.when.is_empty() {
            e.insert("details.when".into(), "请填写发生时间".into());
        } else if !self.when.is_empty() && !parse_when(&self.when) {
            e.insert("details.when".into(), "发生时间格式应为 2026-03-05 或 2026-03-05 14:30".into());
        }
        if req("who") && self.who.is_empty() {
            e.insert("details.who".into(), "请填写涉及人员".into());
        }
        if self.who.chars().count() > 500 {
            e.insert("details.who".into(), "涉及人员最多 500 字".into());
        }
        match self.how_many {
            None if req("how_many") => {
                e.insert("details.how_many".into(), "请填写涉及人数".into());
            }
            Some(n) if !(1..=100_000).contains(&n) => {
                e.insert("details.how_many".into(), "涉及人数应在 1–100000 之间".into());
            }
            _ => {}
        }
        if is_dispute && self.parties.is_empty() {
            e.insert("details.parties".into(), "矛盾纠纷请填写当事人".into());
        }
        if !self.mediation_method.is_empty() && label_of(&MEDIATION_METHODS, &self.mediation_method).is_empty() {
            e.insert("details.mediation_method".into(), "调解方式只能是人民调解、行政调解、司法调解或其他方式".into());
        }
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in [
            ("what", &self.what),
            ("where", &self.r#where),
            ("when", &self.when),
            ("who", &self.who),
            ("parties", &self.parties),
            ("mediation_method", &self.mediation_method),
            ("mediation_outcome", &self.mediation_outcome),
        ] {
            if !v.is_empty() {
                m.insert(k.into(), json!(v));
            }
        }
        if let Some(n) = self.how_many {
            m.insert("how_many".into(), json!(n));
        }
        Value::Object(m)
    }
}

/// The card of a timed step: none, yellow (the yellow share of the limit used) or red (the red share used).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Card {
    None,
    Yellow,
    Red,
}

impl Card {
    pub fn as_str(self) -> &'static str {
        match self {
            Card::None => "none",
            Card::Yellow => "yellow",
            Card::Red => "red",
        }
    }
    pub fn parse(s: &str) -> Card {
        match s {
            "yellow" => Card::Yellow,
            "red" => Card::Red,
            _ => Card::None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Card::None => "",
            Card::Yellow => "黄牌预警",
            Card::Red => "红牌超时",
        }
    }
    /// The card at `now` given when the step turns yellow and red.
    pub fn at(now: Millis, yellow_at: Option<Millis>, red_at: Option<Millis>) -> Card {
        match (yellow_at, red_at) {
            (_, Some(r)) if now >= r => Card::Red,
            (Some(y), _) if now >= y => Card::Yellow,
            _ => Card::None,
        }
    }
    /// When the next card is due after `card` (None once red or when untimed).
    pub fn next_at(card: Card, yellow_at: Option<Millis>, red_at: Option<Millis>) -> Option<Millis> {
        match card {
            Card::None => yellow_at.or(red_at),
            Card::Yellow => red_at,
            Card::Red => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thin_descriptions_are_refused() {
        let mut d = Details { what: "有垃圾".into(), ..Default::default() };
        let mut e = FieldErrors::new();
        d.check("what,where", false, &mut e);
        assert!(e.contains_key("details.what"));
        assert!(e.contains_key("details.where"));
        let mut d = Details {
            what: "小区东门垃圾桶满溢三天无人清运，气味很大".into(),
            r#where: "幸福小区东门".into(),
            ..Default::default()
        };
        let mut e = FieldErrors::new();
        d.check("what,where", false, &mut e);
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn disputes_need_parties_and_counts() {
        let mut d = Details {
            what: "两户因宅基地边界发生争吵，已有推搡".into(),
            r#where: "三组".into(),
            who: "张某、李某".into(),
            ..Default::default()
        };
        let mut e = FieldErrors::new();
        d.check("what,where,who,how_many", true, &mut e);
        assert!(e.contains_key("details.how_many"));
        assert!(e.contains_key("details.parties"));
        d.how_many = Some(0);
        d.when = "昨天".into();
        d.mediation_method = "fight".into();
        let mut e = FieldErrors::new();
        d.check("what,where,who,how_many", true, &mut e);
        assert!(e.contains_key("details.how_many"));
        assert!(e.contains_key("details.when"));
        assert!(e.contains_key("details.mediation_method"));
        d.how_many = Some(4);
        d.when = "2026-03-05 14:30".into();
        d.parties = "张某（甲方）、李某（乙方）".into();
        d.mediation_method = "people".into();
        let mut e = FieldErrors::new();
        d.check("what,where,who,how_many", true, &mut e);
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn cards_follow_the_thresholds() {
        assert_eq!(Card::at(5, Some(10), Some(20)), Card::None);
        assert_eq!(Card::at(10, Some(10), Some(20)), Card::Yellow);
        assert_eq!(Card::at(25, Some(10), Some(20)), Card::Red);
        assert_eq!(Card::at(25, None, None), Card::None);
        assert_eq!(Card::next_at(Card::None, Some(10), Some(20)), Some(10));
        assert_eq!(Card::next_at(Card::Yellow, Some(10), Some(20)), Some(20));
        assert_eq!(Card::next_at(Card::Red, Some(10), Some(20)), None);
    }
}
