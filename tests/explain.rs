//! `story-cluster explain` on the seeds and their republished variants.

mod common;

use common::{fixture, run_json, stdout_of, story_cluster};
use serde_json::Value;

const ORIGINAL: &str = "003_cc514460ef7b10f2";
const VARIANT: &str = "003_cc514460ef7b10f2-arabnews";

fn explain_json(args: &[&str]) -> Value {
    let stdout = stdout_of(
        story_cluster()
            .arg("explain")
            .args(args)
            .args(["--format", "json"])
            .output(),
    );
    serde_json::from_slice(&stdout).expect("valid JSON")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_variant_and_its_original_share_passages_group_and_story() {
    let seeds = fixture("seeds");
    let variants = fixture("variants");
    let paths = [seeds.to_str().unwrap(), variants.to_str().unwrap()];
    let e = explain_json(&[ORIGINAL, VARIANT, paths[0], paths[1]]);
    assert_eq!(e["a"]["id"], ORIGINAL);
    assert_eq!(e["b"]["id"], VARIANT);
    assert_eq!(e["duplicate"]["same"], true, "{e}");
    assert_eq!(e["story"]["same"], true, "{e}");

    // The Jaccard is the one `run` reports for the variant in its group.
    let report = run_json(&paths);
    let reported = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == VARIANT)
        .unwrap();
    assert_eq!(e["jaccard"], reported["jaccard"]);

    // The shared passages are real text of both documents, longest first.
    let passages = e["passages"].as_array().unwrap();
    assert!(!passages.is_empty(), "{e}");
    let original =
        one_line(&std::fs::read_to_string(seeds.join(format!("{ORIGINAL}.txt"))).unwrap());
    let variant =
        one_line(&std::fs::read_to_string(variants.join(format!("{VARIANT}.txt"))).unwrap());
    let mut previous = usize::MAX;
    for p in passages {
        let words = p["words"].as_u64().unwrap() as usize;
        assert!(words >= 6 && words <= previous, "{p}");
        previous = words;
        assert!(original.contains(p["a"].as_str().unwrap().trim_end_matches('…')));
        assert!(variant.contains(p["b"].as_str().unwrap().trim_end_matches('…')));
    }

    // The text form says the same, passages included.
    story_cluster()
        .args(["explain", ORIGINAL, VARIANT, paths[0], paths[1]])
        .assert()
        .success()
        .stdout(predicates::str::contains("Near-duplicates: yes"))
        .stdout(predicates::str::contains("Longest shared passages:"));
}

#[test]
fn two_files_are_explained_on_their_own() {
    let a = fixture("seeds").join(format!("{ORIGINAL}.txt"));
    let b = fixture("variants").join(format!("{VARIANT}.txt"));
    let e = explain_json(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(e["duplicate"]["same"], true, "{e}");
    assert!(!e["passages"].as_array().unwrap().is_empty());
}

#[test]
fn different_stories_are_explained_as_such() {
    // The 2015 meeting and Kerry's 2016 visit: separate stories by the core
    // requirement, sharing no group.
    let seeds = fixture("seeds");
    let e = explain_json(&["000", "003", seeds.to_str().unwrap()]);
    assert_eq!(e["duplicate"]["same"], false);
    assert_eq!(e["story"]["same"], false);
    assert_ne!(e["a"]["story"], e["b"]["story"]);
    let reason = e["story"]["reason"].as_str().unwrap();
    assert!(reason.contains("different stories"), "{reason}");
    let cosine = e["cosine"].as_f64().unwrap();
    let shares: f64 = e["shared_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["contribution"].as_f64().unwrap())
        .sum();
    assert!(shares <= cosine + 1e-3, "{shares} > {cosine}");
}

#[test]
fn unknown_or_ambiguous_ids_are_usage_errors() {
    let seeds = fixture("seeds");
    let seeds = seeds.to_str().unwrap();
    story_cluster()
        .args(["explain", "000", "nope", seeds])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no document with id 'nope'"));
    story_cluster()
        .args(["explain", "00", "004", seeds])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("more than one document"));
    story_cluster()
        .args(["explain", "004", "004_7305daf2cccaf06c", seeds])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the same document"));
}

/// Two seed articles given dates days apart: `explain` shows the time
/// factor, and the similarity clustering used is the cosine times it; the
/// same articles undated have no factor.
#[test]
fn the_time_factor_is_shown_and_applied() {
    let dir = tempfile::TempDir::new().unwrap();
    let read =
        |name: &str| std::fs::read_to_string(fixture("seeds").join(format!("{name}.txt"))).unwrap();
    let line = |id: &str, date: Option<&str>| {
        let text = read(id);
        let mut doc = serde_json::json!({ "id": id, "text": text });
        if let Some(date) = date {
            doc["date"] = date.into();
        }
        doc.to_string()
    };
    let explain_with = |dates: [Option<&str>; 2]| {
        let path = dir.path().join("docs.jsonl");
        let lines = [
            line(ORIGINAL, dates[0]),
            line("004_7305daf2cccaf06c", dates[1]),
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        explain_json(&[ORIGINAL, "004_7305daf2cccaf06c", path.to_str().unwrap()])
    };
    let dated = explain_with([Some("2016-07-14"), Some("Mon, 18 Jul 2016 12:00:00 GMT")]);
    let factor = dated["time_factor"].as_f64().unwrap();
    assert!((dated["days_apart"].as_f64().unwrap() - 4.5).abs() < 1e-9);
    assert!(factor < 1.0 && factor > 0.3, "{dated}");
    let cosine = dated["cosine"].as_f64().unwrap();
    assert!((dated["similarity"].as_f64().unwrap() - cosine * factor).abs() < 1e-3);
    let undated = explain_with([None, None]);
    assert_eq!(undated["time_factor"].as_f64(), Some(1.0));
    assert!(undated.get("days_apart").is_none());
    assert_eq!(undated["cosine"], dated["cosine"]);
}

#[test]
fn texts_with_nothing_left_are_not_near_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "!!!\n\n?? ... ---\n").unwrap();
    std::fs::write(dir.path().join("b.txt"), "###\n\n*** ,,, ;;;\n").unwrap();
    let output = story_cluster()
        .args(["explain", "a", "b"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Near-duplicates: no"), "{text}");
    assert!(text.contains("Jaccard 0.0000 is below"), "{text}");
    assert!(!text.contains("reaches the threshold 0.8"), "{text}");
}
