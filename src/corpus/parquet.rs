//! Parquet files (`.parquet`, with the `parquet` feature): one document per
//! row, from the columns `id` and `text` and the optional `title`, `date`,
//! `url` and `source`, as in JSON lines; other columns are not read.
//! Strings may be stored in any of Arrow's string types; an `id` or `date`
//! of another type (an integer, a timestamp, a date) is written out as
//! Arrow displays it, so that a timestamp column reads as an ISO time.
//! Rows are read a batch at a time, each row's text held to the document
//! size limit. A problem names the row (counted from 1) in the line's place.

use super::{Document, Fields, Origin, ReadOptions};
use crate::error::InputProblem;
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// The columns read, in the order of [`Fields`].
const COLUMNS: [&str; 6] = ["id", "text", "title", "date", "url", "source"];

/// Rows decoded at a time.
const BATCH_ROWS: usize = 1024;

/// Reads the rows of one Parquet file.
pub fn read(
    origin: &str,
    path: &Path,
    options: &ReadOptions,
) -> (Vec<Document>, Vec<InputProblem>) {
    let fail = |message: String| (Vec::new(), vec![InputProblem::file(origin, message)]);
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) => return fail(format!("cannot open: {err}")),
    };
    let builder = match ParquetRecordBatchReaderBuilder::try_new(file) {
        Ok(builder) => builder,
        Err(err) => return fail(format!("not a readable Parquet file: {err}; skipped")),
    };
    let fields = builder.schema().fields();
    let present: Vec<usize> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| COLUMNS.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    for required in ["id", "text"] {
        if !fields.iter().any(|f| f.name() == required) {
            return fail(format!("no column `{required}`; skipped"));
        }
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), present);
    let reader = match builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
    {
        Ok(reader) => reader,
        Err(err) => return fail(format!("cannot read: {err}; skipped")),
    };
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let mut first_row = 1;
    // One path for every document of the file.
    let file: Arc<str> = origin.into();
    for batch in reader {
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => {
                let message = super::read_failed(format_args!("{err} (from row {first_row} on)"));
                problems.push(InputProblem::file(origin, message));
                break;
            }
        };
        if let Err(message) = documents_of_batch(
            &batch,
            &file,
            first_row,
            options.max_document_bytes,
            &mut docs,
            &mut problems,
        ) {
            problems.push(InputProblem::file(origin, message));
            break;
        }
        first_row += batch.num_rows();
    }
    (docs, problems)
}

/// Reads the documents of one batch of rows whose first is row
/// `first_row` of `file`: a row that is no document is a problem naming
/// it; a batch whose columns cannot be read at all is an error.
pub(crate) fn documents_of_batch(
    batch: &RecordBatch,
    file: &Arc<str>,
    first_row: usize,
    limit: u64,
    docs: &mut Vec<Document>,
    problems: &mut Vec<InputProblem>,
) -> Result<(), String> {
    let columns = Columns::of(batch)?;
    for row in 0..batch.num_rows() {
        let number = first_row + row;
        match columns.document(row, limit, file, number) {
            Ok(doc) => docs.push(doc),
            Err(message) => problems.push(InputProblem::line(&**file, number, message)),
        }
    }
    Ok(())
}

/// The columns of one batch, by the name they are read as.
struct Columns<'a> {
    columns: Vec<Option<Column<'a>>>,
}

/// One column, and how its values become text.
enum Column<'a> {
    Text(&'a dyn Array),
    /// Values of another type, as Arrow displays them.
    Shown(Vec<Option<String>>),
}

impl<'a> Columns<'a> {
    fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        let columns = COLUMNS
            .iter()
            .map(|&name| {
                let Some(array) = batch.column_by_name(name) else {
                    return Ok(None);
                };
                match array.data_type() {
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                        Ok(Some(Column::Text(array.as_ref())))
                    }
                    // Only an id or a date is worth writing out from
                    // another type; a number is no text.
                    _ if matches!(name, "id" | "date") => shown(array)
                        .map(|values| Some(Column::Shown(values)))
                        .map_err(|err| format!("column `{name}`: {err}; skipped")),
                    other => Err(format!(
                        "column `{name}` holds {other}, not text; the file is skipped"
                    )),
                }
            })
            .collect::<Result<_, String>>()?;
        Ok(Columns { columns })
    }

    /// The value of column `c` at `row`, if not null.
    fn value(&self, c: usize, row: usize) -> Option<String> {
        match self.columns[c].as_ref()? {
            Column::Text(array) if array.is_null(row) => None,
            Column::Text(array) => Some(text_at(*array, row).to_owned()),
            Column::Shown(values) => values[row].clone(),
        }
    }

    fn document(
        &self,
        row: usize,
        limit: u64,
        file: &Arc<str>,
        number: usize,
    ) -> Result<Document, String> {
        // The text is measured before it is copied.
        if let Some(Column::Text(array)) = &self.columns[1]
            && !array.is_null(row)
            && text_at(*array, row).len() as u64 > limit
        {
            return Err(format!("text longer than {limit} bytes; skipped"));
        }
        let fields = Fields {
            id: self.value(0, row),
            text: self.value(1, row),
            title: self.value(2, row),
            date: self.value(3, row),
            url: self.value(4, row),
            source: self.value(5, row),
        };
        fields.into_document(Origin::line(file, number))
    }
}

/// The values of a column that is not text, as Arrow displays them. A
/// timestamp is shown in UTC without its zone's name (Arrow stores it in
/// UTC; a named zone would need a time-zone database to display), which
/// the date reader takes as UTC.
fn shown(array: &arrow_array::ArrayRef) -> Result<Vec<Option<String>>, arrow_schema::ArrowError> {
    let array = match array.data_type() {
        DataType::Timestamp(unit, Some(_)) => {
            arrow_cast::cast(array, &DataType::Timestamp(*unit, None))?
        }
        _ => array.clone(),
    };
    let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())?;
    Ok((0..array.len())
        .map(|row| (!array.is_null(row)).then(|| formatter.value(row).to_string()))
        .collect())
}

/// The string at `row` of a string array of any of Arrow's string types.
fn text_at(array: &dyn Array, row: usize) -> &str {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        _ => array.as_string_view().value(row),
    }
}

/// Documents in the input schema (`id`, `title`, `text`, then `date`,
/// `url` and `source`, null where absent): what [`write()`] writes and what a
/// cluster job hands its stages.
pub fn documents_batch(docs: &[&Document]) -> RecordBatch {
    use arrow_array::StringArray;
    use arrow_schema::{Field, Schema};
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("title", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("date", DataType::Utf8, true),
        Field::new("url", DataType::Utf8, true),
        Field::new("source", DataType::Utf8, true),
    ]));
    let column = |value: &dyn Fn(&Document) -> Option<&str>| -> Arc<dyn Array> {
        Arc::new(docs.iter().map(|d| value(d)).collect::<StringArray>())
    };
    RecordBatch::try_new(
        schema,
        vec![
            column(&|d| Some(&d.id)),
            column(&|d| Some(&d.title)),
            column(&|d| Some(&d.body)),
            column(&|d| d.date.as_deref()),
            column(&|d| d.url.as_deref()),
            column(&|d| d.source.as_deref()),
        ],
    )
    .expect("columns of the schema")
}

/// Documents written per row group batch.
const WRITE_ROWS: usize = 8192;

/// Writes documents as Parquet in the input schema (see
/// [`documents_batch`]), zstd-compressed, ready to read again or to hand to
/// a cluster.
pub fn write(docs: &[&Document], out: impl std::io::Write + Send) -> parquet::errors::Result<()> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;

    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let schema = documents_batch(&[]).schema();
    let mut writer = ArrowWriter::try_new(out, schema, Some(properties))?;
    for chunk in docs.chunks(WRITE_ROWS) {
        writer.write(&documents_batch(chunk))?;
    }
    // Finished (footer written), then flushed: an error is not left to a
    // buffer's drop.
    writer.into_inner()?.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{Field, Schema};

    fn file_of(batch: RecordBatch) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(file.reopen().unwrap(), batch.schema(), None)
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        file
    }

    #[test]
    fn documents_written_read_back_the_same() {
        let mut a = Document::new("a", "Quake", "A quake hit the coast.");
        a.date = Some("2016-07-14".into());
        a.source = Some("Wire".into());
        let b = Document::new("b", "", "Floods closed the road.");
        let file = tempfile::NamedTempFile::new().unwrap();
        write(&[&a, &b], file.reopen().unwrap()).unwrap();
        let (docs, problems) = read("f.parquet", file.path(), &ReadOptions::default());
        assert!(problems.is_empty(), "{problems:?}");
        let fields = |d: &Document| {
            (
                d.id.clone(),
                d.title.clone(),
                d.body.clone(),
                d.date.clone(),
                d.url.clone(),
                d.source.clone(),
            )
        };
        assert_eq!(
            docs.iter().map(fields).collect::<Vec<_>>(),
            [fields(&a), fields(&b)]
        );
        assert_eq!(docs[1].origin.to_string(), "f.parquet:2");
    }

    #[test]
    fn a_file_without_text_is_named_and_long_rows_are_skipped() {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        let ids = Arc::new(Int64Array::from(vec![1, 2]));
        let file = file_of(RecordBatch::try_new(schema, vec![ids]).unwrap());
        let (docs, problems) = read("f.parquet", file.path(), &ReadOptions::default());
        assert!(docs.is_empty());
        assert_eq!(problems[0].message, "no column `text`; skipped");

        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("text", DataType::Utf8, false),
        ]));
        let ids = Arc::new(StringArray::from(vec!["long", "short"]));
        let texts = Arc::new(StringArray::from(vec!["x".repeat(100), "ok".to_owned()]));
        let file = file_of(RecordBatch::try_new(schema, vec![ids, texts]).unwrap());
        let options = ReadOptions {
            max_document_bytes: 40,
            ..ReadOptions::default()
        };
        let (docs, problems) = read("f.parquet", file.path(), &options);
        assert_eq!(docs.len(), 1);
        assert_eq!(problems[0].line, Some(1));
        assert!(problems[0].message.starts_with("text longer than 40"));
    }

    #[test]
    fn bytes_that_are_no_parquet_are_said_to_be() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), b"PAR1 not really").unwrap();
        let (docs, problems) = read("f.parquet", file.path(), &ReadOptions::default());
        assert!(docs.is_empty());
        assert!(
            problems[0]
                .message
                .starts_with("not a readable Parquet file")
        );
    }
}
