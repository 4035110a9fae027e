//! `atelier-bot play SCENARIO --server URL [--admin-token T]`: plays an `atelier-scenario/1`
//! file against a server and checks its `expected` block.
//!
//! On success the last line on stdout is `workshop CODE ID`. On a difference with the
//! scenario it prints every difference to stderr and exits with status 1; on any other failure
//! (server unreachable, command refused, invalid scenario) with status 2.

use atelier_client::{play, Hooks, PlayFailed, Scenario};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "atelier-bot", version, about = "Plays atelier scenarios against a server")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Play a scenario file (format atelier-scenario/1) and check its expected block.
    Play {
        /// The scenario file.
        scenario: PathBuf,
        /// Base URL of the server, e.g. http://127.0.0.1:8080.
        #[arg(long, env = "ATELIER_SERVER")]
        server: String,
        /// Admin token used to create the workshop.
        #[arg(long, env = "ATELIER_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Cmd::Play { scenario, server, admin_token } => {
            let scenario = match Scenario::from_path(&scenario) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("atelier-bot: {e}");
                    return ExitCode::from(2);
                }
            };
            let hooks = Hooks::new().on_log(|line| println!("{line}"));
            match play(&scenario, &server, &admin_token, hooks).await {
                Ok(report) => {
                    println!("workshop {} {}", report.code, report.workshop_id);
                    ExitCode::SUCCESS
                }
                Err(e) => match e.downcast_ref::<PlayFailed>() {
                    Some(failed) => {
                        eprintln!("atelier-bot: {failed}");
                        ExitCode::from(1)
                    }
                    None => {
                        eprintln!("atelier-bot: {e:#}");
                        ExitCode::from(2)
                    }
                },
            }
        }
    }
}
