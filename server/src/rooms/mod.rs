//! Rooms and fan-out: one room per workshop, the hub that finds them by id, join code and token.

pub mod fanout;
pub mod hub;
pub mod room;

pub use hub::{Hub, TokenEntry};
pub use room::{Attach, Room, RoomMessage};
