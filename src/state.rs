//! What every request handler can reach: the database, the clock, the settings and the file store,
//! plus per-process caches and request observers that the domains own (the state names none of them).

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;
use crate::files::LocalFiles;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// Told after a signed-in account's request succeeded: (state, account id, whether it wrote).
pub type RequestObserver = fn(AppState, i64, bool) -> Pin<Box<dyn Future<Output = ()> + Send>>;

pub struct Inner {
    pub db: Db,
    pub clock: Clock,
    pub config: Config,
    pub files: LocalFiles,
    /// Keys for personal data at rest (never stored in the database).
    pub keys: Keys,
    /// The outside-notification sender (log-only unless a deployment plugs one in).
    pub notifier: crate::notify::Notifier,
    /// One cache per type, made on first use by the domain that owns the type.
    caches: RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// Who is told of each request served (the route guard calls them; it names no domain).
    observers: RwLock<Vec<RequestObserver>>,
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
            caches: Default::default(),
            observers: Default::default(),
        }))
    }

    /// This process's cache of type `T` (made empty on first use); shared by every clone of the state.
    pub fn cache<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let id = TypeId::of::<T>();
        if let Ok(map) = self.caches.read()
            && let Some(c) = map.get(&id).and_then(|c| c.clone().downcast::<T>().ok())
        {
            return c;
        }
        let Ok(mut map) = self.caches.write() else { return Arc::new(T::default()) };
        let entry = map.entry(id).or_insert_with(|| Arc::new(T::default()) as Arc<dyn Any + Send + Sync>);
        entry.clone().downcast::<T>().unwrap_or_else(|_| Arc::new(T::default()))
    }

    /// Adds an observer of requests served (once per observer; a second call with it is ignored).
    pub fn observe_requests(&self, o: RequestObserver) {
        if let Ok(mut v) = self.observers.write()
            && !v.iter().any(|x| std::ptr::fn_addr_eq(*x, o))
        {
            v.push(o);
        }
    }

    /// Tells every observer that `account` was served (`write`: the request changed something).
    pub async fn request_served(&self, account: i64, write: bool) {
        let list: Vec<RequestObserver> = self.observers.read().map(|v| v.clone()).unwrap_or_default();
        for o in list {
            o(self.clone(), account, write).await;
        }
    }
}
