//! Services for houses (实有房屋), households (户), rentals (出租房屋) and key places (重点场所):
//! scoped, validated against the code tables, owner/landlord/contact numbers encrypted and masked,
//! every read and change audited.

mod common;
mod history;
mod house;
mod household;
mod place;
mod rental;

pub use common::*;
pub use history::*;
pub use house::*;
pub use household::*;
pub use place::*;
pub use rental::*;
