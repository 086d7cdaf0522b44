//! A `story-cluster serve` process on a free loopback port, and a JSON
//! client for it; shared by tests/serve.rs and benches/index.rs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running service, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Server {
    /// Starts `binary serve --create --db DB` on a free port and waits until it
    /// listens.
    pub fn start(binary: &Path, db: &Path) -> Server {
        Server::start_with(binary, db, &[], &[])
    }

    /// [`Server::start`] with more arguments and environment variables.
    pub fn start_with(binary: &Path, db: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(binary)
            .args(["serve", "--create", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("reads stderr");
        let addr = line
            .trim()
            .strip_prefix("story-cluster: listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        // Keep draining stderr so the service never blocks on it.
        std::thread::spawn(move || for _ in stderr.lines() {});
        Server {
            child,
            base: format!("http://{addr}"),
        }
    }
}

impl Server {
    /// The process id, to signal it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the process to exit; whether it did.
    pub fn exited_within(&mut self, limit: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }

    /// `host:port`.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive client that returns every status instead of failing on 4xx.
pub fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// POSTs a JSON body; returns the status and the parsed answer.
pub fn post(agent: &ureq::Agent, url: &str, body: &str) -> (u16, serde_json::Value) {
    let mut response = agent
        .post(url)
        .content_type("application/json")
        .send(body)
        .expect("request answered");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// GETs a URL; returns the status and the parsed answer.
pub fn get(agent: &ureq::Agent, url: &str) -> (u16, serde_json::Value) {
    let mut response = agent.get(url).call().expect("request answered");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}
