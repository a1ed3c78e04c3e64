//! Unit tests of the engine on hand-written parses (see [`super::conllu`]).

use super::conllu;
use super::SyntaxEvents;
use crate::document::{Document, Event};
use crate::rules::RuleFile;
use chrono::NaiveDate;

fn doc(blocks: &[&str]) -> Document {
    let published = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let mut d = conllu::document("t", blocks, published).expect("valid CoNLL-U");
    SyntaxEvents::builtin().process(&mut d);
    d
}

/// The arguments of an event as (role, phrase) pairs, time left out.
fn args(d: &Document, e: &Event) -> Vec<(String, String)> {
    e.arguments
        .iter()
        .filter(|a| a.role != "Time")
        .map(|a| (a.role.clone(), d.slice(a.span).to_string()))
        .collect()
}

fn event<'d>(d: &'d Document, trigger: &str) -> &'d Event {
    d.events
        .iter()
        .find(|e| d.slice(e.trigger) == trigger)
        .unwrap_or_else(|| panic!("no event at {trigger:?}"))
}

#[test]
fn builtin_rules_load() {
    let r = SyntaxEvents::builtin();
    assert!(r.rules.len() > 10);
}
