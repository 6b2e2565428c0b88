//! The monthly bulletin (月度通报): figures, the narrative, drafts and the published archive, exports.

pub mod api;
pub mod docx;
pub mod exports;
pub mod figures;
pub mod narrative;
pub mod pages;
pub mod service;
mod store;
