//! The TourinSoft import sheet: one row per approved secret, as .xlsx and as CSV.
//!
//! Columns, in this order (headers in French, as they appear in the file):
//!
//! | Header | Content |
//! |---|---|
//! | Identifiant externe | `atelier-CODE-sN`: the workshop's join code and the secret's id, stable across exports, to match a later import with the first one |
//! | Bordereau | TourinSoft object type: the moderator's choice, else the one suggested for the theme (`RES`, `DEG`, `PNA`, `PCU`, `ITI`, `FMA`) |
//! | Nom de l'offre | the secret's title |
//! | Descriptif | the secret's text, line breaks kept |
//! | Lieu | the place as written (street, spot), may be empty |
//! | Commune | the commune's name |
//! | Code INSEE | empty for a commune outside the list of Normandy |
//! | Code postal | first postal code of the commune in the list of communes of Normandy, empty when unknown |
//! | Latitude, Longitude | WGS 84 decimal degrees, empty when the secret has no coordinates |
//! | Meilleur moment | when to go, may be empty |
//! | Crédit | "Prénom, Commune" of the author, only where they agreed to show their first name |
//! | Licence | [`super::LICENCE`] |
//!
//! No column contains contact details. In the CSV, numbers use a decimal comma, as a French
//! Excel expects; the .xlsx holds them as numbers.

use super::data::Results;
use super::sheet::{self, column, text_column, Sheet};
use super::LICENCE;

pub fn import_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Import TourinSoft",
        vec![
            column("Identifiant externe", 24.0),
            column("Bordereau", 10.0),
            text_column("Nom de l'offre", 30.0),
            text_column("Descriptif", 60.0),
            text_column("Lieu", 24.0),
            column("Commune", 22.0),
            column("Code INSEE", 11.0),
            column("Code postal", 11.0),
            column("Latitude", 11.0),
            column("Longitude", 11.0),
            text_column("Meilleur moment", 24.0),
            column("Crédit", 26.0),
            column("Licence", 18.0),
        ],
    );
    for secret in results.published() {
        let fields = &secret.fields;
        sheet.push(vec![
            secret.external_id.as_str().into(),
            secret.tourinsoft_type.code().into(),
            fields.title.as_str().into(),
            fields.text.as_str().into(),
            fields.place.as_str().into(),
            fields.commune.name.as_str().into(),
            fields.commune.insee.clone().into(),
            secret.postal_code.clone().into(),
            fields.coordinates.map(|c| c.lat).into(),
            fields.coordinates.map(|c| c.lon).into(),
            fields.best_moment.as_str().into(),
            secret.credit_line().into(),
            LICENCE.into(),
        ]);
    }
    sheet
}

pub fn workbook(results: &Results) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let title = format!("{} — import TourinSoft", results.title);
    sheet::to_xlsx(&title, &[import_sheet(results)])
}

pub fn csv(results: &Results) -> Result<Vec<u8>, csv::Error> {
    sheet::to_csv(&import_sheet(results))
}
