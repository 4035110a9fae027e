//! Printable pages in French: blank paper forms, table cards and the winners' summary.
//!
//! Pages are plain HTML that links `/app/print/print.css` (A4 layout and print rules), with QR
//! codes embedded as SVG data URIs, so that they work under the server's strict CSP (no inline
//! script or style). Every piece of text typed by a person goes through [`escape`].

use super::data::Results;
use super::html::{escape, qr_data_uri, url_component};
use std::fmt::Write;

/// Paper forms printed on one A4 page.
pub const FORMS_PER_PAGE: usize = 4;
/// Largest number of pages of forms per theme in one request.
pub const MAX_FORM_PAGES: u32 = 25;

fn page(title: &str, body_class: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/app/print/print.css\">\n</head>\n<body class=\"{body_class}\">\n\
         <p class=\"screen-hint\">Imprimez cette page sur du papier A4 (Ctrl+P ou ⌘+P), à l'échelle 100 %.</p>\n{body}</body>\n</html>\n",
        title = escape(title),
    )
}

fn join_url(join_base_url: &str, code: &str) -> String {
    format!("{}/join/{}", join_base_url.trim_end_matches('/'), url_component(code))
}

fn qr_img(url: &str, class: &str, alt: &str) -> String {
    match qr_data_uri(url) {
        Some(src) => format!("<img class=\"{class}\" src=\"{src}\" alt=\"{}\">", escape(alt)),
        None => String::new(),
    }
}

/// `2027-03-18T18:30…` as `18/03/2027 à 18:30`; other text as typed.
fn french_start(starts_at: &str) -> String {
    let bytes = starts_at.as_bytes();
    let shaped = bytes.len() >= 16
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b' ')
        && bytes[13] == b':'
        && [0..4, 5..7, 8..10, 11..13, 14..16].iter().all(|r| bytes[r.clone()].iter().all(u8::is_ascii_digit));
    if shaped {
        format!("{}/{}/{} à {}", &starts_at[8..10], &starts_at[5..7], &starts_at[0..4], &starts_at[11..16])
    } else {
        starts_at.to_owned()
    }
}

/// Shortens text to `max` characters at a word boundary, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(char::is_whitespace).map(|(head, _)| head).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

fn field(label: &str, lines: usize, class: &str) -> String {
    let mut out = format!("<div class=\"field {class}\"><span class=\"field-label\">{label}</span>");
    for _ in 0..lines {
        out.push_str("<span class=\"field-line\"></span>");
    }
    out.push_str("</div>");
    out
}

/// Builds blank paper forms: for each theme, `pages` A4 pages of [`FORMS_PER_PAGE`] forms.
pub fn forms(results: &Results, join_base_url: &str, pages: u32) -> String {
    let url = join_url(join_base_url, &results.code);
    let qr = qr_img(&url, "form-qr", "QR code pour rejoindre l'atelier");
    let code = escape(&results.code);
    let base = escape(join_base_url.trim_end_matches('/'));
    let mut body = String::new();
    for theme in &results.themes {
        let form = format!(
            "<article class=\"form\">\n<header class=\"form-head\"><p class=\"form-kicker\">{workshop}</p><h2 class=\"form-theme\">{title}</h2><p class=\"form-prompt\">{prompt}</p></header>\n\
             {title_field}{text_field}{place_field}{commune_field}{moment_field}{name_field}\n\
             <footer class=\"form-foot\">{qr}<p>Ou avec votre téléphone&nbsp;: <strong>{base}/join</strong><br>Code de l'atelier&nbsp;: <strong class=\"code\">{code}</strong></p></footer>\n</article>\n",
            workshop = escape(&results.title),
            title = escape(&theme.title),
            prompt = escape(&theme.prompt),
            title_field = field("Titre du secret", 1, "field-title"),
            text_field = field("Votre secret", 4, "field-text"),
            place_field = field("Lieu (adresse, repère)", 1, "field-place"),
            commune_field = field("Commune", 1, "field-commune"),
            moment_field = field("Le meilleur moment", 1, "field-moment"),
            name_field = field("Votre prénom", 1, "field-name"),
        );
        for _ in 0..pages.clamp(1, MAX_FORM_PAGES) {
            body.push_str("<section class=\"sheet sheet-forms\">\n");
            for _ in 0..FORMS_PER_PAGE {
                body.push_str(&form);
            }
            body.push_str("</section>\n");
        }
    }
    page(&format!("Fiches papier — {}", results.title), "print print-forms", &body)
}

/// Builds one A4 card per table, with a QR code that seats the phone at that table.
pub fn table_cards(results: &Results, join_base_url: &str) -> String {
    let base_url = join_url(join_base_url, &results.code);
    let code = escape(&results.code);
    let base = escape(join_base_url.trim_end_matches('/'));
    let mut body = String::new();
    for table in &results.tables {
        let url = format!("{base_url}?table={}", url_component(table.as_str()));
        let name = escape(table.as_str());
        let _ = write!(
            body,
            "<section class=\"sheet card\">\n<p class=\"card-workshop\">{workshop}</p>\n<h1 class=\"card-table\"><span class=\"card-table-word\">Table</span> {name}</h1>\n{qr}\n\
             <p class=\"card-help\">Scannez ce code avec l'appareil photo de votre téléphone pour rejoindre l'atelier à cette table.</p>\n\
             <p class=\"card-code\">Sans QR code&nbsp;: ouvrez <strong>{base}/join</strong>, code <strong class=\"code\">{code}</strong>, table <strong>{name}</strong>.</p>\n</section>\n",
            workshop = escape(&results.title),
            qr = qr_img(&url, "card-qr", &format!("QR code pour rejoindre la table {}", table.as_str())),
        );
    }
    page(&format!("Cartes de table — {}", results.title), "print print-cards", &body)
}

/// Length of a winner's text on the one-page summary.
const SUMMARY_TEXT_CHARS: usize = 180;

/// Builds one page with the winner of every table for every theme: approved secrets only,
/// first names only where the author agreed.
pub fn winners(results: &Results) -> String {
    let mut body = String::from("<section class=\"sheet summary\">\n<h1>Les secrets gagnants</h1>\n");
    let meta: Vec<String> = [results.title.clone(), results.venue.clone(), french_start(&results.starts_at)].into_iter().filter(|s| !s.is_empty()).map(|s| escape(&s)).collect();
    let _ = writeln!(body, "<p class=\"summary-meta\">{}</p>", meta.join(" · "));
    let mut any = false;
    for theme in &results.themes {
        let items: Vec<String> = results
            .published_winners()
            .filter(|(w, _)| w.theme_key == theme.key)
            .map(|(winner, secret)| {
                let by = match secret.public_name() {
                    Some(name) => format!("{}, {}", escape(name), escape(&secret.fields.commune.name)),
                    None => escape(&secret.fields.commune.name),
                };
                format!(
                    "<li><span class=\"winner-table\">{table}</span><div class=\"winner-body\"><p class=\"winner-title\">{title}</p><p class=\"winner-by\">{by}</p><p class=\"winner-text\">{text}</p></div></li>",
                    table = escape(winner.table.as_str()),
                    title = escape(&secret.fields.title),
                    text = escape(&shorten(&secret.fields.text, SUMMARY_TEXT_CHARS)),
                )
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(body, "<h2>{}</h2>\n<ul class=\"winners\">\n{}\n</ul>", escape(&theme.title), items.join("\n"));
    }
    if !any {
        body.push_str("<p class=\"summary-empty\">Aucun gagnant pour l'instant : les votes ne sont pas encore clos.</p>\n");
    }
    body.push_str("</section>\n");
    page(&format!("Gagnants — {}", results.title), "print print-summary", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_date_in_french() {
        assert_eq!(french_start("2027-03-18T18:30:00+01:00"), "18/03/2027 à 18:30");
        assert_eq!(french_start("jeudi soir"), "jeudi soir");
    }

    #[test]
    fn shorten_cuts_at_a_word() {
        assert_eq!(shorten("court", 10), "court");
        assert_eq!(shorten("un deux trois quatre", 10), "un deux…");
    }
}
