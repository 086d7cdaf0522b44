//! Reading inputs: every kind of bad input gets one clear message naming
//! the file (and line), everything else is still processed, and the exit
//! codes are 0 (success), 1 (bad input) and 2 (usage).

mod common;

use common::*;
use predicates::prelude::*;
use std::fs;
use std::io::Write;
use tempfile::TempDir;

const ARTICLE: &str =
    "Quake hits the coast\n\nA strong earthquake struck the coast on Tuesday, officials said.\n";

/// A folder holding one good article, plus whatever `add` writes.
fn folder_with(add: impl FnOnce(&TempDir)) -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("good.txt"), ARTICLE).unwrap();
    add(&dir);
    dir
}

/// Runs `run --format tsv` on `paths` and checks the outcome: the exit
/// code, the documents kept (in id order), and a message on stderr
/// containing each of `messages`.
fn check(paths: &[&std::ffi::OsStr], code: i32, kept: &[&str], messages: &[&str]) {
    let output = story_cluster()
        .args(["run", "--format", "tsv"])
        .args(paths)
        .output()
        .unwrap();
    let err = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(ids(&String::from_utf8(output.stdout).unwrap()), kept);
    for message in messages {
        assert!(err.contains(message), "no '{message}' in: {err}");
    }
}

/// Runs `run -f tsv` with `args` on `dir`: the exit code, stdout, stderr.
fn run_tsv(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String, String) {
    let output = story_cluster()
        .args(["run", "-f", "tsv"])
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn ids(tsv: &str) -> Vec<&str> {
    tsv.lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap())
        .collect()
}

#[test]
fn invalid_utf8_is_reported_with_file_and_line() {
    let dir = folder_with(|d| {
        fs::write(
            d.path().join("bad.txt"),
            b"Title\nline two\nbroken \xff\xfe here\n",
        )
        .unwrap()
    });
    check(
        &[dir.path().as_os_str()],
        1,
        &["good"],
        &["bad.txt:3: invalid UTF-8"],
    );
}

#[test]
fn empty_and_binary_files_are_reported() {
    let dir = folder_with(|d| {
        fs::write(d.path().join("empty.txt"), b"  \n\n").unwrap();
        fs::write(d.path().join("zero.md"), b"").unwrap();
        fs::write(d.path().join("blob.txt"), b"PK\x03\x04\x00\x00\x10binary").unwrap();
    });
    check(
        &[dir.path().as_os_str()],
        1,
        &["good"],
        &[
            "empty.txt: empty file",
            "zero.md: empty file",
            "blob.txt:1: binary data",
        ],
    );
}

#[test]
fn malformed_json_lines_lose_only_themselves() {
    let dir = folder_with(|d| {
        fs::write(
            d.path().join("feed.jsonl"),
            concat!(
                "{\"id\":\"j1\",\"title\":\"Floods\",\"text\":\"Rivers burst their banks.\"}\n",
                "{\"id\":\"j2\",\"text\":\"unterminated\n",
                "{\"id\":\"j3\",\"text\":\"Another article about the floods.\"}\n",
                "{\"title\":\"no id\",\"text\":\"x\"}\n",
                "[1,2]\n",
            ),
        )
        .unwrap()
    });
    check(
        &[dir.path().as_os_str()],
        1,
        &["good", "j1", "j3"],
        &[
            "feed.jsonl:2: malformed JSON",
            "feed.jsonl:4: missing field `id`",
            "feed.jsonl:5: malformed JSON",
        ],
    );
}

#[test]
fn duplicate_ids_keep_the_first_and_name_both_places() {
    let dir = folder_with(|d| {
        fs::write(
            d.path().join("feed.jsonl"),
            "{\"id\":\"good\",\"text\":\"A second article claiming the same id.\"}\n",
        )
        .unwrap()
    });
    // Files are read in name order: feed.jsonl comes first and keeps the id.
    check(
        &[dir.path().as_os_str()],
        1,
        &["good"],
        &[
            "good.txt: duplicate id 'good' (first seen at",
            "feed.jsonl:1); skipped",
        ],
    );
}

#[test]
fn missing_and_unreadable_paths_are_reported() {
    let dir = folder_with(|d| {
        std::os::unix::fs::symlink(d.path().join("nowhere.txt"), d.path().join("dangling.txt"))
            .unwrap()
    });
    let missing = dir.path().join("no-such-folder");
    check(
        &[dir.path().as_os_str(), missing.as_os_str()],
        1,
        &["good"],
        &["dangling.txt: cannot read", "no-such-folder: cannot read"],
    );
}

#[test]
fn huge_documents_are_refused_not_loaded() {
    let dir = folder_with(|d| {
        fs::write(d.path().join("huge.txt"), "word ".repeat(1000)).unwrap();
    });
    let (code, stdout, err) = run_tsv(&["--max-document-bytes", "1000"], dir.path());
    assert_eq!(code, Some(1));
    assert!(err.contains("huge.txt: file too large"), "{err}");
    assert_eq!(ids(&stdout), ["good"]);
}

#[test]
fn hidden_files_and_other_kinds_are_skipped_with_a_note() {
    let dir = folder_with(|d| {
        fs::write(d.path().join(".draft.txt"), ARTICLE).unwrap();
        fs::write(d.path().join("photo.png"), b"\x89PNG").unwrap();
    });
    check(
        &[dir.path().as_os_str()],
        0,
        &["good"],
        &[
            ".draft.txt: hidden, skipped",
            "photo.png: not a kind of file this tool reads",
        ],
    );
}

#[test]
fn strict_stops_at_bad_input() {
    let dir = folder_with(|d| fs::write(d.path().join("empty.txt"), "").unwrap());
    story_cluster()
        .args(["run", "--strict"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("--strict"));
}

#[test]
fn no_documents_at_all_is_bad_input() {
    let dir = TempDir::new().unwrap();
    story_cluster()
        .arg("run")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no documents"));
}

#[test]
fn usage_errors_exit_2() {
    story_cluster().arg("run").assert().code(2);
    story_cluster()
        .args(["run", "--dup-threshold", "1.5", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("outside (0, 1]"));
    story_cluster()
        .args(["run", "--format", "yaml", "x"])
        .assert()
        .code(2);
    story_cluster().arg("frobnicate").assert().code(2);
}

#[test]
fn stdin_gzip_and_output_file() {
    // JSON lines on standard input.
    let line = "{\"id\":\"s1\",\"title\":\"T\",\"text\":\"Some text about a storm.\"}\n";
    story_cluster()
        .args(["run", "--format", "tsv", "-"])
        .write_stdin(line)
        .assert()
        .success()
        .stdout(predicate::str::contains("s1\tS1\t"));
    // Plain text on standard input is one document.
    story_cluster()
        .args(["run", "--format", "tsv", "-"])
        .write_stdin(ARTICLE)
        .assert()
        .success()
        .stdout(predicate::str::contains("stdin\tS1\t"));
    // Gzipped JSON lines, report written to a file.
    let dir = TempDir::new().unwrap();
    let gz = dir.path().join("feed.jsonl.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), Default::default());
    encoder.write_all(line.as_bytes()).unwrap();
    encoder.finish().unwrap();
    let out = dir.path().join("report.json");
    story_cluster()
        .args(["run", "--format", "json", "--output"])
        .arg(&out)
        .arg(&gz)
        .assert()
        .success()
        .stdout("");
    let report: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["documents"][0]["id"], "s1");
    assert_eq!(report["schema"], "story-cluster/report/v1");
}

#[test]
fn corrupt_gzip_is_reported() {
    let dir =
        folder_with(|d| fs::write(d.path().join("feed.jsonl.gz"), b"not gzip at all").unwrap());
    check(&[dir.path().as_os_str()], 1, &["good"], &["feed.jsonl.gz"]);
}

#[test]
fn text_and_jsonl_formats_cover_every_document() {
    let seeds = fixture("seeds");
    let text = story_cluster().arg("run").arg(&seeds).output().unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("5 documents · 2 stories"), "{text}");
    assert!(text.contains("Sub-story S1.1"), "{text}");
    let jsonl = story_cluster()
        .args(["run", "--format", "jsonl"])
        .arg(&seeds)
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(jsonl.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines
            .iter()
            .all(|l| l["story"].as_str().unwrap().starts_with('S'))
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("items.jsonl");
    let lines = [
        serde_json::json!({"id": "evil\u{1b}]0;pwned\u{7}\u{1b}[2J", "title": "Title\r\u{0}\u{1b}[31mred",
                           "text": "A strong earthquake struck the coast on Tuesday, officials said."}),
        serde_json::json!({"id": "plain", "title": "Quake",
                           "text": "A strong earthquake struck the coast on Tuesday, officials said."}),
    ];
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    fs::write(&path, text.join("\n")).unwrap();
    for format in ["text", "tsv"] {
        let output = story_cluster()
            .args(["run", "-f", format])
            .arg(&path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{format}");
        let printed = String::from_utf8(output.stdout).unwrap();
        assert!(
            !printed
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{format}: {printed:?}"
        );
        assert!(
            printed.contains("evil\\u{1b}]0;pwned"),
            "{format}: {printed}"
        );
    }
}

#[test]
fn absurd_sizes_are_refused_when_parsed_and_defaults_print_as_written() {
    story_cluster()
        .args(["run", "--max-document-bytes", "18446744073709551615"])
        .arg(fixture("seeds"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("outside 1..="));
    let help = story_cluster().args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("[default: 0.28]"), "{help}");
    assert!(!help.contains("0.2800000"), "{help}");
}

#[test]
fn a_closed_stderr_loses_notes_not_the_run() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = TempDir::new().unwrap();
    let report = out.path().join("report.tsv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_story-cluster"))
        .args(["run", "-f", "tsv", "-o"])
        .arg(&report)
        .arg("/nonexistent/input")
        .arg(fixture("seeds"))
        .stderr(std::process::Stdio::from(writer))
        .status()
        .unwrap();
    // Bad input (the missing path), not a panic (101).
    assert_eq!(status.code(), Some(1));
    assert_eq!(fs::read_to_string(&report).unwrap().lines().count(), 6);
}

#[cfg(unix)]
#[test]
fn links_back_into_a_folder_and_pipes_in_it_are_skipped_with_a_note() {
    let dir = folder_with(|dir| {
        fs::create_dir(dir.path().join("d")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("d/up")).unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("self")).unwrap();
        let fifo = dir.path().join("x.txt");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
    });
    let output = story_cluster()
        .args(["run", "-f", "tsv"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(ids(&stdout), ["good"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("up: a folder already read"), "{stderr}");
    assert!(stderr.contains("self: a folder already read"), "{stderr}");
    assert!(stderr.contains("x.txt: not a regular file"), "{stderr}");
}

#[test]
fn json_items_without_a_title_show_their_first_line() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("items.jsonl");
    fs::write(
        &path,
        "{\"id\": \"a\", \"text\": \"\\n  Quake hits the coast\\nA strong earthquake struck on Tuesday.\"}\n",
    )
    .unwrap();
    let output = story_cluster()
        .args(["run", "-f", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stories"][0]["headline"], "Quake hits the coast");
    assert_eq!(report["documents"][0]["title"], "Quake hits the coast");
}

#[test]
fn utf16_files_are_named_for_what_they_are() {
    let dir = folder_with(|dir| {
        let utf16 = |text: &str| -> Vec<u8> {
            "\u{feff}"
                .encode_utf16()
                .chain(text.encode_utf16())
                .flat_map(|u| u.to_le_bytes())
                .collect()
        };
        fs::write(dir.path().join("wide.txt"), utf16(ARTICLE)).unwrap();
        let lines = "{\"id\": \"1\", \"text\": \"quake\"}\n{\"id\": \"2\", \"text\": \"flood\"}\n";
        fs::write(dir.path().join("wide.jsonl"), utf16(lines)).unwrap();
    });
    let output = story_cluster()
        .args(["run", "-f", "tsv"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(ids(&String::from_utf8(output.stdout).unwrap()), ["good"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("UTF-16LE").count(), 2, "{stderr}");
    assert!(!stderr.contains("binary data"), "{stderr}");
}

#[test]
fn a_small_file_of_many_bad_lines_prints_a_few() {
    let dir = folder_with(|dir| {
        let mut lines = String::new();
        for _ in 0..5000 {
            lines.push_str("{\"id\": \"same\", \"text\": \"quake\"}\n");
        }
        for _ in 0..50 {
            lines.push_str("not json\n");
        }
        fs::write(dir.path().join("repeated.jsonl"), lines).unwrap();
    });
    let output = story_cluster()
        .args(["run", "-f", "tsv"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(errors.len(), 21, "{stderr}");
    assert!(
        errors[0].contains("repeated.jsonl:2: duplicate id 'same'"),
        "{stderr}"
    );
    assert!(
        errors[20].contains("and 5029 more problems in this file"),
        "{stderr}"
    );
}

#[test]
fn stdin_is_capped_per_document_not_as_a_whole() {
    // 600 JSON lines of about 90 bytes each: 54 KB on standard input, with
    // a document limit of 1,000 bytes, of which only the one long line
    // is over.
    let mut lines = String::new();
    for i in 0..600 {
        lines.push_str(&format!(
            "{{\"id\":\"d{i:03}\",\"text\":\"Report number {i} on the storm that hit the coast.\"}}\n"
        ));
    }
    lines.push_str(&format!(
        "{{\"id\":\"long\",\"text\":\"{}\"}}\n",
        "x".repeat(2000)
    ));
    let output = story_cluster()
        .args(["run", "-f", "tsv", "--max-document-bytes", "1000", "-"])
        .write_stdin(lines)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("-:601: longer than 1000 bytes"), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(ids(&stdout).len(), 600);
    // Plain text on standard input is still one document, held to the limit.
    let output = story_cluster()
        .args(["run", "-f", "tsv", "--max-document-bytes", "1000", "-"])
        .write_stdin("word ".repeat(300))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("too large for one document"), "{stderr}");
}

#[test]
fn a_json_array_is_read_item_by_item() {
    // One minified line: the array's items are held to the document limit
    // one at a time, and a bad item costs only itself.
    let mut items: Vec<String> = (0..300)
        .map(|i| {
            format!("{{\"id\":\"a{i:03}\",\"text\":\"Item {i} of the array, about floods.\"}}")
        })
        .collect();
    items[7] = format!("{{\"id\":\"big\",\"text\":\"{}\"}}", "y".repeat(5000));
    items[9] = "{\"id\":\"no text\"}".into();
    let array = format!("[{}]", items.join(","));
    let dir = folder_with(|d| fs::write(d.path().join("items.json"), array).unwrap());
    let (code, stdout, stderr) = run_tsv(&["--max-document-bytes", "1000"], dir.path());
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("items.json:1: item [7]: longer than 1000 bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("items.json:1: item [9]: "), "{stderr}");
    // 298 items and good.txt.
    assert_eq!(ids(&stdout).len(), 299);
}

#[test]
fn a_compression_bomb_is_cut_off() {
    // 40 MB of one repeated JSON line compress to about 100 KB: reading
    // stops at 100 times the file's size (or the 16 MiB document limit,
    // if larger), with one message; what was read before is kept.
    let dir = folder_with(|d| {
        let file = fs::File::create(d.path().join("bomb.jsonl.gz")).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        encoder
            .write_all(b"{\"id\":\"first\",\"text\":\"The first line is kept.\"}\n")
            .unwrap();
        let line = format!("{{\"id\":\"x\",\"text\":\"{}\"}}\n", "z".repeat(4000));
        for _ in 0..10_000 {
            encoder.write_all(line.as_bytes()).unwrap();
        }
        encoder.finish().unwrap();
    });
    let (code, stdout, stderr) = run_tsv(&[], dir.path());
    assert_eq!(code, Some(1));
    assert!(stderr.contains("decompresses to more than"), "{stderr}");
    assert!(stderr.lines().count() < 30, "{stderr}");
    assert_eq!(ids(&stdout), ["first", "good", "x"]);
}
