//! The `casefile` commands of a distributed run: `extract --out -`, the
//! worker that a Spark partition is piped through, and `merge`, which turns
//! the workers' document lines into the outputs of a single-machine run.
//! (A module of the binary: the library parts are
//! [`casefile::output::DocumentLines`] and [`casefile::output::merge_lines`].)

use super::{Reporter, EXIT_SOME_FAILED};
use anyhow::{bail, Context, Result};
use casefile::ingest::CsvColumns;
use casefile::output::{DocumentLines, OutputOptions, Sink};
use casefile::pipeline::{Pipeline, PipelineConfig, Progress, Silent};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `extract --out -` does not combine with: outputs that need a
/// directory or the whole run in one process.
pub struct Unstreamable {
    pub db: bool,
    pub jsonl: bool,
    pub resume: bool,
    pub report: bool,
    /// `--coding`: coded events are written by `merge`, which takes it.
    pub coding: bool,
}

/// `extract ... --out -`: the `documents.jsonl` line of every input
/// document on standard output, in input order, each batch flushed as it is
/// done; progress and warnings go to standard error. A failed document is a
/// line with its `error`, so the exit status is 0 whenever every document
/// got its line: a worker's non-zero exit means the process itself failed
/// (the model did not load, the stream broke), which a job must retry.
pub fn extract_to_stdout(
    inputs: &[String],
    config: PipelineConfig,
    framed: bool,
    syntax: bool,
    quiet: bool,
    columns: &CsvColumns,
    not: Unstreamable,
) -> Result<ExitCode> {
    for (set, flag) in [
        (not.db, "--db"),
        (not.jsonl, "--jsonl"),
        (not.resume, "--resume"),
        (not.report, "--report"),
        (not.coding, "--coding (give it to merge)"),
    ] {
        if set {
            bail!("{flag} needs an output directory; it cannot be used with --out -");
        }
    }
    let documents: Box<dyn Iterator<Item = casefile::Document>> = if framed {
        if inputs != ["-"] {
            bail!("--framed reads standard input: give - as the only input");
        }
        Box::new(casefile::ingest::framed_stdin())
    } else {
        let sources = casefile::ingest::resolve_with(inputs, columns)?;
        Box::new(casefile::ingest::documents(sources))
    };
    let pipeline = Pipeline::new(&config).context("loading the pipeline")?;
    if let Some(w) = pipeline.geo_warning() {
        eprintln!("warning: {w}");
    }
    let mut silent = Silent;
    let mut reporter = Reporter::new(quiet, &[]);
    let progress: &mut dyn Progress = if quiet { &mut silent } else { &mut reporter };
    let mut sink = Box::new(DocumentLines::new(std::io::stdout().lock(), syntax));
    pipeline.run(documents, sink.as_mut(), progress)?;
    sink.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// `merge LINES... --out DIR`: the outputs of `extract` from document lines.
pub fn merge(
    inputs: &[PathBuf],
    out: &Path,
    excel: bool,
    coding: Option<casefile::coding::Coding>,
    quiet: bool,
) -> Result<ExitCode> {
    let options = OutputOptions {
        excel_bom: excel,
        coding,
        ..OutputOptions::default()
    };
    let summary = casefile::output::merge_lines(inputs, out, &options)?;
    if !quiet {
        eprintln!(
            "casefile: merged {} documents ({} failed), {} events into {}",
            summary.documents,
            summary.failed,
            summary.events,
            out.display()
        );
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(EXIT_SOME_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
