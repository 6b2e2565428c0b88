//! Who is calling and what they may see: passwords, sessions, tokens, second factor, roles and scopes.

pub mod actor;
pub mod api;
pub mod login;
pub mod pages;
pub mod password;
pub mod role;
pub mod scope;
pub mod secret;
pub mod store;
pub mod throttle;
pub mod totp;

pub use actor::{Actor, PendingActor};
pub use role::{Permission, Role};
pub use scope::Scope;

/// The cookie holding the session id.
pub const SESSION_COOKIE: &str = "wangge_session";
/// The cookie holding the sign-in page's CSRF token (before a session exists).
pub const PRE_CSRF_COOKIE: &str = "wangge_csrf";
