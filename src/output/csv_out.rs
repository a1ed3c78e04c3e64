//! The CSV files: `events.csv`, `event_arguments.csv`, `entities.csv`, `places.csv`,
//! `errors.csv`, and `merged_events.csv`.
//!
//! events.csv keeps one row per event mention, as extracted; its last column,
//! `merged_id`, names the merged event (see [`crate::merge`]) the mention
//! belongs to, and merged_events.csv has one row per merged event of the run,
//! written when the run finishes, since a later document may add a source.
//!
//! Analysts open these in spreadsheets, so every text cell is neutralised
//! against formula injection (OWASP: a cell starting with `=`, `+`, `-`, `@`,
//! tab or carriage return gets a leading `'`); numeric columns are written as
//! numbers. Quoting is RFC 4180 (the csv crate's).

use super::jsonl::{doc_event_id, event_id};
use super::{chars, write_err, AtomicFile, OutputOptions, Sink};
use crate::document::{CharMap, Document};
use crate::error::Result;
use crate::merge::{merge_facets, role_names, Facets, Merger};
use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Makes a text cell safe to open in a spreadsheet.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

pub(crate) struct CsvFile {
    file: AtomicFile,
    w: csv::Writer<File>,
}

impl CsvFile {
    pub(crate) fn create(
        dir: &Path,
        name: &str,
        header: &[&str],
        options: &OutputOptions,
    ) -> Result<CsvFile> {
        let (file, mut f) = AtomicFile::create(dir.join(name))?;
        if options.excel_bom {
            f.write_all("\u{feff}".as_bytes())
                .map_err(|e| write_err(&file.path, e))?;
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(f);
        w.write_record(header)
            .map_err(|e| write_err(&file.path, e))?;
        Ok(CsvFile { file, w })
    }

    /// Writes a row; `text` cells are neutralised, `numeric` ones written as is.
    pub(crate) fn row(&mut self, cells: &[Cell<'_>]) -> Result<()> {
        let record: Vec<Cow<'_, str>> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => neutralise(s),
                Cell::Number(s) => Cow::Borrowed(s.as_str()),
            })
            .collect();
        self.w
            .write_record(record.iter().map(|c| c.as_bytes()))
            .map_err(|e| write_err(&self.file.path, e))
    }

    pub(crate) fn commit(self) -> Result<()> {
        let f = self
            .w
            .into_inner()
            .map_err(|e| write_err(&self.file.path, e.error()))?;
        self.file.commit(f)
    }
}

pub(crate) enum Cell<'a> {
    Text(&'a str),
    Number(String),
}

fn num<T: ToString>(v: T) -> Cell<'static> {
    Cell::Number(v.to_string())
}

pub(crate) fn opt_num<T: ToString>(v: Option<T>) -> Cell<'static> {
    Cell::Number(v.map(|v| v.to_string()).unwrap_or_default())
}

pub struct CsvSinks {
    events: CsvFile,
    arguments: CsvFile,
    entities: CsvFile,
    places: CsvFile,
    errors: CsvFile,
    merged: CsvFile,
    merger: Merger,
}

/// `events.csv`: one row per event mention.
const EVENTS_HEADER: &[&str] = &[
    "doc_id",
    "event_id",
    "type",
    "trigger",
    "date",
    "date_text",
    "agent",
    "patient",
    "place",
    "instrument",
    "origin",
    "destination",
    "killed",
    "injured",
    "sentence",
    "score",
    "start",
    "end",
    "merged_id",
    "modality",
    "genericity",
    "doc_event_id",
    "casualties_at_least",
];

/// `event_arguments.csv`: one row per argument of an event mention.
const ARGUMENTS_HEADER: &[&str] = &[
    "doc_id",
    "event_id",
    "role",
    "text",
    "canonical",
    "value",
    "start",
    "end",
    "refers_to",
];

/// `entities.csv`: one row per canonical entity of a document.
const ENTITIES_HEADER: &[&str] = &[
    "doc_id",
    "entity",
    "type",
    "mentions",
    "first_start",
    "first_end",
];

/// `merged_events.csv`: one row per event merged across documents.
const MERGED_HEADER: &[&str] = &[
    "merged_id",
    "type",
    "date",
    "agent",
    "patient",
    "place",
    "instrument",
    "sources",
    "mentions",
];

impl CsvSinks {
    pub fn create(dir: &Path, options: &OutputOptions) -> Result<CsvSinks> {
        Ok(CsvSinks {
            events: CsvFile::create(dir, "events.csv", EVENTS_HEADER, options)?,
            arguments: CsvFile::create(dir, "event_arguments.csv", ARGUMENTS_HEADER, options)?,
            entities: CsvFile::create(dir, "entities.csv", ENTITIES_HEADER, options)?,
            places: CsvFile::create(dir, "places.csv", PLACES_HEADER, options)?,
            errors: CsvFile::create(dir, "errors.csv", &["doc_id", "source", "error"], options)?,
            merged: CsvFile::create(dir, "merged_events.csv", MERGED_HEADER, options)?,
            merger: Merger::new()?,
        })
    }
}

/// `places.csv`: one row per place mention, resolved or not, with the events
/// whose `Place` argument it is.
const PLACES_HEADER: &[&str] = &[
    "doc_id",
    "text",
    "start",
    "end",
    "event_ids",
    "place_id",
    "geonameid",
    "name",
    "country_code",
    "country",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "precision",
    "geo_precision",
];

impl CsvSinks {
    fn write_places(&mut self, doc: &Document, map: &CharMap) -> Result<()> {
        for m in &doc.places {
            let (s, t) = chars(map, m.span);
            let events: Vec<String> = (doc.events.iter().enumerate())
                .filter(|(_, e)| {
                    e.arguments
                        .iter()
                        .any(|a| a.role == "Place" && a.span.overlaps(&m.span))
                })
                .map(|(n, _)| event_id(doc, n))
                .collect();
            let p = m.place.as_ref();
            let text = |f: fn(&crate::geo::GeoPlace) -> Option<&str>| p.and_then(f).unwrap_or("");
            self.places.row(&[
                Cell::Text(&doc.id),
                Cell::Text(doc.slice(m.span)),
                num(s),
                num(t),
                Cell::Text(&events.join("; ")),
                Cell::Text(text(|g| Some(&g.id))),
                opt_num(p.and_then(|g| g.geonameid)),
                Cell::Text(text(|g| Some(&g.name))),
                Cell::Text(text(|g| Some(&g.country_code))),
                Cell::Text(text(|g| Some(&g.country))),
                Cell::Text(text(|g| g.admin1.as_deref())),
                Cell::Text(text(|g| g.admin2.as_deref())),
                opt_num(p.map(|g| format!("{:.5}", g.latitude))),
                opt_num(p.map(|g| format!("{:.5}", g.longitude))),
                Cell::Text(p.map_or("", |g| g.precision.as_str())),
                opt_num(p.map(|g| g.precision.acled())),
            ])?;
        }
        Ok(())
    }
}

impl Sink for CsvSinks {
    fn write(&mut self, doc: &Document) -> Result<()> {
        if let Some(err) = &doc.error {
            let source = doc.origin.to_string();
            return self
                .errors
                .row(&[Cell::Text(&doc.id), Cell::Text(&source), Cell::Text(err)]);
        }
        let map = CharMap::new(&doc.text);
        let own = Facets::all(doc);
        let merging = merge_facets(doc, &own);
        for (n, (e, facets)) in doc.events.iter().zip(&own).enumerate() {
            let id = event_id(doc, n);
            let merged = self.merger.assign(&doc.id, &id, &merging[n])?.id;
            let time = e.arguments.iter().find(|a| a.role == "Time");
            let date = facets.date.as_deref().unwrap_or_default();
            let date_text = time.map(|t| doc.slice(t.span)).unwrap_or("");
            let (start, end) = chars(&map, e.trigger);
            let sentence = doc
                .slice(doc.sentences[e.sentence].span)
                .replace(['\n', '\r'], " ");
            self.events.row(&[
                Cell::Text(&doc.id),
                Cell::Text(&id),
                Cell::Text(&e.event_type),
                Cell::Text(doc.slice(e.trigger)),
                Cell::Text(date),
                Cell::Text(date_text),
                Cell::Text(&facets.agent.join("; ")),
                Cell::Text(&facets.patient.join("; ")),
                Cell::Text(&facets.place.join("; ")),
                Cell::Text(&facets.instrument.join("; ")),
                Cell::Text(&role_names(doc, e, &["Origin"]).join("; ")),
                Cell::Text(&role_names(doc, e, &["Destination"]).join("; ")),
                opt_num(e.killed),
                opt_num(e.injured),
                Cell::Text(&sentence),
                num(format!("{:.3}", e.score)),
                num(start),
                num(end),
                Cell::Text(&merged),
                Cell::Text(e.modality.as_str()),
                Cell::Text(e.genericity.as_str()),
                Cell::Text(
                    &e.doc_event
                        .map(|d| doc_event_id(doc, d))
                        .unwrap_or_default(),
                ),
                Cell::Text(if e.casualties_at_least { "true" } else { "" }),
            ])?;
            for a in &e.arguments {
                let (s, t) = chars(&map, a.span);
                self.arguments.row(&[
                    Cell::Text(&doc.id),
                    Cell::Text(&id),
                    Cell::Text(&a.role),
                    Cell::Text(doc.slice(a.span)),
                    Cell::Text(a.canonical.as_deref().unwrap_or("")),
                    Cell::Text(a.value.as_deref().unwrap_or("")),
                    num(s),
                    num(t),
                    Cell::Text(a.antecedent.map(|r| doc.slice(r)).unwrap_or("")),
                ])?;
            }
        }
        for a in &doc.actors {
            let (s, t) = chars(&map, a.first);
            self.entities.row(&[
                Cell::Text(&doc.id),
                Cell::Text(&a.name),
                Cell::Text(&a.label),
                num(a.mentions),
                num(s),
                num(t),
            ])?;
        }
        self.write_places(doc, &map)
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let merged = &mut self.merged;
        self.merger.for_each(|e, documents| {
            merged.row(&[
                Cell::Text(&e.id),
                Cell::Text(&e.event_type),
                Cell::Text(e.date.as_deref().unwrap_or("")),
                Cell::Text(&e.agent),
                Cell::Text(&e.patient),
                Cell::Text(&e.place),
                Cell::Text(&e.instrument),
                Cell::Text(&documents.join("; ")),
                num(e.mentions),
            ])
        })?;
        self.merged.commit()?;
        self.events.commit()?;
        self.arguments.commit()?;
        self.entities.commit()?;
        self.places.commit()?;
        self.errors.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Baghdad"), "Baghdad");
    }
}
