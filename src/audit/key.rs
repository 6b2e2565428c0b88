//! The audit key: HMAC-SHA256 over the chain, kept outside the database (`keys/audit.key` or `WANGGE_AUDIT_KEY`).

use anyhow::{Context, anyhow, bail};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;
use std::sync::OnceLock;

/// The chain's key, ready to use.
#[derive(Clone)]
pub struct AuditKey(Hmac<Sha256>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    /// Parses 64 hex characters (32 bytes).
    pub fn from_hex(hex_text: &str) -> anyhow::Result<Self> {
        let raw = hex::decode(hex_text.trim()).context("审计密钥应为十六进制文本")?;
        if raw.len() != 32 {
            bail!("审计密钥长度应为 32 字节（64 个十六进制字符）");
        }
        Ok(AuditKey(Hmac::<Sha256>::new_from_slice(&raw).map_err(|_| anyhow!("bad key length"))?))
    }

    /// A fresh MAC under this key.
    pub(super) fn mac(&self) -> Hmac<Sha256> {
        self.0.clone()
    }

    /// Loads the key from `WANGGE_AUDIT_KEY` if set, else from `<data-dir>/keys/audit.key`, creating that
    /// file (mode 0600, directory 0700) on first start. Answers whether the file was created just now.
    pub fn load(data_dir: &Path) -> anyhow::Result<(Self, bool)> {
        if let Ok(hex_text) = std::env::var("WANGGE_AUDIT_KEY") {
            return Ok((AuditKey::from_hex(&hex_text).context("环境变量 WANGGE_AUDIT_KEY 中的审计密钥无效")?, false));
        }
        let path = data_dir.join("keys").join("audit.key");
        let created = !path.exists();
        if created {
            let dir = path.parent().ok_or_else(|| anyhow!("密钥目录无效"))?;
            crate::crypto::create_private_dir(dir)?;
            crate::crypto::write_private(&path, hex::encode(crate::auth::secret::random_bytes(32)).as_bytes())?;
            tracing::warn!(path = %path.display(), "new audit chain key created; back it up separately from the database");
        }
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("无法读取审计密钥文件 {}", path.display()))?;
        Ok((AuditKey::from_hex(&text).with_context(|| format!("审计密钥文件 {} 无效", path.display()))?, created))
    }
}

static INSTALLED: OnceLock<AuditKey> = OnceLock::new();

/// Makes `key` the key every appended row is chained under in this process (one data directory per
/// process; a second call keeps the first key).
pub fn install(key: AuditKey) {
    let _ = INSTALLED.set(key);
}

/// The installed key; appending without one is refused rather than written unkeyed.
pub(super) fn installed() -> Option<&'static AuditKey> {
    INSTALLED.get()
}
