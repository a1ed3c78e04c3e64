//! The rule file's examples and counter-examples, run as one test (as
//! nlprule does): every example must give an event of its rule with exactly
//! the arguments it lists, no counter-example may fire its rule.
//!
//! Until the parser runs in the tests, the sentences' parses are the
//! hand-written ones of `rules/events_syntax.examples.conllu`, found by text.

use super::conllu;
use super::file::{Example, Rule};
use super::SyntaxEvents;
use crate::document::{Document, Event};
use crate::rules::RuleFile;
use chrono::NaiveDate;
use std::collections::HashMap;

const PARSES: &str = include_str!("../../../rules/events_syntax.examples.conllu");

fn parses() -> HashMap<String, String> {
    conllu::blocks(PARSES)
        .into_iter()
        .map(|b| (conllu::text_of(&b).expect("a valid CoNLL-U block"), b))
        .collect()
}

fn run(
    engine: &SyntaxEvents,
    parses: &HashMap<String, String>,
    text: &str,
) -> Result<Document, String> {
    let block = parses
        .get(text)
        .ok_or_else(|| format!("no parse in events_syntax.examples.conllu for {text:?}"))?;
    let published = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let mut doc = conllu::document("example", &[block.as_str()], published)?;
    engine.process(&mut doc);
    Ok(doc)
}

/// How an argument can be named in an example: its head word, its phrase,
/// or the entity mention its head lies in.
fn names(doc: &Document, a: &crate::document::Argument) -> Vec<String> {
    let mut out = vec![doc.slice(a.span).to_string()];
    if let Some(h) = a.head {
        out.push(doc.slice(h).to_string());
        if let Some(e) = doc.entities.iter().find(|e| e.span.contains(&h)) {
            out.push(doc.slice(e.span).to_string());
        }
    }
    out
}

/// The roles whose arguments differ from the example's: every listed
/// argument found, and no other (the time aside).
fn wrong_arguments(doc: &Document, e: &Event, ex: &Example) -> Vec<String> {
    let mut roles: Vec<&str> = e
        .arguments
        .iter()
        .map(|a| a.role.as_str())
        .filter(|r| *r != "Time")
        .collect();
    roles.extend(ex.args.keys().map(String::as_str));
    roles.sort_unstable();
    roles.dedup();
    let mut wrong = Vec::new();
    for role in roles {
        let found: Vec<Vec<String>> = e
            .arguments
            .iter()
            .filter(|a| a.role == role)
            .map(|a| names(doc, a))
            .collect();
        let want = ex.args.get(role).cloned().unwrap_or_default();
        let all_found = want.iter().all(|w| found.iter().any(|f| f.contains(w)));
        if !all_found || found.len() != want.len() {
            let got: Vec<&String> = found.iter().map(|f| &f[0]).collect();
            wrong.push(format!("{role}: want {want:?}, got {got:?}"));
        }
    }
    wrong
}

/// A value as the rule file writes it ("negated", "5", "" for none).
fn written<T: serde::Serialize>(v: T) -> String {
    match serde_json::to_value(v).unwrap() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// What is wrong with `e` as the example's event, if anything.
fn mismatch(doc: &Document, e: &Event, ex: &Example) -> Option<String> {
    let mut wrong = wrong_arguments(doc, e, ex);
    let time = e
        .arguments
        .iter()
        .find(|a| a.role == "Time")
        .and_then(|a| a.value.clone());
    let checks = [
        (
            "killed",
            ex.killed.map(|k| k.to_string()),
            written(e.killed),
        ),
        (
            "injured",
            ex.injured.map(|k| k.to_string()),
            written(e.injured),
        ),
        (
            "modality",
            Some(ex.modality.clone().unwrap_or("asserted".into())),
            written(e.modality),
        ),
        (
            "genericity",
            Some(ex.genericity.clone().unwrap_or("specific".into())),
            written(e.genericity),
        ),
        ("time", ex.time.clone(), time.unwrap_or_default()),
    ];
    for (what, want, got) in checks {
        if want.as_ref().is_some_and(|w| *w != got) {
            wrong.push(format!(
                "{what}: want {}, got {got}",
                want.unwrap_or_default()
            ));
        }
    }
    (!wrong.is_empty()).then(|| wrong.join("; "))
}

fn check_example(
    engine: &SyntaxEvents,
    parses: &HashMap<String, String>,
    rule: &Rule,
    ex: &Example,
) -> Option<String> {
    let doc = match run(engine, parses, &ex.text) {
        Ok(d) => d,
        Err(e) => return Some(e),
    };
    let candidates: Vec<&Event> = doc
        .events
        .iter()
        .filter(|e| e.rule == rule.id)
        .filter(|e| {
            ex.trigger
                .as_ref()
                .is_none_or(|t| doc.slice(e.trigger) == t)
        })
        .collect();
    if candidates.is_empty() {
        let fired: Vec<String> = doc
            .events
            .iter()
            .map(|e| format!("{} at {:?}", e.rule, doc.slice(e.trigger)))
            .collect();
        return Some(format!("no event of the rule (fired: {fired:?})"));
    }
    let problems: Vec<String> = candidates
        .iter()
        .filter_map(|e| mismatch(&doc, e, ex))
        .collect();
    (problems.len() == candidates.len()).then(|| problems.join(" | "))
}

#[test]
fn rule_file_examples() {
    let engine = SyntaxEvents::builtin();
    let parses = parses();
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in &engine.rules {
        for ex in &rule.examples {
            checked += 1;
            if let Some(why) = check_example(&engine, &parses, rule, ex) {
                failures.push(format!("[{}] {:?}: {why}", rule.id, ex.text));
            }
        }
        for text in &rule.counter_examples {
            checked += 1;
            match run(&engine, &parses, text) {
                Err(e) => failures.push(format!("[{}] {e}", rule.id)),
                Ok(doc) if doc.events.iter().any(|e| e.rule == rule.id) => {
                    failures.push(format!("[{}] counter-example fired: {text:?}", rule.id))
                }
                Ok(_) => {}
            }
        }
    }
    assert!(checked > 20, "only {checked} examples");
    assert!(
        failures.is_empty(),
        "{} of {checked} examples fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
