//! Output: one sink per file format behind the [`Sink`] trait.
//!
//! Sinks write to temporary files in the output directory and rename them into
//! place only when the run finishes, so a killed run never leaves a half-written
//! file that looks complete. Offsets are converted from bytes to characters here,
//! at the edge, by [`CharMap`].
//!
//! Besides the directory, two knowledge-base outputs can be asked for: an
//! event stream ([`EventStream`], `--jsonl`) and a SQLite database
//! ([`SqliteSink`], `--db`), both over merged events ([`crate::merge`]).
//! [`RunInfo`] (`run.json`) records the run's settings beside its results.

mod coded;
mod csv_out;
mod event_stream;
mod journal;
mod jsonl;
mod reread;
mod run_info;
mod sqlite;

use crate::coding::Coding;
use crate::document::{Actor, Argument, CharMap, Document, Span};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub use coded::CodedSink;
pub use csv_out::{neutralise, CsvSinks};
pub use event_stream::EventStream;
pub use journal::{Journal, Replay, JOURNAL};
pub use jsonl::{doc_event_id, document_line, event_id, DocumentLines, DocumentsJsonl};
pub use reread::{document_from_line, merge_lines};
pub use run_info::RunInfo;
pub use sqlite::SqliteSink;

/// Receives every document of a run, in input order.
pub trait Sink {
    fn write(&mut self, doc: &Document) -> Result<()>;
    /// Makes what was written so far durable (called after every batch).
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }
    /// Flushes and moves the finished files into place.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// A file written under a temporary name and renamed into place on `commit`.
pub(crate) struct AtomicFile {
    tmp: PathBuf,
    pub(crate) path: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file next to `path`.
    pub(crate) fn create(path: PathBuf) -> Result<(AtomicFile, File)> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.partial"));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok((AtomicFile { tmp, path }, file))
    }

    /// Makes the written file durable, then gives it its real name.
    pub(crate) fn commit(self, file: File) -> Result<()> {
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

/// A buffered writer into an [`AtomicFile`].
pub(crate) struct AtomicWriter {
    file: AtomicFile,
    pub(crate) out: BufWriter<File>,
}

impl AtomicWriter {
    pub(crate) fn create(path: PathBuf) -> Result<AtomicWriter> {
        let (file, f) = AtomicFile::create(path)?;
        Ok(AtomicWriter {
            file,
            out: BufWriter::with_capacity(1 << 16, f),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.file.path
    }

    pub(crate) fn commit(self) -> Result<()> {
        let f = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.file.tmp, e.into_error()))?;
        self.file.commit(f)
    }
}

pub(crate) fn write_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Character offsets of a span.
pub(crate) fn chars(map: &CharMap, span: Span) -> (usize, usize) {
    (map.char_offset(span.start), map.char_offset(span.end))
}

/// A span as the JSON outputs write it: its text and character offsets.
#[derive(serde::Serialize)]
pub(crate) struct SpanOut<'a> {
    pub(crate) text: &'a str,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl<'a> SpanOut<'a> {
    pub(crate) fn of(doc: &'a Document, map: &CharMap, span: Span) -> SpanOut<'a> {
        let (start, end) = chars(map, span);
        SpanOut {
            text: doc.slice(span),
            start,
            end,
        }
    }
}

/// The stable id of a canonical entity across documents and runs: its type
/// and canonical name, e.g. `PER:Qassem Soleimani`. Readable, and the same in
/// the event stream and the database, so the two can be joined.
pub fn entity_id(label: &str, name: &str) -> String {
    format!("{label}:{name}")
}

/// The canonical actor an argument points at, as the resolve stage linked
/// them: the one of the entity mention with the argument's span, else of the
/// entity holding the argument's head word ("The United States"), else of a
/// pronoun's antecedent.
pub(crate) fn argument_actor<'d>(doc: &'d Document, a: &Argument) -> Option<&'d Actor> {
    let holding = |h: Span| {
        doc.entities
            .iter()
            .find(|e| e.span.start <= h.start && h.end <= e.span.end)
    };
    doc.entities
        .iter()
        .find(|e| e.span == a.span)
        .or_else(|| a.head.and_then(holding))
        .or_else(|| {
            let at = a.antecedent?;
            doc.entities.iter().find(|e| e.span == at)
        })
        .and_then(|e| e.actor)
        .and_then(|i| doc.actors.get(i))
}

/// Options for the outputs.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Start CSV files with a UTF-8 byte-order mark so Excel reads them as UTF-8.
    pub excel_bom: bool,
    /// Also write the event stream (one event mention per line) to this file.
    pub events_jsonl: Option<PathBuf>,
    /// Also write into (or update) this SQLite knowledge base.
    pub db: Option<PathBuf>,
    /// Write each sentence's parse into documents.jsonl.
    pub syntax: bool,
    /// The coding of coded events (`--coding`); `None`: the built-in
    /// `rules/coding.toml`.
    pub coding: Option<Coding>,
}

impl OutputOptions {
    /// The coding the coded outputs use.
    pub(crate) fn coding(&self) -> Coding {
        self.coding.clone().unwrap_or_else(Coding::builtin)
    }
}

/// All the sinks of a run: the output directory's, the knowledge-base
/// outputs asked for, and the resume journal.
pub struct OutputDir {
    sinks: Vec<Box<dyn Sink>>,
    /// Written after the other sinks; `None` while a journal is replayed.
    journal: Option<Journal>,
}

impl OutputDir {
    /// Starts a fresh run in `dir` (any earlier journal is discarded).
    pub fn create(dir: &Path, options: &OutputOptions) -> Result<OutputDir> {
        let mut out = OutputDir::sinks(dir, options)?;
        out.journal = Some(Journal::create(dir)?);
        Ok(out)
    }

    /// Starts the outputs of a resumed run: fresh sinks that the caller fills
    /// by replaying `Replay` (the interrupted run's journal, if there is one),
    /// then hands the journal back with [`OutputDir::continue_journal`].
    pub fn resume(dir: &Path, options: &OutputOptions) -> Result<(OutputDir, Option<Replay>)> {
        let out = OutputDir::sinks(dir, options)?;
        match Replay::open(dir)? {
            Some(replay) => Ok((out, Some(replay))),
            None => {
                let mut out = out;
                out.journal = Some(Journal::create(dir)?);
                Ok((out, None))
            }
        }
    }

    /// After the replay: documents from now on are journalled again.
    pub fn continue_journal(&mut self, replay: Replay) -> Result<()> {
        self.journal = Some(replay.into_journal()?);
        Ok(())
    }

    /// The sinks alone, without a resume journal: for `casefile merge`,
    /// whose inputs are already durable document lines.
    pub fn without_journal(dir: &Path, options: &OutputOptions) -> Result<OutputDir> {
        OutputDir::sinks(dir, options)
    }

    fn sinks(dir: &Path, options: &OutputOptions) -> Result<OutputDir> {
        // The database first: one that cannot be used stops the run before
        // any document is processed and before any file is started.
        let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
        if let Some(path) = &options.db {
            sinks.push(Box::new(SqliteSink::open(path, options.coding())?));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if let Some(path) = &options.events_jsonl {
            sinks.push(Box::new(EventStream::create(path, options.coding())?));
        }
        sinks.push(Box::new(DocumentsJsonl::create(dir, options.syntax)?));
        sinks.push(Box::new(CsvSinks::create(dir, options)?));
        sinks.push(Box::new(CodedSink::create(dir, options)?));
        Ok(OutputDir {
            sinks,
            journal: None,
        })
    }
}

impl Sink for OutputDir {
    fn write(&mut self, doc: &Document) -> Result<()> {
        for s in &mut self.sinks {
            s.write(doc)?;
        }
        if let Some(j) = &mut self.journal {
            j.write(doc)?;
        }
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        for s in &mut self.sinks {
            s.sync()?;
        }
        if let Some(j) = &mut self.journal {
            j.sync()?;
        }
        Ok(())
    }

    /// Puts every output in place, then drops the journal: a kill before that
    /// point leaves the journal, and `--resume` redoes the finishing.
    fn finish(self: Box<Self>) -> Result<()> {
        for s in self.sinks {
            s.finish()?;
        }
        if let Some(j) = self.journal {
            j.remove()?;
        }
        Ok(())
    }
}
