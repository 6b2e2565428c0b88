//! Geometry without a map service: coordinate systems (WGS-84, CGCS2000, GCJ-02), polygons parsed
//! once from GeoJSON, great-circle distances, and an R-tree that finds the grid of a coordinate.

pub mod boundary;
pub mod check;
pub mod coords;
pub mod distance;
pub mod index;
pub mod polygon;
pub mod tiles;
pub mod union;
