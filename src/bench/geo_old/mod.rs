//! The geometry before `geo`, for the old side of `wangge bench geo` only.

pub mod check;
pub mod index;
pub mod overlay;
