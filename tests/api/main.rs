//! Integration tests through the HTTP router, on SQLite or (with `WANGGE_TEST_DATABASE_URL`) PostgreSQL.

mod helpers;

mod accounts;
mod areas;
mod assessment;
mod audit;
mod audit_anchor;
mod auth;
mod authz_matrix;
mod bulletins;
mod dashboard;
mod dashboard_scale;
mod departments;
mod event_pages;
mod events;
mod field;
mod headers;
mod huddles;
mod imports;
mod maps;
mod open311;
mod open311_client;
mod patrols;
mod public;
mod public_intake;
mod register_pages;
mod registry;
mod schema_parity;
mod staff;
mod submissions;
mod visits;
