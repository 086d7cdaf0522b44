//! Why two documents are, or are not, near-duplicates and in one story: the
//! measures behind both decisions (shingle Jaccard and its MinHash estimate,
//! TF-IDF cosine), the terms that carry the cosine, the passages both texts
//! hold, and each decision in words. Backs `story-cluster explain`.

use crate::pipeline::Analysis;
use crate::report::{group_id, score, story_id, substory_id};
use crate::sketch::minhash::estimate_jaccard;
use crate::sketch::shingle::jaccard;
use crate::story::Story;
use crate::text::{Prepared, passages};
use serde::Serialize;

/// How much to show.
#[derive(Clone, Copy, Debug)]
pub struct ExplainOptions {
    /// Shared terms listed.
    pub terms: usize,
    /// Shared passages listed.
    pub passages: usize,
    /// Characters of a passage shown before it is cut with `…`.
    pub passage_chars: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            terms: 10,
            passages: 5,
            passage_chars: 300,
        }
    }
}

/// The explanation of a pair.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// The first document.
    pub a: Side,
    /// The second document.
    pub b: Side,
    /// Exact Jaccard similarity of the normalised texts' character shingles.
    pub jaccard: f64,
    /// The same, as estimated from the MinHash signatures.
    pub minhash_jaccard: f64,
    /// Chance that LSH proposes a pair this similar for verification.
    pub detection_probability: f64,
    /// Cosine similarity of the TF-IDF vectors.
    pub cosine: f64,
    /// The factor time puts on the cosine (1 unless both are dated; see
    /// [`crate::story::TimeDecay`]).
    pub time_factor: f64,
    /// Days between the two documents, when both are dated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_apart: Option<f64>,
    /// What clustering compares: `cosine × time_factor`.
    pub similarity: f64,
    /// Terms both vectors hold, largest share of the cosine first.
    pub shared_terms: Vec<SharedTerm>,
    /// Total number of terms both vectors hold.
    pub shared_term_count: usize,
    /// Longest passages both bodies hold (at least
    /// [`passages::MIN_WORDS`] words), longest first.
    pub passages: Vec<SharedPassage>,
    /// Whether they are near-duplicates, and why.
    pub duplicate: Verdict,
    /// Whether they share a story, and why.
    pub story: Verdict,
    /// The near-duplicate Jaccard threshold.
    pub dup_threshold: f64,
    /// The story cosine threshold.
    pub story_threshold: f64,
}

/// One document of the pair and its place in the result.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// Document id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it was read from.
    pub origin: String,
    /// Its story.
    pub story: String,
    /// Its sub-story, if it is in one.
    pub substory: Option<String>,
    /// Its near-duplicate group, if any.
    pub duplicate_group: Option<String>,
}

/// A term both vectors hold.
#[derive(Clone, Debug, Serialize)]
pub struct SharedTerm {
    /// The term, as most often written.
    pub term: String,
    /// Its weight in the first document's unit vector.
    pub weight_a: f64,
    /// Its weight in the second's.
    pub weight_b: f64,
    /// `weight_a × weight_b`: its share of the cosine.
    pub contribution: f64,
}

/// A passage both bodies hold.
#[derive(Clone, Debug, Serialize)]
pub struct SharedPassage {
    /// Length in words.
    pub words: usize,
    /// As the first document writes it, on one line (cut at the display
    /// limit).
    pub a: String,
    /// As the second writes it (it may differ in marks, case, punctuation).
    pub b: String,
}

/// A yes or no, with the reason.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// Whether the documents share a duplicate group (or a story).
    pub same: bool,
    /// Why, in a sentence or two.
    pub reason: String,
}

/// Where a document sits among the stories: story index and sub-story
/// index, per document.
fn placements(stories: &[Story], documents: usize) -> Vec<(usize, Option<usize>)> {
    let mut placed = vec![(0, None); documents];
    for (s, story) in stories.iter().enumerate() {
        for m in &story.members {
            placed[m.doc as usize] = (s, None);
        }
        for (i, sub) in story.substories.iter().enumerate() {
            for m in &sub.members {
                placed[m.doc as usize].1 = Some(i);
            }
        }
    }
    placed
}

/// Mean similarity over every pair of one member of `x` and one of `y`,
/// as the linkage counts it: cosine times time factor, 0 under the edge
/// floor (see [`crate::story::linkage`]).
fn mean_similarity_between(analysis: &Analysis, x: &Story, y: &Story) -> f64 {
    let stories = &analysis.config.stories;
    let edge_floor = stories.edge_floor() as f64;
    let mut sum = 0.0;
    for m in &x.members {
        let (va, ta) = (
            &analysis.vectors.vectors[m.doc as usize],
            analysis.documents[m.doc as usize].time,
        );
        for n in &y.members {
            let vb = &analysis.vectors.vectors[n.doc as usize];
            let factor = stories
                .time
                .factor(ta, analysis.documents[n.doc as usize].time);
            let similarity = va.dot(vb) as f64 * factor as f64;
            if similarity >= edge_floor {
                sum += similarity;
            }
        }
    }
    sum / (x.members.len() * y.members.len()) as f64
}

/// `text` on one line (runs of whitespace as one space), cut to its first
/// `chars` characters with `…` when longer.
fn cut(text: &str, chars: usize) -> String {
    let mut words = text.split_whitespace();
    let mut out: String = words.next().unwrap_or_default().to_owned();
    for word in words {
        out.push(' ');
        out.push_str(word);
    }
    match out.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &out[..end]),
        None => out,
    }
}

/// Explains documents `a` and `b` (indices into `analysis.documents`),
/// given the texts the analysis worked on.
pub fn explain(
    analysis: &Analysis,
    prepared: &Prepared,
    a: usize,
    b: usize,
    options: &ExplainOptions,
) -> Explanation {
    let docs = &analysis.documents;
    let config = &analysis.config;
    let hasher = config.dedup.hasher();
    let (text_a, text_b) = (&prepared.texts[a].text, &prepared.texts[b].text);
    let jaccard_ab = jaccard(
        &hasher.shingles().set(text_a),
        &hasher.shingles().set(text_b),
    );
    let minhash_jaccard = estimate_jaccard(&hasher.sign(text_a), &hasher.sign(text_b));
    let detection_probability = config.dedup.bands().detection_probability(jaccard_ab);

    let (va, vb) = (&analysis.vectors.vectors[a], &analysis.vectors.vectors[b]);
    let cosine = va.dot(vb) as f64;
    let (time_a, time_b) = (analysis.documents[a].time, analysis.documents[b].time);
    let time_factor = config.stories.time.factor(time_a, time_b) as f64;
    let days_apart = time_a
        .zip(time_b)
        .map(|(x, y)| x.abs_diff(y) as f64 / crate::corpus::DAY_SECONDS as f64);
    let similarity = cosine * time_factor;
    let mut shared_terms: Vec<(u32, f32, f32)> = va.shared_terms(vb).collect();
    let shared_term_count = shared_terms.len();
    shared_terms.sort_by(|x, y| (y.1 * y.2).total_cmp(&(x.1 * x.2)).then(x.0.cmp(&y.0)));
    let shared_terms = shared_terms
        .into_iter()
        .take(options.terms)
        .map(|(term, wa, wb)| SharedTerm {
            term: analysis.vectors.display(term).to_owned(),
            weight_a: score(wa as f64),
            weight_b: score(wb as f64),
            contribution: score((wa * wb) as f64),
        })
        .collect();

    let (body_a, body_b) = (&docs[a].body, &docs[b].body);
    let passages = passages::shared(body_a, body_b, passages::MIN_WORDS)
        .into_iter()
        .take(options.passages)
        .map(|p| SharedPassage {
            words: p.words,
            a: cut(&body_a[p.a], options.passage_chars),
            b: cut(&body_b[p.b], options.passage_chars),
        })
        .collect();

    let group_of = analysis.duplicates.group_of(docs.len());
    let placed = placements(&analysis.stories, docs.len());
    let side = |d: usize| Side {
        id: docs[d].id.clone(),
        title: docs[d].title.clone(),
        origin: docs[d].origin.to_string(),
        story: story_id(placed[d].0),
        substory: placed[d].1.map(|i| substory_id(&story_id(placed[d].0), i)),
        duplicate_group: group_of[d].map(group_id),
    };
    let dup_threshold = config.dedup.threshold;
    let story_threshold = score(config.stories.threshold as f64);
    let rule = format!(
        "Average linkage joins two clusters when the mean similarity between their members \
         reaches the story threshold {story_threshold}, never below {}, and in between unless \
         each is markedly tighter on its own (their mean similarity below {} of each one's mean \
         inner similarity); both bounds are raised for documents longer than the corpus's median",
        score(config.stories.floor() as f64),
        score(config.stories.split_ratio as f64)
    );

    let duplicate = match (group_of[a], group_of[b]) {
        (Some(x), Some(y)) if x == y && jaccard_ab >= dup_threshold => Verdict {
            same: true,
            reason: format!(
                "near-duplicates in group {}: their Jaccard {:.4} reaches the threshold {dup_threshold}",
                group_id(x),
                jaccard_ab
            ),
        },
        (Some(x), Some(y)) if x == y => Verdict {
            same: true,
            reason: format!(
                "in one near-duplicate group, {}, through other members: a group holds every \
                 document linked by pairs at or above the threshold {dup_threshold}, though these \
                 two are at {:.4}",
                group_id(x),
                jaccard_ab
            ),
        },
        _ if jaccard_ab >= dup_threshold => Verdict {
            same: false,
            reason: format!(
                "their Jaccard {:.4} reaches the threshold {dup_threshold}, but LSH did not propose \
                 the pair (it finds a pair this similar with probability {:.4})",
                jaccard_ab, detection_probability
            ),
        },
        _ => Verdict {
            same: false,
            reason: format!(
                "not near-duplicates: their Jaccard {:.4} is below the threshold {dup_threshold}",
                jaccard_ab
            ),
        },
    };

    let ((story_a, sub_a), (story_b, sub_b)) = (placed[a], placed[b]);
    let story = if story_a == story_b {
        let s = &analysis.stories[story_a];
        let mut reason = format!(
            "both in story {} ({} members, cohesion {:.4}). ",
            story_id(story_a),
            s.members.len(),
            s.cohesion
        );
        if group_of[a].is_some() && group_of[a] == group_of[b] {
            reason.push_str(
                "Near-duplicates always share a story: their group is clustered as one unit.",
            );
        } else {
            reason.push_str(&format!("{rule}; "));
            if similarity >= story_threshold {
                reason.push_str(&format!(
                    "their own similarity {similarity:.4} reaches the threshold."
                ));
            } else {
                reason.push_str(&format!(
                    "their own similarity {similarity:.4} is below the threshold: the rule weighs \
                     the clusters that held them, not the pair."
                ));
            }
        }
        if let (Some(x), Some(y)) = (sub_a, sub_b)
            && x == y
        {
            reason.push_str(&format!(
                " Both are in the tighter sub-story {}.",
                substory_id(&story_id(story_a), x)
            ));
        }
        Verdict { same: true, reason }
    } else {
        let between = mean_similarity_between(
            analysis,
            &analysis.stories[story_a],
            &analysis.stories[story_b],
        );
        let own = if similarity >= story_threshold {
            format!(
                "their own similarity {similarity:.4} reaches the story threshold \
                 {story_threshold}, but"
            )
        } else {
            format!(
                "their similarity {similarity:.4} is below the story threshold {story_threshold};"
            )
        };
        Verdict {
            same: false,
            reason: format!(
                "in different stories ({} and {}): {own} the mean similarity between the two \
                 stories' members is {between:.4} (pairs under {} counted as 0). {rule}",
                story_id(story_a),
                story_id(story_b),
                score(config.stories.edge_floor() as f64)
            ),
        }
    };

    Explanation {
        a: side(a),
        b: side(b),
        jaccard: score(jaccard_ab),
        minhash_jaccard: score(minhash_jaccard),
        detection_probability: score(detection_probability),
        cosine: score(cosine),
        time_factor: score(time_factor),
        days_apart: days_apart.map(score),
        similarity: score(similarity),
        shared_terms,
        shared_term_count,
        passages,
        duplicate,
        story,
        dup_threshold,
        story_threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Document, Origin};
    use crate::{Config, pipeline::analyse_keeping_texts};

    fn doc(id: &str, title: &str, body: &str) -> Document {
        Document {
            origin: Origin::whole(format!("{id}.txt")),
            ..Document::new(id, title, body)
        }
    }

    const REPORT: &str = "The central bank raised its main interest rate by half a point on \
        Thursday, the largest increase in two decades, saying inflation had spread from energy \
        to food and services and would stay high well into next year.";

    #[test]
    fn a_copy_is_a_duplicate_sharing_its_passage_and_story() {
        let documents = vec![
            doc("a", "Bank raises rates", REPORT),
            doc(
                "b",
                "Bank raises rates sharply",
                &format!("{REPORT} Shares fell."),
            ),
            doc(
                "c",
                "Storm hits coast",
                "A storm brought floods and high winds to the northern coast overnight, \
                 cutting power to thousands of homes and closing the main coastal road.",
            ),
        ];
        let (analysis, prepared) = analyse_keeping_texts(documents, &Config::default());
        let e = explain(&analysis, &prepared, 0, 1, &ExplainOptions::default());
        assert!(e.jaccard >= 0.8 && e.duplicate.same, "{e:?}");
        assert!(
            e.story.same && e.story.reason.contains("always share"),
            "{e:?}"
        );
        assert_eq!(e.passages[0].a, REPORT);
        assert!(e.shared_terms.iter().any(|t| t.term == "central"));
        let sum: f64 = e.shared_terms.iter().map(|t| t.contribution).sum();
        assert!(sum <= e.cosine + 1e-3);

        let e = explain(&analysis, &prepared, 0, 2, &ExplainOptions::default());
        assert!(!e.duplicate.same && e.duplicate.reason.contains("below"));
        assert!(!e.story.same && e.passages.is_empty(), "{e:?}");
        assert!(
            e.story.reason.contains("below the story threshold"),
            "{e:?}"
        );
        // With every shared term listed, their shares add up to the cosine.
        let sum: f64 = e.shared_terms.iter().map(|t| t.contribution).sum();
        assert_eq!(e.shared_terms.len(), e.shared_term_count);
        assert!((sum - e.cosine).abs() < 1e-3, "{sum} vs {}", e.cosine);
    }
}
