//! Gathering what the page shows from a run's outputs.
//!
//! Aggregates (counts, merged events, their mentions, top actors, errors)
//! cover every document; full texts only the `max_docs` documents with the
//! most event mentions, so a 10,000-document run still gives a page a browser
//! opens in seconds. Two passes over documents.jsonl: the first counts, the
//! second keeps the chosen texts, so memory holds at most `max_docs` texts.
//!
//! Offsets stay character offsets (Unicode scalar values) as in the outputs;
//! the page indexes texts by code point, not by UTF-16 unit.

use super::input::{self, DocumentIn};
use crate::error::Result;
use crate::output::RunInfo;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How many names the overview lists per kind (actors, places).
const TOP_NAMES: usize = 20;

/// A document as the overview and the documents list show it.
#[derive(Serialize)]
pub struct DocRow {
    pub id: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub source: String,
    /// Event mentions and entity mentions.
    pub events: usize,
    pub entities: usize,
    pub error: Option<String>,
    /// Index into [`ReportData::texts`] when the text is in the page.
    pub text: Option<usize>,
}

/// An argument of a mention: role, `[start, end)` in the document, the name
/// it goes by (canonical, else its text) and a normalised value (dates).
#[derive(Serialize)]
pub struct ArgRow(String, usize, usize, String, Option<String>);

/// One event mention, with the sentence it was read from.
#[derive(Serialize)]
pub struct Mention {
    pub id: String,
    /// Index into [`ReportData::documents`].
    pub doc: usize,
    #[serde(rename = "type")]
    pub event_type: String,
    /// Index into [`ReportData::sentences`] and where that sentence starts.
    pub sentence: usize,
    pub at: usize,
    pub trigger: [usize; 2],
    pub args: Vec<ArgRow>,
    pub killed: Option<u64>,
    pub injured: Option<u64>,
    pub at_least: bool,
    pub rule: String,
    pub score: f32,
    pub modality: String,
    /// Index into [`ReportData::merged`], when events.csv names one.
    pub merged: Option<usize>,
}

/// One row of merged_events.csv with the mentions that make it up.
#[derive(Serialize)]
pub struct Merged {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub date: String,
    pub agent: String,
    pub patient: String,
    pub place: String,
    pub instrument: String,
    pub mentions: Vec<usize>,
    /// Distinct source documents (indices), in mention order.
    pub sources: Vec<usize>,
}

/// A name of the overview's top lists.
#[derive(Serialize, Clone)]
pub struct TopName {
    pub name: String,
    #[serde(rename = "type")]
    pub label: String,
    pub documents: usize,
    pub mentions: usize,
}

/// A document whose text is in the page, with everything to highlight.
#[derive(Serialize)]
pub struct DocText {
    pub doc: usize,
    pub text: String,
    pub url: Option<String>,
    pub blocks: Vec<[usize; 2]>,
    /// `[start, end, type, canonical]`.
    pub entities: Vec<(usize, usize, String, Option<String>)>,
    /// `[start, end, type, value]`.
    pub times: Vec<(usize, usize, String, String)>,
    /// Indices into [`ReportData::mentions`].
    pub events: Vec<usize>,
    pub warnings: Vec<String>,
}

/// Everything the page shows, serialised into it as one JSON object.
#[derive(Serialize, Default)]
pub struct ReportData {
    pub run: Option<RunInfo>,
    pub documents: Vec<DocRow>,
    pub merged: Vec<Merged>,
    pub mentions: Vec<Mention>,
    pub sentences: Vec<String>,
    pub actors: Vec<TopName>,
    pub places: Vec<TopName>,
    pub texts: Vec<DocText>,
    /// Documents processed without error whose text was left out.
    pub texts_left_out: usize,
    pub max_docs: usize,
}

/// Reads the outputs in `dir` into what the page shows.
pub fn gather(dir: &Path, max_docs: usize) -> Result<ReportData> {
    let mut data = ReportData {
        run: RunInfo::read(dir)?,
        max_docs,
        ..ReportData::default()
    };
    let merged_of = read_merged(dir, &mut data)?;
    let mut names = Names::default();
    let mut sentence_ids: HashMap<(usize, usize), usize> = HashMap::new();
    input::for_each_document(dir, |doc| {
        let d = data.documents.len();
        names.add(&doc);
        for e in &doc.events {
            let key = (d, e.sentence.start);
            let sentence = *sentence_ids.entry(key).or_insert_with(|| {
                data.sentences.push(e.sentence.text.clone());
                data.sentences.len() - 1
            });
            let merged = merged_of.get(&e.id).copied();
            let m = data.mentions.len();
            if let Some(row) = merged.and_then(|i| data.merged.get_mut(i)) {
                row.mentions.push(m);
                if !row.sources.contains(&d) {
                    row.sources.push(d);
                }
            }
            data.mentions.push(mention(e, d, sentence, merged));
        }
        data.documents.push(doc_row(&doc));
    })?;
    (data.actors, data.places) = names.top(TOP_NAMES);
    keep_texts(dir, &mut data)?;
    Ok(data)
}

fn doc_row(doc: &DocumentIn) -> DocRow {
    DocRow {
        id: doc.id.clone(),
        title: doc.title.clone(),
        published: doc.published.clone(),
        source: doc.source.clone(),
        events: doc.events.len(),
        entities: doc.entities.len(),
        error: doc.error.clone(),
        text: None,
    }
}

fn mention(e: &input::EventIn, doc: usize, sentence: usize, merged: Option<usize>) -> Mention {
    Mention {
        id: e.id.clone(),
        doc,
        event_type: e.event_type.clone(),
        sentence,
        at: e.sentence.start,
        trigger: [e.trigger.start, e.trigger.end],
        args: e
            .arguments
            .iter()
            .map(|a| {
                let name = a.canonical.clone().unwrap_or_else(|| a.text.clone());
                ArgRow(a.role.clone(), a.start, a.end, name, a.value.clone())
            })
            .collect(),
        killed: e.killed,
        injured: e.injured,
        at_least: e.casualties_at_least,
        rule: e.rule.clone(),
        score: e.score,
        modality: e.modality.clone().unwrap_or_else(|| "asserted".into()),
        merged,
    }
}

/// Fills `data.merged` from merged_events.csv; returns the merged event of
/// each event mention id, from events.csv.
fn read_merged(dir: &Path, data: &mut ReportData) -> Result<HashMap<String, usize>> {
    let columns = [
        "merged_id",
        "type",
        "date",
        "agent",
        "patient",
        "place",
        "instrument",
    ];
    let rows = input::read_csv(&dir.join("merged_events.csv"), &columns)?;
    let mut index = HashMap::new();
    for row in rows {
        let [id, event_type, date, agent, patient, place, instrument] =
            <[String; 7]>::try_from(row).expect("one cell per column asked for");
        index.insert(id.clone(), data.merged.len());
        data.merged.push(Merged {
            id,
            event_type,
            date,
            agent,
            patient,
            place,
            instrument,
            mentions: Vec::new(),
            sources: Vec::new(),
        });
    }
    let events = input::read_csv(&dir.join("events.csv"), &["event_id", "merged_id"])?;
    Ok(events
        .into_iter()
        .filter_map(|r| index.get(&r[1]).map(|&i| (r[0].clone(), i)))
        .collect())
}

/// Second pass: the texts of the `max_docs` documents with the most event
/// mentions (earlier documents first among equals).
fn keep_texts(dir: &Path, data: &mut ReportData) -> Result<()> {
    let mut order: Vec<usize> = (0..data.documents.len())
        .filter(|&d| data.documents[d].error.is_none())
        .collect();
    order.sort_by_key(|&d| std::cmp::Reverse(data.documents[d].events));
    data.texts_left_out = order.len().saturating_sub(data.max_docs);
    let chosen: HashSet<usize> = order.into_iter().take(data.max_docs).collect();
    let mut mentions_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (m, mention) in data.mentions.iter().enumerate() {
        if chosen.contains(&mention.doc) {
            mentions_of.entry(mention.doc).or_default().push(m);
        }
    }
    let mut d = 0;
    input::for_each_document(dir, |doc| {
        if chosen.contains(&d) {
            data.documents[d].text = Some(data.texts.len());
            let events = mentions_of.remove(&d).unwrap_or_default();
            data.texts.push(doc_text(doc, d, events));
        }
        d += 1;
    })
}

fn doc_text(doc: DocumentIn, d: usize, events: Vec<usize>) -> DocText {
    DocText {
        doc: d,
        url: doc.url,
        blocks: doc.blocks,
        entities: doc
            .entities
            .into_iter()
            .map(|e| (e.start, e.end, e.label, e.canonical))
            .collect(),
        times: doc
            .times
            .into_iter()
            .map(|t| (t.start, t.end, t.timex_type, t.value))
            .collect(),
        events,
        warnings: doc.warnings,
        text: doc.text,
    }
}

/// Counts of canonical names over the run: documents naming each, and
/// mentions in all.
#[derive(Default)]
struct Names {
    counts: HashMap<(String, String), (usize, usize)>,
}

impl Names {
    fn add(&mut self, doc: &DocumentIn) {
        for a in &doc.actors {
            let c = self
                .counts
                .entry((a.label.clone(), a.name.clone()))
                .or_default();
            c.0 += 1;
            c.1 += a.mentions;
        }
    }

    /// The most frequent actors (every type but places) and places (`LOC`,
    /// `GPE`), by documents then mentions, then name for a stable order.
    fn top(self, n: usize) -> (Vec<TopName>, Vec<TopName>) {
        let mut all: Vec<TopName> = self
            .counts
            .into_iter()
            .map(|((label, name), (documents, mentions))| TopName {
                name,
                label,
                documents,
                mentions,
            })
            .collect();
        all.sort_by(|a, b| {
            (b.documents, b.mentions)
                .cmp(&(a.documents, a.mentions))
                .then_with(|| a.name.cmp(&b.name))
        });
        let place = |t: &TopName| matches!(t.label.as_str(), "LOC" | "GPE");
        let places = all.iter().filter(|t| place(t)).take(n).cloned().collect();
        let actors = all.into_iter().filter(|t| !place(t)).take(n).collect();
        (actors, places)
    }
}
