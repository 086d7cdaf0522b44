//! Parquet in and out (the `parquet` feature): a file written by pyarrow
//! with the column types other tools write is read like JSON lines, and
//! `dedup --emit unique -o clean.parquet` writes a file that reads back as
//! the same documents.
#![cfg(feature = "parquet")]

mod common;

use common::{fixture, stdout_of, story_cluster};
use std::collections::BTreeMap;

#[test]
fn a_pyarrow_file_is_read_row_by_row() {
    // fixtures/parquet/pyarrow-types.parquet (fixtures/make_parquet.py):
    // int64 ids, large_string texts (row 4 null), string_view titles, UTC
    // timestamps, snappy, two row groups, one column not read.
    let output = story_cluster()
        .args(["run", "-f", "json"])
        .arg(fixture("parquet/pyarrow-types.parquet"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("pyarrow-types.parquet:4: document '104' has no field `text`"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let documents = report["documents"].as_array().unwrap();
    let by_id: BTreeMap<&str, &serde_json::Value> = documents
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d))
        .collect();
    assert_eq!(
        by_id.keys().copied().collect::<Vec<_>>(),
        ["101", "102", "103", "105", "106"]
    );
    assert_eq!(by_id["101"]["date"], "2016-07-14T18:00:00");
    assert_eq!(by_id["102"]["title"], "Quake hits the coast");
    // The two quake reports are near-duplicates, the flood reports one
    // story, the council another.
    assert_eq!(
        by_id["101"]["duplicate_group"],
        by_id["102"]["duplicate_group"]
    );
    assert!(by_id["101"]["duplicate_group"].is_string());
    assert_eq!(by_id["105"]["story"], by_id["106"]["story"]);
    assert_ne!(by_id["103"]["story"], by_id["105"]["story"]);
    assert_ne!(by_id["103"]["story"], by_id["101"]["story"]);
}

#[test]
fn unique_documents_written_as_parquet_read_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (parquet, jsonl) = (
        dir.path().join("clean.parquet"),
        dir.path().join("clean.jsonl"),
    );
    for out in [&parquet, &jsonl] {
        story_cluster()
            .args(["dedup", "--emit", "unique", "-o"])
            .arg(out)
            .arg(fixture("seeds"))
            .arg(fixture("variants"))
            .arg(fixture("ecbplus-dev/docs"))
            .assert()
            .success();
    }
    let tsv = |path: &std::path::Path| {
        stdout_of(
            story_cluster()
                .args(["run", "-f", "tsv"])
                .arg(path)
                .output(),
        )
    };
    let from_parquet = tsv(&parquet);
    assert_eq!(from_parquet, tsv(&jsonl));
    // The copies are gone: 5 seeds and the ECB+ articles without theirs.
    assert!(from_parquet.split(|&b| b == b'\n').count() > 700);
    assert!(
        !String::from_utf8(from_parquet)
            .unwrap()
            .contains("-arabnews")
    );
}

#[test]
fn parquet_output_goes_with_unique_documents() {
    story_cluster()
        .args(["dedup", "-o", "groups.parquet"])
        .arg(fixture("seeds"))
        .assert()
        .code(2);
}
