//! SQL for people and transfers; every read bounded by the caller's register scope.

mod bulk;
mod reads;
mod transfers;
mod writes;

pub use bulk::*;
pub use reads::*;
pub use transfers::*;
pub use writes::*;
