//! The register (一标三实, 人房关联): people, households, houses, rentals, key places and special-population files.

pub mod api;
pub mod codes;
pub mod forms;
pub mod house_import;
mod house_import_cells;
mod house_import_rows;
mod house_import_store;
pub mod house_pages;
pub mod house_store;
pub mod household_pages;
pub mod houses;
pub mod id_number;
pub mod import;
pub mod ledger_store;
pub mod ledgers;
pub mod model;
pub mod observe;
pub mod pages;
pub mod person_store;
pub mod persons;
pub mod place_pages;
pub mod record_pages;
pub mod rental_pages;
pub mod special;
pub mod special_pages;
pub mod special_store;
pub mod transfer_pages;
