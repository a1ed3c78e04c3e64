//! Event evaluation on M2E2-style sentence records (ACE 2005 types).
//!
//! Each record is a sentence of a document with its words and their character
//! offsets in the document; documents are rebuilt by placing every word at its
//! offsets, dated from the id (`VOA_EN_NW_2016.04.19.3291980` → 2016-04-19),
//! and run through the whole pipeline. A predicted span matches a gold span when
//! they overlap and the prediction is at most three times as long plus four
//! characters; matching is one-to-one.
//!
//! - trigger identification: a matching trigger; classification: and its type
//! - argument identification: a matching argument span of an event of the same
//!   type in the same document; classification: and its role

mod ceiling;

pub use ceiling::{format_ceiling, lexicon_ceiling, CeilingRow};

use crate::document::{CharMap, Document, Event};
use crate::error::{Error, Result};
use crate::ner::eval::Counts;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

#[derive(Deserialize)]
struct Record {
    sentence_id: String,
    words: Vec<String>,
    /// Per word: [start, end] character offsets in the document, end inclusive.
    index: Vec<(String, String)>,
    #[serde(rename = "golden-event-mentions", default)]
    events: Vec<GoldEvent>,
}

#[derive(Deserialize)]
struct GoldEvent {
    trigger: GoldSpan,
    event_type: String,
    #[serde(default)]
    arguments: Vec<GoldArgument>,
}

#[derive(Deserialize)]
struct GoldSpan {
    /// Word indices, end exclusive.
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct GoldArgument {
    role: String,
    start: usize,
    end: usize,
}

/// A span in characters with a label (type, or type and role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    pub start: usize,
    pub end: usize,
    pub event_type: String,
    pub role: String,
}

/// A rebuilt document with its gold events.
pub struct GoldDocument {
    pub id: String,
    pub text: String,
    pub published: Option<NaiveDate>,
    pub triggers: Vec<Labelled>,
    pub arguments: Vec<Labelled>,
    /// Character spans of the words as the records give them, for
    /// [`lexicon_ceiling`].
    pub words: Vec<(usize, usize)>,
    /// Character ranges of the sentences with no gold event at all: where
    /// a wrong trigger may be an event the annotators left out.
    pub unannotated: Vec<(usize, usize)>,
}

fn date_of(id: &str) -> Option<NaiveDate> {
    // VOA_EN_NW_2016.04.19.3291980
    let tail = id.rsplit('_').next()?;
    let mut parts = tail.split('.');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Reads the records and rebuilds the documents, in order of first appearance.
pub fn read(path: &Path) -> Result<Vec<GoldDocument>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let records: Vec<Record> = serde_json::from_str(&text)
        .map_err(|e| Error::format(path, Some(e.line() as u64), e.to_string()))?;
    let mut out = Vec::new();
    for (id, records) in by_document(records) {
        let mut chars: Vec<char> = Vec::new();
        let mut gold = GoldDocument {
            id: id.clone(),
            text: String::new(),
            published: date_of(&id),
            triggers: Vec::new(),
            arguments: Vec::new(),
            words: Vec::new(),
            unannotated: Vec::new(),
        };
        for r in &records {
            add_sentence(&mut gold, &mut chars, r)
                .map_err(|why| Error::format(path, None, format!("{}: {why}", r.sentence_id)))?;
        }
        gold.text = chars.into_iter().collect();
        out.push(gold);
    }
    Ok(out)
}

/// Sentence records grouped by document (the id before the last `_`), the
/// documents in order of first appearance.
fn by_document(records: Vec<Record>) -> Vec<(String, Vec<Record>)> {
    let mut out: Vec<(String, Vec<Record>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in records {
        let doc = r
            .sentence_id
            .rsplit_once('_')
            .map_or(r.sentence_id.as_str(), |(d, _)| d)
            .to_string();
        let k = *at.entry(doc.clone()).or_insert_with(|| {
            out.push((doc, Vec::new()));
            out.len() - 1
        });
        out[k].1.push(r);
    }
    out
}

/// Places a sentence's words at their offsets in `chars` and adds its gold
/// triggers and arguments to `gold`; the error says what is wrong with it.
fn add_sentence(
    gold: &mut GoldDocument,
    chars: &mut Vec<char>,
    r: &Record,
) -> std::result::Result<(), &'static str> {
    if r.index.len() != r.words.len() {
        return Err("words and index differ in length");
    }
    let offsets: Vec<(usize, usize)> = r
        .index
        .iter()
        .map(|(s, e)| Some((s.parse().ok()?, e.parse::<usize>().ok()? + 1)))
        .collect::<Option<_>>()
        .ok_or("index offsets are not numbers")?;
    gold.words.extend(&offsets);
    if let (true, Some(first), Some(last)) = (r.events.is_empty(), offsets.first(), offsets.last())
    {
        gold.unannotated.push((first.0, last.1));
    }
    for (w, &(s, e)) in r.words.iter().zip(&offsets) {
        if chars.len() < e {
            chars.resize(e, ' ');
        }
        for (k, c) in w.chars().take(e - s).enumerate() {
            chars[s + k] = c;
        }
    }
    let span = |a: usize, b: usize| -> Option<(usize, usize)> {
        Some((offsets.get(a)?.0, offsets.get(b.checked_sub(1)?)?.1))
    };
    for ev in &r.events {
        let (s, e) =
            span(ev.trigger.start, ev.trigger.end).ok_or("trigger outside the sentence")?;
        gold.triggers.push(Labelled {
            start: s,
            end: e,
            event_type: ev.event_type.clone(),
            role: String::new(),
        });
        for a in &ev.arguments {
            let (s, e) = span(a.start, a.end).ok_or("argument outside the sentence")?;
            gold.arguments.push(Labelled {
                start: s,
                end: e,
                event_type: ev.event_type.clone(),
                role: a.role.clone(),
            });
        }
    }
    Ok(())
}

fn matches(pred: &Labelled, gold: &Labelled) -> bool {
    let overlap = pred.start < gold.end && gold.start < pred.end;
    overlap && pred.end - pred.start <= 3 * (gold.end - gold.start) + 4
}

/// Which predictions have a one-to-one match where `same` also holds.
fn matched(
    pred: &[Labelled],
    gold: &[Labelled],
    same: impl Fn(&Labelled, &Labelled) -> bool,
) -> Vec<bool> {
    let mut used = vec![false; gold.len()];
    pred.iter()
        .map(|p| {
            let k =
                (0..gold.len()).find(|&k| !used[k] && matches(p, &gold[k]) && same(p, &gold[k]));
            if let Some(k) = k {
                used[k] = true;
            }
            k.is_some()
        })
        .collect()
}

/// Counts one-to-one matches where `same` also holds.
fn count(
    pred: &[Labelled],
    gold: &[Labelled],
    same: impl Fn(&Labelled, &Labelled) -> bool,
) -> usize {
    matched(pred, gold, same).into_iter().filter(|&m| m).count()
}

/// The four standard scores, overall and per event type.
#[derive(Debug, Clone, Default)]
pub struct EventReport {
    pub documents: usize,
    pub trigger_identification: Counts,
    pub trigger_classification: Counts,
    pub argument_identification: Counts,
    pub argument_classification: Counts,
    pub by_type: BTreeMap<String, (Counts, Counts)>,
    /// Wrong triggers (classification) that lie in a sentence with no gold
    /// event at all.
    pub wrong_in_unannotated: usize,
}

/// Which documents `eval-events` scores: rules are developed on the first
/// half (by sorted document id) and judged on the second, whose errors no
/// one looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Half {
    #[default]
    All,
    First,
    Second,
}

/// Whether a document is in the first half of the sorted document ids.
pub fn first_half_ids(docs: &[GoldDocument]) -> std::collections::HashSet<String> {
    let mut ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let n = ids.len().div_ceil(2);
    ids[..n].iter().map(|s| s.to_string()).collect()
}

/// The documents of one half (see [`Half`]), in their file order.
pub fn select_half(docs: Vec<GoldDocument>, half: Half) -> Vec<GoldDocument> {
    if half == Half::All {
        return docs;
    }
    let first = first_half_ids(&docs);
    docs.into_iter()
        .filter(|d| first.contains(&d.id) == (half == Half::First))
        .collect()
}

/// The ACE types M2E2 annotates; predictions of other types (Life:Injure)
/// are not scored, since the gold data cannot say whether they are right.
pub const SCORED_TYPES: [&str; 8] = [
    "Conflict:Attack",
    "Conflict:Demonstrate",
    "Contact:Meet",
    "Contact:Phone-Write",
    "Justice:Arrest-Jail",
    "Life:Die",
    "Movement:Transport",
    "Transaction:Transfer-Money",
];

/// Whether an event is scored: asserted, specific and of the
/// [`SCORED_TYPES`] (negated, hypothetical and generic mentions are output
/// for analysts but are not ACE events).
fn scored(e: &Event) -> bool {
    e.modality.is_asserted()
        && e.genericity.is_specific()
        && SCORED_TYPES.contains(&e.event_type.as_str())
}

/// Predicted triggers and arguments of a processed document, in characters:
/// the [`scored`] events only.
pub fn predicted(doc: &Document) -> (Vec<Labelled>, Vec<Labelled>) {
    let map = CharMap::new(&doc.text);
    let mut triggers = Vec::new();
    let mut arguments = Vec::new();
    for e in doc.events.iter().filter(|e| scored(e)) {
        triggers.push(Labelled {
            start: map.char_offset(e.trigger.start),
            end: map.char_offset(e.trigger.end),
            event_type: e.event_type.clone(),
            role: String::new(),
        });
        for a in e.arguments.iter().filter(|a| a.role != "Time") {
            arguments.push(Labelled {
                start: map.char_offset(a.span.start),
                end: map.char_offset(a.span.end),
                event_type: e.event_type.clone(),
                role: a.role.clone(),
            });
        }
    }
    (triggers, arguments)
}

/// One JSON line for a processed document: its text, the predicted events
/// (character offsets, type, rule, arguments, and for a scored event
/// whether trigger classification counts it right) and the gold triggers
/// and arguments, for inspecting rules (`eval-events --dump`,
/// `bench/m2e2_audit.py`).
pub fn dump_line(gold: &GoldDocument, doc: &Document) -> String {
    let map = CharMap::new(&doc.text);
    let span = |s: &crate::document::Span| (map.char_offset(s.start), map.char_offset(s.end));
    let (triggers, _) = predicted(doc);
    let same_type = |p: &Labelled, g: &Labelled| p.event_type == g.event_type;
    let mut right = matched(&triggers, &gold.triggers, same_type).into_iter();
    let events: Vec<serde_json::Value> = doc
        .events
        .iter()
        .map(|e| {
            // `predicted` keeps the scored events in document order.
            let right = if scored(e) { right.next() } else { None };
            let args: Vec<serde_json::Value> = e
                .arguments
                .iter()
                .map(|a| serde_json::json!({"role": a.role, "span": span(&a.span)}))
                .collect();
            serde_json::json!({
                "type": e.event_type,
                "trigger": span(&e.trigger),
                "rule": e.rule,
                "modality": e.modality,
                "genericity": e.genericity,
                "arguments": args,
                "right": right,
            })
        })
        .collect();
    let labelled = |v: &[Labelled]| -> Vec<serde_json::Value> {
        v.iter()
            .map(|l| serde_json::json!({"type": l.event_type, "role": l.role, "span": (l.start, l.end)}))
            .collect()
    };
    serde_json::json!({
        "id": gold.id,
        "text": gold.text,
        "events": events,
        "gold_triggers": labelled(&gold.triggers),
        "gold_arguments": labelled(&gold.arguments),
    })
    .to_string()
}

impl EventReport {
    pub fn add(&mut self, gold: &GoldDocument, doc: &Document) {
        let (triggers, arguments) = predicted(doc);
        self.documents += 1;
        let add = |c: &mut Counts, pred: usize, gold: usize, correct: usize| {
            c.guessed += pred;
            c.gold += gold;
            c.correct += correct;
        };
        let same_type = |p: &Labelled, g: &Labelled| p.event_type == g.event_type;
        add(
            &mut self.trigger_identification,
            triggers.len(),
            gold.triggers.len(),
            count(&triggers, &gold.triggers, |_, _| true),
        );
        let right = matched(&triggers, &gold.triggers, same_type);
        add(
            &mut self.trigger_classification,
            triggers.len(),
            gold.triggers.len(),
            right.iter().filter(|&&m| m).count(),
        );
        self.wrong_in_unannotated += triggers
            .iter()
            .zip(&right)
            .filter(|(t, &m)| {
                !m && gold
                    .unannotated
                    .iter()
                    .any(|&(s, e)| s <= t.start && t.start < e)
            })
            .count();
        add(
            &mut self.argument_identification,
            arguments.len(),
            gold.arguments.len(),
            count(&arguments, &gold.arguments, same_type),
        );
        add(
            &mut self.argument_classification,
            arguments.len(),
            gold.arguments.len(),
            count(&arguments, &gold.arguments, |p, g| {
                same_type(p, g) && p.role == g.role
            }),
        );
        let types: Vec<String> = gold
            .triggers
            .iter()
            .chain(&triggers)
            .map(|t| t.event_type.clone())
            .collect();
        for t in types {
            if self.by_type.contains_key(&t) {
                continue;
            }
            self.by_type.insert(t, Default::default());
        }
        for (t, (trig, args)) in self.by_type.iter_mut() {
            let of = |v: &[Labelled]| {
                v.iter()
                    .filter(|x| &x.event_type == t)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let (pt, gt) = (of(&triggers), of(&gold.triggers));
            add(trig, pt.len(), gt.len(), count(&pt, &gt, same_type));
            let (pa, ga) = (of(&arguments), of(&gold.arguments));
            add(
                args,
                pa.len(),
                ga.len(),
                count(&pa, &ga, |p, g| p.role == g.role),
            );
        }
    }
}

impl EventReport {
    /// One line: trigger and argument classification P/R/F1.
    pub fn summary(&self, name: &str) -> String {
        let t = &self.trigger_classification;
        let a = &self.argument_classification;
        format!(
            "{name:<14} {:>4} docs   trigger classification P {:>6.2} R {:>6.2} F1 {:>6.2}   argument classification P {:>6.2} R {:>6.2} F1 {:>6.2}",
            self.documents,
            t.precision(),
            t.recall(),
            t.f1(),
            a.precision(),
            a.recall(),
            a.f1()
        )
    }
}

impl fmt::Display for EventReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "documents: {}", self.documents)?;
        writeln!(
            f,
            "{:<28} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7}",
            "", "gold", "found", "right", "P", "R", "F1"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, c: &Counts| {
            writeln!(
                f,
                "{:<28} {:>6} {:>6} {:>6} {:>7.2} {:>7.2} {:>7.2}",
                name,
                c.gold,
                c.guessed,
                c.correct,
                c.precision(),
                c.recall(),
                c.f1()
            )
        };
        row(f, "trigger identification", &self.trigger_identification)?;
        row(f, "trigger classification", &self.trigger_classification)?;
        row(f, "argument identification", &self.argument_identification)?;
        row(f, "argument classification", &self.argument_classification)?;
        let c = &self.trigger_classification;
        writeln!(
            f,
            "wrong triggers in sentences with no gold event: {} of {}",
            self.wrong_in_unannotated,
            c.guessed - c.correct
        )?;
        writeln!(
            f,
            "by type (trigger classification / argument classification F1):"
        )?;
        for (t, (trig, args)) in &self.by_type {
            writeln!(
                f,
                "  {:<28} triggers {:>4}/{:<4} F1 {:>6.2}   arguments {:>4}/{:<4} F1 {:>6.2}",
                t,
                trig.correct,
                trig.gold,
                trig.f1(),
                args.correct,
                args.gold,
                args.f1()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(start: usize, end: usize) -> Labelled {
        Labelled {
            start,
            end,
            event_type: "Conflict:Attack".into(),
            role: String::new(),
        }
    }

    #[test]
    fn overlap_rule_and_one_to_one() {
        // "strike" (6 chars) matched by "drone strike" (12 ≤ 3·6+4).
        assert!(matches(&l(0, 12), &l(6, 12)));
        // A whole clause does not match a word.
        assert!(!matches(&l(0, 40), &l(6, 12)));
        assert!(!matches(&l(0, 5), &l(6, 12)));
        // Two predictions, one gold: one correct.
        assert_eq!(count(&[l(6, 12), l(6, 12)], &[l(6, 12)], |_, _| true), 1);
    }

    #[test]
    fn dates_from_ids() {
        assert_eq!(
            date_of("VOA_EN_NW_2016.04.19.3291980"),
            NaiveDate::from_ymd_opt(2016, 4, 19)
        );
        assert_eq!(date_of("nodate"), None);
    }
}
