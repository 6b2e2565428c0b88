//! What every request handler can reach: the database, the clock, the settings and the file store.

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;
use crate::files::LocalFiles;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub clock: Clock,
    pub config: Config,
    pub files: LocalFiles,
    /// Keys for personal data at rest (never stored in the database).
    pub keys: Keys,
    /// The outside-notification sender (log-only unless a deployment plugs one in).
    pub notifier: crate::notify::Notifier,
    /// Accounts already recorded as active today (see `domains::activity`).
    pub activity_seen: crate::domains::activity::service::Seen,
    /// The cached R-tree of grid boundaries (see `domains::org::locate`).
    pub grids: crate::domains::org::locate::GridCache,
    /// Rendered public boards, posters and QR codes (see `domains::public::board`).
    pub public_cache: crate::domains::public::board::Cache,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, clock: Clock, config: Config, keys: Keys) -> Self {
        let files = LocalFiles::new(config.files_dir());
        AppState(Arc::new(Inner {
            db,
            clock,
            config,
            files,
            keys,
            notifier: crate::notify::Notifier::log_only(),
            activity_seen: Default::default(),
            grids: Default::default(),
            public_cache: Default::default(),
        }))
    }
}
