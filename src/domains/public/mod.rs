//! The public side (no sign-in): each grid's public board (公示牌) with its poster and household
//! contact cards (服务联系卡) with QR codes, resident reporting (随手拍) through one intake with abuse
//! control, and the tracking page that follows the event; plus the staff's side of it (public
//! replies, the call-back phone, the community's office hours).

pub mod api;
pub mod board;
mod board_store;
pub mod cards;
pub mod intake;
pub mod model;
pub mod office;
pub mod pages;
pub mod qr;
pub mod replies;
pub mod report_pages;
pub mod staff_pages;
mod store;
pub mod track;
pub mod upload;
