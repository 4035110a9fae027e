//! The staff workbook: every secret whatever its status, the winners, the participants and
//! the feedback. It is the only export with e-mail addresses, and only of participants who
//! agreed to be contacted.

use super::data::{source_label, status_label, yes_no, Results};
use super::sheet::{self, column, text_column, Cell, Sheet};

fn secrets_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Secrets",
        vec![
            column("N°", 7.0),
            column("Thème", 22.0),
            column("Table", 8.0),
            column("Auteur", 16.0),
            column("Source", 11.0),
            column("En retard", 10.0),
            column("Statut", 12.0),
            column("Motif du refus", 20.0),
            text_column("Note de modération", 28.0),
            text_column("Titre", 30.0),
            text_column("Secret", 60.0),
            text_column("Lieu", 24.0),
            column("Commune", 22.0),
            column("Code INSEE", 11.0),
            text_column("Meilleur moment", 24.0),
            column("Latitude", 11.0),
            column("Longitude", 11.0),
            column("Écrit le", 17.0),
            column("Modifié", 9.0),
            column("Gagnant", 9.0),
            column("Bordereau TourinSoft", 12.0),
        ],
    );
    for secret in &results.secrets {
        let fields = &secret.fields;
        sheet.push(vec![
            secret.id.as_str().into(),
            secret.theme_title.as_str().into(),
            secret.table.as_str().into(),
            secret.author_name.as_str().into(),
            source_label(secret.source).into(),
            yes_no(secret.late).into(),
            status_label(secret.status).into(),
            secret.reject_reason.map(|r| r.label_fr().to_owned()).into(),
            secret.moderation_note.clone().into(),
            fields.title.as_str().into(),
            fields.text.as_str().into(),
            fields.place.as_str().into(),
            fields.commune.name.as_str().into(),
            fields.commune.insee.clone().into(),
            fields.best_moment.as_str().into(),
            fields.coordinates.map(|c| c.lat).into(),
            fields.coordinates.map(|c| c.lon).into(),
            Cell::DateTime(secret.created_at_ms),
            yes_no(secret.edited).into(),
            yes_no(secret.winner).into(),
            secret.tourinsoft_type.code().into(),
        ]);
    }
    sheet
}

fn winners_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Gagnants",
        vec![
            column("Thème", 22.0),
            column("Table", 8.0),
            column("N°", 7.0),
            text_column("Titre", 30.0),
            column("Auteur", 16.0),
            column("Commune", 22.0),
            column("Voix", 7.0),
            column("Statut", 12.0),
        ],
    );
    for (winner, secret) in results.all_winners() {
        sheet.push(vec![
            winner.theme_title.as_str().into(),
            winner.table.as_str().into(),
            secret.id.as_str().into(),
            secret.fields.title.as_str().into(),
            secret.author_name.as_str().into(),
            secret.fields.commune.name.as_str().into(),
            Cell::Number(f64::from(winner.votes)),
            status_label(secret.status).into(),
        ]);
    }
    sheet
}

fn participants_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Participants",
        vec![
            column("Prénom", 16.0),
            column("Commune", 22.0),
            column("Table", 8.0),
            column("Source", 11.0),
            column("Prénom affiché", 10.0),
            column("Accepte d'être contacté", 12.0),
            column("E-mail", 30.0),
        ],
    );
    for participant in &results.participants {
        // Consent to be contacted is what allows the address to leave the server.
        let email = participant.email.clone().filter(|_| participant.consents.contact);
        sheet.push(vec![
            participant.name.as_str().into(),
            participant.commune.as_str().into(),
            participant.table.as_ref().map(|t| t.as_str().to_owned()).into(),
            source_label(participant.source).into(),
            yes_no(participant.consents.show_name).into(),
            yes_no(participant.consents.contact).into(),
            email.into(),
        ]);
    }
    sheet
}

fn feedback_sheet(results: &Results) -> Sheet {
    let mut sheet = Sheet::new(
        "Avis",
        vec![column("Prénom", 16.0), column("Note sur 5", 9.0), text_column("Commentaire", 50.0), text_column("Personne à inviter", 30.0)],
    );
    for feedback in &results.feedback {
        sheet.push(vec![
            feedback.name.as_str().into(),
            Cell::Number(f64::from(feedback.rating)),
            feedback.comment.as_str().into(),
            feedback.invite_suggestion.as_str().into(),
        ]);
    }
    sheet
}

pub fn workbook(results: &Results) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let title = format!("{} — classeur de l'équipe", results.title);
    sheet::to_xlsx(&title, &[secrets_sheet(results), winners_sheet(results), participants_sheet(results), feedback_sheet(results)])
}
