//! Wire protocol of atelier, shared by the server, the Rust client and the tests.
//!
//! Map of the crate:
//! - [`ids`]: newtype ids for workshops, participants, secrets, tables and operations.
//! - [`text`]: the normalisation every piece of user text goes through (NFC, no control
//!   characters, no bidirectional overrides) and the length limits.
//! - [`model`]: the vocabulary of a workshop: roles, phases, themes, secret fields, statuses.
//! - [`command`]: what a device sends (`hello`, then commands carrying an operation id).
//! - [`view`]: what a device sees: the snapshot of its role's view and the entities in it.
//! - [`message`]: what the server sends (snapshot, events with a sequence number, acks, errors).
//! - [`error`]: stable error codes with a French and an English message.
//!
//! The crate does no I/O: it only defines types, validation and (de)serialisation, so the
//! server, the bot and a fuzzer can all use it.

pub mod command;
pub mod error;
pub mod ids;
pub mod message;
pub mod model;
pub mod text;
pub mod view;

pub use command::{ClientMessage, Command};
pub use error::{ErrorCode, ProtoError};
pub use ids::*;
pub use message::{Event, ServerMessage};

/// Version of the JSON protocol. A device sends it in `hello`; the server rejects others.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest WebSocket text frame the server accepts, in bytes. A secret's text is at most
/// 2,000 characters (up to 8,000 bytes in UTF-8), so 64 KiB leaves room for every command.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
