//! The route table: every path, its method, who may call it and what it does. The router, the
//! route guard, the OpenAPI document and the authorization-matrix test are all built from it.

use crate::auth::{Actor, PendingActor, Permission};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account, even one that still owes a password change or second-factor setup.
    Pending,
    /// Any signed-in account in good standing.
    SignedIn,
    /// Accounts whose role has this permission.
    Perm(Permission),
    /// Accounts whose role has any of these permissions.
    AnyOf(&'static [Permission]),
}

impl Access {
    pub fn allows(self, role: crate::auth::Role) -> bool {
        match self {
            Access::Public | Access::Pending | Access::SignedIn => true,
            Access::Perm(p) => role.has(p),
            Access::AnyOf(ps) => ps.iter().any(|p| role.has(*p)),
        }
    }
}

/// One entry of the table.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub summary: &'static str,
    /// JSON body fields (`name`, `name?` for optional), for the OpenAPI document.
    pub body: &'static str,
    /// Query parameters, same notation.
    pub query: &'static str,
}

/// Checks the caller against the route's access rule before any body is read, and leaves the
/// identified actor in the request for the handler.
pub async fn guard(State(state): State<AppState>, access: Access, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let actor = match access {
        Access::Public => None,
        Access::Pending => match PendingActor::from_request_parts(&mut parts, &state).await {
            Ok(PendingActor(a)) => Some(a),
            Err(e) => return e.into_response(),
        },
        _ => match Actor::from_request_parts(&mut parts, &state).await {
            Ok(a) => Some(a),
            Err(e) => return e.into_response(),
        },
    };
    let mut used_by = None;
    if let Some(a) = actor {
        if !access.allows(a.role) {
            return AppError::forbidden().into_response();
        }
        if !a.must_change_password && !a.needs_totp_setup && counts_as_use(parts.uri.path()) {
            used_by = Some(a.id);
        }
        parts.extensions.insert(a);
    }
    let write = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let response = next.run(Request::from_parts(parts, body)).await;
    if let Some(id) = used_by.filter(|_| response.status().is_success() || response.status().is_redirection()) {
        state.request_served(id, write).await;
    }
    response
}

/// Whether a request is use of the system for account activity: managing one's own sign-in,
/// password, second factor or notifications is not business.
fn counts_as_use(path: &str) -> bool {
    !["/api/v1/auth/", "/account", "/logout", "/api/v1/notifications", "/notifications"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// A route of the table with its handler.
pub struct Entry {
    pub spec: RouteSpec,
    pub handler: axum::routing::MethodRouter<AppState>,
}

impl Entry {
    /// Documents the JSON body fields (`a, b?`).
    pub fn body(mut self, fields: &'static str) -> Self {
        self.spec.body = fields;
        self
    }
    /// Documents the query parameters (`a?, b?`).
    pub fn query(mut self, fields: &'static str) -> Self {
        self.spec.query = fields;
        self
    }
}

fn entry<H, T>(
    method: &'static str,
    filter: axum::routing::MethodFilter,
    path: &'static str,
    access: Access,
    summary: &'static str,
    h: H,
) -> Entry
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    Entry {
        spec: RouteSpec { method, path, access, summary, body: "", query: "" },
        handler: axum::routing::on(filter, h),
    }
}

pub fn get<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    summary: &'static str,
    h: H,
) -> Entry {
    entry("GET", axum::routing::MethodFilter::GET, path, access, summary, h)
}
pub fn post<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    summary: &'static str,
    h: H,
) -> Entry {
    entry("POST", axum::routing::MethodFilter::POST, path, access, summary, h)
}
pub fn patch<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    summary: &'static str,
    h: H,
) -> Entry {
    entry("PATCH", axum::routing::MethodFilter::PATCH, path, access, summary, h)
}
pub fn delete<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    summary: &'static str,
    h: H,
) -> Entry {
    entry("DELETE", axum::routing::MethodFilter::DELETE, path, access, summary, h)
}
pub fn put<H: axum::handler::Handler<T, AppState>, T: 'static>(
    path: &'static str,
    access: Access,
    summary: &'static str,
    h: H,
) -> Entry {
    entry("PUT", axum::routing::MethodFilter::PUT, path, access, summary, h)
}
