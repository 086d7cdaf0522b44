//! Memory is bounded by what is kept, not by the form of the input: a JSON
//! array costs no more than the same documents as JSON lines, and a small
//! compressed file cannot expand without bound. Peak memory is each child
//! process's own maximum resident set, read with `wait4`.
#![cfg(target_os = "linux")]

mod common;

use std::fs;
use std::io::Write;
use std::process::Stdio;
use tempfile::TempDir;

/// Runs the tool with `args`, output discarded; returns its exit code and
/// peak resident memory in bytes.
// The child is reaped by wait4, which std cannot see.
#[allow(clippy::zombie_processes)]
fn peak_memory(args: &[&std::ffi::OsStr]) -> (i32, u64) {
    let command = common::story_cluster();
    let mut command = std::process::Command::new(command.get_program());
    let child = command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    assert!(libc::WIFEXITED(status));
    // ru_maxrss is in KiB on Linux.
    (libc::WEXITSTATUS(status), usage.ru_maxrss as u64 * 1024)
}

fn document(i: usize) -> String {
    format!(
        "{{\"id\":\"d{i:06}\",\"title\":\"Report {i}\",\"text\":\"Storm number {i} reached the coast of region {} on day {} and the officials said the damage was {} and the roads near town {} were closed.\"}}",
        i % 97,
        i % 31,
        i % 13,
        i % 89
    )
}

#[test]
fn a_json_array_costs_no_more_than_json_lines() {
    let dir = TempDir::new().unwrap();
    let docs: Vec<String> = (0..20_000).map(document).collect();
    let lines = dir.path().join("docs.jsonl");
    fs::write(&lines, docs.join("\n")).unwrap();
    // A minified array on one line: the worst case for a reader that holds
    // the array whole.
    let array = dir.path().join("docs.json");
    fs::write(&array, format!("[{}]", docs.join(","))).unwrap();
    let input_bytes = fs::metadata(&array).unwrap().len();
    let run = |path: &std::path::Path| peak_memory(&["dedup".as_ref(), path.as_os_str()]);
    let (lines_code, lines_peak) = run(&lines);
    let (array_code, array_peak) = run(&array);
    assert_eq!((lines_code, array_code), (0, 0));
    eprintln!(
        "input {} MB: JSON lines peak {} MB, JSON array peak {} MB",
        input_bytes >> 20,
        lines_peak >> 20,
        array_peak >> 20
    );
    // Batches are read ahead in both: the same bound, with slack for
    // allocator noise, not for a second copy of the input.
    assert!(
        array_peak <= lines_peak + lines_peak / 5,
        "array {array_peak} against lines {lines_peak}"
    );
}

#[test]
fn a_small_compressed_file_cannot_expand_without_bound() {
    // 200 MB of repeated lines in about 0.4 MB of gzip.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bomb.jsonl.gz");
    let file = fs::File::create(&path).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let line = format!("{{\"id\":\"x\",\"text\":\"{}\"}}\n", "z ".repeat(2000));
    for _ in 0..50_000 {
        encoder.write_all(line.as_bytes()).unwrap();
    }
    encoder.finish().unwrap();
    let compressed = fs::metadata(&path).unwrap().len();
    let (code, peak) = peak_memory(&["dedup".as_ref(), path.as_os_str()]);
    assert_eq!(code, 1);
    eprintln!("{compressed} bytes of gzip: peak {} MB", peak >> 20);
    // Reading stops at 100 times the file's size (at least 16 MiB): what
    // is held is a few times that, never the 200 MB inside.
    let read_at_most = (compressed * 100).max(16 << 20);
    assert!(peak < 4 * read_at_most + (64 << 20), "peak {peak}");
}
