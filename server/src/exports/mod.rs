//! Results leaving the room: spreadsheets, CSV, the TourinSoft import sheet, linked data and
//! printables.
//!
//! Two audiences, two filters. The staff workbook ([`staff`]) lists every secret, whatever its
//! status, and the e-mail addresses of participants who agreed to be contacted. Every other
//! export ([`public`], [`tourinsoft`], [`linked_data`] and the winners page of [`print`]) reads
//! secrets through [`Results::published`], which keeps approved secrets only, and reads authors
//! through [`SecretRecord::public_name`] and [`SecretRecord::credit_line`], which are empty
//! without the author's consent to show their first name. None of them reads an e-mail address.

pub mod data;
pub mod html;
pub mod linked_data;
pub mod paris_time;
pub mod print;
pub mod public;
pub mod sheet;
pub mod staff;
pub mod tourinsoft;

pub use data::{Results, SecretRecord};

/// Licence of everything published from a workshop (TourinSoft sheet, JSON-LD, GeoJSON).
pub const LICENCE: &str = "Licence Ouverte 2.0";
/// Address of the licence's text, for the linked-data exports.
pub const LICENCE_URL: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
