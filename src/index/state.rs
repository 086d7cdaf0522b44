//! What the index keeps in memory between items: document frequencies (for
//! idf) and the story centroids with an inverted index over their terms, so
//! that scoring an item against every story touches only the stories that
//! share a term with it. Loaded from the database, and reloaded when another
//! connection has written to it.

use crate::text::script::Script;
use crate::vector::tfidf::idf;
use ahash::AHashMap;
use rusqlite::Connection;

/// Terms a story centroid keeps (its heaviest): bounds memory and the
/// postings an item walks, at a small cost in similarity precision.
pub const CENTROID_TERMS: usize = 128;

/// A sparse vector over the in-memory term ids, sorted by id.
pub type Vector = Vec<(u32, f32)>;

/// One story as scoring needs it.
#[derive(Clone, Debug)]
pub struct StoryState {
    /// The story's id in the database.
    pub id: i64,
    /// Members that are not near-duplicates of another member.
    pub unique_items: u32,
    /// Sum of those members' unit vectors, truncated to [`CENTROID_TERMS`].
    pub centroid: Vector,
}

/// In-memory state of the index.
#[derive(Debug, Default)]
pub struct State {
    ids: AHashMap<String, u32>,
    terms: Vec<String>,
    df: Vec<u32>,
    documents_in: [u32; Script::COUNT],
    stories: Vec<StoryState>,
    slot_of: AHashMap<i64, usize>,
    /// Per term id: (story slot, centroid weight).
    postings: Vec<Vec<(u32, f32)>>,
}

impl State {
    /// Reads document frequencies and stories from the database.
    pub fn load(conn: &Connection) -> rusqlite::Result<State> {
        let mut state = State::default();
        let mut terms = conn.prepare("SELECT term, df FROM terms")?;
        let mut rows = terms.query([])?;
        while let Some(row) = rows.next()? {
            let term: String = row.get(0)?;
            let id = state.term_id(&term);
            state.df[id as usize] = row.get(1)?;
        }
        let mut scripts = conn.prepare("SELECT script, documents FROM scripts")?;
        let mut rows = scripts.query([])?;
        while let Some(row) = rows.next()? {
            let script: i64 = row.get(0)?;
            if (0..Script::COUNT as i64).contains(&script) {
                state.documents_in[script as usize] = row.get(1)?;
            }
        }
        let mut stories = conn.prepare("SELECT id, unique_items, centroid FROM stories")?;
        let mut rows = stories.query([])?;
        while let Some(row) = rows.next()? {
            let centroid: String = row.get(2)?;
            let centroid = state.vector_from_json(&centroid);
            state.put_story(row.get(0)?, row.get(1)?, centroid);
        }
        Ok(state)
    }

    /// The id of a term, adding it (with no documents yet) if new.
    pub fn term_id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.ids.insert(term.to_owned(), id);
        self.terms.push(term.to_owned());
        self.df.push(0);
        self.postings.push(Vec::new());
        id
    }

    /// The unit TF-IDF vector of a document's term weights (before idf),
    /// with the current document frequencies.
    pub fn vector(&mut self, term_weights: &[(&str, f32)]) -> Vector {
        let mut v: Vector = term_weights
            .iter()
            .map(|&(term, weight)| {
                let id = self.term_id(term);
                let n = self.documents_in[Script::of(term).index()];
                (id, weight * idf(self.df[id as usize], n))
            })
            .collect();
        v.sort_unstable_by_key(|e| e.0);
        let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|e| e.1 /= norm);
        }
        v
    }

    /// Counts a stored document's terms (and the scripts it is written in).
    pub fn count_document(&mut self, vector: &Vector) {
        let mut seen = [false; Script::COUNT];
        for &(id, _) in vector {
            self.df[id as usize] += 1;
            seen[Script::of(&self.terms[id as usize]).index()] = true;
        }
        for (count, seen) in self.documents_in.iter_mut().zip(seen) {
            *count += seen as u32;
        }
    }

    /// Script indices a vector's terms are written in.
    pub fn scripts_of(&self, vector: &Vector) -> Vec<usize> {
        let mut seen = [false; Script::COUNT];
        for &(id, _) in vector {
            seen[Script::of(&self.terms[id as usize]).index()] = true;
        }
        (0..Script::COUNT).filter(|&s| seen[s]).collect()
    }

    /// The term string of an id.
    pub fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// The story most similar to `vector` on average over its members, with
    /// that similarity, if any story shares a term with it.
    pub fn best_story(&self, vector: &Vector) -> Option<(i64, f32)> {
        let mut sums: AHashMap<u32, f32> = AHashMap::new();
        for &(id, weight) in vector {
            for &(slot, centroid_weight) in &self.postings[id as usize] {
                *sums.entry(slot).or_default() += weight * centroid_weight;
            }
        }
        sums.into_iter()
            .map(|(slot, sum)| {
                let story = &self.stories[slot as usize];
                (story.id, sum / story.unique_items.max(1) as f32)
            })
            // Ties go to the older story.
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    /// Mean similarity of `vector` to the members of story `id`.
    pub fn similarity(&self, vector: &Vector, id: i64) -> Option<f32> {
        let story = &self.stories[*self.slot_of.get(&id)?];
        Some(dot(vector, &story.centroid) / story.unique_items.max(1) as f32)
    }

    /// A story's state, if known.
    pub fn story(&self, id: i64) -> Option<&StoryState> {
        self.slot_of.get(&id).map(|&slot| &self.stories[slot])
    }

    /// Adds or replaces a story's centroid and count.
    pub fn put_story(&mut self, id: i64, unique_items: u32, centroid: Vector) {
        let slot = match self.slot_of.get(&id) {
            Some(&slot) => {
                for &(term, _) in &self.stories[slot].centroid {
                    self.postings[term as usize].retain(|p| p.0 != slot as u32);
                }
                slot
            }
            None => {
                self.stories.push(StoryState {
                    id,
                    unique_items: 0,
                    centroid: Vec::new(),
                });
                self.slot_of.insert(id, self.stories.len() - 1);
                self.stories.len() - 1
            }
        };
        for &(term, weight) in &centroid {
            self.postings[term as usize].push((slot as u32, weight));
        }
        self.stories[slot] = StoryState {
            id,
            unique_items,
            centroid,
        };
    }

    /// A vector as stored: JSON `[[term, weight], ...]`.
    pub fn vector_to_json(&self, vector: &Vector) -> String {
        let entries: Vec<(&str, f32)> = vector
            .iter()
            .map(|&(id, w)| (self.terms[id as usize].as_str(), w))
            .collect();
        serde_json::to_string(&entries).expect("vectors serialise")
    }

    /// A stored vector read back (unknown terms are added).
    pub fn vector_from_json(&mut self, json: &str) -> Vector {
        let entries: Vec<(String, f32)> = serde_json::from_str(json).unwrap_or_default();
        let mut v: Vector = entries
            .iter()
            .map(|(term, w)| (self.term_id(term), *w))
            .collect();
        v.sort_unstable_by_key(|e| e.0);
        v
    }
}

/// Dot product of two sorted sparse vectors.
pub fn dot(a: &Vector, b: &Vector) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// `sum + vector`, keeping the [`CENTROID_TERMS`] heaviest terms.
pub fn add_truncated(sum: &Vector, vector: &Vector) -> Vector {
    let mut all: Vector = sum.iter().chain(vector).copied().collect();
    all.sort_unstable_by_key(|e| e.0);
    let mut merged: Vector = Vec::with_capacity(all.len());
    for (id, w) in all {
        match merged.last_mut() {
            Some(last) if last.0 == id => last.1 += w,
            _ => merged.push((id, w)),
        }
    }
    truncate(merged)
}

/// Keeps the [`CENTROID_TERMS`] heaviest terms (ties by id), sorted by id.
pub fn truncate(mut v: Vector) -> Vector {
    if v.len() > CENTROID_TERMS {
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(CENTROID_TERMS);
        v.sort_unstable_by_key(|e| e.0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centroids_add_and_truncate() {
        let a: Vector = vec![(1, 0.5), (3, 0.5)];
        let b: Vector = vec![(2, 0.25), (3, 0.25)];
        assert_eq!(add_truncated(&a, &b), vec![(1, 0.5), (2, 0.25), (3, 0.75)]);
        let long: Vector = (0..300).map(|i| (i, i as f32)).collect();
        let kept = truncate(long);
        assert_eq!(kept.len(), CENTROID_TERMS);
        assert_eq!(kept[0].0, 300 - CENTROID_TERMS as u32);
    }

    #[test]
    fn best_story_is_the_mean_similarity() {
        let mut state = State::default();
        let x = state.term_id("kerry");
        let y = state.term_id("putin");
        let z = state.term_id("football");
        state.put_story(1, 2, vec![(x, 1.6), (y, 0.8)]);
        state.put_story(2, 1, vec![(z, 1.0)]);
        let item: Vector = vec![(x, 0.6), (y, 0.8)];
        let (story, score) = state.best_story(&item).unwrap();
        assert_eq!(story, 1);
        assert!((score - (0.96 + 0.64) / 2.0).abs() < 1e-6);
        // Replacing a centroid replaces its postings.
        state.put_story(1, 1, vec![(z, 1.0)]);
        assert_eq!(state.best_story(&item), None);
    }
}
