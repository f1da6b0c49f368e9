//! A real `model_signing serve` process for the daemon's tests, and a raw HTTP/1.1 client
//! that sends exactly the headers a test gives (a forged Host, any Origin, no
//! Content-Type), as a hostile page or process would.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::ms;

/// The daemon's own UI origin, which may always pair.
pub fn own_origin(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// A running daemon; stopped (SIGTERM, then waited for) when dropped.
pub struct Daemon {
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its state directory.
    pub state: PathBuf,
    /// What it printed on stdout so far.
    pub stdout: Arc<Mutex<String>>,
    /// What it printed on stderr so far.
    pub stderr: Arc<Mutex<String>>,
}

fn pump(
    stream: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<String>>,
    ready: Option<mpsc::Sender<u16>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let (Some(tx), Some(rest)) =
                (&ready, line.split("listening on http://127.0.0.1:").nth(1))
            {
                if let Some(port) = rest.split('/').next().and_then(|p| p.parse().ok()) {
                    let _ = tx.send(port);
                }
            }
            let mut s = into.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
}

impl Daemon {
    /// Starts `model_signing serve --listen 127.0.0.1:0 --state-dir <state> --no-terminal
    /// <args>` with `cmd`'s environment (see [`ms`]) and waits until it listens.
    pub fn start_with(mut cmd: Command, state: &Path, args: &[&str]) -> Self {
        cmd.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-terminal",
            "--state-dir",
        ])
        .arg(state)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the daemon starts");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        pump(child.stdout.take().unwrap(), stdout.clone(), Some(tx));
        pump(child.stderr.take().unwrap(), stderr.clone(), None);
        let port = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the daemon did not start:\nstdout: {}\nstderr: {}",
                    stdout.lock().unwrap(),
                    stderr.lock().unwrap()
                );
            }
        };
        Self {
            child: Some(child),
            port,
            state: state.to_path_buf(),
            stdout,
            stderr,
        }
    }

    /// [`Daemon::start_with`] with our plain environment.
    pub fn start(state: &Path, args: &[&str]) -> Self {
        Self::start_with(ms(), state, args)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        own_origin(self.port)
    }

    /// A request with `Host: 127.0.0.1:PORT` and the given headers and body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let host = format!("127.0.0.1:{}", self.port);
        let mut all: Vec<(&str, &str)> = vec![("Host", host.as_str())];
        all.extend_from_slice(headers);
        raw(self.port, method, path, &all, body.map(str::as_bytes))
    }

    /// A JSON POST from `origin` with a bearer `token` (when given).
    pub fn post(&self, path: &str, origin: &str, token: Option<&str>, body: &Value) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut h = vec![("Origin", origin), ("Content-Type", "application/json")];
        if let Some(a) = &auth {
            h.push(("Authorization", a.as_str()));
        }
        self.request("POST", path, &h, Some(&body.to_string()))
    }

    /// A GET from `origin` with a bearer `token` (when given).
    pub fn get(&self, path: &str, origin: &str, token: Option<&str>) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut h = vec![("Origin", origin)];
        if let Some(a) = &auth {
            h.push(("Authorization", a.as_str()));
        }
        self.request("GET", path, &h, None)
    }

    /// `model_signing approve --state-dir <state> <args>`.
    pub fn approve(&self, args: &[&str]) -> super::Run {
        super::run(
            ms().arg("approve")
                .arg("--state-dir")
                .arg(&self.state)
                .args(args),
        )
    }

    /// The code the daemon shows for `origin`'s pending pairing (through `approve`).
    pub fn pairing_code(&self, origin: &str) -> String {
        let listing = self.approve(&["--list", "--json"]);
        assert!(listing.success(), "{listing:?}");
        let v: Value = serde_json::from_str(&listing.stdout).unwrap();
        v["pairings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["origin"] == origin)
            .and_then(|p| p["code"].as_str())
            .unwrap_or_else(|| panic!("no pairing of {origin}: {v}"))
            .to_string()
    }

    /// Pairs `origin` the way a page and its user do; returns the token.
    pub fn pair(&self, origin: &str) -> String {
        let r = self.post(
            "/api/v1/pairings",
            origin,
            None,
            &serde_json::json!({"client": "test page"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.json()["pairing"].as_str().unwrap().to_string();
        let code = self.pairing_code(origin);
        let r = self.post(
            &format!("/api/v1/pairings/{id}/confirm"),
            origin,
            None,
            &serde_json::json!({ "code": code }),
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// The sign requests waiting for approval (ids).
    pub fn waiting(&self) -> Vec<u64> {
        let listing = self.approve(&["--list", "--json"]);
        let v: Value = serde_json::from_str(&listing.stdout).unwrap_or_default();
        v["requests"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["id"].as_u64()).collect())
            .unwrap_or_default()
    }

    /// Waits (bounded) until `n` sign requests wait for approval.
    pub fn wait_for_requests(&self, n: usize) -> Vec<u64> {
        for _ in 0..600 {
            let w = self.waiting();
            if w.len() >= n {
                return w;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{n} sign request(s) never arrived: {:?}", self.waiting());
    }

    /// The audit log's lines.
    pub fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(self.state.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
            .collect()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Stops the daemon (SIGTERM: a graceful stop) and waits for it.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        child.wait().unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Response {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// The error code of a JSON error answer.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }

    /// Whether any `Access-Control-Allow-*` header is present.
    pub fn has_cors(&self) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.starts_with("access-control-allow"))
    }
}

/// Sends one HTTP/1.1 request with exactly these headers (plus Content-Length and
/// Connection: close) and reads the answer.
pub fn raw(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    s.write_all(head.as_bytes()).unwrap();
    if let Some(b) = body {
        let _ = s.write_all(b);
    }
    read_response(&mut s)
}

/// Reads one response (until the server closes the connection).
pub fn read_response(s: &mut TcpStream) -> Response {
    let mut data = Vec::new();
    let _ = s.read_to_end(&mut data);
    let text = String::from_utf8_lossy(&data).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<Vec<_>>();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n.min(rest.len())]);
        body = rest.get(n + 2..).unwrap_or("");
    }
    out
}
