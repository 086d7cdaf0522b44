//! `story-cluster publish`: only new items come out, and an output that
//! fails stores nothing, so a rerun publishes the same items.
#![cfg(feature = "index")]

mod common;

use common::{fixture, story_cluster};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

fn publish(db: &Path, input: &Path, out: &Path) -> std::process::Output {
    story_cluster()
        .args(["publish", "--db"])
        .arg(db)
        .arg("--out")
        .arg(out)
        .arg(input)
        .output()
        .expect("runs")
}

fn stored_items(db: &Path) -> u64 {
    let output = story_cluster()
        .args(["index", "stats", "--db"])
        .arg(db)
        .output()
        .expect("runs");
    let stats: Value = serde_json::from_slice(&output.stdout).expect("stats");
    stats["items"].as_u64().unwrap()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn new_items_come_out_and_copies_stay_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, out) = (dir.path().join("index.db"), dir.path().join("out"));
    let output = publish(&db, &fixture("seeds"), &out);
    assert!(output.status.success());
    assert_eq!(file_names(&out).len(), 5);
    let copies = publish(&db, &fixture("variants"), &dir.path().join("out2"));
    assert!(copies.status.success());
    assert!(file_names(&dir.path().join("out2")).is_empty());
    let decisions = String::from_utf8_lossy(&copies.stderr);
    assert_eq!(decisions.matches("\"status\":\"duplicate\"").count(), 4);
}

#[test]
fn ids_that_differ_get_files_that_differ() {
    let dir = tempfile::tempdir().unwrap();
    let (db, out) = (dir.path().join("index.db"), dir.path().join("out"));
    let input = dir.path().join("items.jsonl");
    let lines: Vec<String> = ["a/b", "a_b", "../up", &"x".repeat(300)]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let text = format!("item {i}: {}", ["quake", "election", "trial", "flood"][i]);
            serde_json::json!({"id": id, "text": text.repeat(20)}).to_string()
        })
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    assert!(publish(&db, &input, &out).status.success());
    let names = file_names(&out);
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.contains(&"a%2Fb.json".to_owned()), "{names:?}");
    assert!(names.contains(&"a_b.json".to_owned()), "{names:?}");
    assert!(names.iter().all(|n| n.len() <= 205), "{names:?}");
    // Nothing escaped the folder.
    assert_eq!(file_names(dir.path()), ["index.db", "items.jsonl", "out"]);
}

#[test]
fn a_closed_pipe_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("index.db");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = Command::new(env!("CARGO_BIN_EXE_story-cluster"))
        .args(["publish", "--out", "-", "--db"])
        .arg(&db)
        .arg(fixture("seeds"))
        .stdout(Stdio::from(writer))
        .stderr(Stdio::null())
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(1));
    assert_eq!(stored_items(&db), 0);
    // The rerun publishes them all.
    let output = story_cluster()
        .args(["publish", "--out", "-", "--db"])
        .arg(&db)
        .arg(fixture("seeds"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 5);
}

#[test]
fn an_unwritable_file_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, out) = (dir.path().join("index.db"), dir.path().join("out"));
    // A folder where one item's file must go: that write fails.
    let blocker = out.join("002_96ac34a45deae35e.json");
    std::fs::create_dir_all(&blocker).unwrap();
    let output = publish(&db, &fixture("seeds"), &out);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("002_96ac34a45deae35e.json") && stderr.contains("nothing stored"),
        "{stderr}"
    );
    assert_eq!(stored_items(&db), 0);
    std::fs::remove_dir(&blocker).unwrap();
    assert!(publish(&db, &fixture("seeds"), &out).status.success());
    assert_eq!(file_names(&out).len(), 5);
    assert_eq!(stored_items(&db), 5);
}
