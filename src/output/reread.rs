//! `casefile merge`: the outputs of a run rebuilt from its `documents.jsonl`
//! lines, as a distributed job's workers stream them (`extract --out -`).
//!
//! The expensive part of a run (the model) is per document and runs on many
//! machines; what crosses documents (merged events, duplicate ids) needs
//! them all in input order, once. So the job gathers the workers' lines in
//! input order and hands them to this command, which turns each line back
//! into a [`Document`] and writes it through the very sinks `extract` uses:
//! the CSV files, the merged events and `documents.jsonl` come out as a
//! single-machine run over the same input writes them, with no second copy
//! of their logic to drift.
//!
//! A line carries every field the sinks read (spans as character offsets,
//! turned back into byte offsets here). Each rebuilt document is written
//! back into a line and compared with the line read: a line from another
//! casefile version, or one a tool changed, stops the command with an error
//! naming the document rather than giving subtly different tables.

use super::jsonl::document_line;
use super::{OutputDir, OutputOptions, Sink};
use crate::document::{
    Actor, Argument, DateSource, Document, Entity, Event, Genericity, Modality, Origin,
    PlaceMention, Sentence, Span, TimeExpr,
};
use crate::error::{Error, Result};
use crate::pipeline::Summary;
use serde::Deserialize;
use std::io::BufRead;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Line {
    id: String,
    source: String,
    published: Option<String>,
    published_source: Option<DateSource>,
    title: Option<String>,
    url: Option<String>,
    text: String,
    blocks: Vec<[usize; 2]>,
    entities: Vec<EntityIn>,
    times: Vec<TimeIn>,
    events: Vec<EventIn>,
    actors: Vec<ActorIn>,
    #[serde(default)]
    places: Vec<PlaceIn>,
    #[serde(default)]
    warnings: Vec<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct EntityIn {
    #[serde(rename = "type")]
    label: String,
    start: usize,
    end: usize,
    score: f32,
    canonical: Option<String>,
}

#[derive(Deserialize)]
struct TimeIn {
    #[serde(rename = "type")]
    timex_type: String,
    value: String,
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct SpanIn {
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct ArgumentIn {
    role: String,
    start: usize,
    end: usize,
    canonical: Option<String>,
    value: Option<String>,
    refers_to: Option<SpanIn>,
}

#[derive(Deserialize)]
struct EventIn {
    #[serde(rename = "type")]
    event_type: String,
    trigger: SpanIn,
    arguments: Vec<ArgumentIn>,
    score: f32,
    killed: Option<u64>,
    injured: Option<u64>,
    sentence: SpanIn,
    rule: String,
    modality: Modality,
    genericity: Genericity,
    #[serde(default)]
    casualties_at_least: bool,
    doc_event: Option<String>,
    #[serde(default)]
    linked: Vec<String>,
}

#[derive(Deserialize)]
struct ActorIn {
    name: String,
    #[serde(rename = "type")]
    label: String,
    mentions: usize,
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct PlaceIn {
    start: usize,
    end: usize,
    place: Option<crate::geo::GeoPlace>,
}

/// Character offsets of one text back to byte offsets.
struct Bytes {
    at: Vec<usize>,
}

impl Bytes {
    fn new(text: &str) -> Bytes {
        let mut at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        at.push(text.len());
        Bytes { at }
    }

    fn span(&self, start: usize, end: usize) -> std::result::Result<Span, String> {
        match (self.at.get(start), self.at.get(end)) {
            (Some(&s), Some(&e)) if s <= e => Ok(Span::new(s, e)),
            _ => Err(format!(
                "span {start}..{end} is outside the text ({} characters)",
                self.at.len() - 1
            )),
        }
    }
}

/// The origin a `source` field was written from: `PATH:LINE` or `PATH`.
fn origin(source: &str) -> Origin {
    match source.rsplit_once(':') {
        Some((path, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
            Origin {
                path: path.to_string(),
                line: line.parse().ok(),
            }
        }
        _ => Origin {
            path: source.to_string(),
            line: None,
        },
    }
}

/// The number `n` of an id `DOC#dN` (1-based) as the 0-based index.
fn doc_event_index(id: &str) -> std::result::Result<usize, String> {
    id.rsplit_once("#d")
        .and_then(|(_, n)| n.parse::<usize>().ok())
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(|| format!("{id:?} is not a document-level event id"))
}

/// The events of a line, with the sentences they sit in (the only sentences
/// the sinks read), in text order.
fn events(
    line: &[EventIn],
    map: &Bytes,
) -> std::result::Result<(Vec<Event>, Vec<Sentence>), String> {
    let mut spans: Vec<Span> = Vec::new();
    for e in line {
        spans.push(map.span(e.sentence.start, e.sentence.end)?);
    }
    spans.sort();
    spans.dedup();
    let sentences = spans
        .iter()
        .map(|&span| Sentence {
            span,
            tokens: Vec::new(),
            syntax: Vec::new(),
        })
        .collect();
    let mut out = Vec::with_capacity(line.len());
    for e in line {
        let sentence = map.span(e.sentence.start, e.sentence.end)?;
        let mut arguments = Vec::with_capacity(e.arguments.len());
        for a in &e.arguments {
            arguments.push(Argument {
                role: a.role.clone(),
                span: map.span(a.start, a.end)?,
                canonical: a.canonical.clone(),
                value: a.value.clone(),
                head: None,
                antecedent: match &a.refers_to {
                    Some(r) => Some(map.span(r.start, r.end)?),
                    None => None,
                },
            });
        }
        out.push(Event {
            event_type: e.event_type.clone(),
            trigger: map.span(e.trigger.start, e.trigger.end)?,
            arguments,
            score: e.score,
            sentence: spans.binary_search(&sentence).unwrap_or_default(),
            killed: e.killed,
            injured: e.injured,
            rule: e.rule.clone(),
            modality: e.modality,
            genericity: e.genericity,
            casualties_at_least: e.casualties_at_least,
            doc_event: e.doc_event.as_deref().map(doc_event_index).transpose()?,
            linked: (e.linked.iter().map(|l| doc_event_index(l))).collect::<Result<_, _>>()?,
        });
    }
    Ok((out, sentences))
}

/// Turns a `documents.jsonl` line back into the document it was written
/// from, as far as any output reads it; `Err` says what is wrong with it.
pub fn document_from_line(text: &str) -> std::result::Result<Document, String> {
    let line: Line = serde_json::from_str(text).map_err(|e| format!("not a document line: {e}"))?;
    let map = Bytes::new(&line.text);
    let (events, sentences) = events(&line.events, &map)?;
    let mut actors = Vec::with_capacity(line.actors.len());
    for a in &line.actors {
        actors.push(Actor {
            name: a.name.clone(),
            label: a.label.clone(),
            mentions: a.mentions,
            first: map.span(a.start, a.end)?,
        });
    }
    let mut entities = Vec::with_capacity(line.entities.len());
    for e in &line.entities {
        let span = map.span(e.start, e.end)?;
        entities.push(Entity {
            span,
            label: e.label.clone(),
            score: e.score,
            sentence: sentences
                .iter()
                .position(|s: &Sentence| s.span.start <= span.start && span.end <= s.span.end)
                .unwrap_or_default(),
            actor: (e.canonical.as_ref()).and_then(|c| actors.iter().position(|a| &a.name == c)),
        });
    }
    let mut times = Vec::with_capacity(line.times.len());
    for t in &line.times {
        times.push(TimeExpr {
            span: map.span(t.start, t.end)?,
            timex_type: t.timex_type.clone(),
            value: t.value.clone(),
        });
    }
    let mut places = Vec::with_capacity(line.places.len());
    for p in line.places {
        places.push(PlaceMention {
            span: map.span(p.start, p.end)?,
            place: p.place,
        });
    }
    let mut blocks = Vec::with_capacity(line.blocks.len());
    for [s, e] in &line.blocks {
        blocks.push(map.span(*s, *e)?);
    }
    let published = match &line.published {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|e| format!("published {d:?}: {e}"))?,
        ),
        None => None,
    };
    Ok(Document {
        origin: origin(&line.source),
        id: line.id,
        text: line.text,
        title: line.title,
        url: line.url,
        published,
        published_source: line.published_source,
        published_span: None,
        blocks,
        sentences,
        entities,
        times,
        events,
        actors,
        places,
        warnings: line.warnings,
        error: line.error,
        duplicate: false,
    })
}

/// The document of one line, checked to write back into the same line.
fn reread(path: &Path, number: u64, text: &str) -> Result<Document> {
    let id = || {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
            .map(|id| format!("document {id:?}: "))
            .unwrap_or_default()
    };
    let bad = |reason: String| Error::format(path, Some(number), format!("{}{reason}", id()));
    let doc = document_from_line(text).map_err(bad)?;
    let again = document_line(&doc, false).map_err(|e| bad(e.to_string()))?;
    if again != text {
        let at = (again.bytes().zip(text.bytes()))
            .position(|(a, b)| a != b)
            .unwrap_or(again.len().min(text.len()));
        let near = |s: &str| {
            let start = (at.saturating_sub(40)..=at).find(|&i| s.is_char_boundary(i));
            let end = (at + 40..s.len()).find(|&i| s.is_char_boundary(i));
            s[start.unwrap_or(0)..end.unwrap_or(s.len())].to_string()
        };
        return Err(bad(format!(
            "the line does not come back the same when read and written again \
             (written by another casefile version, with --syntax, or edited?): \
             at byte {at} it has {:?}, read back {:?}",
            near(text),
            near(&again)
        )));
    }
    Ok(doc)
}

/// A document whose id an earlier document had: listed, with its error, and
/// nothing found in it, as `extract` lists it (it never reaches the model).
fn strip_duplicate(doc: &mut Document) {
    doc.blocks.clear();
    doc.sentences.clear();
    doc.entities.clear();
    doc.times.clear();
    doc.events.clear();
    doc.actors.clear();
    doc.places.clear();
}

/// Writes the outputs of `extract` into `out` from the `documents.jsonl`
/// lines in `inputs`, in order (files, or `-` for standard input). Stops at
/// the first line that is not a document line, leaving no finished file.
pub fn merge_lines(inputs: &[PathBuf], out: &Path, options: &OutputOptions) -> Result<Summary> {
    let mut sink = Box::new(OutputDir::without_journal(out, options)?);
    let mut summary = Summary::default();
    let mut seen = crate::ingest::DuplicateIds::default();
    for path in inputs {
        let reader: Box<dyn BufRead> = if path == Path::new("-") {
            Box::new(std::io::stdin().lock())
        } else {
            let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            Box::new(std::io::BufReader::with_capacity(1 << 16, f))
        };
        for (n, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            if line.trim().is_empty() {
                continue;
            }
            let mut doc = reread(path, n as u64 + 1, &line)?;
            if seen.mark(&mut doc) {
                strip_duplicate(&mut doc);
            }
            sink.write(&doc)?;
            summary.add(&doc);
        }
    }
    sink.finish()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_character_offsets_come_back() {
        assert_eq!(origin("feed.jsonl:12").to_string(), "feed.jsonl:12");
        assert_eq!(origin("feed.jsonl:12").line, Some(12));
        assert_eq!(origin("a/b.txt").line, None);
        assert_eq!(origin("c:/x.txt").line, None);
        let map = Bytes::new("Düsseldorf — ok");
        assert_eq!(map.span(0, 10).unwrap(), Span::new(0, 11));
        assert_eq!(map.span(13, 15).unwrap(), Span::new(16, 18));
        assert!(map.span(3, 16).is_err());
        assert_eq!(doc_event_index("a#b#d3"), Ok(2));
        assert!(doc_event_index("a#e3").is_err());
    }
}
