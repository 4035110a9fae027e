//! Behind nginx with a short read timeout, an idle WebSocket stays open because the server
//! pings it. The proxy's 12 s timeout replaces the usual 60 s: if pings stopped, the
//! proxy would cut the socket within the test's 30 s of silence.

mod common;

use common::{Backend, RawSocket, TestServer, ADMIN_TOKEN};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PROXY_READ_TIMEOUT_SECONDS: u64 = 12;

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers; SIGKILL would leave them running.
        let stopped = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status().is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}

fn start_nginx(upstream_port: u16, listen_port: u16) -> Nginx {
    let prefix = std::env::temp_dir().join(format!("atelier-nginx-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(prefix.join("logs")).expect("nginx prefix");
    let config = format!(
        "pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {prefix}/body;\n  proxy_temp_path {prefix}/proxy;\n  fastcgi_temp_path {prefix}/fastcgi;\n  uwsgi_temp_path {prefix}/uwsgi;\n  scgi_temp_path {prefix}/scgi;\n  server {{\n    listen 127.0.0.1:{listen_port};\n    location / {{\n      proxy_pass http://127.0.0.1:{upstream_port};\n      proxy_http_version 1.1;\n      proxy_set_header Host $http_host;\n      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection \"upgrade\";\n      proxy_read_timeout {PROXY_READ_TIMEOUT_SECONDS}s;\n      proxy_send_timeout {PROXY_READ_TIMEOUT_SECONDS}s;\n    }}\n  }}\n}}\n",
        prefix = prefix.display()
    );
    let config_path = prefix.join("nginx.conf");
    std::fs::write(&config_path, config).expect("nginx config");
    // Debian installs nginx in /usr/sbin, which is not on every user's PATH.
    let binary = if std::path::Path::new("/usr/sbin/nginx").exists() { "/usr/sbin/nginx" } else { "nginx" };
    let child = Command::new(binary)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&config_path)
        .arg("-g")
        .arg("daemon off;")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx is installed (Debian package nginx-light; .ci/run installs it)");
    Nginx(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_socket_survives_proxy_read_timeout() {
    let server = TestServer::start(Backend::Sqlite).await;
    let listen_port = free_port();
    let _nginx = start_nginx(server.port, listen_port);
    let proxied = format!("http://127.0.0.1:{listen_port}");

    // Wait until nginx answers before opening the socket.
    assert!(wait_for_proxy(&proxied).await, "nginx did not start in front of the server");

    let body = serde_json::json!({
        "title": "Atelier derrière un proxy",
        "themes": atelier_proto::model::preset_themes(),
        "tables": 1
    });
    let created: atelier_proto::command::CreatedWorkshop = {
        let body = body.to_string();
        let answer = http_post(&proxied, "/api/workshops", &body, Some(ADMIN_TOKEN)).await;
        serde_json::from_str(&answer).expect("created workshop")
    };
    let projector = RawSocket::connect(&proxied, &created.projector_token).await;
    projector.wait_message(Duration::from_secs(10), |m| m["type"] == "welcome").await;

    // Silence from both sides for more than twice the proxy's read timeout.
    let pings_needed = (30 / 5) as usize - 1;
    projector.wait_pings(pings_needed, Duration::from_secs(40)).await;
    assert!(projector.closed.lock().unwrap().is_none(), "the proxy closed an idle socket");
    projector.send_text(serde_json::json!({ "type": "ping" }).to_string());
    projector.wait_message(Duration::from_secs(10), |m| m["type"] == "pong").await;
}

/// Polls `/healthz` through the proxy until it answers (nginx starts in milliseconds).
async fn wait_for_proxy(base: &str) -> bool {
    for _ in 0..100 {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
            if stream.write_all(request.as_bytes()).await.is_ok() {
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer).await;
                if answer.starts_with("HTTP/1.1 200") {
                    return true;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

async fn http_post(base: &str, path: &str, body: &str, bearer: Option<&str>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect through the proxy");
    let authorization = bearer.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{authorization}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (_, payload) = answer.split_once("\r\n\r\n").expect("HTTP answer");
    payload.to_owned()
}
