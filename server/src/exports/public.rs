//! The copy for everyone: approved secrets and winners, first names only where the author
//! agreed, never any contact detail. As an .xlsx workbook, and its secrets as CSV.

use super::data::{yes_no, Results};
use super::sheet::{self, column, text_column, Sheet};

/// Approved secrets, one per row. The CSV export has the same columns.
pub fn secrets_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Secrets",
        vec![
            column("Thème", 22.0),
            column("Table", 8.0),
            text_column("Titre", 30.0),
            text_column("Secret", 60.0),
            text_column("Lieu", 24.0),
            column("Commune", 22.0),
            column("Code INSEE", 11.0),
            text_column("Meilleur moment", 24.0),
            column("Prénom de l'auteur", 16.0),
            column("Gagnant de sa table", 12.0),
        ],
    );
    for secret in results.published() {
        let fields = &secret.fields;
        sheet.push(vec![
            secret.theme_title.as_str().into(),
            secret.table.as_str().into(),
            fields.title.as_str().into(),
            fields.text.as_str().into(),
            fields.place.as_str().into(),
            fields.commune.name.as_str().into(),
            fields.commune.insee.clone().into(),
            fields.best_moment.as_str().into(),
            secret.public_name().map(str::to_owned).into(),
            yes_no(secret.winner).into(),
        ]);
    }
    sheet
}

/// Lists the winner of each table for each theme (approved secrets only).
pub fn winners_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Gagnants",
        vec![
            column("Thème", 22.0),
            column("Table", 8.0),
            text_column("Titre", 30.0),
            text_column("Secret", 60.0),
            column("Commune", 22.0),
            column("Prénom de l'auteur", 16.0),
        ],
    );
    for (winner, secret) in results.published_winners() {
        sheet.push(vec![
            winner.theme_title.as_str().into(),
            winner.table.as_str().into(),
            secret.fields.title.as_str().into(),
            secret.fields.text.as_str().into(),
            secret.fields.commune.name.as_str().into(),
            secret.public_name().map(str::to_owned).into(),
        ]);
    }
    sheet
}

pub fn workbook(results: &Results) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let title = format!("{} — les secrets", results.title);
    sheet::to_xlsx(&title, &[winners_sheet(results), secrets_sheet(results)])
}

pub fn csv(results: &Results) -> Result<Vec<u8>, csv::Error> {
    sheet::to_csv(&secrets_sheet(results))
}
