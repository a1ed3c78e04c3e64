//! JSON Lines: one object per line with `id`, `text` and optional `published`
//! (`YYYY-MM-DD`), `title`, `url`.
//!
//! Every non-blank line is one document, good or bad: a line that is not JSON,
//! not an object, or has no usable `text` becomes an error document whose id is
//! the line's own `id` when it has one, else `FILE:LINE`.

use super::{decode, Source};
use crate::document::{DateSource, Document, Origin};
use chrono::NaiveDate;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};

/// Parses a `published` value: `YYYY-MM-DD`, optionally followed by a time
/// (`2024-02-08T19:04:00Z`), whose date part is used.
pub fn parse_published(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let date = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

pub(super) fn read(source: &Source) -> Box<dyn Iterator<Item = Document>> {
    let name = source.display();
    let reader: Box<dyn Read> = match &source.path {
        None => Box::new(std::io::stdin()),
        Some(path) => match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let origin = Origin {
                    path: name.clone(),
                    line: None,
                };
                return Box::new(std::iter::once(Document::failed(
                    name,
                    origin,
                    format!("cannot read: {e}"),
                )));
            }
        },
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    Box::new(std::iter::from_fn(move || loop {
        buf.clear();
        line_no += 1;
        let origin = Origin {
            path: name.clone(),
            line: Some(line_no),
        };
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                // An unreadable stream ends the source, but says so.
                let id = format!("{name}:{line_no}");
                let doc = Document::failed(id, origin, format!("read error: {e}"));
                reader = BufReader::new(Box::new(std::io::empty()));
                return Some(doc);
            }
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        return Some(parse_line(std::mem::take(&mut buf), origin));
    }))
}

/// Reads framed lines (`extract - --framed`): each line is a JSON array
/// `[PATH, LINE, RAW]`, a line `RAW` of the JSONL input `PATH` at 1-based
/// `LINE`, as a distributed job hands a slice of a file to one worker. `RAW`
/// is parsed exactly as [`read`] would parse it there, so ids that fall back
/// to `FILE:LINE`, sources and error messages are those of a run on the file
/// itself. A fourth element `FIRST` says that an earlier document of the
/// whole input (at origin `FIRST`) had this one's id: the document fails as
/// a repeated id does in a single run, before any model work, which keeps
/// its batch's other documents exactly as a single run batches them. A
/// frame that is not such an array is an error document named by its place
/// on standard input (`-:N`).
pub(super) fn read_framed(reader: impl Read + 'static) -> Box<dyn Iterator<Item = Document>> {
    let reader: Box<dyn Read> = Box::new(reader);
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut frame_no = 0u64;
    let mut buf = Vec::new();
    Box::new(std::iter::from_fn(move || loop {
        buf.clear();
        frame_no += 1;
        let here = Origin {
            path: "-".into(),
            line: Some(frame_no),
        };
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                reader = BufReader::new(Box::new(std::io::empty()));
                let id = here.to_string();
                return Some(Document::failed(id, here, format!("read error: {e}")));
            }
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        return Some(match parse_frame(&buf) {
            Some((origin, raw, first)) => {
                let mut doc = parse_line(raw.into_bytes(), origin);
                if let Some(first) = first {
                    doc.duplicate = true;
                    if doc.error.is_none() {
                        doc.error = Some(format!(
                            "duplicate id {:?}: already used by the document at {first}",
                            doc.id
                        ));
                    }
                }
                doc
            }
            None => {
                let id = here.to_string();
                Document::failed(id, here, "not a [PATH, LINE, RAW(, FIRST)] frame")
            }
        });
    }))
}

/// The origin, raw line and first origin of its id (if repeated) of a frame.
fn parse_frame(bytes: &[u8]) -> Option<(Origin, String, Option<String>)> {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(bytes) else {
        return None;
    };
    match items.as_slice() {
        [Value::String(path), Value::Number(line), Value::String(raw), rest @ ..] => {
            let first = match rest {
                [] => None,
                [Value::String(first)] => Some(first.clone()),
                _ => return None,
            };
            let origin = Origin {
                path: path.clone(),
                line: Some(line.as_u64()?),
            };
            Some((origin, raw.clone(), first))
        }
        _ => None,
    }
}

fn parse_line(bytes: Vec<u8>, origin: Origin) -> Document {
    let fallback_id = origin.to_string();
    let mut warnings = Vec::new();
    let line = match decode(bytes, &mut warnings) {
        Ok(s) => s,
        Err(reason) => return Document::failed(fallback_id, origin, reason),
    };
    let value: Value = match serde_json::from_str(line.trim_end_matches(['\r', '\n'])) {
        Ok(v) => v,
        Err(e) => return Document::failed(fallback_id, origin, format!("not valid JSON: {e}")),
    };
    let Value::Object(obj) = value else {
        return Document::failed(fallback_id, origin, "not a JSON object");
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => fallback_id,
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => {
            warnings.push(format!("numeric id {n} used as the string \"{n}\""));
            n.to_string()
        }
        Some(other) => {
            return Document::failed(
                fallback_id,
                origin,
                format!("`id` must be a string or a number, not {}", kind(other)),
            )
        }
    };
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.clone(),
        None => return Document::failed(id, origin, "no `text` field"),
        Some(other) => {
            return Document::failed(
                id,
                origin,
                format!("`text` must be a string, not {}", kind(other)),
            )
        }
    };
    let mut doc = Document::new(id, text);
    doc.origin = origin;
    doc.warnings = warnings;
    let string = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    doc.title = string("title");
    doc.url = string("url");
    match obj.get("published") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => match parse_published(s) {
            Some(date) => {
                doc.published = Some(date);
                doc.published_source = Some(DateSource::Input);
            }
            None => doc.warnings.push(format!(
                "`published` {s:?} is not a YYYY-MM-DD date; ignored"
            )),
        },
        Some(other) => doc.warnings.push(format!(
            "`published` must be a YYYY-MM-DD string, not {}; ignored",
            kind(other)
        )),
    }
    doc
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            path: "in.jsonl".into(),
            line: Some(7),
        }
    }

    #[test]
    fn good_line() {
        let doc = parse_line(
            br#"{"id":"a","text":"Hello.","published":"2024-02-08"}"#.to_vec(),
            origin(),
        );
        assert_eq!(doc.id, "a");
        assert_eq!(doc.text, "Hello.");
        assert_eq!(doc.published, NaiveDate::from_ymd_opt(2024, 2, 8));
        assert!(doc.error.is_none());
    }

    #[test]
    fn bad_lines_become_error_documents_with_ids() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"not json", "in.jsonl:7", "not valid JSON"),
            (b"[1,2]", "in.jsonl:7", "not a JSON object"),
            (br#"{"id":"x"}"#, "x", "no `text`"),
            (
                br#"{"id":"y","text":null}"#,
                "y",
                "must be a string, not null",
            ),
        ];
        for (line, id, reason) in cases {
            let doc = parse_line(line.to_vec(), origin());
            assert_eq!(doc.id, *id);
            let err = doc.error.expect("an error");
            assert!(err.contains(reason), "{err}");
        }
    }

    #[test]
    fn numeric_id_and_bad_date_are_warnings() {
        let doc = parse_line(
            br#"{"id":42,"text":"t","published":"08/02/2024"}"#.to_vec(),
            origin(),
        );
        assert_eq!(doc.id, "42");
        assert!(doc.error.is_none());
        assert_eq!(doc.published, None);
        assert_eq!(doc.warnings.len(), 2);
    }
}
