//! Open311 GeoReport v2: third-party apps list the event categories as services, post residents'
//! requests with an API key, and follow the public status of requests reported through Open311.

pub mod api;
mod key_store;
pub mod keys;
pub mod model;
pub mod pages;
pub mod render;
pub mod service;
mod store;
pub mod submit;
