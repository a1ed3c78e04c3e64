//! Reading inputs into [`Document`]s.
//!
//! An input argument is resolved into [`Source`]s first (so a bad path fails the
//! run at once, before any work), then each source is read lazily, one document at
//! a time, so that a million-line JSONL file never sits in memory. A problem with
//! one document (bad JSON, no text, invalid UTF-8...) yields a document carrying
//! an `error`, never an `Err` that would end the run: every input document is
//! accounted for in the output.

mod csv_in;
pub mod html;
mod jsonl;
mod txt;

use crate::document::{Document, Origin};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use csv_in::CsvColumns;
pub use jsonl::parse_published;

/// The formats casefile reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One article per file; the id is the file's stem (or its path below the
    /// directory given, without extension).
    Txt,
    /// One JSON object per line: `id`, `text`, optional `published`, `title`, `url`.
    Jsonl,
    /// One article per row; the columns are named by [`CsvColumns`].
    Csv,
    /// One web page per file (`.html`, `.htm`): the article found in it, with
    /// title and date from its metadata; the id as for `.txt`.
    Html,
}

/// One file (or standard input) to read documents from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `None` for standard input.
    pub path: Option<PathBuf>,
    pub format: Format,
    /// The document id for a `.txt` or `.html` source.
    pub id: String,
    /// For CSV sources: which columns hold what.
    pub columns: CsvColumns,
}

impl Source {
    pub fn display(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => "-".to_string(),
        }
    }
}

fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "txt" => Some(Format::Txt),
        "jsonl" => Some(Format::Jsonl),
        "csv" => Some(Format::Csv),
        "html" | "htm" => Some(Format::Html),
        _ => None,
    }
}

/// Resolves command-line inputs into sources, in the order given; directories are
/// walked recursively in sorted order. Fails on the first input that does not
/// exist or has a format casefile does not read.
pub fn resolve(inputs: &[String]) -> Result<Vec<Source>> {
    resolve_with(inputs, &CsvColumns::default())
}

/// [`resolve`], with the column names of CSV inputs. Each CSV file's header is
/// checked here, so a wrong column name stops the run before any work.
/// An input that is not an existing path but holds `*`, `?` or `[` is a glob
/// pattern: its matches of the formats casefile reads are taken in sorted order,
/// with ids relative to the pattern's fixed leading directory, as for a
/// directory.
pub fn resolve_with(inputs: &[String], columns: &CsvColumns) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for input in inputs {
        if input == "-" {
            sources.push(Source {
                path: None,
                format: Format::Jsonl,
                id: "-".into(),
                columns: columns.clone(),
            });
            continue;
        }
        let path = PathBuf::from(input);
        if !path.exists() && input.contains(['*', '?', '[']) {
            glob_sources(input, columns, &mut sources)?;
            continue;
        }
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            let before = sources.len();
            walk(&path, &path, columns, &mut sources)?;
            if sources.len() == before {
                return Err(Error::Input {
                    path,
                    reason: "directory holds no .txt, .jsonl, .csv or .html files".into(),
                });
            }
        } else {
            let format = format_of(&path).ok_or_else(|| Error::Input {
                path: path.clone(),
                reason: "unknown format: expected a .txt, .jsonl, .csv or .html file, a directory, a glob pattern, or -"
                    .into(),
            })?;
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            sources.push(Source {
                path: Some(path),
                format,
                id,
                columns: columns.clone(),
            });
        }
    }
    for s in &sources {
        if let (Format::Csv, Some(path)) = (s.format, &s.path) {
            csv_in::check(path, &s.columns)?;
        }
    }
    Ok(sources)
}

fn glob_sources(pattern: &str, columns: &CsvColumns, out: &mut Vec<Source>) -> Result<()> {
    let bad = |reason: String| Error::Input {
        path: PathBuf::from(pattern),
        reason,
    };
    let paths = glob::glob(pattern).map_err(|e| bad(format!("bad glob pattern: {e}")))?;
    let mut matches = Vec::new();
    for p in paths {
        let p = p.map_err(|e| bad(format!("cannot read a match: {e}")))?;
        if p.is_file() && format_of(&p).is_some() {
            matches.push(p);
        }
    }
    if matches.is_empty() {
        return Err(bad(
            "the pattern matches no .txt, .jsonl, .csv or .html file".into(),
        ));
    }
    matches.sort();
    // Ids are relative to the directories before the first wildcard.
    let root: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .collect();
    for path in matches {
        out.push(Source {
            id: relative_id(&root, &path),
            format: format_of(&path).unwrap_or(Format::Txt),
            path: Some(path),
            columns: columns.clone(),
        });
    }
    Ok(())
}

/// The id of a file found below `root`: its relative path without extension,
/// unique and the same on every run.
fn relative_id(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(root: &Path, dir: &Path, columns: &CsvColumns, out: &mut Vec<Source>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, columns, out)?;
        } else if let Some(format) = format_of(&path) {
            out.push(Source {
                id: relative_id(root, &path),
                path: Some(path),
                format,
                columns: columns.clone(),
            });
        }
    }
    Ok(())
}

/// Counts the documents the sources hold, for a progress bar's ETA, by a
/// cheap pass over the files (lines of JSONL, rows of CSV, one per text or
/// HTML file). `None` when standard input is among them, or a file cannot be
/// read: the count is a hint, never a reason to fail.
pub fn count_documents(sources: &[Source]) -> Option<u64> {
    use std::io::BufRead;
    let mut n = 0u64;
    for s in sources {
        let path = s.path.as_ref()?;
        n += match s.format {
            Format::Txt | Format::Html => 1,
            Format::Jsonl => {
                let f = std::fs::File::open(path).ok()?;
                let mut reader = std::io::BufReader::with_capacity(1 << 16, f);
                let mut line = Vec::new();
                let mut lines = 0;
                while reader.read_until(b'\n', &mut line).ok()? > 0 {
                    if !line.iter().all(u8::is_ascii_whitespace) {
                        lines += 1;
                    }
                    line.clear();
                }
                lines
            }
            Format::Csv => csv::ReaderBuilder::new()
                .flexible(true)
                .from_path(path)
                .ok()?
                .byte_records()
                .count() as u64,
        };
    }
    Some(n)
}

/// Reads all documents of the sources in order, lazily. Ids are made unique
/// across the whole run: a repeated id makes the later document an error
/// document (naming where the id was first seen) rather than silently merging
/// or dropping it.
pub fn documents(sources: Vec<Source>) -> impl Iterator<Item = Document> {
    mark_duplicates(
        sources
            .into_iter()
            .flat_map(|source| -> Box<dyn Iterator<Item = Document>> {
                match source.format {
                    Format::Txt => Box::new(std::iter::once(txt::read(&source))),
                    Format::Jsonl => jsonl::read(&source),
                    Format::Csv => csv_in::read(&source),
                    Format::Html => Box::new(std::iter::once(html::read(&source))),
                }
            }),
    )
}

/// Documents from framed standard input (see `extract --framed`), with the
/// same duplicate-id marking as [`documents`] within this stream.
pub fn framed_stdin() -> impl Iterator<Item = Document> {
    mark_duplicates(jsonl::read_framed(std::io::stdin()))
}

/// Marks every document whose id an earlier one already had: it keeps its
/// place in every output, with an error naming where the id was first read.
pub fn mark_duplicates(docs: impl Iterator<Item = Document>) -> impl Iterator<Item = Document> {
    let mut seen = DuplicateIds::default();
    docs.map(move |mut doc| {
        seen.mark(&mut doc);
        doc
    })
}

/// The duplicate-id check of a run, one document at a time.
#[derive(Default)]
pub struct DuplicateIds(SeenIds);

impl DuplicateIds {
    /// Marks `doc` as a duplicate (with its error) when its id was seen;
    /// returns whether it was.
    pub fn mark(&mut self, doc: &mut Document) -> bool {
        let Some(first) = self.0.insert(&doc.id, &doc.origin) else {
            return false;
        };
        doc.duplicate = true;
        if doc.error.is_none() {
            doc.error = Some(format!(
                "duplicate id {:?}: already used by the document at {}",
                doc.id, first
            ));
        }
        true
    }
}

/// The ids read so far in a run, and where each was first read. A run over
/// millions of documents holds one entry per document to its end, so an entry
/// is small: a 128-bit hash of the id (two ids of a billion collide with odds
/// below 10^-20) and the input's line, with the input's path stored once.
#[derive(Default)]
struct SeenIds {
    paths: Vec<String>,
    /// Hash of the id → (index into `paths`, line or 0 where there is none).
    first: HashMap<u128, (u32, u64)>,
}

impl SeenIds {
    /// Records `id` read at `origin`; if it was read before, returns where.
    fn insert(&mut self, id: &str, origin: &Origin) -> Option<Origin> {
        use std::hash::{Hash, Hasher};
        let half = |salt: u8| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (salt, id).hash(&mut h);
            h.finish()
        };
        let key = (u128::from(half(0)) << 64) | u128::from(half(1));
        if let Some(&(path, line)) = self.first.get(&key) {
            return Some(Origin {
                path: self.paths.get(path as usize).cloned().unwrap_or_default(),
                line: (line > 0).then_some(line),
            });
        }
        if self.paths.last() != Some(&origin.path) {
            self.paths.push(origin.path.clone());
        }
        let path = u32::try_from(self.paths.len() - 1).unwrap_or(u32::MAX);
        self.first.insert(key, (path, origin.line.unwrap_or(0)));
        None
    }
}

/// Turns raw bytes into text, never failing: invalid UTF-8 is replaced (and a
/// warning recorded), a byte-order mark is dropped, and binary content (NUL
/// bytes) is refused with a reason.
pub(crate) fn decode(
    bytes: Vec<u8>,
    warnings: &mut Vec<String>,
) -> std::result::Result<String, String> {
    if bytes.contains(&0) {
        return Err("binary content (NUL bytes), not text".into());
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            let bad = std::str::from_utf8(&bytes)
                .err()
                .map(|e| e.valid_up_to())
                .unwrap_or(0);
            warnings.push(format!(
                "invalid UTF-8 (first at byte {bad}); bad bytes replaced with U+FFFD"
            ));
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_counted_for_the_progress_bar() {
        let dir = tempfile::tempdir().unwrap();
        let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        w("a.txt", "One.");
        w("b.jsonl", "{\"id\":\"x\",\"text\":\"t\"}\n\n  \nnot json\n");
        w("c.csv", "id,text\n1,\"two\nlines\"\n2,t\n");
        w("d.html", "<p>Hi</p>");
        let sources = resolve(&[dir.path().display().to_string()]).unwrap();
        let counted = count_documents(&sources);
        let read = documents(sources).count() as u64;
        assert_eq!(counted, Some(read));
        assert_eq!(read, 6);
        let stdin = resolve(&["-".to_string()]).unwrap();
        assert_eq!(count_documents(&stdin), None);
    }

    #[test]
    fn a_repeated_id_names_where_it_was_first_read() {
        let dir = tempfile::tempdir().unwrap();
        let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        let line = |id: &str| format!("{{\"id\":\"{id}\",\"text\":\"t\"}}\n");
        w("a.jsonl", &[line("x"), line("y")].concat());
        w(
            "b.jsonl",
            &[line("z"), line("y"), line("z"), line("w")].concat(),
        );
        let sources = resolve(&[dir.path().display().to_string()]).unwrap();
        let docs: Vec<Document> = documents(sources).collect();
        let errors: Vec<Option<&str>> = docs.iter().map(|d| d.error.as_deref()).collect();
        let a = dir.path().join("a.jsonl").display().to_string();
        let b = dir.path().join("b.jsonl").display().to_string();
        assert_eq!(
            errors,
            [
                None,
                None,
                None,
                Some(format!("duplicate id \"y\": already used by the document at {a}:2").as_str()),
                Some(format!("duplicate id \"z\": already used by the document at {b}:1").as_str()),
                None,
            ]
        );
        // Marked too, for outputs keyed by id.
        let marked: Vec<bool> = docs.iter().map(|d| d.duplicate).collect();
        assert_eq!(marked, [false, false, false, true, true, false]);
    }
}
