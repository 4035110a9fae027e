//! Load benchmark: many workshops of many devices on one server, measuring how long a secret
//! takes from a phone's send to the facilitator's screen.
//!
//! Each workshop has one facilitator socket and `devices - 1` phones. Every phone sends a
//! secret at a random moment of each `interval`; the facilitator's socket timestamps the event
//! that carries it. The report gives the delivery latency percentiles and the command errors.
//! Client and server share the machine, so the numbers include the benchmark's own load.

use anyhow::{bail, Context, Result};
use atelier_client::{create_workshop, join};
use atelier_proto::command::{CreateWorkshop, JoinRequest};
use atelier_proto::model::{preset_themes, CommuneRef, Consents};
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
#[command(name = "atelier-bench", about = "Measures delivery latency of secrets under load.")]
struct Args {
    /// Server base URL, such as http://127.0.0.1:8080.
    #[arg(long, env = "ATELIER_SERVER")]
    server: String,
    /// Admin token of that server.
    #[arg(long, env = "ATELIER_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: String,
    /// Number of workshops.
    #[arg(long, default_value_t = 50)]
    workshops: usize,
    /// Devices per workshop (one facilitator, the rest phones).
    #[arg(long, default_value_t = 20)]
    devices: usize,
    /// Seconds between two secrets of one phone.
    #[arg(long, default_value_t = 30.0)]
    interval: f64,
    /// Seconds of measurement after every device is connected.
    #[arg(long, default_value_t = 60)]
    duration: u64,
}

/// Send instants of secrets in flight, by title.
type InFlight = Arc<Mutex<HashMap<String, Instant>>>;

struct Stats {
    latencies_us: Mutex<Vec<u64>>,
    errors: AtomicU64,
    sent: AtomicU64,
}

fn ws_url(base: &str) -> String {
    format!("{}/ws", base.trim_end_matches('/').replacen("http://", "ws://", 1).replacen("https://", "wss://", 1))
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, token: &str) -> Result<Socket> {
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(ws_url(base), None, true).await.context("WebSocket connect")?;
    let hello = serde_json::json!({ "type": "hello", "v": 1, "token": token });
    socket.send(Message::text(hello.to_string())).await?;
    Ok(socket)
}

/// Reads the facilitator's stream and records when each benchmark secret arrives.
async fn watch_facilitator(mut socket: Socket, in_flight: InFlight, stats: Arc<Stats>) {
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else { continue };
        if !text.contains("bench:") {
            continue;
        }
        let arrived = Instant::now();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let Some(changes) = value["changes"].as_array() else { continue };
        for change in changes {
            if change["kind"] != "secret" {
                continue;
            }
            let Some(title) = change["fields"]["title"].as_str() else { continue };
            if let Some(sent) = in_flight.lock().unwrap().remove(title) {
                stats.latencies_us.lock().unwrap().push(arrived.duration_since(sent).as_micros() as u64);
            }
        }
    }
}

/// Sends a secret at a random moment of every interval until `until`.
async fn run_phone(mut socket: Socket, name: String, interval: Duration, until: Instant, in_flight: InFlight, stats: Arc<Stats>) {
    let mut sequence = 0u64;
    loop {
        let wait = rand::thread_rng().gen_range(0.0..interval.as_secs_f64());
        let next = Instant::now() + Duration::from_secs_f64(wait);
        if next >= until {
            break;
        }
        // Read (and drop) what the server sends meanwhile, answering its pings.
        let deadline = tokio::time::Instant::from_std(next);
        loop {
            match tokio::time::timeout_at(deadline, socket.next()).await {
                Ok(Some(Ok(_))) => {}
                Ok(_) => return,
                Err(_) => break,
            }
        }
        sequence += 1;
        let title = format!("bench:{name}:{sequence}");
        let op = format!("{name}-{sequence}");
        let command = serde_json::json!({
            "type": "cmd", "op": op,
            "command": { "type": "submit_secret", "fields": { "title": title, "text": "Un secret de test de charge.", "commune": { "name": "Honfleur" } } }
        });
        in_flight.lock().unwrap().insert(title, Instant::now());
        stats.sent.fetch_add(1, Ordering::Relaxed);
        if socket.send(Message::text(command.to_string())).await.is_err() {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.devices < 2 {
        bail!("--devices must be at least 2 (one facilitator and one phone)");
    }
    let in_flight: InFlight = Arc::new(Mutex::new(HashMap::new()));
    let stats = Arc::new(Stats { latencies_us: Mutex::new(Vec::new()), errors: AtomicU64::new(0), sent: AtomicU64::new(0) });
    let setup_started = Instant::now();
    let mut phones = Vec::new();
    for w in 0..args.workshops {
        let body = CreateWorkshop {
            title: format!("Banc d'essai {w}"),
            venue: String::new(),
            starts_at: String::new(),
            themes: preset_themes().into_iter().take(1).collect(),
            tables: ((args.devices - 1) / 7).max(1) as u32,
            table_min: 1,
            table_max: 30,
            language: "fr".into(),
        };
        let created = create_workshop(&args.server, &args.admin_token, &body).await.context("create workshop (is the admin token right?)")?;
        let mut facilitator = open(&args.server, &created.facilitator_token).await?;
        let start = serde_json::json!({ "type": "cmd", "op": format!("start-{w}"), "command": { "type": "start_writing" } });
        facilitator.send(Message::text(start.to_string())).await?;
        tokio::spawn(watch_facilitator(facilitator, in_flight.clone(), stats.clone()));
        for d in 1..args.devices {
            let request = JoinRequest {
                code: created.code.clone(),
                name: format!("Bot{d}"),
                commune: CommuneRef { insee: None, name: "Honfleur".into() },
                consents: Consents::default(),
                email: None,
                table: None,
                op: None,
            };
            let joined = join(&args.server, &request).await.context("join (raise the server's ATELIER_JOIN_RATE for benchmarks)")?;
            phones.push((format!("w{w}d{d}"), open(&args.server, &joined.token).await?));
        }
    }
    let sockets = args.workshops * args.devices;
    println!("{sockets} sockets connected in {:.1} s", setup_started.elapsed().as_secs_f64());

    let until = Instant::now() + Duration::from_secs(args.duration);
    let interval = Duration::from_secs_f64(args.interval);
    let mut tasks = Vec::new();
    for (name, socket) in phones {
        tasks.push(tokio::spawn(run_phone(socket, name, interval, until, in_flight.clone(), stats.clone())));
    }
    for task in tasks {
        let _ = task.await;
    }
    // Let the last secrets arrive.
    let drain_until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < drain_until && !in_flight.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut latencies = stats.latencies_us.lock().unwrap().clone();
    latencies.sort_unstable();
    let sent = stats.sent.load(Ordering::Relaxed);
    let lost = in_flight.lock().unwrap().len();
    println!("secrets sent: {sent}, delivered to the facilitator: {}, not delivered: {lost}, send errors: {}", latencies.len(), stats.errors.load(Ordering::Relaxed));
    println!(
        "delivery latency ms: p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.90),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    if lost > 0 {
        bail!("{lost} secrets were not delivered within 5 s after the run");
    }
    Ok(())
}
