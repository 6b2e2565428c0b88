//! The 18-character citizen ID (GB 11643): area code, birth date, sequence (odd = male) and the
//! ISO 7064 MOD 11-2 check character. Parsed once at the edge; birth date and sex come from it.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNumber(String);

/// Why an ID number was refused, in Chinese.
pub type IdError = &'static str;

/// The check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

impl IdNumber {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let s: String = raw.trim().chars().map(|c| c.to_ascii_uppercase()).collect();
        if s.chars().count() != 18 {
            return Err("身份证号码应为 18 位");
        }
        let (body, last) = s.split_at(17);
        if !body.bytes().all(|b| b.is_ascii_digit()) || !(last == "X" || last.bytes().all(|b| b.is_ascii_digit())) {
            return Err("身份证号码只能是数字，最后一位可以是 X");
        }
        if !matches!(
            &body[..2],
            "11" | "12"
                | "13"
                | "14"
                | "15"
                | "21"
                | "22"
                | "23"
                | "31"
                | "32"
                | "33"
                | "34"
                | "35"
                | "36"
                | "37"
                | "41"
                | "42"
                | "43"
                | "44"
                | "45"
                | "46"
                | "50"
                | "51"
                | "52"
                | "53"
                | "54"
                | "61"
                | "62"
                | "63"
                | "64"
                | "65"
                | "71"
                | "81"
                | "82"
                | "83"
        ) {
            return Err("身份证号码前两位不是有效的省级代码");
        }
        if NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").is_err() {
            return Err("身份证号码中的出生日期无效");
        }
        if check_char(body) != last.chars().next() {
            return Err("身份证号码校验位不正确，请核对");
        }
        Ok(IdNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// `male` or `female` from the parity of the 17th digit.
    pub fn sex(&self) -> &'static str {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { "male" } else { "female" }
    }

    /// `510725********1234`
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }
}

/// Masks an ID-like string: first 6 and last 4 characters kept.
pub fn mask_id(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// Masks a phone: `138****5678`.
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// Builds a valid ID from area code, birth date and sequence (demo data and tests).
pub fn make(area: &str, birth: NaiveDate, seq: u32) -> String {
    let body = format!("{area}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let c = check_char(&body).unwrap_or('0');
    format!("{body}{c}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_and_fields() {
        // The GB 11643 example number.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.sex(), "female");
        assert_eq!(id.masked(), "110105********002X");
        assert!(IdNumber::parse("110105194912310021").is_err(), "wrong check digit");
        assert!(IdNumber::parse("11010519491331002X").is_err(), "month 13");
        assert!(IdNumber::parse("1101051949123100").is_err(), "too short");
        assert!(IdNumber::parse("99010519491231002X").is_err(), "no such province");
        assert_eq!(IdNumber::parse(" 11010519491231002x ").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn make_is_valid() {
        let d = NaiveDate::from_ymd_opt(1985, 6, 15).unwrap();
        for seq in [1, 2, 17, 999] {
            let s = make("510725", d, seq);
            let id = IdNumber::parse(&s).unwrap();
            assert_eq!(id.birth_date(), d);
            assert_eq!(id.sex(), if seq % 2 == 1 { "male" } else { "female" });
        }
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }
}
