//! Command-line definitions: one subcommand per job, each with its own
//! usage text in its module under `cmd/`.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use story_cluster::choice::Choice;

/// Find near-duplicate articles and group news into stories.
#[derive(Debug, Parser)]
#[command(name = "story-cluster", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report the stories and near-duplicate groups in a set of articles.
    Run(crate::cmd::run::Args),
    /// Find near-duplicate articles, or write the corpus without them.
    Dedup(crate::cmd::dedup::Args),
    /// Score the stories of a set of articles against gold labels.
    Eval(crate::cmd::eval::Args),
    /// Explain why two documents are, or are not, grouped.
    Explain(crate::cmd::explain::Args),
    /// Build and look after a persistent index of published items.
    #[cfg(feature = "index")]
    Index(crate::cmd::index::Args),
    /// Decide on items against the index without storing them.
    #[cfg(feature = "index")]
    Check(crate::cmd::check::Args),
    /// Store the new items in the index and write only them.
    #[cfg(feature = "index")]
    Publish(crate::cmd::publish::Args),
    /// Serve the index over HTTP.
    #[cfg(feature = "serve")]
    Serve(crate::cmd::serve::Args),
    /// Run near-duplicate detection in stages, with Parquet files between.
    #[cfg(feature = "parquet")]
    Stage(crate::cmd::stage::Args),
}

/// Subcommands that a build without their cargo feature lacks, with the
/// feature that brings them.
const FEATURE_COMMANDS: [(&str, &str, bool); 5] = [
    ("index", "index", cfg!(feature = "index")),
    ("check", "index", cfg!(feature = "index")),
    ("publish", "index", cfg!(feature = "index")),
    ("serve", "serve", cfg!(feature = "serve")),
    ("stage", "parquet", cfg!(feature = "parquet")),
];

/// What to say when the first argument names a subcommand this build
/// lacks: clap would only call it unrecognised.
pub fn missing_feature(first: Option<std::ffi::OsString>) -> Option<String> {
    let first = first?;
    let &(command, feature, _) = FEATURE_COMMANDS
        .iter()
        .find(|&&(command, _, built)| !built && first == command)?;
    Some(format!(
        "`{command}` is not in this build: it needs the `{feature}` feature \
         (cargo install --path . --features {feature}, or cargo build --release --features {feature})"
    ))
}

/// Parses one of the library's named choices, listing them (with what
/// each does) in `--help`.
pub fn choice<T: Choice + Send + Sync>() -> impl TypedValueParser<Value = T> {
    let values = T::ALL
        .iter()
        .map(|&(_, name, about)| PossibleValue::new(name).help(about));
    PossibleValuesParser::new(values)
        .map(|name| T::from_name(&name).expect("clap admits only the names of the choices"))
}

/// Parses a threshold in (0, 1].
pub fn unit_interval(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(format!("{x} is outside (0, 1]"))
    }
}

/// Largest `--max-document-bytes` accepted: 1 GiB. A document larger than
/// that is no article, and a bound keeps size arithmetic from wrapping.
pub const MAX_DOCUMENT_BYTES_LIMIT: u64 = 1 << 30;

/// Parses a document size limit in bytes, 1 to [`MAX_DOCUMENT_BYTES_LIMIT`].
pub fn document_bytes(s: &str) -> Result<u64, String> {
    let n: u64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number of bytes"))?;
    if (1..=MAX_DOCUMENT_BYTES_LIMIT).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{n} is outside 1..={MAX_DOCUMENT_BYTES_LIMIT} (1 GiB)"
        ))
    }
}

#[cfg(test)]
mod feature_tests {
    use super::missing_feature;

    #[test]
    fn commands_of_missing_features_are_named() {
        let said = missing_feature(Some("serve".into()));
        assert_eq!(said.is_some(), !cfg!(feature = "serve"));
        if let Some(said) = said {
            assert!(said.contains("--features serve"), "{said}");
        }
        assert_eq!(missing_feature(Some("run".into())), None);
        assert_eq!(missing_feature(None), None);
    }
}
