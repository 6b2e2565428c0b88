//! The authorization matrix: this test's own table of who may call every route, checked against the
//! route table (a new route without an entry here fails) and then against the running router for
//! every role, an anonymous caller and an account that still owes its password change.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use wangge::auth::Role::{self, *};
use wangge::auth::role::ALL_ROLES;

/// Who may call a route, as this test expects it.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Anyone, without signing in.
    Public,
    /// Any signed-in account, even one that still owes its initial password change.
    Pending,
    /// Any signed-in account in good standing.
    SignedIn,
    /// Only these roles (accounts in good standing).
    Only(&'static [Role]),
}
use Expect::*;

const AREAS: Expect = Only(&[TownCenter, CountyCenter, SystemAdmin]);
const DEPTS: Expect = Only(&[TownCenter, CountyCenter, SystemAdmin]);
const STAFF: Expect = Only(&[CommunityStaff, TownCenter, CountyCenter, SystemAdmin]);
/// Those who create accounts (each only roles it may grant) — and the security administrator.
const ACCOUNTS: Expect = Only(&[CommunityStaff, TownCenter, CountyCenter, SystemAdmin, SecurityAdmin]);
const SECURITY: Expect = Only(&[SecurityAdmin]);
/// Activating an account another administrator created (三员分立).
const ACTIVATE: Expect = Only(&[SystemAdmin, SecurityAdmin]);
const AUDIT: Expect = Only(&[AuditAdmin]);
const PERSONS: Expect =
    Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, DepartmentHandler, CountyViewer]);
const REGISTER: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, CountyViewer]);
const SPECIAL: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, DepartmentHandler]);
const EDIT: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter]);
const DELETE: Expect = Only(&[CommunityStaff, TownCenter]);
const UNMASK: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, DepartmentHandler]);
const EV_READ: Expect =
    Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, DepartmentHandler, CountyViewer]);
const EV_REPORT: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter]);
const EV_HANDLE: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, DepartmentHandler]);
const EV_SETTINGS: Expect = Only(&[CountyCenter, SystemAdmin]);
/// The submission mapping is read by those who see the stream and those who edit it.
const SUB_MAPPING: Expect = Only(&[
    GridWorker,
    GridLeader,
    CommunityStaff,
    TownCenter,
    CountyCenter,
    DepartmentHandler,
    CountyViewer,
    SystemAdmin,
]);
/// Field work: patrols and check-ins (grid workers and leaders, community staff).
const FIELD: Expect = Only(&[GridWorker, GridLeader, CommunityStaff]);
/// Supervision figures (and the huddle, whose keepers all also read supervision).
const SUP: Expect = Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, CountyViewer]);
const HUDDLE: Expect = Only(&[CommunityStaff, TownCenter]);
const SUP_SETTINGS: Expect = Only(&[CountyCenter, SystemAdmin]);
/// The patrol checklist is read by field staff, supervisors and those who edit it.
const CHECKLIST: Expect =
    Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, CountyViewer, SystemAdmin]);
/// The monthly bulletin is made and published by the town and county centres.
const PUBLISH: Expect = Only(&[TownCenter, CountyCenter]);
/// Supervision settings and assessment rules are read by supervisors and those who edit them.
const SUP_READ_SETTINGS: Expect =
    Only(&[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, CountyViewer, SystemAdmin]);
/// Reading the area tree, departments and staff: every role (none of this is residents' data).
const VIEW: Expect = SignedIn;
/// A community's office hours on the public boards: those who manage areas or staff.
const OFFICE: Expect = Only(&[CommunityStaff, TownCenter, CountyCenter, SystemAdmin]);
/// Open311 API keys are issued and revoked by the county centre and the system administrator.
const OPEN311_KEYS: Expect = Only(&[CountyCenter, SystemAdmin]);

#[rustfmt::skip]
const TABLE: &[(&str, &str, Expect)] = &[
    ("POST",   "/api/v1/auth/login", Public),
    ("POST",   "/api/v1/auth/logout", Pending),
    ("GET",    "/api/v1/auth/me", Pending),
    ("POST",   "/api/v1/auth/password", Pending),
    ("POST",   "/api/v1/auth/totp/setup", Pending),
    ("POST",   "/api/v1/auth/totp/confirm", Pending),
    ("GET",    "/api/v1/auth/tokens", SignedIn),
    ("POST",   "/api/v1/auth/tokens", SignedIn),
    ("DELETE", "/api/v1/auth/tokens/{id}", SignedIn),
    ("GET",    "/api/v1/areas", VIEW),
    ("POST",   "/api/v1/areas", AREAS),
    ("GET",    "/api/v1/areas/{id}", VIEW),
    ("PATCH",  "/api/v1/areas/{id}", AREAS),
    ("POST",   "/api/v1/areas/{id}/move", AREAS),
    ("POST",   "/api/v1/areas/{id}/retire", AREAS),
    ("GET",    "/api/v1/areas/{id}/history", VIEW),
    ("GET",    "/api/v1/areas/{id}/boundaries.geojson", VIEW),
    ("PUT",    "/api/v1/areas/{id}/boundaries.geojson", AREAS),
    ("GET",    "/api/v1/areas/{id}/boundaries/check", VIEW),
    ("PUT",    "/api/v1/areas/{id}/boundary", AREAS),
    ("GET",    "/api/v1/departments", VIEW),
    ("POST",   "/api/v1/departments", DEPTS),
    ("GET",    "/api/v1/departments/{id}", VIEW),
    ("PATCH",  "/api/v1/departments/{id}", DEPTS),
    ("POST",   "/api/v1/departments/{id}/retire", DEPTS),
    ("GET",    "/api/v1/staff", VIEW),
    ("POST",   "/api/v1/staff", STAFF),
    ("GET",    "/api/v1/staff/{id}", VIEW),
    ("PATCH",  "/api/v1/staff/{id}", STAFF),
    ("POST",   "/api/v1/staff/{id}/retire", STAFF),
    ("POST",   "/api/v1/staff/{id}/photo", STAFF),
    ("POST",   "/api/v1/staff/{id}/assignments", STAFF),
    ("POST",   "/api/v1/staff/{id}/assignments/{assignment_id}/end", STAFF),
    ("GET",    "/api/v1/accounts", ACCOUNTS),
    ("POST",   "/api/v1/accounts", ACCOUNTS),
    ("GET",    "/api/v1/accounts/{id}", ACCOUNTS),
    ("PATCH",  "/api/v1/accounts/{id}", ACCOUNTS),
    ("POST",   "/api/v1/accounts/{id}/lock", ACCOUNTS),
    ("POST",   "/api/v1/accounts/{id}/unlock", ACCOUNTS),
    ("POST",   "/api/v1/accounts/{id}/retire", ACCOUNTS),
    ("POST",   "/api/v1/accounts/{id}/reset-password", ACCOUNTS),
    ("POST",   "/api/v1/accounts/{id}/reset-totp", SECURITY),
    ("POST",   "/api/v1/accounts/{id}/activate", ACTIVATE),
    ("GET",    "/api/v1/audit", AUDIT),
    ("GET",    "/api/v1/audit/watch", AUDIT),
    ("GET",    "/api/v1/persons", PERSONS),
    ("POST",   "/api/v1/persons", EDIT),
    ("GET",    "/api/v1/persons/transfers", REGISTER),
    ("POST",   "/api/v1/persons/transfers", EDIT),
    ("POST",   "/api/v1/persons/transfers/{id}/approve", EDIT),
    ("POST",   "/api/v1/persons/transfers/{id}/reject", EDIT),
    ("GET",    "/api/v1/persons/{id}", PERSONS),
    ("PATCH",  "/api/v1/persons/{id}", EDIT),
    ("POST",   "/api/v1/persons/{id}/status", EDIT),
    ("POST",   "/api/v1/persons/{id}/delete", DELETE),
    ("GET",    "/api/v1/persons/{id}/history", PERSONS),
    ("GET",    "/api/v1/persons/{id}/special", SPECIAL),
    ("POST",   "/api/v1/persons/{id}/special", EDIT),
    ("POST",   "/api/v1/persons/{id}/special/{file_id}/visits", EDIT),
    ("GET",    "/api/v1/persons/export.xlsx", PERSONS),
    ("GET",    "/api/v1/persons/export.csv", PERSONS),
    ("GET",    "/api/v1/imports/{id}/template.xlsx", EDIT),
    ("POST",   "/api/v1/imports/{id}", EDIT),
    ("GET",    "/api/v1/imports/{id}", EDIT),
    ("GET",    "/api/v1/imports/{id}/errors.xlsx", EDIT),
    ("GET",    "/api/v1/houses", REGISTER),
    ("POST",   "/api/v1/houses", EDIT),
    ("GET",    "/api/v1/houses/{id}", REGISTER),
    ("PATCH",  "/api/v1/houses/{id}", EDIT),
    ("GET",    "/api/v1/households", REGISTER),
    ("POST",   "/api/v1/households", EDIT),
    ("GET",    "/api/v1/households/{id}", REGISTER),
    ("PATCH",  "/api/v1/households/{id}", EDIT),
    ("GET",    "/api/v1/rentals", REGISTER),
    ("POST",   "/api/v1/rentals", EDIT),
    ("GET",    "/api/v1/rentals/{id}", REGISTER),
    ("PATCH",  "/api/v1/rentals/{id}", EDIT),
    ("GET",    "/api/v1/places", REGISTER),
    ("POST",   "/api/v1/places", EDIT),
    ("GET",    "/api/v1/places/{id}", REGISTER),
    ("PATCH",  "/api/v1/places/{id}", EDIT),
    ("POST",   "/api/v1/events", EV_REPORT),
    ("GET",    "/api/v1/events", EV_READ),
    ("GET",    "/api/v1/events/{id}", EV_READ),
    ("PATCH",  "/api/v1/events/{id}", EV_HANDLE),
    ("POST",   "/api/v1/events/{id}/actions", EV_HANDLE),
    ("GET",    "/api/v1/events/{id}/photos/{file}", EV_READ),
    ("GET",    "/api/v1/todo", EV_READ),
    ("GET",    "/api/v1/stats/events", EV_READ),
    ("GET",    "/stats/events", EV_READ),
    ("GET",    "/api/v1/supervisions", EV_READ),
    ("GET",    "/api/v1/notifications", EV_READ),
    ("POST",   "/api/v1/notifications/read", EV_READ),
    ("GET",    "/api/v1/event-categories", EV_READ),
    ("PATCH",  "/api/v1/event-categories/{code}", EV_SETTINGS),
    ("GET",    "/api/v1/work-calendar", EV_READ),
    ("POST",   "/api/v1/work-calendar", EV_SETTINGS),
    ("GET",    "/api/v1/submissions", EV_READ),
    ("GET",    "/api/v1/submissions/todo", EV_READ),
    ("GET",    "/api/v1/submissions/{id}", EV_READ),
    ("POST",   "/api/v1/submissions/{id}/actions", EV_HANDLE),
    ("GET",    "/api/v1/stats/submissions", EV_READ),
    ("GET",    "/api/v1/submission-mapping", SUB_MAPPING),
    ("PATCH",  "/api/v1/submission-mapping", EV_SETTINGS),
    ("GET",    "/submissions", EV_READ),
    ("POST",   "/submissions/{id}/actions", EV_HANDLE),
    ("GET",    "/api/v1/openapi.json", Public),
    ("GET",    "/login", Public),
    ("POST",   "/login", Public),
    ("POST",   "/api/v1/auth/setup", Public),
    ("POST",   "/logout", Pending),
    ("GET",    "/account", Pending),
    ("GET",    "/account/password", Pending),
    ("POST",   "/account/password", Pending),
    ("GET",    "/account/totp", Pending),
    ("POST",   "/account/totp/setup", Pending),
    ("POST",   "/account/totp/confirm", Pending),
    ("POST",   "/account/tokens", SignedIn),
    ("POST",   "/account/tokens/{id}/revoke", SignedIn),
    ("GET",    "/", SignedIn),
    ("GET",    "/api/v1/visits", SUP),
    ("GET",    "/api/v1/visits/overdue", SUP),
    ("POST",   "/api/v1/households/{id}/visits", FIELD),
    ("GET",    "/api/v1/dashboard", SUP),
    ("GET",    "/visits", SUP),
    ("GET",    "/visits/overdue", SUP),
    ("POST",   "/households/{id}/visits", FIELD),
    ("GET",    "/dashboard", SUP),
    ("GET",    "/api/v1/activity", SUP),
    ("GET",    "/api/v1/supervision-settings", SUP_READ_SETTINGS),
    ("PATCH",  "/api/v1/supervision-settings", SUP_SETTINGS),
    ("GET",    "/api/v1/bulletins", SUP),
    ("GET",    "/api/v1/bulletins/monthly", SUP),
    ("GET",    "/api/v1/bulletins/monthly.docx", SUP),
    ("GET",    "/api/v1/bulletins/monthly.xlsx", SUP),
    ("GET",    "/api/v1/bulletins/monthly/revisions", SUP),
    ("POST",   "/api/v1/bulletins/monthly/draft", PUBLISH),
    ("POST",   "/api/v1/bulletins/monthly/publish", PUBLISH),
    ("GET",    "/bulletins", SUP),
    ("GET",    "/bulletins/print", SUP),
    ("POST",   "/bulletins/draft", PUBLISH),
    ("POST",   "/bulletins/publish", PUBLISH),
    ("GET",    "/areas", VIEW),
    ("GET",    "/areas/{id}", VIEW),
    ("GET",    "/areas/{id}/new", AREAS),
    ("POST",   "/areas/{id}/children", AREAS),
    ("GET",    "/areas/{id}/edit", AREAS),
    ("POST",   "/areas/{id}/edit", AREAS),
    ("POST",   "/areas/{id}/move", AREAS),
    ("POST",   "/areas/{id}/retire", AREAS),
    ("GET",    "/areas/{id}/boundary", AREAS),
    ("GET",    "/areas/{id}/boundaries/import", AREAS),
    ("GET",    "/areas/{id}/diagram", VIEW),
    ("GET",    "/areas/{id}/diagram.svg", VIEW),
    ("GET",    "/static/maps.js", Public),
    ("GET",    "/static/maps.css", Public),
    ("GET",    "/files/{id}", VIEW),
    ("GET",    "/staff", VIEW),
    ("GET",    "/staff/new", STAFF),
    ("POST",   "/staff", STAFF),
    ("GET",    "/staff/{id}", VIEW),
    ("POST",   "/staff/{id}/edit", STAFF),
    ("POST",   "/staff/{id}/photo", STAFF),
    ("POST",   "/staff/{id}/assign", STAFF),
    ("POST",   "/staff/{id}/assignments/{assignment_id}/end", STAFF),
    ("POST",   "/staff/{id}/retire", STAFF),
    ("GET",    "/departments", VIEW),
    ("POST",   "/departments", DEPTS),
    ("GET",    "/departments/{id}/edit", DEPTS),
    ("POST",   "/departments/{id}/edit", DEPTS),
    ("GET",    "/accounts", ACCOUNTS),
    ("POST",   "/accounts", ACCOUNTS),
    ("GET",    "/accounts/{id}", ACCOUNTS),
    ("POST",   "/accounts/{id}/lock", ACCOUNTS),
    ("POST",   "/accounts/{id}/unlock", ACCOUNTS),
    ("POST",   "/accounts/{id}/retire", ACCOUNTS),
    ("POST",   "/accounts/{id}/reset-password", ACCOUNTS),
    ("POST",   "/accounts/{id}/reset-totp", SECURITY),
    ("GET",    "/audit", AUDIT),
    ("GET",    "/people", PERSONS),
    ("GET",    "/people/new", EDIT),
    ("POST",   "/people", EDIT),
    ("GET",    "/people/{id}", PERSONS),
    ("POST",   "/people/{id}/unmask", UNMASK),
    ("POST",   "/people/{id}/status", EDIT),
    ("GET",    "/ledgers", REGISTER),
    ("GET",    "/people/import", EDIT),
    ("POST",   "/people/import", EDIT),
    ("GET",    "/imports/{id}", EDIT),
    ("GET",    "/imports/start/{entity}", EDIT),
    ("POST",   "/imports/start/{entity}", EDIT),
    ("GET",    "/houses", REGISTER),
    ("GET",    "/houses/new", EDIT),
    ("POST",   "/houses", EDIT),
    ("GET",    "/houses/{id}", REGISTER),
    ("POST",   "/houses/{id}/edit", EDIT),
    ("GET",    "/households", REGISTER),
    ("GET",    "/households/new", EDIT),
    ("POST",   "/households", EDIT),
    ("GET",    "/households/{id}", REGISTER),
    ("POST",   "/households/{id}/edit", EDIT),
    ("GET",    "/rentals", REGISTER),
    ("GET",    "/rentals/new", EDIT),
    ("POST",   "/rentals", EDIT),
    ("GET",    "/rentals/{id}", REGISTER),
    ("POST",   "/rentals/{id}/edit", EDIT),
    ("GET",    "/places", REGISTER),
    ("GET",    "/places/new", EDIT),
    ("POST",   "/places", EDIT),
    ("GET",    "/places/{id}", REGISTER),
    ("POST",   "/places/{id}/edit", EDIT),
    ("POST",   "/people/{id}/special", EDIT),
    ("POST",   "/people/{id}/special/{file_id}/visits", EDIT),
    ("GET",    "/transfers", REGISTER),
    ("POST",   "/transfers", EDIT),
    ("POST",   "/transfers/{id}/approve", EDIT),
    ("POST",   "/transfers/{id}/reject", EDIT),
    ("GET",    "/api/v1/ledgers/{kind}", REGISTER),
    ("GET",    "/api/v1/ledgers/{kind}/export.xlsx", REGISTER),
    ("GET",    "/events/new", EV_REPORT),
    ("POST",   "/events", EV_REPORT),
    ("GET",    "/events", EV_READ),
    ("GET",    "/todo", EV_READ),
    ("GET",    "/events/{id}", EV_READ),
    ("POST",   "/events/{id}/actions", EV_HANDLE),
    ("POST",   "/events/{id}/grid", EV_HANDLE),
    ("GET",    "/supervisions", EV_READ),
    ("GET",    "/notifications", EV_READ),
    ("POST",   "/notifications/read", EV_READ),
    ("GET",    "/settings/events", EV_SETTINGS),
    ("POST",   "/settings/events/categories/{code}", EV_SETTINGS),
    ("POST",   "/settings/events/calendar", EV_SETTINGS),
    ("GET",    "/api/v1/assessment", SUP),
    ("GET",    "/api/v1/assessment/rules", SUP_READ_SETTINGS),
    ("PATCH",  "/api/v1/assessment/rules/{code}", SUP_SETTINGS),
    ("GET",    "/assessment", SUP),
    ("GET",    "/activity", SUP),
    ("GET",    "/settings/supervision", SUP_SETTINGS),
    ("POST",   "/settings/supervision/activity", SUP_SETTINGS),
    ("POST",   "/settings/supervision/rules/{code}", SUP_SETTINGS),
    ("POST",   "/api/v1/patrols", FIELD),
    ("GET",    "/api/v1/patrols", SUP),
    ("GET",    "/api/v1/patrols/current", FIELD),
    ("GET",    "/api/v1/patrols/figures", SUP),
    ("GET",    "/api/v1/patrols/{id}", SUP),
    ("POST",   "/api/v1/patrols/{id}/points", FIELD),
    ("POST",   "/api/v1/patrols/{id}/end", FIELD),
    ("POST",   "/api/v1/patrols/{id}/checks", FIELD),
    ("POST",   "/api/v1/patrols/{id}/findings", FIELD),
    ("POST",   "/api/v1/patrols/{id}/findings/{finding_id}/event", FIELD),
    ("GET",    "/api/v1/patrol-checklist", CHECKLIST),
    ("POST",   "/api/v1/patrol-checklist", SUP_SETTINGS),
    ("PATCH",  "/api/v1/patrol-checklist/{id}", SUP_SETTINGS),
    ("POST",   "/api/v1/check-ins", FIELD),
    ("GET",    "/api/v1/check-ins", SUP),
    ("GET",    "/patrols", FIELD),
    ("GET",    "/patrols/figures", SUP),
    ("GET",    "/patrols/{id}", SUP),
    ("POST",   "/patrols/{id}/findings/{finding_id}/event", FIELD),
    ("GET",    "/api/v1/huddles", SUP),
    ("POST",   "/api/v1/huddles", HUDDLE),
    ("POST",   "/api/v1/huddles/items", HUDDLE),
    ("POST",   "/api/v1/huddles/items/{id}/decisions", HUDDLE),
    ("GET",    "/huddles", SUP),
    ("GET",    "/huddles/print", SUP),
    ("POST",   "/huddles", HUDDLE),
    ("POST",   "/huddles/items", HUDDLE),
    ("POST",   "/huddles/items/{id}/decisions", HUDDLE),
    ("GET",    "/api/v1/field/snapshot", FIELD),
    ("POST",   "/api/v1/field/photos", FIELD),
    ("POST",   "/api/v1/field/sync", FIELD),
    ("GET",    "/field", FIELD),
    ("GET",    "/field/", FIELD),
    ("GET",    "/field/person", FIELD),
    ("GET",    "/field/people", FIELD),
    ("GET",    "/field/house", FIELD),
    ("GET",    "/field/household", FIELD),
    ("GET",    "/field/rental", FIELD),
    ("GET",    "/field/place", FIELD),
    ("GET",    "/field/event", FIELD),
    ("GET",    "/field/patrol", FIELD),
    ("GET",    "/field/visit", FIELD),
    ("GET",    "/field/sync", FIELD),
    ("GET",    "/field/manifest.webmanifest", Public),
    ("GET",    "/field/sw.js", Public),
    ("GET",    "/static/field/app.css", Public),
    ("GET",    "/static/field/field.js", Public),
    ("GET",    "/static/field/queue.js", Public),
    ("GET",    "/static/field/sync.js", Public),
    ("GET",    "/static/field/checks.js", Public),
    ("GET",    "/static/field/patrol.js", Public),
    ("GET",    "/static/field/status.js", Public),
    ("GET",    "/static/field/household.js", Public),
    ("GET",    "/static/field/ui.js", Public),
    ("GET",    "/static/field/syncview.js", Public),
    ("GET",    "/static/field/icon.svg", Public),
    ("GET",    "/static/field/icon-192.png", Public),
    ("GET",    "/static/field/icon-512.png", Public),
    ("GET",    "/static/app.css", Public),
    ("GET",    "/favicon.ico", Public),
    ("GET",    "/static/app.js", Public),
    ("GET",    "/healthz", Public),
    ("GET",    "/public/grids/{code}", Public),
    ("GET",    "/public/grids/{code}/poster", Public),
    ("GET",    "/public/grids/{code}/qr.svg", Public),
    ("GET",    "/public/grids/{code}/staff/{staff_id}/photo", Public),
    ("GET",    "/public/grids/{code}/report", Public),
    ("POST",   "/public/grids/{code}/report", Public),
    ("GET",    "/public/track", Public),
    ("GET",    "/static/public.css", Public),
    ("GET",    "/static/public.js", Public),
    ("GET",    "/static/print-a3.css", Public),
    ("GET",    "/api/v1/public/grids/{code}", Public),
    ("GET",    "/api/v1/public/categories", Public),
    ("POST",   "/api/v1/public/grids/{code}/reports", Public),
    ("GET",    "/api/v1/public/track/{code}", Public),
    ("GET",    "/areas/{id}/contact-cards", REGISTER),
    ("GET",    "/areas/{id}/office", VIEW),
    ("POST",   "/areas/{id}/office", OFFICE),
    ("GET",    "/api/v1/areas/{id}/office", VIEW),
    ("PATCH",  "/api/v1/areas/{id}/office", OFFICE),
    ("GET",    "/events/{id}/public", EV_READ),
    ("POST",   "/events/{id}/public/replies", EV_HANDLE),
    ("POST",   "/events/{id}/public/phone", UNMASK),
    ("GET",    "/api/v1/events/{id}/public", EV_READ),
    ("POST",   "/api/v1/events/{id}/public-replies", EV_HANDLE),
    ("POST",   "/api/v1/events/{id}/callback-phone", UNMASK),
    // Open311: reading is public; a post needs an API key, checked by the handler (403 in the spec's shape).
    ("GET",    "/open311/v2/services.json", Public),
    ("GET",    "/open311/v2/services.xml", Public),
    ("GET",    "/open311/v2/services/{code}", Public),
    ("POST",   "/open311/v2/requests.json", Public),
    ("POST",   "/open311/v2/requests.xml", Public),
    ("GET",    "/open311/v2/requests.json", Public),
    ("GET",    "/open311/v2/requests.xml", Public),
    ("GET",    "/open311/v2/requests/{id}", Public),
    ("GET",    "/open311/v2/tokens/{id}", Public),
    ("GET",    "/api/v1/open311/keys", OPEN311_KEYS),
    ("POST",   "/api/v1/open311/keys", OPEN311_KEYS),
    ("POST",   "/api/v1/open311/keys/{id}/revoke", OPEN311_KEYS),
    ("GET",    "/settings/open311", OPEN311_KEYS),
    ("POST",   "/settings/open311/keys", OPEN311_KEYS),
    ("POST",   "/settings/open311/keys/{id}/revoke", OPEN311_KEYS),
];

fn allows(e: Expect, role: Role) -> bool {
    match e {
        Public | Pending | SignedIn => true,
        Only(roles) => roles.contains(&role),
    }
}

#[test]
fn every_route_has_an_entry_and_every_entry_a_route() {
    let routes: BTreeSet<(String, String)> =
        wangge::web::route_table().iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let table: BTreeSet<(String, String)> = TABLE.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(table.len(), TABLE.len(), "duplicate entries in the test's table");
    let missing: Vec<_> = routes.difference(&table).collect();
    assert!(missing.is_empty(), "routes without an entry in the authorization table: {missing:?}");
    let stale: Vec<_> = table.difference(&routes).collect();
    assert!(stale.is_empty(), "entries for routes that do not exist: {stale:?}");
}

#[test]
fn the_route_table_agrees_with_the_expected_table() {
    // The pure rule of the route table gives the same answer as this test's table, role by role.
    let expected: HashMap<(&str, &str), Expect> = TABLE.iter().map(|(m, p, e)| ((*m, *p), *e)).collect();
    for r in wangge::web::route_table() {
        let e = expected[&(r.method, r.path)];
        for role in ALL_ROLES {
            assert_eq!(r.access.allows(role), allows(e, role), "{} {} for {role:?}", r.method, r.path);
        }
        let public = matches!(r.access, wangge::web::routes::Access::Public);
        assert_eq!(public, matches!(e, Public), "{} {} public?", r.method, r.path);
        let pending = matches!(r.access, wangge::web::routes::Access::Pending);
        assert_eq!(pending, matches!(e, Pending), "{} {} reachable before the password change?", r.method, r.path);
    }
}

/// The objects the requests point at.
struct Ids {
    area: i64,
    department: i64,
    staff: i64,
    assignment: i64,
    file: String,
    /// An account each role may manage: a grid worker; for the security administrator an administrator.
    victim: i64,
    admin_victim: i64,
}

fn fill(path: &str, role: Option<Role>, ids: &Ids) -> String {
    let account = if role == Some(SecurityAdmin) { ids.admin_victim } else { ids.victim };
    let p = if path.starts_with("/api/v1/areas/") || path.starts_with("/areas/") {
        path.replace("{id}", &ids.area.to_string())
    } else if path.starts_with("/api/v1/departments/") || path.starts_with("/departments/") {
        path.replace("{id}", &ids.department.to_string())
    } else if path.starts_with("/api/v1/staff/") || path.starts_with("/staff/") {
        path.replace("{id}", &ids.staff.to_string()).replace("{assignment_id}", &ids.assignment.to_string())
    } else if path.starts_with("/api/v1/accounts/") || path.starts_with("/accounts/") {
        path.replace("{id}", &account.to_string())
    } else if path.starts_with("/api/v1/auth/tokens/") || path.starts_with("/account/tokens/") {
        path.replace("{id}", "1")
    } else if path.starts_with("/files/") {
        path.replace("{id}", &ids.file)
    } else if path.starts_with("/api/v1/ledgers/") {
        path.replace("{kind}", "basic")
    } else if path.starts_with("/api/v1/events/") || path.starts_with("/events/") {
        // An event that does not exist answers 404 to those allowed, 403 to the rest.
        path.replace("{id}", "999999").replace("{file}", "0123456789abcdef0123456789abcdef")
    } else if path.starts_with("/api/v1/submissions/") || path.starts_with("/submissions/") {
        // A submission that does not exist answers 404 to those allowed, 403 to the rest.
        path.replace("{id}", "999999")
    } else if path.starts_with("/api/v1/assessment/rules/") || path.starts_with("/settings/supervision/rules/") {
        path.replace("{code}", "overdue_events")
    } else if path.starts_with("/api/v1/event-categories/") || path.starts_with("/settings/events/categories/") {
        path.replace("{code}", "0401")
    } else if ["/api/v1/patrols/", "/patrols/", "/api/v1/patrol-checklist/", "/api/v1/huddles/", "/huddles/"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        // Patrols, findings, checklist items, huddle items that do not exist: 404 to those allowed.
        path.replace("{id}", "999999").replace("{finding_id}", "999999")
    } else if path.starts_with("/public/") || path.starts_with("/api/v1/public/") {
        // The public board of a grid of the tree; a staff member who does not serve it.
        path.replace("{code}", "510725101001001").replace("{staff_id}", "999999")
    } else if path.starts_with("/open311/v2/") {
        // A service that exists; a request and a token that do not (404 in the spec's shape).
        path.replace("{code}", "0401.json").replace("{id}", "ZZZZZZZZZZ.json")
    } else if path.starts_with("/api/v1/open311/keys/") || path.starts_with("/settings/open311/keys/") {
        // A key that does not exist answers 404 to those allowed, 403 to the rest.
        path.replace("{id}", "999999")
    } else if path.starts_with("/imports/") {
        path.replace("{id}", "999999").replace("{entity}", "houses")
    } else if path.starts_with("/api/v1/imports/") {
        // The template and the upload take the entity; a job id that does not exist answers 404.
        path.replace(
            "{id}",
            if path.ends_with("template.xlsx") || path == "/api/v1/imports/{id}" { "persons" } else { "999999" },
        )
    } else if [
        "/api/v1/persons/",
        "/people/",
        "/api/v1/houses/",
        "/api/v1/households/",
        "/api/v1/rentals/",
        "/api/v1/places/",
        "/houses/",
        "/households/",
        "/rentals/",
        "/places/",
        "/transfers/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
    {
        // Register records: an id that does not exist answers 404 to those allowed, 403 to the rest.
        path.replace("{id}", "999999").replace("{file_id}", "999999")
    } else {
        path.to_owned()
    };
    assert!(!p.contains('{'), "the matrix test does not know what to put into {path}");
    p
}

/// A refusal as the caller sees it: 401/403, or (pages) the redirect to sign-in (`/login?next=…`)
/// or to the password change that the page middleware makes of them.
fn refused(r: &Resp) -> bool {
    let loc = r.header("location");
    r.status == StatusCode::UNAUTHORIZED
        || r.status == StatusCode::FORBIDDEN
        || (r.status.is_redirection() && (loc.starts_with("/login?") || loc == "/account/password"))
}

fn bind_for(role: Role, t: &Tree) -> Bind {
    match role {
        GridWorker | GridLeader => Bind::Area(t.grid_a1_1),
        CommunityStaff => Bind::Area(t.comm_a1),
        TownCenter => Bind::Area(t.town_a),
        DepartmentHandler => Bind::Department(t.dept_a),
        CountyCenter | CountyViewer | SystemAdmin | SecurityAdmin | AuditAdmin => Bind::Area(t.county),
    }
}

#[tokio::test]
async fn every_role_against_every_route() {
    let (app, t, admin) = TestApp::with_tree().await;
    // Objects to point at.
    let s = app.staff(&admin, t.comm_a1, "矩阵员工", "13300000001").await;
    let staff = s["id"].as_i64().unwrap();
    let (_, s) =
        app.post_json(&admin, &format!("/api/v1/staff/{staff}/assignments"), json!({ "grid_id": t.grid_a1_1 })).await;
    let assignment = s["assignments"][0]["id"].as_i64().unwrap();
    let (ct, body) = multipart("photo", "p.png", "image/png", &tiny_png());
    let req = app
        .request(Method::POST, &format!("/api/v1/staff/{staff}/photo"), &admin)
        .header("content-type", ct)
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let file = r.json()["photo_url"].as_str().unwrap().trim_start_matches("/files/").to_owned();
    let victim = app.account("victim", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let admin_victim = app.insert_account("victim_adm", AuditAdmin, Bind::Area(t.county), false, true).await;
    let ids = Ids { area: t.comm_a1, department: t.dept_a, staff, assignment, file, victim, admin_victim };

    // One demo account per role (demo: no TOTP requirement), bound where the role belongs.
    let mut sessions = Vec::new();
    for role in ALL_ROLES {
        let name = format!("m_{}", role.as_str());
        app.insert_account(&name, role, bind_for(role, &t), false, true).await;
        sessions.push((role, name.clone(), app.login(&name, PASSWORD).await));
    }
    // And one that still owes its initial password change.
    app.insert_account("m_owing", CountyCenter, Bind::Area(t.county), true, false).await;
    let owing = app.login("m_owing", PASSWORD).await;

    let expected: HashMap<(&str, &str), Expect> = TABLE.iter().map(|(m, p, e)| ((*m, *p), *e)).collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in wangge::web::route_table() {
        let e = *expected.get(&(route.method, route.path)).expect("entry (see the other test)");
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let body = (method != Method::GET).then(|| json!({}));
        let ends_session = route.path.ends_with("/logout");

        // Nobody signed in.
        let r = app.call(method.clone(), &fill(route.path, None, &ids), &Session::anon(), body.as_ref()).await;
        let ok = match e {
            Public => !refused(&r),
            _ => refused(&r) && r.status != StatusCode::FORBIDDEN,
        };
        if !ok {
            failures.push(format!("anonymous {} {} → {} {}", route.method, route.path, r.status, r.header("location")));
        }

        // Every role.
        for (role, name, session) in &sessions {
            let fresh;
            let session = if ends_session {
                fresh = app.login(name, PASSWORD).await;
                &fresh
            } else {
                session
            };
            let path = fill(route.path, Some(*role), &ids);
            let r = app.call(method.clone(), &path, session, body.as_ref()).await;
            checked += 1;
            let ok = if allows(e, *role) { !refused(&r) } else { r.status == StatusCode::FORBIDDEN };
            if !ok {
                let allowed = allows(e, *role);
                failures.push(format!(
                    "{role:?} {} {path} → {} (expected {}) {}",
                    route.method,
                    r.status,
                    if allowed { "allowed" } else { "403" },
                    r.text().chars().take(120).collect::<String>()
                ));
            }
        }

        // The account that owes its password change reaches only the Pending routes.
        let fresh;
        let session = if ends_session {
            fresh = app.login("m_owing", PASSWORD).await;
            &fresh
        } else {
            &owing
        };
        let r = app.call(method.clone(), &fill(route.path, Some(CountyCenter), &ids), session, body.as_ref()).await;
        let ok = match e {
            Public => !refused(&r),
            // Pages of one's own account may themselves send the owing account on to the password
            // change (the same redirect a refusal would give), so for pages only a 401/403 fails here.
            Pending if route.path.starts_with("/api/") => !refused(&r),
            Pending => r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN,
            _ => {
                let api = route.path.starts_with("/api/");
                if api {
                    r.status == StatusCode::FORBIDDEN && r.json()["code"] == "password_change_required"
                } else {
                    r.status.is_redirection() && r.header("location") == "/account/password"
                }
            }
        };
        if !ok {
            failures.push(format!(
                "owing {} {} → {} {}",
                route.method,
                route.path,
                r.status,
                r.text().chars().take(120).collect::<String>()
            ));
        }
    }
    assert!(checked >= 10 * 80, "only {checked} checks");
    assert!(failures.is_empty(), "{} authorization mismatches:\n{}", failures.len(), failures.join("\n"));
}
