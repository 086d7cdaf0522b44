//! The HTML report: one self-contained page (inline style, a few lines of
//! script, no external asset) that any browser opens. Stories as cards with
//! their members' similarity bars, sub-stories and a heat map of their
//! members' pairwise similarities; near-duplicate groups with the passages
//! each copy shares with its representative highlighted.
//!
//! Every piece of document text is escaped, so a document holding
//! `<script>` shows it as text. Text in a right-to-left script (Arabic,
//! Hebrew) is laid out right to left.

use super::{Report, StoryReport};
use crate::corpus::format_day;
use crate::pipeline::Analysis;
use crate::text::passages;
use std::io::{self, Write};
use std::ops::Range;

/// Members shown in a story's heat map.
const HEAT_MAP_MEMBERS: usize = 12;
/// Sub-stories shown on a story's card; the rest are counted.
const SUBSTORIES_SHOWN: usize = 10;
/// Members listed on a story's card; the rest are counted.
const MEMBERS_SHOWN: usize = 50;
/// Members listed on a sub-story's card: its story lists them all already.
const SUBSTORY_MEMBERS_SHOWN: usize = 10;
/// Stories shown as full cards (members, heat map, sub-stories); the rest
/// are listed one line each, so a large corpus still gives a page a
/// browser opens quickly.
const STORIES_IN_FULL: usize = 300;
/// Near-duplicate groups shown with their texts.
const GROUPS_WITH_TEXT: usize = 200;
/// Characters of a document's text shown in a group.
const TEXT_CHARS: usize = 4000;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `rtl` when most letters of the text belong to a right-to-left script.
pub fn direction(text: &str) -> &'static str {
    let (mut rtl, mut ltr) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        match c as u32 {
            0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF => rtl += 1,
            _ => ltr += 1,
        }
    }
    if rtl > ltr { "rtl" } else { "ltr" }
}

/// An element holding escaped text in its direction.
fn text_element(tag: &str, class: &str, text: &str) -> String {
    format!(
        "<{tag} class=\"{class}\" dir=\"{}\">{}</{tag}>",
        direction(text),
        escape(text)
    )
}

/// An id, isolated left to right: beside right-to-left text an id such as
/// `000_a81349` would otherwise be reordered by the bidirectional
/// algorithm (and read "a81349 · 000_").
fn id_element(id: &str) -> String {
    format!("<bdi class=\"id\" dir=\"ltr\">{}</bdi>", escape(id))
}

/// The text with the given byte ranges (sorted, disjoint) marked, cut to
/// [`TEXT_CHARS`] characters.
fn marked(text: &str, ranges: &[Range<usize>]) -> String {
    let end = text
        .char_indices()
        .nth(TEXT_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let mut out = String::new();
    let mut at = 0;
    for range in ranges.iter().filter(|r| r.start < end) {
        let stop = range.end.min(end);
        out.push_str(&escape(&text[at..range.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[range.start..stop]));
        out.push_str("</mark>");
        at = stop;
    }
    out.push_str(&escape(&text[at..end]));
    if end < text.len() {
        out.push('…');
    }
    out
}

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 1rem 2rem; }
header p { margin: .3rem 0 0; opacity: .8; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 2rem 3rem; }
h2 { margin-top: 2rem; }
.story, .group { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); padding: 1rem 1.25rem; margin: 1rem 0; }
.substory { border-left: 4px solid #4c78a8; margin: .75rem 0 .25rem; padding: .25rem 0 .25rem 1rem; }
.substory[dir=rtl], .substory .headline[dir=rtl] { border-left: none; }
.headline { margin: .2rem 0; font-size: 1.2rem; }
.meta { color: #5a6270; font-size: .9rem; margin: .2rem 0; }
.label { color: #4c78a8; margin: .2rem 0 .6rem; }
ol.members { list-style: none; padding: 0; margin: .4rem 0; }
ol.members li { display: flex; align-items: center; gap: .6rem; padding: .15rem 0; }
.bar { flex: 0 0 120px; height: 10px; background: #e3e6ea; border-radius: 5px; overflow: hidden; }
.bar span { display: block; height: 100%; background: #4c78a8; }
.score { font-variant-numeric: tabular-nums; flex: 0 0 5.5rem; white-space: nowrap; color: #5a6270; }
.title { flex: 1; }
.id, .tag { font-size: .8rem; color: #5a6270; }
.tag { background: #eef1f5; border-radius: 4px; padding: 0 .35rem; }
table.heat { border-collapse: collapse; margin: .6rem 0; font-size: .7rem; }
table.heat td { width: 2.1rem; height: 1.6rem; text-align: center; border: 1px solid #fff; }
table.heat th { font-weight: normal; color: #5a6270; padding: 0 .3rem; text-align: right; }
.legend { display: flex; align-items: center; gap: 2px; font-size: .7rem; color: #5a6270; margin: 0 0 .6rem; }
.legend span.h { width: 1.4rem; height: .8rem; display: inline-block; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; margin: .6rem 0; }
.doc { background: #fafbfc; border: 1px solid #e3e6ea; border-radius: 6px; padding: .6rem .8rem; white-space: pre-wrap; font-size: .9rem; line-height: 1.5; }
.doc h4 { margin: 0 0 .4rem; font-size: .85rem; color: #5a6270; white-space: normal; }
mark { background: #ffe58f; }
details summary { cursor: pointer; color: #4c78a8; }
"#;

/// Shades of the heat map: similarity 0–0.1 is `h0`, …, 0.9–1 is `h9`.
/// Classes rather than inline colours keep a large page small.
const HEAT_SHADES: usize = 10;

/// The CSS of the heat map's shades.
fn heat_style() -> String {
    (0..HEAT_SHADES)
        .map(|i| {
            let alpha = 0.08 + 0.92 * (i as f64 + 0.5) / HEAT_SHADES as f64;
            format!(".h{i} {{ background: rgba(76,120,168,{alpha:.2}); }}\n")
        })
        .collect()
}

/// The shade class of a similarity.
fn heat_class(similarity: f64) -> usize {
    ((similarity.clamp(0.0, 1.0) * HEAT_SHADES as f64) as usize).min(HEAT_SHADES - 1)
}

struct Page<'a> {
    report: &'a Report<'a>,
    analysis: &'a Analysis,
}

impl Page<'_> {
    /// The index of a reported document (the analysis keeps them by id).
    fn doc(&self, id: &str) -> usize {
        self.analysis
            .documents
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .expect("reported documents are in the analysis")
    }

    /// First and last day of the members' parsed times (UTC).
    fn date_range(&self, story: &StoryReport) -> Option<String> {
        let times = story
            .members
            .iter()
            .filter_map(|m| self.analysis.documents[self.doc(m.id)].time);
        let (first, last) = times.fold(None, |range, t| match range {
            None => Some((t, t)),
            Some((first, last)) => Some((t.min(first), t.max(last))),
        })?;
        let (first, last) = (format_day(first), format_day(last));
        Some(if first == last {
            first
        } else {
            format!("{first} – {last}")
        })
    }

    fn heat_map(&self, story: &StoryReport, out: &mut String) {
        let members: Vec<&str> = story
            .members
            .iter()
            .take(HEAT_MAP_MEMBERS)
            .map(|m| m.id)
            .collect();
        if members.len() < 2 {
            return;
        }
        let vectors = &self.analysis.vectors.vectors;
        out.push_str(&format!(
            "<p class=\"meta\">Cosine similarity between members, pair by pair (the first \
             {} in the list above, numbered as there); the list's score is each member's \
             similarity to the story as a whole.</p><table class=\"heat\"><tr><th></th>",
            members.len()
        ));
        for column in 1..=members.len() {
            out.push_str(&format!("<th scope=\"col\">{column}</th>"));
        }
        out.push_str("</tr>");
        for (row, a) in members.iter().enumerate() {
            out.push_str(&format!(
                "<tr><th scope=\"row\" title=\"{}\">{}</th>",
                escape(a),
                row + 1
            ));
            for b in &members {
                let s = vectors[self.doc(a)].dot(&vectors[self.doc(b)]) as f64;
                out.push_str(&format!("<td class=\"h{}\">{s:.2}</td>", heat_class(s)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table><p class=\"legend\">cosine 0");
        for shade in 0..HEAT_SHADES {
            out.push_str(&format!("<span class=\"h h{shade}\"></span>"));
        }
        out.push_str("1</p>");
    }

    /// Says how much of its story a sub-story holds; when it is most of
    /// it, names the few members outside it, which tell it apart.
    fn substory_note(story: &StoryReport, parent: &StoryReport, out: &mut String) {
        let outside: Vec<String> = parent
            .members
            .iter()
            .filter(|p| !story.members.iter().any(|m| m.id == p.id))
            .map(|p| id_element(p.id))
            .collect();
        let mostly = story.size * 4 >= parent.size * 3 && outside.len() <= SUBSTORY_MEMBERS_SHOWN;
        let all_but = if mostly && !outside.is_empty() {
            format!("; all but {}", outside.join(", "))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<p class=\"meta\">{} of the story&#39;s {} documents{all_but}</p>",
            story.size, parent.size
        ));
    }

    fn story(&self, story: &StoryReport, parent: Option<&StoryReport>, out: &mut String) {
        let sub = parent.is_some();
        out.push_str(&format!(
            "<article class=\"{}\" id=\"{}\">",
            if sub { "substory" } else { "story" },
            escape(&story.id)
        ));
        out.push_str(&text_element("h3", "headline", story.headline));
        let mut meta = format!(
            " · {} document{} · cohesion {:.2}",
            story.size,
            if story.size == 1 { "" } else { "s" },
            story.cohesion
        );
        if let Some(dates) = self.date_range(story) {
            meta.push_str(&format!(" · {dates}"));
        }
        if let Some(thread) = &story.thread {
            meta.push_str(&format!(" · thread {thread}"));
        }
        out.push_str(&format!(
            "<p class=\"meta\">{}{}</p>",
            id_element(&story.id),
            escape(&meta)
        ));
        out.push_str(&text_element("p", "label", &story.label.join(" · ")));
        let shown = match parent {
            Some(parent) => {
                Self::substory_note(story, parent, out);
                SUBSTORY_MEMBERS_SHOWN
            }
            None => MEMBERS_SHOWN,
        };
        out.push_str("<ol class=\"members\">");
        for (i, m) in story.members.iter().enumerate().take(shown) {
            out.push_str(&format!(
                "<li><span class=\"score\">{}. {:.2}</span><span class=\"bar\"><span style=\"width:{:.0}%\"></span></span>{}{}",
                i + 1,
                m.similarity,
                (m.similarity.clamp(0.0, 1.0) * 100.0),
                text_element("span", "title", m.title),
                id_element(m.id)
            ));
            if let Some(group) = &m.duplicate_group {
                out.push_str(&format!(
                    " <a class=\"tag\" href=\"#{0}\">{0}</a>",
                    escape(group)
                ));
            }
            out.push_str("</li>");
        }
        if story.members.len() > shown {
            out.push_str(&format!(
                "<li class=\"meta\">… and {} more, less central</li>",
                story.members.len() - shown
            ));
        }
        out.push_str("</ol>");
        if !sub {
            self.heat_map(story, out);
        }
        for substory in story.substories.iter().take(SUBSTORIES_SHOWN) {
            self.story(substory, Some(story), out);
        }
        if story.substories.len() > SUBSTORIES_SHOWN {
            out.push_str(&format!(
                "<p class=\"meta\">… and {} smaller sub-stories</p>",
                story.substories.len() - SUBSTORIES_SHOWN
            ));
        }
        out.push_str("</article>");
    }

    fn groups(&self, out: &mut String) {
        let docs = &self.analysis.documents;
        let groups = &self.report.duplicate_groups;
        if groups.is_empty() {
            out.push_str("<p>None.</p>");
            return;
        }
        if groups.len() > GROUPS_WITH_TEXT {
            out.push_str(&format!(
                "<p class=\"meta\">The first {GROUPS_WITH_TEXT} of {} groups are shown with their texts.</p>",
                groups.len()
            ));
        }
        for group in groups.iter().take(GROUPS_WITH_TEXT) {
            out.push_str(&format!(
                "<article class=\"group\" id=\"{}\"><h3>{} · {} documents{}</h3>",
                escape(&group.id),
                escape(&group.id),
                group.members.len(),
                group
                    .story
                    .as_deref()
                    .map(|s| format!(" · story <a href=\"#{0}\">{0}</a>", escape(s)))
                    .unwrap_or_default()
            ));
            let rep = &docs[self.doc(group.representative)];
            for m in group
                .members
                .iter()
                .filter(|m| m.id != group.representative)
            {
                let doc = &docs[self.doc(m.id)];
                let shared = passages::shared(&rep.body, &doc.body, passages::MIN_WORDS);
                let mut in_rep: Vec<Range<usize>> = shared.iter().map(|p| p.a.clone()).collect();
                let mut in_doc: Vec<Range<usize>> = shared.iter().map(|p| p.b.clone()).collect();
                in_rep.sort_by_key(|r| r.start);
                in_doc.sort_by_key(|r| r.start);
                in_doc.dedup_by(|later, earlier| later.start < earlier.end);
                out.push_str("<div class=\"pair\">");
                for (d, ranges, note) in [
                    (rep, &in_rep, "representative".to_owned()),
                    (doc, &in_doc, format!("Jaccard {:.4}", m.jaccard)),
                ] {
                    out.push_str(&format!(
                        "<div class=\"doc\" dir=\"{}\"><h4 dir=\"{}\">{} · {} · {}</h4>{}</div>",
                        direction(&d.body),
                        direction(&d.title),
                        escape(&d.title),
                        id_element(&d.id),
                        escape(&note),
                        marked(&d.body, ranges)
                    ));
                }
                out.push_str("</div>");
            }
            out.push_str("</article>");
        }
    }
}

/// Stories one line each (id, size when `sizes`, headline), folded under
/// `summary`.
fn story_list(summary: &str, stories: &[&StoryReport], sizes: bool, out: &mut String) {
    out.push_str(&format!(
        "<details><summary>{summary}</summary><ol class=\"members\">"
    ));
    for story in stories {
        let id = escape(&story.id);
        let size = if sizes {
            format!(" · {}", story.size)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<li id=\"{id}\">{}<span class=\"id\">{size}</span>{}</li>",
            id_element(&story.id),
            text_element("span", "title", story.headline)
        ));
    }
    out.push_str("</ol></details>");
}

/// Writes the page.
pub fn write(report: &Report, analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let page = Page { report, analysis };
    let s = &report.summary;
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"und\"><head><meta charset=\"utf-8\">");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    html.push_str("<title>story-cluster report</title><style>");
    html.push_str(STYLE);
    html.push_str(&heat_style());
    html.push_str("</style></head><body><header><h1>story-cluster report</h1>");
    html.push_str(&format!(
        "<p>{} documents · {} stories ({} with several documents) · {} near-duplicate groups · {} lines dropped as boilerplate · story threshold {} · near-duplicates at Jaccard ≥ {}</p></header><main>",
        s.documents,
        s.stories,
        s.multi_document_stories,
        s.duplicate_groups,
        s.boilerplate_lines_dropped,
        report.settings.story_threshold,
        report.settings.dup_threshold
    ));
    html.push_str("<section id=\"stories\"><h2>Stories</h2>");
    let (several, single): (Vec<&StoryReport>, Vec<&StoryReport>) =
        report.stories.iter().partition(|st| st.size > 1);
    for story in several.iter().take(STORIES_IN_FULL) {
        page.story(story, None, &mut html);
    }
    if several.len() > STORIES_IN_FULL {
        let summary = format!(
            "{} more stories of several documents, smallest last",
            several.len() - STORIES_IN_FULL
        );
        story_list(&summary, &several[STORIES_IN_FULL..], true, &mut html);
    }
    if !single.is_empty() {
        let summary = format!("{} single-document stories", single.len());
        story_list(&summary, &single, false, &mut html);
    }
    html.push_str("</section><section id=\"duplicates\"><h2>Near-duplicate groups</h2>");
    page.groups(&mut html);
    html.push_str("</section>");
    if !report.problems.is_empty() {
        html.push_str("<section id=\"problems\"><h2>Inputs skipped</h2><ul>");
        for problem in &report.problems {
            html.push_str(&format!("<li>{}</li>", escape(&problem.to_string())));
        }
        html.push_str("</ul></section>");
    }
    // Marks the page as rendered, and records script errors where a test
    // can read them.
    html.push_str(
        "</main><script>window.addEventListener('error',function(e){document.body.dataset.errors=(document.body.dataset.errors||'')+e.message+';'});document.body.dataset.ready='1';</script></body></html>\n",
    );
    out.write_all(html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn arabic_is_right_to_left() {
        assert_eq!(direction("بوتين التقى كيري (AP)"), "rtl");
        assert_eq!(direction("Putin met Kerry"), "ltr");
    }

    #[test]
    fn marks_ranges_and_escapes_around_them() {
        let text = "a <b> shared part c ok";
        let ranges = vec![6..17, 20..22];
        assert_eq!(
            marked(text, &ranges),
            "a &lt;b&gt; <mark>shared part</mark> c <mark>ok</mark>"
        );
    }
}
