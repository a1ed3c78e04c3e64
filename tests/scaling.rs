//! Regression tests for stages that grew with the square of a document.
//!
//! Each text stage runs on one article of N paragraphs and on one of 16N (the
//! events stage on hand-checked parses, see [`syntax_events_time`]), and
//! the test compares the two times: a linear stage takes about 16 times as long,
//! one that grows with the square about 256 times. The limit (48) sits between
//! them, so the test judges a ratio measured in one run, never a wall-clock
//! figure, and stays meaningful on a slow or busy machine. Sizes are chosen so
//! that the quadratic versions found (an events stage that scanned every time
//! expression for every word and every entity for every sentence, pairwise
//! overlap checks of time candidates, a per-time-expression pass over every
//! block, a per-surname pass over every actor) would take far longer than the
//! linear ones at 16N.

use casefile::clean::{BoilerplateRules, Cleaner};
use casefile::document::{Entity, Span};
use casefile::events::syntax::{conllu, SyntaxEvents};
use casefile::pipeline::time_stage;
use casefile::resolve::ActorRules;
use casefile::rules::RuleFile;
use casefile::segment::{Abbreviations, Segmenter};
use casefile::Document;
use std::time::{Duration, Instant};

const FIRST: [&str; 6] = ["Amir", "Layla", "Omar", "Sara", "Daniel", "Maria"];
const LAST: [&str; 5] = ["Haddad", "Rahimi", "Novak", "Okafor", "Brennan"];
const PLACES: [&str; 5] = ["Baghdad", "Mosul", "Kirkuk", "Basra", "Erbil"];
const MONTHS: [&str; 4] = ["Jan.", "March", "June", "Oct."];

/// Paragraph `i` of the generated article: events, dates, names and a surname
/// used alone, varied with `i` so that every paragraph brings new people.
fn paragraph(i: usize) -> String {
    let first = FIRST[i % FIRST.len()];
    let last = format!("{}{}", LAST[i % LAST.len()], i);
    let place = PLACES[i % PLACES.len()];
    let month = MONTHS[i % MONTHS.len()];
    format!(
        "A drone strike killed {first} {last} near {place} airport on {month} {day}, 2024. \
         Police arrested two men in {place} on Tuesday. {last} had met officials in \
         {place} last week, and protesters marched on {day} {month} 2023.",
        day = 1 + i % 27
    )
}

fn article(paragraphs: usize) -> Document {
    let text: Vec<String> = (0..paragraphs).map(paragraph).collect();
    let mut doc = Document::new("big", text.join("\n\n"));
    doc.published = chrono::NaiveDate::from_ymd_opt(2024, 6, 1);
    doc
}

/// Marks the names the generated text uses, as the NER stage would.
fn add_entities(doc: &mut Document) {
    let mut entities = Vec::new();
    for (s, sentence) in doc.sentences.iter().enumerate() {
        let words: Vec<&str> = sentence.tokens.iter().map(|t| doc.slice(t.span)).collect();
        for (k, w) in words.iter().enumerate() {
            // A full name ("Amir Haddad3"), or a surname standing alone.
            let full_name = FIRST.contains(w) && k + 1 < words.len();
            let surname =
                LAST.iter().any(|l| w.starts_with(l)) && (k == 0 || !FIRST.contains(&words[k - 1]));
            let label = if PLACES.contains(w) {
                "LOC"
            } else if full_name || surname {
                "PER"
            } else {
                continue;
            };
            let end = if FIRST.contains(w) { k + 1 } else { k };
            entities.push(Entity {
                span: Span::new(sentence.tokens[k].span.start, sentence.tokens[end].span.end),
                label: label.into(),
                score: 0.9,
                sentence: s,
                actor: None,
            });
        }
    }
    doc.entities = entities;
}

/// Per stage, the fastest of three runs over an article of `paragraphs`.
fn stage_times(paragraphs: usize) -> Vec<(&'static str, Duration)> {
    let cleaner = Cleaner::new(BoilerplateRules::builtin());
    let segmenter = Segmenter::new(Abbreviations::builtin());
    let actors = ActorRules::builtin();
    let mut best: Vec<(&'static str, Duration)> = Vec::new();
    for _ in 0..3 {
        let mut doc = article(paragraphs);
        let mut times = Vec::new();
        let mut timed = |name: &'static str, f: &mut dyn FnMut(&mut Document)| {
            let t = Instant::now();
            f(&mut doc);
            times.push((name, t.elapsed()));
        };
        timed("clean", &mut |d| cleaner.process(d));
        timed("segment", &mut |d| segmenter.process(d));
        timed("entities (test setup)", &mut add_entities);
        timed("time", &mut time_stage);
        timed("resolve", &mut |d| actors.process(d));
        assert!(doc.error.is_none(), "{:?}", doc.error);
        assert!(
            doc.times.len() >= 2 * paragraphs,
            "times are found at every size"
        );
        if best.is_empty() {
            best = times;
        } else {
            for (b, (_, t)) in best.iter_mut().zip(times) {
                b.1 = b.1.min(t);
            }
        }
    }
    best
}

/// The events stage, the fastest of three runs over one article
/// made of `copies` copies of the rule file's hand-parsed example sentences
/// (the parser itself is a model, linear by construction).
fn syntax_events_time(copies: usize) -> (&'static str, Duration) {
    let blocks = conllu::blocks(include_str!("../rules/events_syntax.examples.conllu"));
    let all: Vec<&str> = (0..copies)
        .flat_map(|_| blocks.iter().map(String::as_str))
        .collect();
    let published = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let engine = SyntaxEvents::builtin();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let mut doc = conllu::document("big", &all, published).unwrap();
        let t = Instant::now();
        engine.process(&mut doc);
        best = best.min(t.elapsed());
        assert!(doc.events.len() >= copies, "events are found at every size");
    }
    ("events", best)
}

#[test]
fn text_stages_grow_linearly_with_the_document() {
    let n = 100;
    let mut small = stage_times(n);
    let mut large = stage_times(16 * n);
    small.push(syntax_events_time(n / 4));
    large.push(syntax_events_time(4 * n));
    let mut report = String::new();
    let mut worst = 0.0f64;
    for ((name, a), (_, b)) in small.iter().zip(&large) {
        // A floor of a millisecond keeps a stage too fast to time from
        // producing a ratio of noise.
        let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-3);
        report.push_str(&format!("{name}: {a:?} -> {b:?} (x{ratio:.1})\n"));
        worst = worst.max(ratio);
    }
    eprint!("{report}");
    assert!(
        worst < 48.0,
        "a stage grows faster than linearly (16x the text should take about 16x the time):\n{report}"
    );
}
