//! The persistent index through the CLI: decisions on republished copies,
//! and what survives a killed writer and two concurrent writers.
#![cfg(feature = "index")]

mod common;

use common::{fixture, stdout_of, story_cluster, synthetic};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn lines(output: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn index_cmd(db: &Path, args: &[&str]) -> Vec<Value> {
    lines(&stdout_of(
        story_cluster().args(args).arg("--db").arg(db).output(),
    ))
}

/// A generated corpus of `documents` articles from the bundled fixtures,
/// written as JSON lines; returns its path and ids.
fn generated(dir: &Path, documents: usize, seed: u64) -> (PathBuf, Vec<String>) {
    let docs = synthetic::generated_documents(documents, 0.1, seed);
    let path = dir.join(format!("generated-{seed}.jsonl"));
    synthetic::write_jsonl(&path, &docs);
    (path, docs.into_iter().map(|d| d.id).collect())
}

/// Ids stored in the index, after checking the file is sound.
fn stored_ids(db: &Path) -> BTreeSet<String> {
    let conn = Connection::open(db).expect("opens");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    let mut query = conn.prepare("SELECT id FROM items").expect("query");
    query
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("ids")
}

#[test]
fn republished_copies_are_duplicates_in_their_originals_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("index.db");
    let seeds = fixture("seeds");
    let added = index_cmd(&db, &["index", "add", seeds.to_str().unwrap()]);
    assert_eq!(added.len(), 5);
    assert!(added.iter().all(|d| d["status"] == "new"));
    let story_of = |id: &str| -> Value {
        added.iter().find(|d| d["id"] == id).expect("seed")["story"].clone()
    };

    let variants = fixture("variants");
    let checked = index_cmd(&db, &["check", variants.to_str().unwrap()]);
    assert_eq!(checked.len(), 4);
    for decision in &checked {
        let id = decision["id"].as_str().unwrap();
        let original = id.split('-').next().unwrap();
        assert_eq!(decision["status"], "duplicate", "{decision}");
        assert_eq!(decision["duplicate_of"], original, "{decision}");
        assert!(decision["jaccard"].as_f64().unwrap() >= 0.8, "{decision}");
        assert_eq!(decision["story"], story_of(original), "{decision}");
    }
    // `check` stored nothing: adding gives the same decisions.
    let added_variants = index_cmd(&db, &["index", "add", variants.to_str().unwrap()]);
    for (a, c) in added_variants.iter().zip(&checked) {
        assert_eq!(a["duplicate_of"], c["duplicate_of"]);
        assert_eq!(a["jaccard"], c["jaccard"]);
        assert_eq!(a["story"], c["story"]);
    }

    let unrelated = dir.path().join("football.txt");
    std::fs::write(
        &unrelated,
        "Arsenal beat Chelsea\n\nArsenal won two nil against Chelsea at the Emirates \
         stadium on Saturday, with goals in each half from the striker and the captain.",
    )
    .unwrap();
    let decision = &index_cmd(&db, &["check", unrelated.to_str().unwrap()])[0];
    assert_eq!(decision["status"], "new");
    assert_eq!(decision["duplicate_of"], Value::Null);
    assert_eq!(decision["story"], Value::Null);

    // Already stored ids are left alone.
    let again = index_cmd(&db, &["index", "add", seeds.to_str().unwrap()]);
    assert!(again.iter().all(|d| d["status"] == "exists"));
    let stats = &index_cmd(&db, &["index", "stats"])[0];
    assert_eq!(stats["items"], 9);
    assert_eq!(stats["duplicates"], 4);
}

#[test]
fn feeds_are_indexed_entry_by_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("index.db");
    let feed = dir.path().join("wire.rss");
    std::fs::write(
        &feed,
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><guid>w1</guid><title>Kerry in Moscow</title><pubDate>Thu, 14 Jul 2016 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Putin received Kerry in the Kremlin to discuss Syria and Ukraine.&lt;/p&gt;</description></item>
<item><guid>w2</guid><title>Kerry in Moscow</title>
<description>Putin received Kerry in the Kremlin to discuss Syria and Ukraine.</description></item>
</channel></rss>"#,
    )
    .unwrap();
    let added = index_cmd(&db, &["index", "add", feed.to_str().unwrap()]);
    assert_eq!(added.len(), 2);
    assert_eq!(added[0]["status"], "new");
    assert_eq!(added[1]["status"], "duplicate");
    assert_eq!(added[1]["duplicate_of"], "w1");
    let stories = index_cmd(&db, &["index", "stories"]);
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0]["first_date"], "2016-07-14");
}

#[test]
fn a_killed_add_keeps_every_acknowledged_item_and_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("index.db");
    let (corpus, ids) = generated(dir.path(), 1500, 7);
    let mut child = Command::new(env!("CARGO_BIN_EXE_story-cluster"))
        .args(["index", "add", "--batch", "10", "--db"])
        .arg(&db)
        .arg(&corpus)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut acknowledged = BTreeSet::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while acknowledged.len() < 100 {
        line.clear();
        if reader.read_line(&mut line).expect("reads") == 0 {
            break;
        }
        let decision: Value = serde_json::from_str(&line).expect("a whole JSON line");
        acknowledged.insert(decision["id"].as_str().unwrap().to_owned());
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert_eq!(
        acknowledged.len(),
        100,
        "killed before 100 acknowledgements"
    );

    let stored = stored_ids(&db);
    assert!(
        stored.len() < ids.len(),
        "killed after the end; make the input larger"
    );
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");

    // A rerun adds the rest and leaves what is stored.
    let rerun = index_cmd(&db, &["index", "add", corpus.to_str().unwrap()]);
    let exists = rerun.iter().filter(|d| d["status"] == "exists").count();
    assert_eq!(exists, stored.len());
    let all: BTreeSet<String> = ids.into_iter().collect();
    assert_eq!(stored_ids(&db), all);
}

/// Runs one `index add` per corpus into `db`, all at once, and checks each
/// succeeded (`what` names the attempt in a failure).
fn add_at_once(db: &Path, options: &[&str], corpora: &[&Path], what: &str) {
    let writers: Vec<_> = corpora
        .iter()
        .map(|corpus| {
            Command::new(env!("CARGO_BIN_EXE_story-cluster"))
                .args(["index", "add"])
                .args(options)
                .arg("--db")
                .arg(db)
                .arg(corpus)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts")
        })
        .collect();
    for writer in writers {
        let output = writer.wait_with_output().expect("finishes");
        assert!(
            output.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn two_writers_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("index.db");
    let (first, first_ids) = generated(dir.path(), 300, 11);
    let (second, second_ids) = generated(dir.path(), 300, 12);
    // Generated ids are numbered from one: make the two sets distinct.
    let second_renamed = dir.path().join("second.jsonl");
    let renamed: String = std::fs::read_to_string(&second)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let id = format!("b-{}", v["id"].as_str().unwrap());
            v["id"] = Value::String(id);
            format!("{v}\n")
        })
        .collect();
    std::fs::write(&second_renamed, renamed).unwrap();
    add_at_once(&db, &["--batch", "5"], &[&first, &second_renamed], "");
    let expected: BTreeSet<String> = first_ids
        .into_iter()
        .chain(second_ids.into_iter().map(|id| format!("b-{id}")))
        .collect();
    assert_eq!(stored_ids(&db), expected);
    // Every stored item's story exists and counts it.
    let conn = Connection::open(&db).unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM items WHERE story NOT IN (SELECT id FROM stories)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    let counted: i64 = conn
        .query_row("SELECT sum(items) FROM stories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(counted as usize, expected.len());
}

#[test]
fn two_writers_can_create_one_index_together() {
    // Both set the new file's journal mode: SQLite answers the second
    // "database is locked" at once, without waiting (18 of 100 rounds
    // failed before the mode was read first and the change retried).
    let dir = tempfile::tempdir().unwrap();
    for round in 0..20 {
        let db = dir.path().join(format!("index-{round}.db"));
        let corpora = [fixture("seeds"), fixture("variants")];
        add_at_once(
            &db,
            &[],
            &[&corpora[0], &corpora[1]],
            &format!("round {round}"),
        );
        assert_eq!(stored_ids(&db).len(), 9);
    }
}

/// TSV rows (header dropped) as the partitions of their story, group and
/// thread columns: a map from each id to the ids sharing its column value,
/// so that two runs compare whatever the names.
fn partitions(tsv: &[u8]) -> Vec<BTreeMap<String, BTreeSet<String>>> {
    let text = String::from_utf8_lossy(tsv);
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    rows.sort();
    (1..4)
        .map(|column| {
            let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for row in &rows {
                if !row[column].is_empty() {
                    members
                        .entry(row[column].clone())
                        .or_default()
                        .insert(row[0].clone());
                }
            }
            rows.iter()
                .map(|row| {
                    let together = members.get(&row[column]).cloned().unwrap_or_default();
                    (row[0].clone(), together)
                })
                .collect()
        })
        .collect()
}

fn index_tsv(db: &Path) -> Vec<u8> {
    stdout_of(
        story_cluster()
            .args(["index", "stories", "-f", "tsv", "--db"])
            .arg(db)
            .output(),
    )
}

#[test]
fn a_settled_index_holds_the_stories_of_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("index.db");
    // ECB+ topics with their republished copies: stories, groups and
    // threads all have something to say.
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for entry in std::fs::read_dir(fixture("ecbplus-dev").join("docs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if ["1_", "3_", "5_", "9_", "12_"]
            .iter()
            .any(|t| name.starts_with(t))
        {
            std::fs::copy(&path, corpus.join(&name)).unwrap();
        }
    }
    for variant in std::fs::read_dir(fixture("variants")).unwrap() {
        let path = variant.unwrap().path();
        std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
    }
    for seed in std::fs::read_dir(fixture("seeds")).unwrap() {
        let path = seed.unwrap().path();
        std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
    }
    let added = index_cmd(
        &db,
        &["index", "add", "--batch", "7", corpus.to_str().unwrap()],
    );
    assert!(added.len() > 100, "{} items", added.len());
    let batch = stdout_of(
        story_cluster()
            .args(["run", "-f", "tsv"])
            .arg(&corpus)
            .output(),
    );

    let summary = &index_cmd(&db, &["index", "settle"])[0];
    assert_eq!(summary["items"], added.len());
    let settled = index_tsv(&db);
    let (run, index) = (partitions(&batch), partitions(&settled));
    for (column, name) in ["story", "duplicate_group", "thread"].iter().enumerate() {
        assert_eq!(index[column], run[column], "{name} partitions differ");
    }
    assert!(
        run[1].values().any(|g| g.len() > 1),
        "the corpus holds near-duplicates"
    );

    // A settle that changes nothing keeps every id.
    let again = &index_cmd(&db, &["index", "settle"])[0];
    assert_eq!(again["moved"], 0);
    assert_eq!(again["new_stories"], 0);
    assert_eq!(index_tsv(&db), settled);
}

#[test]
fn seeds_fed_one_by_one_settle_into_the_reference_stories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("index.db");
    let seeds = fixture("seeds");
    index_cmd(
        &db,
        &["index", "add", "--batch", "1", seeds.to_str().unwrap()],
    );
    index_cmd(&db, &["index", "settle"]);
    let tsv = String::from_utf8(index_tsv(&db)).unwrap();
    let story: BTreeMap<&str, &str> = tsv
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split('\t');
            (&f.next().unwrap()[..3], f.next().unwrap())
        })
        .collect();
    assert_eq!(story["000"], story["001"]);
    assert_eq!(story["002"], story["003"]);
    assert_eq!(story["003"], story["004"]);
    assert_ne!(story["000"], story["002"]);
    // The story of a merged-away id still resolves, and stories now say
    // they are settled, with labels in the text's own spelling.
    let stories = index_cmd(&db, &["index", "stories"]);
    assert_eq!(stories.len(), 2);
    assert!(stories.iter().all(|s| s["settled"] == true));
    let labels: Vec<&str> = stories
        .iter()
        .flat_map(|s| s["label"].as_array().unwrap())
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(labels.contains(&"كيري"), "{labels:?}");
    // Kerry's visit is a tighter sub-story of the 2016 talks.
    let kerry = story["003"];
    let talks = &index_cmd(&db, &["index", "story", kerry])[0];
    let subs: Vec<Vec<&str>> = talks["substories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|i| &i.as_str().unwrap()[..3])
                .collect()
        })
        .collect();
    assert_eq!(subs, vec![vec!["003", "004"]], "{talks}");

    // Split the 2015 pair by hand, as a provisional decision could have:
    // the next settle merges it back, and the id merged away resolves.
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(
        "INSERT INTO stories(headline, items, unique_items, centroid) VALUES ('', 1, 1, '[]');
         UPDATE items SET story = last_insert_rowid(), settled = 0 WHERE id LIKE '001%';",
    )
    .unwrap();
    let split: i64 = conn
        .query_row("SELECT max(id) FROM stories", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let summary = &index_cmd(&db, &["index", "settle"])[0];
    assert_eq!(summary["merged_stories"], 1, "{summary}");
    assert_eq!(summary["moved"], 1, "{summary}");
    let merged = &index_cmd(&db, &["index", "story", &format!("S{split}")])[0];
    assert_eq!(merged["id"], story["000"], "{merged}");
    assert_eq!(String::from_utf8(index_tsv(&db)).unwrap(), tsv);
}

#[test]
fn commands_that_read_refuse_a_missing_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("typo.db");
    let seeds = fixture("seeds");
    for args in [
        vec!["check", seeds.to_str().unwrap()],
        vec!["index", "stats"],
        vec!["index", "stories"],
        vec!["index", "settle"],
        vec!["index", "remove", "x"],
        vec!["serve", "--addr", "127.0.0.1:0"],
    ] {
        let output = story_cluster()
            .args(&args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("typo.db") && stderr.contains("no index"),
            "{stderr}"
        );
        assert!(!db.exists(), "{args:?} created the index");
    }
}
