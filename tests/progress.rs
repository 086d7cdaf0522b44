//! Progress bars: drawn on a terminal's stderr, never on a pipe, never on
//! stdout, silenced by `--quiet`, and without effect on the report.
//!
//! A terminal is given by util-linux `script`, which runs the command on a
//! pseudo-terminal and copies what it draws; without `script` the terminal
//! cases say so and are skipped.

mod common;

use common::{fixture, stdout_of, story_cluster};
use std::path::Path;
use std::process::Command;

const STAGES: [&str; 3] = ["reading", "signing", "clustering"];

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_story-cluster"))
}

/// Runs `story-cluster ARGS` on a pseudo-terminal, with `redirect` (shell
/// syntax) after it; returns what appeared on the terminal, or `None` when
/// `script` is missing.
fn on_terminal(args: &[&str], redirect: &str) -> Option<String> {
    let has_script = Command::new("script").arg("--version").output().is_ok();
    if !has_script {
        eprintln!("skipped: util-linux `script` not found; cannot test on a terminal");
        return None;
    }
    let command = std::iter::once(binary().to_str().unwrap())
        .chain(args.iter().copied())
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
        + redirect;
    let stdout = stdout_of(
        Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .output(),
    );
    Some(String::from_utf8_lossy(&stdout).into_owned())
}

#[test]
fn bars_show_on_a_terminal_only_and_leave_the_report_unchanged() {
    let corpus = fixture("ecbplus-dev").join("docs");
    let corpus = corpus.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (on_tty, on_pipe) = (dir.path().join("tty.json"), dir.path().join("pipe.json"));

    // Piped stderr, even when asked for always: nothing of a bar anywhere.
    let piped = story_cluster()
        .args(["run", corpus, "--progress", "always", "-f", "json", "-o"])
        .arg(&on_pipe)
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(piped.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        STAGES.iter().all(|s| !stderr.contains(s)) && !stderr.contains('\u{1b}'),
        "{stderr}"
    );

    let Some(drawn) = on_terminal(
        &["run", corpus, "--progress", "always", "-f", "json"],
        // The report goes to a file through stdout: the bars must go to
        // the terminal on stderr, not into the report.
        &format!(" > '{}'", on_tty.display()),
    ) else {
        return;
    };
    for stage in STAGES {
        assert!(drawn.contains(stage), "no {stage} bar in {drawn:?}");
    }
    assert!(drawn.contains("772/772 documents"), "{drawn:?}");
    assert_eq!(
        std::fs::read(&on_tty).unwrap(),
        std::fs::read(&on_pipe).unwrap(),
        "bars changed the report"
    );
}

#[test]
fn quiet_or_small_inputs_draw_no_bars_on_a_terminal() {
    let corpus = fixture("ecbplus-dev").join("docs");
    let corpus = corpus.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("r.tsv");
    let out = out.to_str().unwrap();
    for args in [
        // --quiet wins over --progress always.
        vec!["run", corpus, "--quiet", "--progress", "always", "-o", out],
        // 772 documents is not a large input.
        vec!["run", corpus, "-o", out],
        vec!["run", corpus, "--progress", "never", "-o", out],
    ] {
        let Some(drawn) = on_terminal(&args, "") else {
            return;
        };
        assert!(
            STAGES.iter().all(|s| !drawn.contains(s)),
            "{args:?}: {drawn:?}"
        );
    }
}

#[test]
fn a_terminal_on_stdout_alone_gets_the_report_and_no_bars() {
    let corpus = fixture("ecbplus-dev").join("docs");
    let args = [
        "run",
        corpus.to_str().unwrap(),
        "--progress",
        "always",
        "-f",
        "tsv",
    ];
    let Some(drawn) = on_terminal(&args, " 2>/dev/null") else {
        return;
    };
    assert!(drawn.contains("doc_id\tstory"), "no report in {drawn:?}");
    assert!(
        STAGES.iter().all(|s| !drawn.contains(s)) && !drawn.contains("documents ("),
        "{drawn:?}"
    );
}
