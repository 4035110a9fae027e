//! A real server process for the tests that need one (`ATELIER_SERVER_BIN`).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Server {
    pub bin: PathBuf,
    pub data_dir: PathBuf,
    pub bind: String,
    pub child: Option<Child>,
}

impl Server {
    pub async fn start(&mut self) {
        let mut child = Command::new(&self.bin)
            .args(["serve", "--bind", &self.bind, "--data-dir"])
            .arg(&self.data_dir)
            .env("ATELIER_ADMIN_TOKEN", "test-admin")
            .env("ATELIER_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start the server");
        // Ready when it says it listens.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next_line().await.unwrap().expect("server exited before listening");
            if line.contains("listening") {
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.child = Some(child);
    }

    pub async fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
    }
}


impl Server {
    /// A server on a free port with a fresh data folder, not started.
    pub fn new(name: &str) -> Server {
        let bin = PathBuf::from(std::env::var("ATELIER_SERVER_BIN").expect("set ATELIER_SERVER_BIN to the built server"));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let data_dir = std::env::temp_dir().join(format!("atelier-{name}-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        Server { bin, data_dir, bind: format!("127.0.0.1:{port}"), child: None }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.bind)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
