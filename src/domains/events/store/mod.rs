//! SQL of the closed loop: categories, the work calendar, events with their scope, steps, files,
//! links, supervision records and notifications. Every list read takes the caller's scope.

mod categories;
mod counts;
mod rows;
mod supervision;
mod writes;

pub use categories::*;
pub use counts::*;
pub use rows::*;
pub use supervision::*;
pub use writes::*;
