//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod synthetic;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The binary under test.
pub fn story_cluster() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("story-cluster")
}

/// A fixture path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The stdout of a finished command, after checking it succeeded (its
/// stderr is shown when it did not).
pub fn stdout_of(output: std::io::Result<std::process::Output>) -> Vec<u8> {
    let output = output.expect("the command starts");
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Runs `run` with JSON output and parses the report.
pub fn run_json(args: &[&str]) -> Value {
    let stdout = stdout_of(
        story_cluster()
            .arg("run")
            .args(args)
            .args(["--format", "json"])
            .output(),
    );
    serde_json::from_slice(&stdout).expect("valid JSON")
}

/// The report's stories as sets of member ids, keyed by story id.
pub fn story_sets(report: &Value) -> BTreeMap<String, Vec<String>> {
    report["stories"]
        .as_array()
        .expect("stories")
        .iter()
        .map(|s| {
            let mut ids: Vec<String> = s["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| m["id"].as_str().expect("id").to_owned())
                .collect();
            ids.sort();
            (s["id"].as_str().expect("story id").to_owned(), ids)
        })
        .collect()
}

/// The 3-character seed prefix of an id ("003_cc5…-site" → "003").
pub fn seed(id: &str) -> &str {
    &id[..3]
}

/// Each document's story id.
pub fn story_of(report: &Value) -> BTreeMap<String, String> {
    report["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().expect("id").to_owned(),
                d["story"].as_str().expect("story").to_owned(),
            )
        })
        .collect()
}

/// Writes the text fixtures of `dirs` as JSON lines, in the given order of
/// file names (for order tests), and returns the lines.
pub fn fixture_lines(dirs: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    for dir in dirs {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture(dir))
            .expect("fixture dir")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("utf-8 fixture");
            let id = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let (title, body) = text.trim().split_once('\n').expect("title line");
            lines.push(
                serde_json::json!({"id": id, "title": title.trim(), "text": body}).to_string(),
            );
        }
    }
    lines
}
