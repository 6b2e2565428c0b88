//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) on `totp-rs`,
//! with the step bookkeeping that keeps a code from being used twice.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECONDS: i64 = 30;

/// A new 160-bit secret, base32 without padding.
pub fn new_secret() -> String {
    base32_encode(&super::secret::random_bytes(20))
}

pub fn base32_encode(data: &[u8]) -> String {
    Secret::Raw(data.to_vec()).to_encoded().to_string()
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect();
    Secret::Encoded(clean).to_bytes().ok()
}

/// The code for one time step. Secrets made here are 160 bits; the unchecked constructor also
/// takes a shorter secret from an older set-up rather than failing the sign-in.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let Ok(step) = u64::try_from(step) else { return String::new() };
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, STEP_SECONDS as u64, secret.to_vec())
        .generate(step * STEP_SECONDS as u64)
}

pub fn step_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000) / STEP_SECONDS
}

/// Checks a code within one step either side; answers the matched step so it cannot be replayed.
pub fn verify(secret_b32: &str, code: &str, now_ms: i64, last_used_step: Option<i64>) -> Option<i64> {
    let secret = base32_decode(secret_b32)?;
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_of(now_ms);
    (now - 1..=now + 1)
        .filter(|s| last_used_step.is_none_or(|last| *s > last))
        .find(|s| super::secret::constant_time_eq(&code_at_step(&secret, *s), code))
}

/// The `otpauth://` URI authenticator apps read.
pub fn provisioning_uri(secret_b32: &str, username: &str) -> String {
    format!("otpauth://totp/wangge:{username}?secret={secret_b32}&issuer=wangge&digits=6&period=30")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_reference_values() {
        // RFC 6238 appendix B, SHA1 secret "12345678901234567890", 8 digits there; we take the last 6.
        let secret = b"12345678901234567890";
        assert_eq!(code_at_step(secret, 59 / 30), "287082");
        assert_eq!(code_at_step(secret, 1_111_111_109 / 30), "081804");
        assert_eq!(code_at_step(secret, 2_000_000_000 / 30), "279037");
    }

    #[test]
    fn base32_round_trip_and_verify_window() {
        let raw = b"12345678901234567890";
        let b32 = base32_encode(raw);
        assert_eq!(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode(&b32).unwrap(), raw);
        let now = 1_111_111_109_000;
        let code = code_at_step(raw, step_of(now));
        assert!(verify(&b32, &code, now, None).is_some());
        assert!(verify(&b32, &code, now + 30_000, None).is_some());
        assert!(verify(&b32, &code, now + 95_000, None).is_none());
        let used = verify(&b32, &code, now, None).unwrap();
        assert!(verify(&b32, &code, now, Some(used)).is_none(), "a code is accepted only once");
        assert!(verify(&b32, "12345", now, None).is_none());
    }
}
