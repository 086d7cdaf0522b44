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

/// A near-duplicate threshold, if it is one.
fn checked_threshold(threshold: f64) -> PyResult<f64> {
    match threshold > 0.0 && threshold <= 1.0 {
        true => Ok(threshold),
        false => Err(PyValueError::new_err("threshold must be in (0, 1]")),
    }
}

/// Near-duplicate groups of the records, as the JSON `dedup` report.
#[pyfunction]
#[pyo3(signature = (records_json, threshold))]
fn dedup_json(py: Python<'_>, records_json: &str, threshold: f64) -> PyResult<String> {
    let threshold = checked_threshold(threshold)?;
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

/// The stages of near-duplicate detection for a cluster (see
/// `story_cluster::stage`): each takes and gives Arrow record batches as
/// IPC stream bytes (`story_cluster/stages.py` converts pyarrow batches),
/// and the settings as JSON.
mod stages {
    use super::*;
    use arrow_array::RecordBatch;
    use pyo3::types::PyBytes;
    use story_cluster::stage::arrow as stage_arrow;
    use story_cluster::stage::{self, Settings};

    fn settings(json: &str) -> PyResult<Settings> {
        Settings::from_json(json).map_err(PyValueError::new_err)
    }

    /// Runs `job` on the batch of `ipc` without the GIL; the result as
    /// IPC bytes.
    fn on_batch<'py>(
        py: Python<'py>,
        ipc: &[u8],
        job: impl FnOnce(RecordBatch) -> Result<RecordBatch, String> + Send,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| {
                let batch = stage_arrow::from_ipc(ipc)?;
                stage_arrow::to_ipc(&job(batch)?)
            })
            .map_err(PyValueError::new_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The settings of a run with this threshold, as JSON.
    #[pyfunction]
    pub fn settings_json(threshold: f64) -> PyResult<String> {
        Ok(Settings::for_threshold(checked_threshold(threshold)?).to_json())
    }

    /// Fewest documents holding a boilerplate line.
    #[pyfunction]
    pub fn min_documents(documents: u64, settings_json: &str) -> PyResult<usize> {
        Ok(stage::min_documents(documents, &settings(settings_json)?))
    }

    /// Fewest different heads before a title tail that is a site's name.
    #[pyfunction]
    pub fn site_tail_min_heads() -> usize {
        stage::SITE_TAIL_MIN_HEADS
    }

    #[pyfunction]
    pub fn records<'py>(
        py: Python<'py>,
        ipc: &[u8],
        origin: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        on_batch(py, ipc, |batch| stage_arrow::records(&batch, origin))
    }

    /// Documents of a batch that are documents (rows with a problem are
    /// left to the caller, who reported them).
    fn documents_of(batch: &RecordBatch) -> Result<Vec<story_cluster::corpus::Document>, String> {
        Ok(stage_arrow::documents(batch, "batch", 1)?.0)
    }

    #[pyfunction]
    pub fn lines<'py>(py: Python<'py>, ipc: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        on_batch(py, ipc, |batch| {
            Ok(stage_arrow::lines_batch(&stage::lines(&documents_of(
                &batch,
            )?)))
        })
    }

    #[pyfunction]
    pub fn boilerplate_lines<'py>(
        py: Python<'py>,
        ipc: &[u8],
        documents: u64,
        settings_json: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let settings = settings(settings_json)?;
        on_batch(py, ipc, |batch| {
            stage_arrow::boilerplate_lines(&batch, documents, &settings)
        })
    }

    #[pyfunction]
    pub fn sign<'py>(
        py: Python<'py>,
        ipc: &[u8],
        table_ipc: &[u8],
        settings_json: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let settings = settings(settings_json)?;
        let table = stage_arrow::from_ipc(table_ipc)
            .and_then(|batch| stage_arrow::table_of(&[batch]))
            .map_err(PyValueError::new_err)?;
        on_batch(py, ipc, |batch| {
            let docs = documents_of(&batch)?;
            Ok(stage_arrow::signed_batch(&stage::sign(
                &docs, &table, &settings,
            )))
        })
    }

    #[pyfunction]
    pub fn bucket_pairs<'py>(py: Python<'py>, ipc: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        on_batch(py, ipc, |batch| stage_arrow::bucket_pairs(&batch))
    }

    #[pyfunction]
    #[pyo3(signature = (ipc, settings_json, all = false))]
    pub fn verify<'py>(
        py: Python<'py>,
        ipc: &[u8],
        settings_json: &str,
        all: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let settings = settings(settings_json)?;
        on_batch(py, ipc, |batch| stage_arrow::verify(&batch, &settings, all))
    }

    #[pyfunction]
    pub fn group<'py>(
        py: Python<'py>,
        verified_ipc: &[u8],
        signed_ipc: &[u8],
        settings_json: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let settings = settings(settings_json)?;
        let signed = stage_arrow::from_ipc(signed_ipc)
            .and_then(|batch| stage_arrow::signed_rows(&batch))
            .map_err(PyValueError::new_err)?;
        on_batch(py, verified_ipc, |batch| {
            let pairs = stage_arrow::verified_of(&batch)?;
            let members = stage::group(&pairs, &signed, &settings)?;
            Ok(stage_arrow::members_batch(&members))
        })
    }

    #[pyfunction]
    #[pyo3(signature = (members_ipc, jsonl = false))]
    pub fn report<'py>(
        py: Python<'py>,
        members_ipc: &[u8],
        jsonl: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| {
                let members = stage_arrow::from_ipc(members_ipc)
                    .and_then(|batch| stage_arrow::members_of(&batch))?;
                let mut out = Vec::new();
                stage::write_report(members, jsonl, &mut out).map_err(|err| err.to_string())?;
                Ok::<_, String>(out)
            })
            .map_err(PyValueError::new_err)?;
        Ok(PyBytes::new(py, &bytes))
    }
}

#[pymodule]
fn _story_cluster(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dedup_json, m)?)?;
    m.add_function(wrap_pyfunction!(analyse_json, m)?)?;
    let stages_module = PyModule::new(m.py(), "stages")?;
    for function in [
        wrap_pyfunction!(stages::settings_json, &stages_module)?,
        wrap_pyfunction!(stages::min_documents, &stages_module)?,
        wrap_pyfunction!(stages::site_tail_min_heads, &stages_module)?,
        wrap_pyfunction!(stages::records, &stages_module)?,
        wrap_pyfunction!(stages::lines, &stages_module)?,
        wrap_pyfunction!(stages::boilerplate_lines, &stages_module)?,
        wrap_pyfunction!(stages::sign, &stages_module)?,
        wrap_pyfunction!(stages::bucket_pairs, &stages_module)?,
        wrap_pyfunction!(stages::verify, &stages_module)?,
        wrap_pyfunction!(stages::group, &stages_module)?,
        wrap_pyfunction!(stages::report, &stages_module)?,
    ] {
        stages_module.add_function(function)?;
    }
    m.add_submodule(&stages_module)?;
    m.add_class::<MinHasher>()?;
    Ok(())
}
