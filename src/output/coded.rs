//! `coded_events.csv`: one row per document-level event that the coding
//! mapping (`rules/coding.toml`, see [`crate::coding`]) codes, with ACLED-like
//! columns, so that casefile's events can be set beside ACLED's.
//!
//! Cells are made spreadsheet-safe as in the other CSV files.

use super::csv_out::{opt_num, Cell, CsvFile};
use super::{OutputOptions, Sink};
use crate::coding::{CodedEvent, Coding};
use crate::document::Document;
use crate::error::Result;
use serde::Serialize;
use std::path::Path;

pub(crate) const HEADER: &[&str] = &[
    "event_id",
    "event_date",
    "event_type",
    "sub_event_type",
    "plover_event",
    "plover_mode",
    "actor1",
    "actor1_kind",
    "actor2",
    "actor2_kind",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "injured",
    "notes",
    "sources",
];

/// A coded event as every output writes it (coded_events.csv, the
/// `coded_events` table of `--db`, `coded` in the `--jsonl` stream): the
/// fields of [`HEADER`], under the same names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CodedRow {
    pub event_id: String,
    pub event_date: Option<String>,
    pub event_type: String,
    pub sub_event_type: String,
    pub plover_event: String,
    pub plover_mode: String,
    pub actor1: Option<String>,
    pub actor1_kind: Option<String>,
    pub actor2: Option<String>,
    pub actor2_kind: Option<String>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub location: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub geo_precision: Option<u8>,
    pub fatalities: Option<u64>,
    pub injured: Option<u64>,
    pub notes: String,
    pub sources: String,
}

impl CodedRow {
    pub(crate) fn new(doc: &Document, c: CodedEvent) -> CodedRow {
        let notes = doc
            .sentences
            .get(c.sentence)
            .map(|s| doc.slice(s.span).replace(['\n', '\r'], " "))
            .unwrap_or_default();
        let (actor1, actor1_kind) = c.actor1.map_or((None, None), |(n, k)| (Some(n), k));
        let (actor2, actor2_kind) = c.actor2.map_or((None, None), |(n, k)| (Some(n), k));
        let p = c.place;
        CodedRow {
            event_id: c.id,
            event_date: c.date,
            event_type: c.event_type,
            sub_event_type: c.sub_event_type,
            plover_event: c.plover_event,
            plover_mode: c.plover_mode,
            actor1,
            actor1_kind,
            actor2,
            actor2_kind,
            country: p.as_ref().map(|g| g.country.clone()),
            admin1: p.as_ref().and_then(|g| g.admin1.clone()),
            admin2: p.as_ref().and_then(|g| g.admin2.clone()),
            location: p.as_ref().map(|g| g.name.clone()),
            // Five decimals (about a metre), as written in the CSV.
            latitude: p.as_ref().map(|g| round5(g.latitude)),
            longitude: p.as_ref().map(|g| round5(g.longitude)),
            geo_precision: p.as_ref().map(|g| g.precision.acled()),
            fatalities: c.fatalities,
            injured: c.injured,
            notes,
            sources: doc.id.clone(),
        }
    }

    /// The document's coded events as rows, each with the mentions (indices
    /// into `doc.events`) it was coded from.
    pub(crate) fn of(coding: &Coding, doc: &Document) -> Vec<(CodedRow, Vec<usize>)> {
        if !doc.is_ok() {
            return Vec::new();
        }
        coding
            .code(doc)
            .into_iter()
            .map(|c| {
                let mentions = c.mentions.clone();
                (CodedRow::new(doc, c), mentions)
            })
            .collect()
    }
}

fn round5(v: f64) -> f64 {
    (v * 1e5).round() / 1e5
}

pub struct CodedSink {
    file: CsvFile,
    coding: Coding,
}

impl CodedSink {
    /// Starts the file with its header.
    pub fn create(dir: &Path, options: &OutputOptions) -> Result<CodedSink> {
        Ok(CodedSink {
            file: CsvFile::create(dir, "coded_events.csv", HEADER, options)?,
            coding: options.coding(),
        })
    }
}

fn text(v: &Option<String>) -> Cell<'_> {
    Cell::Text(v.as_deref().unwrap_or(""))
}

impl Sink for CodedSink {
    fn write(&mut self, doc: &Document) -> Result<()> {
        for (r, _) in CodedRow::of(&self.coding, doc) {
            let coord = |v: Option<f64>| opt_num(v.map(|v| format!("{v:.5}")));
            self.file.row(&[
                Cell::Text(&r.event_id),
                text(&r.event_date),
                Cell::Text(&r.event_type),
                Cell::Text(&r.sub_event_type),
                Cell::Text(&r.plover_event),
                Cell::Text(&r.plover_mode),
                text(&r.actor1),
                text(&r.actor1_kind),
                text(&r.actor2),
                text(&r.actor2_kind),
                text(&r.country),
                text(&r.admin1),
                text(&r.admin2),
                text(&r.location),
                coord(r.latitude),
                coord(r.longitude),
                opt_num(r.geo_precision),
                opt_num(r.fatalities),
                opt_num(r.injured),
                Cell::Text(&r.notes),
                Cell::Text(&r.sources),
            ])?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.file.commit()
    }
}
