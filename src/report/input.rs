//! Reading a run's outputs back: documents.jsonl, events.csv and
//! merged_events.csv, as written by [`crate::output`].
//!
//! Only the fields the report shows are read; unknown fields are ignored, so
//! the report reads outputs of older and newer runs alike.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::io::BufRead;
use std::path::Path;

/// A span with its text, as documents.jsonl writes triggers and sentences.
#[derive(Debug, Clone, Deserialize)]
pub struct SpanIn {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EntityIn {
    #[serde(rename = "type")]
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub canonical: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TimeIn {
    #[serde(rename = "type")]
    pub timex_type: String,
    pub value: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ArgumentIn {
    pub role: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub canonical: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventIn {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub trigger: SpanIn,
    pub arguments: Vec<ArgumentIn>,
    pub score: f32,
    pub killed: Option<u64>,
    pub injured: Option<u64>,
    pub sentence: SpanIn,
    pub rule: String,
    #[serde(default)]
    pub modality: Option<String>,
    #[serde(default)]
    pub casualties_at_least: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActorIn {
    pub name: String,
    #[serde(rename = "type")]
    pub label: String,
    pub mentions: usize,
}

/// One line of documents.jsonl.
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentIn {
    pub id: String,
    #[serde(default)]
    pub source: String,
    pub published: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    #[serde(default)]
    pub text: String,
    /// Absent in outputs written before the report existed: then nothing is
    /// shown as left out.
    #[serde(default)]
    pub blocks: Vec<[usize; 2]>,
    #[serde(default)]
    pub entities: Vec<EntityIn>,
    #[serde(default)]
    pub times: Vec<TimeIn>,
    #[serde(default)]
    pub events: Vec<EventIn>,
    #[serde(default)]
    pub actors: Vec<ActorIn>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

/// Calls `each` with every document of `dir/documents.jsonl`, in order.
///
/// Streams the file: a report over a large run never holds every text.
pub fn for_each_document(dir: &Path, mut each: impl FnMut(DocumentIn)) -> Result<()> {
    let path = dir.join("documents.jsonl");
    let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| Error::io(&path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let doc = serde_json::from_str(&line)
            .map_err(|e| Error::format(&path, Some(n as u64 + 1), e.to_string()))?;
        each(doc);
    }
    Ok(())
}

/// Undoes the CSV outputs' formula neutralisation
/// ([`crate::output::neutralise`]): a leading `'` before `=`, `+`, `-`, `@`,
/// tab or carriage return was added by casefile, so the report shows the
/// text as the article had it.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// The rows of a CSV output as maps from column name to (un-neutralised)
/// text; the header names the columns, so added columns do not matter.
pub fn read_csv(path: &Path, columns: &[&str]) -> Result<Vec<Vec<String>>> {
    let fail = |e: csv::Error| Error::format(path, e.position().map(|p| p.line()), e.to_string());
    let mut reader = csv::Reader::from_path(path).map_err(fail)?;
    let header = reader.headers().map_err(fail)?.clone();
    let index: Vec<usize> = columns
        .iter()
        .map(|c| {
            // A BOM (`--excel`) sticks to the first column's name.
            header
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == *c)
                .ok_or_else(|| Error::format(path, Some(1), format!("no column {c}")))
        })
        .collect::<Result<_>>()?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(fail)?;
        let cell = |i: usize| unneutralise(record.get(i).unwrap_or("")).to_string();
        rows.push(index.iter().map(|&i| cell(i)).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::neutralise;

    #[test]
    fn unneutralise_undoes_neutralise() {
        for cell in [
            "=SUM(A1)", "-2", "+1", "@x", "\tx", "Baghdad", "'quoted", "",
        ] {
            assert_eq!(unneutralise(&neutralise(cell)), cell);
        }
    }

    #[test]
    fn csv_columns_are_found_by_name_behind_a_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, "\u{feff}a,b\r\n'=1,two\r\n").unwrap();
        let rows = read_csv(&path, &["b", "a"]).unwrap();
        assert_eq!(rows, vec![vec!["two".to_string(), "=1".to_string()]]);
        assert!(read_csv(&path, &["c"]).is_err());
    }
}
