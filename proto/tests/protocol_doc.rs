//! Keeps PROTOCOL.md in step with the protocol types: every command, event kind, message type,
//! enum value and error code must appear in it as `name` (in backticks), and every error
//! message must appear word for word.
//!
//! The samples below hold one value of each variant. `command_index` and `event_index` match
//! without a wildcard, so adding a variant stops this file from compiling until the variant
//! gets an index and a sample.

use atelier_proto::command::ClientMessage;
use atelier_proto::model::*;
use atelier_proto::view::*;
use atelier_proto::*;
use std::collections::BTreeSet;

const COMMAND_VARIANTS: usize = 32;
const EVENT_VARIANTS: usize = 12;

fn protocol_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../PROTOCOL.md");
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("failed to read {path}: {error}"))
}

/// Returns the names absent from the document, where a name counts only in backticks.
fn undocumented<'a>(doc: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names.into_iter().filter(|name| !doc.contains(&format!("`{name}`"))).collect()
}

fn command_index(command: &Command) -> usize {
    match command {
        Command::SubmitSecret { .. } => 0,
        Command::SpotlightSecret { .. } => 1,
        Command::FinishPresenting { .. } => 2,
        Command::CastVote { .. } => 3,
        Command::SubmitFeedback { .. } => 4,
        Command::AddPaperParticipant { .. } => 5,
        Command::SeatParticipant { .. } => 6,
        Command::SeatAutomatically => 7,
        Command::StartWriting { .. } => 8,
        Command::ExtendTimer { .. } => 9,
        Command::PauseTimer { .. } => 10,
        Command::ResumeTimer { .. } => 11,
        Command::StartPresenting => 12,
        Command::OpenVoting => 13,
        Command::CastVoteFor { .. } => 14,
        Command::CloseVoting => 15,
        Command::SettleTie { .. } => 16,
        Command::PreviewReshuffle => 17,
        Command::AdjustReshuffle { .. } => 18,
        Command::ApplyReshuffle => 19,
        Command::CancelReshuffle => 20,
        Command::PushQuestion { .. } => 21,
        Command::StartShowcase => 22,
        Command::ShowShowcaseStep { .. } => 23,
        Command::OpenFeedback => 24,
        Command::CloseWorkshop => 25,
        Command::SubmitPaperSecret { .. } => 26,
        Command::ApproveSecret { .. } => 27,
        Command::EditSecret { .. } => 28,
        Command::RejectSecret { .. } => 29,
        Command::MarkToCheck { .. } => 30,
        Command::SetTourinsoftType { .. } => 31,
    }
}

fn event_index(event: &Event) -> usize {
    match event {
        Event::Stage(_) => 0,
        Event::Participant(_) => 1,
        Event::Secret(_) => 2,
        Event::SecretRemoved { .. } => 3,
        Event::Table(_) => 4,
        Event::Me(_) => 5,
        Event::Reshuffle { .. } => 6,
        Event::Showcase(_) => 7,
        Event::Feedback(_) => 8,
        Event::Question { .. } => 9,
        Event::Reset(_) => 10,
        Event::Notice { .. } => 11,
    }
}

fn fields() -> SecretFields {
    SecretFields {
        title: "Le quai".into(),
        text: "Au lever du soleil.".into(),
        place: String::new(),
        commune: CommuneRef { insee: Some("14333".into()), name: "Honfleur".into() },
        best_moment: String::new(),
        coordinates: None,
    }
}

fn participant() -> ParticipantView {
    ParticipantView {
        id: "p1".into(),
        name: "Alice".into(),
        table: Some("T1".into()),
        source: Source::Phone,
        commune: None,
        email: None,
        consents: None,
    }
}

fn secret() -> SecretView {
    SecretView {
        id: "s1".into(),
        version: 1,
        theme: "moments".into(),
        table: "T1".into(),
        fields: fields(),
        author: None,
        author_name: None,
        status: None,
        reject_reason: None,
        moderation_note: None,
        source: Source::Phone,
        late: false,
        created_at_ms: 0,
        edited: false,
        tourinsoft_type: None,
        history: Vec::new(),
    }
}

fn stage() -> StageView {
    StageView { phase: Phase::Lobby, round: None, timer: TimerView::default(), server_now_ms: 0 }
}

fn table() -> TableView {
    TableView {
        id: "T1".into(),
        members: Vec::new(),
        timer: TimerView::default(),
        presenting: PresentingView::default(),
        secrets_count: 0,
        last_secret_at_ms: None,
        votes_cast: 0,
        votes_expected: 0,
        tallies: Vec::new(),
        tie: Vec::new(),
        winners: Vec::new(),
    }
}

fn snapshot() -> Snapshot {
    Snapshot {
        workshop: WorkshopInfo {
            id: "w1".into(),
            code: "ABC234".into(),
            title: "Atelier".into(),
            venue: String::new(),
            starts_at: String::new(),
            language: "fr".into(),
            themes: preset_themes(),
            tables: vec!["T1".into()],
            table_min: 6,
            table_max: 8,
        },
        stage: stage(),
        me: None,
        participants: Vec::new(),
        secrets: Vec::new(),
        tables: Vec::new(),
        reshuffle: None,
        showcase: None,
        feedback: Vec::new(),
        live: LiveView::default(),
    }
}

fn all_commands() -> Vec<Command> {
    let secret_id = || SecretId::from("s1");
    let participant_id = || ParticipantId::from("p1");
    let table_id = || TableId::from("T1");
    vec![
        Command::SubmitSecret { fields: fields() },
        Command::SpotlightSecret { secret: secret_id() },
        Command::FinishPresenting { table: None },
        Command::CastVote { secret: secret_id() },
        Command::SubmitFeedback { rating: 5, comment: String::new(), invite_suggestion: String::new() },
        Command::AddPaperParticipant {
            name: "Bernard".into(),
            commune: CommuneRef { insee: None, name: "Honfleur".into() },
            consents: Consents::default(),
            email: None,
            table: None,
        },
        Command::SeatParticipant { participant: participant_id(), table: Some(table_id()) },
        Command::SeatAutomatically,
        Command::StartWriting { theme: None },
        Command::ExtendTimer { table: None, seconds: 60 },
        Command::PauseTimer { table: None },
        Command::ResumeTimer { table: None },
        Command::StartPresenting,
        Command::OpenVoting,
        Command::CastVoteFor { participant: participant_id(), secret: secret_id() },
        Command::CloseVoting,
        Command::SettleTie { table: table_id(), winners: vec![secret_id()] },
        Command::PreviewReshuffle,
        Command::AdjustReshuffle { participant: participant_id(), table: table_id() },
        Command::ApplyReshuffle,
        Command::CancelReshuffle,
        Command::PushQuestion { table: table_id(), text: "Quel plat ?".into() },
        Command::StartShowcase,
        Command::ShowShowcaseStep { step: 0 },
        Command::OpenFeedback,
        Command::CloseWorkshop,
        Command::SubmitPaperSecret { participant: participant_id(), fields: fields(), theme: None },
        Command::ApproveSecret { secret: secret_id(), version: 1 },
        Command::EditSecret { secret: secret_id(), version: 1, fields: fields() },
        Command::RejectSecret { secret: secret_id(), version: 1, reason: RejectReason::Duplicate, note: String::new() },
        Command::MarkToCheck { secret: secret_id(), version: 1, note: String::new() },
        Command::SetTourinsoftType { secret: secret_id(), object_type: TourinsoftType::Res },
    ]
}

fn all_events() -> Vec<Event> {
    vec![
        Event::Stage(stage()),
        Event::Participant(participant()),
        Event::Secret(secret()),
        Event::SecretRemoved { id: "s1".into() },
        Event::Table(table()),
        Event::Me(MeView { participant: participant(), vote: None, feedback_given: false, move_to: None }),
        Event::Reshuffle { reshuffle: None },
        Event::Showcase(ShowcaseView { step: 0, themes: Vec::new() }),
        Event::Feedback(FeedbackView { participant: "p1".into(), rating: 5, comment: String::new(), invite_suggestion: String::new() }),
        Event::Question { table: "T1".into(), text: "Quel plat ?".into() },
        Event::Reset(Box::new(snapshot())),
        Event::Notice { code: "vote_cleared".into(), message_fr: String::new(), message_en: String::new() },
    ]
}

/// Returns the value of a JSON object's tag field, such as `type` or `kind`.
fn tag(value: &impl serde::Serialize, field: &str) -> String {
    let json = serde_json::to_value(value).expect("protocol values serialize");
    json[field].as_str().unwrap_or_else(|| panic!("no string `{field}` in {json}")).to_owned()
}

/// Returns the wire name of a unit enum value, such as a phase.
fn wire_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value).expect("enum values serialize").as_str().expect("unit variants serialize as strings").to_owned()
}

#[test]
fn samples_cover_every_variant() {
    let commands: BTreeSet<usize> = all_commands().iter().map(command_index).collect();
    assert_eq!(commands, (0..COMMAND_VARIANTS).collect(), "all_commands() needs one value of each Command variant");
    let events: BTreeSet<usize> = all_events().iter().map(event_index).collect();
    assert_eq!(events, (0..EVENT_VARIANTS).collect(), "all_events() needs one value of each Event variant");
}

#[test]
fn command_names_match_wire_tags() {
    for command in all_commands() {
        assert_eq!(command.name(), tag(&command, "type"), "Command::name() differs from the serialized `type`");
    }
}

#[test]
fn doc_lists_every_command() {
    let doc = protocol_doc();
    let commands = all_commands();
    let missing = undocumented(&doc, commands.iter().map(Command::name));
    assert!(missing.is_empty(), "PROTOCOL.md does not mention these commands in backticks: {missing:?}");
}

#[test]
fn doc_lists_every_event_kind() {
    let doc = protocol_doc();
    let kinds: Vec<String> = all_events().iter().map(|event| tag(event, "kind")).collect();
    let missing = undocumented(&doc, kinds.iter().map(String::as_str));
    assert!(missing.is_empty(), "PROTOCOL.md does not mention these event kinds in backticks: {missing:?}");
}

#[test]
fn doc_lists_every_error_code() {
    let doc = protocol_doc();
    let missing = undocumented(&doc, ErrorCode::ALL.iter().map(|code| code.as_str()));
    assert!(missing.is_empty(), "PROTOCOL.md does not mention these error codes in backticks: {missing:?}");
}

#[test]
fn doc_quotes_every_error_message() {
    let doc = protocol_doc();
    let mut stale = Vec::new();
    for code in ErrorCode::ALL {
        if !doc.contains(code.message_fr()) {
            stale.push(format!("{} (French)", code.as_str()));
        }
        if !doc.contains(code.message_en()) {
            stale.push(format!("{} (English)", code.as_str()));
        }
    }
    assert!(stale.is_empty(), "PROTOCOL.md does not quote the current message of: {stale:?}");
}

#[test]
fn doc_lists_every_message_type() {
    let doc = protocol_doc();
    let client = [
        ClientMessage::Hello { v: PROTOCOL_VERSION, token: "t".into(), last_seq: None },
        ClientMessage::Cmd { op: "op-1".into(), command: Command::StartPresenting },
        ClientMessage::Ping,
    ];
    let server = [
        ServerMessage::Welcome { v: PROTOCOL_VERSION, role: Role::Projector, workshop_id: "w1".into(), participant_id: None, seq: 1, snapshot: None },
        ServerMessage::Event { seq: 2, changes: Vec::new() },
        ServerMessage::Live { live: LiveView::default() },
        ServerMessage::Ack { op: "op-1".into(), result: serde_json::json!({}) },
        ServerMessage::Error { op: None, error: ProtoError::new(ErrorCode::Internal) },
        ServerMessage::Pong,
    ];
    let types: Vec<String> = client.iter().map(|m| tag(m, "type")).chain(server.iter().map(|m| tag(m, "type"))).collect();
    let missing = undocumented(&doc, types.iter().map(String::as_str));
    assert!(missing.is_empty(), "PROTOCOL.md does not mention these message types in backticks: {missing:?}");
}

#[test]
fn doc_lists_every_enum_value() {
    let doc = protocol_doc();
    let roles = [Role::Participant, Role::Facilitator, Role::Moderator, Role::Projector, Role::Organizer].map(|v| wire_name(&v));
    let phases = [
        Phase::Lobby,
        Phase::Writing,
        Phase::Presenting,
        Phase::Voting,
        Phase::Results,
        Phase::Showcase,
        Phase::Feedback,
        Phase::Closed,
    ]
    .map(|v| wire_name(&v));
    let statuses = [SecretStatus::Pending, SecretStatus::Approved, SecretStatus::Rejected, SecretStatus::ToCheck].map(|v| wire_name(&v));
    let reasons = [
        RejectReason::AlreadyOnline,
        RejectReason::Advertising,
        RejectReason::PrivatePlace,
        RejectReason::Dangerous,
        RejectReason::Duplicate,
        RejectReason::PersonalData,
        RejectReason::Other,
    ]
    .map(|v| wire_name(&v));
    let sources = [Source::Phone, Source::Paper].map(|v| wire_name(&v));
    let tourinsoft_types = TourinsoftType::ALL.map(|v| wire_name(&v));
    let all = roles.iter().chain(&phases).chain(&statuses).chain(&reasons).chain(&sources).chain(&tourinsoft_types);
    let missing = undocumented(&doc, all.map(String::as_str));
    assert!(missing.is_empty(), "PROTOCOL.md does not mention these role, phase, status, reason, source or TourinSoft type values in backticks: {missing:?}");
}
