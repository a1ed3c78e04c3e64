//! The event stream (`--jsonl FILE`): one JSON object per event mention, in
//! input order, for loading into a knowledge base or a search index.
//!
//! Each line carries its merged event's id and `sources`, the documents that
//! reported that event. A later document may still add a source to an event
//! seen early, so lines are first spooled to a scratch file beside the output
//! (with the index of their merged event) and written out, with their
//! sources, when the run finishes. Neither lines nor merged events are held
//! in memory.

use super::coded::CodedRow;
use super::{argument_actor, chars, entity_id, event_id, write_err, AtomicWriter, Sink, SpanOut};
use crate::coding::Coding;
use crate::document::{CharMap, Document, Span};
use crate::error::{Error, Result};
use crate::merge::{merge_facets, Facets, Merger};
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct ArgumentOut<'a> {
    role: &'a str,
    text: &'a str,
    start: usize,
    end: usize,
    /// The canonical actor's name, when the argument names an entity.
    canonical: Option<&'a str>,
    /// The canonical actor's id ([`entity_id`]), as in the database.
    actor_id: Option<String>,
    /// The normalised value (TIMEX3 for `Time`).
    value: Option<&'a str>,
    /// For a pronoun, what it stands for when that is clear.
    refers_to: Option<&'a str>,
}

/// One line, less its `sources` (added when the run finishes).
#[derive(Serialize)]
struct EventLine<'a> {
    document: &'a str,
    id: &'a str,
    merged_id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    trigger: SpanOut<'a>,
    /// TIMEX3 value of the event's time, when resolved.
    date: Option<&'a str>,
    date_text: Option<&'a str>,
    published: Option<String>,
    arguments: Vec<ArgumentOut<'a>>,
    sentence: SpanOut<'a>,
    score: f32,
    killed: Option<u64>,
    injured: Option<u64>,
    rule: &'a str,
    /// The coded event (as in coded_events.csv) the mention is part of;
    /// `null` for a mention that is not asserted and specific, or whose
    /// event no coding rule codes.
    coded: Option<&'a CodedRow>,
}

/// The scratch file, removed when dropped (also when the run fails).
struct Spool {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.out.take();
        // Nothing to report: at worst a hidden scratch file stays behind.
        let _ = std::fs::remove_file(&self.path);
    }
}

pub struct EventStream {
    file: AtomicWriter,
    spool: Spool,
    merger: Merger,
    coding: Coding,
}

impl EventStream {
    pub fn create(path: &Path, coding: Coding) -> Result<EventStream> {
        let file = AtomicWriter::create(path.to_path_buf())?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let spool_path = path.with_file_name(format!(".{name}.spool"));
        let spool = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&spool_path)
            .map_err(|e| Error::io(&spool_path, e))?;
        Ok(EventStream {
            file,
            spool: Spool {
                path: spool_path,
                out: Some(BufWriter::with_capacity(1 << 16, spool)),
            },
            merger: Merger::new()?,
            coding,
        })
    }
}

fn line<'a>(
    doc: &'a Document,
    map: &CharMap,
    n: usize,
    id: &'a str,
    merged_id: &'a str,
    coded: Option<&'a CodedRow>,
) -> EventLine<'a> {
    let e = &doc.events[n];
    let span = |s: Span| SpanOut::of(doc, map, s);
    let time = e.arguments.iter().find(|a| a.role == "Time");
    EventLine {
        document: &doc.id,
        id,
        merged_id,
        event_type: &e.event_type,
        trigger: span(e.trigger),
        date: time.and_then(|t| t.value.as_deref()),
        date_text: time.map(|t| doc.slice(t.span)),
        published: doc.published.map(|d| d.format("%Y-%m-%d").to_string()),
        arguments: e
            .arguments
            .iter()
            .map(|a| {
                let (start, end) = chars(map, a.span);
                ArgumentOut {
                    role: &a.role,
                    text: doc.slice(a.span),
                    start,
                    end,
                    canonical: a.canonical.as_deref(),
                    actor_id: argument_actor(doc, a).map(|x| entity_id(&x.label, &x.name)),
                    value: a.value.as_deref(),
                    refers_to: a.antecedent.map(|r| doc.slice(r)),
                }
            })
            .collect(),
        sentence: span(doc.sentences[e.sentence].span),
        score: e.score,
        killed: e.killed,
        injured: e.injured,
        rule: &e.rule,
        coded,
    }
}

impl Sink for EventStream {
    fn write(&mut self, doc: &Document) -> Result<()> {
        if doc.error.is_some() || doc.events.is_empty() {
            return Ok(());
        }
        let map = CharMap::new(&doc.text);
        let path = &self.spool.path;
        let Some(out) = self.spool.out.as_mut() else {
            return Ok(());
        };
        let merging = merge_facets(doc, &Facets::all(doc));
        let coded = CodedRow::of(&self.coding, doc);
        let mut coded_of: Vec<Option<&CodedRow>> = vec![None; doc.events.len()];
        for (row, mentions) in &coded {
            for &m in mentions {
                coded_of[m] = Some(row);
            }
        }
        for (n, facets) in merging.iter().enumerate() {
            let id = event_id(doc, n);
            let merged = self.merger.assign(&doc.id, &id, facets)?;
            write!(out, "{} ", merged.index).map_err(|e| write_err(path, e))?;
            let l = line(doc, &map, n, &id, &merged.id, coded_of[n]);
            serde_json::to_writer(&mut *out, &l).map_err(|e| write_err(path, e))?;
            out.write_all(b"\n").map_err(|e| write_err(path, e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let path = self.spool.path.clone();
        let Some(spool) = self.spool.out.take() else {
            return self.file.commit();
        };
        let mut spool = spool
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        spool
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(&path, e))?;
        let out_path = self.file.path().to_path_buf();
        for l in BufReader::new(spool).lines() {
            let l = l.map_err(|e| Error::io(&path, e))?;
            // "INDEX {...}": serde_json writes an object with its closing
            // brace last, so the sources go in just before it.
            let parsed = l
                .split_once(' ')
                .and_then(|(i, json)| Some((i.parse::<usize>().ok()?, json.strip_suffix('}')?)))
                .filter(|(i, _)| *i < self.merger.len());
            let Some((index, json)) = parsed else {
                return Err(write_err(&path, "scratch file damaged during the run"));
            };
            let sources = serde_json::to_string(&self.merger.documents(index)?)
                .map_err(|e| write_err(&out_path, e))?;
            let out = &mut self.file.out;
            writeln!(out, "{json},\"sources\":{sources}}}").map_err(|e| write_err(&out_path, e))?;
        }
        let EventStream { file, spool, .. } = *self;
        drop(spool);
        file.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sqlite::tests::attack_doc;
    use crate::rules::RuleFile;

    #[test]
    fn lines_carry_the_sources_known_at_the_end_and_no_scratch_file_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("events.jsonl");
        let mut sink = Box::new(EventStream::create(&path, Coding::builtin()).unwrap());
        sink.write(&attack_doc("a", "Ann attacked Bob.", ["Ann", "Bob"], true))
            .unwrap();
        sink.write(&attack_doc(
            "b",
            "Ann has attacked Bob.",
            ["Ann", "Bob"],
            true,
        ))
        .unwrap();
        sink.write(&attack_doc("c", "Bob attacked Ann.", ["Bob", "Ann"], true))
            .unwrap();
        sink.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["merged_id"], "a#e1");
        assert_eq!(lines[1]["merged_id"], "a#e1");
        assert_eq!(lines[0]["sources"], serde_json::json!(["a", "b"]));
        assert_eq!(lines[2]["merged_id"], "c#e1", "the sides differ");
        assert_eq!(lines[2]["sources"], serde_json::json!(["c"]));
        assert_eq!(lines[1]["arguments"][0]["actor_id"], "PER:Ann");
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("events.jsonl")]);
    }
}
