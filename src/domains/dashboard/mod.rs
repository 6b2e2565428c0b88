//! The dashboard (驾驶舱): an area's figures at a glance, with a map of its grids shaded by a figure.

pub mod api;
pub mod model;
pub mod pages;
pub mod regions;
pub mod service;
pub mod store;
