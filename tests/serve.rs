//! The HTTP service on loopback: clear 4xx answers for bad input (never a
//! 500), concurrent checks that agree with sequential ones, and the service
//! and a CLI writer on one index.
#![cfg(feature = "serve")]

mod common;
#[path = "common/server.rs"]
mod server;

use common::fixture;
use serde_json::{Value, json};
use server::{Server, client, get, post};
use std::io::{BufRead, Write};
use std::path::Path;

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_story-cluster"))
}

/// The seed articles as API items.
fn seed_items() -> Vec<Value> {
    let mut paths: Vec<_> = std::fs::read_dir(fixture("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let (title, body) = text.trim().split_once('\n').unwrap();
            let id = p.file_stem().unwrap().to_str().unwrap();
            json!({ "id": id, "title": title, "text": body })
        })
        .collect()
}

#[test]
fn bad_requests_get_clear_4xx_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        binary(),
        &dir.path().join("index.db"),
        &["--max-body-bytes", "1000000"],
        &[],
    );
    let agent = client();
    let check = format!("{}/v1/check", server.base);
    let cases: &[(&str, u16, &str)] = &[
        ("{\"id\": \"a\"", 400, "malformed JSON"),
        ("[1, 2]", 400, "item 0"),
        ("\"text\"", 400, "expected an item"),
        ("{\"text\": \"no id\"}", 400, "missing field `id`"),
        ("{\"id\": \"a\"}", 400, "no field `text`"),
        ("{\"id\": \"a\", \"text\": 5}", 400, "malformed item"),
        (
            "[{\"id\":\"a\",\"text\":\"x\"},{\"id\":\"a\",\"text\":\"y\"}]",
            400,
            "duplicate id",
        ),
    ];
    for &(body, status, message) in cases {
        let (got, answer) = post(&agent, &check, body);
        assert_eq!(got, status, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(message), "{body}: {answer}");
    }
    // A body over the limit is refused from its declared length, before it
    // is sent (sending it would race the refusal).
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n"
    )
    .unwrap();
    let mut status_line = String::new();
    std::io::BufReader::new(&stream)
        .read_line(&mut status_line)
        .unwrap();
    assert!(status_line.starts_with("HTTP/1.1 413"), "{status_line}");
    assert_eq!(
        get(&agent, &format!("{}/v1/items/nope", server.base)).0,
        404
    );
    assert_eq!(
        get(&agent, &format!("{}/v1/stories/S99", server.base)).0,
        404
    );
    assert_eq!(get(&agent, &format!("{}/v1/nothing", server.base)).0, 404);
    // Still serving, and nothing was stored.
    let (status, health) = get(&agent, &format!("{}/healthz", server.base));
    assert_eq!(status, 200);
    assert_eq!(health["items"], 0);
}

#[test]
fn items_stories_and_concurrent_checks() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(binary(), &dir.path().join("index.db"));
    let agent = client();
    let items = Value::Array(seed_items());
    let (status, decisions) = post(
        &agent,
        &format!("{}/v1/items", server.base),
        &items.to_string(),
    );
    assert_eq!(status, 200, "{decisions}");
    assert_eq!(decisions.as_array().unwrap().len(), 5);
    let (status, item) = get(
        &agent,
        &format!("{}/v1/items/000_a8134910525f8f60", server.base),
    );
    assert_eq!(status, 200);
    let story = item["story"].as_str().unwrap().to_owned();
    let (status, listed) = get(&agent, &format!("{}/v1/stories/{story}", server.base));
    assert_eq!(status, 200);
    assert!(
        listed["members"]
            .as_array()
            .unwrap()
            .contains(&json!("000_a8134910525f8f60"))
    );

    // The seeds under new ids: each a copy of its original.
    let probes: Vec<String> = seed_items()
        .into_iter()
        .map(|mut item| {
            item["id"] = json!(format!("probe-{}", item["id"].as_str().unwrap()));
            item.to_string()
        })
        .collect();
    let check = format!("{}/v1/check", server.base);
    let sequential: Vec<Value> = probes.iter().map(|p| post(&agent, &check, p).1).collect();
    for answer in &sequential {
        assert_eq!(answer["status"], "duplicate", "{answer}");
        assert_eq!(answer["jaccard"], 1.0, "{answer}");
    }
    let concurrent: Vec<Vec<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                scope.spawn(|| {
                    let agent = client();
                    (0..10)
                        .flat_map(|_| probes.iter().map(|p| post(&agent, &check, p).1))
                        .collect::<Vec<Value>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for answers in concurrent {
        for (i, answer) in answers.iter().enumerate() {
            assert_eq!(answer, &sequential[i % probes.len()]);
        }
    }
}

#[test]
fn the_service_and_a_cli_writer_share_one_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("index.db");
    let server = Server::start(binary(), &db);
    let agent = client();
    // The CLI adds the ECB+ articles while the service stores the seeds one
    // at a time.
    let cli = std::process::Command::new(binary())
        .args(["index", "add", "--batch", "20", "--db"])
        .arg(&db)
        .arg(fixture("ecbplus-dev/docs"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for item in seed_items() {
        let (status, answer) = post(
            &agent,
            &format!("{}/v1/items", server.base),
            &item.to_string(),
        );
        assert_eq!(status, 200, "{answer}");
    }
    assert!(cli.wait_with_output().unwrap().status.success());
    // The service follows another process's writes within a second or so.
    let mut items = Value::Null;
    for _ in 0..50 {
        items = get(&agent, &format!("{}/healthz", server.base)).1["items"].clone();
        if items == 772 + 5 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(items, 772 + 5);
    // The service sees what the CLI stored.
    let (status, _) = get(&agent, &format!("{}/v1/items/1_10ecb", server.base));
    assert_eq!(status, 200);
}

/// Sends raw bytes and returns the status line answered (empty when the
/// server closed the connection without one).
fn raw_status(addr: &str, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut line = String::new();
    let _ = std::io::BufReader::new(&stream).read_line(&mut line);
    line
}

#[test]
fn writes_need_the_token_and_foreign_pages_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        binary(),
        &dir.path().join("index.db"),
        &["--allow-origin", "https://cms.example.com"],
        &[("STORY_CLUSTER_TOKEN", "s3cret")],
    );
    let agent = client();
    let items = format!("{}/v1/items", server.base);
    let item = seed_items()[0].to_string();
    let send = |auth: Option<&str>, origin: Option<&str>, content_type: &str| {
        let mut request = agent.post(&items).content_type(content_type);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        let mut response = request.send(&item).expect("answered");
        let body: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap())
            .expect("every answer is JSON");
        (response.status().as_u16(), body)
    };
    let json = "application/json";
    assert_eq!(send(None, None, json).0, 401);
    assert_eq!(send(Some("Bearer wrong"), None, json).0, 401);
    // A page on another site (or another local port) cannot store.
    let (status, body) = send(Some("Bearer s3cret"), Some("http://localhost:9999"), json);
    assert_eq!(status, 403, "{body}");
    // A form post (the cross-site request a browser sends without asking).
    let (status, body) = send(Some("Bearer s3cret"), None, "text/plain");
    assert_eq!(status, 415, "{body}");
    assert_eq!(
        get(&agent, &format!("{}/healthz", server.base)).1["items"],
        0
    );
    assert_eq!(
        send(Some("Bearer s3cret"), Some("https://cms.example.com"), json).0,
        200
    );
    // Reads stay open; a wrong method is a JSON 405.
    assert_eq!(get(&agent, &format!("{}/v1/stories", server.base)).0, 200);
    let (status, body) = get(&agent, &items);
    assert_eq!(status, 405);
    assert!(body["error"].as_str().is_some(), "{body}");
}

#[test]
fn a_public_address_needs_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(binary())
        .args(["serve", "--create", "--addr", "0.0.0.0:0", "--db"])
        .arg(dir.path().join("index.db"))
        .env_remove("STORY_CLUSTER_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("token"));
}

#[test]
fn slow_idle_and_surplus_clients_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(
        binary(),
        &dir.path().join("index.db"),
        &[
            "--header-timeout",
            "1",
            "--body-timeout",
            "1",
            "--max-connections",
            "3",
        ],
        &[],
    );
    let addr = server.addr().to_owned();
    // Headers that never end: the connection is closed without an answer.
    let started = std::time::Instant::now();
    let status = raw_status(&addr, "POST /v1/check HTTP/1.1\r\nHost: x\r\n");
    assert!(!status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // A body that never comes: 408.
    let status = raw_status(
        &addr,
        "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    assert!(status.starts_with("HTTP/1.1 408"), "{status}");
    // Three idle connections fill the cap: a fourth gets 503 at once.
    let idle: Vec<std::net::TcpStream> = (0..3)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = raw_status(&addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(status.starts_with("HTTP/1.1 503"), "{status}");
    // The idle ones are cut off by the header timeout, freeing the cap.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let status = raw_status(&addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    // SIGTERM stops the service even with stalled connections open.
    let stalled: Vec<std::net::TcpStream> = (0..2)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(b"POST /v1/check HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(server.exited_within(std::time::Duration::from_secs(15)));
    drop((idle, stalled));
}

#[test]
fn a_huge_batch_does_not_hold_up_health_checks_and_settles_follow() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        binary(),
        &dir.path().join("index.db"),
        &["--max-body-bytes", "50000000", "--settle-every", "100"],
        &[],
    );
    let agent = client();
    // ECB+ as one batch of 772 items.
    let batch: Vec<Value> = std::fs::read_dir(fixture("ecbplus-dev/docs"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let (title, body) = text.split_once('\n').unwrap_or((&text, ""));
            let id = path.file_stem().unwrap().to_str().unwrap();
            json!({ "id": id, "title": title, "text": body })
        })
        .filter(|item| !item["text"].as_str().unwrap().trim().is_empty())
        .collect();
    let body = Value::Array(batch).to_string();
    let url = format!("{}/v1/items", server.base);
    let health = format!("{}/healthz", server.base);
    let latencies: Vec<std::time::Duration> = std::thread::scope(|scope| {
        let writer = scope.spawn(|| post(&client(), &url, &body));
        let mut latencies = Vec::new();
        while !writer.is_finished() {
            let started = std::time::Instant::now();
            assert_eq!(get(&agent, &health).0, 200);
            latencies.push(started.elapsed());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let (status, answer) = writer.join().unwrap();
        assert_eq!(status, 200, "{answer}");
        latencies
    });
    assert!(
        latencies.len() >= 5,
        "the batch took too little time to test"
    );
    let slow = latencies
        .iter()
        .filter(|l| **l > std::time::Duration::from_millis(100))
        .count();
    assert!(
        slow * 10 <= latencies.len(),
        "{slow} of {} over 100 ms",
        latencies.len()
    );
    assert!(
        latencies
            .iter()
            .all(|l| *l < std::time::Duration::from_secs(1))
    );
    // 772 stored items ring the settle: stories become settled. The wait
    // is a liveness bound, not a speed claim: a debug build on a busy
    // machine took over 10 s.
    let mut settled = false;
    for _ in 0..1200 {
        let (_, item) = get(&agent, &format!("{}/v1/items/1_10ecb", server.base));
        if item["settled"] == true {
            settled = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(settled, "no settle within 120 s");
}
