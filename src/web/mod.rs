//! The web layer: router assembled from the route table, middleware, extractors, paging, pages.

pub mod device;
pub mod extract;
pub mod form;
pub mod meta;
pub mod middleware;
pub mod nav;
pub mod next_path;
pub mod openapi;
pub mod pages;
pub mod paging;
pub mod routes;
pub mod statics;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use routes::{Entry, RouteSpec};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

/// Every route of the application, in one table.
pub fn all_routes() -> Vec<Entry> {
    let mut v = Vec::new();
    v.extend(crate::auth::api::routes());
    v.extend(crate::domains::org::api::routes());
    v.extend(crate::domains::org::maps_api::routes());
    v.extend(crate::domains::registry::api::routes());
    v.extend(crate::domains::events::api::routes());
    v.extend(crate::domains::events::stats_pages::routes());
    v.extend(crate::domains::submissions::api::routes());
    v.extend(crate::domains::activity::api::routes());
    v.extend(crate::domains::bulletins::api::routes());
    v.extend(crate::domains::assessment::api::routes());
    v.extend(crate::domains::visits::api::routes());
    v.extend(crate::domains::dashboard::api::routes());
    v.extend(crate::audit::api::routes());
    v.extend(crate::auth::pages::routes());
    v.extend(crate::domains::org::pages::routes());
    v.extend(crate::domains::org::maps_pages::routes());
    v.extend(crate::domains::registry::pages::routes());
    v.extend(crate::domains::events::pages::routes());
    v.extend(crate::audit::pages::routes());
    v.extend(crate::domains::submissions::pages::routes());
    v.extend(crate::domains::bulletins::pages::routes());
    v.extend(crate::domains::assessment::pages::routes());
    v.extend(crate::domains::activity::pages::routes());
    v.extend(crate::domains::patrols::api::routes());
    v.extend(crate::domains::patrols::pages::routes());
    v.extend(crate::domains::huddles::api::routes());
    v.extend(crate::domains::huddles::pages::routes());
    v.extend(crate::domains::visits::pages::routes());
    v.extend(crate::domains::dashboard::pages::routes());
    v.extend(crate::domains::public::pages::routes());
    v.extend(crate::domains::public::report_pages::routes());
    v.extend(crate::domains::public::staff_pages::routes());
    v.extend(crate::domains::public::api::routes());
    v.extend(crate::domains::open311::api::routes());
    v.extend(crate::domains::open311::pages::routes());
    v.extend(crate::domains::field::api::routes());
    v.extend(crate::domains::field::pages::routes());
    v.extend(pages::routes());
    v.extend(statics::routes());
    v.push(routes::get("/api/v1/openapi.json", routes::Access::Public, "OpenAPI 接口文档", openapi::serve));
    v
}

/// The table alone (for the OpenAPI document and the authorization test).
pub fn route_table() -> Vec<RouteSpec> {
    all_routes().into_iter().map(|e| e.spec).collect()
}

/// Gzip for clients that accept it (the field app's snapshot on slow 3G: a tenth of the bytes), outermost so
/// every other layer sees the plain body. Not for what is compressed already (Excel, Word, zip, images) or
/// tiny answers; responses that carry their own `Content-Encoding` (the field app's shell) pass untouched.
fn compression() -> CompressionLayer<impl Predicate> {
    let already = NotForContentType::const_new("application/vnd.")
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/octet-stream"));
    CompressionLayer::new().gzip(true).compress_when(DefaultPredicate::new().and(already))
}

/// Builds the application: every route behind its guard, then the shared middleware.
pub fn router(state: AppState) -> Router {
    crate::domains::wire(&state);
    let mut app: Router<AppState> = Router::new();
    for e in all_routes() {
        let access = e.spec.access;
        let guarded =
            e.handler.route_layer(axum::middleware::from_fn_with_state(state.clone(), move |st, req, next| {
                routes::guard(st, access, req, next)
            }));
        app = app.route(e.spec.path, guarded);
    }
    app.fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(crate::excel::MAX_UPLOAD_BYTES + 1024 * 1024))
        .layer(axum::middleware::from_fn(middleware::uri_limit))
        .layer(axum::middleware::from_fn(middleware::page_errors))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::request_meta))
        .layer(compression())
        .with_state(state)
}
