//! `coded_events.csv`: one row per document-level event that the coding
//! mapping (`rules/coding.toml`, see [`crate::coding`]) codes, with ACLED-like
//! columns, so that casefile's events can be set beside ACLED's.
//!
//! Cells are made spreadsheet-safe as in the other CSV files.

use super::csv_out::{opt_num, Cell, CsvFile};
use super::{OutputOptions, Sink};
use crate::coding::Coding;
use crate::document::Document;
use crate::error::Result;
use crate::rules::RuleFile;
use std::path::Path;

const HEADER: &[&str] = &[
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

pub struct CodedSink {
    file: CsvFile,
    coding: Coding,
}

impl CodedSink {
    /// Starts the file with its header; the built-in mapping codes the events.
    pub fn create(dir: &Path, options: &OutputOptions) -> Result<CodedSink> {
        Ok(CodedSink {
            file: CsvFile::create(dir, "coded_events.csv", HEADER, options)?,
            coding: Coding::builtin(),
        })
    }
}

impl Sink for CodedSink {
    fn write(&mut self, doc: &Document) -> Result<()> {
        if !doc.is_ok() {
            return Ok(());
        }
        for c in self.coding.code(doc) {
            let notes = doc
                .sentences
                .get(c.sentence)
                .map(|s| doc.slice(s.span).replace(['\n', '\r'], " "))
                .unwrap_or_default();
            let side = |a: &Option<(String, Option<String>)>| {
                let (name, kind) = a.clone().unwrap_or_default();
                (name, kind.unwrap_or_default())
            };
            let (actor1, kind1) = side(&c.actor1);
            let (actor2, kind2) = side(&c.actor2);
            let p = c.place.as_ref();
            let text = |f: fn(&crate::geo::GeoPlace) -> Option<&str>| p.and_then(f).unwrap_or("");
            self.file.row(&[
                Cell::Text(&c.id),
                Cell::Text(c.date.as_deref().unwrap_or("")),
                Cell::Text(&c.event_type),
                Cell::Text(&c.sub_event_type),
                Cell::Text(&c.plover_event),
                Cell::Text(&c.plover_mode),
                Cell::Text(&actor1),
                Cell::Text(&kind1),
                Cell::Text(&actor2),
                Cell::Text(&kind2),
                Cell::Text(text(|g| Some(&g.country))),
                Cell::Text(text(|g| g.admin1.as_deref())),
                Cell::Text(text(|g| g.admin2.as_deref())),
                Cell::Text(text(|g| Some(&g.name))),
                opt_num(p.map(|g| format!("{:.5}", g.latitude))),
                opt_num(p.map(|g| format!("{:.5}", g.longitude))),
                opt_num(p.map(|g| g.precision.acled())),
                opt_num(c.fatalities),
                opt_num(c.injured),
                Cell::Text(&notes),
                Cell::Text(&doc.id),
            ])?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.file.commit()
    }
}
