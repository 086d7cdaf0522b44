//! Plain text out of the HTML that feeds carry in their summaries and
//! content: tags dropped (block tags become line breaks), `script` and
//! `style` bodies dropped, character references decoded.

/// Tags that end a line of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "hr",
];

/// The text of an HTML fragment, one line per block.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_decoded(&rest[..open], &mut out);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            // An unmatched `<` is text.
            push_decoded(&rest[open..], &mut out);
            return tidy(&out);
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            // Skip to the matching end tag (or the end of the text).
            out.push(' ');
            let end = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&end) {
                Some(at) => rest[at..].split_once('>').map_or("", |(_, r)| r),
                None => "",
            };
        } else if BLOCK_TAGS.contains(&name.as_str()) {
            out.push('\n');
        } else {
            out.push(' ');
        }
    }
    push_decoded(rest, &mut out);
    tidy(&out)
}

/// Appends text with its character references (`&amp;`, `&#8217;`,
/// `&#x2019;`) decoded; unknown references stay as they are.
fn push_decoded(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name.strip_prefix('#').and_then(|number| {
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => number.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Trims each line and drops empty ones.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_blocks_break_lines() {
        assert_eq!(
            to_text("<p>Putin <b>met</b> Kerry.</p><p>Talks &amp; more&#8230;</p>"),
            "Putin met Kerry.\nTalks & more…"
        );
    }

    #[test]
    fn scripts_and_styles_are_dropped() {
        assert_eq!(
            to_text("a<script>alert('x')</script>b<STYLE>p{}</STYLE>c"),
            "a b c"
        );
    }

    #[test]
    fn stray_markup_is_text() {
        assert_eq!(to_text("1 < 2 &bogus; &#xZZ;"), "1 < 2 &bogus; &#xZZ;");
    }
}
