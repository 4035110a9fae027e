//! Plays an `atelier-scenario/1` file against a server and checks its `expected` block.
//!
//! The player drives every device of the workshop: the facilitator, the moderator and the
//! projector with their role links, one WebSocket per phone participant, and the facilitator
//! for the paper ones. Nothing is hardcoded: ids, table names and counts come from the
//! scenario, and the scenario's ids are mapped to the server's as they are created.
//!
//! Between steps, [`Hooks::on_step`] is awaited with the step's name (`joined`,
//! `round1.writing`, `round1.secrets`, `round1.moderated`, `round1.presented`,
//! `round1.voted`, `round2.reshuffled`, …, `showcase`, `feedback`), so a test can restart the
//! server there: the connections reconnect and resume on their own.
//!
//! Differences with the scenario do not stop the play: they are collected and returned as a
//! [`PlayFailed`] error at the end. A command the server refuses does stop it, with what was
//! sent and what came back.

use crate::connection::{Connection, LocalState};
use crate::diff::{Differences, Labels, Mismatch};
use crate::http;
use crate::scenario::{Device, Moderation, Round, Scenario, ScenarioSecret};
use anyhow::{anyhow, bail, Context, Result};
use atelier_proto::command::{CreateWorkshop, JoinRequest};
use atelier_proto::model::{CommuneRef, Consents, Phase, RejectReason, SecretStatus, Theme};
use atelier_proto::view::{Snapshot, StuckReason, TableView};
use atelier_proto::{Command, ErrorCode, ParticipantId, SecretId, TableId, WorkshopId};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long the player waits for the server's state to show what it expects.
const WAIT: Duration = Duration::from_secs(10);
/// How long the facilitator may take to see a stuck table.
const STUCK_WAIT: Duration = Duration::from_secs(10);

pub type StepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
pub type StepHook = Arc<dyn Fn(String) -> StepFuture + Send + Sync>;
pub type LogHook = Arc<dyn Fn(&str) + Send + Sync>;

/// Callbacks of a play.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Awaited between steps, with the step's name.
    pub on_step: Option<StepHook>,
    /// Called with every line of the play's log (otherwise logged with `tracing`).
    pub on_log: Option<LogHook>,
}

impl Hooks {
    pub fn new() -> Self {
        Hooks::default()
    }

    /// Sets the step hook: `Hooks::new().on_step(|step| async move { ... })`.
    pub fn on_step<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.on_step = Some(Arc::new(move |step| Box::pin(f(step))));
        self
    }

    pub fn on_log(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_log = Some(Arc::new(f));
        self
    }
}

/// What a play leaves behind.
#[derive(Clone, Debug)]
pub struct PlayReport {
    pub code: String,
    pub workshop_id: WorkshopId,
    /// The facilitator's view at the end.
    pub facilitator: Snapshot,
    /// Scenario participant id -> server id.
    pub participants: BTreeMap<String, ParticipantId>,
    /// Scenario secret id -> server id.
    pub secrets: BTreeMap<String, SecretId>,
    /// Scenario table name -> server table.
    pub tables: BTreeMap<String, TableId>,
    /// Lines of the play's log.
    pub log: Vec<String>,
    /// Reconnections of all the play's connections (0 when no socket ever dropped).
    pub reconnections: u64,
}

/// The play went to the end but the server differs from the scenario.
#[derive(Debug)]
pub struct PlayFailed {
    pub differences: Differences,
    pub report: Box<PlayReport>,
}

impl fmt::Display for PlayFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n(workshop {} {})", self.differences, self.report.code, self.report.workshop_id)
    }
}

impl std::error::Error for PlayFailed {}

/// What the projector must never show, found as it happened.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Violation {
    /// A secret shown before any moderator approved it, or with a non-approved status.
    Unapproved { secret: SecretId, title: String, status: Option<SecretStatus> },
    /// An e-mail address in the projector's view.
    Email { what: String },
}

/// Watches the projector's view on every change.
#[derive(Default)]
struct ProjectorGuard {
    /// Secrets a moderator was asked to approve (or edit): the projector may show them.
    cleared: HashSet<SecretId>,
    /// Every secret the projector showed.
    seen: BTreeSet<SecretId>,
    emails: Vec<String>,
    violations: Vec<Violation>,
    reported: HashSet<Violation>,
}

impl ProjectorGuard {
    fn flag(&mut self, v: Violation) {
        if self.reported.insert(v.clone()) {
            self.violations.push(v);
        }
    }

    fn observe(&mut self, state: &LocalState) {
        let Some(s) = state.snapshot.as_ref() else { return };
        let shown = s.secrets.iter().chain(s.showcase.iter().flat_map(|sc| sc.themes.iter().flat_map(|t| t.items.iter().map(|i| &i.secret))));
        let mut flags = Vec::new();
        for secret in shown {
            self.seen.insert(secret.id.clone());
            let bad_status = matches!(secret.status, Some(st) if st != SecretStatus::Approved);
            if bad_status || !self.cleared.contains(&secret.id) {
                flags.push(Violation::Unapproved { secret: secret.id.clone(), title: secret.fields.title.clone(), status: secret.status });
            }
        }
        for p in &s.participants {
            if p.email.is_some() {
                flags.push(Violation::Email { what: format!("participant {} ({}) carries an e-mail field", p.id, p.name) });
            }
        }
        if !self.emails.is_empty() {
            let text = serde_json::to_string(s).unwrap_or_default();
            for email in &self.emails {
                if text.contains(email.as_str()) {
                    flags.push(Violation::Email { what: format!("the address {email} appears in the view") });
                }
            }
        }
        for f in flags {
            self.flag(f);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Plays `scenario` against the server at `server_url` (`http://host:port`), creating the
/// workshop with `admin_token`. Returns the report, or a [`PlayFailed`] error (inside the
/// `anyhow::Error`) listing every difference with the scenario.
pub async fn play(scenario: &Scenario, server_url: &str, admin_token: &str, hooks: Hooks) -> Result<PlayReport> {
    let problems = scenario.problems();
    if !problems.is_empty() {
        bail!("{}", crate::scenario::ScenarioError::Invalid(problems));
    }
    let base = http::http_base(server_url);
    let sc = scenario;
    let size = sc.workshop.table_size;
    let body = CreateWorkshop {
        title: sc.workshop.title.clone(),
        venue: sc.workshop.venue.clone(),
        starts_at: sc.workshop.starts_at.clone(),
        themes: sc
            .themes
            .iter()
            .map(|t| Theme {
                key: t.key.clone(),
                title: t.title.clone(),
                prompt: t.prompt.clone(),
                questions: t.questions.clone(),
                writing_minutes: t.writing_minutes,
            })
            .collect(),
        tables: sc.tables.len() as u32,
        table_min: size.map(|s| s.min).unwrap_or(6),
        table_max: size.map(|s| s.max).unwrap_or(8),
        language: sc.workshop.language.clone().unwrap_or_else(|| "fr".into()),
    };
    let created = http::create_workshop(&base, admin_token, &body).await.map_err(|e| {
        anyhow!("POST /api/workshops failed: {e}\n  sent: {}", serde_json::to_string(&body).unwrap_or_default())
    })?;

    let log_line = |line: String, log: &mut Vec<String>| {
        match &hooks.on_log {
            Some(f) => f(&line),
            None => tracing::info!("{line}"),
        }
        log.push(line);
    };
    let mut log = Vec::new();
    log_line(format!("workshop created: code {} id {}", created.code, created.workshop_id), &mut log);

    let connect = |token: String, label: &'static str| {
        let base = base.clone();
        async move { Connection::connect_labeled(&base, &token, label).await.map_err(|e| anyhow!("{label}: {e}")) }
    };
    let fac = connect(created.facilitator_token.clone(), "facilitator").await?;
    let modr = connect(created.moderator_token.clone(), "moderator").await?;
    let proj = connect(created.projector_token.clone(), "projector").await?;

    let guard = Arc::new(Mutex::new(ProjectorGuard {
        emails: sc.participants.iter().filter_map(|p| p.email.clone()).filter(|e| !e.is_empty()).collect(),
        ..Default::default()
    }));
    {
        let guard = guard.clone();
        proj.set_observer(Some(Box::new(move |state| lock(&guard).observe(state))));
    }

    let server_tables = fac.snapshot().map(|s| s.workshop.tables).unwrap_or_default();
    if server_tables.len() != sc.tables.len() {
        bail!(
            "the server made {} tables ({:?}) for a workshop created with tables = {}",
            server_tables.len(),
            server_tables.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            sc.tables.len()
        );
    }

    let mut labels = Labels::default();
    for r in &sc.rounds {
        for s in &r.secrets {
            labels.titles.insert(s.id.clone(), s.title.clone());
        }
    }

    let mut p = Player {
        sc,
        base,
        hooks: hooks.clone(),
        log,
        diffs: Differences::default(),
        code: created.code.clone(),
        workshop_id: created.workshop_id.clone(),
        fac,
        modr,
        proj,
        phones: HashMap::new(),
        pids: BTreeMap::new(),
        rpids: HashMap::new(),
        sids: BTreeMap::new(),
        labels,
        tables: server_tables,
        guard,
    };
    p.run().await.with_context(|| format!("while playing the scenario (workshop {} {})", p.code, p.workshop_id))?;

    let facilitator = p.fac.snapshot().context("the facilitator has no view")?;
    let report = PlayReport {
        code: p.code.clone(),
        workshop_id: p.workshop_id.clone(),
        facilitator,
        participants: p.pids.clone(),
        secrets: p.sids.clone(),
        tables: sc.tables.iter().cloned().zip(p.tables.iter().cloned()).collect(),
        log: p.log.clone(),
        reconnections: p.phones.values().chain([&p.fac, &p.modr, &p.proj]).map(|c| c.sessions().saturating_sub(1)).sum(),
    };
    for conn in p.phones.values().chain([&p.fac, &p.modr, &p.proj]) {
        conn.close();
    }
    if p.diffs.is_empty() {
        Ok(report)
    } else {
        Err(PlayFailed { differences: p.diffs, report: Box::new(report) }.into())
    }
}

struct Player<'a> {
    sc: &'a Scenario,
    base: String,
    hooks: Hooks,
    log: Vec<String>,
    diffs: Differences,
    code: String,
    workshop_id: WorkshopId,
    fac: Connection,
    modr: Connection,
    proj: Connection,
    /// Scenario participant id -> phone connection.
    phones: HashMap<String, Connection>,
    pids: BTreeMap<String, ParticipantId>,
    rpids: HashMap<ParticipantId, String>,
    sids: BTreeMap<String, SecretId>,
    labels: Labels,
    /// Server tables, in the scenario's order.
    tables: Vec<TableId>,
    guard: Arc<Mutex<ProjectorGuard>>,
}

fn table_view<'s>(s: &'s Snapshot, t: &TableId) -> Option<&'s TableView> {
    s.tables.iter().find(|x| &x.id == t)
}

/// Why the facilitator's dashboard says a table is stuck (empty when it is not).
fn stuck_reasons<'s>(s: &'s Snapshot, t: &TableId) -> &'s [StuckReason] {
    s.live.stuck.iter().find(|x| &x.table == t).map(|x| x.reasons.as_slice()).unwrap_or(&[])
}

fn phase_name(p: Phase) -> String {
    serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| format!("{p:?}"))
}

impl<'a> Player<'a> {
    fn say(&mut self, line: impl Into<String>) {
        let line = line.into();
        match &self.hooks.on_log {
            Some(f) => f(&line),
            None => tracing::info!("{line}"),
        }
        self.log.push(line);
    }

    async fn step(&mut self, name: String) {
        tracing::debug!("step {name}");
        if let Some(hook) = self.hooks.on_step.clone() {
            hook(name).await;
        }
    }

    /// Sends a command and returns the ack's result. A refusal stops the play with what was
    /// sent and what came back. `rate_limited` is retried with a new operation id.
    async fn cmd(&self, conn: &Connection, command: Command) -> Result<serde_json::Value> {
        let mut backoff = crate::connection::Backoff::new(Duration::from_millis(200), Duration::from_secs(2));
        for _ in 0..20 {
            match conn.send(command.clone()).await {
                Ok(v) => return Ok(v),
                Err(e) if e.code == ErrorCode::RateLimited => tokio::time::sleep(backoff.next_delay()).await,
                Err(e) => {
                    bail!(
                        "{} sent {}\n  server answered: {}",
                        conn.label(),
                        serde_json::to_string(&command).unwrap_or_default(),
                        serde_json::to_string(&e).unwrap_or_else(|_| e.to_string())
                    )
                }
            }
        }
        bail!("{} sent {}: still rate_limited after 20 tries", conn.label(), serde_json::to_string(&command).unwrap_or_default())
    }

    fn table(&self, name: &str) -> TableId {
        let i = self.sc.table_index(name).expect("validated scenario");
        self.tables[i].clone()
    }

    fn table_name(&self, t: &TableId) -> String {
        match self.tables.iter().position(|x| x == t) {
            Some(i) => self.sc.tables[i].clone(),
            None => format!("server table {t}"),
        }
    }

    fn pid(&self, id: &str) -> Result<ParticipantId> {
        self.pids.get(id).cloned().ok_or_else(|| anyhow!("participant {id} has no server id"))
    }

    fn sid(&self, id: &str) -> Result<SecretId> {
        self.sids.get(id).cloned().ok_or_else(|| anyhow!("secret {id} has no server id"))
    }

    fn who(&self, pid: &ParticipantId) -> String {
        match self.rpids.get(pid) {
            Some(id) => match self.sc.participant(id) {
                Some(p) => format!("{id} ({})", p.name),
                None => id.clone(),
            },
            None => format!("server participant {pid}"),
        }
    }

    fn secret_label(&self, id: &SecretId) -> String {
        self.labels.key(&self.labels.key_of_server(id.as_str()))
    }

    fn phone(&self, id: &str) -> Result<&Connection> {
        self.phones.get(id).ok_or_else(|| anyhow!("participant {id} has no phone connection"))
    }

    fn learn_titles(&mut self, s: &Snapshot) {
        for secret in &s.secrets {
            self.labels.server_titles.insert(secret.id.to_string(), secret.fields.title.clone());
        }
    }

    async fn wait_phase(&self, phase: Phase, round: Option<usize>) -> Result<()> {
        self.fac
            .wait_for(WAIT, |s| s.stage.phase == phase && (round.is_none() || s.stage.round == round))
            .await
            .map_err(|e| {
                let now = self.fac.with_snapshot(|s| s.map(|s| (phase_name(s.stage.phase), s.stage.round)));
                anyhow!("{e}: the facilitator should see phase {} (round {round:?}), sees {now:?}", phase_name(phase))
            })?;
        Ok(())
    }

    async fn run(&mut self) -> Result<()> {
        self.step("connected".into()).await;
        self.join_everyone().await?;
        self.step("joined".into()).await;
        for (ri, round) in self.sc.rounds.iter().enumerate() {
            self.play_round(ri, round).await.with_context(|| format!("round {} ({})", ri + 1, round.theme))?;
        }
        self.showcase().await.context("showcase")?;
        self.step("showcase".into()).await;
        self.feedback().await.context("feedback")?;
        self.step("feedback".into()).await;
        self.final_checks().await?;
        Ok(())
    }

    // --- Joining -------------------------------------------------------------------------

    async fn join_everyone(&mut self) -> Result<()> {
        let sc = self.sc;
        for person in &sc.participants {
            let table = sc.seat_of(0, &person.id).map(|t| self.table(t));
            let commune = CommuneRef { insee: None, name: person.commune.clone() };
            let consents = Consents { show_name: true, contact: person.consent_contact, photo_licence: false };
            let pid = match person.device {
                Device::Phone => {
                    let req = JoinRequest {
                        code: self.code.clone(),
                        name: person.name.clone(),
                        commune,
                        consents,
                        email: person.email.clone(),
                        table: table.clone(),
                        op: None,
                    };
                    let resp = http::join_with_retry(&self.base, &req, Duration::from_secs(30)).await.map_err(|e| {
                        anyhow!("join of {} ({}) failed: {e}\n  sent: {}", person.id, person.name, serde_json::to_string(&req).unwrap_or_default())
                    })?;
                    let label = format!("{} ({})", person.id, person.name);
                    let conn = Connection::connect_labeled(&self.base, &resp.token, &label).await.map_err(|e| anyhow!("{label}: {e}"))?;
                    if let Some(got) = conn.participant_id() {
                        if got != resp.participant_id {
                            self.diffs.push(Mismatch::new(
                                format!("{label}: participant id in the welcome"),
                                resp.participant_id.to_string(),
                                got.to_string(),
                            ));
                        }
                    }
                    self.phones.insert(person.id.clone(), conn);
                    resp.participant_id
                }
                Device::Paper => {
                    let result = self
                        .cmd(
                            &self.fac,
                            Command::AddPaperParticipant {
                                name: person.name.clone(),
                                commune,
                                consents,
                                email: person.email.clone(),
                                table: table.clone(),
                            },
                        )
                        .await?;
                    let id = result
                        .get("participant")
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| anyhow!("add_paper_participant: ack without a participant id: {result}"))?;
                    ParticipantId(id.to_string())
                }
            };
            self.rpids.insert(pid.clone(), person.id.clone());
            self.pids.insert(person.id.clone(), pid);
        }
        let all: Vec<ParticipantId> = self.pids.values().cloned().collect();
        self.fac
            .wait_for(WAIT, |s| all.iter().all(|p| s.participants.iter().any(|x| &x.id == p)))
            .await
            .map_err(|e| anyhow!("{e}: the facilitator does not list every participant who joined"))?;
        let phones = self.phones.len();
        let paper = sc.participants.len() - phones;
        self.say(format!("{} participants joined ({phones} by phone, {paper} on paper)", sc.participants.len()));
        if !sc.rounds.is_empty() {
            self.check_seating(0, true).await?;
        }
        Ok(())
    }

    /// Where each participant should sit in round `ri`.
    fn desired_seating(&self, ri: usize) -> Result<BTreeMap<ParticipantId, TableId>> {
        let mut desired = BTreeMap::new();
        for (table, members) in &self.sc.rounds[ri].seating {
            for m in members {
                desired.insert(self.pid(m)?, self.table(table));
            }
        }
        Ok(desired)
    }

    /// Participants not where round `ri` seats them, as (participant, expected, got).
    fn misplaced(s: &Snapshot, desired: &BTreeMap<ParticipantId, TableId>) -> Vec<(ParticipantId, TableId, Option<TableId>)> {
        let mut out = Vec::new();
        for (pid, table) in desired {
            let got = s.participants.iter().find(|p| &p.id == pid).and_then(|p| p.table.clone());
            let listed = table_view(s, table).map(|t| t.members.contains(pid)).unwrap_or(false);
            if got.as_ref() != Some(table) || !listed {
                out.push((pid.clone(), table.clone(), got));
            }
        }
        out
    }

    async fn check_seating(&mut self, ri: usize, fix: bool) -> Result<()> {
        let desired = self.desired_seating(ri)?;
        if self.fac.wait_for(WAIT, |s| Self::misplaced(s, &desired).is_empty()).await.is_ok() {
            self.say(format!("round {}: everyone sits where the scenario says", ri + 1));
            return Ok(());
        }
        let snap = self.fac.snapshot().unwrap();
        let wrong = Self::misplaced(&snap, &desired);
        let describe = |list: &[(ParticipantId, TableId, Option<TableId>)], got: bool| {
            list.iter()
                .map(|(p, want, have)| {
                    let t = if got { have.as_ref().map(|t| self.table_name(t)).unwrap_or_else(|| "no table".into()) } else { self.table_name(want) };
                    format!("{} at {t}", self.who(p))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let what = if ri == 0 { "seating after joining (join asked for the table)".to_string() } else { format!("round {}: seating after the reshuffle", ri + 1) };
        self.diffs.push(Mismatch::new(what, describe(&wrong, false), describe(&wrong, true)));
        if fix {
            for (pid, table, _) in &wrong {
                self.cmd(&self.fac, Command::SeatParticipant { participant: pid.clone(), table: Some(table.clone()) }).await?;
            }
            self.fac
                .wait_for(WAIT, |s| Self::misplaced(s, &desired).is_empty())
                .await
                .map_err(|e| anyhow!("{e}: seating still differs after seat_participant"))?;
            self.say(format!("round {}: seated {} participants by hand", ri + 1, wrong.len()));
        }
        Ok(())
    }

    // --- A round -------------------------------------------------------------------------

    async fn play_round(&mut self, ri: usize, round: &'a Round) -> Result<()> {
        let n = ri + 1;
        let theme_index = self.sc.themes.iter().position(|t| t.key == round.theme).expect("validated");
        if ri > 0 {
            self.reshuffle(ri).await.context("reshuffle")?;
            self.step(format!("round{n}.reshuffled")).await;
        }
        self.cmd(&self.fac, Command::StartWriting { theme: Some(round.theme.clone()) }).await?;
        self.wait_phase(Phase::Writing, Some(theme_index)).await?;
        if ri > 0 {
            self.check_seating(ri, false).await?;
            self.check_isolation(&format!("round {n}, after moving tables")).await;
        }
        self.say(format!("round {n}: writing \"{}\"", self.sc.themes[theme_index].title));
        self.step(format!("round{n}.writing")).await;

        self.write_secrets(ri, round).await?;
        self.step(format!("round{n}.secrets")).await;

        self.moderate(ri, round).await.context("moderation")?;
        self.step(format!("round{n}.moderated")).await;

        self.present(ri, round).await.context("presentations")?;
        self.step(format!("round{n}.presented")).await;

        self.vote(ri, round).await.context("vote")?;
        self.check_isolation(&format!("round {n}, after the vote")).await;
        self.step(format!("round{n}.voted")).await;
        Ok(())
    }

    async fn reshuffle(&mut self, ri: usize) -> Result<()> {
        let n = ri + 1;
        let desired = self.desired_seating(ri)?;
        self.cmd(&self.fac, Command::PreviewReshuffle).await?;
        let proposal = self
            .fac
            .wait_until(WAIT, |s| s.reshuffle.clone())
            .await
            .map_err(|e| anyhow!("{e}: no reshuffle proposal in the facilitator's view after preview_reshuffle"))?;
        let proposed: HashMap<ParticipantId, TableId> = proposal.seating.iter().cloned().collect();
        let moves: Vec<(ParticipantId, TableId)> =
            desired.iter().filter(|(p, t)| proposed.get(*p) != Some(*t)).map(|(p, t)| (p.clone(), t.clone())).collect();
        self.say(format!(
            "round {n}: reshuffle proposed ({} pairs sit together again); {} adjustments to match the scenario",
            proposal.repeat_pairs,
            moves.len()
        ));
        for (participant, table) in &moves {
            self.cmd(&self.fac, Command::AdjustReshuffle { participant: participant.clone(), table: table.clone() }).await?;
        }
        let matches = |s: &Snapshot| {
            s.reshuffle.as_ref().is_some_and(|r| {
                let map: HashMap<&ParticipantId, &TableId> = r.seating.iter().map(|(p, t)| (p, t)).collect();
                desired.iter().all(|(p, t)| map.get(p) == Some(&t))
            })
        };
        if self.fac.wait_for(WAIT, matches).await.is_err() {
            let now = self.fac.with_snapshot(|s| s.and_then(|s| s.reshuffle.clone()));
            let got = match now {
                None => "no proposal".to_string(),
                Some(r) => r
                    .seating
                    .iter()
                    .filter(|(p, t)| desired.get(p) != Some(t))
                    .map(|(p, t)| format!("{} at {}", self.who(p), self.table_name(t)))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            self.diffs.push(Mismatch::new(format!("round {n}: reshuffle proposal after adjust_reshuffle"), "the scenario's seating", got));
        }
        self.cmd(&self.fac, Command::ApplyReshuffle).await?;
        // Every phone that changes table is told where to go.
        let mut missing = Vec::new();
        for (id, conn) in &self.phones {
            let Ok(pid) = self.pid(id) else { continue };
            let Some(target) = desired.get(&pid) else { continue };
            let previous = self.sc.seat_of(ri - 1, id).map(|t| self.table(t));
            if previous.as_ref() == Some(target) {
                continue;
            }
            let told = conn
                .wait_for(WAIT, |s| {
                    s.me.as_ref().is_some_and(|me| me.move_to.as_ref() == Some(target) || me.participant.table.as_ref() == Some(target))
                })
                .await;
            if told.is_err() {
                missing.push(format!("{} (should go to {})", self.who(&pid), self.table_name(target)));
            }
        }
        if !missing.is_empty() {
            self.diffs.push(Mismatch::new(
                format!("round {n}: phones told their new table after apply_reshuffle"),
                "me.move_to (or me.participant.table) set to the new table",
                format!("not told: {}", missing.join(", ")),
            ));
        }
        Ok(())
    }

    async fn submit(&mut self, round: &Round, s: &ScenarioSecret) -> Result<()> {
        let fields = s.fields();
        let result = match s.via {
            Device::Phone => {
                let conn = self.phone(&s.author)?.clone();
                self.cmd(&conn, Command::SubmitSecret { fields }).await?
            }
            Device::Paper => {
                let participant = self.pid(&s.author)?;
                self.cmd(&self.fac, Command::SubmitPaperSecret { participant, fields, theme: Some(round.theme.clone()) }).await?
            }
        };
        let id = result
            .get("secret")
            .and_then(|v| v.as_str())
            .ok_or_else(|| anyhow!("secret {}: ack without a secret id: {result}", s.id))?;
        self.sids.insert(s.id.clone(), SecretId(id.to_string()));
        self.labels.from_server.insert(id.to_string(), s.id.clone());
        Ok(())
    }

    fn describe_stuck(&self, s: &Snapshot) -> String {
        self.tables
            .iter()
            .map(|t| {
                let count = table_view(s, t).map(|tv| tv.secrets_count).unwrap_or(0);
                match stuck_reasons(s, t) {
                    [] => format!("{}: ok ({count} secrets)", self.table_name(t)),
                    reasons => format!(
                        "{}: STUCK ({count} secrets) — {}",
                        self.table_name(t),
                        reasons.iter().map(|r| format!("{}: {}", r.code, r.message_en)).collect::<Vec<_>>().join("; ")
                    ),
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    async fn write_secrets(&mut self, ri: usize, round: &'a Round) -> Result<()> {
        let n = ri + 1;
        let sc = self.sc;
        let stuck_table = round.stuck.as_ref().map(|s| s.table.as_str());
        let at_stuck = |s: &ScenarioSecret| stuck_table.is_some() && sc.seat_of(ri, &s.author) == stuck_table;
        for s in round.secrets.iter().filter(|s| !at_stuck(s)) {
            self.submit(round, s).await.with_context(|| format!("secret {}", s.id))?;
        }
        if let Some(stuck) = &round.stuck {
            let target = self.table(&stuck.table);
            let tables = self.tables.clone();
            let ok = self
                .fac
                .wait_for(STUCK_WAIT, |s| tables.iter().all(|t| (t == &target) != stuck_reasons(s, t).is_empty()))
                .await;
            let seen = self.describe_stuck(&self.fac.snapshot().unwrap());
            self.say(format!("round {n}: the facilitator sees {seen}"));
            if ok.is_err() {
                let others: Vec<String> = self.sc.tables.iter().filter(|t| **t != stuck.table).cloned().collect();
                self.diffs.push(Mismatch::new(
                    format!("round {n}: stuck tables on the facilitator's dashboard (waited {STUCK_WAIT:?})"),
                    format!("{} stuck, {} not", stuck.table, if others.is_empty() { "others".into() } else { others.join(", ") }),
                    seen,
                ));
            }
            for s in round.secrets.iter().filter(|s| at_stuck(s)) {
                self.submit(round, s).await.with_context(|| format!("secret {}", s.id))?;
            }
        }

        // Every secret reached the staff, at the right table, theme and source.
        let expected: Vec<(String, SecretId, TableId, Device)> = round
            .secrets
            .iter()
            .map(|s| Ok((s.id.clone(), self.sid(&s.id)?, self.table(sc.seat_of(ri, &s.author).expect("validated")), s.via)))
            .collect::<Result<_>>()?;
        let theme = round.theme.clone();
        let wrong = |s: &Snapshot| -> Vec<String> {
            expected
                .iter()
                .filter_map(|(id, sid, table, via)| match s.secrets.iter().find(|x| &x.id == sid) {
                    None => Some(format!("{id}: missing")),
                    Some(x) => {
                        let source_ok = matches!((via, x.source), (Device::Phone, atelier_proto::model::Source::Phone) | (Device::Paper, atelier_proto::model::Source::Paper));
                        (x.table != *table || x.theme != theme || !source_ok).then(|| {
                            format!("{id}: table {} theme {} source {:?}", x.table, x.theme, x.source)
                        })
                    }
                })
                .collect()
        };
        if self.fac.wait_for(WAIT, |s| wrong(s).is_empty()).await.is_err() {
            let got = wrong(&self.fac.snapshot().unwrap()).join(", ");
            self.diffs.push(Mismatch::new(
                format!("round {n}: secrets in the facilitator's view"),
                "every secret of the round, at its author's table, with its theme and source",
                got,
            ));
        }
        self.modr
            .wait_for(WAIT, |s| expected.iter().all(|(_, sid, _, _)| s.secrets.iter().any(|x| &x.id == sid)))
            .await
            .map_err(|e| anyhow!("{e}: the moderator does not see every secret of the round"))?;
        let paper = round.secrets.iter().filter(|s| s.via == Device::Paper).count();
        self.say(format!("round {n}: {} secrets written ({paper} from paper forms)", round.secrets.len()));
        self.check_isolation(&format!("round {n}, after writing")).await;
        Ok(())
    }

    async fn moderate(&mut self, ri: usize, round: &'a Round) -> Result<()> {
        let n = ri + 1;
        let listed: HashMap<&str, &Moderation> = round.moderation.iter().map(|m| (m.secret(), m)).collect();
        let mut decisions: Vec<(String, Option<&Moderation>)> = round.moderation.iter().map(|m| (m.secret().to_string(), Some(m))).collect();
        decisions.extend(round.secrets.iter().filter(|s| !listed.contains_key(s.id.as_str())).map(|s| (s.id.clone(), None)));
        let (mut approved, mut rejected, mut edited, mut to_check) = (0, 0, 0, 0);
        for (id, decision) in decisions {
            let sid = self.sid(&id)?;
            let current = self
                .modr
                .wait_until(WAIT, |s| s.secrets.iter().find(|x| x.id == sid).cloned())
                .await
                .map_err(|e| anyhow!("{e}: the moderator does not see {id}"))?;
            let version = current.version;
            match decision {
                None | Some(Moderation::Approve { .. }) => {
                    lock(&self.guard).cleared.insert(sid.clone());
                    self.cmd(&self.modr, Command::ApproveSecret { secret: sid.clone(), version }).await?;
                    approved += 1;
                }
                Some(Moderation::Reject { reason, .. }) => {
                    self.cmd(
                        &self.modr,
                        Command::RejectSecret { secret: sid.clone(), version, reason: RejectReason::Other, note: reason.clone() },
                    )
                    .await?;
                    rejected += 1;
                }
                Some(Moderation::ToCheck { note, .. }) => {
                    self.cmd(&self.modr, Command::MarkToCheck { secret: sid.clone(), version, note: note.clone() }).await?;
                    to_check += 1;
                }
                Some(Moderation::Edit { title, text, .. }) => {
                    let mut fields = current.fields.clone();
                    if let Some(t) = title {
                        fields.title = t.clone();
                    }
                    if let Some(t) = text {
                        fields.text = t.clone();
                    }
                    lock(&self.guard).cleared.insert(sid.clone());
                    self.cmd(&self.modr, Command::EditSecret { secret: sid.clone(), version, fields }).await?;
                    edited += 1;
                    // An edit is a positive decision; if the server leaves the new version
                    // pending, approve it as a moderator would.
                    let after = self
                        .modr
                        .wait_until(WAIT, |s| s.secrets.iter().find(|x| x.id == sid && x.version > version).cloned())
                        .await
                        .map_err(|e| anyhow!("{e}: the moderator does not see the new version of {id} after edit_secret"))?;
                    if after.status == Some(SecretStatus::Pending) {
                        self.say(format!("round {n}: {id} is still pending after its edit: approving version {}", after.version));
                        self.cmd(&self.modr, Command::ApproveSecret { secret: sid.clone(), version: after.version }).await?;
                    }
                }
            }
        }
        // Every decision shows in the moderator's view.
        let sids: Vec<SecretId> = round.secrets.iter().map(|s| self.sid(&s.id)).collect::<Result<_>>()?;
        if let Err(e) = self
            .modr
            .wait_for(WAIT, |s| sids.iter().all(|sid| s.secrets.iter().any(|x| &x.id == sid && x.status != Some(SecretStatus::Pending))))
            .await
        {
            let still: Vec<String> = self.modr.with_snapshot(|s| {
                s.map(|s| {
                    sids.iter()
                        .filter(|sid| s.secrets.iter().any(|x| &x.id == *sid && x.status == Some(SecretStatus::Pending)))
                        .map(|sid| self.secret_label(sid))
                        .collect()
                })
                .unwrap_or_default()
            });
            self.diffs.push(Mismatch::new(format!("round {n}: moderation ({e})"), "no secret of the round pending", format!("still pending: {}", still.join(", "))));
        }
        self.say(format!("round {n}: moderated: {approved} approved, {edited} edited, {rejected} rejected, {to_check} to check"));
        Ok(())
    }

    async fn present(&mut self, ri: usize, round: &'a Round) -> Result<()> {
        let n = ri + 1;
        self.cmd(&self.fac, Command::StartPresenting).await?;
        self.wait_phase(Phase::Presenting, None).await?;
        let rejected: HashSet<&str> =
            round.moderation.iter().filter(|m| matches!(m, Moderation::Reject { .. })).map(|m| m.secret()).collect();
        for ti in 0..self.tables.len() {
            let t = self.tables[ti].clone();
            let name = self.sc.tables[ti].clone();
            let mut turns = 0usize;
            let mut spotlights = 0usize;
            loop {
                let pv = self
                    .fac
                    .with_snapshot(|s| s.and_then(|s| table_view(s, &t)).map(|tv| tv.presenting.clone()))
                    .ok_or_else(|| anyhow!("the facilitator has no view of table {name}"))?;
                if pv.current >= pv.order.len() {
                    break;
                }
                turns += 1;
                if turns > pv.order.len() + 2 {
                    bail!("presentations at {name} do not advance: order {:?}, current {}", pv.order, pv.current);
                }
                let presenter = pv.order[pv.current].clone();
                let id = self.rpids.get(&presenter).cloned().ok_or_else(|| anyhow!("{name}: unknown presenter {presenter}"))?;
                match self.phones.get(&id).cloned() {
                    Some(conn) => {
                        let own: Vec<&ScenarioSecret> =
                            round.secrets.iter().filter(|s| s.author == id && !rejected.contains(s.id.as_str())).collect();
                        for s in own {
                            let sid = self.sid(&s.id)?;
                            self.cmd(&conn, Command::SpotlightSecret { secret: sid.clone() }).await?;
                            spotlights += 1;
                            let shown = conn
                                .wait_for(WAIT, |v| table_view(v, &t).is_some_and(|tv| tv.presenting.spotlight.as_ref() == Some(&sid)))
                                .await;
                            if shown.is_err() {
                                self.diffs.push(Mismatch::new(
                                    format!("round {n}, {name}: spotlight on the presenter's phone"),
                                    self.labels.secret(&s.id),
                                    format!("{:?}", conn.with_snapshot(|v| v.and_then(|v| table_view(v, &t)).map(|tv| tv.presenting.spotlight.clone()))),
                                ));
                            }
                        }
                        self.cmd(&conn, Command::FinishPresenting { table: None }).await?;
                    }
                    None => {
                        self.cmd(&self.fac, Command::FinishPresenting { table: Some(t.clone()) }).await?;
                    }
                }
                let before = pv.current;
                self.fac
                    .wait_for(WAIT, |s| table_view(s, &t).is_some_and(|tv| tv.presenting.current > before))
                    .await
                    .map_err(|e| anyhow!("{e}: presentations at {name} stay at index {before} after finish_presenting"))?;
            }
            self.say(format!("round {n}: {name}: {turns} people presented, {spotlights} secrets in the spotlight"));
        }
        Ok(())
    }

    async fn vote(&mut self, ri: usize, round: &'a Round) -> Result<()> {
        let n = ri + 1;
        self.cmd(&self.fac, Command::OpenVoting).await?;
        self.wait_phase(Phase::Voting, None).await?;
        for (voter, secret) in &round.votes {
            let sid = self.sid(secret)?;
            match self.phones.get(voter).cloned() {
                Some(conn) => {
                    self.cmd(&conn, Command::CastVote { secret: sid.clone() }).await?;
                    if conn.wait_for(WAIT, |s| s.me.as_ref().is_some_and(|me| me.vote.as_ref() == Some(&sid))).await.is_err() {
                        self.diffs.push(Mismatch::new(
                            format!("round {n}: {voter}'s own view of their vote"),
                            self.labels.secret(secret),
                            format!("{:?}", conn.with_snapshot(|s| s.and_then(|s| s.me.as_ref().map(|m| m.vote.clone())))),
                        ));
                    }
                }
                None => {
                    let participant = self.pid(voter)?;
                    self.cmd(&self.fac, Command::CastVoteFor { participant, secret: sid }).await?;
                }
            }
        }
        let total = round.votes.len() as u32;
        let tables = self.tables.clone();
        if self.fac.wait_for(WAIT, |s| tables.iter().filter_map(|t| table_view(s, t)).map(|tv| tv.votes_cast).sum::<u32>() == total).await.is_err() {
            let got = self.fac.with_snapshot(|s| {
                s.map(|s| s.tables.iter().map(|tv| format!("{}: {}", tv.id, tv.votes_cast)).collect::<Vec<_>>().join(", ")).unwrap_or_default()
            });
            self.diffs.push(Mismatch::new(format!("round {n}: votes cast on the facilitator's dashboard"), total.to_string(), got));
        }
        self.cmd(&self.fac, Command::CloseVoting).await?;
        self.wait_phase(Phase::Results, None).await?;

        // Tables that received votes get a winner, or a tie for the facilitator.
        let voted: BTreeSet<TableId> = round
            .votes
            .values()
            .filter_map(|s| self.sc.table_of_secret(s))
            .map(|t| self.table(t))
            .collect();
        let decided = |s: &Snapshot| voted.iter().all(|t| table_view(s, t).is_some_and(|tv| !tv.winners.is_empty() || !tv.tie.is_empty()));
        self.fac
            .wait_for(WAIT, decided)
            .await
            .map_err(|e| anyhow!("{e}: after close_voting, a table that received votes shows neither winners nor a tie"))?;
        let snap = self.fac.snapshot().unwrap();
        for t in &voted {
            let tv = table_view(&snap, t).unwrap();
            if tv.winners.is_empty() && !tv.tie.is_empty() {
                let name = self.table_name(t);
                let expected: Vec<SecretId> = match round.expected_winners.get(&name) {
                    Some(w) => w.ids().iter().map(|id| self.sid(id)).collect::<Result<_>>()?,
                    None => vec![],
                };
                let winners = if !expected.is_empty() && expected.iter().all(|w| tv.tie.contains(w)) { expected } else { tv.tie.clone() };
                self.say(format!(
                    "round {n}: tie at {name} between {}; the facilitator picks {}",
                    tv.tie.iter().map(|s| self.secret_label(s)).collect::<Vec<_>>().join(", "),
                    winners.iter().map(|s| self.secret_label(s)).collect::<Vec<_>>().join(", ")
                ));
                self.cmd(&self.fac, Command::SettleTie { table: t.clone(), winners }).await?;
            }
        }

        // Winners.
        let mut expected: Vec<(String, TableId, BTreeSet<String>)> =
            round.expected_winners.iter().map(|(name, w)| (name.clone(), self.table(name), w.ids().into_iter().collect())).collect();
        expected.sort_by_key(|(name, _, _)| self.sc.table_index(name));
        let labels = self.labels.clone();
        let got_of = |s: &Snapshot, t: &TableId| -> BTreeSet<String> {
            table_view(s, t).map(|tv| tv.winners.iter().map(|w| labels.key_of_server(w.as_str())).collect()).unwrap_or_default()
        };
        let all_known = |s: &Snapshot| {
            voted.iter().all(|t| table_view(s, t).is_some_and(|tv| !tv.winners.is_empty()))
                && expected.iter().all(|(_, t, want)| &got_of(s, t) == want)
        };
        let _ = self.fac.wait_for(WAIT, all_known).await;
        let snap = self.fac.snapshot().unwrap();
        self.learn_titles(&snap);
        let mut summary = Vec::new();
        for (name, t, want) in &expected {
            let got = got_of(&snap, t);
            if let Some(m) = Mismatch::sets(format!("round {n} ({}), table {name}: winner", round.theme), want, &got, |k| self.labels.key(k)) {
                self.diffs.push(m);
            }
            summary.push(format!("{name} → {}", got.iter().map(|k| self.labels.key(k)).collect::<Vec<_>>().join(" + ")));
        }
        self.say(format!("round {n}: winners: {}", summary.join(", ")));
        Ok(())
    }

    /// No phone holds a secret of another table (its own secrets excepted).
    async fn check_isolation(&mut self, when: &str) {
        let mut phones: Vec<(String, Connection)> = self.phones.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        phones.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, conn) in phones {
            let Ok(me) = self.pid(&id) else { continue };
            let foreign = |s: &Snapshot| -> Vec<(SecretId, TableId)> {
                let my_table = s
                    .me
                    .as_ref()
                    .map(|m| m.participant.table.clone())
                    .unwrap_or_else(|| s.participants.iter().find(|p| p.id == me).and_then(|p| p.table.clone()));
                s.secrets
                    .iter()
                    .filter(|x| x.author.as_ref() != Some(&me) && Some(&x.table) != my_table.as_ref())
                    .map(|x| (x.id.clone(), x.table.clone()))
                    .collect()
            };
            if conn.wait_for(Duration::from_secs(5), |s| foreign(s).is_empty()).await.is_err() {
                let snap = conn.snapshot().unwrap();
                let mine = snap.me.as_ref().and_then(|m| m.participant.table.clone());
                let list = foreign(&snap)
                    .iter()
                    .map(|(s, t)| format!("{} of {}", self.secret_label(s), self.table_name(t)))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.diffs.push(Mismatch::new(
                    format!("{when}: secrets on the phone of {} (sitting at {})", self.who(&me), mine.map(|t| self.table_name(&t)).unwrap_or_else(|| "no table".into())),
                    "only their table's secrets and their own",
                    list,
                ));
            }
        }
    }

    // --- The end -------------------------------------------------------------------------

    async fn showcase(&mut self) -> Result<()> {
        self.cmd(&self.fac, Command::StartShowcase).await?;
        self.wait_phase(Phase::Showcase, None).await?;
        // Theme key -> scenario table -> scenario secret ids (or server:ID).
        let mut got: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        let names: HashMap<String, String> =
            self.sc.participants.iter().filter_map(|p| Some((self.pids.get(&p.id)?.to_string(), p.name.clone()))).collect();
        for (i, theme) in self.sc.themes.iter().enumerate() {
            self.cmd(&self.fac, Command::ShowShowcaseStep { step: i as u32 }).await?;
            let key = theme.key.clone();
            let shown = self
                .proj
                .wait_until(WAIT, |s| {
                    s.showcase.as_ref().filter(|sc| sc.step == i as u32).and_then(|sc| sc.themes.iter().find(|t| t.theme == key).cloned())
                })
                .await;
            let Ok(shown) = shown else {
                let now = self.proj.with_snapshot(|s| s.map(|s| format!("{:?}", s.showcase.as_ref().map(|sc| (sc.step, sc.themes.iter().map(|t| t.theme.clone()).collect::<Vec<_>>())))));
                self.diffs.push(Mismatch::new(format!("showcase step {i}: the projector's view"), format!("step {i} showing theme {key}"), now.unwrap_or_default()));
                continue;
            };
            let entry = got.entry(key.clone()).or_default();
            for item in &shown.items {
                self.labels.server_titles.insert(item.secret.id.to_string(), item.secret.fields.title.clone());
                entry.entry(self.table_name(&item.table)).or_default().insert(self.labels.key_of_server(item.secret.id.as_str()));
                // Every author agreed to show their first name.
                let author_name = self
                    .sids
                    .iter()
                    .find(|(_, sid)| **sid == item.secret.id)
                    .and_then(|(id, _)| self.sc.secret(id))
                    .and_then(|(_, s)| self.pids.get(&s.author))
                    .and_then(|pid| names.get(pid.as_str()).cloned());
                if let Some(name) = author_name {
                    if item.secret.author_name.as_deref() != Some(name.as_str()) {
                        self.diffs.push(Mismatch::new(
                            format!("showcase {key}, {}: first name shown with {} (the author agreed)", self.table_name(&item.table), self.secret_label(&item.secret.id)),
                            name,
                            format!("{:?}", item.secret.author_name),
                        ));
                    }
                }
            }
            let mut rows: Vec<(&String, &BTreeSet<String>)> = entry.iter().collect();
            rows.sort_by_key(|(t, _)| self.sc.table_index(t).unwrap_or(usize::MAX));
            let line = rows
                .iter()
                .map(|(t, ids)| format!("{t} → {}", ids.iter().map(|k| self.labels.key(k)).collect::<Vec<_>>().join(" + ")))
                .collect::<Vec<_>>()
                .join(", ");
            self.say(format!("showcase step {i} ({key}): {line}"));
        }
        if let Some(expected) = &self.sc.expected.showcase {
            for (theme, tables) in expected {
                let got_theme = got.get(theme).cloned().unwrap_or_default();
                let names: BTreeSet<&String> = tables.keys().chain(got_theme.keys()).collect();
                for name in names {
                    let want: BTreeSet<String> = tables.get(name).map(|w| w.ids().into_iter().collect()).unwrap_or_default();
                    let have = got_theme.get(name).cloned().unwrap_or_default();
                    if let Some(m) = Mismatch::sets(format!("showcase {theme}, table {name}"), &want, &have, |k| self.labels.key(k)) {
                        self.diffs.push(m);
                    }
                }
            }
        }
        Ok(())
    }

    async fn feedback(&mut self) -> Result<()> {
        self.cmd(&self.fac, Command::OpenFeedback).await?;
        self.wait_phase(Phase::Feedback, None).await?;
        let mut sent = Vec::new();
        for f in &self.sc.feedback {
            match self.phones.get(&f.who).cloned() {
                None => self.say(format!("feedback of {} skipped: on paper", f.who)),
                Some(conn) => {
                    self.cmd(
                        &conn,
                        Command::SubmitFeedback {
                            rating: f.rating,
                            comment: f.comment.clone(),
                            invite_suggestion: f.invite_suggestion.clone().unwrap_or_default(),
                        },
                    )
                    .await?;
                    sent.push(self.pid(&f.who)?);
                }
            }
        }
        let seen = self.fac.wait_for(WAIT, |s| sent.iter().all(|p| s.feedback.iter().any(|f| &f.participant == p))).await;
        match seen {
            Ok(_) => self.say(format!("{} feedback entries sent and visible to the facilitator", sent.len())),
            Err(_) => self.say(format!("{} feedback entries sent (acknowledged); the facilitator's view does not list them all", sent.len())),
        }
        Ok(())
    }

    fn final_diffs(&self, s: &Snapshot) -> Vec<Mismatch> {
        let e = &self.sc.expected;
        let mut out = Vec::new();
        if let Some(total) = e.secrets_total {
            out.extend(Mismatch::count("secrets in total (facilitator's view)", total, s.secrets.len()));
        }
        if let Some(by_theme) = &e.secrets_by_theme {
            for (theme, n) in by_theme {
                out.extend(Mismatch::count(format!("secrets of theme {theme}"), *n, s.secrets.iter().filter(|x| &x.theme == theme).count()));
            }
        }
        if let Some(paper) = e.paper_secrets {
            out.extend(Mismatch::count(
                "secrets from paper forms",
                paper,
                s.secrets.iter().filter(|x| x.source == atelier_proto::model::Source::Paper).count(),
            ));
        }
        let set_of = |f: &dyn Fn(&atelier_proto::view::SecretView) -> bool| -> BTreeSet<String> {
            s.secrets.iter().filter(|x| f(x)).map(|x| self.labels.key_of_server(x.id.as_str())).collect()
        };
        if let Some(rejected) = &e.rejected {
            let want: BTreeSet<String> = rejected.iter().cloned().collect();
            let got = set_of(&|x| x.status == Some(SecretStatus::Rejected));
            out.extend(Mismatch::sets("rejected secrets (status)", &want, &got, |k| self.labels.key(k)));
        }
        if let Some(edited) = &e.edited {
            let want: BTreeSet<String> = edited.iter().cloned().collect();
            let got = set_of(&|x| x.edited);
            out.extend(Mismatch::sets("edited secrets (edited flag)", &want, &got, |k| self.labels.key(k)));
        }
        out
    }

    async fn final_checks(&mut self) -> Result<()> {
        let _ = self.fac.wait_for(WAIT, |s| self.final_diffs(s).is_empty()).await;
        let snap = self.fac.snapshot().context("the facilitator has no view")?;
        self.learn_titles(&snap);
        let diffs = self.final_diffs(&snap);
        self.diffs.extend(diffs);

        // The projector: what it shows now must be approved; what it showed must have been.
        let status: HashMap<SecretId, Option<SecretStatus>> = snap.secrets.iter().map(|x| (x.id.clone(), x.status)).collect();
        let on_screen: Vec<SecretId> = self.proj.with_snapshot(|s| s.map(|s| s.secrets.iter().map(|x| x.id.clone()).collect()).unwrap_or_default());
        for id in on_screen {
            let st = status.get(&id).copied().flatten();
            if st != Some(SecretStatus::Approved) {
                self.diffs.push(Mismatch::new(
                    format!("projector at the end: shows {}", self.secret_label(&id)),
                    "approved secrets only",
                    format!("status {st:?} in the facilitator's view"),
                ));
            }
        }
        let (violations, seen) = {
            let g = lock(&self.guard);
            (g.violations.clone(), g.seen.len())
        };
        for v in violations {
            match v {
                Violation::Unapproved { secret, title, status } => {
                    self.labels.server_titles.entry(secret.to_string()).or_insert(title);
                    self.diffs.push(Mismatch::new(
                        format!("projector showed {}", self.secret_label(&secret)),
                        "only secrets a moderator approved",
                        match status {
                            Some(st) => format!("shown with status {st:?}"),
                            None => "shown before any moderator approved it".to_string(),
                        },
                    ));
                }
                Violation::Email { what } => self.diffs.push(Mismatch::new("projector view: personal data", "no e-mail address", what)),
            }
        }
        let rejected = snap.secrets.iter().filter(|x| x.status == Some(SecretStatus::Rejected)).count();
        self.say(format!(
            "final: {} secrets ({} rejected, {} edited), the projector showed {seen} secrets, {} difference(s)",
            snap.secrets.len(),
            rejected,
            snap.secrets.iter().filter(|x| x.edited).count(),
            self.diffs.len()
        ));
        Ok(())
    }
}
