//! `story-cluster dedup`: LSH recall against the exact search on a
//! generated corpus of real lines, the formats, and the deduplicated corpus.

mod common;

use common::*;
use predicates::prelude::*;
use std::collections::HashMap;
use story_cluster::{Config, PairSearch, deduplicate};

#[test]
fn lsh_finds_what_the_exact_search_finds_and_nothing_below_the_threshold() {
    let mut documents = synthetic::generated_documents(2500, 0.15, 42);
    documents.sort_by(|a, b| a.id.cmp(&b.id));
    let config = Config::default();
    let lsh = deduplicate(documents.clone(), &config, PairSearch::Lsh);
    let exact = deduplicate(documents, &config, PairSearch::Exact);

    // No reported pair, and no member's score, is invented below the threshold.
    assert!(lsh.duplicates.pairs.iter().all(|p| p.jaccard >= 0.8));
    // Recall: of all pairs at or above the threshold, the share LSH puts
    // in one group.
    let mut group_of = HashMap::new();
    for (g, group) in lsh.duplicates.groups.iter().enumerate() {
        for &(doc, _) in &group.members {
            group_of.insert(doc, g);
        }
    }
    let truth = &exact.duplicates.pairs;
    assert!(
        truth.len() > 200,
        "the corpus should hold many true pairs, has {}",
        truth.len()
    );
    let found = truth
        .iter()
        .filter(|p| {
            group_of
                .get(&p.a)
                .is_some_and(|g| group_of.get(&p.b) == Some(g))
        })
        .count();
    let recall = found as f64 / truth.len() as f64;
    assert!(
        recall >= 0.99,
        "recall {recall} ({found} of {})",
        truth.len()
    );
}

#[test]
fn tsv_rows_name_group_representative_and_jaccard() {
    let output = story_cluster()
        .arg("dedup")
        .arg(fixture("seeds"))
        .arg(fixture("variants"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("doc_id\tgroup\trepresentative\tjaccard"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 8);
    for row in &rows {
        assert_eq!(&row[0][..3], &row[2][..3], "{row:?}");
        let j: f64 = row[3].parse().unwrap();
        assert!((0.8..=1.0).contains(&j));
    }
    // The exact search agrees on the fixtures.
    story_cluster()
        .args(["dedup", "--exact"])
        .arg(fixture("seeds"))
        .arg(fixture("variants"))
        .assert()
        .success()
        .stdout(text);
}

#[test]
fn unique_corpus_keeps_one_per_group_as_asked() {
    let emit = |keep: &str| -> Vec<serde_json::Value> {
        let output = story_cluster()
            .args(["dedup", "--emit", "unique", "--keep", keep])
            .arg(fixture("seeds"))
            .arg(fixture("variants"))
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let ids = |docs: &[serde_json::Value]| -> Vec<String> {
        docs.iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = emit("first");
    assert_eq!(first.len(), 5);
    // Seeds come first on the command line, so they are kept.
    assert!(
        ids(&first).iter().all(|id| !id.contains('-')),
        "{:?}",
        ids(&first)
    );
    assert!(
        first
            .iter()
            .all(|d| d["text"].as_str().is_some_and(|t| !t.is_empty()))
    );
    let longest = emit("longest");
    // The republished copies carry an extra header and footer.
    assert_eq!(
        ids(&longest).iter().filter(|id| id.contains('-')).count(),
        4
    );
    assert_eq!(ids(&emit("earliest")), ids(&first));
    // The output reads back as input.
    let lines: Vec<String> = first.iter().map(|d| d.to_string()).collect();
    story_cluster()
        .args(["dedup", "-"])
        .write_stdin(lines.join("\n"))
        .assert()
        .success()
        .stdout("doc_id\tgroup\trepresentative\tjaccard\n");
}

#[test]
fn explain_prints_the_banding_and_s_curve() {
    story_cluster()
        .args(["dedup", "--explain", "--threshold", "0.8", "-f", "json"])
        .arg(fixture("seeds"))
        .assert()
        .success()
        .stderr(predicate::str::contains("21 bands × 6 rows"))
        .stderr(predicate::str::contains("J=0.8: 0.9983"))
        .stderr(predicate::str::contains("J=0.5: "))
        .stdout(predicate::str::contains(
            "\"schema\": \"story-cluster/dedup/v1\"",
        ));
}

#[test]
fn jsonl_rows_and_json_summary_agree() {
    let run = |format: &str| {
        story_cluster()
            .args(["dedup", "-f", format])
            .arg(fixture("seeds"))
            .arg(fixture("variants"))
            .output()
            .unwrap()
            .stdout
    };
    let rows = String::from_utf8(run("jsonl")).unwrap();
    assert_eq!(rows.lines().count(), 8);
    let report: serde_json::Value = serde_json::from_slice(&run("json")).unwrap();
    assert_eq!(report["summary"]["documents_in_groups"], 8);
    assert_eq!(report["summary"]["unique_documents"], 5);
    assert_eq!(report["settings"]["search"], "lsh");
}

#[test]
fn members_without_a_title_are_shown_by_their_first_line() {
    // The report of groups frees bodies as it goes; the headline stays.
    let line = "The kremlin said the president would receive the secretary of state \
                on thursday to discuss syria and ukraine talks";
    let input = format!(
        "{{\"id\":\"a\",\"text\":\"\\n{line}\\nIn Moscow.\"}}\n\
         {{\"id\":\"b\",\"text\":\"{line} today\"}}\n"
    );
    let output = story_cluster()
        .args(["dedup", "-f", "json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let members = &report["groups"][0]["members"];
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert_eq!(members[0]["title"], line);
    assert_eq!(members[1]["title"], format!("{line} today"));
}

#[test]
fn documents_without_letters_or_digits_pair_with_nothing() {
    let input = "{\"id\":\"a\",\"text\":\"!!!\"}\n{\"id\":\"b\",\"text\":\"?? --\"}\n";
    for extra in [None, Some("--exact")] {
        story_cluster()
            .arg("dedup")
            .args(extra)
            .arg("-")
            .write_stdin(input)
            .assert()
            .success()
            .stdout("doc_id\tgroup\trepresentative\tjaccard\n");
    }
}

#[test]
fn timings_name_every_stage_on_stderr_and_change_no_output() {
    let seeds = fixture("seeds");
    let plain = stdout_of(
        story_cluster()
            .args(["run", "-q", "-f", "tsv"])
            .arg(&seeds)
            .output(),
    );
    let output = story_cluster()
        .args(["run", "-q", "-f", "tsv", "--timings"])
        .arg(&seeds)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, plain);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let stages: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("story-cluster: time: "))
        .map(|l| l.split("  ").next().unwrap().trim())
        .collect();
    assert_eq!(
        stages,
        [
            "read",
            "prepare",
            "sign",
            "lsh candidates",
            "verify and group",
            "vectors",
            "story neighbours",
            "story linkage",
            "story labels",
            "threads",
            "report",
            "all stages"
        ],
        "{stderr}"
    );
    // Without the flag, nothing is timed aloud.
    let quiet = story_cluster()
        .args(["dedup", "-q"])
        .arg(&seeds)
        .output()
        .unwrap();
    assert!(!String::from_utf8(quiet.stderr).unwrap().contains("time:"));
}
