//! Password hashing (Argon2id, on the blocking pool) and the password policy.

use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a password to a PHC string. CPU-heavy: call through `hash_blocking` from async code.
pub fn hash(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Checks a password against a PHC string; a malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub async fn hash_blocking(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

pub async fn verify_blocking(password: String, phc: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || verify(&password, &phc)).await.map_err(|e| AppError::Internal(e.into()))
}

/// A real hash of a random secret, to verify against when the account does not exist,
/// so that both paths cost one Argon2 computation.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&super::secret::random_token()).unwrap_or_default())
}

/// The password policy: 8 to 64 characters, letters and digits, not the username.
pub fn check_policy(field: &str, password: &str, username: &str) -> AppResult<()> {
    let n = password.chars().count();
    if n < 8 {
        return Err(AppError::field(field, "密码至少 8 位"));
    }
    if n > 64 {
        return Err(AppError::field(field, "密码最多 64 位"));
    }
    let has_letter = password.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !has_letter || !has_digit {
        return Err(AppError::field(field, "密码需同时包含字母和数字"));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(AppError::field(field, "密码不能与用户名相同"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("Abc12345").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Abc12345", &h));
        assert!(!verify("Abc12346", &h));
        assert!(!verify("Abc12345", "not a hash"));
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(!verify("Abc12345", dummy_hash()));
    }

    #[test]
    fn policy() {
        assert!(check_policy("p", "short1", "u").is_err());
        assert!(check_policy("p", "onlyletters", "u").is_err());
        assert!(check_policy("p", "12345678", "u").is_err());
        assert!(check_policy("p", "zhangsan1", "ZhangSan1").is_err());
        assert!(check_policy("p", "Wangge2026", "zhangsan").is_ok());
    }
}
