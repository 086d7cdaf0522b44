//! What the index keeps in memory between items: document frequencies (for
//! idf) and the story centroids with an inverted index over their terms, so
//! that scoring an item against every story touches only the stories that
//! share a term with it. Loaded from the database, and reloaded when another
//! connection has written to it.

use crate::story::TimeDecay;
use crate::text::script::Script;
use crate::vector::tfidf::idf;
use ahash::AHashMap;
use rusqlite::Connection;

/// A sparse vector over the in-memory term ids, sorted by id.
pub type Vector = Vec<(u32, f32)>;

/// One story as scoring needs it.
#[derive(Clone, Debug)]
pub struct StoryState {
    /// The story's id in the database.
    pub id: i64,
    /// Members that are not near-duplicates of another member.
    pub unique_items: u32,
    /// Sum of those members' unit vectors, whole: cut to its 128 heaviest
    /// terms it split the Kerry pair of the seeds (004's similarity to 003
    /// fell from 0.212 to 0.162).
    pub centroid: Vector,
    /// Earliest and latest member time (Unix seconds), when dated.
    pub span: Option<(i64, i64)>,
}

impl StoryState {
    /// How much of an item's similarity to this story time leaves: none
    /// lost inside the story's span, else as for the nearest member.
    pub fn time_factor(&self, time: Option<i64>, decay: &TimeDecay) -> f32 {
        match (time, self.span) {
            (Some(t), Some((first, _))) if t < first => decay.factor(Some(t), Some(first)),
            (Some(t), Some((_, last))) if t > last => decay.factor(Some(t), Some(last)),
            _ => 1.0,
        }
    }
}

/// In-memory state of the index.
#[derive(Debug, Default)]
pub struct State {
    ids: AHashMap<String, u32>,
    terms: Vec<String>,
    df: Vec<u32>,
    documents_in: [u32; Script::COUNT],
    stories: Vec<StoryState>,
    /// Per story slot, 1 / its unique members: scoring reads this dense
    /// array, not every touched story's state.
    member_share: Vec<f32>,
    slot_of: AHashMap<i64, usize>,
    /// Per term id: (story slot, centroid weight).
    postings: Vec<Vec<(u32, f32)>>,
    /// Hashes of boilerplate lines, sorted, as the last settle found them.
    boilerplate: Vec<u64>,
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
        let mut stories =
            conn.prepare("SELECT id, unique_items, centroid, first_time, last_time FROM stories")?;
        let mut rows = stories.query([])?;
        while let Some(row) = rows.next()? {
            let centroid = state.intern_json(row.get_ref(2)?.as_str()?);
            let span = match (row.get(3)?, row.get(4)?) {
                (Some(first), Some(last)) => Some((first, last)),
                _ => None,
            };
            state.put_story(StoryState {
                id: row.get(0)?,
                unique_items: row.get(1)?,
                centroid,
                span,
            });
        }
        let mut boilerplate = conn.prepare("SELECT hash FROM boilerplate ORDER BY hash")?;
        state.boilerplate = boilerplate
            .query_map([], |r| r.get::<_, i64>(0).map(|h| h as u64))?
            .collect::<rusqlite::Result<_>>()?;
        state.boilerplate.sort_unstable();
        Ok(state)
    }

    /// Hashes of boilerplate lines, sorted.
    pub fn boilerplate(&self) -> &[u64] {
        &self.boilerplate
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
    /// with the current document frequencies, over the terms already
    /// known: a term no stored document holds is in no story either, so it
    /// only counts in the length (as [`State::intern_vector`] counts it).
    pub fn vector(&self, term_weights: &[(&str, f32)]) -> Vector {
        let mut norm = 0f32;
        let mut v: Vector = Vec::with_capacity(term_weights.len());
        for &(term, weight) in term_weights {
            let id = self.ids.get(term).copied();
            let df = id.map_or(0, |id| self.df[id as usize]);
            let w = weight * idf(df, self.documents_in[Script::of(term).index()]);
            norm += w * w;
            if let Some(id) = id {
                v.push((id, w));
            }
        }
        normalised(v, norm)
    }

    /// [`State::vector`] over every term, adding the unknown ones (for an
    /// item about to be stored).
    pub fn intern_vector(&mut self, term_weights: &[(&str, f32)]) -> Vector {
        let mut norm = 0f32;
        let mut v: Vector = Vec::with_capacity(term_weights.len());
        for &(term, weight) in term_weights {
            let id = self.term_id(term);
            let n = self.documents_in[Script::of(term).index()];
            let w = weight * idf(self.df[id as usize], n);
            norm += w * w;
            v.push((id, w));
        }
        normalised(v, norm)
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

    /// The entries of `vector` whose terms are in at most `max_posting`
    /// stored documents. Similarities skip the others, as `run`'s
    /// neighbour search does ([`crate::story::neighbours`]): their idf
    /// makes their share of a cosine small, and their postings, holding
    /// most stories, would dominate the cost (a check on an index of
    /// 100,000 generated items took 1.4 ms with them).
    pub fn distinctive(&self, vector: &Vector, max_posting: usize) -> Vector {
        vector
            .iter()
            .filter(|&&(id, _)| self.df[id as usize] as usize <= max_posting)
            .copied()
            .collect()
    }

    /// The story most similar to an item (its [`State::distinctive`]
    /// `vector` and `time`) on average over its members, time counted, with
    /// that similarity, if any story shares a term with it.
    pub fn best_story(
        &self,
        vector: &Vector,
        time: Option<i64>,
        decay: &TimeDecay,
    ) -> Option<(&StoryState, f32)> {
        let mut sums = vec![0f32; self.stories.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &(id, weight) in vector {
            for &(slot, centroid_weight) in &self.postings[id as usize] {
                let sum = &mut sums[slot as usize];
                if *sum == 0.0 {
                    touched.push(slot);
                }
                *sum += weight * centroid_weight;
            }
        }
        // Time only lowers a score, so a story whose mean before time
        // cannot beat the best so far is passed over without reading its
        // state (most touched stories share one minor term).
        let mut best: Option<(&StoryState, f32)> = None;
        for slot in touched {
            let mean = sums[slot as usize] * self.member_share[slot as usize];
            if best.is_some_and(|(_, b)| mean < b) {
                continue;
            }
            let story = &self.stories[slot as usize];
            let score = mean * story.time_factor(time, decay);
            // Ties go to the older story.
            let better = match best {
                None => true,
                Some((held, b)) => score > b || (score == b && story.id < held.id),
            };
            if better {
                best = Some((story, score));
            }
        }
        best
    }

    /// Mean similarity of an item to the members of story `id`, time
    /// counted.
    pub fn similarity(
        &self,
        vector: &Vector,
        time: Option<i64>,
        decay: &TimeDecay,
        id: i64,
    ) -> Option<f32> {
        let story = &self.stories[*self.slot_of.get(&id)?];
        let mean = dot(vector, &story.centroid) / story.unique_items.max(1) as f32;
        Some(mean * story.time_factor(time, decay))
    }

    /// A story's state, if known.
    pub fn story(&self, id: i64) -> Option<&StoryState> {
        self.slot_of.get(&id).map(|&slot| &self.stories[slot])
    }

    /// Adds or replaces a story. Postings stay sorted by slot, so that a
    /// story's entries are found by binary search and changed in place: a
    /// writer updating a large story holds the write lock for microseconds,
    /// not for a scan of every posting list its terms are in.
    pub fn put_story(&mut self, story: StoryState) {
        let slot = match self.slot_of.get(&story.id) {
            Some(&slot) => slot,
            None => {
                self.stories.push(StoryState {
                    id: story.id,
                    unique_items: 0,
                    centroid: Vec::new(),
                    span: None,
                });
                self.member_share.push(0.0);
                self.slot_of.insert(story.id, self.stories.len() - 1);
                self.stories.len() - 1
            }
        } as u32;
        self.member_share[slot as usize] = 1.0 / story.unique_items.max(1) as f32;
        let position = |postings: &[(u32, f32)]| postings.binary_search_by_key(&slot, |p| p.0);
        // Terms the new centroid lacks (both centroids are sorted by term).
        let old = std::mem::take(&mut self.stories[slot as usize].centroid);
        let mut new_terms = story.centroid.iter().map(|e| e.0).peekable();
        for &(term, _) in &old {
            while new_terms.next_if(|&t| t < term).is_some() {}
            if new_terms.peek() != Some(&term) {
                let postings = &mut self.postings[term as usize];
                if let Ok(at) = position(postings) {
                    postings.remove(at);
                }
            }
        }
        for &(term, weight) in &story.centroid {
            let postings = &mut self.postings[term as usize];
            // The newest story's entries go last (every story, on a load).
            if postings.last().is_none_or(|p| p.0 < slot) {
                postings.push((slot, weight));
                continue;
            }
            match position(postings) {
                Ok(at) => postings[at].1 = weight,
                Err(at) => postings.insert(at, (slot, weight)),
            }
        }
        self.stories[slot as usize] = story;
    }

    /// A stored vector read back, its unknown terms added.
    fn intern_json(&mut self, json: &str) -> Vector {
        // Terms borrowed from the text (a large index holds millions of
        // centroid entries); owned only when one needs unescaping.
        let mut v: Vector = match serde_json::from_str::<Vec<(&str, f32)>>(json) {
            Ok(entries) => entries
                .iter()
                .map(|&(term, w)| (self.term_id(term), w))
                .collect(),
            Err(_) => serde_json::from_str::<Vec<(String, f32)>>(json)
                .unwrap_or_default()
                .iter()
                .map(|(term, w)| (self.term_id(term), *w))
                .collect(),
        };
        v.sort_unstable_by_key(|e| e.0);
        v
    }

    /// A vector as stored: JSON `[[term, weight], ...]`.
    pub fn vector_to_json(&self, vector: &Vector) -> String {
        let entries: Vec<(&str, f32)> = vector
            .iter()
            .map(|&(id, w)| (self.terms[id as usize].as_str(), w))
            .collect();
        serde_json::to_string(&entries).expect("vectors serialise")
    }
}

/// `v` sorted by id and divided by √`squared_norm`.
fn normalised(mut v: Vector, squared_norm: f32) -> Vector {
    v.sort_unstable_by_key(|e| e.0);
    let norm = squared_norm.sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|e| e.1 /= norm);
    }
    v
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

/// `sum + vector`, both sorted by id.
pub fn add(sum: &Vector, vector: &Vector) -> Vector {
    let mut merged: Vector = Vec::with_capacity(sum.len() + vector.len());
    let (mut i, mut j) = (0, 0);
    while i < sum.len() || j < vector.len() {
        let next = match (sum.get(i), vector.get(j)) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                i += 1;
                j += 1;
                (a.0, a.1 + b.1)
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                i += 1;
                *a
            }
            (Some(a), None) => {
                i += 1;
                *a
            }
            (_, Some(b)) => {
                j += 1;
                *b
            }
            (None, None) => unreachable!("the loop condition"),
        };
        merged.push(next);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centroids_add() {
        let a: Vector = vec![(1, 0.5), (3, 0.5)];
        let b: Vector = vec![(2, 0.25), (3, 0.25), (4, 1.0)];
        assert_eq!(add(&a, &b), vec![(1, 0.5), (2, 0.25), (3, 0.75), (4, 1.0)]);
        assert_eq!(add(&b, &a), add(&a, &b));
        assert_eq!(add(&a, &Vec::new()), a);
    }

    fn story(id: i64, unique_items: u32, centroid: Vector) -> StoryState {
        StoryState {
            id,
            unique_items,
            centroid,
            span: None,
        }
    }

    #[test]
    fn common_terms_do_not_count() {
        let mut state = State::default();
        let rare = state.term_id("kerry");
        let common = state.term_id("said");
        state.df[rare as usize] = 3;
        state.df[common as usize] = 5000;
        let v: Vector = vec![(rare, 0.6), (common, 0.8)];
        assert_eq!(state.distinctive(&v, 2000), vec![(rare, 0.6)]);
        assert_eq!(state.distinctive(&v, 5000), v);
    }

    #[test]
    fn time_outside_a_story_span_lowers_similarity() {
        let decay = TimeDecay::default();
        let mut s = story(1, 1, vec![]);
        s.span = Some((0, 10 * 86_400));
        assert_eq!(s.time_factor(Some(5 * 86_400), &decay), 1.0);
        assert_eq!(s.time_factor(None, &decay), 1.0);
        let after = s.time_factor(Some(20 * 86_400), &decay);
        let before = s.time_factor(Some(-10 * 86_400), &decay);
        assert!(after < 1.0 && (after - before).abs() < 1e-6);
    }

    #[test]
    fn best_story_is_the_mean_similarity() {
        let mut state = State::default();
        let x = state.term_id("kerry");
        let y = state.term_id("putin");
        let z = state.term_id("football");
        state.put_story(story(1, 2, vec![(x, 1.6), (y, 0.8)]));
        state.put_story(story(2, 1, vec![(z, 1.0)]));
        let item: Vector = vec![(x, 0.6), (y, 0.8)];
        let decay = TimeDecay::default();
        let (found, score) = state.best_story(&item, None, &decay).unwrap();
        assert_eq!(found.id, 1);
        assert!((score - (0.96 + 0.64) / 2.0).abs() < 1e-6);
        // Replacing a centroid replaces its postings.
        state.put_story(story(1, 1, vec![(z, 1.0)]));
        assert!(state.best_story(&item, None, &decay).is_none());
    }

    #[test]
    fn postings_follow_every_update_of_a_story() {
        // Random stories, replaced many times: scoring through the postings
        // must equal the mean dot product with each centroid.
        let mut state = State::default();
        let terms: Vec<u32> = (0..40).map(|t| state.term_id(&format!("t{t}"))).collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let centroid = |next: &mut dyn FnMut() -> u64| -> Vector {
            let mut v: Vector = Vec::new();
            for &t in &terms {
                if next().is_multiple_of(4) {
                    v.push((t, (next() % 100) as f32 / 100.0 + 0.01));
                }
            }
            v
        };
        let decay = TimeDecay::default();
        for round in 0..300 {
            let id = (next() % 12) as i64;
            state.put_story(story(id, 1 + (round % 3), centroid(&mut next)));
            let item = centroid(&mut next);
            let expected = state
                .stories
                .iter()
                .map(|s| dot(&item, &s.centroid) / s.unique_items as f32)
                .filter(|&score| score > 0.0)
                .fold(None, |best: Option<f32>, s| {
                    Some(best.map_or(s, |b| b.max(s)))
                });
            let found = state.best_story(&item, None, &decay).map(|(_, s)| s);
            match (expected, found) {
                (Some(e), Some(f)) => assert!((e - f).abs() < 1e-4, "round {round}: {e} {f}"),
                (e, f) => assert_eq!(e.is_some(), f.is_some(), "round {round}"),
            }
            for postings in &state.postings {
                assert!(postings.windows(2).all(|w| w[0].0 < w[1].0));
            }
        }
    }
}
