//! Typed errors of the library, each saying where the problem is: which file,
//! which line or byte, which document. The binary wraps them with `anyhow`.

use std::path::PathBuf;

/// Errors that stop an operation (a run, a model load, a rule file).
///
/// Problems with one document never become an `Error`: they are recorded on the
/// document (`Document::error`) and the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The io::Error is part of the message, not a `source`, so that a
    // printed chain of causes does not repeat it.
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}: not a usable input: {reason}")]
    Input { path: PathBuf, reason: String },
    #[error("{path}{}: {reason}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Format {
        path: PathBuf,
        line: Option<u64>,
        reason: String,
    },
    #[error("model {path}: {reason}")]
    Model { path: PathBuf, reason: String },
    #[error("rules {path}: {reason}")]
    Rules { path: PathBuf, reason: String },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// The cross-document merge index (a temporary SQLite file) failed, e.g.
    /// its directory is full.
    #[error("cross-document merge index: {0}")]
    Merge(String),
    /// A parser loaded on an encoder other than the one it was trained on:
    /// its heads would read states they have never seen.
    #[error(
        "parser {parser}: trained on an encoder with weights {expected}, but {encoder} has {found}; \
         use the encoder named in the parser's config.json or retrain the parser \
         (extract --no-events runs without a parser)"
    )]
    EncoderMismatch {
        parser: PathBuf,
        encoder: PathBuf,
        expected: String,
        found: String,
    },
    /// The place index is missing or unreadable; extract goes on without it.
    #[error("gazetteer {path}: {reason}")]
    Gazetteer { path: PathBuf, reason: String },
    #[error("writing {path}: {reason}")]
    Output { path: PathBuf, reason: String },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            err: source,
        }
    }
    pub fn model(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::Model {
            path: path.into(),
            reason: reason.into(),
        }
    }
    pub fn format(path: impl Into<PathBuf>, line: Option<u64>, reason: impl Into<String>) -> Error {
        Error::Format {
            path: path.into(),
            line,
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
