//! Invariants of the whole pipeline, checked on real articles with
//! generated perturbations.

mod common;

use proptest::prelude::*;
use story_cluster::corpus::{ReadOptions, read_bytes};
use story_cluster::report::Report;
use story_cluster::{Config, analyse};

/// The report of JSON lines, without each document's line number (which
/// is where it was read, so of course it follows the order).
fn report_json(jsonl: &str) -> String {
    let corpus = read_bytes("input.jsonl", jsonl.as_bytes(), &ReadOptions::default());
    assert!(corpus.problems.is_empty(), "{:?}", corpus.problems);
    let analysis = analyse(corpus.documents, &Config::default());
    let mut report = serde_json::to_value(Report::new(&analysis, &corpus.problems)).unwrap();
    for doc in report["documents"].as_array_mut().unwrap() {
        doc.as_object_mut().unwrap().remove("origin");
    }
    report.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn clustering_is_independent_of_input_order(
        order in Just((0..9usize).collect::<Vec<_>>()).prop_shuffle()
    ) {
        let lines = common::fixture_lines(&["seeds", "variants"]);
        prop_assert_eq!(lines.len(), 9);
        let shuffled: Vec<&str> = order.iter().map(|&i| lines[i].as_str()).collect();
        prop_assert_eq!(report_json(&shuffled.join("\n")), report_json(&lines.join("\n")));
    }

    #[test]
    fn a_document_is_always_its_own_near_duplicate(text in "\\PC{1,400}") {
        let mut lines = common::fixture_lines(&["seeds"]);
        for id in ["copy-a", "copy-b"] {
            lines.push(serde_json::json!({"id": id, "text": text}).to_string());
        }
        let corpus = read_bytes("input.jsonl", lines.join("\n").as_bytes(), &ReadOptions::default());
        // Whitespace-only text is refused as empty, and text without a
        // letter or digit has nothing to compare.
        prop_assume!(corpus.problems.is_empty());
        prop_assume!(!story_cluster::text::normalize(&text).is_empty());
        let analysis = analyse(corpus.documents, &Config::default());
        let ids: Vec<&str> = analysis.documents.iter().map(|d| d.id.as_str()).collect();
        let (a, b) = (
            ids.iter().position(|&i| i == "copy-a").unwrap() as u32,
            ids.iter().position(|&i| i == "copy-b").unwrap() as u32,
        );
        let group = analysis
            .duplicates
            .groups
            .iter()
            .find(|g| g.members.iter().any(|m| m.0 == a))
            .expect("the copies form a group");
        prop_assert!(group.members.contains(&(a, 1.0)));
        prop_assert!(group.members.contains(&(b, 1.0)));
    }
}

proptest! {
    // Reading only: cheap enough for many cases.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_json_array_reads_as_its_json_lines(
        records in proptest::collection::vec(
            (
                "[a-z0-9]{1,8}",
                // Text with the characters that could confuse a reader
                // cutting an array at its commas: brackets, braces, commas,
                // quotes, backslashes, newlines, and any other character.
                "([\\[\\]{},\"\\\\\n ]|\\PC){1,60}",
                proptest::option::of("[\\[\\]{},\" a-z]{0,20}"),
            ),
            1..20,
        ),
        pretty in any::<bool>(),
    ) {
        let items: Vec<serde_json::Value> = records
            .iter()
            .enumerate()
            .map(|(i, (id, text, title))| {
                let mut item = serde_json::json!({"id": format!("{id}-{i}"), "text": text});
                if let Some(title) = title {
                    item["title"] = serde_json::Value::String(title.clone());
                }
                item
            })
            .collect();
        let lines: Vec<String> = items.iter().map(|item| item.to_string()).collect();
        let array = if pretty {
            serde_json::to_string_pretty(&items).unwrap()
        } else {
            serde_json::to_string(&items).unwrap()
        };
        let read = |text: &str| {
            let corpus = read_bytes("in", text.as_bytes(), &ReadOptions::default());
            let docs: Vec<(String, String, String)> = corpus
                .documents
                .into_iter()
                .map(|d| (d.id, d.title, d.body))
                .collect();
            let problems: Vec<String> = corpus.problems.iter().map(|p| p.message.clone()).collect();
            (docs, problems.len())
        };
        prop_assert_eq!(read(&array), read(&lines.join("\n")));
    }
}
