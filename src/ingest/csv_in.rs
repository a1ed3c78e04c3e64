//! CSV: one article per row, as spreadsheets and scraper exports hold them.
//!
//! The header names the columns; which ones hold the text, the id and the
//! publication date is configurable (`--text-column`, `--id-column`,
//! `--date-column`) because every export names them differently. The header is
//! checked when inputs are resolved, so a wrong column name stops the run before
//! any work, naming the columns the file does have. After that, a bad row is an
//! error document (id `FILE:LINE`) and the run goes on. RFC 4180 quoting lets a
//! text cell span lines; the origin's line is the csv reader's, which counts
//! row ends only (line breaks inside quoted cells do not count).

use super::{decode, parse_published, Source};
use crate::document::{DateSource, Document, Origin};
use crate::error::{Error, Result};
use std::path::Path;

/// Which columns of a CSV input hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvColumns {
    pub text: String,
    pub id: String,
    pub date: String,
    pub title: String,
    pub url: String,
}

impl Default for CsvColumns {
    fn default() -> Self {
        CsvColumns {
            text: "text".into(),
            id: "id".into(),
            date: "published".into(),
            title: "title".into(),
            url: "url".into(),
        }
    }
}

/// Column positions found in a header.
struct Layout {
    text: usize,
    id: Option<usize>,
    date: Option<usize>,
    title: Option<usize>,
    url: Option<usize>,
}

fn header_names(path: &Path) -> Result<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::Input {
            path: path.to_path_buf(),
            reason: format!("cannot read CSV: {e}"),
        })?;
    let header = reader.byte_headers().map_err(|e| Error::Input {
        path: path.to_path_buf(),
        reason: format!("cannot read the CSV header: {e}"),
    })?;
    Ok(header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect())
}

fn layout(names: &[String], columns: &CsvColumns) -> std::result::Result<Layout, String> {
    let find = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
    let text = find(&columns.text).ok_or_else(|| {
        format!(
            "no column {:?} for the article text (columns: {}); name it with --text-column",
            columns.text,
            names.join(", ")
        )
    })?;
    Ok(Layout {
        text,
        id: find(&columns.id),
        date: find(&columns.date),
        title: find(&columns.title),
        url: find(&columns.url),
    })
}

/// Checks, when inputs are resolved, that the file has the text column.
pub(super) fn check(path: &Path, columns: &CsvColumns) -> Result<()> {
    let names = header_names(path)?;
    layout(&names, columns).map_err(|reason| Error::Input {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(())
}

pub(super) fn read(source: &Source) -> Box<dyn Iterator<Item = Document>> {
    let name = source.display();
    let failed = |reason: String| -> Box<dyn Iterator<Item = Document>> {
        let origin = Origin {
            path: name.clone(),
            line: None,
        };
        Box::new(std::iter::once(Document::failed(
            name.clone(),
            origin,
            reason,
        )))
    };
    let Some(path) = &source.path else {
        return failed("CSV input needs a file path".into());
    };
    let names = match header_names(path) {
        Ok(n) => n,
        Err(e) => return failed(e.to_string()),
    };
    let layout = match layout(&names, &source.columns) {
        Ok(l) => l,
        Err(reason) => return failed(reason),
    };
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(r) => Some(r),
        Err(e) => return failed(format!("cannot read CSV: {e}")),
    };
    let mut record = csv::ByteRecord::new();
    Box::new(std::iter::from_fn(move || loop {
        let reader_now = reader.as_mut()?;
        let line = reader_now.position().line() + 1;
        match reader_now.read_byte_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                let fatal = e.is_io_error();
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                let origin = Origin {
                    path: name.clone(),
                    line: Some(line),
                };
                let doc = Document::failed(origin.to_string(), origin, format!("bad CSV row: {e}"));
                if fatal {
                    // An unreadable file ends the source, but says so.
                    reader = None;
                }
                return Some(doc);
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        let origin = Origin {
            path: name.clone(),
            line: Some(line),
        };
        if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        return Some(row(&record, &layout, origin));
    }))
}

fn row(record: &csv::ByteRecord, layout: &Layout, origin: Origin) -> Document {
    let fallback_id = origin.to_string();
    let mut warnings = Vec::new();
    let cell = |i: Option<usize>, warnings: &mut Vec<String>| -> Option<String> {
        let bytes = record.get(i?)?;
        decode(bytes.to_vec(), warnings).ok()
    };
    let id = cell(layout.id, &mut warnings)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or(fallback_id.clone());
    let Some(bytes) = record.get(layout.text) else {
        return Document::failed(
            id,
            origin,
            format!(
                "row has {} cells, no text column (column {})",
                record.len(),
                layout.text + 1
            ),
        );
    };
    let text = match decode(bytes.to_vec(), &mut warnings) {
        Ok(t) => t,
        Err(reason) => return Document::failed(id, origin, reason),
    };
    let mut doc = Document::new(id, text);
    doc.origin = origin;
    doc.title = cell(layout.title, &mut warnings).filter(|s| !s.trim().is_empty());
    doc.url = cell(layout.url, &mut warnings).filter(|s| !s.trim().is_empty());
    if let Some(date) = cell(layout.date, &mut warnings).filter(|s| !s.trim().is_empty()) {
        match parse_published(&date) {
            Some(d) => {
                doc.published = Some(d);
                doc.published_source = Some(DateSource::Input);
            }
            None => warnings.push(format!(
                "published date {date:?} is not a YYYY-MM-DD date; ignored"
            )),
        }
    }
    doc.warnings = warnings;
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Format;

    fn source(path: &Path, columns: CsvColumns) -> Source {
        Source {
            path: Some(path.to_path_buf()),
            format: Format::Csv,
            id: "x".into(),
            columns,
        }
    }

    #[test]
    fn rows_become_documents_with_configured_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        std::fs::write(
            &path,
            "\u{feff}Article,Key,Date\r\n\"Line one,\r\nline two.\",a1,2024-02-08\r\nSecond.,,08/02/2024\r\n",
        )
        .unwrap();
        let columns = CsvColumns {
            text: "article".into(),
            id: "key".into(),
            date: "date".into(),
            ..CsvColumns::default()
        };
        check(&path, &columns).unwrap();
        let docs: Vec<Document> = read(&source(&path, columns)).collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, "a1");
        assert_eq!(docs[0].text, "Line one,\r\nline two.");
        assert_eq!(docs[0].published.unwrap().to_string(), "2024-02-08");
        // The csv reader numbers lines by record terminators: the quoted line
        // break inside the first text cell does not count.
        assert_eq!(docs[1].id, format!("{}:3", path.display()));
        assert!(docs[1].published.is_none());
        assert_eq!(docs[1].warnings.len(), 1);
    }

    #[test]
    fn a_missing_text_column_is_named_with_the_columns_present() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        std::fs::write(&path, "id,body\n1,Hello.\n").unwrap();
        let err = check(&path, &CsvColumns::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"text\"") && err.contains("id, body"),
            "{err}"
        );
    }

    #[test]
    fn short_rows_and_bad_bytes_are_error_documents_or_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv");
        let mut bytes = b"id,text\nshort\nb,Caf\xe9 bad byte.\nc,Fine.\n".to_vec();
        bytes.extend_from_slice(b"d,Bin\x00ary\n");
        std::fs::write(&path, bytes).unwrap();
        let docs: Vec<Document> = read(&source(&path, CsvColumns::default())).collect();
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["short", "b", "c", "d"]);
        assert!(docs[0].error.as_deref().unwrap().contains("no text column"));
        assert!(docs[1].error.is_none() && docs[1].warnings.len() == 1);
        assert!(docs[2].error.is_none());
        assert!(docs[3].error.as_deref().unwrap().contains("binary"));
    }
}
