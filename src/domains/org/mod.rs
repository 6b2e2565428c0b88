//! The organisation: area tree and grids, departments, staff and their assignments, accounts.

pub mod account_store;
pub mod accounts;
pub mod api;
pub mod area_store;
pub mod areas;
mod department_store;
pub mod departments;
pub mod diagram;
pub mod duties;
mod duty_store;
pub mod locate;
pub mod map;
mod map_store;
pub mod maps;
pub mod maps_api;
pub mod maps_pages;
pub mod model;
pub mod pages;
pub mod people_pages;
pub mod staff;
mod staff_store;
pub mod tree;
