//! Settings of a running instance: where data lives, how sessions and sign-in behave.

use crate::clock::{DAY, HOUR, MINUTE, Millis};
use crate::db::DbUrl;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database: DbUrl,
    /// A session unused this long ends (default 30 minutes).
    pub idle_timeout: Millis,
    /// A session ends this long after sign-in, however busy (default 12 hours).
    pub absolute_timeout: Millis,
    /// API tokens live this long unless the owner asks for less (default 90 days, at most 365).
    pub token_default_ttl: Millis,
    pub token_max_ttl: Millis,
    /// Sign-in failures before a temporary lock, and how long the lock lasts.
    pub lock_after_failures: i64,
    pub lock_duration: Millis,
    /// Whether the three administrator roles must use a second factor.
    pub require_totp_for_admins: bool,
    /// Largest accepted photo upload, bytes.
    pub max_photo_bytes: usize,
    /// Send cookies with `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Rows per transaction of a person import (default 50,000): larger batches write the pages
    /// they share once, smaller ones hold the write lock for less time and show progress sooner.
    pub import_batch_rows: usize,
    /// Imports this server runs at once (default 2; each account one at a time): parsing a large
    /// file takes memory and a core, so more wait with "稍后再试".
    pub max_imports: usize,
    /// A tile background for the maps (none: boundaries only, no internet needed).
    pub tiles: Option<crate::geo::tiles::TileSource>,
    /// The public address of the site (`https://wangge.example.gov.cn`) for QR codes on posters and
    /// contact cards; `None`: the address the request came to.
    pub public_url: Option<String>,
}

impl Config {
    pub fn new(data_dir: PathBuf, database: DbUrl) -> Self {
        Config {
            data_dir,
            database,
            idle_timeout: 30 * MINUTE,
            absolute_timeout: 12 * HOUR,
            token_default_ttl: 90 * DAY,
            token_max_ttl: 365 * DAY,
            lock_after_failures: 5,
            lock_duration: 15 * MINUTE,
            require_totp_for_admins: true,
            max_photo_bytes: 5 * 1024 * 1024,
            secure_cookies: false,
            trust_proxy: false,
            import_batch_rows: 50_000,
            max_imports: 2,
            tiles: None,
            public_url: None,
        }
    }

    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }
}
