//! TempEval-3 style evaluation of [`super::annotate`] on TimeML
//! `.tml` files.
//!
//! Scoring follows the TempEval-3 conventions: predicted and gold expressions
//! are aligned one-to-one by overlapping extents (relaxed match); a strict
//! match has identical extents; type and value are scored over relaxed
//! matches, with precision over the predictions and recall over the gold.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

use super::{annotate, Timex, TimexType};

/// One TimeML document: its creation time, the `<TEXT>` content with the
/// tags removed and entities decoded, and the gold TIMEX3s (byte offsets into
/// that text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimemlDoc {
    pub name: String,
    pub dct: NaiveDate,
    pub text: String,
    pub gold: Vec<Timex>,
}

/// A problem reading or parsing a TimeML file.
#[derive(Debug, thiserror::Error)]
pub enum TimemlError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: byte {pos}: {msg}")]
    Syntax {
        file: String,
        pos: usize,
        msg: String,
    },
    #[error("{file}: byte {pos}: no document creation time (<DCT><TIMEX3 value=…>)")]
    MissingDct { file: String, pos: usize },
    #[error("{file}: byte {pos}: bad date value {value:?}")]
    BadDate {
        file: String,
        pos: usize,
        value: String,
    },
}

fn attr_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("valid pattern")
    })
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    attr_re().captures_iter(tag).find_map(|c| {
        (c.get(1)?.as_str() == name).then(|| c.get(2).or(c.get(3)).map_or("", |m| m.as_str()))
    })
}

fn syntax(file: &str, pos: usize, msg: impl Into<String>) -> TimemlError {
    TimemlError::Syntax {
        file: file.to_string(),
        pos,
        msg: msg.into(),
    }
}

fn decode_entity(e: &str) -> Option<char> {
    match e {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = e.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// The document creation time: the TIMEX3 inside `<DCT>`, or failing that any
/// TIMEX3 with `functionInDocument="CREATION_TIME"`.
fn find_dct(name: &str, xml: &str) -> Result<NaiveDate, TimemlError> {
    let tag_at = |from: usize| -> Option<(usize, &str)> {
        let s = from + xml[from..].find("<TIMEX3")?;
        let e = s + xml[s..].find('>')?;
        Some((s, &xml[s..e]))
    };
    let found = match xml.find("<DCT>") {
        Some(p) => tag_at(p),
        None => {
            let p = xml.find("CREATION_TIME").ok_or(TimemlError::MissingDct {
                file: name.to_string(),
                pos: 0,
            })?;
            let s = xml[..p].rfind("<TIMEX3").ok_or(TimemlError::MissingDct {
                file: name.to_string(),
                pos: p,
            })?;
            tag_at(s)
        }
    };
    let (pos, tag) = found.ok_or(TimemlError::MissingDct {
        file: name.to_string(),
        pos: 0,
    })?;
    let value = attr(tag, "value").ok_or(TimemlError::MissingDct {
        file: name.to_string(),
        pos,
    })?;
    value
        .get(..10)
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .ok_or_else(|| TimemlError::BadDate {
            file: name.to_string(),
            pos,
            value: value.to_string(),
        })
}

/// Byte range of the text inside `<TEXT ...>` and `</TEXT>`.
fn text_body(name: &str, xml: &str) -> Result<(usize, usize), TimemlError> {
    let open = xml
        .find("<TEXT")
        .ok_or_else(|| syntax(name, 0, "no <TEXT> element"))?;
    let start = open
        + 1
        + xml[open..]
            .find('>')
            .ok_or_else(|| syntax(name, open, "unterminated <TEXT> tag"))?;
    let end = start
        + xml[start..]
            .find("</TEXT>")
            .ok_or_else(|| syntax(name, start, "no </TEXT>"))?;
    Ok((start, end))
}

/// The character an entity reference at the start of `at` ("&amp;...")
/// stands for and the bytes it takes; an unknown or unterminated one is a
/// literal "&".
fn entity(at: &str) -> (char, usize) {
    let semi = at
        .char_indices()
        .take(12)
        .find(|&(_, c)| c == ';')
        .map(|(k, _)| k);
    match semi.and_then(|s| decode_entity(&at[1..s]).map(|c| (s, c))) {
        Some((s, c)) => (c, s + 1),
        None => ('&', 1),
    }
}

/// Parses a TimeML document. `name` is only used in error messages and in
/// the returned document.
pub fn parse_tml(name: &str, xml: &str) -> Result<TimemlDoc, TimemlError> {
    let dct = find_dct(name, xml)?;
    let (body_start, body_end) = text_body(name, xml)?;

    let mut text = String::with_capacity(body_end - body_start);
    let mut gold = Vec::new();
    let mut stack: Vec<(usize, usize, TimexType, String)> = Vec::new();
    let mut i = body_start;
    while i < body_end {
        let rest = &xml[i..body_end];
        let Some(k) = rest.find(['<', '&']) else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..k]);
        i += k;
        if xml[i..].starts_with('&') {
            let (c, len) = entity(&xml[i..body_end]);
            text.push(c);
            i += len;
            continue;
        }
        if xml[i..].starts_with("<!--") {
            let e = xml[i..body_end]
                .find("-->")
                .ok_or_else(|| syntax(name, i, "unterminated comment"))?;
            i += e + 3;
            continue;
        }
        let close = xml[i..body_end]
            .find('>')
            .ok_or_else(|| syntax(name, i, "unterminated tag"))?;
        let tag = &xml[i + 1..i + close];
        if let Some(closing) = tag.strip_prefix('/') {
            if closing.trim() == "TIMEX3" {
                let (start, _, ty, value) = stack
                    .pop()
                    .ok_or_else(|| syntax(name, i, "</TIMEX3> without an open TIMEX3"))?;
                gold.push(Timex {
                    start,
                    end: text.len(),
                    timex_type: ty,
                    value,
                });
            }
        } else if (tag.starts_with("TIMEX3 ") || tag == "TIMEX3") && !tag.ends_with('/') {
            let ty = attr(tag, "type").ok_or_else(|| syntax(name, i, "TIMEX3 without type"))?;
            let ty = TimexType::parse(ty)
                .ok_or_else(|| syntax(name, i, format!("unknown TIMEX3 type {ty:?}")))?;
            let value = attr(tag, "value").unwrap_or("").to_string();
            stack.push((text.len(), i, ty, value));
        }
        i += close + 1;
    }
    if let Some((_, pos, _, _)) = stack.first() {
        return Err(syntax(name, *pos, "unclosed <TIMEX3>"));
    }
    gold.sort_by_key(|t| (t.start, t.end));
    Ok(TimemlDoc {
        name: name.to_string(),
        dct,
        text,
        gold,
    })
}

/// Counts behind the TempEval-3 scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeEvalReport {
    pub documents: usize,
    pub gold: usize,
    pub predicted: usize,
    /// Aligned pairs with identical extents.
    pub strict: usize,
    /// Aligned (overlapping) pairs.
    pub relaxed: usize,
    /// Aligned pairs whose types agree.
    pub type_correct: usize,
    /// Aligned pairs whose values agree.
    pub value_correct: usize,
}

fn prf(correct: usize, predicted: usize, gold: usize) -> (f64, f64, f64) {
    let p = if predicted == 0 {
        0.0
    } else {
        correct as f64 / predicted as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        correct as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

impl TimeEvalReport {
    pub fn strict_prf(&self) -> (f64, f64, f64) {
        prf(self.strict, self.predicted, self.gold)
    }
    pub fn relaxed_prf(&self) -> (f64, f64, f64) {
        prf(self.relaxed, self.predicted, self.gold)
    }
    pub fn value_prf(&self) -> (f64, f64, f64) {
        prf(self.value_correct, self.predicted, self.gold)
    }
    pub fn type_prf(&self) -> (f64, f64, f64) {
        prf(self.type_correct, self.predicted, self.gold)
    }
    pub fn strict_f1(&self) -> f64 {
        self.strict_prf().2
    }
    pub fn relaxed_f1(&self) -> f64 {
        self.relaxed_prf().2
    }
    pub fn value_f1(&self) -> f64 {
        self.value_prf().2
    }
    pub fn type_f1(&self) -> f64 {
        self.type_prf().2
    }
    /// Share of relaxed matches whose type is right.
    pub fn type_accuracy(&self) -> f64 {
        if self.relaxed == 0 {
            0.0
        } else {
            self.type_correct as f64 / self.relaxed as f64
        }
    }
    /// Share of relaxed matches whose value is right.
    pub fn value_accuracy(&self) -> f64 {
        if self.relaxed == 0 {
            0.0
        } else {
            self.value_correct as f64 / self.relaxed as f64
        }
    }
    /// Adds another report's counts to this one.
    pub fn add(&mut self, o: &TimeEvalReport) {
        self.documents += o.documents;
        self.gold += o.gold;
        self.predicted += o.predicted;
        self.strict += o.strict;
        self.relaxed += o.relaxed;
        self.type_correct += o.type_correct;
        self.value_correct += o.value_correct;
    }
}

impl fmt::Display for TimeEvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |x: f64| x * 100.0;
        writeln!(
            f,
            "documents {}   gold {}   predicted {}",
            self.documents, self.gold, self.predicted
        )?;
        writeln!(f, "{:<10} {:>7} {:>7} {:>7}", "", "P", "R", "F1")?;
        for (label, (p, r, f1)) in [
            ("strict", self.strict_prf()),
            ("relaxed", self.relaxed_prf()),
            ("type", self.type_prf()),
            ("value", self.value_prf()),
        ] {
            writeln!(
                f,
                "{label:<10} {:>7.2} {:>7.2} {:>7.2}",
                pct(p),
                pct(r),
                pct(f1)
            )?;
        }
        write!(
            f,
            "type accuracy {:.2}   value accuracy {:.2} (over relaxed matches)",
            pct(self.type_accuracy()),
            pct(self.value_accuracy())
        )
    }
}

fn overlap(a: &Timex, b: &Timex) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

/// One-to-one alignment of gold and predicted expressions by overlap:
/// identical extents first, then for each gold item the unaligned prediction
/// overlapping it most. Returns (gold index, predicted index) pairs.
pub fn align(gold: &[Timex], pred: &[Timex]) -> Vec<(usize, usize)> {
    let mut used_g = vec![false; gold.len()];
    let mut used_p = vec![false; pred.len()];
    let mut pairs = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        if let Some(pi) = (0..pred.len())
            .find(|&pi| !used_p[pi] && pred[pi].start == g.start && pred[pi].end == g.end)
        {
            used_g[gi] = true;
            used_p[pi] = true;
            pairs.push((gi, pi));
        }
    }
    for (gi, g) in gold.iter().enumerate() {
        if used_g[gi] {
            continue;
        }
        let best = (0..pred.len())
            .filter(|&pi| !used_p[pi] && overlap(g, &pred[pi]) > 0)
            .max_by_key(|&pi| (overlap(g, &pred[pi]), std::cmp::Reverse(pi)));
        if let Some(pi) = best {
            used_g[gi] = true;
            used_p[pi] = true;
            pairs.push((gi, pi));
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Scores one document's predictions against its gold annotations.
pub fn score(gold: &[Timex], pred: &[Timex]) -> TimeEvalReport {
    let mut r = TimeEvalReport {
        documents: 1,
        gold: gold.len(),
        predicted: pred.len(),
        ..Default::default()
    };
    for (gi, pi) in align(gold, pred) {
        let (g, p) = (&gold[gi], &pred[pi]);
        r.relaxed += 1;
        if g.start == p.start && g.end == p.end {
            r.strict += 1;
        }
        if g.timex_type == p.timex_type {
            r.type_correct += 1;
        }
        if g.value == p.value {
            r.value_correct += 1;
        }
    }
    r
}

/// Annotates a parsed document (anchored at its DCT) and scores it.
pub fn evaluate_doc(doc: &TimemlDoc) -> TimeEvalReport {
    score(&doc.gold, &annotate(&doc.text, Some(doc.dct)))
}

fn collect_tml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TimemlError> {
    let io = |source| TimemlError::Io {
        file: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_tml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "tml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses every `*.tml` file under `dir` (recursively), in path order.
pub fn load_dir(dir: &Path) -> Result<Vec<TimemlDoc>, TimemlError> {
    let mut paths = Vec::new();
    collect_tml(dir, &mut paths)?;
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let xml = std::fs::read_to_string(p).map_err(|source| TimemlError::Io {
                file: name.clone(),
                source,
            })?;
            parse_tml(&name, &xml)
        })
        .collect()
}

/// Annotates every `*.tml` file under `dir` (recursively, sorted), anchored at
/// each document's creation time, and scores the result against the gold.
pub fn evaluate_dir(dir: &Path) -> Result<TimeEvalReport, TimemlError> {
    let mut total = TimeEvalReport::default();
    for doc in load_dir(dir)? {
        total.add(&evaluate_doc(&doc));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" ?>
<TimeML>
<DCT><TIMEX3 tid="t0" type="DATE" value="1998-02-06" functionInDocument="CREATION_TIME">19980206</TIMEX3></DCT>
<TEXT>
Profits &amp; losses <EVENT eid="e1">rose</EVENT> <TIMEX3 tid="t1" type="DATE" value="1998-02-05">yesterday</TIMEX3> after <TIMEX3 tid="t2" type="DURATION" value="P2D">two days</TIMEX3>.
</TEXT>
</TimeML>"#;

    #[test]
    fn parses_text_gold_and_dct() {
        let d = parse_tml("a.tml", DOC).unwrap();
        assert_eq!(d.dct, NaiveDate::from_ymd_opt(1998, 2, 6).unwrap());
        assert!(d.text.contains("Profits & losses rose yesterday"));
        assert_eq!(d.gold.len(), 2);
        assert_eq!(&d.text[d.gold[0].start..d.gold[0].end], "yesterday");
        assert_eq!(&d.text[d.gold[1].start..d.gold[1].end], "two days");
        assert_eq!(d.gold[1].timex_type, TimexType::Duration);
        // The annotator gets both right on this text.
        let r = evaluate_doc(&d);
        assert_eq!((r.strict, r.value_correct, r.predicted), (2, 2, 2));
    }

    #[test]
    fn errors_name_file_and_position() {
        let bad = DOC.replace(
            "<TIMEX3 tid=\"t1\" type=\"DATE\" value=\"1998-02-05\"",
            "<TIMEX3 tid=\"t1\"",
        );
        let e = parse_tml("b.tml", &bad).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("b.tml: byte "), "{msg}");
        let no_dct = DOC.replace("<DCT>", "").replace("CREATION_TIME", "NONE");
        assert!(matches!(
            parse_tml("c.tml", &no_dct),
            Err(TimemlError::MissingDct { .. })
        ));
    }

    #[test]
    fn scoring_counts_relaxed_strict_and_values() {
        let t = |s, e, v: &str| Timex {
            start: s,
            end: e,
            timex_type: TimexType::Date,
            value: v.into(),
        };
        let gold = [t(0, 10, "A"), t(20, 30, "B"), t(40, 50, "C")];
        let pred = [t(0, 10, "A"), t(22, 30, "X"), t(60, 70, "D")];
        let r = score(&gold, &pred);
        assert_eq!((r.strict, r.relaxed, r.value_correct), (1, 2, 1));
        assert!((r.relaxed_f1() - 2.0 / 3.0).abs() < 1e-9);
        assert!((r.value_f1() - 1.0 / 3.0).abs() < 1e-9);
        assert!(r.to_string().contains("relaxed"));
    }
}
