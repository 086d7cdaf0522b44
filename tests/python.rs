//! The Python package (`python/`, PyO3 built with maturin): its wheel is
//! built, installed into a scratch folder and its pytest tests and
//! doc-test run against the bundled fixtures. Needs `python3` with
//! `maturin`, `pytest` and `pyarrow` (`pip install maturin pytest
//! pyarrow`); without them the
//! test says so and passes, unless STORY_CLUSTER_REQUIRE_PYTHON=1 (as
//! `.ci/run` sets after installing them).

use std::path::Path;
use std::process::Command;

fn has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{command:?} failed:\n{text}");
    text
}

#[test]
fn python_package_passes_its_tests() {
    if !(has("maturin") && has("pytest") && has("pyarrow")) {
        assert!(
            std::env::var_os("STORY_CLUSTER_REQUIRE_PYTHON").is_none(),
            "STORY_CLUSTER_REQUIRE_PYTHON is set but python3 lacks maturin, pytest or pyarrow"
        );
        eprintln!(
            "skipped: python3 with maturin, pytest and pyarrow is needed \
             (pip install maturin pytest pyarrow)"
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().unwrap();
    let (wheels, site) = (scratch.path().join("wheels"), scratch.path().join("site"));
    // A target folder of its own (the one `cargo test` holds is locked),
    // which scripts/spark-dedup-check.sh builds the same wheel in.
    run(Command::new("python3")
        .args(["-m", "maturin", "build", "--release", "--quiet", "--out"])
        .arg(&wheels)
        .current_dir(root.join("python"))
        .env("CARGO_TARGET_DIR", root.join("target/python")));
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("a wheel");
    run(Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
        .arg(&site)
        .arg(&wheel));
    let said = run(Command::new("python3")
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--doctest-modules",
        ])
        .arg(root.join("python/tests"))
        .arg(site.join("story_cluster/__init__.py"))
        .env("PYTHONPATH", &site)
        .current_dir(scratch.path()));
    assert!(said.contains("8 passed"), "{said}");
}
