//! The README's examples work as shown: every `story-cluster` command line
//! in a `sh` block runs and succeeds (in order, in a scratch folder that
//! holds the fixtures, so that the index commands build on each other), and
//! every `text` block opening with `$ story-cluster …` prints what it
//! shows, a line `…` standing for any lines left out. The Rust example is
//! compiled and run as a doc-test (`src/lib.rs` includes the README).

mod common;

use common::story_cluster;
use std::path::Path;

/// A fenced block: its language and lines.
struct Block {
    language: String,
    lines: Vec<String>,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for line in markdown.lines() {
        match (line.strip_prefix("```"), open.take()) {
            (Some(language), None) => {
                open = Some(Block {
                    language: language.trim().to_owned(),
                    lines: Vec::new(),
                })
            }
            (Some(_), Some(block)) => blocks.push(block),
            (None, Some(mut block)) => {
                block.lines.push(line.to_owned());
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    blocks
}

/// The arguments of a command line that is run: it starts with
/// `story-cluster` and uses no shell (no pipe, redirection, variable or
/// background job). A trailing `# comment` is dropped.
fn command_line(line: &str) -> Option<Vec<&str>> {
    let line = line.split(" # ").next().unwrap().trim();
    let rest = line.strip_prefix("story-cluster ")?;
    if rest.contains(['|', '>', '<', '$', '&', ';', '\\']) {
        return None;
    }
    // Commands of the index feature, in a build without it.
    let command = rest.split_whitespace().next()?;
    if !cfg!(feature = "index") && ["index", "check", "publish", "serve"].contains(&command) {
        return None;
    }
    if !cfg!(feature = "parquet") && rest.contains(".parquet") {
        return None;
    }
    Some(rest.split_whitespace().collect())
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    story_cluster()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Whether `actual` matches the `expected` lines, where a `…` line stands
/// for any number of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "…" => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first().is_some_and(|line| line == first) && matches(rest, &actual[1..])
        }
    }
}

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::os::unix::fs::symlink(fixtures, dir.path().join("fixtures")).unwrap();
    dir
}

fn readme() -> Vec<Block> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    blocks(&std::fs::read_to_string(path).unwrap())
}

#[test]
fn every_command_line_runs() {
    let dir = scratch();
    let mut ran = 0;
    for block in readme().iter().filter(|b| b.language == "sh") {
        for args in block.lines.iter().filter_map(|l| command_line(l)) {
            let output = run(dir.path(), &args);
            assert!(
                output.status.success(),
                "story-cluster {}: exit {:?}\n{}",
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
    }
    assert!(
        ran >= if cfg!(feature = "index") { 12 } else { 5 },
        "only {ran} command lines found"
    );
}

#[test]
fn every_output_shown_is_printed() {
    let dir = scratch();
    let mut checked = 0;
    for block in readme().iter().filter(|b| b.language == "text") {
        let Some(args) = block.lines.first().and_then(|l| l.strip_prefix("$ ")) else {
            continue;
        };
        let args = command_line(args).expect("a command the test can run");
        let output = run(dir.path(), &args);
        assert!(output.status.success(), "{args:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let actual: Vec<&str> = stdout.lines().collect();
        assert!(
            matches(&block.lines[1..], &actual),
            "story-cluster {} printed:\n{stdout}\nnot what the README shows:\n{}",
            args.join(" "),
            block.lines[1..].join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} outputs found");
}

#[test]
fn ellipsis_matches_any_lines() {
    let expected: Vec<String> = ["a", "…", "d"].iter().map(|s| s.to_string()).collect();
    assert!(matches(&expected, &["a", "b", "c", "d"]));
    assert!(matches(&expected, &["a", "d"]));
    assert!(!matches(&expected, &["a", "b"]));
    assert!(!matches(&expected, &["x", "d"]));
}
