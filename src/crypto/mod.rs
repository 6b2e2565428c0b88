//! Encryption of personal data at rest (SM4-GCM, authenticated) and keyed blind indexes (HMAC-SHA256)
//! for exact search. Keys come from a key file or the environment — never from the database.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{AesGcm, Nonce};
use anyhow::{Context, anyhow, bail};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// Version byte in front of every ciphertext, so keys and algorithms can rotate later.
const FORMAT_V1: u8 = 1;

/// The two keys: one for the cipher, one for the blind index — each kept ready to use (an import
/// encrypts and indexes hundreds of thousands of values; setting a key up each time cost more than
/// the encryption).
#[derive(Clone)]
pub struct Keys {
    cipher: Sm4Gcm,
    index_mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    /// Parses 96 hex characters: 32 for the SM4 key, 64 for the HMAC key.
    pub fn from_hex(hex_text: &str) -> anyhow::Result<Self> {
        let raw = hex::decode(hex_text.trim()).context("密钥应为十六进制文本")?;
        if raw.len() != 48 {
            bail!("密钥长度应为 48 字节（96 个十六进制字符）");
        }
        let cipher = Sm4Gcm::new_from_slice(&raw[..16]).map_err(|_| anyhow!("bad key length"))?;
        let index_mac = Hmac::<Sha256>::new_from_slice(&raw[16..]).map_err(|_| anyhow!("bad key length"))?;
        Ok(Keys { cipher, index_mac })
    }

    /// New random keys as hex.
    pub fn generate_hex() -> String {
        hex::encode(crate::auth::secret::random_bytes(48))
    }

    /// Loads keys from `WANGGE_DATA_KEY` (hex) if set, else from `<data-dir>/keys/data.key`,
    /// creating that file (mode 0600) on first start.
    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        if let Ok(hex_text) = std::env::var("WANGGE_DATA_KEY") {
            return Keys::from_hex(&hex_text).context("环境变量 WANGGE_DATA_KEY 中的密钥无效");
        }
        let path = data_dir.join("keys").join("data.key");
        if !path.exists() {
            let dir = path.parent().ok_or_else(|| anyhow!("密钥目录无效"))?;
            create_private_dir(dir)?;
            let text = Keys::generate_hex();
            write_private(&path, text.as_bytes())?;
            tracing::warn!(path = %path.display(), "new data encryption key created; back it up separately from the database");
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取密钥文件 {}", path.display()))?;
        Keys::from_hex(&text).with_context(|| format!("密钥文件 {} 无效", path.display()))
    }

    /// Encrypts with a fresh random nonce: `version ‖ nonce ‖ ciphertext+tag`.
    pub fn encrypt(&self, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let nonce_bytes = crate::auth::secret::random_bytes(12);
        let nonce = Nonce::try_from(&nonce_bytes[..]).map_err(|_| anyhow!("bad nonce"))?;
        let ct = self.cipher.encrypt(&nonce, plain).map_err(|_| anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(1 + 12 + ct.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts and authenticates; any change to the stored bytes is an error.
    pub fn decrypt(&self, data: &[u8]) -> anyhow::Result<Vec<u8>> {
        if data.len() < 1 + 12 + 16 || data[0] != FORMAT_V1 {
            bail!("密文格式不正确");
        }
        let nonce = Nonce::try_from(&data[1..13]).map_err(|_| anyhow!("bad nonce"))?;
        self.cipher.decrypt(&nonce, &data[13..]).map_err(|_| anyhow!("密文校验失败（被篡改或密钥不符）"))
    }

    pub fn encrypt_str(&self, s: &str) -> anyhow::Result<Vec<u8>> {
        self.encrypt(s.as_bytes())
    }

    pub fn decrypt_str(&self, data: &[u8]) -> anyhow::Result<String> {
        String::from_utf8(self.decrypt(data)?).context("密文内容不是文本")
    }

    /// The blind index of a value for exact search: the first 96 bits of HMAC-SHA256 under the
    /// index key, as 24 hex characters (short keys keep the register-wide index small; 96 bits
    /// never collide in a register of any real size). `domain` separates kinds of value (an ID
    /// number and a phone never share an index).
    pub fn blind_index(&self, domain: &str, value: &str) -> String {
        let mut mac = self.index_mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..BLIND_INDEX_BYTES])
    }
}

/// Bytes of the HMAC kept in a blind index.
const BLIND_INDEX_BYTES: usize = 12;

/// Writes a new file readable by the owner only (0600); refuses to replace an existing one.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes)?;
        Ok(())
    }
}

/// Creates a directory (and its parents) readable by the owner only (0700 for the last one).
pub(crate) fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_hex(&"ab".repeat(48)).unwrap()
    }

    #[test]
    fn round_trip_and_tamper() {
        let k = keys();
        let c = k.encrypt_str("510725198506150017").unwrap();
        assert_ne!(c, k.encrypt_str("510725198506150017").unwrap(), "fresh nonce each time");
        assert_eq!(k.decrypt_str(&c).unwrap(), "510725198506150017");
        assert!(!c.windows(18).any(|w| w == b"510725198506150017"));
        let mut bad = c.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(k.decrypt(&bad).is_err());
        let other = Keys::from_hex(&"cd".repeat(48)).unwrap();
        assert!(other.decrypt(&c).is_err());
    }

    #[test]
    fn sm4_known_answer() {
        // GB/T 32907-2016 example: key = plaintext = 0123456789abcdeffedcba9876543210.
        use sm4::cipher::{BlockCipherEncrypt, KeyInit as _};
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let c = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::Array::try_from(&key[..]).unwrap();
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn blind_index_is_keyed_and_separated() {
        let k = keys();
        assert_eq!(k.blind_index("id", "x"), k.blind_index("id", "x"));
        assert_eq!(k.blind_index("id", "x").len(), 24);
        assert_ne!(k.blind_index("id", "x"), k.blind_index("phone", "x"));
        assert_ne!(k.blind_index("id", "x"), Keys::from_hex(&"cd".repeat(48)).unwrap().blind_index("id", "x"));
        assert!(Keys::from_hex("abc").is_err());
    }
}
