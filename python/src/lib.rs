//! The Python extension `story_cluster._story_cluster`: the library's jobs
//! over records handed in as one JSON array (the `story_cluster` package
//! serialises them, so a record is read exactly as a JSON file's item is:
//! same fields, same checks, same dates), with results handed back as the
//! JSON reports the command line writes. The typed Python API is in
//! `story_cluster/__init__.py`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use story_cluster::corpus::{Corpus, ReadOptions, read_bytes};
use story_cluster::report::Report;
use story_cluster::report::dedup::DedupReport;
use story_cluster::sketch::{MinHasher as Hasher, estimate_jaccard};
use story_cluster::{Config, PairSearch, analyse, deduplicate};

/// Where records come from, in messages.
const ORIGIN: &str = "records";

/// Reads a JSON array of records; a bad record is a problem in the report,
/// not an exception.
fn read(records_json: &str) -> Corpus {
    read_bytes(ORIGIN, records_json.as_bytes(), &ReadOptions::default())
}

fn to_json(report: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(report).map_err(|err| PyValueError::new_err(err.to_string()))
}

/// Near-duplicate groups of the records, as the JSON `dedup` report.
#[pyfunction]
#[pyo3(signature = (records_json, threshold))]
fn dedup_json(py: Python<'_>, records_json: &str, threshold: f64) -> PyResult<String> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(PyValueError::new_err("threshold must be in (0, 1]"));
    }
    py.detach(|| {
        let corpus = read(records_json);
        let mut config = Config::default();
        config.dedup.threshold = threshold;
        let analysis = deduplicate(corpus.documents, &config, PairSearch::Lsh);
        to_json(&DedupReport::new(&analysis, &corpus.problems))
    })
}

/// Stories, threads and near-duplicate groups of the records, as the JSON
/// `run` report.
#[pyfunction]
fn analyse_json(py: Python<'_>, records_json: &str) -> PyResult<String> {
    py.detach(|| {
        let corpus = read(records_json);
        if corpus.documents.is_empty() {
            return Err(PyValueError::new_err("no documents to analyse"));
        }
        let analysis = analyse(corpus.documents, &Config::default());
        to_json(&Report::new(&analysis, &corpus.problems))
    })
}

/// MinHash signatures over character shingles, as `dedup` makes them (of
/// the text as given: `dedup` signs its normalised text).
#[pyclass(frozen)]
struct MinHasher {
    hasher: Hasher,
}

#[pymethods]
impl MinHasher {
    #[new]
    #[pyo3(signature = (num_hashes = 128, shingle_chars = 5))]
    fn new(num_hashes: usize, shingle_chars: usize) -> PyResult<Self> {
        if num_hashes == 0 || shingle_chars == 0 {
            return Err(PyValueError::new_err(
                "num_hashes and shingle_chars must be at least 1",
            ));
        }
        Ok(MinHasher {
            hasher: Hasher::new(shingle_chars, num_hashes),
        })
    }

    /// The signature of one text.
    fn signature(&self, text: &str) -> Vec<u32> {
        self.hasher.sign(text)
    }

    /// The signatures of many texts, signed in parallel.
    fn signatures(&self, py: Python<'_>, texts: Vec<String>) -> Vec<Vec<u32>> {
        use rayon::prelude::*;
        py.detach(|| texts.par_iter().map(|t| self.hasher.sign(t)).collect())
    }

    /// The Jaccard similarity two signatures estimate.
    #[staticmethod]
    fn estimate(a: Vec<u32>, b: Vec<u32>) -> PyResult<f64> {
        if a.len() != b.len() {
            return Err(PyValueError::new_err("signatures of different lengths"));
        }
        Ok(estimate_jaccard(&a, &b))
    }
}

#[pymodule]
fn _story_cluster(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dedup_json, m)?)?;
    m.add_function(wrap_pyfunction!(analyse_json, m)?)?;
    m.add_class::<MinHasher>()?;
    Ok(())
}
