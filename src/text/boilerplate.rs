//! Boilerplate lines: share and subscribe lines, photo credits, "Published
//! On …", related-story lists — lines that recur across many *different*
//! articles of one input.
//!
//! Counting documents alone is not enough: three republished copies of one
//! article share all their lines, and dropping those would erase the very
//! copies we want to find. So a line is boilerplate when at least
//! `max(min_articles, min_share × documents)` documents hold it and as many
//! of them, up to [`MAX_ARTICLES_NEEDED`], are different articles: their
//! bodies' MinHash estimates, pairwise, fall below `same_article`. Those
//! are picked greedily in corpus order (a body unlike every one picked so
//! far is a new article), which is deterministic and stops as soon as the
//! count is reached.
//! A document made only of boilerplate keeps all its lines.

use crate::sketch::MinHasher;
use crate::sketch::hash::hash_str;
use crate::sketch::minhash::estimate_jaccard;
use rayon::prelude::*;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// When a recurring line counts as boilerplate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Fewest different articles a boilerplate line appears in.
    pub min_articles: usize,
    /// Fewest documents holding it as a share of all documents (for large
    /// inputs); as many of them must be different articles, up to
    /// [`MAX_ARTICLES_NEEDED`].
    pub min_share: f64,
    /// Estimated Jaccard similarity at which two bodies count as one article.
    pub same_article: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_articles: 3,
            min_share: 0.001,
            same_article: 0.5,
        }
    }
}

/// Which body lines to drop.
#[derive(Clone, Debug, Default)]
pub struct Kept {
    /// Per document, the sorted indices of dropped lines.
    dropped_lines: PerDocument<u32>,
    /// Total lines dropped.
    pub dropped: usize,
    /// Hashes of the boilerplate lines found, sorted: what a later
    /// document may be stripped of with [`drop_known`].
    pub lines: Vec<u64>,
}

impl Kept {
    /// Whether any line of document `doc` is dropped.
    pub fn drops_any(&self, doc: usize) -> bool {
        !self.dropped_lines.of(doc).is_empty()
    }

    /// Whether line `line` of document `doc` is kept.
    pub fn keeps(&self, doc: usize, line: usize) -> bool {
        self.dropped_lines
            .of(doc)
            .binary_search(&(line as u32))
            .is_err()
    }
}

/// A list of items per document, kept as made: in chunks of
/// [`PerDocument::CHUNK`] documents, each chunk's items in one vector and
/// document `d`'s items ending at `ends[d % CHUNK]` of its chunk. A vector
/// per document would add a 24-byte header each, most of them for an empty
/// list; one vector for all would be a copy of the chunks, held beside
/// them while it is made (a million generated documents: 80 MB of line
/// hashes twice at the peak of `dedup`).
#[derive(Clone, Debug)]
struct PerDocument<T> {
    chunks: Vec<ItemChunk<T>>,
    /// Items in all chunks.
    len: usize,
}

/// The items of [`PerDocument::CHUNK`] consecutive documents.
#[derive(Clone, Debug)]
struct ItemChunk<T> {
    /// Where each document's items end in `items`.
    ends: Vec<usize>,
    items: Vec<T>,
}

impl<T> Default for PerDocument<T> {
    fn default() -> Self {
        PerDocument {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Send + Sync> PerDocument<T> {
    /// Documents whose items are made together, on one thread.
    const CHUNK: usize = 4096;

    /// The lists of `documents` documents, `fill(doc, out)` appending
    /// document `doc`'s to `out`; made in parallel, a chunk of documents
    /// at a time.
    fn build(documents: usize, fill: impl Fn(usize, &mut Vec<T>) + Sync) -> Self {
        let chunks: Vec<ItemChunk<T>> = (0..documents.div_ceil(Self::CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let docs = chunk * Self::CHUNK..documents.min((chunk + 1) * Self::CHUNK);
                let mut ends = Vec::with_capacity(docs.len());
                let mut items = Vec::new();
                for doc in docs {
                    fill(doc, &mut items);
                    ends.push(items.len());
                }
                // The slack of the vector's doubling, given back in place.
                items.shrink_to_fit();
                ItemChunk { ends, items }
            })
            .collect();
        let len = chunks.iter().map(|chunk| chunk.items.len()).sum();
        PerDocument { chunks, len }
    }

    /// How many documents have lists (all the documents it was built for).
    fn documents(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.ends.len()).sum()
    }

    /// Every item of every document, in parallel.
    fn par_items(&self) -> impl ParallelIterator<Item = &T> {
        self.chunks
            .par_iter()
            .flat_map_iter(|chunk| chunk.items.iter())
    }

    /// Document `doc`'s items (none for a document not listed).
    fn of(&self, doc: usize) -> &[T] {
        let Some(chunk) = self.chunks.get(doc / Self::CHUNK) else {
            return &[];
        };
        let at = doc % Self::CHUNK;
        match chunk.ends.get(at) {
            Some(&end) => {
                let start = if at == 0 { 0 } else { chunk.ends[at - 1] };
                &chunk.items[start..end]
            }
            None => &[],
        }
    }
}

/// The lines of a body (none in an empty one), as `split('\n')` gives
/// them: found by `memchr` (Reuters-21578's 15 MB of bodies, one thread:
/// 1.3 ms against 6.5 ms split by the character).
fn lines(body: &str) -> impl Iterator<Item = &str> {
    let mut rest = (!body.is_empty()).then_some(body);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memchr(b'\n', text.as_bytes()) {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Different articles that always suffice, once enough documents hold a
/// line: the greedy test compares each new article with every one kept, so
/// its cost grows with the square of the articles needed (at a million
/// documents, 1,000 a line took a third of the time spent preparing). They
/// stop growing with the corpus at 200,000 documents, so smaller corpora
/// find the same lines as before the cap; generated corpora of 200,000 and
/// a million documents found the same lines with it as without.
pub const MAX_ARTICLES_NEEDED: usize = 200;

/// What makes a line boilerplate in a corpus of a given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needed {
    /// Fewest documents holding the line.
    pub documents: usize,
    /// Fewest different articles among them.
    pub articles: usize,
}

impl Needed {
    /// What makes a line boilerplate in a corpus of `documents`.
    pub fn in_corpus(documents: usize, options: &Options) -> Needed {
        let holders = options
            .min_articles
            .max((options.min_share * documents as f64).ceil() as usize)
            .max(2);
        Needed {
            documents: holders,
            articles: holders.min(MAX_ARTICLES_NEEDED.max(options.min_articles)),
        }
    }
}

/// The MinHash signature of a body that tells different articles apart
/// (lines joined by spaces).
pub fn body_signature(body: &str) -> Vec<u32> {
    MinHasher::new(5, 128).sign(&body.replace('\n', " "))
}

/// Whether the bodies holding one line, by their [`body_signature`]s in
/// corpus order, include `min_articles` different articles. Walking them
/// in order and keeping those unlike every one kept so far settles most
/// lines within a few dozen documents, so bodies need signing only when
/// first compared.
pub fn in_enough_articles<'a>(
    signatures: impl IntoIterator<Item = &'a [u32]>,
    min_articles: usize,
    options: &Options,
) -> bool {
    let mut articles: Vec<&[u32]> = Vec::with_capacity(min_articles);
    for body in signatures {
        if articles
            .iter()
            .all(|seen| estimate_jaccard(seen, body) < options.same_article)
        {
            articles.push(body);
            if articles.len() >= min_articles {
                return true;
            }
        }
    }
    false
}

/// The hashes of a body's lines, in order.
pub fn line_hashes(body: &str) -> Vec<u64> {
    lines(body).map(hash_str).collect()
}

/// Finds the boilerplate lines among normalised document bodies, each a
/// string of lines separated by `\n`.
pub fn find(bodies: &[&str], options: &Options) -> Kept {
    let n = bodies.len();
    let needed = Needed::in_corpus(n, options);
    let line_hashes = hash_lines(bodies);

    // Lines in enough documents to be boilerplate candidates. Counting every
    // line into a table of counters first (a counter may hold several lines,
    // so it never undercounts) leaves out most lines before any sorting.
    let total_lines = line_hashes.len;
    let bits = total_lines
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(10, 22);
    let counter_of = |h: u64| (h >> (64 - bits)) as usize;
    let counters: Vec<AtomicU32> = (0..1usize << bits).map(|_| AtomicU32::new(0)).collect();
    line_hashes.par_items().for_each(|&h| {
        counters[counter_of(h)].fetch_add(1, Ordering::Relaxed);
    });
    let frequent =
        |h: u64| counters[counter_of(h)].load(Ordering::Relaxed) as usize >= needed.documents;
    let mut occurrences: Vec<(u64, u32)> = (0..n)
        .into_par_iter()
        .map(|doc| (doc, line_hashes.of(doc)))
        .flat_map_iter(|(doc, hashes)| {
            let mut unique: Vec<u64> = hashes.iter().copied().filter(|&h| frequent(h)).collect();
            unique.sort_unstable();
            unique.dedup();
            unique.into_iter().map(move |h| (h, doc as u32))
        })
        .collect();
    occurrences.par_sort_unstable();
    let candidates: Vec<&[(u64, u32)]> = occurrences
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() >= needed.documents)
        .collect();
    if candidates.is_empty() {
        return Kept::default();
    }

    // A line is boilerplate once `needed.articles` of its documents are
    // pairwise different articles; bodies are signed when first compared.
    // Slots for the documents of candidate lines only (a slot for every
    // document cost 32 MB at a million).
    let mut compared: Vec<u32> = candidates
        .iter()
        .flat_map(|run| run.iter().map(|&(_, doc)| doc))
        .collect();
    compared.par_sort_unstable();
    compared.dedup();
    let signatures: Vec<OnceLock<Vec<u32>>> = compared.iter().map(|_| OnceLock::new()).collect();
    let signature = |doc: u32| -> &[u32] {
        let slot = compared
            .binary_search(&doc)
            .expect("a document of a candidate line");
        signatures[slot].get_or_init(|| body_signature(bodies[doc as usize]))
    };
    let mut lines: Vec<u64> = candidates
        .par_iter()
        .filter(|run| {
            in_enough_articles(
                run.iter().map(|&(_, doc)| signature(doc)),
                needed.articles,
                options,
            )
        })
        .map(|run| run[0].0)
        .collect();
    lines.sort_unstable();
    dropping(&line_hashes, lines)
}

/// Drops the lines of `bodies` whose hashes are in `known` (sorted):
/// boilerplate found before among other documents (the index learns it at
/// each settle and strips it from each new item).
pub fn drop_known(bodies: &[&str], known: &[u64]) -> Kept {
    if known.is_empty() {
        return Kept::default();
    }
    let line_hashes = hash_lines(bodies);
    let mut kept = dropping(&line_hashes, known.to_vec());
    kept.lines.clear();
    kept
}

fn hash_lines(bodies: &[&str]) -> PerDocument<u64> {
    PerDocument::build(bodies.len(), |doc, out| {
        out.extend(lines(bodies[doc]).map(hash_str));
    })
}

/// Drops the lines whose hashes are in `lines` (sorted), never every line
/// of a document: all-boilerplate text is still its text.
fn dropping(line_hashes: &PerDocument<u64>, lines: Vec<u64>) -> Kept {
    let documents = line_hashes.documents();
    let dropped_lines = PerDocument::build(documents, |doc, out| {
        let hashes = line_hashes.of(doc);
        let before = out.len();
        out.extend(
            (0..hashes.len() as u32).filter(|&j| lines.binary_search(&hashes[j as usize]).is_ok()),
        );
        if out.len() - before == hashes.len() {
            out.truncate(before);
        }
    });
    Kept {
        dropped: dropped_lines.len,
        dropped_lines,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_document_lists_cross_chunks() {
        let documents = 2 * PerDocument::<u32>::CHUNK + 5;
        let lists = PerDocument::build(documents, |doc, out| {
            out.extend(std::iter::repeat_n(doc as u32, doc % 3));
        });
        for doc in 0..documents {
            assert_eq!(lists.of(doc), vec![doc as u32; doc % 3].as_slice(), "{doc}");
        }
        assert!(lists.of(documents).is_empty());
        assert_eq!(lists.documents(), documents);
        assert_eq!(lists.len, (0..documents).map(|d| d % 3).sum::<usize>());
        assert_eq!(lists.par_items().count(), lists.len);
    }

    fn lines(text: &str) -> String {
        text.to_owned()
    }

    /// A distinct article per seed: its words come from a seeded generator.
    fn article(seed: u64) -> String {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut word = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            format!("w{}", state % 5000)
        };
        (0..6)
            .map(|_| (0..12).map(|_| word()).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn drops_lines_shared_by_different_articles() {
        let docs: Vec<String> = (1..=4)
            .map(|seed| {
                lines(&format!(
                    "subscribe to our newsletter\n{}\nshare this story",
                    article(seed)
                ))
            })
            .collect();
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let kept = find(&refs, &Options::default());
        assert_eq!(kept.dropped, 8);
        assert!(!kept.keeps(0, 0));
        assert!(kept.keeps(0, 1));
        assert!(!kept.keeps(3, 7));
    }

    #[test]
    fn copies_of_one_article_keep_their_lines() {
        let body = article(7);
        let docs: Vec<String> = (0..5).map(|_| lines(&body)).collect();
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        assert_eq!(find(&refs, &Options::default()).dropped, 0);
    }

    #[test]
    fn articles_needed_stop_growing_but_documents_do_not() {
        let options = Options::default();
        // Reuters-21578's size: as many different articles as documents.
        let small = Needed::in_corpus(19_043, &options);
        assert_eq!((small.documents, small.articles), (20, 20));
        let large = Needed::in_corpus(1_000_000, &options);
        assert_eq!(
            (large.documents, large.articles),
            (1000, MAX_ARTICLES_NEEDED)
        );
        // The cap never lowers what the options ask for.
        let strict = Options {
            min_articles: 300,
            ..options
        };
        let large = Needed::in_corpus(1_000_000, &strict);
        assert_eq!((large.documents, large.articles), (1000, 300));
    }

    /// A line held by `copies` copies of one article and by `others`
    /// different articles, among `filler` articles without it; whether
    /// [`find`] drops it when half the documents must hold it.
    fn dropped_at_half_share(copies: u64, others: u64, filler: u64) -> bool {
        let line = "follow us for more";
        let mut docs: Vec<String> = (0..copies)
            .map(|_| format!("{}\n{line}", article(1)))
            .collect();
        docs.extend((2..2 + others).map(|seed| format!("{}\n{line}", article(seed))));
        docs.extend((0..filler).map(|seed| article(10_000 + seed)));
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let options = Options {
            min_share: 0.5,
            ..Options::default()
        };
        let needed = Needed::in_corpus(refs.len(), &options);
        assert!(needed.documents > MAX_ARTICLES_NEEDED);
        find(&refs, &options).dropped > 0
    }

    #[test]
    fn enough_different_articles_among_enough_documents_make_boilerplate() {
        // 560 documents: 280 must hold the line, 200 of them different
        // articles (the copies of one article count once).
        assert!(dropped_at_half_share(81, 199, 280));
        assert!(!dropped_at_half_share(82, 198, 280));
        // Different articles enough, documents too few.
        assert!(!dropped_at_half_share(0, 279, 281));
    }

    proptest::proptest! {
        /// Lines are what splitting at each newline gives.
        #[test]
        fn lines_are_the_newline_split(body in "[a\n é]{0,40}") {
            let split: Vec<&str> = body.split('\n').filter(|_| !body.is_empty()).collect();
            proptest::prop_assert_eq!(super::lines(&body).collect::<Vec<_>>(), split);
        }
    }

    #[test]
    fn rare_lines_are_kept() {
        let docs = [lines("only here\nand here"), lines("only here\nelsewhere")];
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        assert_eq!(find(&refs, &Options::default()).dropped, 0);
    }
}
