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
use rayon::prelude::*;

/// Fewest titles, with different heads, that must end with a tail for it
/// to count as a site's name.
pub const MIN_TITLES: usize = 3;

const SEPARATORS: [&str; 6] = [" - ", " | ", " :: ", " – ", " — ", " · "];

/// Byte offsets at which a separator starts in `title`, ascending, after
/// its first byte: where each separator's non-overlapping matches start
/// (`str::match_indices`), found in one pass over the spaces every
/// separator begins with.
fn separator_starts(title: &str) -> Vec<usize> {
    let bytes = title.as_bytes();
    // Where each separator may match next: matches of one separator do
    // not overlap.
    let mut free_from = [0usize; SEPARATORS.len()];
    let mut starts = Vec::new();
    for i in memchr::memchr_iter(b' ', bytes) {
        let mut found = false;
        for (free, separator) in free_from.iter_mut().zip(SEPARATORS) {
            if i >= *free && bytes[i..].starts_with(separator.as_bytes()) {
                *free = i + separator.len();
                found = true;
            }
        }
        if found && i > 0 {
            starts.push(i);
        }
    }
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
pub(crate) fn tails_and_heads(title: &str) -> Vec<(u64, u64)> {
    tails_and_heads_at(title, &separator_starts(title))
}

fn tails_and_heads_at(title: &str, starts: &[usize]) -> Vec<(u64, u64)> {
    starts
        .iter()
        .filter_map(|&start| {
            let tail = tail_after(title, start);
            (!tail.is_empty()).then(|| (hash_str(tail), hash_str(title[..start].trim())))
        })
        .collect()
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
    let starts: Vec<Vec<usize>> = titles.par_iter().map(|t| separator_starts(t)).collect();
    let pairs = titles
        .par_iter()
        .zip(&starts)
        .flat_map_iter(|(title, starts)| tails_and_heads_at(title, starts))
        .collect();
    let site_tails = site_tails(pairs);
    titles
        .par_iter()
        .zip(&starts)
        .map(|(title, starts)| kept_length_at(title, starts, &site_tails))
        .collect()
}

/// [`kept_lengths`] with the site names (hashes, sorted) known already,
/// found among other titles or over a whole corpus by parts.
pub(crate) fn kept_lengths_known(titles: &[&str], site_tails: &[u64]) -> Vec<usize> {
    titles
        .par_iter()
        .map(|title| kept_length_at(title, &separator_starts(title), site_tails))
        .collect()
}

fn kept_length_at(title: &str, starts: &[usize], site_tails: &[u64]) -> usize {
    starts
        .iter()
        .copied()
        .find(|&start| {
            let tail = tail_after(title, start);
            !tail.is_empty() && site_tails.binary_search(&hash_str(tail)).is_ok()
        })
        .unwrap_or(title.len())
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

    /// The definition [`separator_starts`] must keep: every separator's
    /// `match_indices`, merged.
    fn starts_by_match_indices(title: &str) -> Vec<usize> {
        let mut starts: Vec<usize> = SEPARATORS
            .iter()
            .flat_map(|sep| title.match_indices(sep).map(|(i, _)| i))
            .filter(|&i| i > 0)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    proptest::proptest! {
        #[test]
        fn one_pass_finds_what_match_indices_finds(title in "[ a:|\\-–—·]{0,24}") {
            proptest::prop_assert_eq!(separator_starts(&title), starts_by_match_indices(&title));
        }
    }
}
