//! The terminal report: stories with their members and scores, sub-stories
//! indented under them, then the near-duplicate groups.

use super::{Report, StoryReport, printable};
use std::io::{self, Write};

/// Titles longer than this many characters are cut in member lines.
const TITLE_CHARS: usize = 90;

/// A title as printed: control characters escaped, cut to
/// [`TITLE_CHARS`].
fn short(title: &str) -> String {
    let title = printable(title);
    if title.chars().count() <= TITLE_CHARS {
        return title.into_owned();
    }
    let cut: String = title.chars().take(TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn write_story(story: &StoryReport, indent: &str, out: &mut dyn Write) -> io::Result<()> {
    let kind = if story.id.contains('.') {
        "Sub-story"
    } else {
        "Story"
    };
    let thread = story
        .thread
        .as_deref()
        .map(|t| format!(" · thread {t}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{indent}{kind} {} · {} · cohesion {:.2}{thread}",
        story.id,
        plural(story.size, "document", "documents"),
        story.cohesion
    )?;
    writeln!(out, "{indent}  headline: {}", short(story.headline))?;
    writeln!(
        out,
        "{indent}  label: {}",
        printable(&story.label.join(", "))
    )?;
    for m in &story.members {
        let group = m
            .duplicate_group
            .as_deref()
            .map(|g| format!("  [{g}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "{indent}  {:.2}  {}  {}{group}",
            m.similarity,
            printable(m.id),
            short(m.title)
        )?;
    }
    for sub in &story.substories {
        write_story(sub, &format!("{indent}    "), out)?;
    }
    Ok(())
}

/// Writes the text report; `top` limits the stories of several documents,
/// threads and near-duplicate groups listed (largest first), and folds
/// single-document stories into a count.
pub fn write(report: &Report, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let shown = top.unwrap_or(usize::MAX);
    let s = &report.summary;
    writeln!(
        out,
        "{} · {} ({} with several documents) · {} · {} dropped as boilerplate",
        plural(s.documents, "document", "documents"),
        plural(s.stories, "story", "stories"),
        s.multi_document_stories,
        plural(
            s.duplicate_groups,
            "near-duplicate group",
            "near-duplicate groups"
        ),
        plural(s.boilerplate_lines_dropped, "line", "lines"),
    )?;
    let settings = &report.settings;
    writeln!(
        out,
        "Thresholds in force: stories {:.4} (never below {:.4}), threads {:.4}, near-duplicates Jaccard {}",
        settings.story_threshold,
        settings.story_threshold / 2.0,
        settings.thread_threshold,
        settings.dup_threshold
    )?;
    let threads: Vec<_> = report
        .threads
        .iter()
        .filter(|t| t.stories.len() > 1)
        .collect();
    if !threads.is_empty() {
        writeln!(out)?;
        writeln!(out, "Threads of several stories: {}", threads.len())?;
        for thread in threads.iter().take(shown) {
            writeln!(
                out,
                "  {} · {} · {} · label: {} · {}",
                thread.id,
                plural(thread.stories.len(), "story", "stories"),
                plural(thread.size, "document", "documents"),
                printable(&thread.label.join(", ")),
                thread.stories.join(" ")
            )?;
        }
    }
    let (multi, single): (Vec<_>, Vec<_>) = report.stories.iter().partition(|s| s.size > 1);
    for story in multi.iter().take(shown) {
        writeln!(out)?;
        write_story(story, "", out)?;
    }
    if !single.is_empty() {
        writeln!(out)?;
        writeln!(out, "Single-document stories: {}", single.len())?;
        // Listed only when nothing is left out: a limited report counts them.
        for story in single.iter().filter(|_| top.is_none()) {
            let m = &story.members[0];
            writeln!(
                out,
                "  {}  {}  {}",
                story.id,
                printable(m.id),
                short(m.title)
            )?;
        }
    }
    if !report.duplicate_groups.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Near-duplicate groups (pairs verified at Jaccard ≥ {}; scores are Jaccard to the representative)",
            report.settings.dup_threshold
        )?;
        for group in report.duplicate_groups.iter().take(shown) {
            writeln!(
                out,
                "{} · {} · story {}",
                group.id,
                plural(group.members.len(), "document", "documents"),
                group.story.as_deref().unwrap_or("-")
            )?;
            for m in &group.members {
                let rep = if m.id == group.representative {
                    "  (representative)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  {:.4}  {}  {}{rep}",
                    m.jaccard,
                    printable(m.id),
                    short(m.title)
                )?;
            }
        }
    }
    if let Some(top) = top {
        let hidden = |count: usize| count.saturating_sub(top);
        let (stories, threads, groups) = (
            hidden(multi.len()),
            hidden(threads.len()),
            hidden(report.duplicate_groups.len()),
        );
        if stories + threads + groups + single.len() > 0 {
            writeln!(out)?;
            writeln!(
                out,
                "Shown: the {top} largest of each list. Not shown: {}, {}, {}, {} (--top 0 shows all)",
                plural(
                    stories,
                    "story of several documents",
                    "stories of several documents"
                ),
                plural(
                    single.len(),
                    "single-document story",
                    "single-document stories"
                ),
                plural(threads, "thread", "threads"),
                plural(groups, "near-duplicate group", "near-duplicate groups"),
            )?;
        }
    }
    Ok(())
}
