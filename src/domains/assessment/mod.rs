//! Assessment (考核): configurable scoring rules, monthly rankings of towns, communities and grid
//! workers, and each score's breakdown.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
mod store;
