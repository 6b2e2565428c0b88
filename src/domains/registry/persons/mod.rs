//! The person service: register, read (masked, audited), search, edit with history, status
//! changes, deletion for mistakes, unmasking with a reason, and transfers between grids.

mod input;
mod read;
mod transfers;
mod write;

pub use input::*;
pub use read::*;
pub use transfers::*;
pub use write::*;
