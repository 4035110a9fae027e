//! Command-line flags and environment variables.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "atelier",
    version,
    about = "Runs secret-collection workshops live on every device in the room.",
    after_help = "Logging: set ATELIER_LOG to error, warn, info (the default) or debug."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Start the workshop server.
    Serve(ServeConfig),
}

#[derive(Args, Debug, Clone)]
pub struct ServeConfig {
    /// Address and port to listen on. 0.0.0.0 makes the server reachable from phones on the
    /// same network; port 0 picks a free port.
    #[arg(long, env = "ATELIER_BIND", default_value = "0.0.0.0:8080")]
    pub bind: SocketAddr,

    /// Folder for the embedded SQLite database, created on first start.
    #[arg(long, env = "ATELIER_DATA_DIR", default_value = "atelier-data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://FILE` or `postgres://USER@HOST/DB`. By default, SQLite in the
    /// data folder.
    #[arg(long, env = "ATELIER_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Address printed on join QR codes, such as `http://192.168.1.20:8080`. By default, this
    /// machine's network address and the listening port.
    #[arg(long, env = "ATELIER_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Admin token that allows creating workshops. Without it, the server generates one on
    /// first start, prints it once and stores only its hash. Set it through the environment
    /// variable rather than the flag, so that it does not show in the process list.
    #[arg(long, env = "ATELIER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Commands per second one connection may send on average (bursts of four times as many
    /// are allowed). Above it, commands get the error `rate_limited`.
    #[arg(long, env = "ATELIER_COMMAND_RATE", default_value_t = 10.0)]
    pub command_rate: f64,

    /// Join attempts per minute from one network address.
    #[arg(long, env = "ATELIER_JOIN_RATE", default_value_t = 60)]
    pub join_rate: u32,

    /// Seconds to wait, at shutdown, for the database to record that this server stopped.
    /// In-flight commands finish before that, since sockets close only between commands.
    #[arg(long, env = "ATELIER_SHUTDOWN_GRACE", default_value_t = 8)]
    pub shutdown_grace_seconds: u64,
}

impl ServeConfig {
    /// Returns the database URL to use: the given one, or SQLite in the data folder.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("atelier.sqlite3").display()),
        }
    }
}
