//! `story-cluster stage` (the `parquet` feature): near-duplicate detection
//! run stage by stage over parts of a corpus, with Parquet files between,
//! reports what one `dedup` run reports on the whole, byte for byte; and a
//! stage refuses files made with other settings or by another stage.
#![cfg(feature = "parquet")]

mod common;

use common::{fixture, stdout_of, story_cluster};
use std::path::{Path, PathBuf};

/// `story-cluster stage` with these arguments.
fn stage_command(args: &[&dyn AsRef<std::ffi::OsStr>]) -> assert_cmd::Command {
    let mut command = story_cluster();
    command.arg("stage");
    for arg in args {
        command.arg(arg);
    }
    command
}

/// Runs one stage, which must succeed; returns its stdout.
fn stage(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<u8> {
    stdout_of(stage_command(args).output())
}

#[test]
fn stages_over_two_parts_report_what_dedup_reports() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    // Part 1: the seeds and their republished variants (copies, and site
    // lines that are boilerplate only across articles); part 2: ECB+.
    let parts: [Vec<PathBuf>; 2] = [
        vec![fixture("seeds"), fixture("variants")],
        vec![fixture("ecbplus-dev/docs")],
    ];
    for (i, paths) in parts.iter().enumerate() {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"lines", &"-q"];
        args.extend(paths.iter().map(|p| p as &dyn AsRef<std::ffi::OsStr>));
        let out = at(&format!("lines{i}.parquet"));
        args.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &out]);
        stage(&args);
    }
    let (lines0, lines1, table) = (
        at("lines0.parquet"),
        at("lines1.parquet"),
        at("table.parquet"),
    );
    stage(&[&"boilerplate", &lines0, &lines1, &"-o", &table]);
    for (i, paths) in parts.iter().enumerate() {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"sign", &"-q", &"--boilerplate", &table];
        args.extend(paths.iter().map(|p| p as &dyn AsRef<std::ffi::OsStr>));
        let out = at(&format!("signed{i}.parquet"));
        args.extend([&"-o" as &dyn AsRef<std::ffi::OsStr>, &out]);
        stage(&args);
    }
    let (signed0, signed1) = (at("signed0.parquet"), at("signed1.parquet"));
    let (candidates, verified) = (at("candidates.parquet"), at("verified.parquet"));
    stage(&[&"candidates", &signed0, &signed1, &"-o", &candidates]);
    stage(&[
        &"verify",
        &candidates,
        &"--signed",
        &signed0,
        &signed1,
        &"-o",
        &verified,
    ]);
    let by_stages = stage(&[&"group", &verified, &"--signed", &signed0, &signed1]);

    let one_run = stdout_of(
        story_cluster()
            .args(["dedup", "-q"])
            .args(parts.iter().flatten())
            .output(),
    );
    let text = String::from_utf8(one_run.clone()).unwrap();
    // Groups of variants whose site lines only boilerplate removal makes
    // equal, and ECB+'s own copies.
    assert!(text.lines().count() > 30, "{text}");
    assert!(text.contains("-arabnews\tD"), "{text}");
    assert_eq!(String::from_utf8(by_stages).unwrap(), text);
}

fn lines_of(dir: &Path, name: &str, threshold: &str) -> PathBuf {
    let out = dir.join(name);
    stage(&[
        &"lines",
        &"-q",
        &"--threshold",
        &threshold,
        &fixture("seeds"),
        &"-o",
        &out,
    ]);
    out
}

#[test]
fn a_stage_refuses_files_made_with_other_settings_or_by_another_stage() {
    let dir = tempfile::tempdir().unwrap();
    let a = lines_of(dir.path(), "a.parquet", "0.8");
    let b = lines_of(dir.path(), "b.parquet", "0.7");
    let stderr = refused(&[
        &"boilerplate",
        &a,
        &b,
        &"-o",
        &dir.path().join("table.parquet"),
    ]);
    assert!(
        stderr.contains("b.parquet: made with other settings"),
        "{stderr}"
    );
    assert!(stderr.contains("\"threshold\":0.7"), "{stderr}");

    let stderr = refused(&[&"candidates", &a, &"-o", &dir.path().join("c.parquet")]);
    assert!(
        stderr.contains("a.parquet: made by the `lines` stage, not `sign`"),
        "{stderr}"
    );
}

/// Runs one stage, which must exit 1 (bad input); returns its stderr.
fn refused(args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let output = stage_command(args).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stderr).unwrap()
}
