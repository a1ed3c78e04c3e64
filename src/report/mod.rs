//! `report.html`: one self-contained page that makes a whole run browsable.
//!
//! Analysts look before they load a spreadsheet: which events came out, from
//! which sentence, with which actors, when. The page shows an overview (counts,
//! a timeline, top actors and places, the run's settings), the merged events
//! as a sortable, filterable table whose rows open their mentions, each
//! document's text with its entities, dates, triggers and event cards (and
//! the boilerplate the cleaner ignored, greyed out), and every failed document.
//!
//! It is one file that opens from disk with no network: style, script and
//! data are inline ([`page`]), the data escaped for its place ([`escape`]).
//! It is built from the run's output files ([`gather`]), so it can be made
//! again for any finished run (`casefile report OUT_DIR`).

mod escape;
mod gather;
mod input;
mod page;

use crate::error::{Error, Result};
use crate::output::AtomicWriter;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Documents whose full text the page carries by default: enough to read
/// every document of a typical batch, few enough that a page over a large
/// run stays a few megabytes of text.
pub const DEFAULT_DOCS: usize = 300;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSummary {
    pub path: PathBuf,
    pub bytes: usize,
    pub documents: usize,
    pub merged_events: usize,
    /// Documents whose text is in the page, and those left out by the bound.
    pub texts: usize,
    pub texts_left_out: usize,
}

/// Writes `dir/report.html` from the outputs of the run in `dir`, with the
/// texts of at most `max_docs` documents (those with the most events).
pub fn write(dir: &Path, max_docs: usize) -> Result<ReportSummary> {
    let data = gather::gather(dir, max_docs)?;
    let path = dir.join("report.html");
    let json = serde_json::to_string(&data).map_err(|e| Error::Output {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let html = page::render(&json);
    let mut file = AtomicWriter::create(path.clone())?;
    file.out
        .write_all(html.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    file.commit()?;
    Ok(ReportSummary {
        path,
        bytes: html.len(),
        documents: data.documents.len(),
        merged_events: data.merged.len(),
        texts: data.texts.len(),
        texts_left_out: data.texts_left_out,
    })
}
