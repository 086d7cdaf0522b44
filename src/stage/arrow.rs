//! The stages' rows as Arrow record batches (what a cluster engine hands a
//! task: Spark's `mapInArrow`, Ray's `map_batches`) and as Parquet files
//! (the file boundary between stages, each file carrying its stage's name
//! and [`Settings`] in its metadata).
//!
//! Only types every engine has are used: strings, 64-bit integers (hashes
//! are stored bit for bit in signed ones: Spark has no unsigned type),
//! doubles, binary and lists. Input columns of a wider kind (large
//! strings, large lists, string views) are read too.

use super::{Boilerplate, LineRow, Member, Settings, SignedRow, VerifiedPair};
use crate::corpus::Document;
use crate::error::InputProblem;
use arrow_array::builder::{Int64Builder, ListBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Metadata key of the settings a stage file was made with.
pub const SETTINGS_KEY: &str = "story_cluster.settings";
/// Metadata key of the stage that made a file.
pub const STAGE_KEY: &str = "story_cluster.stage";

/// The stages, by the name their files carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Per document: line hashes, title tails, body signature.
    Lines,
    /// The corpus' boilerplate lines and site names.
    Boilerplate,
    /// Per document: prepared text and band keys.
    Sign,
    /// Candidate pairs.
    Candidates,
    /// Verified pairs.
    Verify,
}

impl Stage {
    /// The name in a file's metadata.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Lines => "lines",
            Stage::Boilerplate => "boilerplate",
            Stage::Sign => "sign",
            Stage::Candidates => "candidates",
            Stage::Verify => "verify",
        }
    }

    /// The schema of the stage's rows.
    pub fn schema(self) -> SchemaRef {
        let list = |name: &str| Field::new(name, hash_list_type(), false);
        let text = |name: &str| Field::new(name, DataType::Utf8, false);
        Arc::new(Schema::new(match self {
            Stage::Lines => vec![
                text("id"),
                list("lines"),
                list("tails"),
                list("heads"),
                Field::new("body_signature", DataType::Binary, false),
            ],
            Stage::Boilerplate => vec![text("kind"), Field::new("hash", DataType::Int64, false)],
            Stage::Sign => vec![
                text("id"),
                Field::new("time", DataType::Int64, true),
                text("text"),
                list("keys"),
            ],
            Stage::Candidates => vec![text("a"), text("b")],
            Stage::Verify => vec![
                text("a"),
                text("b"),
                Field::new("jaccard", DataType::Float64, false),
            ],
        }))
    }
}

/// The schema of the group stage's members.
pub fn members_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("representative", DataType::Utf8, false),
        Field::new("jaccard", DataType::Float64, false),
    ]))
}

/// A column of `batch` as `to` (cast from a wider kind of the same values).
fn column(batch: &RecordBatch, name: &str, to: &DataType) -> Result<ArrayRef, String> {
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| format!("no column `{name}`"))?;
    if array.data_type() == to {
        return Ok(Arc::clone(array));
    }
    arrow_cast::cast(array, to)
        .map_err(|err| format!("column `{name}` holds {}: {err}", array.data_type()))
}

fn strings(batch: &RecordBatch, name: &str) -> Result<Vec<String>, String> {
    let array = column(batch, name, &DataType::Utf8)?;
    let array = array.as_string::<i32>();
    if array.null_count() > 0 {
        return Err(format!("column `{name}` holds nulls"));
    }
    Ok(array.iter().map(|s| s.unwrap_or("").to_owned()).collect())
}

/// The items of a list of hashes (as Arrow and Spark name them).
fn hash_item() -> Field {
    Field::new("item", DataType::Int64, true)
}

fn hash_list_type() -> DataType {
    DataType::List(Arc::new(hash_item()))
}

fn hash_lists(batch: &RecordBatch, name: &str) -> Result<Vec<Vec<u64>>, String> {
    let array = column(batch, name, &hash_list_type())?;
    Ok(array
        .as_list::<i32>()
        .iter()
        .map(|list| {
            list.map(|values| {
                values
                    .as_primitive::<Int64Type>()
                    .iter()
                    .flatten()
                    .map(|v| v as u64)
                    .collect()
            })
            .unwrap_or_default()
        })
        .collect())
}

fn hash_list_array<L: IntoIterator<Item = u64>>(lists: impl Iterator<Item = L>) -> ArrayRef {
    let mut builder = ListBuilder::new(Int64Builder::new()).with_field(hash_item());
    for list in lists {
        builder
            .values()
            .extend(list.into_iter().map(|h| Some(h as i64)));
        builder.append(true);
    }
    Arc::new(builder.finish())
}

fn batch(stage_schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(stage_schema, columns).expect("columns of the stage's schema")
}

fn string_array<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<StringArray>())
}

/// The documents of a batch of corpus rows (columns `id`, `text` and the
/// optional `title`, `date`, `url`, `source`, as a Parquet corpus has),
/// whose first row is row `first_row` of `origin`; rows that are no
/// document come back as problems naming them.
pub fn documents(
    batch: &RecordBatch,
    origin: &str,
    first_row: usize,
) -> Result<(Vec<Document>, Vec<InputProblem>), String> {
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let limit = crate::corpus::ReadOptions::default().max_document_bytes;
    crate::corpus::parquet::documents_of_batch(
        batch,
        &origin.into(),
        first_row,
        limit,
        &mut docs,
        &mut problems,
    )?;
    Ok((docs, problems))
}

/// Lines stage rows as a batch.
pub fn lines_batch(rows: &[LineRow]) -> RecordBatch {
    let signatures: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| {
            r.body_signature
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect()
        })
        .collect();
    batch(
        Stage::Lines.schema(),
        vec![
            string_array(rows.iter().map(|r| r.id.as_str())),
            hash_list_array(rows.iter().map(|r| r.lines.iter().copied())),
            hash_list_array(rows.iter().map(|r| r.tails.iter().map(|t| t.0))),
            hash_list_array(rows.iter().map(|r| r.tails.iter().map(|t| t.1))),
            Arc::new(BinaryArray::from_iter_values(signatures.iter())),
        ],
    )
}

fn signature_of(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The lines stage rows of a batch.
pub fn lines_rows(batch: &RecordBatch) -> Result<Vec<LineRow>, String> {
    let ids = strings(batch, "id")?;
    let lines = hash_lists(batch, "lines")?;
    let tails = hash_lists(batch, "tails")?;
    let heads = hash_lists(batch, "heads")?;
    let signatures = column(batch, "body_signature", &DataType::Binary)?;
    let signatures = signatures.as_binary::<i32>();
    Ok(ids
        .into_iter()
        .zip(lines)
        .zip(tails.into_iter().zip(heads))
        .enumerate()
        .map(|(i, ((id, lines), (tails, heads)))| LineRow {
            id,
            lines,
            tails: tails.into_iter().zip(heads).collect(),
            body_signature: signature_of(signatures.value(i)),
        })
        .collect())
}

/// The boilerplate table as a batch: one row per line (`kind` "line") and
/// per site name (`kind` "site_tail").
pub fn table_batch(table: &Boilerplate) -> RecordBatch {
    let kinds = table
        .lines
        .iter()
        .map(|_| "line")
        .chain(table.site_tails.iter().map(|_| "site_tail"));
    let hashes = table
        .lines
        .iter()
        .chain(&table.site_tails)
        .map(|&h| h as i64);
    batch(
        Stage::Boilerplate.schema(),
        vec![
            string_array(kinds),
            Arc::new(hashes.collect::<Int64Array>()),
        ],
    )
}

/// The boilerplate table of the batches [`table_batch`] made (or a cluster
/// made with the same columns).
pub fn table_of(batches: &[RecordBatch]) -> Result<Boilerplate, String> {
    let mut table = Boilerplate::default();
    for batch in batches {
        let kinds = strings(batch, "kind")?;
        let hashes = column(batch, "hash", &DataType::Int64)?;
        let hashes = hashes.as_primitive::<Int64Type>();
        for (kind, hash) in kinds.iter().zip(hashes.iter()) {
            let hash = hash.ok_or("column `hash` holds nulls")? as u64;
            match kind.as_str() {
                "line" => table.lines.push(hash),
                "site_tail" => table.site_tails.push(hash),
                other => return Err(format!("unknown kind `{other}` in a boilerplate table")),
            }
        }
    }
    table.lines.sort_unstable();
    table.lines.dedup();
    table.site_tails.sort_unstable();
    table.site_tails.dedup();
    Ok(table)
}

/// The boilerplate decision on a cluster, per line: a batch with a `line`
/// (hash) and its `holders`, a list of structs with `id` and
/// `body_signature` (every document holding the line, as Spark's
/// `collect_list(struct(...))` gives them); returns the `line`s that are
/// boilerplate in a corpus of `documents`.
pub fn boilerplate_lines(
    batch: &RecordBatch,
    documents: u64,
    settings: &Settings,
) -> Result<RecordBatch, String> {
    let lines = column(batch, "line", &DataType::Int64)?;
    let lines = lines.as_primitive::<Int64Type>();
    let holders = batch
        .column_by_name("holders")
        .ok_or("no column `holders`")?;
    let holders = arrow_cast::cast(
        holders,
        &DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(
                vec![
                    Field::new("id", DataType::Utf8, true),
                    Field::new("body_signature", DataType::Binary, true),
                ]
                .into(),
            ),
            true,
        ))),
    )
    .map_err(|err| format!("column `holders`: {err}"))?;
    let holders = holders.as_list::<i32>();
    let mut kept = Vec::new();
    for row in 0..batch.num_rows() {
        let structs = holders.value(row);
        let structs = structs.as_struct();
        let ids = structs.column(0).as_string::<i32>();
        let signatures = structs.column(1).as_binary::<i32>();
        let signatures: Vec<Vec<u32>> = (0..structs.len())
            .map(|i| signature_of(signatures.value(i)))
            .collect();
        let mut pairs: Vec<(&str, &[u32])> = (0..structs.len())
            .map(|i| (ids.value(i), signatures[i].as_slice()))
            .collect();
        if super::is_boilerplate_line(&mut pairs, documents, settings) {
            kept.push(lines.value(row));
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "line",
            DataType::Int64,
            false,
        )])),
        vec![Arc::new(Int64Array::from(kept))],
    )
    .expect("one column"))
}

/// Sign stage rows as a batch.
pub fn signed_batch(rows: &[SignedRow]) -> RecordBatch {
    batch(
        Stage::Sign.schema(),
        vec![
            string_array(rows.iter().map(|r| r.id.as_str())),
            Arc::new(rows.iter().map(|r| r.time).collect::<Int64Array>()),
            string_array(rows.iter().map(|r| r.text.as_str())),
            hash_list_array(rows.iter().map(|r| r.keys.iter().copied())),
        ],
    )
}

/// The sign stage rows of a batch.
pub fn signed_rows(batch: &RecordBatch) -> Result<Vec<SignedRow>, String> {
    let ids = strings(batch, "id")?;
    let times = column(batch, "time", &DataType::Int64)?;
    let times = times.as_primitive::<Int64Type>();
    let texts = strings(batch, "text")?;
    let keys = hash_lists(batch, "keys")?;
    Ok(ids
        .into_iter()
        .zip(texts)
        .zip(keys)
        .enumerate()
        .map(|(i, ((id, text), keys))| SignedRow {
            id,
            time: times.is_valid(i).then(|| times.value(i)),
            text,
            keys,
        })
        .collect())
}

/// Candidate pairs per bucket on a cluster: a batch with `ids`, a list of
/// the ids sharing one band's key; returns its pairs (`a`, `b`).
pub fn bucket_pairs(batch: &RecordBatch) -> Result<RecordBatch, String> {
    let lists = column(
        batch,
        "ids",
        &DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
    )?;
    let mut pairs = Vec::new();
    for list in lists.as_list::<i32>().iter().flatten() {
        let mut ids: Vec<&str> = list.as_string::<i32>().iter().flatten().collect();
        pairs.extend(super::bucket_pairs(&mut ids));
    }
    Ok(pairs_batch(&pairs))
}

/// Candidate pairs as a batch.
pub fn pairs_batch(pairs: &[(String, String)]) -> RecordBatch {
    batch(
        Stage::Candidates.schema(),
        vec![
            string_array(pairs.iter().map(|p| p.0.as_str())),
            string_array(pairs.iter().map(|p| p.1.as_str())),
        ],
    )
}

/// The candidate pairs of a batch.
pub fn pairs_of(batch: &RecordBatch) -> Result<Vec<(String, String)>, String> {
    Ok(strings(batch, "a")?
        .into_iter()
        .zip(strings(batch, "b")?)
        .collect())
}

/// Verification on a cluster: a batch of pairs with both texts (`a`, `b`,
/// `text_a`, `text_b`); returns those at or above the threshold with their
/// similarity (`a`, `b`, `jaccard`), or every pair's similarity when
/// `all` (for the members a group joins through others).
pub fn verify(batch: &RecordBatch, settings: &Settings, all: bool) -> Result<RecordBatch, String> {
    let a = strings(batch, "a")?;
    let b = strings(batch, "b")?;
    let text_a = strings(batch, "text_a")?;
    let text_b = strings(batch, "text_b")?;
    let rows: Vec<(&str, &str, &str, &str)> = (0..a.len())
        .map(|i| {
            (
                a[i].as_str(),
                b[i].as_str(),
                text_a[i].as_str(),
                text_b[i].as_str(),
            )
        })
        .collect();
    let mut settings = settings.clone();
    if all {
        settings.threshold = 0.0;
    }
    Ok(verified_batch(&super::verify(&rows, &settings)))
}

/// Verified pairs as a batch.
pub fn verified_batch(pairs: &[VerifiedPair]) -> RecordBatch {
    batch(
        Stage::Verify.schema(),
        vec![
            string_array(pairs.iter().map(|p| p.a.as_str())),
            string_array(pairs.iter().map(|p| p.b.as_str())),
            Arc::new(pairs.iter().map(|p| p.jaccard).collect::<Float64Array>()),
        ],
    )
}

/// The verified pairs of a batch.
pub fn verified_of(batch: &RecordBatch) -> Result<Vec<VerifiedPair>, String> {
    scored_pairs(batch, "a", "b", |a, b, jaccard| VerifiedPair {
        a,
        b,
        jaccard,
    })
}

/// The rows of a batch of two id columns and a `jaccard` column.
fn scored_pairs<T>(
    batch: &RecordBatch,
    first: &str,
    second: &str,
    row: impl Fn(String, String, f64) -> T,
) -> Result<Vec<T>, String> {
    let firsts = strings(batch, first)?;
    let seconds = strings(batch, second)?;
    let jaccard = column(batch, "jaccard", &DataType::Float64)?;
    let jaccard = jaccard.as_primitive::<arrow_array::types::Float64Type>();
    Ok(firsts
        .into_iter()
        .zip(seconds)
        .enumerate()
        .map(|(i, (x, y))| row(x, y, jaccard.value(i)))
        .collect())
}

/// Group members as a batch.
pub fn members_batch(members: &[Member]) -> RecordBatch {
    batch(
        members_schema(),
        vec![
            string_array(members.iter().map(|m| m.id.as_str())),
            string_array(members.iter().map(|m| m.representative.as_str())),
            Arc::new(members.iter().map(|m| m.jaccard).collect::<Float64Array>()),
        ],
    )
}

/// The group members of a batch.
pub fn members_of(batch: &RecordBatch) -> Result<Vec<Member>, String> {
    scored_pairs(
        batch,
        "id",
        "representative",
        |id, representative, jaccard| Member {
            id,
            representative,
            jaccard,
        },
    )
}

/// Writes batches of one stage to a Parquet file (zstd), with the stage's
/// name and the settings in the file's metadata.
pub fn write_parquet(
    path: &Path,
    stage: Stage,
    settings: &Settings,
    batches: &[RecordBatch],
) -> Result<(), String> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use std::io::Write;
    let fail = |err: &dyn std::fmt::Display| format!("{}: cannot write: {err}", path.display());
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(vec![
            KeyValue::new(STAGE_KEY.to_owned(), stage.name().to_owned()),
            KeyValue::new(SETTINGS_KEY.to_owned(), settings.to_json()),
        ]))
        .build();
    let file = std::fs::File::create(path).map_err(|err| fail(&err))?;
    let mut writer = ArrowWriter::try_new(
        std::io::BufWriter::new(file),
        stage.schema(),
        Some(properties),
    )
    .map_err(|err| fail(&err))?;
    for batch in batches {
        writer.write(batch).map_err(|err| fail(&err))?;
    }
    let mut out = writer.into_inner().map_err(|err| fail(&err))?;
    out.flush().map_err(|err| fail(&err))?;
    out.into_inner()
        .map_err(|err| fail(&err))?
        .sync_all()
        .map_err(|err| fail(&err))
}

/// Reads the batches of stage files, each made by `stage`; the settings
/// they were made with must be one and the same (and `expected`'s, when
/// given). Errors name the file.
pub fn read_parquet(
    paths: &[impl AsRef<Path>],
    stage: Stage,
    expected: Option<&Settings>,
) -> Result<(Settings, Vec<RecordBatch>), String> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let mut settings: Option<Settings> = expected.cloned();
    let mut batches = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let fail = |err: &dyn std::fmt::Display| format!("{}: {err}", path.display());
        let file = std::fs::File::open(path).map_err(|err| fail(&err))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|err| fail(&format!("not a readable Parquet file: {err}")))?;
        let metadata: HashMap<&str, &str> = builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .into_iter()
            .flatten()
            .filter_map(|kv| Some((kv.key.as_str(), kv.value.as_deref()?)))
            .collect();
        match metadata.get(STAGE_KEY) {
            Some(&name) if name == stage.name() => {}
            Some(name) => {
                return Err(fail(&format!(
                    "made by the `{name}` stage, not `{}`",
                    stage.name()
                )));
            }
            None => return Err(fail(&"not a story-cluster stage file")),
        }
        let found = Settings::from_json(metadata.get(SETTINGS_KEY).copied().unwrap_or(""))
            .map_err(|err| fail(&err))?;
        match &settings {
            Some(settings) => settings.accept(&found).map_err(|err| fail(&err))?,
            None => settings = Some(found),
        }
        let reader = builder.build().map_err(|err| fail(&err))?;
        for batch in reader {
            batches.push(batch.map_err(|err| fail(&err))?);
        }
    }
    let settings = settings.ok_or("no stage files given")?;
    Ok((settings, batches))
}

/// A batch as Arrow IPC stream bytes (how the Python package passes
/// batches, whatever Arrow library the caller has).
pub fn to_ipc(batch: &RecordBatch) -> Result<Vec<u8>, String> {
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(Vec::new(), &batch.schema())
        .map_err(|err| err.to_string())?;
    writer.write(batch).map_err(|err| err.to_string())?;
    writer.into_inner().map_err(|err| err.to_string())
}

/// The batches of Arrow IPC stream bytes, concatenated into one.
pub fn from_ipc(bytes: &[u8]) -> Result<RecordBatch, String> {
    let reader = arrow_ipc::reader::StreamReader::try_new(bytes, None)
        .map_err(|err| format!("not an Arrow IPC stream: {err}"))?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .map_err(|err| format!("unreadable Arrow IPC stream: {err}"))?;
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|err| err.to_string())
}

/// The documents of a batch of input rows, checked as one run checks
/// them, in the columns [`documents`] reads (as strings), their `time`
/// (seconds since 1970, as the date reader makes it; null when undated)
/// and a `problem` column: null for a document, and for a row that is no
/// document, why
/// (`origin:N`, N counting the batch's rows from 1). The rows are either a
/// corpus' columns (`id`, `text`, …, as in a Parquet corpus) or JSON lines
/// in a string column `value` (as a cluster engine reads a text file),
/// each line read exactly as a JSON lines file's.
pub fn records(batch: &RecordBatch, origin: &str) -> Result<RecordBatch, String> {
    if batch.column_by_name("id").is_some() || batch.column_by_name("value").is_none() {
        let (docs, problems) = documents(batch, origin, 1)?;
        return Ok(records_batch(&docs, &problems));
    }
    let lines = column(batch, "value", &DataType::Utf8)?;
    let lines = lines.as_string::<i32>();
    let mut bytes = Vec::with_capacity(lines.value_data().len() + lines.len());
    for line in lines.iter() {
        bytes.extend_from_slice(line.unwrap_or("").as_bytes());
        bytes.push(b'\n');
    }
    let corpus = crate::corpus::read_bytes(origin, &bytes, &Default::default());
    Ok(records_batch(&corpus.documents, &corpus.problems))
}

fn records_batch(documents: &[Document], problems: &[InputProblem]) -> RecordBatch {
    let docs: Vec<&Document> = documents.iter().collect();
    let documents = crate::corpus::parquet::documents_batch(&docs);
    let empty = |n: usize| -> ArrayRef { Arc::new(StringArray::from(vec![None::<&str>; n])) };
    let mut columns: Vec<ArrayRef> = documents
        .columns()
        .iter()
        .map(|column| {
            arrow_select::concat::concat(&[column.as_ref(), empty(problems.len()).as_ref()])
                .expect("string columns")
        })
        .collect();
    let times = docs
        .iter()
        .map(|d| d.time)
        .chain(std::iter::repeat_n(None, problems.len()));
    columns.push(Arc::new(times.collect::<Int64Array>()));
    let messages =
        std::iter::repeat_n(None, docs.len()).chain(problems.iter().map(|p| Some(p.to_string())));
    columns.push(Arc::new(messages.collect::<StringArray>()));
    let fields: Vec<Field> = documents
        .schema()
        .fields()
        .iter()
        .map(|f| Field::new(f.name(), DataType::Utf8, true))
        .chain([
            Field::new("time", DataType::Int64, true),
            Field::new("problem", DataType::Utf8, true),
        ])
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("columns of the schema")
}
