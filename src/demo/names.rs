//! Plausible synthetic Chinese names and phone numbers, deterministic so the demo is reproducible.

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高",
    "林", "郑", "梁", "谢", "唐", "许", "冯", "宋", "韩", "邓", "彭", "曹", "曾", "田", "肖", "潘", "袁", "蒋", "蔡",
    "余", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪",
    "廖", "石", "金", "贾", "夏", "付", "方", "邹", "熊", "白", "孟", "秦",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "华", "玉兰", "建华", "建国", "志强", "国强", "海燕", "红梅", "晓东", "小红", "文华", "春梅",
    "德明", "永刚", "淑珍", "丽华", "俊", "雪梅", "建军", "国平", "桂兰", "玉梅", "学文", "成", "凤", "琴", "云", "兰",
    "鹏", "辉", "斌", "宇", "浩", "婷", "欣怡", "思远",
];

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

pub fn person_name(rng: &mut Rng) -> String {
    format!("{}{}", SURNAMES[rng.below(SURNAMES.len())], GIVEN[rng.below(GIVEN.len())])
}

/// An 11-digit mobile number starting 13–19.
pub fn mobile(rng: &mut Rng) -> String {
    let second = [3, 5, 7, 8, 9][rng.below(5)];
    format!("1{second}{:09}", rng.next_u64() % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(person_name(&mut a), person_name(&mut b));
        let m = mobile(&mut a);
        assert!(crate::domains::org::model::check_phone("p", &m, true).is_ok(), "{m}");
    }
}
