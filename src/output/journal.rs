//! The resume journal: what makes `extract --resume` possible after a `kill -9`.
//!
//! Every finished document is appended, in full (text, entities, events...), as
//! one JSON line to `.casefile-journal.jsonl` in the output directory, and the
//! journal is made durable after every batch. The other outputs are only
//! `.partial` files until the run ends, and some of them carry state across
//! documents (merged events), so rather than patching them up, a resumed run
//! rebuilds them: it replays the journal's documents through fresh sinks, then
//! processes the remaining input documents. The sinks see exactly the document
//! sequence of an uninterrupted run, so the final files are the same, byte for
//! byte, with nothing missing and nothing twice. Only the model work of the
//! journalled documents is saved, which is the expensive part.
//!
//! A kill can tear the journal's last line; replay stops at the last complete
//! line and the journal is cut back there before new documents are appended.
//! The journal is removed once every output is in place.

use super::Sink;
use crate::document::Document;
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Name of the journal inside the output directory.
pub const JOURNAL: &str = ".casefile-journal.jsonl";

/// Appends finished documents and makes them durable batch by batch.
pub struct Journal {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Journal {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(JOURNAL)
    }

    /// Starts an empty journal (a fresh run).
    pub fn create(dir: &Path) -> Result<Journal> {
        let path = Journal::path(dir);
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Journal {
            path,
            out: BufWriter::with_capacity(1 << 16, file),
        })
    }

    /// Removes the journal of a finished run.
    pub fn remove(self) -> Result<()> {
        drop(self.out);
        std::fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Sink for Journal {
    fn write(&mut self, doc: &Document) -> Result<()> {
        serde_json::to_writer(&mut self.out, doc)
            .map_err(|e| Error::io(&self.path, std::io::Error::other(e)))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| Error::io(&self.path, e))
    }

    fn sync(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        self.out
            .get_ref()
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.remove()
    }
}

/// Reads the documents of an interrupted run's journal, in order.
pub struct Replay {
    path: PathBuf,
    reader: BufReader<File>,
    /// Bytes of complete, readable lines so far: where the journal is cut.
    good: u64,
    line: Vec<u8>,
    done: bool,
}

impl Replay {
    /// Opens the journal in `dir`; `None` when there is none (nothing to resume).
    pub fn open(dir: &Path) -> Result<Option<Replay>> {
        let path = Journal::path(dir);
        match File::open(&path) {
            Ok(f) => Ok(Some(Replay {
                path,
                reader: BufReader::with_capacity(1 << 16, f),
                good: 0,
                line: Vec::new(),
                done: false,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// The next journalled document; `None` at the end or at a torn last line.
    pub fn next_doc(&mut self) -> Result<Option<Document>> {
        if self.done {
            return Ok(None);
        }
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .map_err(|e| Error::io(&self.path, e))?;
        if n == 0 || self.line.last() != Some(&b'\n') {
            self.done = true;
            return Ok(None);
        }
        match serde_json::from_slice::<Document>(&self.line) {
            Ok(doc) => {
                self.good += n as u64;
                Ok(Some(doc))
            }
            Err(_) => {
                // Only a crash mid-write leaves a bad line; what follows it
                // cannot be trusted either.
                self.done = true;
                Ok(None)
            }
        }
    }

    /// Cuts the journal after its last complete document and reopens it for
    /// appending the documents still to come.
    pub fn into_journal(self) -> Result<Journal> {
        let Replay { path, good, .. } = self;
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.set_len(good).map_err(|e| Error::io(&path, e))?;
        file.sync_data().map_err(|e| Error::io(&path, e))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(Journal {
            path,
            out: BufWriter::with_capacity(1 << 16, file),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Span, TimeExpr};

    #[test]
    fn replay_stops_at_a_torn_line_and_cuts_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::create(dir.path()).unwrap();
        let mut a = Document::new("a", "Text one.");
        a.times.push(TimeExpr {
            span: Span::new(0, 4),
            timex_type: "DATE".into(),
            value: "2024-01-03".into(),
        });
        j.write(&a).unwrap();
        j.write(&Document::new("b", "Text two.")).unwrap();
        j.sync().unwrap();
        drop(j);
        // A kill in the middle of the third line.
        let path = Journal::path(dir.path());
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"id":"c","te"#).unwrap();
        drop(f);

        let mut r = Replay::open(dir.path()).unwrap().unwrap();
        let first = r.next_doc().unwrap().unwrap();
        assert_eq!(first.id, "a");
        assert_eq!(first.times, a.times);
        assert_eq!(r.next_doc().unwrap().unwrap().id, "b");
        assert!(r.next_doc().unwrap().is_none());
        let mut j = r.into_journal().unwrap();
        j.write(&Document::new("c", "Text three.")).unwrap();
        j.sync().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text
            .lines()
            .all(|l| serde_json::from_str::<Document>(l).is_ok()));
    }

    #[test]
    fn no_journal_means_nothing_to_resume() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Replay::open(dir.path()).unwrap().is_none());
    }
}
