//! Site names at the end of titles: "Teen shot in Mosby Court - NBC12 -
//! WWBT - Richmond, VA News On Your Side", "… :: WRAL.com". Every article
//! of one site carries the same tail, so left in, it makes that site's
//! articles alike whatever they report, and its words weigh double as
//! title terms.
//!
//! A tail is what follows a separator (` - `, ` | `, ` :: `, ` – `, ` — `,
//! ` · `). It is a site's when at least [`MIN_TITLES`] titles end with it
//! after *different* heads: copies of one article share their whole title,
//! tail included, and that shared title is content, not a site's name.

use crate::sketch::hash::hash_str;

/// Fewest titles, with different heads, that must end with a tail for it
/// to count as a site's name.
pub const MIN_TITLES: usize = 3;

const SEPARATORS: [&str; 6] = [" - ", " | ", " :: ", " – ", " — ", " · "];

/// Byte offsets at which a separator starts in `title`, ascending.
fn separator_starts(title: &str) -> Vec<usize> {
    let mut starts: Vec<usize> = SEPARATORS
        .iter()
        .flat_map(|sep| title.match_indices(sep).map(|(i, _)| i))
        .filter(|&i| i > 0)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The tail of `title` after the separator at `start`.
fn tail_after(title: &str, start: usize) -> &str {
    let rest = &title[start..];
    let separator = SEPARATORS
        .iter()
        .find(|sep| rest.starts_with(*sep))
        .map_or(0, |sep| sep.len());
    rest[separator..].trim()
}

/// The `(tail, head)` hashes of every non-empty tail of `title` and the
/// head before it: what counting a site's name needs from one title.
pub(crate) fn tails_and_heads(title: &str) -> impl Iterator<Item = (u64, u64)> + '_ {
    separator_starts(title)
        .into_iter()
        .filter_map(move |start| {
            let tail = tail_after(title, start);
            (!tail.is_empty()).then(|| (hash_str(tail), hash_str(title[..start].trim())))
        })
}

/// The tails (hashes, sorted) that end at least [`MIN_TITLES`] titles after
/// different heads, given every title's [`tails_and_heads`].
pub(crate) fn site_tails(mut pairs: Vec<(u64, u64)>) -> Vec<u64> {
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|heads| heads.len() >= MIN_TITLES)
        .map(|heads| heads[0].0)
        .collect()
}

/// For each title, the length in bytes of what is kept: the title up to
/// the earliest separator whose tail is a site's name (see the module
/// docs), or the whole title.
pub fn kept_lengths(titles: &[&str]) -> Vec<usize> {
    let pairs = titles.iter().flat_map(|t| tails_and_heads(t)).collect();
    kept_lengths_known(titles, &site_tails(pairs))
}

/// [`kept_lengths`] with the site names (hashes, sorted) known already,
/// found among other titles or over a whole corpus by parts.
pub(crate) fn kept_lengths_known(titles: &[&str], site_tails: &[u64]) -> Vec<usize> {
    titles
        .iter()
        .map(|title| {
            separator_starts(title)
                .into_iter()
                .find(|&start| {
                    let tail = tail_after(title, start);
                    !tail.is_empty() && site_tails.binary_search(&hash_str(tail)).is_ok()
                })
                .unwrap_or(title.len())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept<'a>(titles: &[&'a str]) -> Vec<&'a str> {
        titles
            .iter()
            .zip(kept_lengths(titles))
            .map(|(t, n)| &t[..n])
            .collect()
    }

    #[test]
    fn a_tail_after_three_different_heads_is_dropped() {
        let titles = [
            "Teen shot in Mosby Court - NBC12 - WWBT - Richmond, VA",
            "Man held after standoff - NBC12 - WWBT - Richmond, VA",
            "Two hurt on Broad Street - NBC12 - WWBT - Richmond, VA",
            "Council votes on budget - Local news",
            "Quake hits Qeshm",
        ];
        assert_eq!(
            kept(&titles),
            [
                "Teen shot in Mosby Court",
                "Man held after standoff",
                "Two hurt on Broad Street",
                "Council votes on budget - Local news",
                "Quake hits Qeshm",
            ]
        );
    }

    #[test]
    fn copies_of_one_article_keep_their_title() {
        let title = "Putin meets Kerry - talks on Syria";
        let titles = [title, title, title, "Other news | Site"];
        assert_eq!(kept(&titles), titles);
    }

    #[test]
    fn a_title_that_is_only_a_separator_is_kept() {
        let titles = [" - ", "a - b", "c - b", "d - b", " - b"];
        assert_eq!(kept(&titles), [" - ", "a", "c", "d", " - b"]);
    }
}
