//! Exports and printables downloaded from the real server: the shipped workshop played to the
//! end, and a small workshop with consent choices, hidden secrets and hostile text.

mod common;

use atelier_client::http::{create_workshop, join};
use atelier_client::scenario::{Moderation, ScenarioSecret};
use atelier_client::{play, Connection, Hooks, PlayReport, Scenario};
use atelier_proto::command::{CreateWorkshop, CreatedWorkshop, JoinRequest};
use atelier_proto::model::{preset_themes, CommuneRef, Consents, Coordinates, RejectReason, SecretFields, TourinsoftType};
use atelier_proto::{Command, SecretId, TableId};
use calamine::{Data, Reader, Xlsx};
use common::{Backend, TestServer, ADMIN_TOKEN};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// Every download of a workshop, by file name.
const EXPORTS: [&str; 7] = ["staff.xlsx", "public.xlsx", "public.csv", "tourinsoft.xlsx", "tourinsoft.csv", "datatourisme.jsonld", "secrets.geojson"];
/// Exports built from approved secrets only.
const PUBLIC_EXPORTS: [&str; 6] = ["public.xlsx", "public.csv", "tourinsoft.xlsx", "tourinsoft.csv", "datatourisme.jsonld", "secrets.geojson"];
const PRINTABLES: [&str; 3] = ["forms", "table-cards", "winners"];

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().expect("reqwest client")
}

struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Download {
    fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("JSON body ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Returns the protocol error code of a refusal.
    fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

async fn get(base: &str, path: &str, token: Option<&str>) -> Download {
    let mut request = client().get(format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("response body").to_vec();
    Download { status, headers, body }
}

async fn export(base: &str, workshop: &str, file: &str, token: &str) -> Download {
    let download = get(base, &format!("/api/workshops/{workshop}/exports/{file}"), Some(token)).await;
    assert_eq!(download.status, 200, "{file}: {}", String::from_utf8_lossy(&download.body));
    download
}

async fn printable(base: &str, workshop: &str, page: &str, token: &str) -> String {
    let download = get(base, &format!("/api/workshops/{workshop}/print/{page}"), Some(token)).await;
    assert_eq!(download.status, 200, "{page}: {}", String::from_utf8_lossy(&download.body));
    assert!(download.header("content-type").starts_with("text/html"), "{page}: content type");
    download.text()
}

/// A sheet read back: header row and data rows, cells as text.
struct SheetData {
    header: Vec<String>,
    rows: Vec<Vec<Data>>,
}

impl SheetData {
    fn column(&self, header: &str) -> usize {
        self.header.iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header:?} in {:?}", self.header))
    }

    fn text(&self, row: usize, header: &str) -> String {
        self.rows[row].get(self.column(header)).map(|c| c.to_string()).unwrap_or_default()
    }

    fn cell(&self, row: usize, header: &str) -> Data {
        self.rows[row].get(self.column(header)).cloned().unwrap_or(Data::Empty)
    }

    /// Index of the row whose `header` cell is `value`.
    fn find(&self, header: &str, value: &str) -> Option<usize> {
        (0..self.rows.len()).find(|&r| self.text(r, header) == value)
    }
}

fn read_xlsx(bytes: &[u8]) -> BTreeMap<String, SheetData> {
    assert!(bytes.starts_with(b"PK"), "an .xlsx file is a zip archive");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx opens");
    let mut sheets = BTreeMap::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("sheet reads");
        let mut rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert!(!rows.is_empty(), "sheet {name} has a header row");
        let header = rows.remove(0).iter().map(|c| c.to_string()).collect();
        sheets.insert(name, SheetData { header, rows });
    }
    sheets
}

/// Reads the XML of every worksheet of an .xlsx file, in sheet order.
fn worksheet_xml(bytes: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx is a zip archive");
    let mut sheets = Vec::new();
    for n in 1.. {
        let Ok(mut file) = archive.by_name(&format!("xl/worksheets/sheet{n}.xml")) else { break };
        let mut xml = String::new();
        file.read_to_string(&mut xml).expect("worksheet XML");
        sheets.push(xml);
    }
    sheets
}

/// Checks the layout every workbook shares: header row frozen, autofilter, set column widths.
fn check_layout(file: &str, bytes: &[u8]) {
    let sheets = worksheet_xml(bytes);
    assert!(!sheets.is_empty(), "{file} has worksheets");
    for (index, xml) in sheets.iter().enumerate() {
        assert!(xml.contains("ySplit=\"1\""), "{file} sheet {}: pane below the header row", index + 1);
        assert!(xml.contains("state=\"frozen\""), "{file} sheet {}: frozen pane", index + 1);
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{file} sheet {}: autofilter", index + 1);
        assert!(xml.contains("customWidth=\"1\""), "{file} sheet {}: column widths", index + 1);
    }
}

/// Every cell of a workbook as one text, to look for what must not be there.
fn xlsx_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (name, sheet) in read_xlsx(bytes) {
        out.push_str(&name);
        out.push('\n');
        out.push_str(&sheet.header.join("\t"));
        for row in &sheet.rows {
            out.push('\n');
            out.push_str(&row.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\t"));
        }
    }
    out
}

/// Reads back a CSV for a French Excel, checking the BOM and the `;` separator.
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "CSV starts with a UTF-8 byte order mark");
    let text = std::str::from_utf8(&bytes[3..]).expect("CSV is UTF-8");
    let first_line = text.lines().next().unwrap_or_default();
    assert!(first_line.contains(';'), "header separated by semicolons: {first_line}");
    assert!(!first_line.contains(','), "no comma in the header: {first_line}");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().expect("CSV header").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("CSV record").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

/// Returns the text of any export, for leak checks.
fn export_text(file: &str, download: &Download) -> String {
    if file.ends_with(".xlsx") {
        xlsx_text(&download.body)
    } else {
        download.text()
    }
}

// ---------------------------------------------------------------------------------------------
// The shipped workshop
// ---------------------------------------------------------------------------------------------

async fn play_fixture(server: &TestServer) -> (Scenario, PlayReport) {
    let scenario = Scenario::from_path(common::fixture_path()).expect("fixture parses");
    let report = play(&scenario, &server.base_url, ADMIN_TOKEN, Hooks::new()).await.unwrap_or_else(|e| panic!("play failed: {e:#}"));
    (scenario, report)
}

fn scenario_secret<'a>(scenario: &'a Scenario, id: &str) -> &'a ScenarioSecret {
    scenario.rounds.iter().flat_map(|r| r.secrets.iter()).find(|s| s.id == id).unwrap_or_else(|| panic!("secret {id} in the scenario"))
}

fn theme_title(scenario: &Scenario, key: &str) -> String {
    scenario.themes.iter().find(|t| t.key == key).map(|t| t.title.clone()).unwrap_or_else(|| panic!("theme {key}"))
}

/// Titles of the secrets the scenario rejects, which must stay inside the staff workbook.
fn rejected_titles(scenario: &Scenario) -> Vec<String> {
    let rejected = scenario.expected.rejected.clone().expect("the fixture lists rejected secrets");
    assert_eq!(rejected.len(), 2, "the fixture rejects two secrets");
    rejected.iter().map(|id| scenario_secret(scenario, id).title.clone()).collect()
}

/// Returns the title a moderator gave to an edited secret.
fn edited_title(scenario: &Scenario, id: &str) -> String {
    let edit = scenario.rounds.iter().flat_map(|r| r.moderation.iter()).find_map(|m| match m {
        Moderation::Edit { secret, title, .. } if secret == id => title.clone(),
        _ => None,
    });
    edit.unwrap_or_else(|| panic!("the scenario edits the title of {id}"))
}

fn scenario_emails(scenario: &Scenario) -> Vec<(String, bool)> {
    scenario.participants.iter().filter_map(|p| p.email.clone().filter(|e| !e.is_empty()).map(|e| (e, p.consent_contact))).collect()
}

/// Expected winners as (theme title, table, scenario secret id).
fn expected_winners(scenario: &Scenario) -> Vec<(String, String, String)> {
    let showcase = scenario.expected.showcase.as_ref().expect("the fixture lists the showcase");
    let mut winners = Vec::new();
    for (theme_key, tables) in showcase {
        for (table, secrets) in tables {
            for secret in secrets.ids() {
                winners.push((theme_title(scenario, theme_key), table.clone(), secret));
            }
        }
    }
    winners
}

async fn check_fixture_exports(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (scenario, report) = play_fixture(&server).await;
    let base = &server.base_url;
    let workshop = report.workshop_id.as_str();
    let code = &report.code;
    let server_id = |scenario_id: &str| report.secrets[scenario_id].as_str().to_owned();
    let total = scenario.expected.secrets_total.expect("the fixture lists its secret total");
    let approved = total - rejected_titles(&scenario).len();
    let rejected = rejected_titles(&scenario);
    let emails = scenario_emails(&scenario);

    let mut downloads = BTreeMap::new();
    for file in EXPORTS {
        let download = export(base, workshop, file, ADMIN_TOKEN).await;
        let disposition = download.header("content-disposition");
        assert!(disposition.starts_with("attachment; filename=\"atelier-"), "{file}: {disposition}");
        assert!(disposition.contains(code.as_str()), "{file}: file name has the code: {disposition}");
        downloads.insert(file, download);
    }

    // Nothing hidden leaks: no rejected secret and no e-mail address outside the staff workbook.
    for file in PUBLIC_EXPORTS {
        let text = export_text(file, &downloads[file]);
        for title in &rejected {
            assert!(!text.contains(title.as_str()), "{file} contains the rejected secret {title:?}");
        }
        for (email, _) in &emails {
            assert!(!text.contains(email.as_str()), "{file} contains the e-mail {email}");
        }
        // JSON-LD keywords start with @, so only the other formats can be checked for any @.
        if file != "datatourisme.jsonld" {
            assert!(!text.contains('@'), "{file} contains an @");
        }
    }

    for file in ["staff.xlsx", "public.xlsx", "tourinsoft.xlsx"] {
        check_layout(file, &downloads[file].body);
    }

    // Staff workbook.
    let staff = read_xlsx(&downloads["staff.xlsx"].body);
    assert_eq!(staff.keys().collect::<Vec<_>>(), ["Avis", "Gagnants", "Participants", "Secrets"], "staff sheets");
    let secrets = &staff["Secrets"];
    assert_eq!(secrets.rows.len(), total, "every secret in the staff workbook");
    for id in scenario.expected.rejected.as_deref().unwrap_or_default() {
        let row = secrets.find("N°", &server_id(id)).unwrap_or_else(|| panic!("{id} in the staff workbook"));
        assert_eq!(secrets.text(row, "Statut"), "Refusé", "{id} status");
        assert!(!secrets.text(row, "Motif du refus").is_empty(), "{id} has a rejection reason");
    }
    let edited = scenario.expected.edited.clone().expect("the fixture lists edited secrets");
    assert_eq!(edited.len(), 1, "the fixture edits one secret");
    let new_title = edited_title(&scenario, &edited[0]);
    let edited_row = secrets.find("N°", &server_id(&edited[0])).expect("edited secret in the staff workbook");
    assert_eq!(secrets.text(edited_row, "Modifié"), "Oui", "edited flag");
    assert_eq!(secrets.text(edited_row, "Statut"), "Validé", "edited secret status");
    assert_eq!(secrets.text(edited_row, "Titre"), new_title, "edited title");
    let paper = (0..secrets.rows.len()).filter(|&r| secrets.text(r, "Source") == "Papier").count();
    assert_eq!(Some(paper), scenario.expected.paper_secrets, "paper secrets");
    assert!(matches!(secrets.cell(0, "Écrit le"), Data::DateTime(_)), "creation time is an Excel date: {:?}", secrets.cell(0, "Écrit le"));
    let s101 = secrets.find("N°", &server_id("s101")).expect("s101 in the staff workbook");
    assert_eq!(secrets.text(s101, "Auteur"), "Maëlle", "author first name");
    assert_eq!(secrets.text(s101, "Code INSEE"), "14333", "INSEE code of Honfleur");

    let staff_winners = &staff["Gagnants"];
    let want = expected_winners(&scenario);
    assert_eq!(staff_winners.rows.len(), want.len(), "one winner per table per theme");
    for (theme, table, secret) in &want {
        let table_id = report.tables[table].as_str();
        let found = (0..staff_winners.rows.len()).any(|r| {
            staff_winners.text(r, "Thème") == *theme && staff_winners.text(r, "Table") == table_id && staff_winners.text(r, "N°") == server_id(secret)
        });
        assert!(found, "staff winner of {table} for {theme} should be {secret}");
    }

    let participants = &staff["Participants"];
    assert_eq!(participants.rows.len(), scenario.participants.len(), "every participant");
    let staff_text = xlsx_text(&downloads["staff.xlsx"].body);
    for (email, consent) in &emails {
        assert_eq!(staff_text.contains(email.as_str()), *consent, "staff workbook shows {email} only with consent to be contacted");
    }
    assert_eq!(staff["Avis"].rows.len(), scenario.feedback.len(), "feedback rows");

    // Copy for everyone.
    let public = read_xlsx(&downloads["public.xlsx"].body);
    assert_eq!(public.keys().collect::<Vec<_>>(), ["Gagnants", "Secrets"], "public sheets");
    assert_eq!(public["Secrets"].rows.len(), approved, "approved secrets in the copy for everyone");
    assert_eq!(public["Gagnants"].rows.len(), want.len(), "winners in the copy for everyone");
    for (theme, table, secret) in &want {
        let title = if secret == &edited[0] { new_title.clone() } else { scenario_secret(&scenario, secret).title.clone() };
        let sheet = &public["Gagnants"];
        let found = (0..sheet.rows.len())
            .any(|r| sheet.text(r, "Thème") == *theme && sheet.text(r, "Table") == report.tables[table].as_str() && sheet.text(r, "Titre") == title);
        assert!(found, "public winner of {table} for {theme} should be {title:?}");
    }

    // CSV: the copy for everyone's secrets.
    let (csv_header, csv_rows) = read_csv(&downloads["public.csv"].body);
    assert_eq!(csv_header, public["Secrets"].header, "CSV columns match the copy for everyone");
    assert_eq!(csv_rows.len(), approved, "approved secrets in the CSV");
    assert_eq!(downloads["public.csv"].header("content-type"), "text/csv; charset=utf-8");

    // TourinSoft import sheet.
    let tourinsoft = read_xlsx(&downloads["tourinsoft.xlsx"].body);
    let import = &tourinsoft["Import TourinSoft"];
    assert_eq!(import.rows.len(), approved, "approved secrets in the TourinSoft sheet");
    let s101 = import.find("Identifiant externe", &format!("atelier-{code}-{}", server_id("s101"))).expect("s101 in the TourinSoft sheet");
    assert_eq!(import.text(s101, "Bordereau"), TourinsoftType::suggested_for_theme("bonnes-popotes").code(), "object type from the theme");
    assert_eq!(import.text(s101, "Code postal"), "14600", "postal code of Honfleur");
    assert_eq!(import.text(s101, "Crédit"), "Maëlle, Honfleur", "credit line");
    assert_eq!(import.text(s101, "Licence"), "Licence Ouverte 2.0", "licence");
    let (tourinsoft_header, tourinsoft_rows) = read_csv(&downloads["tourinsoft.csv"].body);
    assert_eq!(tourinsoft_header, import.header, "TourinSoft CSV columns");
    assert_eq!(tourinsoft_rows.len(), approved, "approved secrets in the TourinSoft CSV");

    // Linked data.
    let download = &downloads["datatourisme.jsonld"];
    assert_eq!(download.header("content-type"), "application/ld+json");
    let json_ld = download.json();
    assert!(json_ld["@context"]["@vocab"].as_str().unwrap_or_default().contains("datatourisme"), "DATAtourisme vocabulary");
    let graph = json_ld["@graph"].as_array().expect("@graph");
    assert_eq!(graph.len(), approved, "approved secrets in the JSON-LD");
    for poi in graph {
        assert!(poi["@type"].as_array().is_some_and(|t| t.contains(&Value::from("PointOfInterest"))), "{poi}");
        assert!(poi["rdfs:label"]["@value"].is_string(), "{poi}");
        assert!(poi["isLocatedAt"]["schema:address"]["schema:addressLocality"].is_string(), "{poi}");
        assert!(poi["lastUpdate"].is_string(), "{poi}");
    }
    let geojson = downloads["secrets.geojson"].json();
    assert_eq!(geojson["type"], "FeatureCollection");
    assert_eq!(geojson["features"].as_array().map(Vec::len), Some(approved), "approved secrets in the GeoJSON");

    // Printables.
    let forms = printable(base, workshop, "forms", ADMIN_TOKEN).await;
    assert_eq!(forms.matches("<article class=\"form\">").count(), 4 * scenario.themes.len(), "four forms per theme");
    assert_eq!(forms.matches("data:image/svg+xml;base64,").count(), 4 * scenario.themes.len(), "a QR code on every form");
    assert!(forms.contains(code.as_str()), "forms show the join code");
    let cards = printable(base, workshop, "table-cards", ADMIN_TOKEN).await;
    assert_eq!(cards.matches("<section class=\"sheet card\">").count(), scenario.tables.len(), "one card per table");
    let winners = printable(base, workshop, "winners", ADMIN_TOKEN).await;
    assert_eq!(winners.matches("<li>").count(), want.len(), "winners on the summary");
    for title in &rejected {
        assert!(!winners.contains(title.as_str()), "winners page contains the rejected secret {title:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_exports_on_sqlite() {
    check_fixture_exports(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_exports_on_postgres() {
    check_fixture_exports(Backend::Postgres).await;
}

// ---------------------------------------------------------------------------------------------
// A small workshop: consent, hidden secrets, hostile text and access
// ---------------------------------------------------------------------------------------------

const HIDDEN_NAME: &str = "Anaïs";
const HIDDEN_EMAIL: &str = "anais.exemple@example.org";
const SHOWN_EMAIL: &str = "bruno.exemple@example.org";
const HOSTILE_TITLE: &str = "<script>alert(\"x\")</script> Crêpes";
const HOSTILE_TEXT: &str = "Ligne 1; \"citée\"\nLigne 2";
const FORMULA_TITLE: &str = "=1+1 cidre";
const PENDING_TITLE: &str = "Secret encore en attente";
const TO_CHECK_TITLE: &str = "Secret à vérifier";
const REJECTED_TITLE: &str = "Secret refusé";

struct SmallWorkshop {
    created: CreatedWorkshop,
    participant_token: String,
    facilitator: Connection,
    hostile: SecretId,
}

fn fields(title: &str, text: &str, insee: &str, commune: &str, coordinates: Option<Coordinates>) -> SecretFields {
    SecretFields {
        title: title.into(),
        text: text.into(),
        place: "Quai; \"Est\"".into(),
        commune: CommuneRef { insee: Some(insee.into()), name: commune.into() },
        best_moment: "Le soir".into(),
        coordinates,
    }
}

fn secret_id(answer: &Value) -> SecretId {
    serde_json::from_value(answer["secret"].clone()).unwrap_or_else(|e| panic!("secret id in {answer} ({e})"))
}

async fn send(connection: &Connection, command: Command) -> Value {
    let name = command.name();
    connection.send(command).await.unwrap_or_else(|e| panic!("{name} failed: {e}"))
}

/// Creates a one-table workshop: Anaïs (first name hidden, no contact) writes a secret with
/// markup and CSV separators plus one left pending; Bruno (first name shown, contact allowed)
/// writes one approved, one rejected and one to check. Each votes for the other: a tie that
/// [`start_showcase`] settles for Anaïs's secret.
async fn small_workshop(base: &str) -> SmallWorkshop {
    let themes = preset_themes().into_iter().filter(|t| t.key == "bonnes-popotes").collect();
    let request = CreateWorkshop {
        title: "Atelier <b>test</b>".into(),
        venue: "Bar d'essai".into(),
        starts_at: "2027-03-18T18:30:00+01:00".into(),
        themes,
        tables: 1,
        table_min: 1,
        table_max: 8,
        language: "fr".into(),
    };
    let created = create_workshop(base, ADMIN_TOKEN, &request).await.expect("workshop created");
    let table = Some(TableId("T1".into()));
    let joined = |name: &str, show_name: bool, contact: bool, email: &str, commune: &str| JoinRequest {
        code: created.code.clone(),
        name: name.into(),
        commune: CommuneRef { insee: None, name: commune.into() },
        consents: Consents { show_name, contact, photo_licence: false },
        email: Some(email.into()),
        table: table.clone(),
        op: None,
    };
    let anais = join(base, &joined(HIDDEN_NAME, false, false, HIDDEN_EMAIL, "Honfleur")).await.expect("Anaïs joins");
    let bruno = join(base, &joined("Bruno", true, true, SHOWN_EMAIL, "Caen")).await.expect("Bruno joins");

    let facilitator = Connection::connect(base, &created.facilitator_token).await.expect("facilitator connects");
    let anais_phone = Connection::connect(base, &anais.token).await.expect("Anaïs connects");
    let bruno_phone = Connection::connect(base, &bruno.token).await.expect("Bruno connects");
    send(&facilitator, Command::StartWriting { theme: None }).await;

    let place = Some(Coordinates { lat: 49.4194, lon: 0.2331 });
    let hostile = secret_id(&send(&anais_phone, Command::SubmitSecret { fields: fields(HOSTILE_TITLE, HOSTILE_TEXT, "14333", "Honfleur", place) }).await);
    send(&anais_phone, Command::SubmitSecret { fields: fields(PENDING_TITLE, "Pas encore lu.", "14333", "Honfleur", None) }).await;
    let formula = secret_id(&send(&bruno_phone, Command::SubmitSecret { fields: fields(FORMULA_TITLE, "Le cidre de la ferme.", "14118", "Caen", None) }).await);
    let rejected = secret_id(&send(&bruno_phone, Command::SubmitSecret { fields: fields(REJECTED_TITLE, "Une publicité.", "14118", "Caen", None) }).await);
    let to_check = secret_id(&send(&bruno_phone, Command::SubmitSecret { fields: fields(TO_CHECK_TITLE, "Horaires à confirmer.", "14118", "Caen", None) }).await);

    send(&facilitator, Command::ApproveSecret { secret: hostile.clone(), version: 1 }).await;
    send(&facilitator, Command::ApproveSecret { secret: formula.clone(), version: 1 }).await;
    send(&facilitator, Command::RejectSecret { secret: rejected, version: 1, reason: RejectReason::Advertising, note: "Nom d'enseigne".into() }).await;
    send(&facilitator, Command::MarkToCheck { secret: to_check, version: 1, note: "Horaires".into() }).await;
    send(&facilitator, Command::SetTourinsoftType { secret: formula.clone(), object_type: TourinsoftType::Deg }).await;

    send(&facilitator, Command::OpenVoting).await;
    send(&facilitator, Command::CastVoteFor { participant: bruno.participant_id, secret: hostile.clone() }).await;
    send(&facilitator, Command::CastVoteFor { participant: anais.participant_id.clone(), secret: formula }).await;
    anais_phone.close();
    bruno_phone.close();
    SmallWorkshop { created, participant_token: anais.token, facilitator, hostile }
}

async fn start_showcase(workshop: &SmallWorkshop) {
    send(&workshop.facilitator, Command::CloseVoting).await;
    // A 1–1 vote is a tie that the facilitator settles.
    let tie = workshop.facilitator.wait_for(WAIT, |s| s.tables.iter().any(|t| !t.tie.is_empty() || !t.winners.is_empty())).await.expect("vote closed");
    if tie.tables.iter().any(|t| !t.tie.is_empty()) {
        send(&workshop.facilitator, Command::SettleTie { table: TableId("T1".into()), winners: vec![workshop.hostile.clone()] }).await;
    }
    send(&workshop.facilitator, Command::StartShowcase).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_and_hidden_secrets() {
    let server = TestServer::start(Backend::Sqlite).await;
    let base = &server.base_url;
    let workshop = small_workshop(base).await;
    start_showcase(&workshop).await;
    let id = workshop.created.workshop_id.as_str();
    let code = &workshop.created.code;
    let token = &workshop.created.facilitator_token;

    let mut texts = BTreeMap::new();
    let mut downloads = BTreeMap::new();
    for file in EXPORTS {
        let download = export(base, id, file, token).await;
        texts.insert(file, export_text(file, &download));
        downloads.insert(file, download);
    }

    for file in PUBLIC_EXPORTS {
        let text = &texts[file];
        for hidden in [PENDING_TITLE, TO_CHECK_TITLE, REJECTED_TITLE, HIDDEN_NAME, HIDDEN_EMAIL, SHOWN_EMAIL] {
            assert!(!text.contains(hidden), "{file} contains {hidden:?}");
        }
        assert!(text.contains("Crêpes"), "{file} contains the approved secret");
    }
    let staff_text = &texts["staff.xlsx"];
    for shown in [PENDING_TITLE, TO_CHECK_TITLE, REJECTED_TITLE, HIDDEN_NAME, SHOWN_EMAIL] {
        assert!(staff_text.contains(shown), "staff workbook contains {shown:?}");
    }
    assert!(!staff_text.contains(HIDDEN_EMAIL), "staff workbook hides the e-mail of a participant who refused contact");

    let staff = read_xlsx(&downloads["staff.xlsx"].body);
    let secrets = &staff["Secrets"];
    assert_eq!(secrets.rows.len(), 5, "every secret for staff");
    let status = |title: &str| secrets.find("Titre", title).map(|r| secrets.text(r, "Statut")).unwrap_or_default();
    assert_eq!(status(PENDING_TITLE), "En attente");
    assert_eq!(status(TO_CHECK_TITLE), "À vérifier");
    assert_eq!(status(REJECTED_TITLE), "Refusé");
    let rejected_row = secrets.find("Titre", REJECTED_TITLE).expect("rejected secret row");
    assert_eq!(secrets.text(rejected_row, "Motif du refus"), "Publicité");
    assert_eq!(secrets.text(rejected_row, "Note de modération"), "Nom d'enseigne");

    // First names and credit lines only with consent.
    let public = read_xlsx(&downloads["public.xlsx"].body);
    let public_secrets = &public["Secrets"];
    assert_eq!(public_secrets.rows.len(), 2, "approved secrets only");
    let hostile_row = public_secrets.find("Titre", HOSTILE_TITLE).expect("hostile secret in the copy for everyone");
    assert_eq!(public_secrets.text(hostile_row, "Prénom de l'auteur"), "", "no first name without consent");
    assert_eq!(public_secrets.text(hostile_row, "Secret"), HOSTILE_TEXT, "line breaks kept");
    let formula_row = public_secrets.find("Titre", FORMULA_TITLE).expect("Bruno's secret in the copy for everyone");
    assert_eq!(public_secrets.text(formula_row, "Prénom de l'auteur"), "Bruno", "first name with consent");
    assert_eq!(public["Gagnants"].rows.len(), 1, "one winner");
    assert_eq!(public["Gagnants"].text(0, "Titre"), HOSTILE_TITLE, "winner title");

    let import = &read_xlsx(&downloads["tourinsoft.xlsx"].body)["Import TourinSoft"];
    let hostile_row = import.find("Nom de l'offre", HOSTILE_TITLE).expect("hostile secret in the TourinSoft sheet");
    assert_eq!(import.text(hostile_row, "Crédit"), "", "no credit line without consent");
    assert_eq!(import.cell(hostile_row, "Latitude"), Data::Float(49.4194), "latitude");
    assert_eq!(import.cell(hostile_row, "Longitude"), Data::Float(0.2331), "longitude");
    assert_eq!(import.text(hostile_row, "Code postal"), "14600", "postal code");
    assert_eq!(import.text(hostile_row, "Identifiant externe"), format!("atelier-{code}-{}", workshop.hostile.as_str()));
    let formula_row = import.find("Nom de l'offre", FORMULA_TITLE).expect("Bruno's secret in the TourinSoft sheet");
    assert_eq!(import.text(formula_row, "Crédit"), "Bruno, Caen", "credit line with consent");
    assert_eq!(import.text(formula_row, "Bordereau"), "DEG", "the moderator's object type");
    assert_eq!(import.text(formula_row, "Latitude"), "", "no latitude without coordinates");

    // CSV quoting: separators, quotes and line breaks survive; formulas do not run.
    let csv_bytes = &downloads["public.csv"].body;
    let raw = String::from_utf8(csv_bytes.clone()).expect("UTF-8");
    assert!(raw.contains("\"Ligne 1; \"\"citée\"\"\nLigne 2\""), "quoted text with doubled quotes: {raw}");
    assert!(raw.contains(";'=1+1 cidre;"), "formula neutralized: {raw}");
    let (header, rows) = read_csv(csv_bytes);
    let text_column = header.iter().position(|h| h == "Secret").expect("Secret column");
    let title_column = header.iter().position(|h| h == "Titre").expect("Titre column");
    let place_column = header.iter().position(|h| h == "Lieu").expect("Lieu column");
    let hostile = rows.iter().find(|r| r[title_column] == HOSTILE_TITLE).expect("hostile secret in the CSV");
    assert_eq!(hostile[text_column], HOSTILE_TEXT, "text round-trips through the CSV");
    assert_eq!(hostile[place_column], "Quai; \"Est\"", "place round-trips through the CSV");
    let (tourinsoft_header, tourinsoft_rows) = read_csv(&downloads["tourinsoft.csv"].body);
    let latitude = tourinsoft_header.iter().position(|h| h == "Latitude").expect("Latitude column");
    assert!(tourinsoft_rows.iter().any(|r| r[latitude] == "49,4194"), "decimal comma in the TourinSoft CSV");

    // Linked data: coordinates only where known.
    let json_ld = downloads["datatourisme.jsonld"].json();
    let graph = json_ld["@graph"].as_array().expect("@graph");
    assert_eq!(graph.len(), 2, "approved secrets in the JSON-LD");
    let hostile_poi = graph.iter().find(|p| p["rdfs:label"]["@value"] == HOSTILE_TITLE).expect("hostile secret in the JSON-LD");
    assert_eq!(hostile_poi["isLocatedAt"]["schema:geo"]["schema:latitude"], 49.4194);
    assert_eq!(hostile_poi["isLocatedAt"]["schema:address"]["hasAddressCity"]["insee"], "14333");
    assert_eq!(hostile_poi["isLocatedAt"]["schema:address"]["schema:postalCode"], "14600");
    assert!(hostile_poi.get("schema:creditText").is_none(), "no credit without consent");
    let geojson = downloads["secrets.geojson"].json();
    let features = geojson["features"].as_array().expect("features");
    let located: Vec<&Value> = features.iter().filter(|f| !f["geometry"].is_null()).collect();
    assert_eq!(located.len(), 1, "one secret with coordinates");
    assert_eq!(located[0]["geometry"]["coordinates"], serde_json::json!([0.2331, 49.4194]), "longitude first");

    // Printables escape user text.
    let winners = printable(base, id, "winners", token).await;
    assert!(winners.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Crêpes"), "escaped title: {winners}");
    assert!(!winners.contains("<script"), "no script tag in the winners page");
    assert!(!winners.contains(HIDDEN_NAME), "no hidden first name on the winners page");
    assert!(winners.contains("Atelier &lt;b&gt;test&lt;/b&gt;"), "escaped workshop title");
    let cards = printable(base, id, "table-cards", token).await;
    assert!(cards.contains("/app/print/print.css"), "printables link their CSS");
    assert!(!cards.contains("<style"), "no style element");
    assert!(!cards.contains("style="), "no inline style attribute");
    assert!(!cards.contains("<script"), "no script element");
    let forms = get(base, &format!("/api/workshops/{id}/print/forms?pages=2&token={token}"), None).await;
    assert_eq!(forms.status, 200, "printables accept the token in the address");
    assert_eq!(forms.text().matches("<article class=\"form\">").count(), 8, "two pages of four forms");
    assert!(forms.header("content-security-policy").contains("default-src 'self'"), "strict CSP on printables");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_by_role_and_phase() {
    let server = TestServer::start(Backend::Sqlite).await;
    let base = &server.base_url;
    let workshop = small_workshop(base).await;
    let id = workshop.created.workshop_id.as_str();
    let participant = workshop.participant_token.as_str();
    let path = |file: &str| format!("/api/workshops/{id}/exports/{file}");

    // Before the showcase, a participant gets nothing, not even the copy for everyone.
    let early = get(base, &path("public.xlsx"), Some(participant)).await;
    assert_eq!(early.status, 403, "participant before the showcase");
    assert_eq!(early.error_code(), "wrong_phase");

    // Staff and the organizer get everything, whatever the phase.
    for token in [&workshop.created.facilitator_token, &workshop.created.moderator_token, ADMIN_TOKEN] {
        for file in EXPORTS {
            assert_eq!(get(base, &path(file), Some(token)).await.status, 200, "{file} for staff");
        }
        for page in PRINTABLES {
            assert_eq!(get(base, &format!("/api/workshops/{id}/print/{page}"), Some(token)).await.status, 200, "{page} for staff");
        }
    }

    // Everyone else is refused with a JSON error.
    let other = create_workshop(base, ADMIN_TOKEN, &CreateWorkshop {
        title: "Autre atelier".into(),
        venue: String::new(),
        starts_at: String::new(),
        themes: preset_themes(),
        tables: 2,
        table_min: 1,
        table_max: 8,
        language: "fr".into(),
    })
    .await
    .expect("second workshop created");
    let refusals: [(Option<&str>, u16, &str); 5] = [
        (None, 401, "unauthorized"),
        (Some("not-a-token"), 401, "unauthorized"),
        (Some(&workshop.created.projector_token), 403, "forbidden"),
        (Some(&other.facilitator_token), 403, "forbidden"),
        (Some(&other.moderator_token), 403, "forbidden"),
    ];
    for (token, status, code) in refusals {
        for file in EXPORTS {
            let refused = get(base, &path(file), token).await;
            assert_eq!(refused.status, status, "{file} with {token:?}");
            assert_eq!(refused.error_code(), code, "{file} with {token:?}");
        }
        let refused = get(base, &format!("/api/workshops/{id}/print/winners"), token).await;
        assert_eq!(refused.status, status, "winners page with {token:?}");
    }
    let unknown = get(base, "/api/workshops/00000000-0000-0000-0000-000000000000/exports/staff.xlsx", Some(ADMIN_TOKEN)).await;
    assert_eq!(unknown.status, 404, "unknown workshop");
    assert_eq!(unknown.error_code(), "unknown_workshop");

    // Once the showcase started, the participant gets the copy for everyone, and only that.
    start_showcase(&workshop).await;
    let copy = get(base, &path("public.xlsx"), Some(participant)).await;
    assert_eq!(copy.status, 200, "participant after the showcase started");
    assert_eq!(copy.header("content-disposition"), format!("attachment; filename=\"atelier-{}-secrets.xlsx\"", workshop.created.code));
    for file in EXPORTS.iter().filter(|f| **f != "public.xlsx") {
        let refused = get(base, &path(file), Some(participant)).await;
        assert_eq!(refused.status, 403, "{file} for a participant");
        assert_eq!(refused.error_code(), "forbidden", "{file} for a participant");
    }
    for page in PRINTABLES {
        let refused = get(base, &format!("/api/workshops/{id}/print/{page}"), Some(participant)).await;
        assert_eq!(refused.status, 403, "{page} for a participant");
    }
    let other_workshop = get(base, &format!("/api/workshops/{}/exports/public.xlsx", other.workshop_id.as_str()), Some(participant)).await;
    assert_eq!(other_workshop.status, 403, "participant token on another workshop");
}
