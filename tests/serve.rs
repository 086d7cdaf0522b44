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
    let server = Server::start(binary(), &dir.path().join("index.db"));
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
    let (_, health) = get(&agent, &format!("{}/healthz", server.base));
    assert_eq!(health["items"], 772 + 5);
    // The service sees what the CLI stored.
    let (status, _) = get(&agent, &format!("{}/v1/items/1_10ecb", server.base));
    assert_eq!(status, 200);
}
