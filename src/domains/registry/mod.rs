//! The register (一标三实, 人房关联): people, households, houses, rentals, key places and special-population files.

pub mod api;
pub mod codes;
pub mod house_import;
mod house_import_cells;
mod house_import_rows;
mod house_import_store;
pub mod house_store;
pub mod houses;
pub mod id_number;
pub mod import;
pub mod ledger_store;
pub mod ledgers;
pub mod model;
pub mod pages;
pub mod person_store;
pub mod persons;
pub mod special;
pub mod special_store;
