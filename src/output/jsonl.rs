//! `documents.jsonl`: one object per input document, in input order.

use super::{chars, write_err, AtomicWriter, Sink, SpanOut};
use crate::document::{Argument, CharMap, Document};
use crate::error::Result;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

#[derive(Serialize)]
struct EntityOut<'a> {
    text: &'a str,
    #[serde(rename = "type")]
    label: &'a str,
    start: usize,
    end: usize,
    score: f32,
    canonical: Option<&'a str>,
}

/// A place mention and its gazetteer entry (`place`: null when unresolved).
#[derive(Serialize)]
struct PlaceOut<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    place: Option<&'a crate::geo::GeoPlace>,
    /// ACLED's geo_precision of the entry: 1 a town, 3 a province or country.
    #[serde(skip_serializing_if = "Option::is_none")]
    geo_precision: Option<u8>,
}

#[derive(Serialize)]
struct TimeOut<'a> {
    text: &'a str,
    #[serde(rename = "type")]
    timex_type: &'a str,
    value: &'a str,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct ArgumentOut<'a> {
    role: &'a str,
    text: &'a str,
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    canonical: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    /// For a pronoun, what it stands for when that is clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    refers_to: Option<SpanOut<'a>>,
}

#[derive(Serialize)]
struct EventOut<'a> {
    id: String,
    #[serde(rename = "type")]
    event_type: &'a str,
    trigger: SpanOut<'a>,
    arguments: Vec<ArgumentOut<'a>>,
    score: f32,
    killed: Option<u64>,
    injured: Option<u64>,
    sentence: SpanOut<'a>,
    rule: &'a str,
    /// The events stage's reading of the event (asserted, negated...;
    /// specific or generic).
    modality: &'static str,
    genericity: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    casualties_at_least: bool,
    /// The document-level event (mentions of one real event share it) and
    /// those linked to it (an Attack and the deaths it caused).
    #[serde(skip_serializing_if = "Option::is_none")]
    doc_event: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    linked: Vec<String>,
}

/// A document-level event: the mentions of one real event in the document
/// (the headline, the lead, "the strike" later) with everything they say of
/// it together.
#[derive(Serialize)]
struct DocEventOut<'a> {
    id: String,
    #[serde(rename = "type")]
    event_type: &'a str,
    /// Its mentions' ids in `events`, in document order.
    mentions: Vec<String>,
    /// The union of its mentions' arguments: each participant, place,
    /// instrument and time once (by role and name), as first mentioned.
    arguments: Vec<ArgumentOut<'a>>,
    /// The largest count any mention gives.
    killed: Option<u64>,
    injured: Option<u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    casualties_at_least: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    linked: Vec<String>,
}

/// A word of the parse (`--syntax`), offsets in characters like every span.
#[derive(Serialize)]
struct WordOut<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    lemma: &'a str,
    upos: &'a str,
    xpos: &'a str,
    feats: &'a str,
    /// 1-based index of the head word in the sentence; 0 for the root.
    head: usize,
    deprel: &'a str,
}

#[derive(Serialize)]
struct SentenceOut<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    words: Vec<WordOut<'a>>,
}

#[derive(Serialize)]
struct ActorOut<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    label: &'a str,
    mentions: usize,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct DocumentOut<'a> {
    id: &'a str,
    source: String,
    published: Option<String>,
    published_source: Option<crate::document::DateSource>,
    title: Option<&'a str>,
    url: Option<&'a str>,
    text: &'a str,
    /// The blocks of article text the cleaner kept, as `[start, end]`
    /// character offsets; the rest of the text is boilerplate it left out
    /// (empty: nothing was left out, or the document failed). The report
    /// greys out what was ignored from these.
    blocks: Vec<[usize; 2]>,
    entities: Vec<EntityOut<'a>>,
    times: Vec<TimeOut<'a>>,
    events: Vec<EventOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    doc_events: Vec<DocEventOut<'a>>,
    actors: Vec<ActorOut<'a>>,
    /// Resolved places; absent when the geo stage did not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    places: Vec<PlaceOut<'a>>,
    /// Only with `--syntax`.
    #[serde(skip_serializing_if = "Option::is_none")]
    sentences: Option<Vec<SentenceOut<'a>>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// The id of the n-th event of a document, shared by every output.
pub fn event_id(doc: &Document, n: usize) -> String {
    format!("{}#e{}", doc.id, n + 1)
}

/// The id of a document-level event (`doc_event` of its mentions).
pub fn doc_event_id(doc: &Document, d: usize) -> String {
    format!("{}#d{}", doc.id, d + 1)
}

pub struct DocumentsJsonl {
    file: AtomicWriter,
    /// Whether each record lists its sentences with their parse.
    syntax: bool,
}

impl DocumentsJsonl {
    pub fn create(dir: &Path, syntax: bool) -> Result<DocumentsJsonl> {
        Ok(DocumentsJsonl {
            file: AtomicWriter::create(dir.join("documents.jsonl"))?,
            syntax,
        })
    }
}

/// The sentences of a document with the parse of each word.
fn sentences<'a>(doc: &'a Document, map: &CharMap) -> Vec<SentenceOut<'a>> {
    doc.sentences
        .iter()
        .map(|s| {
            let (start, end) = chars(map, s.span);
            let words = s
                .tokens
                .iter()
                .zip(&s.syntax)
                .map(|(t, w)| {
                    let (start, end) = chars(map, t.span);
                    WordOut {
                        text: doc.slice(t.span),
                        start,
                        end,
                        lemma: &w.lemma,
                        upos: &w.upos,
                        xpos: &w.xpos,
                        feats: &w.feats,
                        head: w.head,
                        deprel: &w.deprel,
                    }
                })
                .collect();
            SentenceOut {
                text: doc.slice(s.span),
                start,
                end,
                words,
            }
        })
        .collect()
}

fn argument<'a>(doc: &'a Document, map: &CharMap, a: &'a Argument) -> ArgumentOut<'a> {
    let (start, end) = chars(map, a.span);
    ArgumentOut {
        role: &a.role,
        text: doc.slice(a.span),
        start,
        end,
        canonical: a.canonical.as_deref(),
        value: a.value.as_deref(),
        refers_to: a.antecedent.map(|s| SpanOut::of(doc, map, s)),
    }
}

/// The document-level events, in order of their first mention. Linear in
/// the number of mentions and their arguments.
fn doc_events<'a>(doc: &'a Document, map: &CharMap) -> Vec<DocEventOut<'a>> {
    let mut out: Vec<DocEventOut> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    let mut seen: Vec<HashSet<(&str, String)>> = Vec::new();
    for (n, e) in doc.events.iter().enumerate() {
        let Some(d) = e.doc_event else { continue };
        let k = *slot.entry(d).or_insert_with(|| {
            out.push(DocEventOut {
                id: doc_event_id(doc, d),
                event_type: &e.event_type,
                mentions: Vec::new(),
                arguments: Vec::new(),
                killed: None,
                injured: None,
                casualties_at_least: false,
                linked: e.linked.iter().map(|&l| doc_event_id(doc, l)).collect(),
            });
            seen.push(HashSet::new());
            out.len() - 1
        });
        let de = &mut out[k];
        de.mentions.push(event_id(doc, n));
        for a in &e.arguments {
            let name = a
                .value
                .clone()
                .or_else(|| a.canonical.clone())
                .unwrap_or_else(|| doc.slice(a.span).to_lowercase());
            if seen[k].insert((&a.role, name)) {
                de.arguments.push(argument(doc, map, a));
            }
        }
        if e.killed > de.killed {
            de.killed = e.killed;
            de.casualties_at_least = e.casualties_at_least;
        }
        de.injured = de.injured.max(e.injured);
        for l in &e.linked {
            let id = doc_event_id(doc, *l);
            if !de.linked.contains(&id) {
                de.linked.push(id);
            }
        }
    }
    out
}

fn record(doc: &Document, syntax: bool) -> DocumentOut<'_> {
    let map = CharMap::new(&doc.text);
    DocumentOut {
        id: &doc.id,
        source: doc.origin.to_string(),
        published: doc.published.map(|d| d.format("%Y-%m-%d").to_string()),
        published_source: doc.published_source,
        title: doc.title.as_deref(),
        url: doc.url.as_deref(),
        text: &doc.text,
        blocks: doc
            .blocks
            .iter()
            .map(|&b| {
                let (start, end) = chars(&map, b);
                [start, end]
            })
            .collect(),
        entities: entities(doc, &map),
        times: times(doc, &map),
        events: events(doc, &map),
        doc_events: doc_events(doc, &map),
        actors: actors(doc, &map),
        places: places(doc, &map),
        sentences: syntax.then(|| sentences(doc, &map)),
        warnings: &doc.warnings,
        error: doc.error.as_deref(),
    }
}

fn entities<'a>(doc: &'a Document, map: &CharMap) -> Vec<EntityOut<'a>> {
    doc.entities
        .iter()
        .map(|e| {
            let (start, end) = chars(map, e.span);
            EntityOut {
                text: doc.slice(e.span),
                label: &e.label,
                start,
                end,
                score: e.score,
                canonical: e.actor.map(|a| doc.actors[a].name.as_str()),
            }
        })
        .collect()
}

fn times<'a>(doc: &'a Document, map: &CharMap) -> Vec<TimeOut<'a>> {
    doc.times
        .iter()
        .map(|t| {
            let (start, end) = chars(map, t.span);
            TimeOut {
                text: doc.slice(t.span),
                timex_type: &t.timex_type,
                value: &t.value,
                start,
                end,
            }
        })
        .collect()
}

fn events<'a>(doc: &'a Document, map: &CharMap) -> Vec<EventOut<'a>> {
    let span = |s| SpanOut::of(doc, map, s);
    doc.events
        .iter()
        .enumerate()
        .map(|(n, e)| EventOut {
            id: event_id(doc, n),
            event_type: &e.event_type,
            trigger: span(e.trigger),
            arguments: e.arguments.iter().map(|a| argument(doc, map, a)).collect(),
            score: e.score,
            killed: e.killed,
            injured: e.injured,
            sentence: span(doc.sentences[e.sentence].span),
            rule: &e.rule,
            modality: e.modality.as_str(),
            genericity: e.genericity.as_str(),
            casualties_at_least: e.casualties_at_least,
            doc_event: e.doc_event.map(|d| doc_event_id(doc, d)),
            linked: e.linked.iter().map(|&d| doc_event_id(doc, d)).collect(),
        })
        .collect()
}

fn actors<'a>(doc: &'a Document, map: &CharMap) -> Vec<ActorOut<'a>> {
    doc.actors
        .iter()
        .map(|a| {
            let (start, end) = chars(map, a.first);
            ActorOut {
                name: &a.name,
                label: &a.label,
                mentions: a.mentions,
                start,
                end,
            }
        })
        .collect()
}

fn places<'a>(doc: &'a Document, map: &CharMap) -> Vec<PlaceOut<'a>> {
    doc.places
        .iter()
        .map(|p| {
            let (start, end) = chars(map, p.span);
            PlaceOut {
                text: doc.slice(p.span),
                start,
                end,
                place: p.place.as_ref(),
                geo_precision: p.place.as_ref().map(|g| g.precision.acled()),
            }
        })
        .collect()
}

impl Sink for DocumentsJsonl {
    fn write(&mut self, doc: &Document) -> Result<()> {
        let f = &mut self.file;
        serde_json::to_writer(&mut f.out, &record(doc, self.syntax))
            .map_err(|e| write_err(f.path(), e))?;
        f.out.write_all(b"\n").map_err(|e| write_err(f.path(), e))
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.file.commit()
    }
}

/// The `documents.jsonl` line of a document, without its newline.
pub fn document_line(doc: &Document, syntax: bool) -> serde_json::Result<String> {
    serde_json::to_string(&record(doc, syntax))
}

/// `extract --out -`: the `documents.jsonl` lines on a stream (standard
/// output for a worker of a distributed job), flushed after every batch so
/// a reader sees each batch as soon as it is done and nothing piles up in
/// memory. Nothing else is written to the stream.
pub struct DocumentLines<W: Write> {
    out: std::io::BufWriter<W>,
    syntax: bool,
}

impl<W: Write> DocumentLines<W> {
    pub fn new(out: W, syntax: bool) -> DocumentLines<W> {
        DocumentLines {
            out: std::io::BufWriter::with_capacity(1 << 16, out),
            syntax,
        }
    }
}

impl<W: Write> Sink for DocumentLines<W> {
    fn write(&mut self, doc: &Document) -> Result<()> {
        let stream = Path::new("-");
        serde_json::to_writer(&mut self.out, &record(doc, self.syntax))
            .map_err(|e| write_err(stream, e))?;
        self.out.write_all(b"\n").map_err(|e| write_err(stream, e))
    }

    fn sync(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| write_err(Path::new("-"), e))
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.sync()
    }
}
