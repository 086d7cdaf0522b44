//! The HTML report in a real browser: headless Chromium loads the report of
//! the seed fixtures, and the tests read back the DOM it built, its console
//! and a screenshot.
//!
//! Chromium is found as `$STORY_CLUSTER_CHROMIUM`, else `chromium`,
//! `chromium-browser` or `google-chrome` on `PATH`. Without one the tests say
//! so and pass, unless `STORY_CLUSTER_REQUIRE_BROWSER=1` (set by `.ci/run`,
//! which installs Debian's `chromium`), where a missing browser fails them.

mod common;

use common::{fixture, stdout_of, story_cluster};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one Chromium run may take before the test fails.
const BROWSER_DEADLINE: Duration = Duration::from_secs(120);

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("STORY_CLUSTER_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The browser, or `None` after saying why the test is skipped.
fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        let required = std::env::var("STORY_CLUSTER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "STORY_CLUSTER_REQUIRE_BROWSER=1 but no Chromium was found"
        );
        eprintln!("skipped: no Chromium found (set STORY_CLUSTER_CHROMIUM or install chromium)");
    }
    found
}

/// What one headless run produced.
struct Rendered {
    stdout: String,
    /// Lines the page wrote to its console (including uncaught errors).
    console: Vec<String>,
}

/// Loads `page` in headless Chromium with a fresh profile and `action`
/// (`--dump-dom`, `--screenshot=...`).
fn render(browser: &Path, page: &Path, action: &str) -> Rendered {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    // Drain both pipes on threads so a chatty browser cannot block on them.
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout_pipe, &mut text).map(|_| text)
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr_pipe, &mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_DEADLINE {
            child.kill().ok();
            panic!("Chromium did not finish {action} within {BROWSER_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap().expect("DOM is UTF-8");
    let stderr =
        String::from_utf8_lossy(stderr.join().unwrap().unwrap_or_default().as_bytes()).into_owned();
    assert!(status.success(), "Chromium failed: {status}\n{stderr}");
    let console = stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    Rendered { stdout, console }
}

/// Writes the `run` report of `input` in `format` to `out`.
fn report(input: &Path, format: &str, out: &Path) {
    let stdout = stdout_of(
        story_cluster()
            .arg("run")
            .arg(input)
            .args(["--format", format])
            .output(),
    );
    std::fs::write(out, stdout).unwrap();
}

/// Checks the page wrote nothing to its console: no uncaught error, no
/// blocked resource (the report must need no network).
fn assert_quiet_console(rendered: &Rendered) {
    assert!(
        rendered.console.is_empty(),
        "console: {:#?}",
        rendered.console
    );
}

/// Checks a dumped page ran its own script to the end, without errors.
fn assert_loaded_cleanly(rendered: &Rendered) {
    let dom = &rendered.stdout;
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not finish"
    );
    assert!(!dom.contains("data-errors"), "script errors in the page");
    assert_quiet_console(rendered);
}

#[test]
fn seeds_report_renders_its_stories_right_to_left() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (json_path, html_path) = (dir.path().join("r.json"), dir.path().join("r.html"));
    report(&fixture("seeds"), "json", &json_path);
    report(&fixture("seeds"), "html", &html_path);
    let analysis: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();

    let rendered = render(&browser, &html_path, "--dump-dom");
    assert_loaded_cleanly(&rendered);
    let dom = &rendered.stdout;

    // Every story of two or more members, and every sub-story, is on the
    // page under its headline, laid out right to left (the seeds are Arabic).
    let stories: Vec<&Value> = analysis["stories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|story| story["size"].as_u64().unwrap() >= 2)
        .collect();
    assert!(stories.len() >= 2, "{analysis}");
    let substories: Vec<&Value> = stories
        .iter()
        .flat_map(|story| story["substories"].as_array().into_iter().flatten())
        .collect();
    assert!(!substories.is_empty(), "no sub-story in {analysis}");
    for story in stories.iter().chain(&substories) {
        let headline = story["headline"].as_str().unwrap();
        // The DOM is serialised with `&`, `<` and `>` escaped.
        let escaped = headline
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let shown = format!("dir=\"rtl\">{escaped}<");
        assert!(dom.contains(&shown), "headline {headline} not shown RTL");
        let id = story["id"].as_str().unwrap();
        assert!(dom.contains(id), "story {id} missing");
        // Ids sit beside right-to-left text: each is isolated left to
        // right, so `000_a81349` is not reordered into "a81349 · 000_".
        for member in story["members"].as_array().unwrap() {
            let member = member["id"].as_str().unwrap();
            let isolated = format!("<bdi class=\"id\" dir=\"ltr\">{member}</bdi>");
            assert!(dom.contains(&isolated), "id {member} not isolated");
        }
        let isolated = format!("<bdi class=\"id\" dir=\"ltr\">{id}</bdi>");
        assert!(dom.contains(&isolated), "story id {id} not isolated");
    }
    // The heat map says what its numbers are, and has a legend.
    assert!(
        dom.contains("Cosine similarity between members"),
        "no heat map note"
    );
    assert!(dom.contains("class=\"legend\""), "no heat map legend");

    let shot = dir.path().join("shot.png");
    let rendered = render(
        &browser,
        &html_path,
        &format!("--screenshot={}", shot.display()),
    );
    assert_quiet_console(&rendered);
    assert_not_blank(&shot);
}

/// The screenshot has content: many colours, and a good share of its pixels
/// differ from the most common (background) colour.
fn assert_not_blank(png_path: &Path) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).expect("screenshot written"),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    for pixel in pixels[..info.buffer_size()].chunks_exact(channels) {
        *counts
            .entry(pixel[..3.min(channels)].to_vec())
            .or_insert(0usize) += 1;
    }
    let total = (info.width * info.height) as usize;
    let background = counts.values().copied().max().unwrap_or(0);
    assert!(info.width >= 800 && info.height >= 800, "{info:?}");
    assert!(counts.len() > 50, "only {} colours", counts.len());
    assert!(
        (total - background) * 20 > total,
        "{} of {total} pixels differ from the background",
        total - background
    );
}

#[test]
fn hostile_document_is_shown_as_text() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir(&input).unwrap();
    for entry in std::fs::read_dir(fixture("seeds")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), input.join(entry.file_name())).unwrap();
    }
    std::fs::write(
        input.join("hostile.txt"),
        "Breaking <script>document.title='pwned'</script> news \
         <img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> \
         about <b>unclosed <div><table> tags & <!-- things\n\n\
         The council met on Tuesday to discuss the budget and the roads.\n",
    )
    .unwrap();
    let html_path = dir.path().join("r.html");
    report(&input, "html", &html_path);

    let rendered = render(&browser, &html_path, "--dump-dom");
    assert_loaded_cleanly(&rendered);
    let dom = &rendered.stdout;
    let body_tag = &dom[dom.find("<body").unwrap()..];
    let body_tag = &body_tag[..body_tag.find('>').unwrap()];
    assert!(!body_tag.contains("data-pwned"), "an injected handler ran");
    assert!(dom.contains("<title>story-cluster report</title>"));
    // The markup came through as text: the browser serialises text nodes
    // with `<` escaped, so these are visible characters, not elements.
    for text in [
        "&lt;script&gt;document.title",
        "&lt;img src=x onerror=",
        "&lt;b&gt;unclosed &lt;div&gt;&lt;table&gt;",
    ] {
        assert!(dom.contains(text), "{text} not shown as text");
    }
    // The page's structure survived the unmatched tags: the seeds' stories
    // are still separate cards after the hostile document.
    assert!(dom.matches("class=\"story\"").count() >= 2);
}
