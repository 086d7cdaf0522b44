//! TF-IDF over word tokens: stop words of each document's language removed,
//! Arabic tokens light-stemmed, title terms and the lead weighted up,
//! sublinear term frequency, names and numbers weighted up, smoothed idf
//! counted among the documents of the term's own script, minority scripts
//! of a document damped, unit length.
//!
//! Names and numbers are weighted up because they are what tells two
//! look-alike events apart (two earthquakes on one island: the date and the
//! magnitude; two DUI arrests of one team's players: the player). On ECB+
//! they raise the B-cubed F1 of the stories by about 0.02 (see docs/design.md).
//!
//! The lead is weighted up because news is written as an inverted pyramid:
//! the first sentences say what happened, who, where and when; later
//! paragraphs give background, which look-alike events share (an actor's
//! earlier stays in rehab, a team's earlier arrests). A body token's count
//! is multiplied by `1 + lead_weight × e^(−position / lead_length)`, its
//! position counted in tokens after the title.

use super::SparseVector;
use crate::corpus::Document;
use crate::text::names::for_each_name;
use crate::text::script::Script;
use crate::text::stopwords::Languages;
use crate::text::{PreparedText, term, tokens};
use ahash::AHashMap;
use rayon::prelude::*;

/// How vectors are weighted.
#[derive(Clone, Debug)]
pub struct TfIdfOptions {
    /// How many times a title occurrence of a term counts.
    pub title_weight: f32,
    /// Factor for a term the document writes capitalised inside a sentence
    /// (see `text::names`).
    pub name_weight: f32,
    /// Factor for a number.
    pub number_weight: f32,
    /// Extra weight of the first body token; it fades with position.
    pub lead_weight: f32,
    /// Tokens over which the lead's extra weight falls by a factor e.
    pub lead_length: f32,
}

impl Default for TfIdfOptions {
    fn default() -> Self {
        TfIdfOptions {
            title_weight: 2.0,
            name_weight: 2.0,
            number_weight: 2.0,
            lead_weight: 1.0,
            lead_length: 50.0,
        }
    }
}

/// Vectors of a corpus and the vocabulary they index.
#[derive(Clone, Debug, Default)]
pub struct TfIdf {
    /// One unit vector per document, in corpus order.
    pub vectors: Vec<SparseVector>,
    /// Term strings (stems for Arabic) by id.
    pub vocabulary: Vec<String>,
    /// How each term is most often written, by id, for labels.
    pub display: Vec<String>,
}

/// Whether a token carries meaning on its own: single Latin letters and
/// digits ("a", "5") do not; single ideographs do.
fn is_content(token: &str) -> bool {
    let mut chars = token.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => !c.is_ascii(),
        (Some(_), Some(_)) => true,
        _ => false,
    }
}

/// A content token of one document (before stemming), with its weighted
/// count and whether the document writes it as a name.
struct TokenCount<'a> {
    token: &'a str,
    count: f32,
    /// Written capitalised inside a sentence (see [`crate::text::names`])
    /// and its own term (Arabic stems aside, every token is).
    name: bool,
}

/// Weighted counts of the content tokens of one document (`text`, prepared
/// from `document`), sorted by token, with the stop words of `languages`
/// (see [`Languages`]) left out.
fn token_counts<'a>(
    document: &Document,
    text: &'a PreparedText,
    languages: &Languages,
    options: &TfIdfOptions,
) -> Vec<TokenCount<'a>> {
    let all: Vec<&str> = tokens(&text.text).collect();
    let mut counts: AHashMap<&str, (f32, bool)> = AHashMap::with_capacity(all.len());
    let title = tokens(text.title()).count();
    for (i, token) in all.into_iter().enumerate() {
        if is_content(token) && !languages.is_stop_word(token) {
            let weight = if i < title {
                options.title_weight
            } else {
                let position = (i - title + 1) as f32;
                1.0 + options.lead_weight * (-position / options.lead_length).exp()
            };
            counts.entry(token).or_default().0 += weight;
        }
    }
    // Names looked up among this document's own tokens (a small table, in
    // cache), not in the corpus's spellings.
    for_each_name([document.title.as_str(), document.body.as_str()], |name| {
        // Settled at its first occurrence: a name recurs.
        if let Some((_, is_name)) = counts.get_mut(name)
            && !*is_name
        {
            *is_name = term(name) == name;
        }
    });
    let mut counts: Vec<TokenCount> = counts
        .into_iter()
        .map(|(token, (count, name))| TokenCount { token, count, name })
        .collect();
    counts.sort_unstable_by(|a, b| a.token.cmp(b.token));
    counts
}

/// Tokens at the start of a document read to guess its stop-word
/// language: enough for any article, and they spare tokenising long ones
/// twice.
const LANGUAGE_TOKENS: usize = 300;

/// A document's own guess of its stop-word language (see [`Languages`]).
fn own_languages(text: &PreparedText) -> Languages {
    Languages::detect(tokens(&text.text).take(LANGUAGE_TOKENS))
}

/// A script holding less than this share of a document's words is a
/// minority in it: photo credits, captions or a quotation in another
/// language, peripheral to what the document reports.
const MINORITY_SHARE: f32 = 0.3;
/// Factor for the terms of a minority script.
const MINORITY_WEIGHT: f32 = 0.3;

/// Digits are written alike in every script (Arabic-Indic ones are folded
/// to ASCII), so numbers belong to no script's minority.
pub(crate) fn is_number(term: &str) -> bool {
    term.bytes().all(|b| b.is_ascii_digit())
}

/// How many of a document's words (numbers aside) each script holds, given
/// its terms as (script index, whether a number, count before weighting).
fn words_by_script(terms: impl Iterator<Item = (usize, bool, f32)>) -> [f32; Script::COUNT] {
    let mut words = [0f32; Script::COUNT];
    for (script, number, count) in terms {
        if !number {
            words[script] += count;
        }
    }
    words
}

/// The script (index) most of a document's words are written in; Latin,
/// the digits' own, when it has no words. Ties go to the lower index, so
/// the choice is deterministic.
fn main_script(words: &[f32; Script::COUNT]) -> usize {
    (0..Script::COUNT).fold(Script::Latin.index(), |best, s| {
        if words[s] > words[best] { s } else { best }
    })
}

/// Which scripts are a minority among a document's words.
fn minority_scripts(words: &[f32; Script::COUNT]) -> [bool; Script::COUNT] {
    let total: f32 = words.iter().sum();
    words.map(|w| w > 0.0 && w < MINORITY_SHARE * total)
}

/// What a document's terms are weighed by besides their counts.
struct TermContext<'a> {
    /// Scripts that are a minority in the document.
    minority: [bool; Script::COUNT],
    options: &'a TfIdfOptions,
}

impl<'a> TermContext<'a> {
    /// The context of a document whose words per script are `words`.
    fn new(words: &[f32; Script::COUNT], options: &'a TfIdfOptions) -> Self {
        TermContext {
            minority: minority_scripts(words),
            options,
        }
    }

    /// A term's weight before idf: sublinear in its count, weighted up for
    /// a number or a name (a term the document writes capitalised, see
    /// [`crate::text::names`]), damped when its script (index) is a
    /// minority in the document (numbers never are; names there stay
    /// damped: a caption's names are as peripheral as the rest of it).
    fn weight(&self, count: f32, number: bool, script: usize, name: bool) -> f32 {
        let sublinear = 1.0 + count.ln();
        if number {
            sublinear * self.options.number_weight
        } else if self.minority[script] {
            sublinear * MINORITY_WEIGHT
        } else if name {
            sublinear * self.options.name_weight
        } else {
            sublinear
        }
    }
}

/// The terms of one document with their weights before idf (see
/// [`TfIdf::build`], which weighs a corpus the same way), sorted by term:
/// for an index that adds documents one at a time.
#[cfg(feature = "index")]
pub fn term_weights<'a>(
    document: &Document,
    text: &'a PreparedText,
    options: &TfIdfOptions,
) -> Vec<(&'a str, f32)> {
    let mut counts: AHashMap<&str, (f32, bool)> = AHashMap::new();
    for token in token_counts(document, text, &own_languages(text), options) {
        let (count, name) = counts.entry(term(token.token)).or_default();
        *count += token.count;
        *name |= token.name;
    }
    let words = words_by_script(
        counts
            .iter()
            .map(|(&t, &(c, _))| (Script::of(t).index(), is_number(t), c)),
    );
    let context = TermContext::new(&words, options);
    let mut weights: Vec<(&str, f32)> = counts
        .into_iter()
        .map(|(t, (c, name))| {
            (
                t,
                context.weight(c, is_number(t), Script::of(t).index(), name),
            )
        })
        .collect();
    weights.sort_unstable_by(|a, b| a.0.cmp(b.0));
    weights
}

/// Smoothed inverse document frequency of a term in `df` of the `n`
/// documents written in its script.
pub fn idf(df: u32, n: u32) -> f32 {
    ((1.0 + n as f32) / (1.0 + df as f32)).ln() + 1.0
}

/// Documents counted by script, for idf: see [`TfIdf::build`].
#[derive(Default)]
struct ScriptCounts {
    /// Per script, the documents holding a word of it.
    documents_in: [u32; Script::COUNT],
    /// Per script, the documents written mainly in it.
    documents_mainly_in: [u32; Script::COUNT],
    /// Per (number term, main script), the documents holding it.
    number_frequency: AHashMap<(u32, usize), u32>,
}

impl ScriptCounts {
    /// The counts of both parts of a corpus.
    fn add(mut self, other: ScriptCounts) -> ScriptCounts {
        let add_each = |mine: &mut [u32], theirs: &[u32]| {
            mine.iter_mut().zip(theirs).for_each(|(m, t)| *m += t);
        };
        add_each(&mut self.documents_in, &other.documents_in);
        add_each(&mut self.documents_mainly_in, &other.documents_mainly_in);
        for (key, count) in other.number_frequency {
            *self.number_frequency.entry(key).or_default() += count;
        }
        self
    }
}

/// The terms of a corpus numbered: see [`number_terms`].
struct Numbered<'a> {
    /// Every term, by id.
    vocabulary: Vec<String>,
    /// Per term, the documents other than copies holding it.
    document_frequency: Vec<u32>,
    /// Per document, its terms.
    numbered: Vec<NumberedDocument>,
    /// Per spelling (token), its term's id and its number of occurrences.
    spellings: AHashMap<&'a str, (u32, u32)>,
}

/// One document's terms, numbered.
#[derive(Default)]
struct NumberedDocument {
    /// (term id, count) entries.
    entries: Vec<(u32, f32)>,
    /// The terms it writes as names (ids, unsorted; a term of two
    /// spellings may be listed twice).
    names: Vec<u32>,
}

impl NumberedDocument {
    /// The same terms under other ids (`global[local]`).
    fn renumbered(self, global: &[u32]) -> NumberedDocument {
        NumberedDocument {
            entries: self
                .entries
                .into_iter()
                .map(|(local, count)| (global[local as usize], count))
                .collect(),
            names: self
                .names
                .into_iter()
                .map(|local| global[local as usize])
                .collect(),
        }
    }
}

/// Documents numbered together by [`number_terms`], at most; fewer when a
/// wave holds fewer than [`CHUNKS_PER_THREAD`] such chunks a thread.
const NUMBERING_CHUNK: usize = 4096;

/// Chunks of a wave for each thread, at least: 19,000 documents in chunks
/// of 4,096 made five chunks, three of them on one of two cores.
const CHUNKS_PER_THREAD: usize = 4;

/// Documents whose token counts are held at once by [`number_terms`]: a
/// token count (a borrowed token and its weight, 24 bytes) takes three
/// times a numbered entry, and a million documents' counts held together
/// took 2 GB.
const NUMBERING_WAVE: usize = 16 * NUMBERING_CHUNK;

/// Numbers the terms of every document's token counts (`counts_of(doc)`),
/// ids in order of first appearance in corpus order (deterministic). A
/// wave of documents at a time, its chunks counted and numbered in
/// parallel, then their vocabularies merged in chunk order: a term first
/// seen in an earlier chunk, or earlier in its chunk, gets the smaller id,
/// as numbering the corpus in one pass would give. A wave's counts are
/// dropped once numbered.
fn number_terms<'a>(
    counts_of: impl Fn(usize) -> Vec<TokenCount<'a>> + Sync,
    copies: &[bool],
) -> Numbered<'a> {
    let number_chunk = |docs: std::ops::Range<usize>| {
        let mut ids: AHashMap<&str, u32> = AHashMap::new();
        let mut chunk = Chunk {
            terms: Vec::new(),
            document_frequency: Vec::new(),
            numbered: Vec::with_capacity(docs.len()),
            spellings: AHashMap::new(),
        };
        let mut last_doc: Vec<usize> = Vec::new();
        for doc in docs {
            let mut numbered = NumberedDocument::default();
            numbered.entries = counts_of(doc)
                .into_iter()
                .map(|TokenCount { token, count, name }| {
                    // A spelling seen before names its term: one lookup,
                    // and no stemming, for most tokens.
                    let id = match chunk.spellings.get_mut(token) {
                        Some((id, documents)) => {
                            *documents += 1;
                            *id
                        }
                        None => {
                            let term = term(token);
                            let id = *ids.entry(term).or_insert_with(|| {
                                chunk.terms.push(term);
                                chunk.document_frequency.push(0);
                                last_doc.push(usize::MAX);
                                (chunk.terms.len() - 1) as u32
                            });
                            chunk.spellings.insert(token, (id, 1));
                            id
                        }
                    };
                    if last_doc[id as usize] != doc {
                        last_doc[id as usize] = doc;
                        chunk.document_frequency[id as usize] += !copies[doc] as u32;
                    }
                    if name {
                        numbered.names.push(id);
                    }
                    (id, count)
                })
                .collect();
            chunk.numbered.push(numbered);
        }
        chunk
    };
    let documents = copies.len();
    let mut merged = Merged::default();
    let mut numbered: Vec<NumberedDocument> = Vec::with_capacity(documents);
    for wave in (0..documents).step_by(NUMBERING_WAVE) {
        let wave_end = documents.min(wave + NUMBERING_WAVE);
        // Chunking changes no id (see above), only the balance.
        let wanted = CHUNKS_PER_THREAD * rayon::current_num_threads();
        let chunk = (wave_end - wave).div_ceil(wanted).clamp(1, NUMBERING_CHUNK);
        let chunks: Vec<Chunk> = (wave..wave_end)
            .into_par_iter()
            .step_by(chunk)
            .map(|first| number_chunk(first..wave_end.min(first + chunk)))
            .collect();
        // In chunk order: the ids of first appearance in the corpus.
        let global_ids: Vec<Vec<u32>> = chunks.iter().map(|chunk| merged.add(chunk)).collect();
        numbered.par_extend(chunks.into_par_iter().zip(global_ids).flat_map_iter(
            |(chunk, global)| {
                chunk
                    .numbered
                    .into_iter()
                    .map(move |document| document.renumbered(&global))
            },
        ));
    }
    Numbered {
        vocabulary: merged.vocabulary,
        document_frequency: merged.document_frequency,
        numbered,
        spellings: merged.spellings,
    }
}

/// Terms numbered in one chunk of documents by [`number_terms`].
struct Chunk<'a> {
    /// Terms by local id, in order of first appearance in the chunk.
    terms: Vec<&'a str>,
    /// Per local id, the chunk's documents (other than copies) holding it.
    document_frequency: Vec<u32>,
    /// Per document, its terms by local id.
    numbered: Vec<NumberedDocument>,
    /// Per spelling, its local id and occurrences.
    spellings: AHashMap<&'a str, (u32, u32)>,
}

/// The vocabulary of the chunks merged so far, in chunk order.
#[derive(Default)]
struct Merged<'a> {
    ids: AHashMap<&'a str, u32>,
    vocabulary: Vec<String>,
    document_frequency: Vec<u32>,
    spellings: AHashMap<&'a str, (u32, u32)>,
}

impl<'a> Merged<'a> {
    /// Merges the next chunk; returns the global id of each local one (a
    /// term new to the corpus gets the next id).
    fn add(&mut self, chunk: &Chunk<'a>) -> Vec<u32> {
        let global: Vec<u32> = chunk
            .terms
            .iter()
            .zip(&chunk.document_frequency)
            .map(|(&term, &frequency)| {
                let id = *self.ids.entry(term).or_insert_with(|| {
                    self.vocabulary.push(term.to_owned());
                    self.document_frequency.push(0);
                    (self.vocabulary.len() - 1) as u32
                });
                self.document_frequency[id as usize] += frequency;
                id
            })
            .collect();
        for (&spelling, &(local, occurrences)) in &chunk.spellings {
            self.spellings
                .entry(spelling)
                .or_insert((global[local as usize], 0))
                .1 += occurrences;
        }
        global
    }
}

/// For each term, its most frequent spelling (in most documents; ties go to
/// the shorter, then the smaller spelling).
fn most_common_spellings(
    vocabulary: &[String],
    spellings: &AHashMap<&str, (u32, u32)>,
) -> Vec<String> {
    let mut best: Vec<Option<(&str, u32)>> = vec![None; vocabulary.len()];
    for (&spelling, &(id, documents)) in spellings {
        let slot = &mut best[id as usize];
        let better = match *slot {
            None => true,
            Some((current, count)) => {
                (
                    documents,
                    std::cmp::Reverse(spelling.len()),
                    std::cmp::Reverse(spelling),
                ) > (
                    count,
                    std::cmp::Reverse(current.len()),
                    std::cmp::Reverse(current),
                )
            }
        };
        if better {
            *slot = Some((spelling, documents));
        }
    }
    best.into_iter()
        .zip(vocabulary)
        .map(|(b, term)| b.map_or_else(|| term.clone(), |(s, _)| s.to_owned()))
        .collect()
}

impl TfIdf {
    /// Builds the vectors of documents from their prepared texts (in
    /// parallel where it pays); names are read from the documents. Copies
    /// (`copies[doc]`, see [`crate::dedup::Duplicates::copies`]) get
    /// vectors but do not count in document frequencies: a wire story
    /// carried fifty times does not make its own words common.
    pub fn build(
        documents: &[Document],
        texts: &[PreparedText],
        copies: &[bool],
        options: &TfIdfOptions,
    ) -> TfIdf {
        debug_assert_eq!(documents.len(), texts.len());
        debug_assert_eq!(documents.len(), copies.len());
        // Each document's stop-word language, and where it has too few stop
        // words to tell, the corpus's.
        let languages: Vec<Languages> = texts.par_iter().map(own_languages).collect();
        let corpus_languages = Languages::of_corpus(&languages);
        let counts_of = |doc: usize| {
            let languages = languages[doc].or_corpus(&corpus_languages);
            token_counts(&documents[doc], &texts[doc], &languages, options)
        };
        let Numbered {
            vocabulary,
            document_frequency,
            numbered,
            spellings,
        } = number_terms(counts_of, copies);
        let display = most_common_spellings(&vocabulary, &spellings);
        // A term is rare or common among the documents written in its
        // script, not among all: in a corpus of English and Arabic articles,
        // an Arabic word in every Arabic article is common, however few the
        // Arabic articles are. So each script has its own document count.
        // Digits are shared by every script, so a number's rarity is judged
        // among the documents written mainly in the same script as the one
        // holding it: "2015" is rare among English wire stories about 2008,
        // not among Arabic articles about 2015.
        let script_of: Vec<usize> = vocabulary.iter().map(|t| Script::of(t).index()).collect();
        let is_number_term: Vec<bool> = vocabulary.iter().map(|t| is_number(t)).collect();
        // Words per script, counted once per document: they give both its
        // main script (here) and its minority scripts (below).
        let script_words: Vec<[f32; Script::COUNT]> = numbered
            .par_iter()
            .map(|doc| {
                words_by_script(doc.entries.iter().map(|&(id, count)| {
                    (script_of[id as usize], is_number_term[id as usize], count)
                }))
            })
            .collect();
        let main_script_of: Vec<usize> = script_words.par_iter().map(main_script).collect();
        // Counted in parallel: sums of integers, the same in any order.
        let ScriptCounts {
            documents_in,
            documents_mainly_in,
            number_frequency,
        } = numbered
            .par_iter()
            .zip(&main_script_of)
            .zip(copies)
            .filter(|(_, copy)| !**copy)
            .fold(ScriptCounts::default, |mut counts, ((doc, &main), _)| {
                let mut seen = [false; Script::COUNT];
                for &(id, _) in &doc.entries {
                    if is_number_term[id as usize] {
                        *counts.number_frequency.entry((id, main)).or_default() += 1;
                    } else {
                        seen[script_of[id as usize]] = true;
                    }
                }
                for (count, seen) in counts.documents_in.iter_mut().zip(seen) {
                    *count += seen as u32;
                }
                counts.documents_mainly_in[main] += 1;
                counts
            })
            .reduce(ScriptCounts::default, ScriptCounts::add);
        let idf_of: Vec<f32> = document_frequency
            .iter()
            .zip(&script_of)
            .map(|(&df, &script)| idf(df, documents_in[script]))
            .collect();
        let idf_in = |id: u32, main: usize| {
            if is_number_term[id as usize] {
                // A copy's number may be counted nowhere.
                let df = number_frequency.get(&(id, main)).copied().unwrap_or(0);
                idf(df, documents_mainly_in[main])
            } else {
                idf_of[id as usize]
            }
        };
        let vectors = numbered
            .into_par_iter()
            .zip(main_script_of)
            .zip(&script_words)
            .map(|((NumberedDocument { entries, mut names }, main), words)| {
                // Spellings of one term add up before the sublinear scaling.
                let mut v = SparseVector::from_entries(entries);
                let context = TermContext::new(words, options);
                names.sort_unstable();
                let weights: Vec<f32> = v
                    .terms
                    .iter()
                    .zip(&v.weights)
                    .map(|(&id, &count)| {
                        let (number, script) =
                            (is_number_term[id as usize], script_of[id as usize]);
                        let name = names.binary_search(&id).is_ok();
                        context.weight(count, number, script, name) * idf_in(id, main)
                    })
                    .collect();
                v.weights = weights;
                v.normalize();
                v
            })
            .collect();
        TfIdf {
            vectors,
            vocabulary,
            display,
        }
    }

    /// How a term is most often written in the corpus.
    pub fn display(&self, id: u32) -> &str {
        &self.display[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(title: &str, body: &str) -> (Document, PreparedText) {
        let document = Document::new(title, title, body);
        let title = crate::text::normalize(title);
        let title_len = title.len();
        let text = PreparedText {
            text: format!("{title} {}", crate::text::normalize(body)),
            title_len,
        };
        (document, text)
    }

    /// The weight of a term (as displayed) in one document's vector.
    fn weight_of(tfidf: &TfIdf, doc: usize, term: &str) -> f32 {
        let v = &tfidf.vectors[doc];
        let id = tfidf.display.iter().position(|t| t == term).unwrap() as u32;
        v.weights[v.terms.binary_search(&id).unwrap()]
    }

    fn build(corpus: &[(Document, PreparedText)], options: &TfIdfOptions) -> TfIdf {
        let (documents, texts): (Vec<Document>, Vec<PreparedText>) = corpus.iter().cloned().unzip();
        TfIdf::build(&documents, &texts, &vec![false; documents.len()], options)
    }

    #[test]
    fn similar_texts_are_closer() {
        let texts = [
            prepared(
                "Earthquake hits Chile",
                "A strong earthquake struck northern Chile on Tuesday.",
            ),
            prepared(
                "Chile earthquake",
                "The earthquake in Chile killed six people, officials said.",
            ),
            prepared(
                "Oscar nominations",
                "The film academy announced the Oscar nominations.",
            ),
        ];
        let tfidf = build(&texts, &TfIdfOptions::default());
        let v = &tfidf.vectors;
        assert!(v[0].dot(&v[1]) > v[0].dot(&v[2]));
        assert!((v[0].norm() - 1.0).abs() < 1e-5);
        // Stop words of the document's language are gone.
        assert!(!tfidf.vocabulary.iter().any(|t| t == "the" || t == "on"));
    }

    #[test]
    fn rarity_is_judged_within_a_script() {
        // One Arabic word in both Arabic documents, one English word in one
        // of three English documents: among its own script's documents the
        // Arabic word is common, so it weighs less than the English one.
        // Titles, so that every word counts alike (the lead fades).
        let texts = [
            prepared("موسكو روسيا", ""),
            prepared("موسكو سوريا", ""),
            prepared("earthquake coast", ""),
            prepared("election vote", ""),
            prepared("harvest crops", ""),
        ];
        let tfidf = build(&texts, &TfIdfOptions::default());
        let weight = |doc: usize, term: &str| weight_of(&tfidf, doc, term);
        assert!(weight(0, "موسكو") < weight(0, "روسيا"));
        assert!((weight(2, "earthquake") - weight(2, "coast")).abs() < 1e-6);
    }

    #[test]
    fn a_minority_script_weighs_less() {
        let texts = [
            prepared("", "بوتين اوباما موسكو واشنطن سوريا اوكرانيا نيويورك putin"),
            prepared("", "putin obama"),
        ];
        let tfidf = build(&texts, &TfIdfOptions::default());
        let weight = |term: &str| weight_of(&tfidf, 0, term);
        // Both words occur once, in every document of their script that
        // could hold them; only the damping tells them apart.
        assert!(weight("putin") < 0.5 * weight("بوتين"));
    }

    #[test]
    fn title_terms_weigh_more() {
        let texts = [prepared("alpha", "beta alpha"), prepared("gamma", "delta")];
        let tfidf = build(&texts, &TfIdfOptions::default());
        let top = tfidf.vectors[0].top_terms(1);
        assert_eq!(tfidf.vocabulary[top[0].0 as usize], "alpha");
    }

    #[test]
    fn the_lead_weighs_more_and_fades() {
        // Each word once; "quake" opens the body, "harvest" comes 200
        // filler tokens later (stop words: they count for position only).
        let filler = "the ".repeat(200);
        let texts = [
            prepared("", &format!("quake {filler} harvest")),
            prepared("", "election"),
        ];
        let tfidf = build(&texts, &TfIdfOptions::default());
        let weight = |term: &str| weight_of(&tfidf, 0, term);
        let options = TfIdfOptions::default();
        let lead = 1.0 + options.lead_weight * (-1.0 / options.lead_length).exp();
        let ratio = weight("quake") / weight("harvest");
        // Sublinear: a count c weighs 1 + ln c.
        let late = 1.0 + options.lead_weight * (-202.0 / options.lead_length).exp();
        let expected = (1.0 + lead.ln()) / (1.0 + late.ln());
        assert!((ratio - expected).abs() < 1e-4, "{ratio} vs {expected}");
    }

    #[test]
    fn names_and_numbers_weigh_more() {
        // Each word once in the body of the first document, none in the
        // title; only the name and the number are weighted up.
        let texts = [
            prepared("", "the quake near Qeshm hurt 26 villagers"),
            prepared("", "harvest"),
        ];
        let no_lead = TfIdfOptions {
            lead_weight: 0.0,
            ..TfIdfOptions::default()
        };
        let tfidf = build(&texts, &no_lead);
        let weight = |term: &str| weight_of(&tfidf, 0, term);
        assert!((weight("qeshm") - 2.0 * weight("quake")).abs() < 1e-6);
        assert!((weight("26") - 2.0 * weight("villagers")).abs() < 1e-6);
        let plain = TfIdfOptions {
            name_weight: 1.0,
            number_weight: 1.0,
            ..no_lead
        };
        let tfidf = build(&texts, &plain);
        let v = &tfidf.vectors[0];
        assert!(v.weights.windows(2).all(|w| (w[0] - w[1]).abs() < 1e-6));
    }

    #[test]
    #[cfg(feature = "index")]
    fn term_weights_match_the_corpus_weighing() {
        let texts = [prepared(
            "Kerry in Moscow",
            "Kerry met Putin in Moscow on 14 July",
        )];
        let (document, text) = &texts[0];
        let single = term_weights(document, text, &TfIdfOptions::default());
        let tfidf = build(&texts, &TfIdfOptions::default());
        // With one document every idf is equal, so the unit vector is the
        // single-document weights scaled.
        let v = &tfidf.vectors[0];
        let scale = v.weights[0]
            / single
                .iter()
                .find(|(t, _)| *t == tfidf.vocabulary[v.terms[0] as usize])
                .unwrap()
                .1;
        for (&id, &w) in v.terms.iter().zip(&v.weights) {
            let term = tfidf.vocabulary[id as usize].as_str();
            let own = single.iter().find(|(t, _)| *t == term).unwrap().1;
            assert!((own * scale - w).abs() < 1e-5, "{term}");
        }
    }
}
